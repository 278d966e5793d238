"""Execute notebooks headless, in order, in place: ``python -m utils.runner [notebooks ...]``.

Used by ``make notebooks`` to refresh the committed outputs and ``results/``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from utils.settings import repo_root

CELL_TIMEOUT_SECONDS = 900


def course_notebooks() -> list[Path]:
    """Every course notebook, in course order."""
    return sorted((repo_root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def execute_notebook(path: Path, timeout: int = CELL_TIMEOUT_SECONDS) -> float:
    """Run ``path`` top to bottom in a fresh kernel, save it with its outputs; return seconds taken."""
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(notebook, path)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every course notebook, in order")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or course_notebooks()
    for path in paths:
        if not path.is_file():
            print(f"No such notebook: {path}", file=sys.stderr)
            return 2
        print(f"Running {path.name} ...", flush=True)
        print(f"  done in {execute_notebook(path):.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
