"""Training throughput of the course's three model families on this machine: ``python -m utils.benchmark``.

Introduced in ``12_performance_and_scaling``. Prints one row per model and configuration
(float32 vs mixed precision, with and without XLA ``jit_compile``) in samples per second,
with the device that produced it named on every row. Runs under any Keras backend
(``KERAS_BACKEND=jax python -m utils.benchmark --quick``): nothing here or in
:mod:`utils.models` imports TensorFlow unless TensorFlow is the backend.

Every row is the median of ``--repeats`` timings (each ``--steps`` steps after a warm-up) with
its interquartile range, so two rows are only called different when their ranges do not overlap.

Options: ``--quick`` (tiny sizes, for tests), ``--models``, ``--configs``, ``--batch-size``,
``--steps``, ``--repeats``, ``--sweep`` (float32 vs mixed precision over batch sizes and
widths: where does mixed precision start to pay?), ``--json PATH`` (flat results, the format
of ``results/``), ``--markdown PATH`` (the table with devices) and ``--backend-report``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from utils.hardware import cpu_name, import_backend_quietly, library_versions, list_gpus

MODEL_NAMES = ("cnn", "lstm", "lstm_fallback", "video")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
DEFAULT_CONFIGS = ("float32", "float32+xla", "mixed_float16", "mixed_float16+xla")
QUICK_CONFIGS = ("float32+xla", "mixed_float16+xla")


@dataclass(frozen=True)
class Sizes:
    """Model and input sizes of one benchmark preset."""

    image: tuple[int, int, int]
    sequence_length: int
    vocabulary: int
    units: int
    frames: int
    frame: tuple[int, int, int]
    batch_size: int
    steps: int
    warmup_steps: int


PRESETS = {
    "quick": Sizes((16, 16, 3), 20, 500, 16, 4, (16, 16, 3), batch_size=16, steps=2, warmup_steps=1),
    "standard": Sizes((32, 32, 3), 100, 5000, 64, 8, (32, 32, 3), batch_size=64, steps=5, warmup_steps=2),
}
DEFAULT_REPEATS = 5
SWEEP_BATCHES = (64, 256, 1024)
SWEEP_WIDTHS = (64, 256, 1024, 4096)


@dataclass(frozen=True)
class Config:
    """One way of running a model: a dtype policy and an XLA switch."""

    precision: str
    jit_compile: bool

    @property
    def name(self) -> str:
        return self.precision + ("+xla" if self.jit_compile else "")


@dataclass(frozen=True)
class Spread:
    """Median and spread of repeated throughput measurements (samples per second)."""

    median: float
    q1: float
    q3: float
    low: float
    high: float
    repeats: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Spread:
        values = np.asarray(samples, dtype=float)
        if values.size == 0 or not np.all(np.isfinite(values)):
            raise ValueError(f"need at least one finite measurement, got {list(samples)!r}")
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        return cls(float(median), float(q1), float(q3), float(values.min()), float(values.max()), int(values.size))

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1


def compare(faster: Spread, slower: Spread) -> tuple[float, bool]:
    """The ratio of medians and whether the interquartile ranges are apart (only then is there a difference)."""
    apart = faster.q1 > slower.q3 or slower.q1 > faster.q3
    return faster.median / slower.median, apart


def verdict(name: str, candidate: Spread, baseline: Spread, baseline_name: str = "float32") -> str:
    """One sentence that names the measured ratio and says whether the ranges overlap."""
    ratio, apart = compare(candidate, baseline)
    if not apart:
        return f"{name} / {baseline_name} = {ratio:.2f}x, ranges overlap: no measurable difference here"
    return f"{name} / {baseline_name} = {ratio:.2f}x, ranges apart: {'faster' if ratio > 1 else 'slower'}"


@dataclass(frozen=True)
class Row:
    """One measured line of the table."""

    model: str
    config: str
    backend: str
    device: str
    batch_size: int
    samples_per_second: float
    q1: float
    q3: float
    repeats: int


def parse_config(text: str) -> Config:
    """``"float32"``, ``"mixed_float16+xla"``, ... → :class:`Config`."""
    precision, plus, suffix = text.strip().partition("+")
    if precision not in PRECISIONS or (plus and suffix != "xla"):
        raise ValueError(f"unknown configuration {text!r}: use a precision from {PRECISIONS}, optionally with '+xla'")
    return Config(precision, bool(plus))


def parse_names(text: str, allowed: Sequence[str], what: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in allowed]
    if not names or unknown:
        raise ValueError(f"unknown {what} {unknown or text!r}; choose from {', '.join(allowed)}")
    return names


def describe_device() -> str:
    """The device Keras trains on, e.g. ``GPU: NVIDIA H100 80GB HBM3`` or ``CPU: <model> (2 cores)``."""
    gpus = list_gpus()
    if gpus:
        return f"GPU: {gpus[0].name}" + (f" (x{len(gpus)})" if len(gpus) > 1 else "")
    return f"CPU: {cpu_name()} ({os.cpu_count() or 1} cores)"


def model_builders(sizes: Sizes) -> dict[str, Callable[[], object]]:
    """Zero-argument builders for every benchmark model at ``sizes``."""
    from utils import models

    return {
        "cnn": lambda: models.build_image_cnn(sizes.image),
        "lstm": lambda: models.build_sequence_classifier(sizes.sequence_length, sizes.vocabulary, units=sizes.units),
        "lstm_fallback": lambda: models.build_sequence_classifier(sizes.sequence_length, sizes.vocabulary,
                                                                  units=sizes.units, recurrent_dropout=0.1),
        "video": lambda: models.build_video_classifier(sizes.frames, sizes.frame),
    }


def measure_throughput(model, x, y, batch_size: int, steps: int, warmup_steps: int = 1,
                       repeats: int = DEFAULT_REPEATS) -> list[float]:
    """Samples per second of ``train_on_batch``, once per repeat, each over ``steps`` timed steps.

    The warm-up absorbs tracing and XLA compilation, which a long training run pays once;
    ``train_on_batch`` returns host numbers, so each timed step has really finished.
    """
    if steps < 1 or warmup_steps < 0 or repeats < 1:
        raise ValueError(f"steps and repeats must be >= 1 and warmup_steps >= 0, got {steps}, {repeats}, "
                         f"{warmup_steps}")
    if len(x) < batch_size:
        raise ValueError(f"need at least one batch of {batch_size} samples, got {len(x)}")
    batches = [(x[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(x) - batch_size + 1, batch_size)]
    for step in range(warmup_steps):
        model.train_on_batch(*batches[step % len(batches)])
    speeds = []
    for _ in range(repeats):
        started = time.perf_counter()
        for step in range(steps):
            model.train_on_batch(*batches[step % len(batches)])
        speeds.append(steps * batch_size / (time.perf_counter() - started))
    return speeds


def benchmark_model(build: Callable[[], object], config: Config, batch_size: int, steps: int,
                    warmup_steps: int, repeats: int = DEFAULT_REPEATS) -> Spread:
    """Build ``build()`` under ``config``'s dtype policy, compile and measure it ``repeats`` times."""
    import keras

    from utils.models import synthetic_batch

    previous = keras.config.dtype_policy().name
    keras.config.set_dtype_policy(config.precision)
    try:
        keras.utils.clear_session()
        model = build()
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                      jit_compile=config.jit_compile)
        x, y = synthetic_batch(model, batch_size * 2)
        return Spread.of(measure_throughput(model, x, y, batch_size, steps, warmup_steps, repeats))
    finally:
        keras.config.set_dtype_policy(previous)


