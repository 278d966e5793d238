"""The course's notebook conventions as code: header, the shared set-up cell, the parameters
cell and the closing sections. ``tests/test_notebook_conventions.py`` checks every notebook
against them, and :func:`build_notebook` writes a new notebook that follows them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import nbformat

REPOSITORY = "keras-course/cnn-rnn-course"
BRANCH = "main"
CLONE_FOLDER = "cnn-rnn-course"
NOTEBOOK_NAME = re.compile(r"^(\d\d)_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb$")
REQUIRED_HEADER_PHRASES = ("What you will learn", "Prerequisites", "Run time")
REQUIRED_CLOSING_HEADINGS = ("Key takeaways", "Exercises")
PARAMETERS_TAG = "parameters"


def colab_url(stem: str) -> str:
    """The Colab link for ``notebooks/<stem>.ipynb`` on the default branch."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/notebooks/{stem}.ipynb"


def colab_badge(stem: str) -> str:
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(stem)})"


def header_markdown(stem: str, title: str, learn: Sequence[str], prerequisites: str, cpu_minutes: float,
                    gpu_note: str) -> str:
    """The fixed header: title, badge, what you will learn, prerequisites, run time on CPU and GPU."""
    bullets = "\n".join(f"- {item}" for item in learn)
    return (
        f"# {title}\n\n{colab_badge(stem)}\n\n**What you will learn**\n\n{bullets}\n\n"
        f"**Prerequisites:** {prerequisites}\n\n"
        f"**Run time:** about {cpu_minutes:g} min on a 2-core CPU (default profile); {gpu_note}"
    )


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


def closing_markdown(takeaways: Sequence[str], exercises: Sequence[tuple[str, str]]) -> str:
    """Key takeaways, then exercises each with a collapsible solution."""
    points = "\n".join(f"- {item}" for item in takeaways)
    tasks = "\n\n".join(
        f"{number}. {task}\n\n<details><summary>Solution</summary>\n\n{solution}\n\n</details>"
        for number, (task, solution) in enumerate(exercises, start=1)
    )
    return f"## Key takeaways\n\n{points}\n\n## Exercises\n\n{tasks}"


DEFAULT_PARAMETERS = 'PROFILE = None  # None: $COURSE_PROFILE or "default" (offline, CPU-sized); "full": real data sets, GPU-sized'


def build_notebook(path: Path, header: str, cells: Sequence[tuple[str, str]], closing: str,
                   parameters: str = DEFAULT_PARAMETERS) -> Path:
    """Write a notebook in the course layout: header, set-up cell, parameters cell, ``cells``, closing.

    ``cells`` is a list of ``("markdown" | "code", source)``; the last code cell should call
    ``course.finish()``.
    """
    stem = Path(path).stem
    if not NOTEBOOK_NAME.match(Path(path).name):
        raise ValueError(f"notebook file names look like 'NN_short_title.ipynb', got {Path(path).name!r}")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.update({
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "accelerator": "GPU",
        "colab": {"provenance": []},
    })
    body = [nbformat.v4.new_markdown_cell(header), nbformat.v4.new_code_cell(setup_cell_source(stem)),
            nbformat.v4.new_code_cell(parameters, metadata={"tags": [PARAMETERS_TAG]})]
    for kind, source in cells:
        if kind not in ("markdown", "code"):
            raise ValueError(f"cell kind must be 'markdown' or 'code', got {kind!r}")
        body.append(nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source))
    body.append(nbformat.v4.new_markdown_cell(closing))
    notebook.cells = body
    nbformat.validate(notebook)
    Path(path).write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    return Path(path)
