"""The course runner (``python -m utils.runner``) on tiny synthetic notebooks: order, progress,
pass/fail with the run going on after a failure, per-notebook time and results, summaries, README."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from utils import runner
from utils.runner import NotebookRun, key_figures, main, summary_html, summary_markdown

RECORDS = """import json, os, pathlib
folder = pathlib.Path(os.environ["COURSE_RESULTS_DIR"])
folder.mkdir(parents=True, exist_ok=True)
(folder / "{stem}.json").write_text(json.dumps({{"accuracy": 0.875, "runtime_seconds": 0.5}}))"""
FIGURE = """import matplotlib.pyplot as plt
plt.plot([0, 1, 4, 9]); plt.title("squares"); plt.show()"""


def _write(folder: Path, name: str, *sources: str) -> Path:
    notebook = new_notebook(cells=[new_markdown_cell(f"# {name}"), *(new_code_cell(s) for s in sources)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / name
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Three notebooks: one passes and records results, one fails, one passes without recording."""
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setenv(runner.STATIC_WIDGETS_ENV, "placeholder")
    monkeypatch.delenv(runner.STATIC_WIDGETS_ENV)  # restored after the test, whatever the runner sets
    source = tmp_path / "notebooks"
    source.mkdir()
    stale = tmp_path / "results" / "03_quiet.json"  # left over from an older run: must not be reported
    stale.parent.mkdir()
    stale.write_text(json.dumps({"old_number": 1.0}))
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    return {
        "ok": _write(source, "01_ok.ipynb", FIGURE, RECORDS.format(stem="01_ok"),
                     'import os; print("static widgets:", os.environ.get("COURSE_STATIC_WIDGETS"))'),
        "bad": _write(source, "02_bad.ipynb", "x = 1", 'raise ValueError("this notebook is broken")',
                      "print('unreached')"),
        "quiet": _write(source, "03_quiet.ipynb", FIGURE, "print('done')"),
        "out": tmp_path / "course-run",
    }


def test_course_run_summarises_every_notebook_and_goes_on_after_a_failure(
        course: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    originals = {key: course[key].read_bytes() for key in ("ok", "bad", "quiet")}
    status = main([str(course["ok"]), str(course["bad"]), str(course["quiet"]), "--summary", str(course["out"]),
                   "--no-readme"])
    assert status == 1, "a failing notebook must give a non-zero exit status"
    err = capsys.readouterr().err
    assert "3/3" in err, "the progress bar should count the notebooks"
    assert "Failed: 02_bad.ipynb" in err

    # Notebooks are not modified; executed copies are written, the failing one with its error.
    assert {key: course[key].read_bytes() for key in originals} == originals
    copies = course["out"] / "notebooks"
    executed = nbformat.read(copies / "01_ok.ipynb", as_version=4)
    assert [cell.execution_count for cell in executed.cells if cell.cell_type == "code"] == [1, 2, 3]
    assert "static widgets: 1" in executed.cells[-1].outputs[0]["text"]
    failed = nbformat.read(copies / "02_bad.ipynb", as_version=4)
    assert any(output.get("ename") == "ValueError" for output in failed.cells[2].outputs)
    assert nbformat.read(copies / "03_quiet.ipynb", as_version=4).cells[-1].outputs[0]["text"] == "done\n"

    records = {record["name"]: record for record in json.loads((course["out"] / "summary.json").read_text())}
    assert list(records) == ["01_ok.ipynb", "02_bad.ipynb", "03_quiet.ipynb"]
    assert [records[name]["passed"] for name in records] == [True, False, True]
    assert all(record["seconds"] > 0 for record in records.values())
    assert records["01_ok.ipynb"]["results"] == {"accuracy": 0.875, "runtime_seconds": 0.5}
    assert records["03_quiet.ipynb"]["results"] == {}, "a results file older than the run is not this run's"
    assert "ValueError: this notebook is broken" in records["02_bad.ipynb"]["error"]
    assert records["01_ok.ipynb"]["figures"] == ["figures/01_ok-1.png"]
    assert (course["out"] / "figures" / "01_ok-1.png").read_bytes().startswith(b"\x89PNG")

    markdown = (course["out"] / "summary.md").read_text()
    assert "**2 of 3 notebooks passed" in markdown
    for stem, verdict in (("01_ok", "pass"), ("02_bad", "FAIL"), ("03_quiet", "pass")):
        assert f"## {stem}: {verdict}" in markdown
        seconds = records[f"{stem}.ipynb"]["seconds"]
        assert f"| [{stem}](#{stem}) | {'pass' if verdict == 'pass' else '**FAIL**'} | {seconds:.1f} |" in markdown
    assert "| `accuracy` | 0.875 |" in markdown
    assert "![01_ok figure 1](figures/01_ok-1.png)" in markdown
    assert "[notebooks/02_bad.ipynb](notebooks/02_bad.ipynb)" in markdown

    page = (course["out"] / "summary.html").read_text()
    assert page.count("src='data:image/png;base64,") == 2, "one embedded figure each for 01 and 03"
    assert "<code>accuracy</code>" in page and "this notebook is broken" in page


def test_in_place_mode_saves_outputs_into_the_notebook(course: dict[str, Path]) -> None:
    assert main([str(course["quiet"]), "--no-progress"]) == 0
    notebook = nbformat.read(course["quiet"], as_version=4)
    assert notebook.cells[-1].outputs[0]["text"] == "done\n"
    assert not course["out"].exists(), "in-place runs write no summary"


def test_missing_notebook_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "07_missing.ipynb"), "--no-progress"]) == 2
    assert "No such notebook" in capsys.readouterr().err


