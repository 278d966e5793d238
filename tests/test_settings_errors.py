"""A bad COURSE_PROFILE or folder setting gives a clear error that says what to do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from utils import settings
from utils.settings import PROFILES, checkpoint_dir, data_dir, resolve_profile, results_dir

FOLDERS = {"COURSE_DATA_DIR": data_dir, "COURSE_RESULTS_DIR": results_dir, "COURSE_CHECKPOINT_DIR": checkpoint_dir}


@pytest.mark.parametrize("value", ["fast", "gpu", "Full profile", "defualt", "0"])
def test_unknown_profile_lists_the_valid_ones(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_PROFILE", value)
    with pytest.raises(ValueError, match=r"Unknown course profile .*Valid profiles: default, full"):
        resolve_profile()


@pytest.mark.parametrize("value, expected", [("FULL", "full"), (" full ", "full"), ("Default", "default"),
                                             ("   ", "default")])
def test_profile_is_case_and_space_insensitive_and_blank_means_default(value: str, expected: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_PROFILE", value)
    assert resolve_profile() == expected


@given(st.text(max_size=12))
def test_any_profile_name_is_valid_or_a_clear_error(name: str) -> None:
    try:
        resolved = resolve_profile(name)
    except ValueError as exc:
        assert "Valid profiles: default, full" in str(exc)
    else:
        assert resolved in PROFILES


def _unwritable(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """chmod for a normal user; root ignores permissions, so there os.access is told the truth we want."""
    folder.mkdir()
    folder.chmod(0o500)
    real_access = os.access
    monkeypatch.setattr(settings.os, "access", lambda p, mode: False if Path(p) == folder else real_access(p, mode))
    return folder


@pytest.mark.parametrize("variable", FOLDERS)
@pytest.mark.parametrize("make, fragment", [
    (lambda tmp, mp: "", "is set but empty"),
    (lambda tmp, mp: (tmp / "notes.txt").write_text("x") and tmp / "notes.txt", "points to a file, not a folder"),
    (lambda tmp, mp: (tmp / "notes.txt").write_text("x") and tmp / "notes.txt" / "sub", "cannot be created"),
    (lambda tmp, mp: _unwritable(tmp / "locked", mp), "is not writable"),
], ids=["empty", "a file", "below a file", "not writable"])
def test_bad_folder_setting(variable: str, make, fragment: str, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, str(make(tmp_path, monkeypatch)))
    with pytest.raises(ValueError, match=fragment):
        FOLDERS[variable]()


@pytest.mark.parametrize("variable", FOLDERS)
def test_folder_setting_is_created_and_relative_paths_count_from_the_course(
        variable: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, str(tmp_path / "new" / "cache"))
    assert FOLDERS[variable]() == tmp_path / "new" / "cache" and (tmp_path / "new" / "cache").is_dir()
    monkeypatch.setenv(variable, "build/settings-test")
    assert FOLDERS[variable]() == settings.repo_root() / "build" / "settings-test"
    monkeypatch.delenv(variable)
    assert FOLDERS[variable]().parent == settings.repo_root()
