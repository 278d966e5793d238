"""A pretrained MobileNetV2 as the frame encoder of a video model (``11_video_classification``, full profile).

The ImageNet weights come through ``utils.downloads.fetch("mobilenet_v2_imagenet")``; ``weights=None`` builds the
same network offline, randomly initialised.
"""

from __future__ import annotations

from typing import Any

PRETRAINED_MIN_SIDE = 32  # MobileNetV2 needs frames of at least 32 x 32 pixels
WEIGHTS_SIDE = 128  # Keras publishes ImageNet weights for 96, 128, 160, 192 and 224 pixels
WEIGHTS_FILE = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_128_no_top.h5"


def pretrained_frame_encoder(height: int, width: int, weights: str | None = "imagenet", trainable: bool = False) -> Any:
    """MobileNetV2 (global-average pooled) mapping one RGB frame in [0, 1] to 1,280 features.

    Frames are resized to 128 x 128, the size the weights were trained at (so Keras never falls back to its 224
    weights with a warning), and rescaled to [-1, 1], the range the network expects.
    """
    import keras

    if min(height, width) < PRETRAINED_MIN_SIDE:
        raise ValueError(f"frames must be at least {PRETRAINED_MIN_SIDE} x {PRETRAINED_MIN_SIDE} for MobileNetV2, "
                         f"got {height} x {width}; resize clips larger (load_video_folder(..., height=..., width=...))")
    if weights not in ("imagenet", None):
        raise ValueError(f"weights must be 'imagenet' (downloads once) or None (random, offline), got {weights!r}")
    if weights == "imagenet":
        from utils.downloads import fetch

        weights = str(fetch("mobilenet_v2_imagenet") / WEIGHTS_FILE)
    backbone = keras.applications.MobileNetV2(include_top=False, weights=weights, pooling="avg",
                                              input_shape=(WEIGHTS_SIDE, WEIGHTS_SIDE, 3))
    backbone.trainable = trainable
    inputs = keras.Input((height, width, 3))
    frames = inputs if (height, width) == (WEIGHTS_SIDE, WEIGHTS_SIDE) else keras.layers.Resizing(
        WEIGHTS_SIDE, WEIGHTS_SIDE)(inputs)
    features = backbone(keras.layers.Rescaling(2.0, offset=-1.0)(frames), training=False)
    return keras.Model(inputs, features, name="pretrained_frame_encoder")
