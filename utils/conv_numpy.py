"""Convolution, ReLU and max pooling written in NumPy, to see exactly what the Keras layers compute.

Introduced in ``01_convolutions_from_scratch``, which checks each function against
``keras.layers.Conv2D`` / ``ReLU`` / ``MaxPooling2D`` with the same weights.

Layout follows Keras: images ``(batch, height, width, channels)`` (a single image
``(height, width, channels)`` is accepted too), kernels ``(kh, kw, in_channels, filters)``.
Like every deep-learning library, "convolution" here is *cross-correlation*: the kernel is
not flipped.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

PADDINGS = ("valid", "same")


def _as_batch(x: np.ndarray, what: str) -> tuple[np.ndarray, bool]:
    x = np.asarray(x)
    if x.ndim == 3:
        return x[None], True
    if x.ndim == 4:
        return x, False
    raise ValueError(f"{what} must be (height, width, channels) or (batch, height, width, channels); "
                     f"got shape {x.shape}")


def _pair(value: int | tuple[int, int], what: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int | np.integer) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int | np.integer) and v >= 1 for v in pair):
        raise ValueError(f"{what} must be a positive int or a pair of positive ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def same_padding(size: int, window: int, stride: int) -> tuple[int, int]:
    """Padding (before, after) that Keras/TensorFlow ``padding="same"`` adds along one axis.

    The output has ``ceil(size / stride)`` positions; any odd padding goes *after*.
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def _pad(x: np.ndarray, window: tuple[int, int], strides: tuple[int, int], padding: str,
         fill: float) -> np.ndarray:
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
    if padding == "valid":
        if x.shape[1] < window[0] or x.shape[2] < window[1]:
            raise ValueError(f"a {window} window does not fit a {x.shape[1:3]} image with padding='valid'")
        return x
    pads = [same_padding(x.shape[1], window[0], strides[0]), same_padding(x.shape[2], window[1], strides[1])]
    return np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)], constant_values=fill)


def conv2d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None,
           strides: int | tuple[int, int] = 1, padding: str = "valid") -> np.ndarray:
    r"""2-D convolution as Keras' ``Conv2D`` computes it (no activation).

    .. math:: y[n, i, j, f] = b[f] + \sum_{u, v, c} x[n, s_h i + u, s_w j + v, c]\, K[u, v, c, f]
    """
    batch, single = _as_batch(x, "x")
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(f"kernel must be (kh, kw, in_channels, filters), got shape {kernel.shape}")
    if kernel.shape[2] != batch.shape[-1]:
        raise ValueError(f"kernel expects {kernel.shape[2]} input channels, the image has {batch.shape[-1]}")
    if bias is not None and np.shape(bias) != (kernel.shape[3],):
        raise ValueError(f"bias must be shaped ({kernel.shape[3]},), got {np.shape(bias)}")
    sh, sw = _pair(strides, "strides")
    padded = _pad(batch.astype(np.float64), kernel.shape[:2], (sh, sw), padding, 0.0)
    # Every kh x kw patch at once: (batch, out_h, out_w, channels, kh, kw), a view, no copy.
    patches = sliding_window_view(padded, kernel.shape[:2], axis=(1, 2))[:, ::sh, ::sw]
    out = np.einsum("nijcuv,uvcf->nijf", patches, kernel.astype(np.float64), optimize=True)
    if bias is not None:
        out = out + np.asarray(bias, dtype=np.float64)
    out = out.astype(np.result_type(batch.dtype, kernel.dtype, np.float32))
    return out[0] if single else out


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit: ``max(x, 0)`` element-wise."""
    return np.maximum(np.asarray(x), 0)


def max_pool2d(x: np.ndarray, pool_size: int | tuple[int, int] = 2, strides: int | tuple[int, int] | None = None,
               padding: str = "valid") -> np.ndarray:
    """Max pooling as Keras' ``MaxPooling2D``: the largest value in each window, per channel.

    ``strides`` defaults to ``pool_size`` (non-overlapping windows), as in Keras.
    """
    batch, single = _as_batch(x, "x")
    window = _pair(pool_size, "pool_size")
    sh, sw = _pair(window if strides is None else strides, "strides")
    padded = _pad(batch, window, (sh, sw), padding, -np.inf)
    patches = sliding_window_view(padded, window, axis=(1, 2))[:, ::sh, ::sw]
    out = patches.max(axis=(-2, -1))
    return out[0] if single else out


def conv_output_size(size: int, window: int, stride: int = 1, padding: str = "valid") -> int:
    """Length of a conv/pool output along one axis."""
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
    return -(-size // stride) if padding == "same" else (size - window) // stride + 1
