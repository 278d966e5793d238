"""pyproject.toml, environment.yml and the Makefile agree on what gets installed."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower()


def _environment_pip_requirements() -> list[str]:
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    return [line.strip()[2:] for line in lines[start + 1:] if line.strip().startswith("- ")]


def test_environment_yml_pins_match_pyproject():
    project = _pyproject()["project"]
    wanted = set(project["dependencies"]) | set(project["optional-dependencies"]["test"])
    assert sorted(map(_normalise, _environment_pip_requirements())) == sorted(map(_normalise, wanted))


def test_every_dependency_is_pinned_or_bounded():
    project = _pyproject()["project"]
    extras = [requirement for extra in project["optional-dependencies"].values() for requirement in extra]
    for requirement in project["dependencies"] + extras:
        assert re.search(r"(==|<)", requirement), f"{requirement} is neither pinned nor bounded"


def test_python_versions_agree():
    assert _pyproject()["project"]["requires-python"] == ">=3.11,<3.14"
    assert re.search(r"^\s*- python=3\.1[123]\s*$", (ROOT / "environment.yml").read_text(), re.MULTILINE)
    assert "(3, 11) <= v <= (3, 13)" in (ROOT / "Makefile").read_text()


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line for line in ci.splitlines() if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))]
    assert commands == ["make test"]
    assert "make test" in (ROOT / "README.md").read_text() and "make lab" in (ROOT / "README.md").read_text()


def test_core_packages_import():
    import keras
    import matplotlib
    import seaborn
    import sklearn
    import statsmodels
    import tensorflow

    assert keras.__version__.startswith("3.")
    assert all(module.__version__ for module in (matplotlib, seaborn, sklearn, statsmodels, tensorflow))
