"""Cluttered scenes composed from real handwritten digits, with known boxes and per-pixel labels, and the IoU
measures of ``04_beyond_classification``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

BACKGROUND = 0
"""Mask value of background pixels; a pixel of digit ``d`` has mask value ``d + 1``."""
INK_THRESHOLD = 0.3
"""A digit pixel brighter than this belongs to the digit (its mask and its box)."""


@dataclass(frozen=True)
class SceneSet:
    """Composed scenes and their ground truth: ``images`` (n, H, W, 1) float32 in [0, 1]; ``masks`` (n, H, W) int64,
    0 = background, ``d + 1`` = digit ``d``; ``boxes`` (n, max_objects, 4) float32 ``(y0, x0, y1, x1)`` pixels, end
    exclusive; ``labels`` (n, max_objects) int64, -1 in unused rows; ``counts`` (n,) digits per scene; ``touching``
    (n,) whether the first two digits touch."""

    images: np.ndarray
    masks: np.ndarray
    boxes: np.ndarray
    labels: np.ndarray
    counts: np.ndarray
    class_names: tuple[str, ...]
    touching: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.images)

    @property
    def mask_classes(self) -> tuple[str, ...]:
        """Names of the mask values: ``background`` then the digit classes."""
        return ("background", *self.class_names)

    def select(self, index: np.ndarray) -> SceneSet:
        """The scenes picked by ``index`` (a boolean mask or integer positions), as a new set."""
        index = np.flatnonzero(index) if np.asarray(index).dtype == bool else np.asarray(index, dtype=np.int64)
        touching = None if self.touching is None else self.touching[index]
        return SceneSet(self.images[index], self.masks[index], self.boxes[index], self.labels[index],
                        self.counts[index], self.class_names, touching)


def _check(ok: object, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``ok``: how every function here rejects bad input."""
    if not ok:
        raise ValueError(message)


def _check_digits(digits: np.ndarray, labels: np.ndarray,
                  class_names: tuple[str, ...] | None) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """The digits as (n, h, w) float32, the labels as int64, and the class names (``"0"``, ``"1"``, ... by default)."""
    digits = np.asarray(digits, dtype=np.float32)
    if digits.ndim == 4 and digits.shape[-1] == 1:
        digits = digits[..., 0]
    _check(digits.ndim == 3 and len(digits) > 0,
           f"digits must be (n, h, w) or (n, h, w, 1) grey images, got shape {np.shape(digits)}")
    _check(np.shape(labels) == (len(digits),), f"labels must be shaped ({len(digits)},), got {np.shape(labels)}")
    _check(digits.min() >= 0 and digits.max() <= 1, "digit images must hold values in [0, 1]")
    labels = np.asarray(labels, dtype=np.int64)
    names = class_names if class_names is not None else tuple(str(c) for c in range(int(labels.max()) + 1))
    return digits, labels, tuple(names)


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
           tries: int = 60) -> list[tuple[int, int] | None]:
    """Top-left corners for patches of ``sizes`` that do not overlap (``None`` for a patch that finds no room)."""
    placed: list[tuple[int, int, int, int]] = []
    corners: list[tuple[int, int] | None] = []
    for h, w in sizes:
        corners.append(None)
        for _ in range(tries):
            y, x = int(rng.integers(0, canvas_size - h + 1)), int(rng.integers(0, canvas_size - w + 1))
            if all(y + h <= py or py + ph <= y or x + w <= px or px + pw <= x for py, px, ph, pw in placed):
                placed.append((y, x, h, w))
                corners[-1] = (y, x)
                break
    return corners


def touching_offset(ink_a: np.ndarray, ink_b: np.ndarray, dy: int = 0) -> int:
    """Horizontal offset of digit ``b``'s patch at which its ink touches ``a``'s from the right without overlap: one
    connected region, as in a written "47" (``b`` slides left from beside ``a`` until just before shared ink)."""
    h, w = ink_a.shape
    shared = signal.correlate2d(ink_a.astype(int), ink_b.astype(int))[h - 1 + dy, w:]  # shared ink at dx = 1..w-1
    return int(np.flatnonzero(shared).max(initial=-1)) + 2  # one past the last overlapping dx; 1 when none overlaps


