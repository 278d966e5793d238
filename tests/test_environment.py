"""pyproject.toml, environment.yml and the lock files agree on what gets installed, and this is what is installed."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

TEST_TOOLS = {"pytest", "nbval", "hypothesis", "ruff", "playwright", "jax", "jaxlib", "papermill"}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _requirements(lines: list[str]) -> list[Requirement]:
    return [Requirement(line.split("#")[0].strip()) for line in lines if line.split("#")[0].strip()]


def _lock(name: str) -> dict[str, Requirement]:
    """``requirements/<name>.lock`` as name -> requirement (each an exact ``==`` pin, maybe with a marker)."""
    return {canonicalize_name(req.name): req for req in _requirements((ROOT / "requirements" / f"{name}.lock")
                                                                      .read_text().splitlines())}


def _pinned_version(requirement: Requirement) -> str | None:
    specs = list(requirement.specifier)
    return specs[0].version if len(specs) == 1 and specs[0].operator == "==" else None


def _environment_pip_requirements() -> list[str]:
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    return [line.strip()[2:] for line in lines[start + 1:] if line.strip().startswith("- ")]


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower()


def test_environment_yml_installs_what_make_lab_installs() -> None:
    project = _project()
    wanted = project["dependencies"] + project["optional-dependencies"]["lab"]
    assert sorted(map(_normalise, _environment_pip_requirements())) == sorted(map(_normalise, wanted))
    python = re.search(r"^\s*- python=(\d+\.\d+)\s*$", (ROOT / "environment.yml").read_text(), re.MULTILINE)
    assert python and SpecifierSet(project["requires-python"]).contains(f"{python.group(1)}.99")


def test_every_dependency_is_pinned_or_bounded() -> None:
    project = _project()
    extras = [requirement for extra in project["optional-dependencies"].values() for requirement in extra]
    for requirement in project["dependencies"] + extras:
        assert re.search(r"(==|<)", requirement), f"{requirement} is neither pinned nor bounded"


@pytest.mark.parametrize("lock, extras", [("lab", ("lab",)), ("test", ("lab", "test"))])
def test_lock_files_hold_every_pin_of_pyproject(lock: str, extras: tuple[str, ...]) -> None:
    project, locked = _project(), _lock(lock)
    wanted = project["dependencies"] + [r for extra in extras for r in project["optional-dependencies"][extra]]
    direct = _requirements(wanted)
    for requirement in direct:
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is in pyproject.toml but not in requirements/{lock}.lock: run `make lock`"
        version = _pinned_version(locked[name])
        assert version and requirement.specifier.contains(version, prereleases=True), \
            f"requirements/{lock}.lock has {name}=={version}, pyproject.toml wants {requirement}: run `make lock`"
    assert all(_pinned_version(requirement) for requirement in locked.values()), "a lock pins every package exactly"
    header = (ROOT / "requirements" / f"{lock}.lock").read_text().splitlines()[1]
    python = re.search(r"--python-version (\S+)", header)
    assert python and f">={python.group(1)}," in project["requires-python"], "lock and requires-python disagree"


def test_make_lab_installs_no_test_tools_and_agrees_with_make_test() -> None:
    project = _project()
    assert not {canonicalize_name(Requirement(r).name) for r in project["dependencies"]
                + project["optional-dependencies"]["lab"]} & TEST_TOOLS
    lab, test = _lock("lab"), _lock("test")
    assert not set(lab) & TEST_TOOLS, f"requirements/lab.lock pulls in test tools: {sorted(set(lab) & TEST_TOOLS)}"
    assert {name: str(req.specifier) for name, req in lab.items() if name in test} == \
        {name: str(test[name].specifier) for name in lab if name in test}, "lab and test locks pin different versions"


def test_colab_lock_has_colabs_versions_and_the_course_pins_elsewhere() -> None:
    colab_file = (ROOT / "tests" / "colab_versions.txt").read_text()
    assert re.search(r"snapshot \d{4}-\d\d-\d\d", colab_file), "say which Colab snapshot the versions come from"
    python = re.search(r"^# python (\d+\.\d+)$", colab_file, re.MULTILINE)
    colab, locked = _requirements(colab_file.splitlines()), _lock("colab")
    assert python and f"--python-version {python.group(1)} " in (ROOT / "requirements" / "colab.lock").read_text()
    for requirement in colab:
        assert _pinned_version(locked[canonicalize_name(requirement.name)]) == _pinned_version(requirement)
    overridden = {canonicalize_name(r.name) for r in colab}
    for requirement in _requirements(_project()["dependencies"]):
        name = canonicalize_name(requirement.name)
        if name not in overridden:
            assert requirement.specifier.contains(_pinned_version(locked[name]), prereleases=True), name


@pytest.mark.skipif(Path(sys.prefix).resolve() != (ROOT / ".venv").resolve(),
                    reason="runs inside the course's .venv only (the one make installs from requirements/test.lock)")
def test_the_venv_has_exactly_the_locked_versions() -> None:
    wrong = []
    for name, requirement in _lock("test").items():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = "missing"
        if installed != _pinned_version(requirement):
            wrong.append(f"{name}: {installed}, locked {_pinned_version(requirement)}")
    assert not wrong, f"the venv differs from requirements/test.lock (run make test again): {wrong}"


def test_this_python_is_one_the_course_supports() -> None:
    version = ".".join(map(str, sys.version_info[:3]))
    assert SpecifierSet(_project()["requires-python"]).contains(version), version


def test_no_top_level_utils_package_is_installed() -> None:
    """The course's ``utils`` is found through sys.path (set-up cell, conftest), never from site-packages."""
    probe = ("import importlib.metadata as m, importlib.util as u\n"
             "s = u.find_spec('utils')\n"
             "try:\n    m.distribution('cnn-rnn-course'); installed = 'installed'\n"
             "except m.PackageNotFoundError:\n    installed = ''\n"
             "print(installed, s.origin if s else '')")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-c", probe], cwd="/", env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert "installed" not in out, "the course is installed as a package: pip uninstall cnn-rnn-course"
    assert not out or not Path(out[-1]).resolve().is_relative_to(ROOT), f"utils imports from {out[-1]} outside the repo"


def test_core_packages_import() -> None:
    import keras
    import matplotlib
    import seaborn
    import sklearn
    import statsmodels
    import tensorflow

    assert keras.__version__.startswith("3.")
    assert all(module.__version__ for module in (matplotlib, seaborn, sklearn, statsmodels, tensorflow))
