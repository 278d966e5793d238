"""The GPU policy: mixed precision only where tensor cores pay, XLA as forced, with fake devices."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from utils import hardware
from utils.hardware import GpuInfo, should_use_mixed_precision

capabilities = st.tuples(st.integers(1, 12), st.integers(0, 9))


@pytest.mark.parametrize("gpus,expected", [
    ([], False),                                                   # CPU only
    ([GpuInfo("Tesla K80", (3, 7))], False),                       # Kepler: no tensor cores
    ([GpuInfo("GTX 1080 Ti", (6, 1))], False),                     # Pascal: float16 is slow
    ([GpuInfo("Tesla V100", (7, 0))], True),                       # the threshold itself
    ([GpuInfo("Tesla T4", (7, 5))], True),                         # Colab's GPU: float16 tensor cores, no TF32
    ([GpuInfo("A100", (8, 0))], False),                            # TF32: float32 already on tensor cores
    ([GpuInfo("NVIDIA H100", (9, 0), 80.0)], False),               # measured on an H200: no reliable gain
    ([GpuInfo("T4", (7, 5)), GpuInfo("K80", (3, 7))], False),      # one slow GPU slows every replica
    ([GpuInfo("unknown accelerator", None)], False),               # capability unknown: stay safe
])
def test_full_profile_uses_mixed_precision_exactly_on_volta_and_turing(gpus, expected):
    assert should_use_mixed_precision(gpus, "auto", "full") is expected
    # the teaching models of the default profile are too small to gain, whatever the GPU
    assert should_use_mixed_precision(gpus, "auto", "default") is False


@given(st.lists(capabilities, max_size=4), st.sampled_from(["default", "full"]))
def test_switch_overrides_the_automatic_choice(caps, profile):
    gpus = [GpuInfo(f"gpu{i}", cc) for i, cc in enumerate(caps)]
    expected = profile == "full" and bool(caps) and all((7, 0) <= cc < (8, 0) for cc in caps)
    assert should_use_mixed_precision(gpus, "auto", profile) == expected
    assert should_use_mixed_precision(gpus, "on", profile) is True
    assert should_use_mixed_precision(gpus, "off", profile) is False


def test_bad_switch_values_are_refused():
    for bad in ("yes", "", "ON "):
        with pytest.raises(ValueError, match="switch must be one of"):
            should_use_mixed_precision([], bad)
        with pytest.raises(ValueError, match="switch must be one of"):
            hardware.wants_op_determinism("auto", bad)


@pytest.mark.parametrize("value,expected", [(None, "auto"), ("", "auto"), ("ON", "on"), (" off ", "off")])
def test_switch_read_from_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv(hardware.MIXED_PRECISION_ENV, raising=False)
    else:
        monkeypatch.setenv(hardware.MIXED_PRECISION_ENV, value)
    assert hardware.read_switch(hardware.MIXED_PRECISION_ENV) == expected


def test_bad_switch_in_environment_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(hardware.XLA_ENV, "maybe")
    with pytest.raises(ValueError, match="COURSE_XLA"):
        hardware.read_switch(hardware.XLA_ENV)


@pytest.fixture
def restore_keras_state():
    import keras

    previous = keras.config.dtype_policy().name
    yield
    keras.config.set_dtype_policy(previous)
    hardware.set_op_determinism(False)


@pytest.mark.parametrize("gpus,switch,profile,policy", [
    ([GpuInfo("Tesla T4", (7, 5), 15.0)], "auto", "full", "mixed_float16"),
    ([GpuInfo("Tesla T4", (7, 5), 15.0)], "auto", "default", "float32"),
    ([GpuInfo("Tesla K80", (3, 7), 12.0)], "auto", "full", "float32"),
    ([], "auto", "full", "float32"),
    ([], "on", "default", "mixed_float16"),
    ([GpuInfo("Tesla T4", (7, 5), 15.0)], "off", "full", "float32"),
])
def test_apply_gpu_policy_sets_and_reports_the_keras_dtype_policy(monkeypatch, restore_keras_state, gpus, switch,
                                                                  profile, policy):
    import keras

    monkeypatch.setattr(hardware, "list_gpus", lambda: list(gpus))
    monkeypatch.setenv(hardware.MIXED_PRECISION_ENV, switch)
    report = hardware.apply_gpu_policy(profile)
    assert keras.config.dtype_policy().name == policy
    assert report.mixed_precision is (policy == "mixed_float16")
    assert report.gpus == list(gpus)
    text = report.as_text()
    assert f"Precision : {policy}" in text
    assert ("none found" in text) == (not gpus)
    assert all(gpu.name in text for gpu in gpus)


@pytest.mark.parametrize("determinism,xla,requested,in_force", [
    ("auto", "auto", "auto", False),   # Keras' auto is off on a CPU
    ("auto", "on", True, True),
    ("on", "auto", "auto", False),     # Keras refuses XLA while op determinism is on
    ("off", "off", False, False),
])
def test_report_says_what_model_compile_really_does(monkeypatch, restore_keras_state, determinism, xla, requested,
                                                    in_force):
    import keras

    monkeypatch.setattr(hardware, "list_gpus", lambda: [])
    monkeypatch.setenv(hardware.DETERMINISM_ENV, determinism)
    monkeypatch.setenv(hardware.XLA_ENV, xla)
    report = hardware.apply_gpu_policy()
    assert report.jit_compile == requested and type(report.jit_compile) is type(requested)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse", jit_compile=report.jit_compile)
    assert model.jit_compile is in_force
    assert report.xla_in_force is in_force
    assert f"XLA       : {'on' if in_force else 'off'}" in report.as_text()
    assert report.deterministic is (determinism == "on")


def test_explicit_jit_compile_survives_the_notebook_set_up(monkeypatch, restore_keras_state):
    import keras

    from utils.setup import setup_notebook

    for variable in (hardware.XLA_ENV, hardware.DETERMINISM_ENV, hardware.MIXED_PRECISION_ENV):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(__import__("tempfile").mkdtemp()))
    course = setup_notebook("00_welcome_and_setup")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse", jit_compile=True)
    assert model.jit_compile is True
    assert course.check_xla(model) is True


def test_determinism_and_xla_together_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(hardware.DETERMINISM_ENV, "on")
    monkeypatch.setenv(hardware.XLA_ENV, "on")
    with pytest.raises(ValueError, match="cannot both hold"):
        hardware.apply_gpu_policy()


def test_float32_policy_keeps_probes_in_float32(restore_keras_state):
    import keras

    keras.config.set_dtype_policy("mixed_float16")
    with hardware.float32_policy():
        layer = keras.layers.Dense(2)
        assert layer.compute_dtype == "float32"
    assert keras.config.dtype_policy().name == "mixed_float16"


def test_benchmark_names_the_fake_gpu(monkeypatch):
    from utils import benchmark

    monkeypatch.setattr(benchmark, "list_gpus", lambda: [GpuInfo("Fake H200", (9, 0)), GpuInfo("Fake H200", (9, 0))])
    assert benchmark.describe_device() == "GPU: Fake H200 (x2)"
    monkeypatch.setattr(benchmark, "list_gpus", lambda: [])
    assert benchmark.describe_device().startswith("CPU: ")
