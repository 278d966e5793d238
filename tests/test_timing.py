"""The epoch timer used by the comparison tables."""

from __future__ import annotations

import time

import keras
import numpy as np
import pytest

from utils.timing import EpochTimer, compare, spread


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


def test_spread_is_median_quartiles_and_extremes():
    result = spread([5.0, 1.0, 2.0, 4.0, 3.0])
    assert (result.median, result.low, result.high, result.repeats) == (3.0, 2.0, 4.0, 5)
    assert (result.minimum, result.maximum) == (1.0, 5.0)
    assert spread([10.0, 12.0, 11.0, 50.0, 9.0]).maximum == 50.0, "one outlier moves the extremes, not the IQR"
    assert spread([7.0], min_repeats=1).repeats == 1
    assert result.format() == "3 [2–4]"
    assert result.format(scale=1000) == "3e+03 [2e+03–4e+03]"


@pytest.mark.parametrize("samples", [[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, float("nan"), 4.0, 5.0],
                                     [1.0, -2.0, 3.0, 4.0, 5.0]])
def test_spread_refuses_too_few_or_bad_timings(samples):
    with pytest.raises(ValueError):
        spread(samples)
    with pytest.raises(ValueError):
        spread([], min_repeats=1)


def test_compare_claims_a_difference_only_without_overlap():
    fast, slow = spread([1.0, 1.1, 1.2, 1.3, 1.4]), spread([2.0, 2.1, 2.2, 2.3, 2.4])
    verdict = compare("slow", slow, "fast", fast)
    assert "1.83x" in verdict and "do not overlap" in verdict and "slow takes 1.8x the time of fast" in verdict
    assert compare("fast", fast, "slow", slow).endswith("slow takes 1.8x the time of fast")
    noisy = spread([0.5, 1.0, 1.5, 2.0, 2.5])
    verdict = compare("noisy", noisy, "fast", fast)
    assert "overlap ->" in verdict and "no measurable difference" in verdict and "1.25x" in verdict
    assert fast.overlaps(noisy) and noisy.overlaps(fast) and not fast.overlaps(slow)
