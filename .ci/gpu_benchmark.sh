#!/usr/bin/env bash
# The course's GPU measurement, run once on a machine with an NVIDIA GPU and no TensorFlow
# (Keras on JAX and on PyTorch). Writes Markdown and JSON under OUT_DIR (default results/).
#   OUT_DIR=results bash .ci/gpu_benchmark.sh
# Rows: the three model families on JAX (XLA) and PyTorch (eager, where Keras uses cuDNN for LSTM),
# then a sweep of float32 vs mixed_float16 over batch size and width on JAX.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT_DIR=${OUT_DIR:-results}
mkdir -p "$OUT_DIR"
export PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=3
REPEATS=${REPEATS:-5}

KERAS_BACKEND=jax python3 -m utils.benchmark --configs float32+xla,mixed_float16+xla,mixed_bfloat16+xla \
    --batch-size 256 --steps 20 --repeats "$REPEATS" \
    --json "$OUT_DIR/gpu_benchmark_jax.json" --markdown "$OUT_DIR/gpu_benchmark_jax.md"
KERAS_BACKEND=torch python3 -m utils.benchmark --configs float32,mixed_float16 \
    --batch-size 256 --steps 20 --repeats "$REPEATS" \
    --json "$OUT_DIR/gpu_benchmark_torch.json" --markdown "$OUT_DIR/gpu_benchmark_torch.md"
KERAS_BACKEND=jax python3 -m utils.benchmark --sweep --configs float32+xla,mixed_float16+xla \
    --steps 10 --repeats "$REPEATS" \
    --json "$OUT_DIR/gpu_precision_sweep.json" --markdown "$OUT_DIR/gpu_precision_sweep.md"
