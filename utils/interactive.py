"""Interactive views (notebook 03's feature-map explorer, notebook 11's clip player): ipywidgets where a Jupyter
front end can draw them, otherwise (nbval, papermill, scripts, ``COURSE_STATIC_WIDGETS=1``) a static matplotlib figure,
so saved outputs stay small."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import IPython.display
import ipywidgets as widgets
import matplotlib.pyplot as plt

STATIC_ENV = "COURSE_STATIC_WIDGETS"
"""Set to ``1`` to force the static fallback (``make test`` does, so nbval compares plain figures)."""


def widgets_enabled() -> bool:
    """Widgets (True) or the static fallback (False): ``$COURSE_STATIC_WIDGETS`` decides when set (``1``: static,
    ``0``: widgets); otherwise widgets when a Jupyter front end is attached (Colab or a Jupyter kernel)."""
    raw = os.environ.get(STATIC_ENV, "").strip().lower()
    static, interactive = raw in {"1", "true", "yes", "on"}, raw in {"0", "false", "no", "off"}
    if raw and not (static or interactive):
        raise ValueError(f"{STATIC_ENV}={raw!r} is not understood; use 1 (static figures) or 0 (interactive widgets).")
    # ZMQInteractiveShell is a Jupyter kernel; a terminal IPython cannot draw widgets.
    frontend = "google.colab" in sys.modules or type(IPython.get_ipython()).__name__ == "ZMQInteractiveShell"
    return not static and (interactive or frontend)


def show_once(figure: Any) -> None:
    """Display a figure once (inline backends would otherwise draw it again at cell end); a script keeps it open."""
    if IPython.get_ipython() is not None:
        IPython.display.display(figure)
        plt.close(figure)


def display_controls(draw: Any, controls: Sequence[Any] = (), **sliders: Any) -> None:
    """Show ``sliders`` (and extra ``controls``) above an output area redrawn by ``draw``."""
    output = widgets.interactive_output(draw, sliders)
    IPython.display.display(widgets.VBox([widgets.HBox([*controls, *sliders.values()]), output]))
