"""What every notebook shares: its file name pattern, its Colab link and its set-up cell (checked by
tests/test_notebook_conventions.py and tests/test_colab.py)."""

from __future__ import annotations

import re

REPOSITORY = "keras-course/cnn-rnn-course"
BRANCH = "main"
CLONE_FOLDER = "cnn-rnn-course"
NOTEBOOK_NAME = re.compile(r"^(\d\d)_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb$")


def colab_url(stem: str) -> str:
    """The Colab link for ``notebooks/<stem>.ipynb`` on the default branch."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/notebooks/{stem}.ipynb"


def setup_cell_source(stem: str) -> str:
    """The set-up cell, identical in every notebook but for the notebook's own stem."""
    return f'''# Set-up, the same in every notebook: find the course (on Colab, clone it first), seed, report the hardware.
import os, pathlib, subprocess, sys

if "google.colab" in sys.modules and not pathlib.Path("{CLONE_FOLDER}").exists():
    repo_url = os.environ.get("COURSE_REPO_URL", "https://github.com/{REPOSITORY}.git")
    subprocess.run(["git", "clone", "--quiet", "--depth=1", repo_url, "{CLONE_FOLDER}"], check=True)
candidates = [pathlib.Path.cwd(), *pathlib.Path.cwd().parents, pathlib.Path("{CLONE_FOLDER}").resolve()]
ROOT = next((folder for folder in candidates if (folder / "utils" / "setup.py").is_file()), None)
if ROOT is None:
    raise FileNotFoundError("The course folder (the one holding utils/setup.py) is neither here nor above: "
                            "start Jupyter inside the course folder, e.g. with `make lab`.")
sys.path.insert(0, str(ROOT))

from utils.setup import setup_notebook

course = setup_notebook("{stem}")'''
