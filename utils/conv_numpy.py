"""Data for ``01_convolutions_from_scratch`` (whose own cells hold the convolution, ReLU and pooling a learner edits):
:func:`edge_images`, grey images split by one straight boundary whose orientation is the label."""

from __future__ import annotations

import numpy as np

EDGE_ORIENTATIONS = ("horizontal", "vertical", "diagonal /", "diagonal \\")
# The boundary's normal (row, column) for each orientation: a pixel's side is the sign of normal . position.
_NORMALS = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -1.0]]) / np.array([[1.0], [1.0], [2**0.5], [2**0.5]])
MIN_CONTRAST = 0.3


def edge_images(n: int, size: int = 16, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``x`` float32 (n, size, size, 1) in [0, 1] and ``y`` int64 (n,) indexing :data:`EDGE_ORIENTATIONS`: a darker
    region uniform in [0, 0.7] and one at least :data:`MIN_CONTRAST` brighter on a random side of a boundary shifted up
    to ``size / 4`` from the centre, plus noise of std ``noise``: only the direction of the change tells the label."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 4:
        raise ValueError(f"size must be an integer >= 4 (pixels per side), got {size!r}")
    if not (isinstance(noise, (int, float)) and np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(EDGE_ORIENTATIONS), size=n)
    dark = rng.uniform(0.0, 1.0 - MIN_CONTRAST, size=n)
    bright = rng.uniform(dark + MIN_CONTRAST, 1.0)
    bright_side_positive = rng.random(n) < 0.5
    offsets = rng.uniform(-size / 4, size / 4, size=n)
    rows, cols = np.mgrid[0:size, 0:size] - (size - 1) / 2
    normals = _NORMALS[labels]
    distance = normals[:, 0, None, None] * rows + normals[:, 1, None, None] * cols - offsets[:, None, None]
    in_bright = (distance > 0) == bright_side_positive[:, None, None]
    images = np.where(in_bright, bright[:, None, None], dark[:, None, None]) + rng.normal(0.0, noise, (n, size, size))
    return np.clip(images, 0.0, 1.0).astype("float32")[..., None], labels.astype("int64")
