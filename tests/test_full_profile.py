"""The ``full`` profile of every notebook, end to end, at smoke size on format-faithful fixtures.

Each notebook with a full path runs under papermill with ``PROFILE="full"`` (and ``DATASET=...`` where it has
that switch) and ``COURSE_SMOKE=1`` (``course.pick(..., smoke=...)`` sizes it down; same code path), against
the fixtures of ``fixtures_full_profile.py`` served from 127.0.0.1 through the real download path
(``$COURSE_MANIFEST_OVERRIDE``). The checks are structural: every cell ran, the profile really was ``full``,
and the results file holds finite numbers. Run with ``make test-full-profile`` (``pytest -m full_profile``).
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from fixtures_full_profile import FileServer, build, write_override

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
FULL_PATH = re.compile(r"course\.is_full|course\.smoke|course\.pick\(|profile [!=]= \"(?:full|default)\"|fetch\(")
DATASETS = {"02": ["mnist", "fashion_mnist", "cifar10"], "09": ["mini_speech_commands", "speech_commands"]}
"""Notebooks with a ``DATASET`` switch: the full profile runs once per data set."""
EXPECTED = {"02", "03", "04", "06", "07", "08", "09", "11", "12"}
"""The notebooks known to have a full path (those present must be found by the scan)."""
CELL_TIMEOUT = 600


def _code(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")


def full_profile_notebooks() -> list[Path]:
    """Every notebook whose code has a full-profile branch."""
    return [path for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if FULL_PATH.search(_code(path))]


RUNS = [pytest.param(path, {"DATASET": dataset} if dataset else {}, id="-".join(filter(None, [path.stem, dataset])))
        for path in full_profile_notebooks() for dataset in DATASETS.get(path.name[:2], [None])]


def test_every_notebook_with_a_full_path_is_run() -> None:
    present = {path.name[:2] for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    found = {path.name[:2] for path in full_profile_notebooks()}
    assert (EXPECTED & present) <= found, f"full path not detected in {sorted((EXPECTED & present) - found)}"
    for number in DATASETS:
        assert any(p.name.startswith(number) and "DATASET" in _code(p) for p in NOTEBOOKS.glob("*.ipynb"))


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """All fixtures, served on 127.0.0.1, and the environment that points the course at them."""
    root = tmp_path_factory.mktemp("full_profile")
    with FileServer(build(root / "served")) as server:
        yield {"COURSE_MANIFEST_OVERRIDE": str(write_override(root / "override.json", server)),
               "COURSE_DATA_DIR": str(root / "data"),  # shared: later notebooks find the cache, as a learner's do
               "COURSE_SMOKE": "1", "COURSE_STATIC_WIDGETS": "1", "MPLBACKEND": "Agg"}


@pytest.mark.full_profile
@pytest.mark.parametrize("path, extra", RUNS)
def test_full_profile_runs_end_to_end(path: Path, extra: dict[str, str], mirror: dict[str, str], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill

    for name, value in {**mirror, "COURSE_RESULTS_DIR": str(tmp_path / "results"),
                        "COURSE_CHECKPOINT_DIR": str(tmp_path / "checkpoints")}.items():
        monkeypatch.setenv(name, value)  # the kernel inherits them
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    output = ROOT / "build" / "full-profile" / f"{'-'.join([path.stem, *extra.values()])}.ipynb"  # kept to read
    output.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    executed = papermill.execute_notebook(str(path), str(output), parameters={"PROFILE": "full", **extra},
                                          cwd=str(NOTEBOOKS), kernel_name="python3", progress_bar=False,
                                          execution_timeout=CELL_TIMEOUT)
    print(f"{path.stem} {extra}: {time.perf_counter() - started:.0f} s")
    code_cells = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code_cells), "a code cell did not run"
    printed = "".join(output.get("text", "") for cell in code_cells for output in cell.get("outputs", []))
    assert "Profile: full" in printed, "the PROFILE parameter did not reach course.use_profile"
    results = json.loads((tmp_path / "results" / f"{path.stem}.json").read_text(encoding="utf-8"))
    numbers = {key: value for key, value in results.items() if key != "runtime_seconds"}
    assert numbers, "the notebook recorded no results"
    bad = {key: value for key, value in results.items()
           if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)}
    assert not bad, f"results that are not finite numbers: {bad}"
