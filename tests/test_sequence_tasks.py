"""Generated sequence tasks: shapes, labels that follow the stated rule, and clear errors."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.sequence_tasks import (
    DATE_FORMATS,
    NEGATIVE_WORDS,
    NEGATORS,
    POSITIVE_WORDS,
    date_pairs,
    decode_chars,
    encode_chars,
    format_date,
    negation_sentiment,
    remember_first_task,
)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.integers(1, 40), st.floats(0, 3), st.integers(0, 1000))
def test_remember_first_label_is_sign_of_first_value(n: int, lag: int, noise: float, seed: int) -> None:
    x, y = remember_first_task(n, lag, noise, seed=seed)
    assert x.shape == (n, lag, 2) and y.shape == (n,)
    assert np.array_equal((x[:, 0, 0] > 0).astype(int), y)
    assert np.all(x[:, 0, 1] == 1) and np.all(x[:, 1:, 1] == 0)  # the marker flags step 0 only
    assert set(np.abs(x[:, 0, 0]).tolist()) == {1.0}


def test_remember_first_is_reproducible_and_balanced() -> None:
    x1, y1 = remember_first_task(2000, 5, seed=3)
    x2, y2 = remember_first_task(2000, 5, seed=3)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert 0.45 < y1.mean() < 0.55
    assert 0.8 < x1[:, 1:, 0].std() < 1.2  # later steps are unit noise on the same channel


@pytest.mark.parametrize("bad", [{"n": 0, "lag": 5}, {"n": 3, "lag": 0}, {"n": 3, "lag": 5, "noise": -1.0},
                                 {"n": 2.5, "lag": 5}, {"n": 3, "lag": 5, "noise": float("nan")}])
def test_remember_first_rejects_bad_input(bad: dict) -> None:
    with pytest.raises(ValueError):
        remember_first_task(**bad)


def _rule_label(text: str) -> int:
    """An independent reading of a review: the word after a negator flips its polarity."""
    words, score = text.split(), 0
    for i, word in enumerate(words):
        polarity = 1 if word in POSITIVE_WORDS else -1 if word in NEGATIVE_WORDS else 0
        if polarity and i > 0 and words[i - 1] in NEGATORS:
            polarity = -polarity
        score += polarity
    assert score != 0, text
    return int(score > 0)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 60), st.integers(0, 10_000), st.floats(0, 1))
def test_negation_labels_follow_the_rule(n: int, seed: int, fraction: float) -> None:
    texts, labels = negation_sentiment(n, seed=seed, negated_fraction=fraction)
    assert len(texts) == len(labels) == n
    assert [_rule_label(t) for t in texts] == labels.tolist()


def test_negated_reviews_hide_the_label_from_a_bag_of_words() -> None:
    texts, labels = negation_sentiment(4000, seed=0, negated_fraction=1.0)
    sentiment_words = set(POSITIVE_WORDS) | set(NEGATIVE_WORDS) | set(NEGATORS)
    for text in texts:  # always one positive, one negative word and one negator ...
        kinds = sorted("p" if w in POSITIVE_WORDS else "n" if w in NEGATIVE_WORDS else "x"
                       for w in text.split() if w in sentiment_words)
        assert kinds == ["n", "p", "x"], text
    assert 0.45 < labels.mean() < 0.55  # ... whatever the label, so counting words cannot tell
    with pytest.raises(ValueError):
        negation_sentiment(5, negated_fraction=1.5)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 50), st.integers(0, 10_000))
def test_date_pairs_are_correct_translations(n: int, seed: int) -> None:
    sources, targets = date_pairs(n, seed=seed)
    assert len(sources) == len(targets) == n
    for source, target in zip(sources, targets, strict=True):
        date = dt.date.fromisoformat(target)
        assert source in {format_date(date, template) for template in DATE_FORMATS}


def test_date_pairs_reject_bad_years() -> None:
    with pytest.raises(ValueError):
        date_pairs(3, first_year=2000, last_year=1999)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="abc-", max_size=8), max_size=6))
def test_encode_decode_round_trip(strings: list[str]) -> None:
    encoded = encode_chars(strings, "abc-", length=8)
    assert encoded.shape == (len(strings), 8)
    assert decode_chars(encoded, "abc-") == strings if strings else encoded.size == 0


def test_encode_rejects_unknown_and_long() -> None:
    with pytest.raises(ValueError, match="not in the alphabet"):
        encode_chars(["abz"], "abc", 5)
    with pytest.raises(ValueError, match="longer"):
        encode_chars(["abcabc"], "abc", 5)
    assert decode_chars(np.array([[1, 2, 3, 1]]), "ab|", stop="|") == ["ab"]
