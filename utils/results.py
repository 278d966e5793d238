"""A notebook's headline numbers in ``results/<notebook stem>.json`` (notebook 00), the source of the README tables."""

from __future__ import annotations

import json
import math
import numbers
import time
from pathlib import Path

from utils.settings import results_dir


class ResultsRecorder:
    """Collects ``name -> number`` pairs for one notebook and writes them as flat JSON."""

    def __init__(self, stem: str, directory: Path | None = None) -> None:
        if not stem or "/" in stem or stem.endswith(".ipynb"):
            raise ValueError(f"stem must be a notebook file name without folder or .ipynb, got {stem!r}")
        self.stem = stem
        self.directory = directory
        self.values: dict[str, float | int] = {}
        self.started = time.perf_counter()

    @property
    def path(self) -> Path:
        return (self.directory or results_dir()) / f"{self.stem}.json"

    def record(self, **values: object) -> None:
        """Remember one or more results, e.g. ``record(cnn_test_accuracy=0.987)``, floats to 6 significant digits."""
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"result {key!r} must be a number, got {type(value).__name__} {value!r}")
            if isinstance(value, numbers.Integral):
                self.values[key] = int(value)
            elif math.isfinite(value):
                self.values[key] = float(f"{float(value):.6g}")
            else:
                raise ValueError(f"result {key!r} is {float(value)}; only finite numbers can be recorded")

    def save(self) -> dict[str, float | int]:
        """Add ``runtime_seconds`` (since the recorder started) and write the JSON file."""
        self.values["runtime_seconds"] = round(time.perf_counter() - self.started, 1)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(dict(sorted(self.values.items())), indent=2) + "\n", encoding="utf-8")
        return dict(self.values)


def load_results(directory: Path | None = None) -> dict[str, dict[str, float | int]]:
    """All recorded results, keyed by notebook stem."""
    folder = directory or results_dir()
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))}
