"""Recurrent layers written out in NumPy: SimpleRNN, LSTM and GRU, one time step at a time.

Introduced in ``05_rnns_from_scratch``, where each forward pass is checked against the Keras layer
with the same weights. The weight layout follows Keras exactly (``kernel``, ``recurrent_kernel``,
``bias``; LSTM gates in the order input, forget, cell, output; GRU gates update, reset, candidate)
so that ``layer.get_weights()`` can be passed straight in.
"""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, written to avoid overflow for large negative inputs."""
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x))))


def _check_sequence(x: np.ndarray, input_dim: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"inputs must be (batch, time, features), got shape {x.shape}; add a batch axis with x[None]")
    if x.shape[2] != input_dim:
        raise ValueError(f"inputs have {x.shape[2]} features but the kernel expects {input_dim}")
    return x


def _check_weights(kernel: np.ndarray, recurrent_kernel: np.ndarray, gates: int) -> int:
    kernel, recurrent_kernel = np.asarray(kernel), np.asarray(recurrent_kernel)
    if kernel.ndim != 2 or recurrent_kernel.ndim != 2:
        raise ValueError("kernel and recurrent_kernel must be 2-D matrices, as returned by layer.get_weights()")
    units = recurrent_kernel.shape[0]
    if recurrent_kernel.shape != (units, gates * units) or kernel.shape[1] != gates * units:
        raise ValueError(f"expected kernel (features, {gates}*units) and recurrent_kernel (units, {gates}*units), "
                         f"got {kernel.shape} and {recurrent_kernel.shape}")
    return units


def simple_rnn_step(x_t: np.ndarray, h_prev: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
                    bias: np.ndarray) -> np.ndarray:
    """One step of a plain RNN: ``h_t = tanh(x_t W + h_{t-1} U + b)``."""
    return np.tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)


def simple_rnn_forward(x: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray,
                       h0: np.ndarray | None = None) -> np.ndarray:
    """Run :func:`simple_rnn_step` over ``x`` (batch, time, features); return all states (batch, time, units)."""
    units = _check_weights(kernel, recurrent_kernel, 1)
    x = _check_sequence(x, np.asarray(kernel).shape[0])
    h = np.zeros((x.shape[0], units)) if h0 is None else np.asarray(h0, dtype=np.float64)
    states = []
    for t in range(x.shape[1]):
        h = simple_rnn_step(x[:, t], h, kernel, recurrent_kernel, bias)
        states.append(h)
    return np.stack(states, axis=1)


def lstm_step(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, kernel: np.ndarray,
              recurrent_kernel: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step (Keras gate order i, f, c, o); returns the new ``(h_t, c_t)``."""
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    i, f, g, o = np.split(z, 4, axis=-1)
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)   # forget some old memory, write some new
    h = sigmoid(o) * np.tanh(c)                         # expose part of the memory as the output
    return h, c


def lstm_forward(x: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Run :func:`lstm_step` over ``x`` (batch, time, features); return every hidden state (batch, time, units)."""
    units = _check_weights(kernel, recurrent_kernel, 4)
    x = _check_sequence(x, np.asarray(kernel).shape[0])
    h = c = np.zeros((x.shape[0], units))
    states = []
    for t in range(x.shape[1]):
        h, c = lstm_step(x[:, t], h, c, kernel, recurrent_kernel, bias)
        states.append(h)
    return np.stack(states, axis=1)


def gru_step(x_t: np.ndarray, h_prev: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
             bias: np.ndarray) -> np.ndarray:
    """One GRU step as Keras computes it by default (``reset_after=True``, bias shaped (2, 3*units)).

    ``z`` (update) and ``r`` (reset) are gates; the candidate uses the reset gate *after* the
    recurrent matrix product; ``h_t = z * h_{t-1} + (1 - z) * candidate``.
    """
    bias = np.asarray(bias)
    input_bias, recurrent_bias = (bias[0], bias[1]) if bias.ndim == 2 else (bias, np.zeros_like(bias))
    x_z, x_r, x_h = np.split(x_t @ kernel + input_bias, 3, axis=-1)
    h_z, h_r, h_h = np.split(h_prev @ recurrent_kernel + recurrent_bias, 3, axis=-1)
    z = sigmoid(x_z + h_z)
    r = sigmoid(x_r + h_r)
    candidate = np.tanh(x_h + r * h_h)
    return z * h_prev + (1.0 - z) * candidate


def gru_forward(x: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Run :func:`gru_step` over ``x`` (batch, time, features); return every hidden state (batch, time, units)."""
    units = _check_weights(kernel, recurrent_kernel, 3)
    x = _check_sequence(x, np.asarray(kernel).shape[0])
    h = np.zeros((x.shape[0], units))
    states = []
    for t in range(x.shape[1]):
        h = gru_step(x[:, t], h, kernel, recurrent_kernel, bias)
        states.append(h)
    return np.stack(states, axis=1)
