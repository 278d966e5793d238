"""The epoch timer used by the comparison tables."""

from __future__ import annotations

import time

import keras
import numpy as np
import pytest

from utils.timing import EpochTimer


class _SlowEpochs(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        time.sleep(0.3 * epoch)


def test_timer_records_one_duration_per_epoch():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    timer = EpochTimer()
    model.fit(np.zeros((8, 3)), np.zeros((8, 1)), epochs=3, verbose=0, callbacks=[_SlowEpochs(), timer])
    assert len(timer.seconds) == 3
    assert timer.seconds[1] >= 0.3 and timer.seconds[2] >= 0.6, "the sleep inside each epoch must be counted"
    assert timer.median_seconds == sorted(timer.seconds)[1]
    model.fit(np.zeros((8, 3)), np.zeros((8, 1)), epochs=1, verbose=0, callbacks=[timer])
    assert len(timer.seconds) == 1, "a new fit starts a new record"


def test_median_before_training_is_a_clear_error():
    with pytest.raises(ValueError, match="no epoch has finished yet"):
        _ = EpochTimer().median_seconds
