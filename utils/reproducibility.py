"""Seeding in one call, so a rerun of a notebook gives the same numbers on the same machine.

Introduced in ``00_welcome_and_setup``.
"""

from __future__ import annotations

import os
import random

import numpy as np

DEFAULT_SEED = 42


def set_seeds(seed: int = DEFAULT_SEED) -> None:
    """Seed Python, NumPy and Keras (and the backend), so a rerun draws the same numbers."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(seed)


def set_op_determinism(enabled: bool) -> bool:
    """Ask TensorFlow for deterministic ops (or stop asking); return what is in force.

    Determinism makes reruns on the same machine byte-identical, but Keras then refuses
    ``jit_compile=True`` and some GPU kernels get slower, so the GPU policy turns it off
    on GPUs and whenever XLA is requested. Other backends: nothing to switch, returns False.
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        return False
    # The public API can only switch determinism on; Keras itself reads this module to decide about XLA.
    from tensorflow.python.framework import config as tf_config

    if enabled:
        tf_config.enable_op_determinism()
    else:
        tf_config.disable_op_determinism()
    return bool(tf_config.is_op_determinism_enabled())
