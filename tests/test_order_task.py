"""The rock-paper-scissors order task of notebook 05: its rule, and the shortcuts it must not allow.

Rule 5 of the course: a task built to need *order* must defeat the obvious order-free shortcuts. Each
shortcut below is a classifier fitted on half of the generator's output and scored on the other half;
it must stay near chance (0.5). The control tests run the same classifiers on labels that the shortcut
*can* see, to show that these tests are able to fail.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from utils.order_tasks import FILLER, FIRST_MOVE_TOKEN, MOVES, PAD, VOCABULARY, beats, describe, rock_paper_scissors

NEAR_CHANCE = 0.56  # 2000 held-out sequences: chance 0.5 with a standard error of about 0.011


def _moves_and_positions(tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    positions = np.argwhere(tokens >= FIRST_MOVE_TOKEN)[:, 1].reshape(-1, 2)
    moves = np.take_along_axis(tokens, positions, axis=1) - FIRST_MOVE_TOKEN
    return moves, positions


def _held_out_accuracy(features: np.ndarray, labels: np.ndarray, model=None) -> float:
    model = LogisticRegression(max_iter=3000) if model is None else model
    half = len(labels) // 2
    model.fit(features[:half], labels[:half])
    return float(model.score(features[half:], labels[half:]))


def _bag_of_tokens(tokens: np.ndarray) -> np.ndarray:
    return np.stack([(tokens == token).sum(axis=1) for token in range(len(VOCABULARY))], axis=1)


def _one_hot(values: np.ndarray, classes: int) -> np.ndarray:
    return np.eye(classes)[values]


@pytest.fixture(scope="module")
def task() -> tuple[np.ndarray, np.ndarray]:
    return rock_paper_scissors(4000, seed=11)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 50), st.integers(2, 12), st.integers(0, 10), st.integers(0, 1000))
def test_sequences_follow_the_stated_rule(n: int, min_length: int, extra: int, seed: int) -> None:
    max_length = min_length + extra
    tokens, labels = rock_paper_scissors(n, min_length, max_length, seed=seed)
    assert tokens.shape == (n, max_length) and tokens.dtype == np.int32 and labels.dtype == np.int64
    lengths = (tokens != PAD).sum(axis=1)
    assert np.all((min_length <= lengths) & (lengths <= max_length))
    for row, length in zip(tokens, lengths, strict=True):
        assert np.all(row[:length] != PAD) and np.all(row[length:] == PAD)  # padding only at the end
        assert np.sum(row >= FIRST_MOVE_TOKEN) == 2 and np.sum(row == FILLER) == length - 2
    moves, _ = _moves_and_positions(tokens)
    assert np.all(moves[:, 0] != moves[:, 1])
    # An independent reading of the rule: the first move beats the second.
    wins = {("paper", "rock"), ("scissors", "paper"), ("rock", "scissors")}
    expected = [int((MOVES[a], MOVES[b]) in wins) for a, b in moves]
    assert labels.tolist() == expected
    assert np.array_equal(beats(moves[:, 0], moves[:, 1]).astype(int), labels)


def test_reproducible_and_balanced(task) -> None:
    tokens, labels = task
    again, labels_again = rock_paper_scissors(4000, seed=11)
    assert np.array_equal(tokens, again) and np.array_equal(labels, labels_again)
    assert 0.46 < labels.mean() < 0.54


def test_bag_of_tokens_stays_at_chance(task) -> None:
    tokens, labels = task
    assert _held_out_accuracy(_bag_of_tokens(tokens), labels) < NEAR_CHANCE
    assert _held_out_accuracy(_bag_of_tokens(tokens), labels, RandomForestClassifier(100, random_state=0)) < NEAR_CHANCE


def test_the_unordered_pair_of_moves_stays_at_chance(task) -> None:
    """Knowing exactly which two moves occur (as a set, one-hot over the three pairs) does not help."""
    tokens, labels = task
    moves, _ = _moves_and_positions(tokens)
    pair = np.sort(moves, axis=1) @ np.array([3, 1])  # a code for the unordered pair
    assert _held_out_accuracy(_one_hot(pair, 9), labels) < NEAR_CHANCE


@pytest.mark.parametrize("which", [0, 1], ids=["first move alone", "second move alone"])
def test_a_single_move_stays_at_chance(task, which: int) -> None:
    tokens, labels = task
    moves, _ = _moves_and_positions(tokens)
    assert _held_out_accuracy(_one_hot(moves[:, which], 3), labels) < NEAR_CHANCE


def test_positions_and_length_stay_at_chance(task) -> None:
    """Where the events are (and how long the sequence is) carries nothing, linear or not."""
    tokens, labels = task
    _, positions = _moves_and_positions(tokens)
    lengths = (tokens != PAD).sum(axis=1)
    features = np.column_stack([positions, positions[:, 1] - positions[:, 0], lengths])
    assert _held_out_accuracy(features, labels) < NEAR_CHANCE
    assert _held_out_accuracy(features, labels, RandomForestClassifier(100, min_samples_leaf=20,
                                                                       random_state=0)) < NEAR_CHANCE


def test_the_ordered_pair_solves_it(task) -> None:
    """Sanity: with the order, the two moves decide the label (a one-hot of the ordered pair is enough)."""
    tokens, labels = task
    moves, _ = _moves_and_positions(tokens)
    assert _held_out_accuracy(_one_hot(moves[:, 0] * 3 + moves[:, 1], 9), labels) == 1.0


def test_the_shortcut_tests_can_fail(task) -> None:
    """Controls: the same classifiers find labels that their features do carry."""
    tokens, _ = task
    moves, positions = _moves_and_positions(tokens)
    contains_rock = (moves == 0).any(axis=1).astype(int)                      # visible to a bag of tokens
    assert _held_out_accuracy(_bag_of_tokens(tokens), contains_rock) > 0.95
    first_is_rock = (moves[:, 0] == 0).astype(int)                            # visible to the first move alone
    assert _held_out_accuracy(_one_hot(moves[:, 0], 3), first_is_rock) > 0.95
    early_first_move = (positions[:, 0] < 3).astype(int)                      # visible to the positions
    lengths = (tokens != PAD).sum(axis=1)
    features = np.column_stack([positions, positions[:, 1] - positions[:, 0], lengths])
    assert _held_out_accuracy(features, early_first_move, RandomForestClassifier(100, random_state=0)) > 0.95


def test_describe_shows_the_sequence() -> None:
    tokens = np.array([FILLER, FIRST_MOVE_TOKEN + 1, FILLER, FIRST_MOVE_TOKEN, PAD, PAD])
    assert describe(tokens) == "· paper · rock"


@pytest.mark.parametrize("bad", [{"n": 0}, {"n": 2.5}, {"n": 5, "min_length": 1},
                                 {"n": 5, "min_length": 9, "max_length": 8}, {"n": True}])
def test_bad_input_raises(bad: dict) -> None:
    with pytest.raises(ValueError):
        rock_paper_scissors(**bad)


def test_describe_rejects_a_batch() -> None:
    with pytest.raises(ValueError, match="one sequence at a time"):
        describe(np.zeros((2, 5), dtype=int))
