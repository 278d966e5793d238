"""The backend-agnostic model builders and the benchmark command, under JAX as on the GPU machines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.benchmark import (
    DEFAULT_CONFIGS,
    MODEL_NAMES,
    PRECISIONS,
    QUICK_CONFIGS,
    Row,
    flat_results,
    format_table,
    measure_throughput,
    parse_config,
    parse_names,
)
from utils.settings import repo_root
from utils.timing import spread, verdict

jax = pytest.importorskip("jax", reason="the JAX backend is an optional extra")


def _run_with_jax(arguments: list[str], timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, *arguments], cwd=repo_root(), env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


BUILD_AND_STEP = textwrap.dedent("""
    import json, math, sys
    import keras
    from utils import models
    assert keras.backend.backend() == "jax", keras.backend.backend()
    built = {
        "cnn": models.build_image_cnn((16, 16, 3), 10),
        "lstm": models.build_sequence_classifier(12, 300, 2, units=8),
        "gru_fallback": models.build_sequence_classifier(12, 300, 3, cell="gru", units=8, recurrent_dropout=0.2),
        "video": models.build_video_classifier(3, (16, 16, 3), 5, units=8),
    }
    report = {}
    for name, model in built.items():
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        x, y = models.synthetic_batch(model, 4)
        before = [w.copy() for w in model.get_weights()]
        loss = float(model.train_on_batch(x, y))
        changed = any((a != b).any() for a, b in zip(before, model.get_weights()))
        report[name] = {"loss": loss, "finite": math.isfinite(loss), "changed": bool(changed),
                        "output": list(model.outputs[0].shape[1:])}
    report["tensorflow_imported"] = any(m == "tensorflow" or m.startswith("tensorflow.") for m in sys.modules)
    print(json.dumps(report))
