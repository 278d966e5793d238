"""The NumPy recurrent layers agree with Keras (float64) and reject malformed input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.rnn_numpy import (
    gru_forward,
    gru_step,
    lstm_forward,
    lstm_step,
    sigmoid,
    simple_rnn_forward,
    simple_rnn_step,
)

keras = pytest.importorskip("keras")


def _keras_outputs(layer_class, x: np.ndarray, units: int, seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    layer = layer_class(units, return_sequences=True, dtype="float64")
    layer.build(x.shape)
    rng = np.random.default_rng(seed)
    # Random biases too, so a gate-order mistake cannot hide behind zero biases.
    weights = [rng.normal(scale=0.5, size=w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    return np.asarray(layer(x)), weights


@pytest.mark.parametrize(("layer_name", "forward"), [("SimpleRNN", simple_rnn_forward), ("LSTM", lstm_forward),
                                                     ("GRU", gru_forward)])
def test_forward_matches_keras(layer_name: str, forward) -> None:
    x = np.random.default_rng(0).normal(size=(3, 6, 4))
    expected, weights = _keras_outputs(getattr(keras.layers, layer_name), x, units=5, seed=1)
    assert np.abs(forward(x, *weights) - expected).max() < 1e-10


def test_steps_carry_state() -> None:
    rng = np.random.default_rng(2)
    x, h = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    w, u = rng.normal(size=(3, 4)), rng.normal(size=(4, 4))
    assert not np.allclose(simple_rnn_step(x, h, w, u, np.zeros(4)), simple_rnn_step(x, 0 * h, w, u, np.zeros(4)))
    h_new, c_new = lstm_step(x, h, h, rng.normal(size=(3, 16)), rng.normal(size=(4, 16)), np.zeros(16))
    assert h_new.shape == c_new.shape == (2, 4)
    assert np.all(np.abs(h_new) < 1)
    assert gru_step(x, h, rng.normal(size=(3, 12)), rng.normal(size=(4, 12)), np.zeros((2, 12))).shape == (2, 4)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 7), st.integers(1, 5), st.integers(1, 6), st.integers(0, 10_000))
def test_forward_shapes_and_bounds(batch: int, time: int, features: int, units: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, time, features))
    for forward, gates, bias_shape in ((simple_rnn_forward, 1, (units,)), (lstm_forward, 4, (4 * units,)),
                                       (gru_forward, 3, (2, 3 * units))):
        out = forward(x, rng.normal(size=(features, gates * units)), rng.normal(size=(units, gates * units)),
                      rng.normal(size=bias_shape))
        assert out.shape == (batch, time, units)
        assert np.all(np.abs(out) <= 1.0)  # tanh-bounded states (GRU: a convex mix of tanh values)


@given(st.floats(-800, 800))
def test_sigmoid_is_stable(value: float) -> None:
    result = sigmoid(np.array([value]))
    assert np.all(np.isfinite(result)) and 0.0 <= result[0] <= 1.0


def test_bad_shapes_raise() -> None:
    w, u, b = np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(4)
    with pytest.raises(ValueError, match="batch, time, features"):
        simple_rnn_forward(np.zeros((5, 3)), w, u, b)
    with pytest.raises(ValueError, match="features"):
        simple_rnn_forward(np.zeros((1, 5, 2)), w, u, b)
    with pytest.raises(ValueError, match="4\\*units"):
        lstm_forward(np.zeros((1, 5, 3)), w, u, b)
