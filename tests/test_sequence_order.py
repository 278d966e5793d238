"""The "which came first?" task of notebook 10 needs order: the obvious shortcuts stay near chance.

Each shortcut test has a positive control that shows the same check catches a leak when there is one.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from utils.sequence_order import OrderTask, OrderTaskConfig, which_came_first

NEAR_CHANCE = 0.6
TRAIN, TEST = which_came_first(4000, seed=0), which_came_first(4000, seed=1)


def _flat(task: OrderTask) -> np.ndarray:
    return task.x.reshape(len(task.x), -1)


def _majority_by_position_of_a(fit_on: OrderTask, evaluate_on: OrderTask | None = None) -> float:
    """The best rule that sees where A fires but not where B fires: per step, the majority label of ``fit_on``."""
    evaluate_on = fit_on if evaluate_on is None else evaluate_on
    length = max(fit_on.x.shape[1], evaluate_on.x.shape[1])
    ones, counts = np.bincount(fit_on.a_at, fit_on.y, length), np.bincount(fit_on.a_at, minlength=length)
    return float(np.mean((2 * ones > counts)[evaluate_on.a_at] == evaluate_on.y))


def _logistic_accuracy(train_features: np.ndarray, test_features: np.ndarray) -> float:
    model = LogisticRegression(max_iter=2000).fit(train_features, TRAIN.y)
    return float(model.score(test_features, TEST.y))


def test_shapes_balance_determinism_and_events():
    task = which_came_first(101, seed=5)
    assert task.x.shape == (101, OrderTaskConfig().length, 2) and task.x.dtype == np.float32
    assert task.y.dtype == np.int32 and abs(int(task.y.sum()) - 50) <= 1
    again = which_came_first(101, seed=5)
    assert np.array_equal(task.x, again.x) and np.array_equal(task.y, again.y)
    assert not np.array_equal(task.x, which_came_first(101, seed=6).x)
    rows = np.arange(101)
    # Each sensor fires once, far above the noise, and the label says which fired first.
    assert np.array_equal(np.abs(task.x[..., 0]).argmax(1), task.a_at)
    assert np.array_equal(np.abs(task.x[..., 1]).argmax(1), task.b_at)
    assert np.array_equal(task.y == 1, task.a_at < task.b_at)
    gaps = np.abs(task.a_at - task.b_at)
    config = OrderTaskConfig()
    assert gaps.min() >= config.min_gap and gaps.max() <= config.max_gap
    assert np.all(np.abs(task.x[rows, task.a_at, 0]) > 1.5)


def test_position_of_one_event_stays_near_chance():
    big = which_came_first(40_000, seed=2)
    assert _majority_by_position_of_a(big) <= NEAR_CHANCE
    swapped = OrderTask(big.x[..., ::-1], 1 - big.y, big.b_at, big.a_at)  # the same rule, reading where B fires
    assert _majority_by_position_of_a(swapped) <= NEAR_CHANCE
    assert _majority_by_position_of_a(TRAIN, TEST) <= NEAR_CHANCE  # fitted on one sample, scored on another
    half_rule = np.mean((big.a_at < big.x.shape[1] // 2) == (big.y == 1))  # "A in the first half fires first"
    assert half_rule <= NEAR_CHANCE
    # Positive control: squeeze the same gaps into a short sequence and one position gives the order away.
    leaky = which_came_first(40_000, seed=2, config=OrderTaskConfig(length=24, edge=0))
    assert _majority_by_position_of_a(leaky) > 0.7


def test_linear_model_on_raw_values_stays_near_chance():
    assert _logistic_accuracy(_flat(TRAIN), _flat(TEST)) <= NEAR_CHANCE
    # Positive control: with fixed signs (and no noise) weights falling along time read the order linearly.
    quiet = OrderTaskConfig(noise=0.0)
    train, test = which_came_first(4000, seed=0, config=quiet), which_came_first(4000, seed=1, config=quiet)
    model = LogisticRegression(max_iter=2000).fit(np.abs(_flat(train)), train.y)
    assert model.score(np.abs(_flat(test)), test.y) > 0.95
    assert LogisticRegression(max_iter=2000).fit(_flat(train), train.y).score(_flat(test), test.y) <= NEAR_CHANCE


def test_order_free_summary_stays_near_chance():
    """A bag of values: each channel's values sorted, so everything but the order of time is kept."""
    def bag(task: OrderTask) -> np.ndarray:
        return np.sort(task.x, axis=1).reshape(len(task.x), -1)

    assert _logistic_accuracy(bag(TRAIN), bag(TEST)) <= NEAR_CHANCE


def test_a_rule_that_knows_the_order_solves_it():
    a_at, b_at = np.abs(TEST.x[..., 0]).argmax(1), np.abs(TEST.x[..., 1]).argmax(1)
    assert np.mean((a_at < b_at) == (TEST.y == 1)) > 0.99


@pytest.mark.parametrize("bad", [dict(min_gap=0), dict(min_gap=5, max_gap=4), dict(length=10),
                                 dict(edge=-1), dict(amplitude=0.0), dict(noise=-1.0)])
def test_bad_config_is_rejected(bad):
    with pytest.raises(ValueError):
        which_came_first(4, seed=0, config=OrderTaskConfig(**bad))


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_bad_count_is_rejected(n):
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        which_came_first(n, seed=0)
