"""The set-up call of every notebook's first code cell (notebook 00): Colab extras, seeds, GPU policy, report."""

from __future__ import annotations

import importlib.util
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from utils.hardware import (
    HardwareReport,
    apply_gpu_policy,
    apply_precision_policy,
    import_backend_quietly,
    precision_in_force,
)
from utils.plots import set_style
from utils.results import ResultsRecorder
from utils.settings import data_dir, repo_root, resolve_profile
from utils.warning_filters import silence_known_warnings

DEFAULT_SEED = 42
T = TypeVar("T")
COLAB_EXTRAS: dict[str, str] = {"av": "av==16.1.0", "ipywidgets": "ipywidgets>=7.7", "babel": "babel==2.18.0",
                                 "espeakng_loader": "espeakng-loader==0.2.4"}
"""What Colab lacks (import name -> pip requirement); reinstalling what it has could break its runtime."""


def missing_packages(extras: dict[str, str] | None = None) -> list[str]:
    """Requirements whose module cannot be imported in this kernel."""
    wanted = COLAB_EXTRAS if extras is None else extras
    return [requirement for module, requirement in wanted.items() if importlib.util.find_spec(module) is None]


def set_seeds(seed: int = DEFAULT_SEED) -> None:
    """Seed Python, NumPy and Keras (and the backend), so a rerun draws the same numbers."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras
    keras.utils.set_random_seed(seed)


@dataclass
class Course:
    """What a notebook needs to know about the run it is part of."""

    stem: str
    hardware: HardwareReport
    results: ResultsRecorder
    seed: int
    in_colab: bool
    profile: str = "default"

    @property
    def is_full(self) -> bool:
        return self.profile == "full"

    @property
    def smoke(self) -> bool:
        """``$COURSE_SMOKE=1``: run the full profile's code path at toy size (CI checks it on small fixtures)."""
        return self.is_full and os.environ.get("COURSE_SMOKE", "0").strip() not in ("", "0")

    def pick(self, default: T, full: T, smoke: T | None = None) -> T:
        """The value for the profile in force: ``default``, ``full``, or ``smoke`` for a smoke run of ``full``."""
        if self.smoke and smoke is not None:
            return smoke
        return full if self.is_full else default

    @property
    def jit_compile(self) -> bool | str:
        """Pass to ``model.compile(jit_compile=...)``: the XLA choice of the GPU policy."""
        return self.hardware.jit_compile

    def check_xla(self, model: object) -> bool:
        """Print and return whether XLA is really in force for a compiled ``model`` (Keras may refuse it)."""
        in_force = bool(getattr(model, "jit_compile", False))
        print(f"XLA for model {getattr(model, 'name', '?')!r}: {'on' if in_force else 'off'} "
              f"(requested jit_compile={self.jit_compile!r})")
        return in_force

    def use_profile(self, profile: str | None = None) -> str:
        """Validate and remember the profile chosen in the parameters cell (``None``: ``$COURSE_PROFILE``)."""
        self.profile = resolve_profile(profile)
        mixed = apply_precision_policy(self.hardware.gpus, self.profile)
        if mixed != self.hardware.mixed_precision:
            self.hardware.mixed_precision = mixed
            print(f"Precision : {precision_in_force()} (chosen for the {self.profile} profile)")
        where = ("offline data, sized for a CPU" if self.profile == "default"
                 else "real data sets (downloads once), sized for a GPU")
        print(f"Profile: {self.profile} ({where}); data folder: {data_dir()}")
        return self.profile

    def record(self, **values: object) -> None:
        """Record headline numbers for ``results/<stem>.json``."""
        self.results.record(**values)

    def finish(self) -> dict[str, float | int]:
        """Write ``results/<stem>.json`` (with ``runtime_seconds``) and return what was written."""
        return self.results.save()


def setup_notebook(stem: str, seed: int = DEFAULT_SEED) -> Course:
    """Prepare the kernel for notebook ``stem`` and print what it runs on."""
    results = ResultsRecorder(stem)  # starts the notebook's wall clock
    import_backend_quietly()
    colab = "google.colab" in sys.modules
    if colab and (missing := missing_packages()):
        print(f"Colab: installing {', '.join(missing)} ...")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing], check=True)
    silence_known_warnings()
    set_seeds(seed)
    set_style()
    hardware = apply_gpu_policy()
    print(f"Course repository: {repo_root()}" + ("  (Colab)" if colab else ""))
    print(hardware.as_text())
    print(f"Seed      : {seed}")
    return Course(stem=stem, hardware=hardware, results=results, seed=seed, in_colab=colab)
