"""Real text for the text notebook (``07_text``): offline word lists, and the IMDB reviews (full profile).

* :func:`cldr_names` — country and language names as written in a given language, from the Unicode
  CLDR data that the ``babel`` package ships (real, curated text; no download).
* :func:`load_imdb` (as ``keras.datasets.imdb.load_data``), :func:`load_imdb_npz` / :func:`load_imdb_texts` —
  the Keras-format IMDB files (``imdb.npz`` + ``imdb_word_index.json``) that ``utils.downloads.fetch("imdb")``
  provides, shuffled as Keras shuffles them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

IMDB_FILES = ("imdb.npz", "imdb_word_index.json")
_NAME_PUNCTUATION = frozenset(" -'")


def cldr_names(language: str = "en", kinds: tuple[str, ...] = ("territories", "languages")) -> list[str]:
    """Sorted, lower-case, de-duplicated names of countries/languages written in ``language``.

    Only names made of letters, spaces, hyphens and apostrophes are kept, so every character is text.
    Source: Unicode CLDR, as shipped inside the ``babel`` package.
    """
    try:
        from babel import Locale, UnknownLocaleError
    except ImportError as exc:  # pragma: no cover - babel ships with JupyterLab and Colab
        raise ValueError("cldr_names needs the 'babel' package: pip install babel") from exc
    allowed = {"territories", "languages", "scripts", "currencies"}
    if not kinds or set(kinds) - allowed:
        raise ValueError(f"kinds must be a non-empty subset of {sorted(allowed)}, got {kinds!r}")
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown language code {language!r}; use a code such as 'en', 'de', 'fr', 'es'") from exc
    names: set[str] = set()
    for kind in kinds:
        names |= {str(v).lower() for v in getattr(locale, kind).values()}
    return sorted(n for n in names if n and all(ch.isalpha() or ch in _NAME_PUNCTUATION for ch in n))


def _imdb_paths(folder: str | Path) -> tuple[Path, Path]:
    folder = Path(folder)
    paths = tuple(folder / name for name in IMDB_FILES)
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"{folder} lacks {missing}; get the IMDB files with utils.downloads.fetch('imdb')")
    return paths  # type: ignore[return-value]


def load_imdb_word_index(folder: str | Path) -> dict[str, int]:
    """The ``word -> rank`` table (1 = most frequent word) of the Keras IMDB files."""
    _, index_path = _imdb_paths(folder)
    table = json.loads(index_path.read_text(encoding="utf-8"))
    if not isinstance(table, dict) or not all(isinstance(v, int) for v in table.values()):
        raise ValueError(f"{index_path} is not a word -> integer rank JSON object")
    return table


def _raw_imdb_arrays(folder: str | Path, seed: int | None = 113) -> dict[str, np.ndarray]:
    npz_path, _ = _imdb_paths(folder)
    # The upstream file stores reviews as object arrays of Python lists, which NumPy can only read with
    # pickle enabled; callers reach this only through utils.downloads.fetch, which verified its checksum.
    with np.load(npz_path, allow_pickle=True) as data:
        expected = {"x_train", "y_train", "x_test", "y_test"}
        if set(data.files) != expected:
            raise ValueError(f"{npz_path} holds {sorted(data.files)}, expected {sorted(expected)}")
        arrays = {key: data[key] for key in expected}
    rng = np.random.RandomState(seed) if seed is not None else None  # the generator keras.datasets.imdb uses
    for split in ("train", "test"):
        if len(arrays[f"x_{split}"]) != len(arrays[f"y_{split}"]):
            raise ValueError(f"{npz_path}: x_{split} and y_{split} differ in length")
        if rng is not None:  # the stored order is sorted by label: shuffle as Keras does, train then test
            order = np.arange(len(arrays[f"y_{split}"]))
            rng.shuffle(order)
            arrays[f"x_{split}"], arrays[f"y_{split}"] = arrays[f"x_{split}"][order], arrays[f"y_{split}"][order]
    return arrays


def load_imdb_npz(folder: str | Path, num_words: int | None = None, start_char: int = 1, oov_char: int = 2,
                  index_from: int = 3, seed: int | None = 113
                  ) -> tuple[tuple[list[list[int]], np.ndarray], tuple[list[list[int]], np.ndarray]]:
    """Reviews as integer sequences, in the order and with the conventions of ``keras.datasets.imdb.load_data``.

    Both splits are shuffled as Keras shuffles them (``seed=113``; ``None`` keeps the file's label-sorted
    order); each review starts with ``start_char``; word ranks are shifted by ``index_from``; with
    ``num_words`` every index ``>= num_words`` becomes ``oov_char``.
    """
    if num_words is not None and num_words <= index_from:
        raise ValueError(f"num_words must exceed index_from={index_from}, got {num_words}")
    arrays = _raw_imdb_arrays(folder, seed)

    def convert(reviews: np.ndarray) -> list[list[int]]:
        out = []
        for review in reviews:
            ids = [start_char] + [int(w) + index_from for w in review]
            out.append([w if num_words is None or w < num_words else oov_char for w in ids])
        return out

    return ((convert(arrays["x_train"]), arrays["y_train"].astype("int64")),
            (convert(arrays["x_test"]), arrays["y_test"].astype("int64")))


def load_imdb_texts(folder: str | Path, seed: int | None = 113
                    ) -> tuple[tuple[list[str], np.ndarray], tuple[list[str], np.ndarray]]:
    """Reviews decoded back to (lower-case, punctuation-free) text, so the same TextVectorization pipeline
    serves the generated and the real data; shuffled as ``keras.datasets.imdb.load_data`` shuffles them."""
    arrays = _raw_imdb_arrays(folder, seed)
    rank_to_word = {rank: word for word, rank in load_imdb_word_index(folder).items()}

    def decode(reviews: np.ndarray) -> list[str]:
        return [" ".join(rank_to_word.get(int(w), "[UNK]") for w in review) for review in reviews]

    return ((decode(arrays["x_train"]), arrays["y_train"].astype("int64")),
            (decode(arrays["x_test"]), arrays["y_test"].astype("int64")))


def load_imdb(num_words: int | None = None, **conventions: int
              ) -> tuple[tuple[list[list[int]], np.ndarray], tuple[list[list[int]], np.ndarray]]:
    """As ``keras.datasets.imdb.load_data(num_words=...)``, downloaded into the course's data folder."""
    from utils.downloads import fetch  # imported here so the offline default profile never needs it

    return load_imdb_npz(fetch("imdb"), num_words=num_words, **conventions)


