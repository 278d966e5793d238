"""Notebook 05's SimpleRNN, LSTM and GRU steps and its back-propagation through time, run from the notebook's cells.

The code under test is the code the learner reads: the cells of ``05_rnns_from_scratch`` tagged
``from-scratch``. Forward passes are checked against the Keras layers and the hand-written gradients
against ``tf.GradientTape``, all in float64 so that any difference is a real disagreement.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.notebook_cells import notebook_namespace

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def nb() -> dict:
    namespace = notebook_namespace("05_rnns_from_scratch")
    for name in ("sigmoid", "simple_rnn_step", "simple_rnn_forward", "simple_rnn_backward", "lstm_step",
                 "lstm_forward", "gru_step", "gru_forward"):
        assert callable(namespace.get(name)), f"notebook 05's from-scratch cells no longer define {name}()"
    return namespace


def _keras_outputs(layer_class, x: np.ndarray, units: int, seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    layer = layer_class(units, return_sequences=True, dtype="float64")
    layer.build(x.shape)
    rng = np.random.default_rng(seed)
    # Random biases too, so a gate-order mistake cannot hide behind zero biases.
    weights = [rng.normal(scale=0.5, size=w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    return np.asarray(layer(x)), weights


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(["SimpleRNN", "LSTM", "GRU"]), st.integers(1, 4), st.integers(1, 7), st.integers(1, 5),
       st.integers(1, 6), st.integers(0, 10_000))
def test_forward_matches_keras(nb: dict, layer_name: str, batch: int, time: int, features: int, units: int,
                               seed: int) -> None:
    forward = {"SimpleRNN": nb["simple_rnn_forward"], "LSTM": nb["lstm_forward"], "GRU": nb["gru_forward"]}[layer_name]
    x = np.random.default_rng(seed).normal(size=(batch, time, features))
    expected, weights = _keras_outputs(getattr(keras.layers, layer_name), x, units, seed + 1)
    ours = forward(x, *weights)
    assert ours.shape == (batch, time, units)
    assert np.abs(ours - expected).max() < 1e-10


def test_steps_carry_state(nb: dict) -> None:
    rng = np.random.default_rng(2)
    x, h = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    w, u = rng.normal(size=(3, 4)), rng.normal(size=(4, 4))
    step = nb["simple_rnn_step"]
    assert not np.allclose(step(x, h, w, u, np.zeros(4)), step(x, 0 * h, w, u, np.zeros(4)))
    h_new, c_new = nb["lstm_step"](x, h, h, rng.normal(size=(3, 16)), rng.normal(size=(4, 16)), np.zeros(16))
    assert h_new.shape == c_new.shape == (2, 4)
    assert np.all(np.abs(h_new) < 1)
    assert nb["gru_step"](x, h, rng.normal(size=(3, 12)), rng.normal(size=(4, 12)), np.zeros((2, 12))).shape == (2, 4)


@given(st.floats(-800, 800))
def test_sigmoid_is_stable_and_correct(nb: dict, value: float) -> None:
    z = np.array([value])
    with np.errstate(over="raise"):
        result = nb["sigmoid"](z)
    assert np.all(np.isfinite(result)) and 0.0 <= result[0] <= 1.0
    if abs(value) < 30:  # the tanh form agrees with 1 / (1 + exp(-z)) to float64 round-off (absolute)
        np.testing.assert_allclose(result, 1.0 / (1.0 + np.exp(-z)), rtol=0, atol=1e-15)


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 4), st.integers(1, 8), st.integers(1, 4), st.integers(1, 5), st.integers(0, 10_000))
def test_bptt_matches_gradient_tape(nb: dict, batch: int, time: int, features: int, units: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, time, features))
    layer = keras.layers.SimpleRNN(units, return_sequences=True, dtype="float64")
    layer.build(x.shape)
    W, U, b = (rng.normal(scale=0.6, size=w.shape) for w in layer.get_weights())
    layer.set_weights([W, U, b])
    upstream = rng.normal(size=(batch, units))  # an arbitrary dL/dh_T: the loss is <h_T, upstream>
    x_tensor = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_tensor)
        loss = tf.reduce_sum(layer(x_tensor)[:, -1] * upstream)
    expected = tape.gradient(loss, [layer.cell.kernel, layer.cell.recurrent_kernel, layer.cell.bias, x_tensor])
    states = nb["simple_rnn_forward"](x, W, U, b)
    ours = nb["simple_rnn_backward"](x, states, W, U, upstream)
    for mine, theirs in zip(ours, expected, strict=True):
        assert np.abs(mine - np.asarray(theirs)).max() < 1e-10


def test_bptt_gradient_matches_finite_differences(nb: dict) -> None:
    """An independent check of the recursion that needs no framework: central differences on U."""
    rng = np.random.default_rng(3)
    x, W, b = rng.normal(size=(2, 5, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
    U = rng.normal(scale=0.5, size=(4, 4))
    upstream = rng.normal(size=(2, 4))

    def loss(U_: np.ndarray) -> float:
        return float(np.sum(nb["simple_rnn_forward"](x, W, U_, b)[:, -1] * upstream))

    _, dU, _, _ = nb["simple_rnn_backward"](x, nb["simple_rnn_forward"](x, W, U, b), W, U, upstream)
    eps = 1e-6
    for i, j in [(0, 0), (1, 3), (3, 2)]:
        step = np.zeros_like(U)
        step[i, j] = eps
        assert abs((loss(U + step) - loss(U - step)) / (2 * eps) - dU[i, j]) < 1e-7
