"""The pretrained frame encoder builds offline (weights=None) with the right shapes."""

from __future__ import annotations

import numpy as np
import pytest

from utils.video_models import pretrained_frame_encoder


def test_pretrained_encoder_builds_offline_without_weights() -> None:
    encoder = pretrained_frame_encoder(64, 64, weights=None)
    features = encoder(np.random.default_rng(0).random((2, 64, 64, 3), dtype=np.float32))
    assert tuple(features.shape) == (2, 1280)
    assert not encoder.get_layer(index=-1).trainable or encoder.trainable_weights == []


@pytest.mark.parametrize(("size", "weights"), [(16, None), (64, "cifar")])
def test_pretrained_encoder_rejects_bad_input(size: int, weights: str | None) -> None:
    with pytest.raises(ValueError):
        pretrained_frame_encoder(size, size, weights=weights)
