"""The course runner (``python -m utils.runner``) on tiny notebooks: in place, or everything under a build folder."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from utils.runner import main

RECORDS = """import json, os, pathlib
folder = pathlib.Path(os.environ.get("COURSE_RESULTS_DIR", "{fallback}"))
folder.mkdir(parents=True, exist_ok=True)
checkpoints = os.environ.get("COURSE_CHECKPOINT_DIR", "")
(folder / "01_ok.json").write_text(json.dumps({{"accuracy": 0.875, "checkpoints": checkpoints}}))"""


def _write(path: Path, *sources: str) -> Path:
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def notebooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    for variable in ("COURSE_RESULTS_DIR", "COURSE_CHECKPOINT_DIR", "COURSE_STATIC_WIDGETS"):
        monkeypatch.setenv(variable, "placeholder")
        monkeypatch.delenv(variable)  # whatever the runner sets is undone after the test
    folder = tmp_path / "notebooks"
    folder.mkdir()
    return {"ok": _write(folder / "01_ok.ipynb", RECORDS.format(fallback=tmp_path / "unset"),
                         'import os; print("static:", os.environ["COURSE_STATIC_WIDGETS"], "cwd:", os.getcwd())'),
            "bad": _write(folder / "02_bad.ipynb", "x = 1", 'raise ValueError("this notebook is broken")'),
            "out": tmp_path / "build" / "run"}


def test_out_folder_run_leaves_the_notebooks_alone_and_summarises(notebooks: dict[str, Path],
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    before = {key: notebooks[key].read_bytes() for key in ("ok", "bad")}
    assert main([str(notebooks["ok"]), str(notebooks["bad"]), "--out", str(notebooks["out"])]) == 1
    assert {key: notebooks[key].read_bytes() for key in before} == before
    assert "Failed: 02_bad.ipynb" in capsys.readouterr().err

    out = notebooks["out"]
    executed = nbformat.read(out / "notebooks" / "01_ok.ipynb", as_version=4)
    assert f"static: 1 cwd: {notebooks['ok'].parent}" in executed.cells[1].outputs[0]["text"]
    failed = nbformat.read(out / "notebooks" / "02_bad.ipynb", as_version=4)
    assert failed.cells[1].outputs[0]["ename"] == "ValueError", "the failing copy shows its error"
    recorded = json.loads((out / "results" / "01_ok.json").read_text())
    assert recorded == {"accuracy": 0.875, "checkpoints": str(out / "checkpoints")}
    summary = (out / "summary.md").read_text()
    assert "1 of 2 notebooks passed" in summary
    assert "| [01_ok](notebooks/01_ok.ipynb) | pass |" in summary and "`accuracy` = 0.875" in summary
    assert "| [02_bad](notebooks/02_bad.ipynb) | FAIL |" in summary and "this notebook is broken" in summary


def test_in_place_run_saves_outputs_but_never_a_failed_notebook(notebooks: dict[str, Path]) -> None:
    bad_before = notebooks["bad"].read_bytes()
    assert main([str(notebooks["ok"]), str(notebooks["bad"])]) == 1
    assert nbformat.read(notebooks["ok"], as_version=4).cells[1].outputs, "outputs saved in place"
    assert notebooks["bad"].read_bytes() == bad_before
    assert not notebooks["out"].exists()


def test_missing_notebook_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "07_missing.ipynb")]) == 2
    assert "No such notebook" in capsys.readouterr().err
