"""Offline text sources and the IMDB parser, tested on a fixture in the upstream Keras format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.text_data import cldr_names, load_imdb_texts

WORD_INDEX = {"the": 1, "film": 2, "was": 3, "good": 4, "bad": 5, "not": 6}
RANK_TO_WORD = {rank: word for word, rank in WORD_INDEX.items()}


def _object_array(rows: list[list[int]]) -> np.ndarray:
    array = np.empty(len(rows), dtype=object)  # upstream stores ragged Python lists in object arrays
    for i, row in enumerate(rows):
        array[i] = list(row)
    return array


def write_imdb_fixture(folder: Path, train: list[list[int]], test: list[list[int]]) -> Path:
    """Write ``imdb.npz`` + ``imdb_word_index.json`` exactly as the Keras download ships them."""
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(folder / "imdb.npz", x_train=_object_array(train), y_train=np.arange(len(train)) % 2,
             x_test=_object_array(test), y_test=(np.arange(len(test)) + 1) % 2)
    (folder / "imdb_word_index.json").write_text(json.dumps(WORD_INDEX), encoding="utf-8")
    return folder


def test_imdb_texts_decode_words(tmp_path: Path) -> None:
    folder = write_imdb_fixture(tmp_path, [[1, 2, 3, 6, 4]], [[1, 2, 3, 5], [1, 9]])
    (train_texts, y_train), (test_texts, y_test) = load_imdb_texts(folder, seed=None)
    assert train_texts == ["the film was not good"] and test_texts == ["the film was bad", "the [UNK]"]
    assert y_train.tolist() == [0] and y_test.tolist() == [1, 0] and y_train.dtype == np.int64


@settings(max_examples=20, deadline=None)
@given(st.lists(st.lists(st.integers(1, 6), min_size=1, max_size=12), min_size=1, max_size=5))
def test_imdb_shuffle_keeps_the_pairs(tmp_path_factory: pytest.TempPathFactory, reviews: list[list[int]]) -> None:
    folder = write_imdb_fixture(tmp_path_factory.mktemp("imdb"), reviews, reviews[:1])
    (texts, labels), _ = load_imdb_texts(folder, seed=None)  # the stored order
    assert texts == [" ".join(RANK_TO_WORD[w] for w in review) for review in reviews]
    assert len(labels) == len(reviews)
    (shuffled, shuffled_labels), _ = load_imdb_texts(folder)  # shuffled as Keras does: same pairs, new order
    pairs = sorted(zip(texts, labels.tolist(), strict=True))
    assert sorted(zip(shuffled, shuffled_labels.tolist(), strict=True)) == pairs


def test_imdb_missing_or_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="fetch"):
        load_imdb_texts(tmp_path)
    np.savez(tmp_path / "imdb.npz", x_train=np.zeros(2))
    (tmp_path / "imdb_word_index.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="expected"):
        load_imdb_texts(tmp_path)
    write_imdb_fixture(tmp_path, [[1]], [[2]])
    (tmp_path / "imdb_word_index.json").write_text('{"the": "one"}', encoding="utf-8")
    with pytest.raises(ValueError, match="integer rank"):
        load_imdb_texts(tmp_path)


def test_cldr_names_are_real_text() -> None:
    pytest.importorskip("babel")
    english, german = cldr_names("en"), cldr_names("de")
    assert "germany" in english and "deutschland" in german
    assert len(english) > 500 and english == sorted(set(english))
    assert all(all(ch.isalpha() or ch in " -'" for ch in name) for name in english)
    with pytest.raises(ValueError, match="language code"):
        cldr_names("xx-not-a-language")
    with pytest.raises(ValueError, match="kinds"):
        cldr_names("en", kinds=("planets",))