def _row(model: str, config: Config, sizes: Sizes, spread: Spread) -> Row:
    import keras

    return Row(model, config.name, keras.backend.backend(), describe_device(), sizes.batch_size,
               round(spread.median, 1), round(spread.q1, 1), round(spread.q3, 1), spread.repeats)


def run_benchmark(model_names: Sequence[str], configs: Sequence[Config], sizes: Sizes,
                  repeats: int = DEFAULT_REPEATS, progress: Callable[[Row], None] | None = None) -> list[Row]:
    """Measure every model under every configuration on the current backend and device."""
    builders = model_builders(sizes)
    rows = []
    for name in model_names:
        for config in configs:
            spread = benchmark_model(builders[name], config, sizes.batch_size, sizes.steps, sizes.warmup_steps,
                                     repeats)
            rows.append(_row(name, config, sizes, spread))
            if progress:
                progress(rows[-1])
    return rows


def run_sweep(configs: Sequence[Config], batches: Sequence[int] = SWEEP_BATCHES,
              widths: Sequence[int] = SWEEP_WIDTHS, steps: int = 10, repeats: int = DEFAULT_REPEATS,
              progress: Callable[[Row], None] | None = None) -> list[Row]:
    """A dense network (``mlp_<width>``) and the Part 1 CNN (``cnn_<width>``) over batch sizes and widths.

    Mixed precision only pays once the matrix products are large enough to keep tensor cores busy;
    the sweep shows where that starts on the device it runs on.
    """
    from utils import models

    rows = []
    for width in widths:
        builders = {f"mlp_{width}": lambda w=width: models.build_mlp(256, 10, width=w),
                    f"cnn_{width // 8}": lambda w=width: models.build_image_cnn((32, 32, 3), 10, (w // 16, w // 8))}
        for batch in batches:
            sizes = replace(PRESETS["standard"], batch_size=batch, steps=steps)
            for name, build in builders.items():
                for config in configs:
                    spread = benchmark_model(build, config, batch, steps, sizes.warmup_steps, repeats)
                    rows.append(_row(name, config, sizes, spread))
                    if progress:
                        progress(rows[-1])
    return rows


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table, one measured row per line, device named on each."""
    lines = ["| model | configuration | backend | device | batch | samples/s (median) | IQR | repeats |",
             "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r.model} | {r.config} | {r.backend} | {r.device} | {r.batch_size} | {r.samples_per_second:,.1f} "
              f"| {r.q1:,.1f}–{r.q3:,.1f} | {r.repeats} |" for r in rows]
    return "\n".join(lines)


def flat_results(rows: Sequence[Row]) -> dict[str, float]:
    """``{"cnn_float32_b64_median": ..., "..._q1": ..., "..._q3": ...}``: the flat format of ``results/*.json``."""
    flat: dict[str, float] = {}
    for r in rows:
        key = f"{r.model}_{r.config.replace('+', '_')}_b{r.batch_size}"
        flat.update({f"{key}_median": r.samples_per_second, f"{key}_q1": r.q1, f"{key}_q3": r.q3})
    return flat


def backend_report() -> str:
    """Backend, library versions and the device that training would use."""
    import keras

    versions = ", ".join(f"{k} {v}" for k, v in library_versions().items())
    return f"backend: {keras.backend.backend()} ({versions}); device: {describe_device()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few steps (seconds, for tests)")
    parser.add_argument("--models", default=",".join(MODEL_NAMES), help=f"comma list from {MODEL_NAMES}")
    parser.add_argument("--configs", default=None,
                        help=f"comma list like float32,float32+xla,mixed_float16 (default {','.join(DEFAULT_CONFIGS)})")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--steps", type=int, default=None, help="timed steps per repeat")
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, help="timed repeats per row (median, IQR)")
    parser.add_argument("--sweep", action="store_true",
                        help="float32 vs mixed precision over batch sizes and widths (where mixed precision pays)")
    parser.add_argument("--json", type=Path, default=None, help="write flat name -> samples/s JSON here")
    parser.add_argument("--rows-json", type=Path, default=None, help="write every row (with device) as JSON here")
    parser.add_argument("--markdown", type=Path, default=None, help="write the table (with devices) here")
    parser.add_argument("--backend-report", action="store_true", help="print backend and device, then stop")
    args = parser.parse_args(argv)
    try:
        names = parse_names(args.models, MODEL_NAMES, "model")
        configs = [parse_config(c) for c in (args.configs.split(",") if args.configs else
                                             QUICK_CONFIGS if args.quick else DEFAULT_CONFIGS)]
        sizes = PRESETS["quick" if args.quick else "standard"]
        if args.batch_size is not None or args.steps is not None:
            sizes = replace(sizes, batch_size=args.batch_size or sizes.batch_size, steps=args.steps or sizes.steps)
        if sizes.batch_size < 1 or sizes.steps < 1 or args.repeats < 1:
            raise ValueError("--batch-size, --steps and --repeats must be positive")
    except ValueError as error:
        parser.error(str(error))
    import_backend_quietly()
    print(backend_report(), flush=True)
    if args.backend_report:
        return 0
    def progress(row: Row) -> None:
        print(f"  {row.model:<14} {row.config:<18} batch {row.batch_size:>5} {row.samples_per_second:>12,.1f} "
              f"samples/s (IQR {row.q1:,.1f}–{row.q3:,.1f})", flush=True)

    if args.sweep:
        rows = run_sweep(configs, steps=args.steps or 10, repeats=args.repeats, progress=progress)
    else:
        rows = run_benchmark(names, configs, sizes, args.repeats, progress=progress)
    table = format_table(rows)
    print(table)
    if args.json:
        args.json.write_text(json.dumps(flat_results(rows), indent=2) + "\n", encoding="utf-8")
    if args.rows_json:
        args.rows_json.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
