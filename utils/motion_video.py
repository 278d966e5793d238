"""Generated video for ``11_video_classification`` where only motion tells the class: a real handwritten digit
(scikit-learn's 8x8 scans) drifting in one of eight directions, or circling either way, on a wrap-around canvas.

One frame tells nothing: the canvas is a torus, so the position is uniform, and angle, size, digit, speed, noise
and distractors are drawn independently of the class. The frames without their order tell the axis of motion but
not its direction: played backwards a clip is one of the opposite class (:func:`reversed_labels`), so an
order-free model reaches at most 1/2 on the eight drift classes. ``tests/test_video_motion.py`` checks both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_DIAGONAL = float(np.sqrt(0.5))
_DRIFT = {"right": (0.0, 1.0), "up-right": (-_DIAGONAL, _DIAGONAL), "up": (-1.0, 0.0),
          "up-left": (-_DIAGONAL, -_DIAGONAL), "left": (0.0, -1.0),
          "down-left": (_DIAGONAL, -_DIAGONAL), "down": (1.0, 0.0),
          "down-right": (_DIAGONAL, _DIAGONAL)}  # unit (d_row, d_col); rows point down
_CIRCLE = {"clockwise": -1.0, "counter-clockwise": 1.0}  # sign of the orbit's angle change (rows point down)
DRIFT_CLASSES: tuple[str, ...] = tuple(_DRIFT)
CIRCLE_CLASSES: tuple[str, ...] = tuple(_CIRCLE)  # harder: the direction of travel keeps turning
MOTION_CLASSES: tuple[str, ...] = DRIFT_CLASSES + CIRCLE_CLASSES
_REVERSED = {"right": "left", "up-right": "down-left", "up": "down", "up-left": "down-right",
             "clockwise": "counter-clockwise"}
_REVERSED.update({value: key for key, value in list(_REVERSED.items())})


def reversed_labels(classes: tuple[str, ...] = DRIFT_CLASSES) -> np.ndarray:
    """For each class index, the index of the motion the same clip shows played backwards (``-1``: not a class)."""
    return np.array([classes.index(_REVERSED[name]) if _REVERSED[name] in classes else -1 for name in classes])


@dataclass(frozen=True)
class MotionVideoConfig:
    """Knobs of the generated data set; the defaults are sized for a 2-core CPU. Pairs are (low, high) ranges
    drawn uniformly per clip."""

    classes: tuple[str, ...] = DRIFT_CLASSES  # a label is the index of its motion in this tuple
    frames: int = 8
    size: int = 24
    digit_size: tuple[float, float] = (9.0, 13.0)  # side of the drawn digit, pixels
    speed: tuple[float, float] = (1.5, 2.5)  # drift, pixels per frame
    radius: tuple[float, float] = (3.0, 5.0)  # orbit of the circling classes, pixels
    turn: tuple[float, float] = (30.0, 45.0)  # circling, degrees per frame
    noise: float = 0.05  # sd of the Gaussian pixel noise
    distractors: int = 0  # extra still digits at half brightness (same in every class)

    def __post_init__(self) -> None:
        unknown = [name for name in self.classes if name not in MOTION_CLASSES]
        if len(self.classes) < 2 or unknown or len(set(self.classes)) != len(self.classes):
            raise ValueError(f"classes must be two or more distinct names from {MOTION_CLASSES}, got {self.classes}")
        if self.frames < 2:
            raise ValueError(f"frames must be >= 2 (motion needs at least two frames), got {self.frames}")
        if self.size < 8:
            raise ValueError(f"size must be >= 8 pixels, got {self.size}")
        for name in ("digit_size", "speed", "radius", "turn"):
            low, high = getattr(self, name)
            if not 0 < low <= high:
                raise ValueError(f"{name} must be a (low, high) pair with 0 < low <= high, got {(low, high)}")
        if self.noise < 0 or self.distractors < 0:
            raise ValueError(f"noise and distractors must be >= 0, got {self.noise} and {self.distractors}")


def load_digit_images() -> np.ndarray:
    """scikit-learn's 1,797 handwritten digits as float32 in [0, 1], shape (1797, 8, 8)."""
    from sklearn.datasets import load_digits

    return (load_digits().images / 16.0).astype("float32")


