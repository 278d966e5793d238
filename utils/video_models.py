"""A pretrained image network as the frame encoder of a video model (full profile).

Introduced in ``11_video_classification``. ImageNet weights are downloaded by Keras the first
time (online only); ``weights=None`` builds the same architecture offline, randomly initialised.
"""

from __future__ import annotations

from typing import Any

PRETRAINED_MIN_SIDE = 32
"""MobileNetV2 needs frames of at least 32 x 32 pixels."""


def pretrained_frame_encoder(height: int, width: int, weights: str | None = "imagenet", trainable: bool = False) -> Any:
    """MobileNetV2 (global-average pooled) that maps one RGB frame in [0, 1] to a 1,280-number feature vector.

    The network expects pixels in [-1, 1]; a Rescaling layer does that, so the encoder takes the
    same [0, 1] frames as the models trained from scratch.
    """
    import keras

    if min(height, width) < PRETRAINED_MIN_SIDE:
        raise ValueError(f"frames must be at least {PRETRAINED_MIN_SIDE} x {PRETRAINED_MIN_SIDE} for MobileNetV2, "
                         f"got {height} x {width}; resize clips larger (ClipSettings(height=..., width=...))")
    if weights not in ("imagenet", None):
        raise ValueError(f"weights must be 'imagenet' (downloads once) or None (random, offline), got {weights!r}")
    backbone = keras.applications.MobileNetV2(include_top=False, weights=weights, input_shape=(height, width, 3),
                                              pooling="avg")
    backbone.trainable = trainable
    inputs = keras.Input((height, width, 3))
    features = backbone(keras.layers.Rescaling(2.0, offset=-1.0)(inputs), training=False)
    return keras.Model(inputs, features, name="pretrained_frame_encoder")
