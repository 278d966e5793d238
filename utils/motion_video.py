"""A generated video data set where only motion tells the class: real handwritten digits that move.

Introduced in ``11_video_classification``. Each clip shows one scikit-learn handwritten
digit (a real 8x8 scan) on a small canvas. The class is *how it moves* — drifting right,
left, up or down (or diagonally), or circling clockwise or counter-clockwise.

What each view of a clip can tell:

* **one frame** — nothing. The canvas wraps around like a torus, so the digit's position is
  uniform in every frame, and its angle, size, digit identity, speed, noise and distractors are
  drawn independently of the class. A one-frame model is at chance.
* **the frames without their order** (a bag of frames, their mean, their maximum) — the *axis* of
  motion, not its direction: the positions of a drifting digit lie along a line. Played backwards,
  a clip of one class is a clip of the opposite class ("right" becomes "left", "clockwise"
  becomes "counter-clockwise") with exactly the same distribution, so an order-free model must
  confuse each class with its reverse (:func:`reversed_labels`). With the eight drift classes it
  can reach at most 1/2 (the axis right, then a coin flip).
* **the frames in order** — everything.

``tests/test_video_motion.py`` checks the first two on the generator's output.
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
"""The default classes: drifting in one of eight compass directions."""
CIRCLE_CLASSES: tuple[str, ...] = tuple(_CIRCLE)
"""Harder optional classes: circling clockwise or counter-clockwise (the direction of travel keeps turning)."""
MOTION_CLASSES: tuple[str, ...] = DRIFT_CLASSES + CIRCLE_CLASSES
"""Every motion the generator can draw."""
_REVERSED = {"right": "left", "up-right": "down-left", "up": "down", "up-left": "down-right",
             "clockwise": "counter-clockwise"}
_REVERSED.update({value: key for key, value in list(_REVERSED.items())})


def reversed_labels(classes: tuple[str, ...] = DRIFT_CLASSES) -> np.ndarray:
    """For each class index, the index of the motion that the same clip shows when played backwards.

    ``-1`` where the reversed motion is not among ``classes``.
    """
    return np.array([classes.index(_REVERSED[name]) if _REVERSED[name] in classes else -1 for name in classes])


@dataclass(frozen=True)
class MotionVideoConfig:
    """Knobs of the generated data set; the defaults are sized for a 2-core CPU."""

    classes: tuple[str, ...] = DRIFT_CLASSES
    """Which motions to draw; a label is the index of its motion in this tuple."""
    frames: int = 8
    size: int = 24
    digit_size: tuple[float, float] = (9.0, 13.0)
    """Side of the drawn digit in pixels, drawn uniformly per clip."""
    speed: tuple[float, float] = (1.5, 2.5)
    """Drift speed in pixels per frame, drawn uniformly per clip."""
    radius: tuple[float, float] = (3.0, 5.0)
    """Radius of the circling classes' orbit in pixels, drawn uniformly per clip."""
    turn: tuple[float, float] = (30.0, 45.0)
    """How far a circling digit goes round its orbit per frame, in degrees, drawn uniformly per clip."""
    noise: float = 0.05
    """Standard deviation of the Gaussian pixel noise added to every frame."""
    distractors: int = 0
    """Extra digits that stay still, at half brightness (same in every class)."""

    def check(self) -> None:
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


def _sample_sprites(sprites: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Bilinear lookup of ``sprites[i]`` at fractional pixel coordinates; zero outside the sprite."""
    padded = np.pad(sprites, ((0, 0), (1, 1), (1, 1)))  # a zero border makes outside samples zero
    height, width = sprites.shape[1:]
    r = np.clip(rows + 1.0, 0.0, height + 1.0)
    c = np.clip(cols + 1.0, 0.0, width + 1.0)
    r0 = np.minimum(np.floor(r).astype(int), height)
    c0 = np.minimum(np.floor(c).astype(int), width)
    fr, fc = r - r0, c - c0
    index = np.arange(len(sprites)).reshape((-1,) + (1,) * (rows.ndim - 1))
    top = padded[index, r0, c0] * (1 - fc) + padded[index, r0, c0 + 1] * fc
    bottom = padded[index, r0 + 1, c0] * (1 - fc) + padded[index, r0 + 1, c0 + 1] * fc
    return top * (1 - fr) + bottom * fr


def render_digits(sprites: np.ndarray, centers: np.ndarray, angles: np.ndarray, sides: np.ndarray,
                  size: int) -> np.ndarray:
    """Draw each 8x8 ``sprite`` on a wrap-around ``size`` x ``size`` canvas.

    ``centers`` (n, 2) in pixels (row, col), ``angles`` (n,) in radians (counter-clockwise
    on screen), ``sides`` (n,) the drawn side length in pixels. Returns (n, size, size).
    """
    n = len(sprites)
    grid = np.arange(size, dtype="float32") + 0.5
    # Offset of every pixel from the centre, taking the shorter way round the torus.
    d_row = (grid[None, :, None] - centers[:, 0, None, None] + size / 2) % size - size / 2
    d_col = (grid[None, None, :] - centers[:, 1, None, None] + size / 2) % size - size / 2
    d_row, d_col = np.broadcast_arrays(d_row, d_col)
    cos, sin = np.cos(angles)[:, None, None], np.sin(angles)[:, None, None]
    # Inverse rotation: where in the upright sprite does this pixel come from?
    up_row = cos * d_row + sin * d_col
    up_col = cos * d_col - sin * d_row
    scale = (sprites.shape[1] / sides)[:, None, None]
    return _sample_sprites(sprites, up_row * scale + sprites.shape[1] / 2 - 0.5,
                           up_col * scale + sprites.shape[2] / 2 - 0.5).reshape(n, size, size)


def make_motion_videos(num_clips: int, seed: int, config: MotionVideoConfig | None = None,
                       digit_images: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``num_clips`` clips and their labels, the same for the same ``seed``.

    Returns ``(clips, labels)``: clips float32 in [0, 1] shaped (num_clips, frames, size, size, 1),
    labels int32 indices into ``config.classes``, balanced (counts differ by at most one)
    and shuffled.
    """
    config = config or MotionVideoConfig()
    config.check()
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
    angles = np.repeat(start_angle[:, None], t, axis=1)  # (n, t)

    frames = render_digits(np.repeat(digits[sprite_index], t, axis=0), centers.reshape(-1, 2),
                           angles.reshape(-1), np.repeat(sides, t), s).reshape(num_clips, t, s, s)
    for _ in range(config.distractors):
        still = render_digits(digits[rng.integers(0, len(digits), num_clips)], rng.uniform(0, s, (num_clips, 2)),
                              rng.uniform(0, 2 * np.pi, num_clips), rng.uniform(*config.digit_size, num_clips), s)
        frames = np.maximum(frames, 0.5 * still[:, None])
    frames = frames + rng.normal(0.0, config.noise, frames.shape)
    return np.clip(frames, 0.0, 1.0).astype("float32")[..., None], labels
