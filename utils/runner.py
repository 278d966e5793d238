"""Execute the course's notebooks headless, in order, with a progress bar.

Two ways to use it:

* ``python -m utils.runner [notebooks ...]`` — run in place (``make notebooks``): each notebook is
  saved back with its outputs, refreshing the committed outputs and ``results/``.
* ``python -m utils.runner --summary build/course-run`` — the course run (``make run``): the notebooks
  stay untouched; executed copies go to ``build/course-run/notebooks/``, and a summary per notebook
  (pass/fail, run time, recorded results, key figures) is written as ``summary.md``, ``summary.html``
  and ``summary.json``; then the README's results table is regenerated from ``results/``.

A failing notebook is reported as failed and the run goes on; the exit status is 1 if any failed.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from utils.settings import repo_root, results_dir

CELL_TIMEOUT_SECONDS = 900
MAX_KEY_FIGURES = 4
"""Figures per notebook shown in the summary: evenly spread over the notebook, always including the last."""

STATIC_WIDGETS_ENV = "COURSE_STATIC_WIDGETS"
"""Headless runs have no widget front end, so notebooks draw static figures (see ``utils.interactive``)."""


@dataclass
class NotebookRun:
    """What one notebook's run produced."""

    name: str
    passed: bool
    seconds: float
    results: dict[str, float | int] = field(default_factory=dict)
    error: str = ""
    figures: list[bytes] = field(default_factory=list, repr=False)
    executed_copy: str = ""

    @property
    def stem(self) -> str:
        return Path(self.name).stem