def compose_scenes(digits: np.ndarray, labels: np.ndarray, n_scenes: int, canvas_size: int = 48,
                   objects: tuple[int, int] = (1, 3), strokes: tuple[int, int] = (2, 5),
                   noise: float = 0.08, seed: int = 0, class_names: tuple[str, ...] | None = None,
                   touching: float = 0.0) -> SceneSet:
    """``n_scenes`` scenes from real grey ``digits`` in [0, 1], each with ``objects[0]..objects[1]`` digits whose
    patches never overlap, ``strokes[0]..strokes[1]`` distractor strokes as bright as digits and noise of std ``noise``;
    with probability ``touching`` the first two digits touch (:func:`touching_offset`). Deterministic given ``seed``."""
    digits, labels, names = _check_digits(digits, labels, class_names)
    low, high = objects
    _check(isinstance(n_scenes, int) and n_scenes >= 0, f"n_scenes must be a non-negative int, got {n_scenes!r}")
    _check(1 <= low <= high, f"objects must be (min, max) with 1 <= min <= max, got {objects}")
    _check(0 <= strokes[0] <= strokes[1], f"strokes must be (min, max) with 0 <= min <= max, got {strokes}")
    _check(canvas_size >= max(digits.shape[1:]),
           f"canvas_size {canvas_size} is smaller than a digit {digits.shape[1:]}")
    _check(noise >= 0, f"noise must be >= 0, got {noise}")
    _check(0 <= touching <= 1, f"touching must be a probability in [0, 1], got {touching}")
    rng = np.random.default_rng(seed)
    h, w = digits.shape[1:]
    images = np.zeros((n_scenes, canvas_size, canvas_size), dtype=np.float32)
    masks = np.zeros((n_scenes, canvas_size, canvas_size), dtype=np.int64)
    boxes = np.zeros((n_scenes, high, 4), dtype=np.float32)
    scene_labels = np.full((n_scenes, high), -1, dtype=np.int64)
    counts = np.zeros(n_scenes, dtype=np.int64)
    pair = np.zeros(n_scenes, dtype=bool)
    for scene in range(n_scenes):
        count = int(rng.integers(low, high + 1))
        picks = rng.choice(len(digits), size=count, replace=count > len(digits))
        canvas = np.zeros((canvas_size, canvas_size), dtype=np.float32)
        for _ in range(int(rng.integers(strokes[0], strokes[1] + 1))):
            canvas = np.maximum(canvas, _stroke(canvas_size, rng))
        # Offsets of each digit inside its patch; a touching pair shares one patch.
        patches: list[tuple[tuple[int, int], list[tuple[int, int]]]] = []
        if count >= 2 and touching > 0 and rng.random() < touching:
            dy = int(rng.integers(-2, 3))
            dx = touching_offset(digits[picks[0]] > INK_THRESHOLD, digits[picks[1]] > INK_THRESHOLD, dy)
            if dx + w <= canvas_size and h + abs(dy) <= canvas_size:
                patches.append(((h + abs(dy), dx + w), [(max(0, -dy), 0), (max(0, dy), dx)]))
        patches += [((h, w), [(0, 0)])] * (count - 2 * len(patches))
        slot = 0
        corners = _place([size for size, _ in patches], canvas_size, rng)
        for corner, (_, offsets) in zip(corners, patches, strict=True):
            if corner is None:
                continue
            y, x = corner
            pair[scene] |= len(offsets) == 2
            for oy, ox in offsets:
                pick = picks[slot]
                digit, top, left = digits[pick], y + oy, x + ox
                ink = digit > INK_THRESHOLD
                canvas[top:top + h, left:left + w] = np.maximum(canvas[top:top + h, left:left + w], digit)
                masks[scene, top:top + h, left:left + w][ink] = labels[pick] + 1
                rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
                if len(rows):
                    boxes[scene, slot] = (top + rows[0], left + cols[0], top + rows[-1] + 1, left + cols[-1] + 1)
                scene_labels[scene, slot] = labels[pick]
                slot += 1
        counts[scene] = slot
        images[scene] = np.clip(canvas + rng.normal(0, noise, canvas.shape), 0, 1) if noise else canvas
    return SceneSet(images[..., None], masks, boxes, scene_labels, counts, names, pair)


