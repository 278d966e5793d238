"""utils/, tests/ and the notebooks pass ruff (pyproject.toml holds the rules, and the few relaxed for notebooks)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize("folder", ["utils", "tests", "notebooks"])
def test_ruff_passes(folder: str) -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is not installed: run `make test` (it installs requirements/test.lock)"
    run = subprocess.run([ruff, "check", folder], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
