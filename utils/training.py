"""Training that survives an interruption: ``fit_resumable`` wires checkpoints and a backup into ``fit``.

Used by the longer notebooks (first in ``11_video_classification``). A Colab disconnect or a
kernel restart in the middle of ``fit`` costs at most the epoch that was running: run the same
cell again and training resumes from the last completed epoch.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from utils.settings import repo_root

_RUN_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
HISTORY_FILE = "history.csv"
BACKUP_FOLDER = "backup"
SIGNATURE_FILE = "model_signature.json"


def checkpoint_dir(run_name: str, checkpoint_root: Path | None = None) -> Path:
    """Where the checkpoints of ``run_name`` live: ``checkpoint_root/run_name`` (default ``<repo>/checkpoints``)."""
    if not isinstance(run_name, str) or not _RUN_NAME_RE.fullmatch(run_name) or run_name in {".", ".."}:
        raise ValueError(f"run_name must be a simple folder name (letters, digits, '_', '-', '.'), got {run_name!r}")
    return Path(checkpoint_root if checkpoint_root is not None else repo_root() / "checkpoints") / run_name


def has_backup(run_name: str, checkpoint_root: Path | None = None) -> bool:
    """True when an interrupted run of ``run_name`` left a backup that the next ``fit_resumable`` resumes."""
    return (checkpoint_dir(run_name, checkpoint_root) / BACKUP_FOLDER / "training_metadata.json").is_file()


def discard_backup(run_name: str, checkpoint_root: Path | None = None) -> None:
    """Forget an interrupted run so that the next ``fit_resumable`` starts from epoch 0."""
    folder = checkpoint_dir(run_name, checkpoint_root)
    shutil.rmtree(folder / BACKUP_FOLDER, ignore_errors=True)
    (folder / HISTORY_FILE).unlink(missing_ok=True)


def read_history(path: Path) -> dict[str, list[float]]:
    """The per-epoch log written by ``fit_resumable`` (one row per completed epoch, last row per epoch wins)."""
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        rows = {int(row["epoch"]): row for row in csv.DictReader(handle) if row.get("epoch", "").isdigit()}
    keys = [k for k in (next(iter(rows.values())) if rows else {}) if k != "epoch"]
    columns = {key: [_number(rows[e].get(key)) for e in sorted(rows)] for key in keys}
    return {key: values for key, values in columns.items() if not all(math.isnan(v) for v in values)}


def _number(text: str | None) -> float:
    """CSVLogger writes ``NA`` for a metric missing in an epoch."""
    try:
        return float(text) if text is not None else math.nan
    except ValueError:
        return math.nan


def model_signature(model: Any) -> dict[str, Any]:
    """What a backup must match to be restored: weight shapes and dtypes, and the optimizer's class."""
    return {"weights": [[list(w.shape), str(w.dtype)] for w in model.weights],
            "optimizer": type(model.optimizer).__name__}


def _backup_matches(folder: Path, model: Any) -> bool:
    try:
        return json.loads((folder / SIGNATURE_FILE).read_text(encoding="utf-8")) == model_signature(model)
    except (OSError, ValueError):
        return False


def _monitor(validation_data: Any, fit_kwargs: dict[str, Any]) -> str:
    validating = validation_data is not None or bool(fit_kwargs.get("validation_split"))
    return "val_loss" if validating else "loss"


