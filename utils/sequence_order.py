"""The "which came first?" task of ``10_cnn_vs_rnn``: two noisy sensors each fire once; label 1 when A fires first.

The pair of events sits anywhere (random start and gap), so where one event is says little about the order, and
each spike has a random sign, so the mean at every step is zero in both classes and no linear model of the raw
values beats chance. ``tests/test_sequence_order.py`` checks those shortcuts stay near chance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from utils.sequence_tasks import check_count


@dataclass(frozen=True)
class OrderTaskConfig:
    """Knobs of the task; the defaults are the ones ``10_cnn_vs_rnn`` uses."""

    length: int = 96
    min_gap: int = 9  # smallest and largest distance, in steps, between the two events
    max_gap: int = 11
    edge: int = 4  # steps kept free of events at each end
    amplitude: float = 3.0
    noise: float = 0.3  # sd of the Gaussian noise on both channels at every step

    def __post_init__(self) -> None:
        if not 1 <= self.min_gap <= self.max_gap:
            raise ValueError(f"need 1 <= min_gap <= max_gap, got min_gap={self.min_gap}, max_gap={self.max_gap}")
        if self.edge < 0 or self.length < 2 * self.edge + self.max_gap + 1:
            raise ValueError(f"length={self.length} leaves no room for two events {self.max_gap} steps apart "
                             f"with edge={self.edge}")
        if not (self.amplitude > 0 and self.noise >= 0):
            raise ValueError(f"need amplitude > 0 and noise >= 0, got {self.amplitude} and {self.noise}")


@dataclass(frozen=True)
class OrderTask:
    """Sequences ``x`` (n, length, 2) float32, labels ``y`` (n,) int32, and the step where A and B fire."""

    x: np.ndarray
    y: np.ndarray
    a_at: np.ndarray
    b_at: np.ndarray


def which_came_first(n: int, seed: int, config: OrderTaskConfig | None = None) -> OrderTask:
    """``n`` two-channel sequences, each channel firing once with a random sign; balanced classes."""
    config = config or OrderTaskConfig()
    n = check_count("n", n, 1)
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 2).astype("int32")
    gap = rng.integers(config.min_gap, config.max_gap + 1, n)
    # The first event lands anywhere that leaves room for the second one before the far edge.
    first = config.edge + (rng.random(n) * (config.length - 2 * config.edge - gap)).astype(int)
    a_at, b_at = np.where(labels == 1, [first, first + gap], [first + gap, first])  # label 1: A fires first
    x = rng.normal(0.0, config.noise, (n, config.length, 2)).astype("float32")
    rows = np.arange(n)
    x[rows, a_at, 0] += config.amplitude * rng.choice([-1.0, 1.0], n)
    x[rows, b_at, 1] += config.amplitude * rng.choice([-1.0, 1.0], n)
    return OrderTask(x, labels, a_at, b_at)