def course_notebooks() -> list[Path]:
    """Every course notebook, in course order."""
    return sorted((repo_root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _error_text(notebook: nbformat.NotebookNode, exc: BaseException) -> str:
    """``Name: message`` of the first error output, or of the exception itself."""
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                where = f"cell {index + 1} of {len(notebook.cells)}"
                return f"{where}: {output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
    first_line = str(exc).strip().splitlines()[-1:] or [type(exc).__name__]
    return f"{type(exc).__name__}: {first_line[0]}"


def key_figures(notebook: nbformat.NotebookNode, limit: int = MAX_KEY_FIGURES) -> list[bytes]:
    """Up to ``limit`` PNG figures from the notebook's outputs, evenly spread, the last one included."""
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    pngs = [base64.b64decode(output["data"]["image/png"])
            for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]
    if len(pngs) <= limit:
        return pngs
    if limit == 1:
        return [pngs[-1]]
    step = (len(pngs) - 1) / (limit - 1)
    return [pngs[round(i * step)] for i in range(limit)]


def _fresh_results(stem: str, since: float) -> dict[str, float | int]:
    """The notebook's ``results/<stem>.json`` if this run wrote it (older files are not this run's)."""
    path = results_dir() / f"{stem}.json"
    if not path.is_file() or path.stat().st_mtime < since - 1:
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def execute_notebook(path: Path, output: Path | None = None, timeout: int = CELL_TIMEOUT_SECONDS,
                     on_cell: Callable[[int, int], None] | None = None) -> NotebookRun:
    """Run ``path`` top to bottom in a fresh kernel started in its folder.

    The executed notebook is written to ``output`` (``path`` itself when ``None``: in place), also
    when a cell fails, so the error can be read there. ``on_cell(done, total)`` reports progress.
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    total = sum(cell.cell_type == "code" for cell in notebook.cells)
    done = 0

    def cell_finished(**_: Any) -> None:
        nonlocal done
        done += 1
        if on_cell is not None:
            on_cell(done, total)

    os.environ.setdefault(STATIC_WIDGETS_ENV, "1")  # inherited by the kernel
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            on_cell_executed=cell_finished)
    if on_cell is not None:
        on_cell(0, total)
    started_wall, started = time.time(), time.perf_counter()
    error = ""
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        error = _error_text(notebook, exc)
    seconds = time.perf_counter() - started
    target = Path(output) if output is not None else path
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return NotebookRun(name=path.name, passed=not error, seconds=round(seconds, 1),
                       results=_fresh_results(path.stem, started_wall) if not error else {}, error=error,
                       figures=key_figures(notebook), executed_copy=str(target))


def run_course(paths: Sequence[Path], copies: Path | None = None, timeout: int = CELL_TIMEOUT_SECONDS,
               progress: bool = True) -> list[NotebookRun]:
    """Execute ``paths`` in order with a progress bar; copies go to ``copies`` (in place when ``None``)."""
    from tqdm.auto import tqdm

    runs: list[NotebookRun] = []
    with tqdm(total=len(paths), desc="course", unit="notebook", disable=not progress, file=sys.stderr) as bar:
        for path in paths:
            bar.set_postfix_str(path.name)
            with tqdm(desc=f"  {path.stem}", unit="cell", leave=False, disable=not progress, file=sys.stderr) as cells:
                def advance(done: int, total: int, cells: Any = cells) -> None:
                    cells.total = total
                    cells.update(done - cells.n)

                run = execute_notebook(path, None if copies is None else copies / path.name, timeout, advance)
            runs.append(run)
            bar.write(f"{'PASS' if run.passed else 'FAIL'}  {run.name}  {run.seconds:.0f} s"
                      + (f"  {run.error}" if run.error else ""))
            bar.update(1)
    return runs


def _format(value: float | int) -> str:
    return str(value) if isinstance(value, int) else f"{value:.4g}"


def _header(runs: Sequence[NotebookRun]) -> tuple[str, str]:
    passed = sum(run.passed for run in runs)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    profile = os.environ.get("COURSE_PROFILE") or "default"
    where = f"Python {platform.python_version()} on {platform.machine()}, profile {profile}"
    return (f"{passed} of {len(runs)} notebooks passed in {sum(run.seconds for run in runs):.0f} s",
            f"{when}; {where}")


def summary_markdown(runs: Sequence[NotebookRun], figure_links: dict[str, list[str]]) -> str:
    """The run as Markdown; ``figure_links`` maps a notebook stem to its saved figure files."""
    verdict, context = _header(runs)
    lines = ["# Course run", "", f"**{verdict}** ({context}).", "",
             "| notebook | status | time (s) | results |", "| --- | --- | ---: | ---: |"]
    lines += [f"| [{run.stem}](#{run.stem}) | {'pass' if run.passed else '**FAIL**'} | {run.seconds:.1f} | "
              f"{len(run.results)} |" for run in runs]
    for run in runs:
        lines += ["", f'<a id="{run.stem}"></a>', "", f"## {run.stem}: {'pass' if run.passed else 'FAIL'}", "",
                  f"Run time: {run.seconds:.1f} s. Executed notebook: [{run.executed_copy}]({run.executed_copy}).", ""]
        if run.error:
            lines += [f"Error: `{run.error}`", ""]
        if run.results:
            lines += ["| result | value |", "| --- | ---: |"]
            lines += [f"| `{key}` | {_format(value)} |" for key, value in run.results.items()]
            lines.append("")
        elif run.passed:
            lines += ["No results recorded in this run.", ""]
        lines += [f"![{run.stem} figure {number}]({link})" for number, link in
                  enumerate(figure_links.get(run.stem, []), start=1)]
    return "\n".join(lines).rstrip() + "\n"


def summary_html(runs: Sequence[NotebookRun]) -> str:
    """The run as one self-contained HTML page (figures embedded as data URIs)."""
    verdict, context = _header(runs)
    esc = html.escape
    rows = "".join(
        f"<tr><td><a href='#{esc(run.stem)}'>{esc(run.stem)}</a></td>"
        f"<td class='{'pass' if run.passed else 'fail'}'>{'pass' if run.passed else 'FAIL'}</td>"
        f"<td class='num'>{run.seconds:.1f}</td><td class='num'>{len(run.results)}</td></tr>" for run in runs)
    sections = []
    for run in runs:
        results = "".join(f"<tr><td><code>{esc(key)}</code></td><td class='num'>{_format(value)}</td></tr>"
                          for key, value in run.results.items())
        figures = "".join(f"<img alt='{esc(run.stem)} figure {number}' src='data:image/png;base64,"
                          f"{base64.b64encode(png).decode('ascii')}'>"
                          for number, png in enumerate(run.figures, start=1))
        sections.append(
            f"<section id='{esc(run.stem)}'><h2>{esc(run.stem)}: "
            f"<span class='{'pass' if run.passed else 'fail'}'>{'pass' if run.passed else 'FAIL'}</span></h2>"
            f"<p>Run time: {run.seconds:.1f} s. Executed notebook: "
            f"<a href='{esc(run.executed_copy)}'>{esc(run.executed_copy)}</a>.</p>"
            + (f"<p class='fail'>Error: <code>{esc(run.error)}</code></p>" if run.error else "")
            + (f"<table><tr><th>result</th><th>value</th></tr>{results}</table>" if results
               else "<p>No results recorded in this run.</p>" if run.passed else "")
            + (f"<div class='figures'>{figures}</div>" if figures else "") + "</section>")
    style = ("body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em}"
             ".num{text-align:right}.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:bold}"
             ".figures img{max-width:45%;margin:.3em;border:1px solid #eee;vertical-align:top}")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Course run</title>"
            f"<style>{style}</style></head><body><h1>Course run</h1><p><b>{esc(verdict)}</b> ({esc(context)}).</p>"
            f"<table><tr><th>notebook</th><th>status</th><th>time (s)</th><th>results</th></tr>{rows}</table>"
            f"{''.join(sections)}</body></html>\n")


def write_summary(runs: Sequence[NotebookRun], folder: Path) -> dict[str, Path]:
    """Write ``summary.md`` (figures as files in ``figures/``), ``summary.html`` and ``summary.json``."""
    folder = Path(folder)
    figures_dir = folder / "figures"
    figures_dir.mkdir(parents=True, exist_ok=True)
    for old in figures_dir.glob("*.png"):
        old.unlink()
    # Links relative to the summary, so the folder can be moved or published as it is.
    runs = [replace(run, executed_copy=os.path.relpath(run.executed_copy, folder)) if run.executed_copy else run
            for run in runs]
    links: dict[str, list[str]] = {}
    for run in runs:
        for number, png in enumerate(run.figures, start=1):
            (figures_dir / f"{run.stem}-{number}.png").write_bytes(png)
            links.setdefault(run.stem, []).append(f"figures/{run.stem}-{number}.png")
    paths = {"md": folder / "summary.md", "html": folder / "summary.html", "json": folder / "summary.json"}
    paths["md"].write_text(summary_markdown(runs, links), encoding="utf-8")
    paths["html"].write_text(summary_html(runs), encoding="utf-8")
    records = [{k: v for k, v in asdict(run).items() if k != "figures"} | {"figures": links.get(run.stem, [])}
               for run in runs]
    paths["json"].write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    return paths


def regenerate_readme() -> bool:
    """Refresh the README's generated blocks from ``results/``; False (with a message) if that fails."""
    from utils import readme

    try:
        return readme.main([]) == 0
    except (OSError, ValueError) as exc:
        print(f"README not regenerated: {exc}", file=sys.stderr)
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every course notebook, in order")
    parser.add_argument("--summary", type=Path, metavar="FOLDER",
                        help="course run: executed copies and summary.md/.html/.json go here; notebooks stay untouched")
    parser.add_argument("--in-place", action="store_true",
                        help="save outputs back into the notebooks (the default without --summary)")
    parser.add_argument("--no-readme", action="store_true", help="with --summary: leave README.md as it is")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT_SECONDS, help="seconds allowed per cell")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or course_notebooks()
    missing = [p for p in paths if not p.is_file()]
    if missing or not paths:
        print(f"No such notebook: {', '.join(map(str, missing)) or 'none found in notebooks/'}", file=sys.stderr)
        return 2
    copies = None if args.in_place or args.summary is None else args.summary.resolve() / "notebooks"
    runs = run_course(paths, copies, args.timeout, progress=not args.no_progress)
    if args.summary is not None:
        written = write_summary(runs, args.summary)
        print(f"Summary: {written['md']} and {written['html']}")
        if not args.no_readme:
            regenerate_readme()
    failed = [run.name for run in runs if not run.passed]
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
