"""The generated motion-video data set: shapes, determinism, balance; and what each view of a clip can tell.

The shortcut tests run cheap classifiers on the generator's default output (what notebook 11 trains
on): one frame is at chance; frames without their order (the mean frame) can find the axis of motion
but never tell a direction from its reverse; a positive control with the order shows that the same
check does tell them apart when the information is there.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from utils.motion_video import (
    CIRCLE_CLASSES,
    DRIFT_CLASSES,
    MotionVideoConfig,
    load_digit_images,
    make_motion_videos,
    render_digits,
    reversed_labels,
)

DIGITS = load_digit_images()[:50]
TINY = MotionVideoConfig(frames=4, size=12, digit_size=(6.0, 8.0))


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 40), st.integers(0, 2**31 - 1), st.sampled_from([DRIFT_CLASSES, DRIFT_CLASSES + CIRCLE_CLASSES,
                                                                         ("left", "clockwise")]))
def test_shapes_dtype_range_and_balance(num_clips: int, seed: int, classes: tuple[str, ...]) -> None:
    config = MotionVideoConfig(classes=classes, frames=4, size=12, digit_size=(6.0, 8.0), distractors=1)
    clips, labels = make_motion_videos(num_clips, seed, config, DIGITS)
    assert clips.shape == (num_clips, 4, 12, 12, 1) and clips.dtype == np.float32
    assert labels.dtype == np.int32 and labels.min() >= 0 and labels.max() < len(classes)
    assert 0.0 <= clips.min() and clips.max() <= 1.0
    counts = np.bincount(labels, minlength=len(classes))
    assert counts.max() - counts.min() <= 1


def test_same_seed_same_clips_other_seed_other_clips() -> None:
    first = make_motion_videos(12, 7, TINY, DIGITS)
    again = make_motion_videos(12, 7, TINY, DIGITS)
    other = make_motion_videos(12, 8, TINY, DIGITS)
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


def _centroids(clips: np.ndarray) -> np.ndarray:
    """Brightness-weighted centre (row, col) of every frame, on the torus (circular mean)."""
    size = clips.shape[2]
    angle = 2 * np.pi * (np.arange(size) + 0.5) / size
    weights = clips[..., 0]
    rows = np.angle((weights.sum(3) * np.exp(1j * angle)).sum(2))
    cols = np.angle((weights.sum(2) * np.exp(1j * angle)).sum(2))
    return np.stack([rows, cols], -1) * size / (2 * np.pi)


def test_drift_classes_move_the_way_their_names_say() -> None:
    config = MotionVideoConfig(noise=0.0, frames=3, size=24)
    clips, labels = make_motion_videos(64, 1, config, DIGITS)
    centres = _centroids(clips)
    step = (centres[:, 1] - centres[:, 0] + 12) % 24 - 12  # shortest way round the torus
    expected = {"right": (0, 1), "up": (-1, 0), "left": (0, -1), "down": (1, 0)}
    for name, (d_row, d_col) in expected.items():
        chosen = labels == DRIFT_CLASSES.index(name)
        mean = step[chosen].mean(axis=0)
        assert np.sign(np.round(mean)).tolist() == [d_row, d_col], (name, mean)


def test_single_frames_carry_no_label_information() -> None:
    """Every frame's position is uniform whatever the class: per-class mean positions match."""
    clips, labels = make_motion_videos(800, 3, MotionVideoConfig(frames=4, size=16, digit_size=(6.0, 8.0),
                                                                 noise=0.0), DIGITS)
    centres = _centroids(clips)[:, 0] % 16  # first frame
    for label in range(len(DRIFT_CLASSES)):
        chosen = centres[labels == label]
        # Uniform on [0, 16): mean 8, spread 16/sqrt(12) = 4.6; allow 4 standard errors.
        assert np.all(np.abs(chosen.mean(axis=0) - 8.0) < 4 * 4.6 / np.sqrt(len(chosen))), chosen.mean(axis=0)


def test_render_places_and_rotates() -> None:
    bar = np.zeros((1, 8, 8), "float32")
    bar[0, 0:2, 3:5] = 1.0  # a bright bar on top
    upright = render_digits(bar, np.array([[8.0, 8.0]]), np.array([0.0]), np.array([8.0]), 16)[0]
    turned = render_digits(bar, np.array([[8.0, 8.0]]), np.array([np.pi / 2]), np.array([8.0]), 16)[0]
    assert np.unravel_index(upright.argmax(), upright.shape)[0] < 6  # on top
    assert np.unravel_index(turned.argmax(), turned.shape)[1] < 6  # a quarter turn counter-clockwise: on the left


