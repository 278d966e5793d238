"""Course-wide settings: the run profile, the repository root and the data/results/checkpoint folders.

Introduced in ``00_welcome_and_setup``. Every setting can be changed with an
environment variable so that the same notebook runs on a laptop, in Colab and in CI.
"""

from __future__ import annotations

import os
from pathlib import Path

PROFILES: tuple[str, ...] = ("default", "full")
"""``default``: offline, sized for a 2-core CPU (what CI runs); ``full``: real data sets, meant for a GPU."""

PROFILE_ENV = "COURSE_PROFILE"
DATA_DIR_ENV = "COURSE_DATA_DIR"
RESULTS_DIR_ENV = "COURSE_RESULTS_DIR"
CHECKPOINT_DIR_ENV = "COURSE_CHECKPOINT_DIR"


def repo_root() -> Path:
    """The folder that holds ``utils/`` (found from this file, so any working directory works)."""
    return Path(__file__).resolve().parent.parent


def resolve_profile(profile: str | None = None) -> str:
    """Return a valid profile name: ``profile`` if given, else ``$COURSE_PROFILE``, else ``default``.

    Raises:
        ValueError: if the name is not one of :data:`PROFILES`.
    """
    if profile is not None and not isinstance(profile, str):
        raise ValueError(f"profile must be a string ({', '.join(PROFILES)}) or None, got {profile!r}")
    name = profile if profile is not None else os.environ.get(PROFILE_ENV, "").strip() or "default"
    name = name.strip().lower()
    if name not in PROFILES:
        raise ValueError(
            f"Unknown course profile {name!r}. Valid profiles: {', '.join(PROFILES)}. "
            f"Set {PROFILE_ENV}=default (offline, CPU-sized) or {PROFILE_ENV}=full (real data sets, GPU)."
        )
    return name


def _folder(variable: str, default: str) -> Path:
    """``$variable`` (relative paths count from the repository) or ``<repo>/default``, created and writable."""
    raw = os.environ.get(variable)
    if raw is not None and raw.strip() == "":
        raise ValueError(f"{variable} is set but empty. Unset it to use {repo_root() / default}, or give a folder.")
    path = Path(raw or default).expanduser()
    if not path.is_absolute():  # the same folder whether the kernel starts in notebooks/ or the repo root
        path = repo_root() / path
    label = f"{variable}={raw!r}" if raw else f"{path} ({variable} unset)"
    if path.exists() and not path.is_dir():
        raise ValueError(f"{label} points to a file, not a folder. "
                         "Point it at a folder (it is created if missing).")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"{label} cannot be created ({exc.strerror}). Choose a writable folder.") from exc
    if not os.access(path, os.W_OK):
        raise ValueError(f"{label} is not writable. Choose a writable folder.")
    return path


def data_dir() -> Path:
    """Cache folder for downloaded data sets: ``$COURSE_DATA_DIR`` or ``<repo>/data``."""
    return _folder(DATA_DIR_ENV, "data")


def results_dir() -> Path:
    """Where notebooks record their headline numbers: ``$COURSE_RESULTS_DIR`` or ``<repo>/results``."""
    return _folder(RESULTS_DIR_ENV, "results")


def checkpoint_dir() -> Path:
    """Where training saves checkpoints and backups: ``$COURSE_CHECKPOINT_DIR`` or ``<repo>/checkpoints``.

    On Colab, point it at Google Drive (``/content/drive/MyDrive/...``) so that a resume survives a VM reset.
    """
    return _folder(CHECKPOINT_DIR_ENV, "checkpoints")
