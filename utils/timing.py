"""Measuring speed honestly (notebooks 02, 10, 11, 12): seconds per epoch inside ``fit``, the median and spread
of repeated timings, and a difference claimed only when the spreads do not overlap.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

MIN_REPEATS = 5  # fewer timed repeats give no usable spread


@dataclass(frozen=True)
class Spread:
    """The median of repeated measurements, their interquartile range (``low`` to ``high``) and extremes."""

    median: float
    low: float
    high: float
    repeats: int
    minimum: float = float("nan")
    maximum: float = float("nan")

    def overlaps(self, other: Spread) -> bool:
        """Whether the two interquartile ranges overlap (then no difference is claimed)."""
        return self.low <= other.high and other.low <= self.high

    def format(self, scale: float = 1.0, digits: int = 3) -> str:
        """``median [low–high]``, each multiplied by ``scale`` (e.g. 1000 for milliseconds)."""
        values = (self.median * scale, self.low * scale, self.high * scale)
        return "{:.{d}g} [{:.{d}g}–{:.{d}g}]".format(*values, d=digits)


def spread(samples: Sequence[float], min_repeats: int = MIN_REPEATS) -> Spread:
    """Median, interquartile range and extremes of ``samples``; at least ``min_repeats`` of them."""
    values = np.asarray(samples, dtype=float).ravel()
    if len(values) < min_repeats:
        raise ValueError(f"need at least {min_repeats} timed repeats for a median and a spread, got {len(values)}")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError("timings must be finite and non-negative")
    low, median, high = np.percentile(values, [25, 50, 75])
    return Spread(float(median), float(low), float(high), len(values), float(values.min()), float(values.max()))


def compare(name_a: str, a: Spread, name_b: str, b: Spread, what: str = "time") -> str:
    """A verdict that names the measured ratio, and claims a difference only when the IQRs do not overlap."""
    ratio = a.median / b.median if b.median > 0 else float("inf")
    head = f"{name_a} vs {name_b}: median {what} ratio {ratio:.2f}x, interquartile ranges"
    if a.overlaps(b):
        return f"{head} overlap -> no measurable difference here"
    slower, faster, factor = (name_a, name_b, ratio) if ratio > 1 else (name_b, name_a, 1 / ratio)
    return f"{head} do not overlap -> {slower} takes {factor:.1f}x the {what} of {faster}"


def verdict(name: str, candidate: Spread, baseline: Spread, baseline_name: str = "float32") -> str:
    """:func:`compare` for throughputs (higher is better), in one sentence."""
    ratio = candidate.median / baseline.median
    if candidate.overlaps(baseline):
        return f"{name} / {baseline_name} = {ratio:.2f}x, ranges overlap: no measurable difference here"
    return f"{name} / {baseline_name} = {ratio:.2f}x, ranges apart: {'faster' if ratio > 1 else 'slower'}"


class EpochTimer(keras.callbacks.Callback):
    """Records the wall time of every epoch in ``seconds`` (validation included)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.seconds = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._started)

    @property
    def median_seconds(self) -> float:
        """The typical epoch: the median resists the slow first epoch, when graphs are traced."""
        if not self.seconds:
            raise ValueError("no epoch has finished yet; call fit with this callback first")
        return statistics.median(self.seconds)
