"""Notebook 01's convolution, ReLU and max pooling (run from the notebook's own cells) and its edge-image data.

The code under test is the code the learner reads: the cells of ``01_convolutions_from_scratch``
tagged ``from-scratch``. The loops are checked against the vectorised version and both against
Keras (in float64, so any difference is a real disagreement); the generator in ``utils.conv_numpy``
is checked for its rule and for the shortcut it must not allow (brightness alone).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from tests.notebook_cells import notebook_namespace
from utils.conv_numpy import EDGE_ORIENTATIONS, edge_images

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def nb() -> dict:
    namespace = notebook_namespace("01_convolutions_from_scratch")
    for name in ("same_padding", "pad", "output_size", "conv2d_loops", "conv2d", "relu", "max_pool2d"):
        assert callable(namespace.get(name)), f"notebook 01's from-scratch cells no longer define {name}()"
    return namespace


conv_cases = st.fixed_dictionaries({
    "height": st.integers(3, 9), "width": st.integers(3, 9), "channels": st.integers(1, 3),
    "filters": st.integers(1, 3), "kernel": st.integers(1, 3), "stride": st.integers(1, 3),
    "padding": st.sampled_from(["valid", "same"]), "seed": st.integers(0, 10_000)})


def _keras_conv(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, stride: int, padding: str) -> np.ndarray:
    layer = keras.layers.Conv2D(kernel.shape[-1], kernel.shape[:2], strides=stride, padding=padding, dtype="float64")
    layer.build((None, *x.shape[1:]))
    layer.set_weights([kernel, bias])
    return keras.ops.convert_to_numpy(layer(x))


@settings(max_examples=30, deadline=None)
@given(conv_cases)
def test_loops_vectorised_and_keras_agree(nb: dict, case: dict) -> None:
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=(2, case["height"], case["width"], case["channels"]))
    kernel = rng.normal(size=(case["kernel"], case["kernel"], case["channels"], case["filters"]))
    bias = rng.normal(size=case["filters"])
    stride, padding = case["stride"], case["padding"]
    vectorised = nb["conv2d"](x, kernel, bias, stride, padding)
    loops = np.stack([nb["conv2d_loops"](image, kernel, bias, stride, padding) for image in x])
    expected_shape = (2, nb["output_size"](case["height"], case["kernel"], stride, padding),
                      nb["output_size"](case["width"], case["kernel"], stride, padding), case["filters"])
    assert vectorised.shape == loops.shape == expected_shape
    np.testing.assert_allclose(vectorised, loops, atol=1e-10)
    np.testing.assert_allclose(vectorised, _keras_conv(x, kernel, bias, stride, padding), atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 10), st.integers(2, 10), st.integers(1, 3), st.integers(1, 3),
       st.sampled_from(["valid", "same"]), st.integers(0, 10_000))
def test_max_pool_matches_keras(nb: dict, height: int, width: int, size: int, stride: int, padding: str,
                                seed: int) -> None:
    if padding == "valid" and size > min(height, width):
        return
    x = np.random.default_rng(seed).normal(size=(2, height, width, 3))
    layer = keras.layers.MaxPooling2D(size, strides=stride, padding=padding, dtype="float64")
    np.testing.assert_array_equal(nb["max_pool2d"](x, size, stride, padding), keras.ops.convert_to_numpy(layer(x)))


def test_pool_stride_defaults_to_the_window(nb: dict) -> None:
    x = np.arange(2 * 6 * 6 * 1, dtype=float).reshape(2, 6, 6, 1)
    np.testing.assert_array_equal(nb["max_pool2d"](x, 3), nb["max_pool2d"](x, 3, 3))
    assert nb["max_pool2d"](x, 2).shape == (2, 3, 3, 1)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(1, 5), st.integers(1, 4))
def test_same_padding_keeps_ceil_size(nb: dict, size: int, window: int, stride: int) -> None:
    before, after = nb["same_padding"](size, window, stride)
    assert 0 <= before <= after <= before + 1
    padded = size + before + after
    assert padded < window or (padded - window) // stride + 1 == -(-size // stride)


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50))
def test_relu_is_non_negative_and_idempotent(nb: dict, values: list[float]) -> None:
    relu = nb["relu"]
    x = np.array(values)
    out = relu(x)
    assert (out >= 0).all()
    np.testing.assert_array_equal(relu(out), out)
    np.testing.assert_array_equal(out[x > 0], x[x > 0])


def test_batch_and_single_image_agree(nb: dict) -> None:
    rng = np.random.default_rng(0)
    x, kernel = rng.normal(size=(3, 6, 6, 2)), rng.normal(size=(3, 3, 2, 4))
    np.testing.assert_allclose(nb["conv2d"](x, kernel, padding="same")[1], nb["conv2d"](x[1], kernel, padding="same"))
    np.testing.assert_array_equal(nb["max_pool2d"](x)[2], nb["max_pool2d"](x[2]))


def test_pad_rejects_an_unknown_mode(nb: dict) -> None:
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        nb["conv2d"](np.zeros((4, 4, 1)), np.zeros((3, 3, 1, 1)), padding="full")


# ------------------------------------------------------------------ the generated edge images


def _brightness_features(x: np.ndarray) -> np.ndarray:
    """What an orientation-blind model sees: mean, spread and a 16-bin histogram of the pixel values."""
    flat = x.reshape(len(x), -1)
    histograms = np.stack([np.histogram(image, bins=16, range=(0, 1))[0] for image in flat]) / flat.shape[1]
    return np.column_stack([flat.mean(axis=1), flat.std(axis=1), histograms])


def _held_out_accuracy(features: np.ndarray, labels: np.ndarray) -> float:
    half = len(labels) // 2
    model = LogisticRegression(max_iter=2000).fit(features[:half], labels[:half])
    return float(model.score(features[half:], labels[half:]))


def test_edge_labels_follow_the_boundary() -> None:
    x, y = edge_images(200, size=12, noise=0.0, seed=4)
    image = x[..., 0]
    rows, cols = np.mgrid[0:12, 0:12]
    constant_along = {0: rows, 1: cols, 2: rows + cols, 3: rows - cols}  # pixels with equal key share a value
    for picture, label in zip(image, y, strict=True):
        key = constant_along[int(label)]
        for value in np.unique(key):
            assert np.ptp(picture[key == value]) == 0, EDGE_ORIENTATIONS[label]
        assert np.ptp(picture) >= 0.3 - 1e-6  # two regions, at least MIN_CONTRAST apart (both are inside the image)


def test_edge_images_shapes_range_balance_and_reproducibility() -> None:
    x, y = edge_images(2000, seed=1)
    assert x.shape == (2000, 16, 16, 1) and x.dtype == np.float32 and y.dtype == np.int64
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert np.all(np.abs(np.bincount(y, minlength=4) / 2000 - 0.25) < 0.04)
    x2, y2 = edge_images(2000, seed=1)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)


def test_brightness_alone_cannot_tell_the_orientation() -> None:
    """The shortcut test: a classifier on brightness statistics stays near chance (0.25)."""
    x, y = edge_images(4000, seed=5)
    assert _held_out_accuracy(_brightness_features(x), y) < 0.32


def test_the_brightness_shortcut_test_can_fail() -> None:
    """Control: the same classifier finds a label that brightness does carry, so the test above can fail."""
    x, _ = edge_images(4000, seed=5)
    leaky_labels = (x.mean(axis=(1, 2, 3)) > np.median(x.mean(axis=(1, 2, 3)))).astype(int)
    assert _held_out_accuracy(_brightness_features(x), leaky_labels) > 0.9


@pytest.mark.parametrize("bad", [{"n": 0}, {"n": 2.5}, {"n": 3, "size": 3}, {"n": 3, "noise": -0.1},
                                 {"n": 3, "noise": float("nan")}, {"n": True}])
def test_edge_images_reject_bad_input(bad: dict) -> None:
    with pytest.raises(ValueError):
        edge_images(**bad)
