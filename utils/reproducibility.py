"""Seeding in one call, so a rerun of a notebook gives the same numbers on the same machine.

Introduced in ``00_welcome_and_setup``.
"""

from __future__ import annotations

import os
import random

import numpy as np

DEFAULT_SEED = 42


def set_seeds(seed: int = DEFAULT_SEED, deterministic: bool = True) -> None:
    """Seed Python, NumPy and Keras (and the backend); ask the backend for deterministic ops.

    Op determinism costs a little speed on GPUs and makes some rarely used ops raise an
    error; pass ``deterministic=False`` to trade reproducibility for speed.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(seed)
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
