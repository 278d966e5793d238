"""A pretrained image network as the frame encoder of a video model (full profile).

Introduced in ``11_video_classification``. The ImageNet weights come through ``utils.downloads.fetch``
("mobilenet_v2_imagenet" in the manifest; ``python -m utils.downloads --where mobilenet_v2_imagenet`` tells
an offline learner where to put them); ``weights=None`` builds the same network offline, randomly initialised.
"""

from __future__ import annotations

from typing import Any

PRETRAINED_MIN_SIDE = 32
"""MobileNetV2 needs frames of at least 32 x 32 pixels."""
WEIGHTS_SIDE = 128
"""Keras publishes MobileNetV2 ImageNet weights for 96, 128, 160, 192 and 224 pixels; the course uses 128."""
WEIGHTS_FILE = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_128_no_top.h5"


def pretrained_frame_encoder(height: int, width: int, weights: str | None = "imagenet", trainable: bool = False) -> Any:
    """MobileNetV2 (global-average pooled) that maps one RGB frame in [0, 1] to a 1,280-number feature vector.

    Frames are resized to 128 x 128, the size the weights were trained at (so Keras never falls back to its
    224 weights with a warning), and rescaled to [-1, 1], the range the network expects; the encoder takes
    the same [0, 1] frames as the models trained from scratch.
    """
    import keras

    if min(height, width) < PRETRAINED_MIN_SIDE:
        raise ValueError(f"frames must be at least {PRETRAINED_MIN_SIDE} x {PRETRAINED_MIN_SIDE} for MobileNetV2, "
                         f"got {height} x {width}; resize clips larger (ClipSettings(height=..., width=...))")
    if weights not in ("imagenet", None):
        raise ValueError(f"weights must be 'imagenet' (downloads once) or None (random, offline), got {weights!r}")
    if weights == "imagenet":
        from utils.downloads import fetch

        weights = str(fetch("mobilenet_v2_imagenet") / WEIGHTS_FILE)
    backbone = keras.applications.MobileNetV2(include_top=False, weights=weights, pooling="avg",
                                              input_shape=(WEIGHTS_SIDE, WEIGHTS_SIDE, 3))
    backbone.trainable = trainable
    inputs = keras.Input((height, width, 3))
    frames = keras.layers.Resizing(WEIGHTS_SIDE, WEIGHTS_SIDE)(inputs) if (height, width) != (WEIGHTS_SIDE,) * 2 \
        else inputs
    features = backbone(keras.layers.Rescaling(2.0, offset=-1.0)(frames), training=False)
    return keras.Model(inputs, features, name="pretrained_frame_encoder")
