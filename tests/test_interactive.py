"""Interactive views (utils.interactive): widgets where a front end can draw them, static figures otherwise."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from utils.interactive import STATIC_ENV, display_controls, widgets_enabled
from utils.settings import repo_root


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize(("value", "expected"), [("1", False), ("true", False), ("0", True), ("off", True)])
def test_environment_variable_decides(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv(STATIC_ENV, value)
    assert widgets_enabled() is expected


def test_without_a_jupyter_front_end_the_output_is_static(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STATIC_ENV, raising=False)
    assert widgets_enabled() is False


def test_unknown_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STATIC_ENV, "sometimes")
    with pytest.raises(ValueError, match=STATIC_ENV):
        widgets_enabled()


def test_controls_sit_above_the_output_they_redraw(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display
    import ipywidgets as widgets

    shown: list[object] = []
    monkeypatch.setattr(IPython.display, "display", lambda *objects, **_: shown.extend(objects))
    drawn: list[int] = []
    player, frame = widgets.Play(max=8), widgets.IntSlider(max=8)
    display_controls(lambda frame: drawn.append(frame), controls=[player], frame=frame)
    controls, output = shown[0].children
    assert list(controls.children) == [player, frame] and isinstance(output, widgets.Output)
    frame.value = 3
    assert drawn == [0, 3], "the output is redrawn with the control's value"


def test_in_a_real_kernel_widgets_by_default_and_one_static_figure_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two situations that matter: a learner in Jupyter (widgets) and nbval/runner (static, no duplicates)."""
    monkeypatch.delenv(STATIC_ENV, raising=False)
    notebook = new_notebook(cells=[
        new_code_cell("import ipywidgets as widgets\nimport matplotlib.pyplot as plt\n"
                      "from utils.interactive import display_controls, show_once, widgets_enabled\n"
                      "print(widgets_enabled())"),
        new_code_cell("display_controls(lambda n: print(n), n=widgets.IntSlider(max=3))"),
        new_code_cell("figure = plt.figure()\nplt.plot([0, 1])\nshow_once(figure)"),
    ])
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(repo_root())}}).execute()
    first, widget, static = (cell.outputs for cell in notebook.cells)
    assert first[0]["text"].strip() == "True"
    assert any("application/vnd.jupyter.widget-view+json" in output.get("data", {}) for output in widget)
    assert [("image/png" in output.get("data", {})) for output in static] == [True], "exactly one figure"
    nbformat.validate(notebook)
