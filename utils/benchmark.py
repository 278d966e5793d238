"""Training throughput of the course's three model families on this machine: ``python -m utils.benchmark``.

Notebook 12. Each row is the median of ``--repeats`` timings (each ``--steps`` steps after a warm-up), its
interquartile range and the device, under any Keras backend (``KERAS_BACKEND=jax ... --quick``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from utils.hardware import cpu_name, import_backend_quietly, library_versions, list_gpus

MODEL_NAMES = ("cnn", "lstm", "lstm_fallback", "video")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
DEFAULT_CONFIGS = ("float32", "float32+xla", "mixed_float16", "mixed_float16+xla")
QUICK_CONFIGS = ("float32+xla", "mixed_float16+xla")
DEFAULT_REPEATS = 5
SWEEP_BATCHES = (64, 256, 1024)
SWEEP_WIDTHS = (64, 256, 1024, 4096)
Job = tuple[str, Callable[[], object], int]  # model name, builder, batch size


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


PRESETS = {"quick": Sizes((16, 16, 3), 20, 500, 16, 4, (16, 16, 3), batch_size=16, steps=2, warmup_steps=1),
           "standard": Sizes((32, 32, 3), 100, 5000, 64, 8, (32, 32, 3), batch_size=64, steps=5, warmup_steps=2)}


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


def parse_config(text: str) -> tuple[str, bool]:
    """``"float32"``, ``"mixed_float16+xla"``, ... → ``(dtype policy, jit_compile)``."""
    precision, plus, suffix = text.strip().partition("+")
    if precision not in PRECISIONS or (plus and suffix != "xla"):
        raise ValueError(f"unknown configuration {text!r}: use a precision from {PRECISIONS}, optionally with '+xla'")
    return precision, bool(plus)


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


def measure_throughput(model, x, y, batch_size: int, steps: int, warmup_steps: int = 1,
                       repeats: int = DEFAULT_REPEATS) -> list[float]:
    """Samples per second of ``train_on_batch``, once per repeat, each over ``steps`` timed steps.

    The warm-up absorbs tracing and XLA compilation, which a long training run pays once;
    ``train_on_batch`` returns host numbers, so each timed step has really finished.
    """
    if steps < 1 or warmup_steps < 0 or repeats < 1 or not 1 <= batch_size <= len(x):
        raise ValueError(f"need steps, repeats >= 1, warmup_steps >= 0 and one batch of {batch_size} samples, got "
                         f"{steps}, {repeats}, {warmup_steps} and {len(x)} samples")
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


def run_benchmark(jobs: Sequence[Job], configs: Sequence[str], steps: int, warmup_steps: int,
                  repeats: int = DEFAULT_REPEATS, progress: Callable[[Row], None] | None = None) -> list[Row]:
    """Build every ``(model name, builder, batch size)`` job under every configuration's dtype policy, compile it
    with the configuration's XLA switch and measure it ``repeats`` times on this device."""
    import keras

    from utils.models import synthetic_batch
    rows = []
    for (name, build, batch), config in itertools.product(jobs, configs):
        precision, jit_compile = parse_config(config)
        previous = keras.config.dtype_policy().name
        keras.config.set_dtype_policy(precision)
        try:
            keras.utils.clear_session()
            model = build()
            model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                          jit_compile=jit_compile)
            x, y = synthetic_batch(model, batch * 2)
            speeds = measure_throughput(model, x, y, batch, steps, warmup_steps, repeats)
        finally:
            keras.config.set_dtype_policy(previous)
        q1, median, q3 = np.percentile(speeds, [25, 50, 75])
        rows.append(Row(name, config.strip(), keras.backend.backend(), describe_device(), batch,
                        round(float(median), 1), round(float(q1), 1), round(float(q3), 1), len(speeds)))
        if progress:
            progress(rows[-1])
    return rows


def benchmark_jobs(names: Sequence[str], sizes: Sizes, batch_size: int) -> list[Job]:
    """The course's models ``names`` at ``sizes``."""
    from utils import models
    builders = {
        "cnn": lambda: models.build_image_cnn(sizes.image),
        "lstm": lambda: models.build_sequence_classifier(sizes.sequence_length, sizes.vocabulary, units=sizes.units),
        "lstm_fallback": lambda: models.build_sequence_classifier(sizes.sequence_length, sizes.vocabulary,
                                                                  units=sizes.units, recurrent_dropout=0.1),
        "video": lambda: models.build_video_classifier(sizes.frames, sizes.frame),
    }
    return [(name, builders[name], batch_size) for name in names]


def sweep_jobs() -> list[Job]:
    """A dense network and the Part 1 CNN over widths and batch sizes: where does mixed precision start to pay?"""
    from utils import models
    return [job for width in SWEEP_WIDTHS for batch in SWEEP_BATCHES for job in (
        (f"mlp_{width}", lambda w=width: models.build_mlp(256, 10, width=w), batch),
        (f"cnn_{width // 8}", lambda w=width: models.build_image_cnn((32, 32, 3), 10, (w // 16, w // 8)), batch))]


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
    args = parser.parse_args(argv)
    sizes = PRESETS["quick" if args.quick and not args.sweep else "standard"]
    batch_size, steps = args.batch_size or sizes.batch_size, args.steps or (10 if args.sweep else sizes.steps)
    try:
        names = parse_names(args.models, MODEL_NAMES, "model")
        configs = args.configs.split(",") if args.configs else QUICK_CONFIGS if args.quick else DEFAULT_CONFIGS
        for config in configs:
            parse_config(config)
        if batch_size < 1 or steps < 1 or args.repeats < 1:
            raise ValueError("--batch-size, --steps and --repeats must be positive")
    except ValueError as error:
        parser.error(str(error))
    backend = import_backend_quietly()
    versions = ", ".join(f"{k} {v}" for k, v in library_versions().items())
    print(f"backend: {backend} ({versions}); device: {describe_device()}", flush=True)

    def progress(row: Row) -> None:
        print(f"  {row.model:<14} {row.config:<18} batch {row.batch_size:>5} {row.samples_per_second:>12,.1f} "
              f"samples/s (IQR {row.q1:,.1f}–{row.q3:,.1f})", flush=True)

    jobs = sweep_jobs() if args.sweep else benchmark_jobs(names, sizes, batch_size)
    rows = run_benchmark(jobs, configs, steps, sizes.warmup_steps, args.repeats, progress)
    print(format_table(rows))
    for path, text in ((args.json, json.dumps(flat_results(rows), indent=2)), (args.markdown, format_table(rows)),
                       (args.rows_json, json.dumps([asdict(r) for r in rows], indent=2))):
        if path:
            path.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
