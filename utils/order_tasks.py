"""Generated sequence tasks in which only the *order* of the symbols decides the label.

Introduced in ``05_rnns_from_scratch``: :func:`rock_paper_scissors` hides two different moves among
filler tokens; the label says whether the first move beats the second. Each move alone, the pair
without its order (a bag of tokens), and the positions of the moves all carry nothing about the
label, so only a model that reads the sequence in order can beat chance (``tests/test_order_task.py``
checks those shortcuts on the generator's output).
"""

from __future__ import annotations

import numpy as np

PAD, FILLER = 0, 1
MOVES = ("rock", "paper", "scissors")
FIRST_MOVE_TOKEN = 2  # rock = 2, paper = 3, scissors = 4
VOCABULARY = ("<pad>", "·", *MOVES)


def beats(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Whether move ``first`` beats move ``second`` (moves as indices 0 rock, 1 paper, 2 scissors).

    Paper beats rock, scissors beat paper, rock beats scissors: ``(first - second) mod 3 == 1``.
    """
    return (np.asarray(first) - np.asarray(second)) % 3 == 1


def _check_int(name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def rock_paper_scissors(n: int, min_length: int = 8, max_length: int = 20,
                        seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of filler tokens holding two different moves; label 1 when the first move beats the second.

    Each sequence has a length drawn uniformly from ``min_length..max_length``; two distinct
    positions are drawn uniformly inside it; the first move is uniform over the three moves and the
    second uniform over the two others. Every unordered pair of moves ({rock, paper}, ...) comes with
    label 1 in one order and label 0 in the other, so a bag of tokens is at chance; each move alone is
    at chance too (it beats one of the two others), and the positions are drawn independently of the
    moves. Chance accuracy is 0.5.

    Returns:
        ``tokens`` int32 (n, max_length), post-padded with :data:`PAD` (0), filler :data:`FILLER` (1),
        moves ``FIRST_MOVE_TOKEN + move`` (2 rock, 3 paper, 4 scissors); ``labels`` int64 (n,).
    """
    n = _check_int("n", n, 1)
    min_length = _check_int("min_length", min_length, 2)
    max_length = _check_int("max_length", max_length, min_length)
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_length, max_length + 1, size=n)
    first = rng.integers(0, 3, size=n)
    second = (first + rng.integers(1, 3, size=n)) % 3
    steps = np.arange(max_length)
    tokens = np.where(steps < lengths[:, None], FILLER, PAD).astype("int32")
    # Two distinct positions, uniform inside each sequence: the two smallest of random keys (padding sorts last).
    keys = np.where(steps < lengths[:, None], rng.random((n, max_length)), np.inf)
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
