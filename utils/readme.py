"""Regenerate the generated parts of README.md from recorded results: ``python -m utils.readme``.

Each generated block sits between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` markers;
``--check`` exits non-zero when the README is out of date (the tests use it).
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
    """One row per recorded result: notebook, key, value."""
    rows = ["| notebook | result | value |", "| --- | --- | ---: |"]
    for stem, values in load_results(repo_root() / "results").items():
        for key, value in values.items():
            rows.append(f"| `{stem}` | `{key}` | {_format(value)} |")
    return "\n".join(rows)


GENERATORS: dict[str, Callable[[], str]] = {"results": results_table}


def render(text: str, generators: dict[str, Callable[[], str]] | None = None) -> str:
    """Replace every generated block in ``text`` with freshly generated content."""
    for name, generate in (generators or GENERATORS).items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)", re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"README has no '<!-- {name}:start -->' ... '<!-- {name}:end -->' block")
        text = pattern.sub(lambda match, g=generate: match.group(1) + g() + match.group(2), text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if README.md is not up to date")
    args = parser.parse_args(argv)
    path = repo_root() / "README.md"
    current = path.read_text(encoding="utf-8")
    fresh = render(current)
    if args.check:
        if fresh != current:
            print("README.md is out of date with results/; run `make readme`.", file=sys.stderr)
            return 1
        return 0
    path.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
