"""Measuring training speed inside ``fit``: seconds per epoch, for the comparison tables.

Introduced in ``02_image_classification``; used again in ``10_cnn_vs_rnn`` and
``11_video_classification``.
"""

from __future__ import annotations

import statistics
import time

import keras


class EpochTimer(keras.callbacks.Callback):
    """Records the wall time of every epoch in ``seconds`` (validation included)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self._started = 0.0

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
