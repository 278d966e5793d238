"""Generated sequence tasks: shapes, labels that follow the stated rule, clear errors, and shortcut checks.

A task built to need memory or word order must not be solvable without it: each shortcut test runs the
obvious cheap model (one time step, the bag of words, short n-grams) on the generator's output and asserts
it stays near chance, and shows that the same probe does succeed when the task is made easy, so the test
could fail.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.sequence_tasks import (
    DATE_FORMATS,
    FILLERS,
    NEGATIVE_WORDS,
    NEGATORS,
    POSITIVE_WORDS,
    date_pairs,
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


def _probe_accuracy(features, train: tuple, test: tuple) -> float:
    """Logistic regression on ``features(x)``: the cheapest learned shortcut."""
    from sklearn.linear_model import LogisticRegression

    probe = LogisticRegression(max_iter=2000).fit(features(train[0]), train[1])
    return float(probe.score(features(test[0]), test[1]))


@pytest.mark.parametrize("lag", [40, 100])
def test_remember_first_shortcuts_stay_at_chance(lag: int) -> None:
    train, test = remember_first_task(3000, lag, seed=1), remember_first_task(2000, lag, seed=2)
    last_step = _probe_accuracy(lambda x: x[:, -1, :], train, test)
    all_but_first = _probe_accuracy(lambda x: x[:, 1:, 0], train, test)
    sign_of_sum = float(np.mean((test[0][:, :, 0].sum(axis=1) > 0) == test[1]))  # a bag of the values
    marker = _probe_accuracy(lambda x: x[:, :, 1], train, test)  # where the marker sits (always step 0)
    assert last_step < 0.56 and all_but_first < 0.56 and marker < 0.56, (last_step, all_but_first, marker)
    assert sign_of_sum < 0.6, sign_of_sum
    # The same probe is not blind: shown step 0 it is perfect, so the assertions above can fail.
    assert _probe_accuracy(lambda x: x[:, :, 0], train, test) > 0.95
    x_short, y_short = remember_first_task(2000, 3, seed=2)  # at a short lag the sum rule works
    assert float(np.mean((x_short[:, :, 0].sum(axis=1) > 0) == y_short)) > 0.6


@pytest.mark.parametrize("bad", [{"n": 0, "lag": 5}, {"n": 3, "lag": 0}, {"n": 3, "lag": 5, "noise": -1.0},
                                 {"n": 2.5, "lag": 5}, {"n": 3, "lag": 5, "noise": float("nan")}])
def test_remember_first_rejects_bad_input(bad: dict) -> None:
    with pytest.raises(ValueError):
        remember_first_task(**bad)


def _rule_label(text: str) -> int:
    """An independent reading of a review: a negator flips the first sentiment word after it."""
    score, pending = 0, False
    for word in text.split():
        polarity = 1 if word in POSITIVE_WORDS else -1 if word in NEGATIVE_WORDS else 0
        if word in NEGATORS:
            pending = True
        elif polarity:
            score += -polarity if pending else polarity
            pending = False
    assert score != 0, text
    return int(score > 0)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 60), st.integers(0, 10_000), st.integers(0, 6), st.floats(0, 1))
def test_negation_labels_follow_the_rule(n: int, seed: int, max_gap: int, plain: float) -> None:
    texts, labels = negation_sentiment(n, seed=seed, max_gap=max_gap, plain_fraction=plain)
    assert len(texts) == len(labels) == n
    assert [_rule_label(t) for t in texts] == labels.tolist()
    if max_gap == 0:  # no filler: the negator stands right before the word it flips
        for text in texts:
            words = text.split()
            assert all(words[i + 1] in POSITIVE_WORDS + NEGATIVE_WORDS for i, w in enumerate(words) if w in NEGATORS)


def test_fillers_separate_the_negator_from_its_word() -> None:
    texts, _ = negation_sentiment(2000, seed=3, max_gap=4)
    filler_starts = {phrase.split()[0] for phrase in FILLERS}
    after_negator = [text.split()[text.split().index(n) + 1] for text in texts for n in NEGATORS if n in text.split()]
    separated = np.mean([w in filler_starts for w in after_negator])
    assert 0.7 < separated < 0.9  # gaps of 0..4 fillers, uniform: 4 in 5 negators are separated


def test_negated_reviews_hide_the_label_from_a_bag_of_words() -> None:
    texts, labels = negation_sentiment(4000, seed=0)
    sentiment_words = set(POSITIVE_WORDS) | set(NEGATIVE_WORDS) | set(NEGATORS)
    for text in texts:  # always one positive, one negative word and one negator ...
        kinds = sorted("p" if w in POSITIVE_WORDS else "n" if w in NEGATIVE_WORDS else "x"
                       for w in text.split() if w in sentiment_words)
        assert kinds == ["n", "p", "x"], text
    assert 0.45 < labels.mean() < 0.55  # ... whatever the label, so counting words cannot tell
    with pytest.raises(ValueError):
        negation_sentiment(5, plain_fraction=1.5)
    with pytest.raises(ValueError):
        negation_sentiment(5, max_gap=-1)


def _bag_accuracy(ngrams: int, max_gap: int = 4, plain_fraction: float = 0.0) -> float:
    """Logistic regression on counts of 1..ngrams-word sequences: the bag-of-tokens shortcut."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    train = negation_sentiment(3000, seed=1, max_gap=max_gap, plain_fraction=plain_fraction)
    test = negation_sentiment(2000, seed=2, max_gap=max_gap, plain_fraction=plain_fraction)
    counts = CountVectorizer(ngram_range=(1, ngrams), token_pattern=r"\S+")
    probe = LogisticRegression(max_iter=2000).fit(counts.fit_transform(train[0]), train[1])
    return float(probe.score(counts.transform(test[0]), test[1]))


def test_order_task_bag_of_words_stays_at_chance() -> None:
    assert _bag_accuracy(ngrams=1) < 0.56
    # Word pairs see "not good" only when no filler intervenes: they stay far from solving the task.
    assert _bag_accuracy(ngrams=2) < 0.8
    # The probe is not blind: with plain reviews mixed in, or with no filler, the bag succeeds.
    assert _bag_accuracy(ngrams=1, plain_fraction=0.5) > 0.7
    assert _bag_accuracy(ngrams=2, max_gap=0) > 0.95


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

