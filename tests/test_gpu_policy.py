"""The GPU policy: mixed precision only where tensor cores pay, XLA as forced, with fake devices."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from utils import hardware
from utils.hardware import GpuInfo, choose_jit_compile, should_use_mixed_precision

capabilities = st.tuples(st.integers(1, 12), st.integers(0, 9))


@pytest.mark.parametrize("gpus,expected", [
    ([], False),                                                   # CPU only
    ([GpuInfo("Tesla K80", (3, 7))], False),                       # Kepler: no tensor cores
    ([GpuInfo("GTX 1080 Ti", (6, 1))], False),                     # Pascal: float16 is slow
    ([GpuInfo("Tesla V100", (7, 0))], True),                       # the threshold itself
    ([GpuInfo("Tesla T4", (7, 5))], True),
    ([GpuInfo("NVIDIA H100", (9, 0), 80.0)], True),
    ([GpuInfo("A100", (8, 0)), GpuInfo("K80", (3, 7))], False),    # one slow GPU slows every replica
    ([GpuInfo("unknown accelerator", None)], False),               # capability unknown: stay safe
])
def test_mixed_precision_follows_compute_capability(gpus, expected):
    assert should_use_mixed_precision(gpus) is expected


@given(st.lists(capabilities, max_size=4))
def test_auto_policy_is_on_exactly_when_every_gpu_has_tensor_cores(caps):
    gpus = [GpuInfo(f"gpu{i}", cc) for i, cc in enumerate(caps)]
    assert should_use_mixed_precision(gpus) == (bool(caps) and all(cc >= (7, 0) for cc in caps))
    assert should_use_mixed_precision(gpus, "on") is True
    assert should_use_mixed_precision(gpus, "off") is False


def test_jit_compile_switch():
    assert choose_jit_compile([], "auto") == "auto"
    assert choose_jit_compile([GpuInfo("H100", (9, 0))], "on") is True
    assert choose_jit_compile([GpuInfo("H100", (9, 0))], "off") is False
    for bad in ("yes", "", "ON "):
        with pytest.raises(ValueError):
            choose_jit_compile([], bad)
        with pytest.raises(ValueError):
            should_use_mixed_precision([], bad)


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


@pytest.mark.parametrize("gpus,switch,policy", [
    ([GpuInfo("Tesla T4", (7, 5), 15.0)], "auto", "mixed_float16"),
    ([GpuInfo("Tesla K80", (3, 7), 12.0)], "auto", "float32"),
    ([], "auto", "float32"),
    ([], "on", "mixed_float16"),
    ([GpuInfo("Tesla T4", (7, 5), 15.0)], "off", "float32"),
])
def test_apply_gpu_policy_sets_the_keras_dtype_policy(monkeypatch, gpus, switch, policy):
    import keras

    monkeypatch.setattr(hardware, "list_gpus", lambda: list(gpus))
    monkeypatch.setenv(hardware.MIXED_PRECISION_ENV, switch)
    previous = keras.config.dtype_policy().name
    try:
        report = hardware.apply_gpu_policy()
        assert keras.config.dtype_policy().name == policy
        assert report.mixed_precision is (policy == "mixed_float16")
        assert report.gpus == list(gpus)
        text = report.as_text()
        assert ("none found" in text) == (not gpus)
        assert all(gpu.name in text for gpu in gpus)
    finally:
        keras.config.set_dtype_policy(previous)


def test_benchmark_names_the_fake_gpu(monkeypatch):
    from utils import benchmark

    monkeypatch.setattr(benchmark, "list_gpus", lambda: [GpuInfo("Fake H200", (9, 0)), GpuInfo("Fake H200", (9, 0))])
    assert benchmark.describe_device() == "GPU: Fake H200 (x2)"
    monkeypatch.setattr(benchmark, "list_gpus", lambda: [])
    assert benchmark.describe_device().startswith("CPU: ")
