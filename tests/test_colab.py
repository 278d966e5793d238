"""Colab, simulated: the badges point at each notebook, and the set-up cell's Colab branch clones the
course from a (local) git remote, imports ``utils`` from the clone and installs nothing it does not need.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from tests.notebook_format import BRANCH, CLONE_FOLDER, REPOSITORY, colab_url, setup_cell_source
from utils.setup import COLAB_EXTRAS, missing_packages

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_badge_links_to_its_own_notebook_on_the_default_branch(path: Path) -> None:
    header = nbformat.read(path, as_version=4).cells[0]
    assert header.cell_type == "markdown"
    url = colab_url(path.stem)
    assert url == (f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/"
                   f"notebooks/{path.name}")
    assert f"]({url})" in header.source, f"{path.name}: the Open in Colab badge must link to {url}"
    assert header.source.count("colab.research.google.com/github/") == 1, "exactly one badge, to this notebook"


def test_every_colab_extra_is_installed_here_so_nothing_is_fetched() -> None:
    assert COLAB_EXTRAS, "the Colab extras list is empty"
    assert missing_packages() == []


def test_missing_packages_reports_only_what_cannot_be_imported() -> None:
    extras = {"json": "json-is-stdlib", "no_such_module_for_the_course": "no-such-package==1.0"}
    assert missing_packages(extras) == ["no-such-package==1.0"]


def _course_snapshot(tmp: Path) -> str:
    """The working tree as it is now (tracked and new, not ignored files) committed to a temp repository.

    Returns a file:// URL, so ``git clone --depth=1`` behaves as it does against GitHub.
    """
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    source = tmp / "origin"
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    git = ["git", "-c", "user.name=Course", "-c", "user.email=course@example.invalid", "-c", "init.defaultBranch=main",
           "-c", "commit.gpgsign=false"]
    for command in (["init", "--quiet"], ["add", "--all"], ["commit", "--quiet", "-m", "snapshot"]):
        subprocess.run([*git, *command], cwd=source, check=True, capture_output=True)
    return source.as_uri()


# Runs in a fresh interpreter that believes it is Colab: google.colab importable (a stub) and already
# imported, as Colab's kernel does at start-up. Every subprocess call is recorded so the test can prove
# that only the clone ran and nothing was pip-installed.
COLAB_KERNEL = textwrap.dedent("""
    import json, subprocess, sys
    import google.colab

    calls = []
    real_run = subprocess.run
    def recording_run(args, *rest, **kwargs):
        calls.append([str(a) for a in args])
        return real_run(args, *rest, **kwargs)
    subprocess.run = recording_run

    for _ in range(2):  # running the set-up cell twice must not clone twice
        exec(compile(open(sys.argv[1]).read(), "setup-cell", "exec"))

    from utils.plots import show_frames      # a later cell's import
    import utils, utils.plots
    from utils.setup import missing_packages
    print(json.dumps({"root": str(ROOT), "utils": utils.__file__, "plots": utils.plots.__file__,
                      "in_colab": course.in_colab, "stem": course.stem, "missing": missing_packages(),
                      "calls": calls}))
""")


def test_setup_cell_on_colab_clones_the_course_and_imports_utils_from_the_clone(tmp_path: Path) -> None:
    repo_url = _course_snapshot(tmp_path)
    stub = tmp_path / "stub" / "google" / "colab"  # no google/__init__.py: 'google' stays a namespace package
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text('"""Stand-in for Colab\'s google.colab module."""\n', encoding="utf-8")
    content = tmp_path / "content"  # Colab's working directory
    content.mkdir()
    cell = tmp_path / "setup_cell.py"
    cell.write_text(setup_cell_source("00_welcome_and_setup"), encoding="utf-8")
    kernel = tmp_path / "colab_kernel.py"
    kernel.write_text(COLAB_KERNEL, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(PYTHONPATH=str(tmp_path / "stub"), COURSE_REPO_URL=repo_url, TF_CPP_MIN_LOG_LEVEL="3",
               COURSE_RESULTS_DIR=str(tmp_path / "results"), COURSE_DATA_DIR=str(tmp_path / "data"),
               PIP_NO_INDEX="1")  # belt and braces: even a stray pip call could not reach the network

    finished = subprocess.run([sys.executable, str(kernel), str(cell)], cwd=content, env=env, capture_output=True,
                              text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(finished.stdout.strip().splitlines()[-1])

    clone = (content / CLONE_FOLDER).resolve()
    assert (clone / ".git").is_dir() and (clone / "utils" / "setup.py").is_file(), "the course was not cloned"
    assert Path(report["root"]).resolve() == clone
    assert Path(report["utils"]).resolve().is_relative_to(clone), f"utils came from {report['utils']}, not the clone"
    assert Path(report["plots"]).resolve().is_relative_to(clone)
    assert report["in_colab"] is True and report["stem"] == "00_welcome_and_setup"
    assert report["missing"] == []
    clones = [call for call in report["calls"] if call[:2] == ["git", "clone"]]
    assert len(clones) == 1 and clones[0][-2:] == [repo_url, CLONE_FOLDER], report["calls"]
    assert not [call for call in report["calls"] if "pip" in call], f"pip ran: {report['calls']}"
    assert "(Colab)" in finished.stdout, "the hardware report should say it runs on Colab"
    # The clone is this working tree: the same notebook 00 as here.
    assert (clone / "notebooks" / "00_welcome_and_setup.ipynb").read_bytes() == \
        (ROOT / "notebooks" / "00_welcome_and_setup.ipynb").read_bytes()


def test_setup_cell_outside_colab_does_not_clone(tmp_path: Path) -> None:
    source = setup_cell_source("00_welcome_and_setup")
    colab_branch = source.split("ROOT = ")[0]
    namespace: dict[str, object] = {}
    cwd = Path.cwd()
    try:
        os.chdir(tmp_path)
        exec(compile(colab_branch, "setup-cell", "exec"), namespace)  # only the clone step, google.colab absent
    finally:
        os.chdir(cwd)
    assert "google.colab" not in sys.modules
    assert not (tmp_path / CLONE_FOLDER).exists()


def test_colab_extras_install_the_versions_that_the_colab_run_tested() -> None:
    from packaging.requirements import Requirement

    locked = dict(line.split("==") for line in (ROOT / "requirements" / "colab.lock").read_text().splitlines()
                  if "==" in line and not line.startswith(" "))
    for requirement in map(Requirement, COLAB_EXTRAS.values()):
        assert requirement.specifier.contains(locked[requirement.name]), f"{requirement} vs colab.lock"
