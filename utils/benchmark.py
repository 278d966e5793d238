"""Training throughput of the course's three model families on this machine: ``python -m utils.benchmark``.

Introduced in ``12_performance_and_scaling``. Prints one row per model and configuration
(float32 vs mixed precision, with and without XLA ``jit_compile``) in samples per second,
with the device that produced it named on every row. Runs under any Keras backend
(``KERAS_BACKEND=jax python -m utils.benchmark --quick``): nothing here or in
:mod:`utils.models` imports TensorFlow unless TensorFlow is the backend.

Options: ``--quick`` (tiny sizes, for tests), ``--models``, ``--configs``, ``--batch-size``,
``--steps``, ``--json PATH`` (flat ``name -> samples/s`` object, the format of ``results/``),
``--markdown PATH`` (the table with devices) and ``--backend-report`` (versions and devices only).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class Config:
    """One way of running a model: a dtype policy and an XLA switch."""

    precision: str
    jit_compile: bool

    @property
    def name(self) -> str:
        return self.precision + ("+xla" if self.jit_compile else "")


@dataclass(frozen=True)
class Row:
    """One measured line of the table."""

    model: str
    config: str
    backend: str
    device: str
    batch_size: int
    samples_per_second: float


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


def measure_throughput(model, x, y, batch_size: int, steps: int, warmup_steps: int = 1) -> float:
    """Samples per second of ``train_on_batch`` over ``steps`` timed steps, after ``warmup_steps``.

    The warm-up absorbs tracing and XLA compilation, which a long training run pays once;
    ``train_on_batch`` returns host numbers, so each timed step has really finished.
    """
    if steps < 1 or warmup_steps < 0:
        raise ValueError(f"steps must be >= 1 and warmup_steps >= 0, got {steps} and {warmup_steps}")
    if len(x) < batch_size:
        raise ValueError(f"need at least one batch of {batch_size} samples, got {len(x)}")
    batches = [(x[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(x) - batch_size + 1, batch_size)]
    for step in range(warmup_steps):
        model.train_on_batch(*batches[step % len(batches)])
    started = time.perf_counter()
    for step in range(steps):
        model.train_on_batch(*batches[step % len(batches)])
    return steps * batch_size / (time.perf_counter() - started)


def benchmark_model(build: Callable[[], object], config: Config, batch_size: int, steps: int,
                    warmup_steps: int) -> float:
    """Build ``build()`` under ``config``'s dtype policy, compile and measure it."""
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
        return measure_throughput(model, x, y, batch_size, steps, warmup_steps)
    finally:
        keras.config.set_dtype_policy(previous)


def run_benchmark(model_names: Sequence[str], configs: Sequence[Config], sizes: Sizes,
                  progress: Callable[[Row], None] | None = None) -> list[Row]:
    """Measure every model under every configuration on the current backend and device."""
    import keras

    backend, device = keras.backend.backend(), describe_device()
    builders = model_builders(sizes)
    rows = []
    for name in model_names:
        for config in configs:
            speed = benchmark_model(builders[name], config, sizes.batch_size, sizes.steps, sizes.warmup_steps)
            row = Row(name, config.name, backend, device, sizes.batch_size, round(speed, 1))
            rows.append(row)
            if progress:
                progress(row)
    return rows


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table, one measured row per line, device named on each."""
    lines = ["| model | configuration | backend | device | batch | samples/s |",
             "| --- | --- | --- | --- | ---: | ---: |"]
    lines += [f"| {r.model} | {r.config} | {r.backend} | {r.device} | {r.batch_size} | {r.samples_per_second:,.1f} |"
              for r in rows]
    return "\n".join(lines)


def flat_results(rows: Sequence[Row]) -> dict[str, float]:
    """``{"cnn_float32_samples_per_second": ...}``: the flat format of ``results/*.json``."""
    return {f"{r.model}_{r.config.replace('+', '_')}_samples_per_second": r.samples_per_second for r in rows}


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
    parser.add_argument("--steps", type=int, default=None, help="timed steps per row")
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
            from dataclasses import replace

            sizes = replace(sizes, batch_size=args.batch_size or sizes.batch_size, steps=args.steps or sizes.steps)
        if sizes.batch_size < 1 or sizes.steps < 1:
            raise ValueError("--batch-size and --steps must be positive")
    except ValueError as error:
        parser.error(str(error))
    import_backend_quietly()
    print(backend_report(), flush=True)
    if args.backend_report:
        return 0
    def progress(row: Row) -> None:
        print(f"  {row.model:<14} {row.config:<18} {row.samples_per_second:>12,.1f} samples/s", flush=True)

    rows = run_benchmark(names, configs, sizes, progress=progress)
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
