"""Execute the course's notebooks in order, each in a fresh kernel in ``notebooks/``; exit status 1 if any failed.

``python -m utils.runner`` (``make notebooks``) refreshes them and ``results/`` in place (a failed one is left as it
was); ``--out build/run`` (``make run``) writes the copies, results, checkpoints and ``summary.md`` there instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellControlSignal, DeadKernelError

from utils.settings import repo_root


def execute(path: Path, target: Path | None, timeout: int = 900) -> str:
    """Run ``path`` top to bottom and save it to ``target`` (in place when ``None``, and only if it passed).

    Returns the error as ``Name: message``, or ``""`` when every cell ran.
    """
    notebook = nbformat.read(path, as_version=4)
    try:
        NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        error = ""
    except (CellControlSignal, DeadKernelError) as exc:  # a cell's error or timeout, a crashed kernel
        error = f"{getattr(exc, 'ename', type(exc).__name__)}: {getattr(exc, 'evalue', str(exc).splitlines()[-1])}"
    if target is not None or not error:
        nbformat.write(notebook, target or path)
    return error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every course notebook, in order")
    parser.add_argument("--out", type=Path, metavar="FOLDER", help="write everything here instead of in place")
    args = parser.parse_args(argv)
    course = sorted((repo_root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    paths = [path.resolve() for path in args.notebooks] or course
    missing = [str(path) for path in paths if not path.is_file()]
    if missing or not paths:
        print(f"No such notebook: {', '.join(missing) or 'none in notebooks/'}", file=sys.stderr)
        return 2
    os.environ.setdefault("COURSE_STATIC_WIDGETS", "1")  # no widget front end: static figures (utils.interactive)
    out = args.out.resolve() if args.out else None
    if out is not None:  # the kernels inherit these: results and checkpoints stay under FOLDER
        (out / "notebooks").mkdir(parents=True, exist_ok=True)
        os.environ["COURSE_RESULTS_DIR"] = str(out / "results")
        os.environ["COURSE_CHECKPOINT_DIR"] = str(out / "checkpoints")
    rows = ["| notebook | status | seconds | results |", "| --- | --- | ---: | --- |"]
    failed = []
    for path in paths:
        results_file = (out or repo_root()) / "results" / f"{path.stem}.json"
        if out is not None:
            results_file.unlink(missing_ok=True)  # a file left by an earlier run must not count as this run's
        started = time.perf_counter()
        error = execute(path, out / "notebooks" / path.name if out else None)
        seconds = time.perf_counter() - started
        status = "FAIL" if error else "pass"
        print(f"{status}  {path.name}  {seconds:.0f} s  {error}".rstrip(), flush=True)
        failed += [path.name] if error else []
        if out is not None:
            results = json.loads(results_file.read_text()) if results_file.is_file() and not error else {}
            shown = ("<br>".join(f"`{key}` = {value}" for key, value in results.items()) or error).replace("|", "/")
            rows.append(f"| [{path.stem}](notebooks/{path.name}) | {status} | {seconds:.0f} | {shown} |")
    if out is not None:
        summary = f"# Course run\n\n{len(paths) - len(failed)} of {len(paths)} notebooks passed.\n\n" + "\n".join(rows)
        (out / "summary.md").write_text(summary + "\n", encoding="utf-8")
        print(f"Summary: {out / 'summary.md'}")
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