def test_course_run_regenerates_the_readme_unless_told_not_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from utils import readme

    calls: list[list[str]] = []
    monkeypatch.setattr(readme, "main", lambda argv=None: calls.append(argv) or 0)
    monkeypatch.setattr(runner, "run_course", lambda paths, copies, timeout, progress: [
        NotebookRun(name=p.name, passed=True, seconds=1.0, results={"n": 1}) for p in paths])
    notebook = _write(tmp_path, "01_a.ipynb", "1")
    assert main([str(notebook), "--summary", str(tmp_path / "run")]) == 0
    assert calls == [[]]
    assert main([str(notebook), "--summary", str(tmp_path / "run"), "--no-readme"]) == 0
    assert calls == [[]]


def _png(index: int) -> dict[str, object]:
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(f"png-{index}".encode()).decode(), "text/plain": "<Figure>"}}


@settings(max_examples=40, deadline=None)
@given(count=st.integers(0, 12), limit=st.integers(0, 6))
def test_key_figures_are_spread_in_order_and_keep_the_last(count: int, limit: int) -> None:
    notebook = new_notebook(cells=[new_code_cell("plot()", outputs=[_png(i)]) for i in range(count)])
    picked = [int(png.decode().split("-")[1]) for png in key_figures(notebook, limit)]
    assert len(picked) == min(count, limit)
    assert picked == sorted(set(picked)), "figures keep notebook order, no repeats"
    if picked:
        assert picked[-1] == count - 1, "the last figure (usually the evaluation) is always shown"


def test_key_figures_rejects_a_negative_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        key_figures(new_notebook(), -1)


names = st.from_regex(r"[0-9]{2}_[a-z]{1,8}", fullmatch=True)


@settings(max_examples=30, deadline=None)
@given(runs=st.lists(st.builds(NotebookRun, name=names.map(lambda s: s + ".ipynb"), passed=st.booleans(),
                               seconds=st.floats(0, 1e4), results=st.dictionaries(
                                   st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
                                   st.integers(-10**6, 10**6) | st.floats(-1e6, 1e6, allow_nan=False)),
                               error=st.text(max_size=30)),
                    max_size=5, unique_by=lambda run: run.name))
def test_summaries_list_every_notebook_with_status_and_time(runs: list[NotebookRun]) -> None:
    markdown, page = summary_markdown(runs, {}), summary_html(runs)
    assert f"**{sum(r.passed for r in runs)} of {len(runs)} notebooks passed" in markdown
    for run in runs:
        verdict = "pass" if run.passed else "FAIL"
        assert f"## {run.stem}: {verdict}" in markdown
        assert f"Run time: {run.seconds:.1f} s." in markdown and f"Run time: {run.seconds:.1f} s." in page
        assert f"id='{run.stem}'" in page
        for key in run.results:
            assert f"| `{key}` |" in markdown
