"""A bad COURSE_PROFILE or COURSE_DATA_DIR gives a clear error that says what to do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from utils import settings
from utils.downloads import fetch
from utils.settings import PROFILES, data_dir, resolve_profile, results_dir


@pytest.mark.parametrize("value", ["fast", "gpu", "Full profile", "defualt", "0"])
def test_unknown_profile_from_the_environment(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_PROFILE", value)
    with pytest.raises(ValueError, match=r"Unknown course profile .*Valid profiles: default, full\. "
                                         r"Set COURSE_PROFILE=default .* or COURSE_PROFILE=full"):
        resolve_profile()


@pytest.mark.parametrize("value", ["FULL", " full ", "Default"])
def test_profile_is_case_and_space_insensitive(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_PROFILE", value)
    assert resolve_profile() == value.strip().lower()


def test_blank_profile_means_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_PROFILE", "   ")
    assert resolve_profile() == "default"


@given(st.text(max_size=12))
def test_any_profile_name_is_valid_or_a_clear_error(name: str) -> None:
    try:
        resolved = resolve_profile(name)
    except ValueError as exc:
        assert "Valid profiles: default, full" in str(exc)
    else:
        assert resolved in PROFILES


def test_empty_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", "")
    with pytest.raises(ValueError, match=r"COURSE_DATA_DIR is set but empty\. Unset it to use .*data, or give a "):
        data_dir()


def test_data_dir_that_is_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "data.txt"
    not_a_folder.write_text("x")
    monkeypatch.setenv("COURSE_DATA_DIR", str(not_a_folder))
    with pytest.raises(ValueError, match=r"COURSE_DATA_DIR=.*data\.txt' points to a file, not a folder"):
        data_dir()


def test_data_dir_that_cannot_be_created(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("COURSE_DATA_DIR", str(blocker / "sub"))
    with pytest.raises(ValueError, match=r"COURSE_DATA_DIR=.*sub' cannot be created \(Not a directory\)\. "
                                         r"Choose a writable folder"):
        data_dir()


def _make_unwritable(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod for a normal user; root ignores permissions, so there os.access is told the truth we want."""
    folder.chmod(0o500)
    if os.geteuid() == 0:
        real_access = os.access
        monkeypatch.setattr(settings.os, "access", lambda p, mode: False if Path(p) == folder else real_access(p, mode))


def test_data_dir_that_is_not_writable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir()
    _make_unwritable(folder, monkeypatch)
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    try:
        with pytest.raises(ValueError, match=r"COURSE_DATA_DIR=.*readonly' is not writable\. Choose a writable folder"):
            data_dir()
        with pytest.raises(ValueError, match="is not writable"):  # fetch reports it before any download
            fetch("mnist")
    finally:
        folder.chmod(0o700)


def test_results_dir_that_is_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    target.write_text("{}")
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(target))
    with pytest.raises(ValueError, match=r"COURSE_RESULTS_DIR=.*points to a file, not a folder"):
        results_dir()


def test_good_data_dir_is_created(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "new" / "cache"))
    assert data_dir() == tmp_path / "new" / "cache" and data_dir().is_dir()
