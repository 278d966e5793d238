"""From-scratch convolution, ReLU and max pooling: against slow reference loops, against Keras, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.conv_numpy import conv2d, conv_output_size, max_pool2d, relu, same_padding


def reference_conv(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, stride: int, padding: str) -> np.ndarray:
    """The formula, written as plain loops (slow, obviously right)."""
    kh, kw, _, filters = kernel.shape
    if padding == "same":
        (top, bottom), (left, right) = same_padding(x.shape[0], kh, stride), same_padding(x.shape[1], kw, stride)
        x = np.pad(x, [(top, bottom), (left, right), (0, 0)])
    out_h, out_w = (x.shape[0] - kh) // stride + 1, (x.shape[1] - kw) // stride + 1
    out = np.zeros((out_h, out_w, filters))
    for i in range(out_h):
        for j in range(out_w):
            window = x[i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            for f in range(filters):
                out[i, j, f] = np.sum(window * kernel[..., f]) + bias[f]
    return out


def reference_pool(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    out_h, out_w = (x.shape[0] - size) // stride + 1, (x.shape[1] - size) // stride + 1
    return np.array([[x[i * stride:i * stride + size, j * stride:j * stride + size].max(axis=(0, 1))
                      for j in range(out_w)] for i in range(out_h)])


conv_cases = st.fixed_dictionaries({
    "height": st.integers(3, 9), "width": st.integers(3, 9), "channels": st.integers(1, 3),
    "filters": st.integers(1, 3), "kernel": st.integers(1, 3), "stride": st.integers(1, 3),
    "padding": st.sampled_from(["valid", "same"]), "seed": st.integers(0, 10_000)})


@settings(max_examples=40, deadline=None)
@given(conv_cases)
def test_conv2d_matches_the_formula(case: dict) -> None:
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=(case["height"], case["width"], case["channels"]))
    kernel = rng.normal(size=(case["kernel"], case["kernel"], case["channels"], case["filters"]))
    bias = rng.normal(size=case["filters"])
    ours = conv2d(x, kernel, bias, strides=case["stride"], padding=case["padding"])
    expected = reference_conv(x, kernel, bias, case["stride"], case["padding"])
    assert ours.shape == expected.shape
    assert ours.shape[:2] == (conv_output_size(case["height"], case["kernel"], case["stride"], case["padding"]),
                              conv_output_size(case["width"], case["kernel"], case["stride"], case["padding"]))
    np.testing.assert_allclose(ours, expected, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 10), st.integers(2, 10), st.integers(1, 3), st.integers(1, 3), st.integers(0, 10_000))
def test_max_pool_matches_the_loops(height: int, width: int, size: int, stride: int, seed: int) -> None:
    x = np.random.default_rng(seed).normal(size=(2, height, width, 3))
    if size > min(height, width):
        with pytest.raises(ValueError, match="does not fit"):
            max_pool2d(x, size, stride)
        return
    ours = max_pool2d(x, size, stride)
    np.testing.assert_array_equal(ours, np.stack([reference_pool(image, size, stride) for image in x]))


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(1, 5), st.integers(1, 4))
def test_same_padding_keeps_ceil_size(size: int, window: int, stride: int) -> None:
    before, after = same_padding(size, window, stride)
    assert 0 <= before <= after <= before + 1
    assert (size + before + after - window) // stride + 1 == -(-size // stride) or size + before + after < window


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50))
def test_relu_is_non_negative_and_idempotent(values: list[float]) -> None:
    x = np.array(values)
    out = relu(x)
    assert (out >= 0).all()
    np.testing.assert_array_equal(relu(out), out)
    np.testing.assert_array_equal(out[x > 0], x[x > 0])


def test_batch_and_single_image_agree() -> None:
    rng = np.random.default_rng(0)
    x, kernel = rng.normal(size=(3, 6, 6, 2)), rng.normal(size=(3, 3, 2, 4))
    batch = conv2d(x, kernel, padding="same")
    np.testing.assert_allclose(batch[1], conv2d(x[1], kernel, padding="same"))
    np.testing.assert_array_equal(max_pool2d(x)[2], max_pool2d(x[2]))


def test_conv_and_pool_match_keras() -> None:
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(1)
    x = rng.random((2, 10, 9, 3)).astype("float32")
    kernel, bias = rng.normal(size=(3, 3, 3, 4)).astype("float32"), rng.normal(size=4).astype("float32")
    for padding in ("valid", "same"):
        for stride in (1, 2):
            layer = keras.layers.Conv2D(4, 3, strides=stride, padding=padding)
            layer.build(x.shape)
            layer.set_weights([kernel, bias])
            theirs = keras.ops.convert_to_numpy(layer(x))
            np.testing.assert_allclose(conv2d(x, kernel, bias, stride, padding), theirs, atol=1e-5)
            pool = keras.layers.MaxPooling2D(3, strides=stride, padding=padding)
            np.testing.assert_allclose(max_pool2d(x, 3, stride, padding), keras.ops.convert_to_numpy(pool(x)))


@pytest.mark.parametrize("call", [
    lambda: conv2d(np.zeros((4, 4)), np.zeros((3, 3, 1, 1))),                   # no channel axis
    lambda: conv2d(np.zeros((4, 4, 2)), np.zeros((3, 3, 1, 1))),                # channel mismatch
    lambda: conv2d(np.zeros((4, 4, 1)), np.zeros((3, 3, 1))),                   # kernel not 4-D
    lambda: conv2d(np.zeros((4, 4, 1)), np.zeros((3, 3, 1, 2)), bias=np.zeros(3)),
    lambda: conv2d(np.zeros((4, 4, 1)), np.zeros((3, 3, 1, 1)), padding="full"),
    lambda: conv2d(np.zeros((4, 4, 1)), np.zeros((3, 3, 1, 1)), strides=0),
    lambda: conv2d(np.zeros((2, 2, 1)), np.zeros((3, 3, 1, 1))),                # window larger than image
    lambda: max_pool2d(np.zeros((4, 4, 1)), pool_size=(2, 2, 2)),
    lambda: max_pool2d(np.zeros((1, 2, 3, 4, 5))),
    lambda: conv_output_size(5, 3, 1, "causal"),
])
def test_bad_inputs_raise_value_error(call) -> None:
    with pytest.raises(ValueError):
        call()