def fetch_imdb_texts() -> tuple[tuple[list[str], np.ndarray], tuple[list[str], np.ndarray]]:
    """Full profile: download (once, checksum-verified) and decode the IMDB reviews, shuffled as Keras does."""
    from utils.downloads import fetch  # imported here so the offline default profile never needs it

    return load_imdb_texts(fetch("imdb"))


def vectorize_in_chunks(layer, texts: list[str], dtype: str = "uint8", chunk_size: int = 2000) -> np.ndarray:
    """Apply a ``TextVectorization`` layer a chunk of texts at a time and store the result as ``dtype``.

    ``output_mode="multi_hot"`` returns int64, eight bytes per 0/1 flag: 25,000 IMDB reviews over a
    20,000-word vocabulary would take 3.7 GiB in one call (and several copies of that while converting).
    Chunk by chunk into ``uint8`` the same flags take 0.5 GB. Use ``"int32"`` for ``output_mode="int"``
    word ids. Introduced in ``07_text``.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    if len(texts) == 0:
        raise ValueError("texts is empty: nothing to vectorize")
    limit = np.iinfo(dtype).max if np.issubdtype(np.dtype(dtype), np.integer) else np.finfo(dtype).max
    out: np.ndarray | None = None
    for start in range(0, len(texts), chunk_size):
        chunk = np.asarray(layer(list(texts[start:start + chunk_size])))
        if chunk.size and chunk.max() > limit:
            raise ValueError(f"values up to {chunk.max()} do not fit {dtype}; choose a wider dtype (e.g. int32)")
        if out is None:
            out = np.empty((len(texts), *chunk.shape[1:]), dtype=dtype)
        out[start:start + len(chunk)] = chunk
    assert out is not None
    return out
