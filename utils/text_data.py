"""Real text for ``07_text``: country and language names from the Unicode CLDR data that ``babel`` ships (offline),
and the IMDB reviews of the full profile, decoded from the Keras files that ``utils.downloads.fetch("imdb")`` gets.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

IMDB_FILES = ("imdb.npz", "imdb_word_index.json")


def cldr_names(language: str = "en", kinds: tuple[str, ...] = ("territories", "languages")) -> list[str]:
    """Sorted, lower-case, de-duplicated names of countries/languages written in ``language`` (Unicode CLDR, as
    shipped inside ``babel``); only names of letters, spaces, hyphens and apostrophes are kept."""
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
    names = {str(v).lower() for kind in kinds for v in getattr(locale, kind).values()}
    return sorted(n for n in names if n and all(ch.isalpha() or ch in " -'" for ch in n))


def load_imdb_texts(folder: str | Path, seed: int | None = 113
                    ) -> tuple[tuple[list[str], np.ndarray], tuple[list[str], np.ndarray]]:
    """The Keras IMDB files in ``folder`` decoded back to (lower-case, punctuation-free) reviews, so the same
    TextVectorization pipeline serves the generated and the real data.

    Both splits are shuffled as ``keras.datasets.imdb.load_data`` shuffles them (``seed=113``, train then test;
    ``None`` keeps the file's label-sorted order).
    """
    npz_path, index_path = (Path(folder) / name for name in IMDB_FILES)
    missing = [p.name for p in (npz_path, index_path) if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"{folder} lacks {missing}; get the IMDB files with utils.downloads.fetch('imdb')")
    # Reviews are object arrays of Python lists, readable only with pickle; fetch() verified the file's checksum.
    with np.load(npz_path, allow_pickle=True) as data:
        expected = {"x_train", "y_train", "x_test", "y_test"}
        if set(data.files) != expected:
            raise ValueError(f"{npz_path} holds {sorted(data.files)}, expected {sorted(expected)}")
        arrays = {key: data[key] for key in expected}
    table = json.loads(index_path.read_text(encoding="utf-8"))
    if not isinstance(table, dict) or not all(isinstance(v, int) for v in table.values()):
        raise ValueError(f"{index_path} is not a word -> integer rank JSON object")
    rank_to_word = {rank: word for word, rank in table.items()}
    rng = np.random.RandomState(seed) if seed is not None else None  # the generator keras.datasets.imdb uses
    splits = []
    for split in ("train", "test"):
        reviews, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if len(reviews) != len(labels):
            raise ValueError(f"{npz_path}: x_{split} and y_{split} differ in length")
        if rng is not None:
            order = np.arange(len(labels))
            rng.shuffle(order)
            reviews, labels = reviews[order], labels[order]
        splits.append(([" ".join(rank_to_word.get(int(w), "[UNK]") for w in review) for review in reviews],
                       labels.astype("int64")))
    return splits[0], splits[1]


def fetch_imdb_texts() -> tuple[tuple[list[str], np.ndarray], tuple[list[str], np.ndarray]]:
    """Full profile: download (once, checksum-verified) and decode the IMDB reviews, shuffled as Keras does."""
    from utils.downloads import fetch  # here, so the offline default profile never needs it

    return load_imdb_texts(fetch("imdb"))

