"""The pretrained frame encoder: offline without weights, and with the manifest's weights fetched from 127.0.0.1."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from fixtures_full_profile import FileServer, build, write_override

from utils.downloads import OVERRIDE_ENV
from utils.video_models import WEIGHTS_SIDE, pretrained_frame_encoder


@pytest.mark.parametrize("policy", ["float32", "mixed_float16"])  # mixed: what COURSE_MIXED_PRECISION=on gives
def test_pretrained_encoder_builds_offline_without_weights(policy: str) -> None:
    import keras

    keras.mixed_precision.set_global_policy(policy)
    try:
        encoder = pretrained_frame_encoder(64, 64, weights=None)
        features = encoder(np.random.default_rng(0).random((2, 64, 64, 3), dtype=np.float32))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert tuple(features.shape) == (2, 1280) and np.isfinite(np.asarray(features, np.float32)).all()
    assert encoder.trainable_weights == []


def test_imagenet_weights_come_from_the_manifest_at_a_size_keras_publishes(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """112 x 112 frames (notebook 11) are resized to 128: the weights load without Keras' 224 fallback warning."""
    served = build(tmp_path / "served", ["mobilenet_v2_imagenet"])
    with FileServer(served) as server:
        monkeypatch.setenv(OVERRIDE_ENV, str(write_override(tmp_path / "o.json", server, ["mobilenet_v2_imagenet"])))
        monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            encoder = pretrained_frame_encoder(112, 112)
    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if "will be loaded as the default" in m], messages
    assert any("UNVERIFIED DATA" in m for m in messages)  # Keras publishes no checksum for these weights
    backbone = next(layer for layer in encoder.layers if layer.name.startswith("mobilenetv2"))
    assert backbone.input_shape[1:3] == (WEIGHTS_SIDE, WEIGHTS_SIDE)
    assert tuple(encoder(np.zeros((1, 112, 112, 3), np.float32)).shape) == (1, 1280)


@pytest.mark.parametrize(("size", "weights"), [(16, None), (64, "cifar")])
def test_pretrained_encoder_rejects_bad_input(size: int, weights: str | None) -> None:
    with pytest.raises(ValueError, match=r"frames must be at least|weights must be"):
        pretrained_frame_encoder(size, size, weights=weights)