@pytest.mark.parametrize("bad", [dict(frames=1), dict(size=4), dict(speed=(2.0, 1.0)), dict(noise=-0.1),
                                 dict(classes=("left",)), dict(classes=("left", "sideways")),
                                 dict(classes=("left", "left"))])
def test_bad_config_is_rejected(bad: dict) -> None:
    with pytest.raises(ValueError):
        make_motion_videos(4, 0, MotionVideoConfig(**bad), DIGITS)


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="num_clips"):
        make_motion_videos(0, 0, TINY, DIGITS)
    with pytest.raises(ValueError, match="digit_images"):
        make_motion_videos(4, 0, TINY, np.zeros((8, 8)))


# --- Shortcut tests on the default clips (8 frames of 24 x 24, eight directions), as notebook 11 uses them.

@pytest.fixture(scope="module")
def default_clips() -> tuple[np.ndarray, np.ndarray]:
    return make_motion_videos(1600, seed=11, config=MotionVideoConfig())


def _image_features(images: np.ndarray) -> np.ndarray:
    """Raw pixels and the magnitude spectrum (which does not change when the image is shifted)."""
    spectrum = np.abs(np.fft.rfft2(images, axes=(1, 2)))
    return np.concatenate([images.reshape(len(images), -1), spectrum.reshape(len(images), -1)], axis=1)


def _correct_and_reversed(features: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Train on the first 1,000 clips, test on the rest: the share predicted right, and as its reverse."""
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300, C=0.05))
    predicted = model.fit(features[:1000], labels[:1000]).predict(features[1000:])
    truth = labels[1000:]
    return float(np.mean(predicted == truth)), float(np.mean(predicted == reversed_labels(DRIFT_CLASSES)[truth]))


def _displacement(clips: np.ndarray) -> np.ndarray:
    """(d_row, d_col) from frame 0 to frame 1 by phase correlation: a feature that uses the order of frames."""
    before, after = np.fft.fft2(clips[:, 0, ..., 0]), np.fft.fft2(clips[:, 1, ..., 0])
    cross = after * np.conj(before)
    peak = np.real(np.fft.ifft2(cross / (np.abs(cross) + 1e-9)))
    size = peak.shape[1]
    rows, cols = np.divmod(peak.reshape(len(peak), -1).argmax(axis=1), size)
    return np.stack([(rows + size // 2) % size - size // 2, (cols + size // 2) % size - size // 2], 1).astype(float)


def test_reversed_labels_pair_each_motion_with_its_reverse() -> None:
    assert reversed_labels(DRIFT_CLASSES).tolist() == [4, 5, 6, 7, 0, 1, 2, 3]
    assert reversed_labels(DRIFT_CLASSES + CIRCLE_CLASSES).tolist()[-2:] == [9, 8]
    assert reversed_labels(("left", "up")).tolist() == [-1, -1]


@pytest.mark.slow
def test_one_frame_shortcut_stays_near_chance(default_clips) -> None:
    clips, labels = default_clips
    one_frame = clips[np.arange(len(clips)), np.random.default_rng(0).integers(0, clips.shape[1], len(clips)), ..., 0]
    correct, _ = _correct_and_reversed(_image_features(one_frame), labels)
    assert correct <= 1 / 8 + 0.075, f"one frame tells the class: accuracy {correct:.3f} (chance 0.125)"


@pytest.mark.slow
def test_mean_frame_finds_the_axis_but_never_the_direction(default_clips) -> None:
    """Time reversal maps each class onto its reverse, so order-free views confuse the two equally often."""
    clips, labels = default_clips
    correct, reverse = _correct_and_reversed(_image_features(clips[..., 0].mean(axis=1)), labels)
    assert correct <= 0.5 + 0.1, f"the mean frame tells the direction: accuracy {correct:.3f} (ceiling 0.5)"
    assert abs(correct - reverse) <= 0.15, (correct, reverse)
    assert correct + reverse >= 0.6, "the mean frame should show the axis of motion (the notebook says so)"
    # Positive control: a feature that uses the order of two frames tells a direction from its reverse.
    correct, reverse = _correct_and_reversed(_displacement(clips), labels)
    assert correct >= 0.9 and reverse <= 0.05, (correct, reverse)
