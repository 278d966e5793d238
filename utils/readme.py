"""Regenerate the blocks of README.md between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` from recorded
results: ``python -m utils.readme`` (``--check``: exit 1 when README.md is out of date).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable

from utils.results import load_results
from utils.settings import repo_root


def _format(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def results_table() -> str:
    """One row per notebook: every recorded result (``runtime_seconds`` is in the syllabus table)."""
    rows = ["| notebook | recorded results |", "| --- | --- |"]
    for stem, values in load_results(repo_root() / "results").items():
        if re.match(r"^\d\d_", stem):  # device benchmarks have their own section
            shown = [f"`{key}` = {_format(value)}" for key, value in values.items() if key != "runtime_seconds"]
            rows.append(f"| [`{stem}`](notebooks/{stem}.ipynb) | {'<br>'.join(shown)} |")
    return "\n".join(rows)


def syllabus_table() -> str:
    """One row per notebook, from its header and its recorded run: title, data, CPU time, GPU note, Colab badge."""
    import nbformat

    results = load_results(repo_root() / "results")
    rows = ["| # | notebook | default data | CPU time (measured) | on a GPU | Colab |",
            "| --- | --- | --- | ---: | --- | --- |"]
    for path in sorted((repo_root() / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        header = nbformat.read(path, as_version=4).cells[0].source
        badge = re.search(r"\[!\[Open In Colab\]\(\S+\)\]\(\S+\)", header)  # the notebook's own badge
        title = header.splitlines()[0].lstrip("# ").split("·", 1)[-1].strip()
        run_time = re.search(r"\*\*Run time:\*\*[^;]*;\s*(.+)", header)
        data = re.search(r"\*\*Data:\*\*\s*(.+?)\.?$", header, re.MULTILINE)
        gpu_note = run_time.group(1).strip().rstrip(".") if run_time else ""
        seconds = results.get(path.stem, {}).get("runtime_seconds")
        cpu_time = "not yet run" if not seconds else f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"
        rows.append(f"| {path.name[:2]} | [{title}](notebooks/{path.name}) | {data.group(1) if data else ''} "
                    f"| {cpu_time} | {gpu_note} | {badge.group(0) if badge else ''} |")
    return "\n".join(rows)


def gpu_benchmarks() -> str:
    """The GPU benchmark reports (``results/gpu_benchmark_*.md``), or a note that none was measured yet."""
    reports = sorted((repo_root() / "results").glob("gpu_benchmark_*.md"))
    if not reports:
        return "GPU throughput is still to be measured: run `python -m utils.benchmark` on a GPU machine."
    return "\n\n".join("##" + path.read_text(encoding="utf-8").strip() for path in reports)


def data_table() -> str:
    """The downloadable data sets of the full profile, from the one manifest in ``utils.downloads``."""
    from utils.downloads import manifest_markdown
    return manifest_markdown()


GENERATORS: dict[str, Callable[[], str]] = {"syllabus": syllabus_table, "gpu": gpu_benchmarks,
                                           "data": data_table, "results": results_table}


def render(text: str, generators: dict[str, Callable[[], str]] | None = None) -> str:
    """Replace every generated block in ``text`` with freshly generated content."""
    for name, generate in (generators or GENERATORS).items():
        pattern = re.compile(rf"(<!-- {name}:start -->)\n?.*?\n?(<!-- {name}:end -->)", re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"README has no '<!-- {name}:start -->' ... '<!-- {name}:end -->' block")
        text = pattern.sub(lambda match, g=generate: f"{match.group(1)}\n{g()}\n{match.group(2)}", text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if README.md is not up to date")
    check = parser.parse_args(argv).check
    path = repo_root() / "README.md"
    current = path.read_text(encoding="utf-8")
    fresh = render(current)
    if not check:
        path.write_text(fresh, encoding="utf-8")
    elif fresh != current:
        print("README.md is out of date with results/; run `make readme`.", file=sys.stderr)
    return int(check and fresh != current)


if __name__ == "__main__":
    sys.exit(main())