def compose_touching_twins(digits: np.ndarray, labels: np.ndarray, scenes_per_class: int, canvas_size: int = 48,
                           seed: int = 0, class_names: tuple[str, ...] | None = None, **options: object) -> SceneSet:
    """``scenes_per_class`` scenes per class of two touching digits of that class (a written "33"): one connected
    region of one label, the hard case for boxes cut from a segmentation. ``options`` go to :func:`compose_scenes`."""
    digits, labels, names = _check_digits(digits, labels, class_names)
    sets = []
    for offset, label in enumerate(np.unique(labels)):
        members = labels == label
        if members.sum() < 2:
            continue  # too few digits of this class to write two different ones
        sets.append(compose_scenes(digits[members], labels[members], scenes_per_class, canvas_size, objects=(2, 2),
                                   touching=1.0, seed=seed + offset, class_names=names, **options))  # type: ignore[arg-type]
    _check(sets, "no class has two digits: no twins can be written")
    fields = [np.concatenate([getattr(s, f) for s in sets]) for f in ("images", "masks", "boxes", "labels", "counts")]
    return SceneSet(*fields, names, np.concatenate([s.touching for s in sets]))


def box_iou(boxes_a: np.ndarray, boxes_b: np.ndarray) -> np.ndarray:
    """Intersection over union of matching ``(..., 4)`` boxes ``(y0, x0, y1, x1)``; 0 where both are empty."""
    a, b = np.asarray(boxes_a, dtype=np.float64), np.asarray(boxes_b, dtype=np.float64)
    _check(a.shape == b.shape and a.shape[-1:] == (4,),
           f"boxes must share one shape ending in 4, got {a.shape} and {b.shape}")
    intersection = np.clip(np.minimum(a[..., 2:], b[..., 2:]) - np.maximum(a[..., :2], b[..., :2]), 0, None).prod(-1)
    area_a, area_b = (np.clip(box[..., 2:] - box[..., :2], 0, None).prod(-1) for box in (a, b))
    union = area_a + area_b - intersection
    return np.divide(intersection, union, out=np.zeros_like(union), where=union > 0)


def per_class_iou(true_masks: np.ndarray, predicted_masks: np.ndarray, num_classes: int) -> np.ndarray:
    """IoU of each mask value ``0..num_classes-1`` over all pixels; NaN for a class absent from both."""
    true, pred = np.asarray(true_masks).ravel(), np.asarray(predicted_masks).ravel()
    _check(true.shape == pred.shape, f"masks differ in shape: {np.shape(true_masks)} vs {np.shape(predicted_masks)}")
    _check(num_classes >= 1, f"num_classes must be >= 1, got {num_classes}")
    _check(not true.size or (min(true.min(), pred.min()) >= 0 and max(true.max(), pred.max()) < num_classes),
           f"mask values must lie in 0..{num_classes - 1}")
    confusion = np.bincount(true * num_classes + pred, minlength=num_classes ** 2).reshape(num_classes, num_classes)
    intersection = np.diag(confusion).astype(np.float64)
    union = confusion.sum(0) + confusion.sum(1) - intersection
    return np.divide(intersection, union, out=np.full(num_classes, np.nan), where=union > 0)


def mean_iou(true_masks: np.ndarray, predicted_masks: np.ndarray, num_classes: int) -> float:
    """Mean over classes (background included) of :func:`per_class_iou`, ignoring absent classes."""
    return float(np.nanmean(per_class_iou(true_masks, predicted_masks, num_classes)))
