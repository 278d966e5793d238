"""Cluttered scenes composed from real handwritten digits, with known boxes and per-pixel labels.

Introduced in ``04_beyond_classification`` (localisation and semantic segmentation).

:func:`compose_scenes` pastes several real digits onto a larger canvas, then adds Gaussian
noise and *distractor strokes* -- curved pen strokes as bright as the digits -- so that
thresholding pixels cannot tell digit from clutter; a model has to recognise shapes. The
same ``seed`` always gives the same scenes. :func:`box_iou` and :func:`mean_iou` measure
predictions against the known answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BACKGROUND = 0
"""Mask value of background pixels; a pixel of digit ``d`` has mask value ``d + 1``."""
INK_THRESHOLD = 0.3
"""A digit pixel brighter than this belongs to the digit (its mask and its box)."""


@dataclass(frozen=True)
class SceneSet:
    """Composed scenes and their ground truth.

    ``images``: (n, H, W, 1) float32 in [0, 1]; ``masks``: (n, H, W) int64, 0 = background,
    ``d + 1`` = digit ``d``; ``boxes``: (n, max_objects, 4) float32 ``(y0, x0, y1, x1)`` in
    pixels, end exclusive; ``labels``: (n, max_objects) int64 digit classes, -1 in unused
    rows; ``counts``: (n,) number of digits in each scene.
    """

    images: np.ndarray
    masks: np.ndarray
    boxes: np.ndarray
    labels: np.ndarray
    counts: np.ndarray
    class_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.images)

    @property
    def mask_classes(self) -> tuple[str, ...]:
        """Names of the mask values: ``background`` then the digit classes."""
        return ("background", *self.class_names)


def _check_digits(digits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    digits = np.asarray(digits, dtype=np.float32)
    if digits.ndim == 4 and digits.shape[-1] == 1:
        digits = digits[..., 0]
    if digits.ndim != 3 or len(digits) == 0:
        raise ValueError(f"digits must be (n, h, w) or (n, h, w, 1) grey images, got shape {np.shape(digits)}")
    if np.shape(labels) != (len(digits),):
        raise ValueError(f"labels must be shaped ({len(digits)},), got {np.shape(labels)}")
    if digits.min() < 0 or digits.max() > 1:
        raise ValueError("digit images must hold values in [0, 1]")
    return digits


def _stroke(canvas_size: int, rng: np.random.Generator) -> np.ndarray:
    """One curved pen stroke (an arc of random radius, length and width), values in [0, 1]."""
    centre = rng.uniform(0, canvas_size, size=2)
    radius = rng.uniform(3, canvas_size / 2)
    start = rng.uniform(0, 2 * np.pi)
    length = rng.uniform(5, 16) / radius  # arc length of 5..16 pixels, like a digit stroke
    angles = start + np.linspace(0, length, 32)
    points = centre + radius * np.stack([np.sin(angles), np.cos(angles)], axis=1)
    points += np.cumsum(rng.normal(0, 0.15, size=points.shape), axis=0)  # a hand-drawn wobble
    width = rng.uniform(0.7, 1.4)
    # Distances only inside the stroke's bounding box (plus a margin): most of the canvas stays 0.
    top, left = np.maximum(np.floor(points.min(axis=0)).astype(int) - 2, 0)
    bottom, right = np.minimum(np.ceil(points.max(axis=0)).astype(int) + 3, canvas_size)
    layer = np.zeros((canvas_size, canvas_size), dtype=np.float32)
    if bottom <= top or right <= left:
        return layer
    grid = np.stack(np.mgrid[top:bottom, left:right], axis=-1).reshape(-1, 1, 2) + 0.5
    distance = np.sqrt(((grid - points[None]) ** 2).sum(-1)).min(axis=1).reshape(bottom - top, right - left)
    layer[top:bottom, left:right] = np.clip(1.2 - distance / width, 0, 1) * rng.uniform(0.6, 1.0)
    return layer


def _place(sizes: list[tuple[int, int]], canvas_size: int, rng: np.random.Generator,
           tries: int = 60) -> list[tuple[int, int]]:
    """Top-left corners for patches of ``sizes`` that do not overlap (patches that find no room are dropped)."""
    placed: list[tuple[int, int, int, int]] = []
    for h, w in sizes:
        for _ in range(tries):
            y, x = int(rng.integers(0, canvas_size - h + 1)), int(rng.integers(0, canvas_size - w + 1))
            if all(y + h <= py or py + ph <= y or x + w <= px or px + pw <= x for py, px, ph, pw in placed):
                placed.append((y, x, h, w))
                break
    return [(y, x) for y, x, _, _ in placed]


def compose_scenes(digits: np.ndarray, labels: np.ndarray, n_scenes: int, canvas_size: int = 48,
                   objects: tuple[int, int] = (1, 3), strokes: tuple[int, int] = (2, 5),
                   noise: float = 0.08, seed: int = 0, class_names: tuple[str, ...] | None = None) -> SceneSet:
    """Compose ``n_scenes`` cluttered scenes from real ``digits`` (grey, values in [0, 1]).

    Each scene holds between ``objects[0]`` and ``objects[1]`` digits (never overlapping),
    ``strokes[0]..strokes[1]`` distractor strokes and Gaussian noise of std ``noise``.
    Deterministic given ``seed``.
    """
    digits = _check_digits(digits, labels)
    labels = np.asarray(labels, dtype=np.int64)
    low, high = objects
    if not (isinstance(n_scenes, int) and n_scenes >= 0):
        raise ValueError(f"n_scenes must be a non-negative int, got {n_scenes!r}")
    if not 1 <= low <= high:
        raise ValueError(f"objects must be (min, max) with 1 <= min <= max, got {objects}")
    if not 0 <= strokes[0] <= strokes[1]:
        raise ValueError(f"strokes must be (min, max) with 0 <= min <= max, got {strokes}")
    if canvas_size < max(digits.shape[1:]):
        raise ValueError(f"canvas_size {canvas_size} is smaller than a digit {digits.shape[1:]}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    h, w = digits.shape[1:]
    images = np.zeros((n_scenes, canvas_size, canvas_size), dtype=np.float32)
    masks = np.zeros((n_scenes, canvas_size, canvas_size), dtype=np.int64)
    boxes = np.zeros((n_scenes, high, 4), dtype=np.float32)
    scene_labels = np.full((n_scenes, high), -1, dtype=np.int64)
    counts = np.zeros(n_scenes, dtype=np.int64)
    for scene in range(n_scenes):
        count = int(rng.integers(low, high + 1))
        picks = rng.choice(len(digits), size=count, replace=False) if count <= len(digits) \
            else rng.choice(len(digits), size=count)
        canvas = np.zeros((canvas_size, canvas_size), dtype=np.float32)
        for _ in range(int(rng.integers(strokes[0], strokes[1] + 1))):
            canvas = np.maximum(canvas, _stroke(canvas_size, rng))
        for slot, ((y, x), pick) in enumerate(zip(_place([(h, w)] * count, canvas_size, rng), picks, strict=False)):
            digit = digits[pick]
            ink = digit > INK_THRESHOLD
            canvas[y:y + h, x:x + w] = np.maximum(canvas[y:y + h, x:x + w], digit)
            masks[scene, y:y + h, x:x + w][ink] = labels[pick] + 1
            rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
            if len(rows):
                boxes[scene, slot] = (y + rows[0], x + cols[0], y + rows[-1] + 1, x + cols[-1] + 1)
            scene_labels[scene, slot] = labels[pick]
            counts[scene] = slot + 1
        images[scene] = np.clip(canvas + rng.normal(0, noise, canvas.shape), 0, 1) if noise else canvas
    names = class_names if class_names is not None else tuple(str(c) for c in range(int(labels.max()) + 1))
    return SceneSet(images[..., None], masks, boxes, scene_labels, counts, tuple(names))


def box_iou(boxes_a: np.ndarray, boxes_b: np.ndarray) -> np.ndarray:
    """Intersection over union of matching ``(..., 4)`` boxes ``(y0, x0, y1, x1)``; 0 where both are empty."""
    a, b = np.asarray(boxes_a, dtype=np.float64), np.asarray(boxes_b, dtype=np.float64)
    if a.shape != b.shape or a.shape[-1:] != (4,):
        raise ValueError(f"boxes must share one shape ending in 4, got {a.shape} and {b.shape}")
    height = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    width = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    intersection = height * width

    def area(box: np.ndarray) -> np.ndarray:
        return np.clip(box[..., 2] - box[..., 0], 0, None) * np.clip(box[..., 3] - box[..., 1], 0, None)

    union = area(a) + area(b) - intersection
    return np.divide(intersection, union, out=np.zeros_like(union), where=union > 0)


def per_class_iou(true_masks: np.ndarray, predicted_masks: np.ndarray, num_classes: int) -> np.ndarray:
    """IoU of each mask value ``0..num_classes-1`` over all pixels; NaN for a class absent from both."""
    true, pred = np.asarray(true_masks).ravel(), np.asarray(predicted_masks).ravel()
    if true.shape != pred.shape:
        raise ValueError(f"masks differ in shape: {np.shape(true_masks)} vs {np.shape(predicted_masks)}")
    if num_classes < 1:
        raise ValueError(f"num_classes must be >= 1, got {num_classes}")
    if true.size and (min(true.min(), pred.min()) < 0 or max(true.max(), pred.max()) >= num_classes):
        raise ValueError(f"mask values must lie in 0..{num_classes - 1}")
    confusion = np.bincount(true * num_classes + pred, minlength=num_classes ** 2).reshape(num_classes, num_classes)
    intersection = np.diag(confusion).astype(np.float64)
    union = confusion.sum(0) + confusion.sum(1) - intersection
    return np.divide(intersection, union, out=np.full(num_classes, np.nan), where=union > 0)


def mean_iou(true_masks: np.ndarray, predicted_masks: np.ndarray, num_classes: int) -> float:
    """Mean over classes (background included) of :func:`per_class_iou`, ignoring absent classes."""
    return float(np.nanmean(per_class_iou(true_masks, predicted_masks, num_classes)))