def render_digits(sprites: np.ndarray, centers: np.ndarray, angles: np.ndarray, sides: np.ndarray,
                  size: int) -> np.ndarray:
    """Draw each 8x8 sprite on a wrap-around ``size`` x ``size`` canvas, bilinearly: ``centers`` (n, 2) in pixels
    (row, col), ``angles`` (n,) in radians (counter-clockwise on screen), ``sides`` (n,) in pixels."""
    n, height, width = sprites.shape
    grid = np.arange(size, dtype="float32") + 0.5
    # Offset of every pixel from the centre, taking the shorter way round the torus.
    d_row = (grid[None, :, None] - centers[:, 0, None, None] + size / 2) % size - size / 2
    d_col = (grid[None, None, :] - centers[:, 1, None, None] + size / 2) % size - size / 2
    cos, sin = np.cos(angles)[:, None, None], np.sin(angles)[:, None, None]
    scale = (height / sides)[:, None, None]
    # Inverse rotation: where in the upright sprite does this pixel come from? (+1: the zero border below)
    r = np.clip((cos * d_row + sin * d_col) * scale + height / 2 - 0.5 + 1.0, 0.0, height + 1.0)
    c = np.clip((cos * d_col - sin * d_row) * scale + width / 2 - 0.5 + 1.0, 0.0, width + 1.0)
    padded = np.pad(sprites, ((0, 0), (1, 1), (1, 1)))  # a zero border makes samples outside the sprite zero
    r0, c0 = np.minimum(np.floor(r).astype(int), height), np.minimum(np.floor(c).astype(int), width)
    fr, fc = r - r0, c - c0
    index = np.arange(n)[:, None, None]
    top = padded[index, r0, c0] * (1 - fc) + padded[index, r0, c0 + 1] * fc
    bottom = padded[index, r0 + 1, c0] * (1 - fc) + padded[index, r0 + 1, c0 + 1] * fc
    return (top * (1 - fr) + bottom * fr).reshape(n, size, size)


def make_motion_videos(num_clips: int, seed: int, config: MotionVideoConfig | None = None,
                       digit_images: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``num_clips`` clips, float32 in [0, 1] shaped (num_clips, frames, size, size, 1), and their int32 labels
    (indices into ``config.classes``), balanced and shuffled; the same for the same ``seed``."""
    config = config or MotionVideoConfig()
    if not isinstance(num_clips, int | np.integer) or num_clips < 1:
        raise ValueError(f"num_clips must be a positive int, got {num_clips!r}")
    digits = load_digit_images() if digit_images is None else np.asarray(digit_images, dtype="float32")
    if digits.ndim != 3 or len(digits) == 0:
        raise ValueError(f"digit_images must be (n, h, w) with n >= 1, got shape {digits.shape}")
    rng = np.random.default_rng(seed)
    k, t, s = len(config.classes), config.frames, config.size
    labels = rng.permutation(np.arange(num_clips) % k).astype("int32")
    names = np.array(config.classes)[labels]

    # Everything a single frame shows is drawn independently of the label.
    sprite_index = rng.integers(0, len(digits), num_clips)
    start = rng.uniform(0, s, (num_clips, 2))
    start_angle = rng.uniform(0, 2 * np.pi, num_clips)
    sides = rng.uniform(*config.digit_size, num_clips)
    speed = rng.uniform(*config.speed, num_clips)
    radius = rng.uniform(*config.radius, num_clips)
    turn = np.deg2rad(rng.uniform(*config.turn, num_clips))
    phase = rng.uniform(0, 2 * np.pi, num_clips)

    # Only the change over time depends on the label.
    steps = np.arange(t, dtype="float64")
    velocity = np.array([_DRIFT.get(name, (0.0, 0.0)) for name in names]) * speed[:, None]
    orbit = phase[:, None] + steps[None, :] * (np.array([_CIRCLE.get(name, 0.0) for name in names]) * turn)[:, None]
    # Angle theta counter-clockwise on screen: rows go down, so row offset is -sin(theta).
    circling = np.array([name in _CIRCLE for name in names])[:, None, None] * radius[:, None, None] * np.stack(
        [-np.sin(orbit) + np.sin(phase)[:, None], np.cos(orbit) - np.cos(phase)[:, None]], axis=-1)
    centers = (start[:, None, :] + steps[None, :, None] * velocity[:, None, :] + circling) % s  # (n, t, 2)

    frames = render_digits(np.repeat(digits[sprite_index], t, axis=0), centers.reshape(-1, 2),
                           np.repeat(start_angle, t), np.repeat(sides, t), s).reshape(num_clips, t, s, s)
    for _ in range(config.distractors):
        still = render_digits(digits[rng.integers(0, len(digits), num_clips)], rng.uniform(0, s, (num_clips, 2)),
                              rng.uniform(0, 2 * np.pi, num_clips), rng.uniform(*config.digit_size, num_clips), s)
        frames = np.maximum(frames, 0.5 * still[:, None])
    frames = frames + rng.normal(0.0, config.noise, frames.shape)
    return np.clip(frames, 0.0, 1.0).astype("float32")[..., None], labels