""")


@pytest.mark.slow
def test_builders_build_and_train_one_step_under_jax():
    report = json.loads(_run_with_jax(["-c", BUILD_AND_STEP]).stdout.strip().splitlines()[-1])
    assert report.pop("tensorflow_imported") is False, "the builders must not need TensorFlow"
    classes = {"cnn": 10, "lstm": 2, "gru_fallback": 3, "video": 5}
    for name, result in report.items():
        assert result["finite"] and result["changed"], name
        assert result["output"] == [classes[name]]


@pytest.mark.slow
def test_benchmark_command_runs_under_jax_quick(tmp_path):
    target = tmp_path / "bench.json"
    done = _run_with_jax(["-m", "utils.benchmark", "--quick", "--json", str(target)])
    assert "backend: jax" in done.stdout
    table_rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and "| jax |" in line]
    assert len(table_rows) == len(MODEL_NAMES) * len(QUICK_CONFIGS)
    assert all("CPU:" in row or "GPU:" in row for row in table_rows), "every row names its device"
    results = json.loads(target.read_text())
    batch = 16  # the quick preset's batch size
    assert set(results) == set(flat_results([Row(m, c, "jax", "d", batch, 1.0, 1.0, 1.0, 5) for m in MODEL_NAMES
                                             for c in QUICK_CONFIGS]))
    assert all(value > 0 for value in results.values())


def test_benchmark_import_chain_is_free_of_tensorflow():
    code = ("import sys, utils.benchmark, utils.models, utils.hardware, utils.results, utils.settings; "
            "print(any(m == 'tensorflow' or m.startswith('tensorflow.') for m in sys.modules))")
    assert _run_with_jax(["-c", code]).stdout.strip() == "False"


@given(st.sampled_from(PRECISIONS), st.booleans())
def test_config_names_round_trip(precision, xla):
    assert parse_config(precision + ("+xla" if xla else "")) == (precision, xla)


@pytest.mark.parametrize("text", ["float64", "float32+jit", "mixed_float16+", "+xla", ""])
def test_unknown_configs_are_rejected(text):
    with pytest.raises(ValueError):
        parse_config(text)


def test_model_names_are_checked():
    assert parse_names("cnn, video", MODEL_NAMES, "model") == ["cnn", "video"]
    for bad in ("", "cnn,resnet", " , "):
        with pytest.raises(ValueError):
            parse_names(bad, MODEL_NAMES, "model")
    assert all(parse_config(c) for c in DEFAULT_CONFIGS)


class CountingModel:
    """Stands in for a Keras model: counts calls and checks batch shapes."""

    def __init__(self, batch_size: int) -> None:
        self.calls = 0
        self.batch_size = batch_size

    def train_on_batch(self, x, y):
        assert len(x) == len(y) == self.batch_size
        self.calls += 1
        return 0.0


@settings(max_examples=30)
@given(st.integers(1, 16), st.integers(1, 4), st.integers(1, 10), st.integers(0, 3), st.integers(1, 6))
def test_measure_throughput_times_exactly_the_requested_steps(batch, batches, steps, warmup, repeats):
    import numpy as np

    x, y = np.zeros((batch * batches, 2)), np.zeros(batch * batches)
    model = CountingModel(batch)
    speeds = measure_throughput(model, x, y, batch, steps, warmup, repeats)
    assert model.calls == steps * repeats + warmup
    assert len(speeds) == repeats and all(speed > 0 for speed in speeds)


@pytest.mark.parametrize("candidate,baseline,apart,word", [
    ([20, 21, 22, 23, 24], [10, 11, 12, 13, 14], True, "faster"),
    ([5, 6, 7, 8, 9], [10, 11, 12, 13, 14], True, "slower"),
    ([10, 12, 14, 16, 18], [11, 13, 15, 17, 19], False, "no measurable difference"),
])
def test_verdicts_only_outside_the_noise(candidate, baseline, apart, word):
    a, b = spread(candidate), spread(baseline)
    assert a.overlaps(b) is not apart
    sentence = verdict("mixed", a, b)
    assert word in sentence and f"{a.median / b.median:.2f}x" in sentence


def test_measure_throughput_rejects_bad_sizes():
    import numpy as np

    with pytest.raises(ValueError):
        measure_throughput(CountingModel(4), np.zeros((2, 1)), np.zeros(2), 4, 1)
    with pytest.raises(ValueError):
        measure_throughput(CountingModel(1), np.zeros((2, 1)), np.zeros(2), 1, 0)
    with pytest.raises(ValueError):
        measure_throughput(CountingModel(1), np.zeros((2, 1)), np.zeros(2), 1, 1, repeats=0)


def test_table_names_the_device_on_every_row():
    rows = [Row("cnn", "float32", "tensorflow", "CPU: Example (2 cores)", 8, 1234.5, 1200.0, 1250.0, 5),
            Row("lstm", "float32+xla", "jax", "GPU: Example GPU", 8, 99.0, 98.0, 100.0, 5)]
    lines = format_table(rows).splitlines()
    assert len(lines) == 2 + len(rows)
    assert "CPU: Example (2 cores)" in lines[2] and "GPU: Example GPU" in lines[3] and "1,234.5" in lines[2]
    assert "1,200.0–1,250.0" in lines[2]
    flat = flat_results(rows)
    assert flat["cnn_float32_b8_median"] == 1234.5 and flat["lstm_float32_xla_b8_q3"] == 100.0


def test_builders_reject_bad_arguments():
    from utils import models

    for call in (lambda: models.build_image_cnn((32, 32)), lambda: models.build_image_cnn(num_classes=0),
                 lambda: models.build_image_cnn(filters=()),
                 lambda: models.build_sequence_classifier(cell="rnn"),
                 lambda: models.build_sequence_classifier(recurrent_dropout=1.0),
                 lambda: models.build_sequence_classifier(sequence_length=0),
                 lambda: models.build_video_classifier(frames=0),
                 lambda: models.build_video_classifier(frame_shape=(8, 8, 0))):
        with pytest.raises(ValueError):
            call()
