"""Training that survives an interruption (notebooks 00 and 11): ``model.fit`` with Keras' ``BackupAndRestore``."""

from __future__ import annotations

import contextlib
from typing import Any

from utils.settings import checkpoint_dir


def fit_resumable(model: Any, train_data: Any, *, run_name: str, epochs: int, validation_data: Any = None,
                  **fit_kwargs: Any) -> Any:
    """``model.fit`` that backs up weights, optimizer state and epoch after each epoch; other keywords go to ``fit``.

    The next call after an interruption runs only the epochs not completed (the returned ``History`` holds those).
    The backup, ``<checkpoint dir>/<run_name>/<dtype policy>-<parameter count>``, is deleted once the run completes;
    another model, or a run under another precision policy, never resumes it.
    """
    import keras
    if not isinstance(run_name, str) or not run_name or "/" in run_name or run_name in {".", ".."}:
        raise ValueError(f"run_name must be a simple folder name, got {run_name!r}")
    if not getattr(model, "built", False):
        raise ValueError("fit_resumable needs a built model (one with an Input, or call model.build(input_shape)): "
                         "its backup folder is named after its parameter count")
    folder = checkpoint_dir() / run_name / f"{model.dtype_policy.name}-{model.count_params()}"
    callbacks = [keras.callbacks.BackupAndRestore(str(folder)), *fit_kwargs.pop("callbacks", [])]
    history = model.fit(train_data, epochs=epochs, validation_data=validation_data, callbacks=callbacks, **fit_kwargs)
    model._initial_epoch = None  # Keras keeps the restored epoch for later fits; test_resume fails once it stops
    with contextlib.suppress(OSError):  # the run's folder, empty once its backup is deleted
        folder.parent.rmdir()
    return history
