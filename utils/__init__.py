"""Helpers shared by the course notebooks.

Each module has one concern; notebooks import what they need, e.g.
``from utils.plots import plot_history``. Importing this package is cheap: no
deep-learning framework is imported until a module that needs one is used.
"""

from __future__ import annotations

__all__ = ["__version__"]
__version__ = "1.0.0"
