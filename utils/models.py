"""Uncompiled models of the course's three parts for benchmarking, built from Keras layers and ``keras.ops`` only, so
they train under any ``KERAS_BACKEND``; under mixed precision the softmax still computes in float32. Keras' layers
reject bad sizes themselves (``Dense(0)``, ``Conv2D(0)``, ...); the checks here cover what they accept silently."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

RECURRENT_CELLS = ("lstm", "gru")


def _shape(name: str, *sizes: int) -> tuple[int, ...]:
    """``sizes`` as ints, refusing zero-length axes (Keras would build a model that cannot train)."""
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in sizes):
        raise ValueError(f"{name} must be positive integers, got {sizes!r}")
    return tuple(int(v) for v in sizes)


def _classifier_head(features: keras.KerasTensor, num_classes: int) -> keras.KerasTensor:
    logits = keras.layers.Dense(num_classes, name="logits")(features)
    # float32 softmax keeps the loss numerically safe under mixed_float16 / mixed_bfloat16
    return keras.layers.Activation("softmax", dtype="float32", name="probabilities")(logits)


def _conv_features(image: keras.KerasTensor, filters: Sequence[int]) -> keras.KerasTensor:
    if not filters:
        raise ValueError("filters must name at least one convolution width")
    x = image
    for index, width in enumerate(filters, start=1):
        x = keras.layers.Conv2D(width, 3, padding="same", activation="relu", name=f"conv{index}")(x)
        x = keras.layers.MaxPooling2D(name=f"pool{index}")(x)
    return keras.layers.GlobalAveragePooling2D(name="gap")(x)


def build_image_cnn(input_shape: Sequence[int] = (32, 32, 3), num_classes: int = 10,
                    filters: Sequence[int] = (32, 64)) -> keras.Model:
    """Conv → pool blocks, global average pooling and a softmax: the Part 1 image classifier."""
    inputs = keras.Input(shape=_shape("input_shape", *input_shape), name="image")
    x = _conv_features(keras.layers.Rescaling(1.0, name="as_float")(inputs), filters)
    x = keras.layers.Dense(64, activation="relu", name="hidden")(x)
    return keras.Model(inputs, _classifier_head(x, num_classes), name="image_cnn")


def build_sequence_classifier(sequence_length: int = 100, vocabulary_size: int = 5000, num_classes: int = 2,
                              cell: str = "lstm", units: int = 64, embedding_dim: int = 32,
                              recurrent_dropout: float = 0.0) -> keras.Model:
    """Embedding → LSTM/GRU → softmax: the Part 2 sequence classifier. With ``recurrent_dropout=0`` the layer can use
    the fused cuDNN kernel on an NVIDIA GPU; any ``recurrent_dropout > 0`` forces the generic step-by-step loop."""
    kind = str(cell).lower()
    if kind not in RECURRENT_CELLS:
        raise ValueError(f"cell must be one of {RECURRENT_CELLS}, got {cell!r}")
    if not 0.0 <= float(recurrent_dropout) < 1.0:  # Keras would clip 1.0 and silently drop every recurrent input
        raise ValueError(f"recurrent_dropout must be in [0, 1), got {recurrent_dropout!r}")
    layer = keras.layers.LSTM if kind == "lstm" else keras.layers.GRU
    inputs = keras.Input(shape=_shape("sequence_length", sequence_length), dtype="int32", name="tokens")
    x = keras.layers.Embedding(vocabulary_size, embedding_dim, name="embedding")(inputs)
    x = layer(units, recurrent_dropout=float(recurrent_dropout), name=kind)(x)
    suffix = "_fallback" if recurrent_dropout > 0 else ""
    return keras.Model(inputs, _classifier_head(x, num_classes), name=f"{kind}_classifier{suffix}")


def build_video_classifier(frames: int = 8, frame_shape: Sequence[int] = (32, 32, 3), num_classes: int = 5,
                           filters: Sequence[int] = (16, 32), units: int = 32) -> keras.Model:
    """TimeDistributed CNN per frame → LSTM over time → softmax: the Part 3 hybrid video model."""
    shape = _shape("frame_shape", *frame_shape)
    frame = keras.Input(shape=shape, name="frame")
    frame_encoder = keras.Model(frame, _conv_features(frame, filters), name="frame_encoder")
    inputs = keras.Input(shape=(*_shape("frames", frames), *shape), name="clip")
    x = keras.layers.TimeDistributed(frame_encoder, name="per_frame_cnn")(inputs)
    x = keras.layers.LSTM(units, name="lstm")(x)
    return keras.Model(inputs, _classifier_head(x, num_classes), name="video_classifier")


def build_mlp(input_dim: int = 256, num_classes: int = 10, width: int = 1024, depth: int = 3) -> keras.Model:
    """``depth`` Dense layers of ``width`` units: pure matrix products, where tensor cores show their worth."""
    inputs = keras.Input(shape=_shape("input_dim", input_dim), name="features")
    x = inputs
    for index in range(depth):
        x = keras.layers.Dense(width, activation="relu", name=f"dense{index + 1}")(x)
    return keras.Model(inputs, _classifier_head(x, num_classes), name=f"mlp_{width}")


def synthetic_batch(model: keras.Model, batch_size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random inputs (int tokens for an Embedding input) and labels shaped for ``model``: speed does not depend on
    the values, so random data measures it honestly and needs no download."""
    (size,) = _shape("batch_size", batch_size)
    rng = np.random.default_rng(seed)
    spec = model.inputs[0]
    shape = (size, *spec.shape[1:])
    if "int" in str(spec.dtype):
        embedding = next(layer for layer in model.layers if isinstance(layer, keras.layers.Embedding))
        x = rng.integers(0, embedding.input_dim, size=shape).astype("int32")
    else:
        x = rng.random(shape, dtype=np.float32)
    y = rng.integers(0, int(model.outputs[0].shape[-1]), size=(size,)).astype("int32")
    return x, y