def fit_resumable(model: Any, train_data: Any, *, run_name: str, epochs: int, validation_data: Any = None,
                  checkpoint_root: Path | None = None, tensorboard: bool = False, **fit_kwargs: Any) -> Any:
    """``model.fit`` that resumes after an interruption; returns the ``History`` of the whole run.

    Writes to ``checkpoint_root/run_name/`` (default ``<repo>/checkpoints/<run_name>``, git-ignored):

    * ``backup/`` (``keras.callbacks.BackupAndRestore``): weights, optimizer state and epoch number at
      the end of every epoch. If the process dies (Colab disconnect, kernel restart, out of memory),
      calling ``fit_resumable`` again with the same model and arguments restores them and continues
      from the last completed epoch; completed epochs are not repeated.
    * ``latest.keras`` (every epoch) and ``best.keras`` (best ``val_loss``, or ``loss`` without
      validation data), both loadable with ``keras.models.load_model``.
    * ``history.csv``: one row per completed epoch, so the returned ``History`` covers the epochs
      before an interruption too.

    A run that completes deletes its backup, so calling ``fit_resumable`` again trains afresh from
    epoch 0 (and overwrites the checkpoints). Use :func:`discard_backup` to throw away an interrupted
    run instead of resuming it; a backup written by a different model (other weight shapes or
    optimizer) is discarded with a warning. ``tensorboard=True`` also writes logs to ``<repo>/logs/<run_name>``.
    The model must be built (give it a ``keras.Input``) and compiled; other keyword arguments
    (``batch_size``, ``callbacks``, ``verbose``, ...) go to ``fit``. A resumed run ends with the
    same weights as an uninterrupted one when the input order is deterministic (``shuffle=False``
    or a seeded pipeline); with shuffled data it continues correctly but sees other batches.
    """
    folder = checkpoint_dir(run_name, checkpoint_root)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    import keras

    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model, got {type(model).__name__}")
    if not model.built:
        raise ValueError("the model must be built before fit_resumable can back it up: start it with "
                         "keras.Input(shape=...) or call it once on a batch")
    if not getattr(model, "compiled", False) or getattr(model, "optimizer", None) is None:
        raise ValueError("compile the model (optimizer and loss) before fit_resumable")
    for reserved in ("epochs", "initial_epoch"):
        if reserved in fit_kwargs:
            raise ValueError(f"fit_resumable sets {reserved} itself (a resumed run starts where it stopped); "
                             f"remove {reserved}=")
    extra = fit_kwargs.pop("callbacks", None) or []
    if not isinstance(extra, Sequence):
        raise ValueError(f"callbacks must be a list of keras callbacks, got {type(extra).__name__}")

    folder.mkdir(parents=True, exist_ok=True)
    history_path = folder / HISTORY_FILE
    resuming = has_backup(run_name, checkpoint_root)
    if resuming and not _backup_matches(folder, model):
        warnings.warn(f"{folder / BACKUP_FOLDER} holds an interrupted run of a different model (other layers or "
                      "optimizer); it cannot be resumed, so this run starts from epoch 0.", stacklevel=2)
        discard_backup(run_name, checkpoint_root)
        resuming = False
    if not resuming:
        history_path.unlink(missing_ok=True)  # a completed earlier run: start a fresh log
        (folder / SIGNATURE_FILE).write_text(json.dumps(model_signature(model)) + "\n", encoding="utf-8")
    monitor = _monitor(validation_data, fit_kwargs)
    earlier = read_history(history_path).get(monitor, [])
    best_so_far = min((v for v in earlier if math.isfinite(v)), default=None)

    callbacks: list[Any] = [
        # Logged before the backup is written: if the process dies in between, the epoch is rerun
        # and its row rewritten (read_history keeps the last row per epoch).
        keras.callbacks.CSVLogger(str(history_path), append=True),
        keras.callbacks.BackupAndRestore(str(folder / BACKUP_FOLDER), save_freq="epoch",
                                         double_checkpoint=True, delete_checkpoint=True),
        keras.callbacks.ModelCheckpoint(str(folder / "best.keras"), monitor=monitor, mode="min",
                                        save_best_only=True, initial_value_threshold=best_so_far),
        keras.callbacks.ModelCheckpoint(str(folder / "latest.keras")),
    ]
    if tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(repo_root() / "logs" / run_name)))
    # BackupAndRestore tells fit where to resume through model._initial_epoch and never resets it, so a
    # later fit of the same model would silently skip epochs: clear it before and after.
    model._initial_epoch = None
    try:
        history = model.fit(train_data, epochs=epochs, validation_data=validation_data,
                            callbacks=[*callbacks, *extra], **fit_kwargs)
    finally:
        model._initial_epoch = None
    whole = read_history(history_path)
    if whole and len(next(iter(whole.values()))) == epochs:
        history.history = whole
        history.epoch = list(range(epochs))
    return history
