"""Course-wide settings (notebook 00): the run profile and the folders, each set by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

PROFILES: tuple[str, ...] = ("default", "full")
"""``default``: offline, sized for a 2-core CPU (what CI runs); ``full``: real data sets, meant for a GPU."""
PROFILE_ENV = "COURSE_PROFILE"


def repo_root() -> Path:
    """The folder that holds ``utils/`` (found from this file, so any working directory works)."""
    return Path(__file__).resolve().parent.parent


def resolve_profile(profile: str | None = None) -> str:
    """A valid profile name: ``profile`` if given, else ``$COURSE_PROFILE``, else ``default``."""
    if profile is not None and not isinstance(profile, str):
        raise ValueError(f"profile must be a string ({', '.join(PROFILES)}) or None, got {profile!r}")
    name = (profile if profile is not None else os.environ.get(PROFILE_ENV, "").strip() or "default").strip().lower()
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
    path = repo_root() / Path(raw or default).expanduser()  # an absolute path replaces the repository root
    label = f"{variable}={raw!r}" if raw else f"{path} ({variable} unset)"
    if path.exists() and not path.is_dir():
        raise ValueError(f"{label} points to a file, not a folder. Point it at a folder (it is created if missing).")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"{label} cannot be created ({exc.strerror}). Choose a writable folder.") from exc
    if not os.access(path, os.W_OK):
        raise ValueError(f"{label} is not writable. Choose a writable folder.")
    return path


def data_dir() -> Path:
    """Cache folder for downloaded data sets: ``$COURSE_DATA_DIR`` or ``<repo>/data``."""
    return _folder("COURSE_DATA_DIR", "data")


def results_dir() -> Path:
    """Where notebooks record their headline numbers: ``$COURSE_RESULTS_DIR`` or ``<repo>/results``."""
    return _folder("COURSE_RESULTS_DIR", "results")


def checkpoint_dir() -> Path:
    """Training checkpoints and backups: ``$COURSE_CHECKPOINT_DIR`` (on Colab, on Drive) or ``<repo>/checkpoints``."""
    return _folder("COURSE_CHECKPOINT_DIR", "checkpoints")
