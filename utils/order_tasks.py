"""The rock-paper-scissors order task of ``05_rnns_from_scratch``: only the *order* of two moves decides the label.

Each move alone, the pair as a bag of tokens and the positions of the moves carry nothing about the label, so only
a model that reads the sequence in order beats chance (``tests/test_order_task.py`` checks those shortcuts).
"""

from __future__ import annotations

import numpy as np

from utils.sequence_tasks import check_count

PAD, FILLER = 0, 1
MOVES = ("rock", "paper", "scissors")
FIRST_MOVE_TOKEN = 2  # rock = 2, paper = 3, scissors = 4
VOCABULARY = ("<pad>", "·", *MOVES)


def beats(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Whether move ``first`` beats ``second`` (0 rock, 1 paper, 2 scissors): ``(first - second) mod 3 == 1``."""
    return (np.asarray(first) - np.asarray(second)) % 3 == 1


def rock_paper_scissors(n: int, min_length: int = 8, max_length: int = 20,
                        seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of filler tokens holding two different moves; label 1 when the first move beats the second.

    Lengths are uniform in ``min_length..max_length``, the two positions uniform inside the sequence, the first
    move uniform and the second uniform over the two others; chance accuracy is 0.5. Returns ``tokens`` int32
    (n, max_length), post-padded with :data:`PAD`, filler :data:`FILLER`, moves ``FIRST_MOVE_TOKEN + move``;
    and ``labels`` int64 (n,).
    """
    n, min_length = check_count("n", n, 1), check_count("min_length", min_length, 2)
    max_length = check_count("max_length", max_length, min_length)
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_length, max_length + 1, size=n)
    first = rng.integers(0, 3, size=n)
    second = (first + rng.integers(1, 3, size=n)) % 3
    inside = np.arange(max_length) < lengths[:, None]
    tokens = np.where(inside, FILLER, PAD).astype("int32")
    # Two distinct positions, uniform inside each sequence: the two smallest of random keys (padding sorts last).
    keys = np.where(inside, rng.random((n, max_length)), np.inf)
    positions = np.sort(np.argsort(keys, axis=1)[:, :2], axis=1)
    rows = np.arange(n)
    tokens[rows, positions[:, 0]] = FIRST_MOVE_TOKEN + first
    tokens[rows, positions[:, 1]] = FIRST_MOVE_TOKEN + second
    return tokens, beats(first, second).astype("int64")


def describe(tokens: np.ndarray) -> str:
    """One sequence as text, e.g. ``"· · paper · · · rock · ·"`` (padding dropped)."""
    tokens = np.asarray(tokens)
    if tokens.ndim != 1:
        raise ValueError(f"describe one sequence at a time: expected a 1-D token array, got shape {tokens.shape}")
    if tokens.size and (tokens.min() < 0 or tokens.max() >= len(VOCABULARY)):
        raise ValueError(f"tokens must lie in 0..{len(VOCABULARY) - 1}, got values {tokens.min()}..{tokens.max()}")
    return " ".join(VOCABULARY[int(token)] for token in tokens if token != PAD)
