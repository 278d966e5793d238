"""Training that survives an interruption: ``model.fit`` with Keras' ``BackupAndRestore`` callback.

Introduced in ``00_welcome_and_setup`` (where the checkpoint folder is explained), used in
``11_video_classification``. If ``fit`` is interrupted (a Colab disconnect, a kernel restart),
run the same cell again: training resumes after the last completed epoch.
"""

from __future__ import annotations

from typing import Any

from utils.settings import checkpoint_dir


def fit_resumable(model: Any, train_data: Any, *, run_name: str, epochs: int, validation_data: Any = None,
                  **fit_kwargs: Any) -> Any:
    """``model.fit`` that backs up weights, optimizer state and epoch to ``<checkpoint dir>/<run_name>``.

    The folder is ``$COURSE_CHECKPOINT_DIR/<run_name>`` (default ``<repo>/checkpoints/<run_name>``).
    After an interruption, the next call with the same model restores the backup and runs only the
    epochs that were not completed, so the returned ``History`` holds those epochs. A run that
    completes deletes its backup; delete the folder by hand to start an interrupted run afresh.
    Other keyword arguments (``batch_size``, ``callbacks``, ``verbose``, ...) go to ``fit``.
    """
    import keras

    if not isinstance(run_name, str) or not run_name or "/" in run_name or run_name in {".", ".."}:
        raise ValueError(f"run_name must be a simple folder name, got {run_name!r}")
    backup = keras.callbacks.BackupAndRestore(str(checkpoint_dir() / run_name))
    callbacks = [backup, *fit_kwargs.pop("callbacks", [])]
    history = model.fit(train_data, epochs=epochs, validation_data=validation_data, callbacks=callbacks, **fit_kwargs)
    model._initial_epoch = None  # Keras keeps the restored epoch for later fits; test_resume fails once it stops
    return history
