"""Google Colab support: the packages the course needs that Colab does not preinstall.

Colab already ships TensorFlow, Keras, scikit-learn, statsmodels, matplotlib and seaborn;
reinstalling pinned versions of those would take minutes and can break the runtime, so
only what is missing is installed. Used by :func:`utils.setup.setup_notebook`.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

COLAB_EXTRAS: dict[str, str] = {"av": "av==16.1.0", "ipywidgets": "ipywidgets>=7.7", "babel": "babel==2.18.0",
                                 "espeakng_loader": "espeakng-loader==0.2.4"}
"""import name -> pip requirement (the course's pins), installed on Colab only when the import name is missing.

``make test-colab`` runs the notebooks with Colab's versions plus these (requirements/colab.lock)."""


def missing_packages(extras: dict[str, str] | None = None) -> list[str]:
    """Requirements whose module cannot be imported in this kernel."""
    wanted = COLAB_EXTRAS if extras is None else extras
    return [requirement for module, requirement in wanted.items() if importlib.util.find_spec(module) is None]


def prepare_colab(extras: dict[str, str] | None = None) -> list[str]:
    """Install the missing extras with pip; return what was installed."""
    missing = missing_packages(extras)
    if missing:
        print(f"Colab: installing {', '.join(missing)} ...")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing], check=True)
    return missing
