"""Unit tests for the foundation helpers: settings, results, hardware policy, seeding, README generation."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT
from utils import readme, settings
from utils.hardware import read_switch
from utils.results import ResultsRecorder, load_results


def test_profile_defaults_to_default(monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    assert settings.resolve_profile() == "default"


def test_profile_from_environment_is_normalised(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", " Full ")
    assert settings.resolve_profile() == "full"


def test_explicit_profile_wins_over_environment(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert settings.resolve_profile("default") == "default"


def test_unknown_profile_lists_valid_ones(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    with pytest.raises(ValueError, match=r"Unknown course profile 'fast'.*default, full"):
        settings.resolve_profile()


def test_data_dir_follows_environment(monkeypatch, tmp_path):
    target = tmp_path / "cache" / "nested"
    monkeypatch.setenv("COURSE_DATA_DIR", str(target))
    assert settings.data_dir() == target
    assert target.is_dir()


def test_data_dir_defaults_to_repo_data(monkeypatch):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    assert settings.data_dir() == ROOT / "data"


def test_results_recorder_writes_flat_json_with_runtime(tmp_path):
    recorder = ResultsRecorder("07_example", directory=tmp_path)
    recorder.record(accuracy=np.float32(0.98765432), parameters=np.int64(1234))
    written = recorder.save()
    on_disk = json.loads((tmp_path / "07_example.json").read_text())
    assert on_disk == written
    assert on_disk["parameters"] == 1234 and isinstance(on_disk["parameters"], int)
    assert on_disk["accuracy"] == pytest.approx(0.987654, abs=1e-6)
    assert on_disk["runtime_seconds"] >= 0
    assert list(on_disk) == sorted(on_disk)


@pytest.mark.parametrize("bad", ["0.9", None, True, float("nan"), float("inf"), [1, 2]])
def test_results_reject_non_numbers(tmp_path, bad):
    with pytest.raises(ValueError, match="result 'x'"):
        ResultsRecorder("07_example", directory=tmp_path).record(x=bad)


@pytest.mark.parametrize("stem", ["", "notebooks/07_x", "07_x.ipynb"])
def test_results_reject_bad_stems(stem):
    with pytest.raises(ValueError, match="stem must be"):
        ResultsRecorder(stem)


def test_load_results_reads_every_file(tmp_path):
    for stem, value in [("01_a", 1), ("02_b", 2)]:
        ResultsRecorder(stem, directory=tmp_path).record(value=value)
        (tmp_path / f"{stem}.json").write_text(json.dumps({"value": value}))
    assert load_results(tmp_path) == {"01_a": {"value": 1}, "02_b": {"value": 2}}


def test_bad_switch_value_is_reported(monkeypatch):
    monkeypatch.setenv("COURSE_MIXED_PRECISION", "yes")
    with pytest.raises(ValueError, match="COURSE_MIXED_PRECISION='yes' is not valid; use one of auto, on, off"):
        read_switch("COURSE_MIXED_PRECISION")


def test_setup_notebook_seeds_reports_and_records(tmp_path):
    """In a fresh interpreter: no native log noise on stderr, a report on stdout, reproducible draws."""
    code = (
        "from utils.setup import setup_notebook\n"
        "course = setup_notebook('99_probe', seed=7)\n"
        "import keras, numpy as np\n"
        "a = keras.random.uniform((3,), seed=None).numpy().tolist(); b = np.random.rand(2).tolist()\n"
        "course.use_profile(None); course.record(value=1.5); print('RESULT', course.finish()['value'], a, b)\n"
    )
    env = {"COURSE_RESULTS_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
            for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
        for line in ("Backend   : tensorflow", "Precision : float32", "XLA       : off"):
            assert line in run.stdout
        assert "oneDNN" not in run.stderr and "cuda" not in run.stderr.lower()
    assert runs[0].stdout.splitlines()[-1] == runs[1].stdout.splitlines()[-1]
    assert json.loads((tmp_path / "99_probe.json").read_text())["value"] == 1.5


def test_readme_render_replaces_only_marked_block():
    text = "intro\n<!-- results:start -->\nold\n<!-- results:end -->\noutro\n"
    expected = "intro\n<!-- results:start -->\nnew\n<!-- results:end -->\noutro\n"
    assert readme.render(text, {"results": lambda: "new"}) == expected


def test_readme_render_requires_markers():
    with pytest.raises(ValueError, match="no '<!-- results:start -->'"):
        readme.render("no markers here", {"results": lambda: "x"})


def test_readme_is_up_to_date_with_results():
    assert readme.main(["--check"]) == 0, "README.md is stale: run `make readme`"


def test_every_notebook_has_recorded_results():
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    recorded = load_results(ROOT / "results")
    assert notebooks, "no notebooks found"
    for notebook in notebooks:
        assert notebook.stem in recorded, f"results/{notebook.stem}.json is missing; run `make notebooks`"
        assert recorded[notebook.stem].get("runtime_seconds", 0) > 0
