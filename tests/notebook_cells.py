"""Run the code a notebook is *about* (its cells tagged ``from-scratch``) so unit tests can exercise it.

Notebooks 01 and 05 write the convolution, pooling and recurrent steps in their own cells, where a
learner edits them; there is no copy in ``utils/``. The tests load those cells from the committed
notebook and test them, so the code under test is exactly the code the learner reads.
"""

from __future__ import annotations

from typing import Any

import nbformat

from tests.conftest import ROOT

FROM_SCRATCH_TAG = "from-scratch"


def notebook_namespace(stem: str, tag: str = FROM_SCRATCH_TAG) -> dict[str, Any]:
    """Execute, in order, the code cells of ``notebooks/<stem>.ipynb`` tagged ``tag``; return their globals."""
    notebook = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    cells = [cell for cell in notebook.cells if cell.cell_type == "code" and tag in cell.metadata.get("tags", [])]
    if not cells:
        raise AssertionError(f"notebooks/{stem}.ipynb has no code cell tagged {tag!r}")
    namespace: dict[str, Any] = {"__name__": f"notebook_{stem}"}
    for index, cell in enumerate(cells):
        exec(compile(cell.source, f"<{stem} {tag} cell {index}>", "exec"), namespace)
    return namespace
