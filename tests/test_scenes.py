"""The scene composer (deterministic, consistent ground truth) and the IoU measures."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.scenes import BACKGROUND, INK_THRESHOLD, box_iou, compose_scenes, mean_iou, per_class_iou


def fake_digits(n: int = 20, size: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Blobs with some ink in the middle: enough to test the bookkeeping without scikit-learn."""
    rng = np.random.default_rng(seed)
    digits = np.zeros((n, size, size), dtype=np.float32)
    digits[:, 2:-2, 3:-3] = rng.uniform(0.5, 1.0, size=(n, size - 4, size - 6))
    return digits, np.arange(n) % 10


def test_same_seed_same_scenes_other_seed_other_scenes() -> None:
    digits, labels = fake_digits()
    a, b = compose_scenes(digits, labels, 8, 32, seed=3), compose_scenes(digits, labels, 8, 32, seed=3)
    for field in ("images", "masks", "boxes", "labels", "counts"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.images, compose_scenes(digits, labels, 8, 32, seed=4).images)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(24, 40), st.integers(1, 3), st.integers(0, 2), st.integers(0, 1000))
def test_ground_truth_is_consistent(n: int, canvas: int, low: int, extra: int, seed: int) -> None:
    digits, labels = fake_digits()
    scenes = compose_scenes(digits, labels, n, canvas, objects=(low, low + extra), seed=seed)
    assert scenes.images.shape == (n, canvas, canvas, 1) and scenes.images.dtype == np.float32
    assert 0 <= scenes.images.min() and scenes.images.max() <= 1
    assert scenes.masks.shape == (n, canvas, canvas) and scenes.masks.max() <= 10
    assert ((1 <= scenes.counts) & (scenes.counts <= low + extra)).all()
    for scene in range(n):
        inside = np.zeros((canvas, canvas), dtype=bool)
        for slot in range(scenes.labels.shape[1]):
            label = scenes.labels[scene, slot]
            if slot >= scenes.counts[scene]:
                assert label == -1
                continue
            y0, x0, y1, x1 = scenes.boxes[scene, slot].astype(int)
            assert 0 <= y0 < y1 <= canvas and 0 <= x0 < x1 <= canvas
            assert not inside[y0:y1, x0:x1].any(), "digits must not overlap"
            inside[y0:y1, x0:x1] = True
            region = scenes.masks[scene, y0:y1, x0:x1]
            assert set(np.unique(region)) <= {BACKGROUND, label + 1}
            assert (region == label + 1).any()
        assert (scenes.masks[scene][~inside] == BACKGROUND).all(), "labelled pixels lie inside their box"


def test_labelled_pixels_are_ink_and_clutter_is_background() -> None:
    digits, labels = fake_digits()
    scenes = compose_scenes(digits, labels, 10, 40, strokes=(4, 6), noise=0.0, seed=1)
    assert (scenes.images[..., 0][scenes.masks > 0] > INK_THRESHOLD).all()
    # Strokes are bright too, so brightness alone cannot give the mask: some bright pixels are background.
    assert (scenes.images[..., 0][scenes.masks == BACKGROUND] > INK_THRESHOLD).any()


@pytest.mark.parametrize("kwargs", [
    {"n_scenes": -1}, {"objects": (0, 2)}, {"objects": (3, 2)}, {"strokes": (2, 1)}, {"noise": -0.1},
    {"canvas_size": 5},
])
def test_bad_arguments_raise_value_error(kwargs: dict) -> None:
    digits, labels = fake_digits()
    arguments = {"n_scenes": 2, "canvas_size": 32} | kwargs
    with pytest.raises(ValueError):
        compose_scenes(digits, labels, **arguments)


def test_bad_digits_raise_value_error() -> None:
    digits, labels = fake_digits()
    with pytest.raises(ValueError, match="labels"):
        compose_scenes(digits, labels[:-1], 2)
    with pytest.raises(ValueError, match="grey"):
        compose_scenes(digits[..., None].repeat(3, axis=-1), labels, 2)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        compose_scenes(digits * 255, labels, 2)


boxes = st.tuples(st.floats(0, 30), st.floats(0, 30), st.floats(1, 20), st.floats(1, 20)).map(
    lambda b: (b[0], b[1], b[0] + b[2], b[1] + b[3]))


@given(boxes, boxes)
def test_box_iou_properties(a: tuple, b: tuple) -> None:
    iou = box_iou(np.array(a), np.array(b))
    assert 0 <= iou <= 1 + 1e-12
    assert iou == pytest.approx(float(box_iou(np.array(b), np.array(a))))
    assert float(box_iou(np.array(a), np.array(a))) == pytest.approx(1.0)


def test_box_iou_known_values() -> None:
    np.testing.assert_allclose(box_iou(np.array([[0, 0, 2, 2], [0, 0, 2, 2]]), np.array([[1, 1, 3, 3], [5, 5, 6, 6]])),
                               [1 / 7, 0.0])
    with pytest.raises(ValueError):
        box_iou(np.zeros((2, 4)), np.zeros((3, 4)))


def test_mean_iou_known_values() -> None:
    true = np.array([[0, 0, 1, 1], [0, 0, 2, 2]])
    assert mean_iou(true, true, 3) == 1.0
    predicted = np.array([[0, 0, 1, 0], [0, 0, 2, 2]])
    np.testing.assert_allclose(per_class_iou(true, predicted, 4), [4 / 5, 1 / 2, 1.0, np.nan])
    assert mean_iou(true, predicted, 4) == pytest.approx((0.8 + 0.5 + 1.0) / 3)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6), st.integers(0, 1000))
def test_mean_iou_is_a_fraction_and_perfect_only_when_equal(classes: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    true = rng.integers(0, classes, size=(3, 5, 5))
    predicted = rng.integers(0, classes, size=(3, 5, 5))
    value = mean_iou(true, predicted, classes)
    assert 0 <= value <= 1
    assert (value == 1.0) == bool(np.array_equal(true, predicted))


def test_mean_iou_rejects_bad_masks() -> None:
    with pytest.raises(ValueError, match="shape"):
        mean_iou(np.zeros((2, 2), int), np.zeros((3, 2), int), 2)
    with pytest.raises(ValueError, match=r"0\.\.1"):
        mean_iou(np.full((2, 2), 2), np.zeros((2, 2), int), 2)
