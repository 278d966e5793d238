"""Hardware report and GPU policy (notebook 00; measured in notebook 12), for any Keras backend."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

MIXED_PRECISION_ENV = "COURSE_MIXED_PRECISION"
XLA_ENV = "COURSE_XLA"
DETERMINISM_ENV = "COURSE_DETERMINISM"
SWITCH_VALUES = ("auto", "on", "off")
MIN_TENSOR_CORE_CAPABILITY = (7, 0)  # Volta on: tensor cores; float16 is slower than float32 before, and on CPUs
TF32_CAPABILITY = (8, 0)  # Ampere on: float32 products use tensor cores too, leaving mixed precision little to gain


def import_backend_quietly() -> str:
    """Import Keras and its backend with fd 2 pointed at /dev/null; return the backend name.

    TensorFlow's C++ start-up lines ("oneDNN custom operations are on", ...) bypass Python and the log levels.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # C++ errors too: they are benign graph-version notes
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import keras
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf
            tf.config.list_physical_devices("GPU")  # the CUDA probe logs here, once
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return keras.backend.backend()


@dataclass(frozen=True)
class GpuInfo:
    """One accelerator as the backend sees it."""

    name: str
    compute_capability: tuple[int, int] | None = None
    memory_gib: float | None = None


@dataclass
class HardwareReport:
    """The GPUs found and the policy really in force on them."""

    gpus: list[GpuInfo] = field(default_factory=list)
    mixed_precision: bool = False
    jit_compile: bool | str = "auto"
    xla_in_force: bool = False
    deterministic: bool = False

    def as_text(self) -> str:
        import keras
        versions = ", ".join(f"{k} {v}" for k, v in library_versions().items())
        lines = [f"Backend   : {keras.backend.backend()}  ({versions})",
                 f"CPU       : {cpu_name()} ({os.cpu_count() or 1} logical cores)"]
        for index, gpu in enumerate(self.gpus):
            capability = ".".join(map(str, gpu.compute_capability)) if gpu.compute_capability else "?"
            memory = f"{gpu.memory_gib:.0f} GiB" if gpu.memory_gib else "? GiB"
            lines.append(f"GPU {index}     : {gpu.name} (compute capability {capability}, {memory})")
        if not self.gpus:
            lines.append("GPU       : none found; training runs on the CPU (the default profile is sized for that)")
        lines.append(f"Precision : {precision_in_force()}"
                     + ("" if self.mixed_precision else " (mixed precision: auto turns it on only for the full "
                        f"profile on Volta/Turing GPUs such as a T4; {MIXED_PRECISION_ENV}=on forces it)"))
        requested = {True: "on", False: "off"}.get(self.jit_compile, "auto")  # type: ignore[arg-type]
        lines.append(f"XLA       : {'on' if self.xla_in_force else 'off'} in model.compile "
                     f"(requested {requested}; {XLA_ENV}=on forces it)")
        lines.append(f"Determinism: TensorFlow op determinism {'on (XLA refused)' if self.deterministic else 'off'}"
                     f" ({DETERMINISM_ENV}=on for byte-identical reruns)")
        return "\n".join(lines)


def read_switch(variable: str) -> str:
    """Read an ``auto``/``on``/``off`` environment switch."""
    value = os.environ.get(variable, "auto").strip().lower() or "auto"
    if value not in SWITCH_VALUES:
        raise ValueError(f"{variable}={value!r} is not valid; use one of {', '.join(SWITCH_VALUES)}.")
    return value


def _check_switch(*switches: str) -> None:
    for switch in switches:
        if switch not in SWITCH_VALUES:
            raise ValueError(f"switch must be one of {SWITCH_VALUES}, got {switch!r}")


def should_use_mixed_precision(gpus: Sequence[GpuInfo], switch: str = "auto", profile: str = "default") -> bool:
    """Mixed precision where it is expected to pay: the ``full`` profile on Volta/Turing GPUs (e.g. Colab's T4).

    From Ampere on, float32 already runs on tensor cores (no reliable gain on an H200, see
    ``results/gpu_benchmark_h200_sweep.md``); the ``default`` profile's models are too small to gain anywhere.
    """
    _check_switch(switch)
    if switch != "auto":
        return switch == "on"
    return profile == "full" and bool(gpus) and all(
        gpu.compute_capability is not None and MIN_TENSOR_CORE_CAPABILITY <= gpu.compute_capability < TF32_CAPABILITY
        for gpu in gpus)


def wants_op_determinism(switch: str = "auto", xla_switch: str = "auto") -> bool:
    """TensorFlow op determinism (byte-identical reruns, slower GPU kernels): only on request, as it rules out XLA."""
    _check_switch(switch, xla_switch)
    if switch == "on" and xla_switch == "on":
        raise ValueError(f"{DETERMINISM_ENV}=on and {XLA_ENV}=on cannot both hold: Keras refuses XLA while "
                         "TensorFlow op determinism is on. Choose one.")
    return switch == "on"


def precision_in_force() -> str:
    """The Keras dtype policy now in force, read back from Keras."""
    import keras
    policy = keras.config.dtype_policy()
    if policy.compute_dtype == policy.variable_dtype:
        return policy.name
    return f"{policy.name} (compute {policy.compute_dtype}, variables {policy.variable_dtype})"


@contextmanager
def float32_policy() -> Iterator[None]:
    """Build layers in float32 inside the block, whatever the global policy: for numeric checks and gradient probes."""
    import keras
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def cpu_name() -> str:
    """The CPU model as the operating system reports it."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            return next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def list_gpus() -> list[GpuInfo]:
    """The GPUs visible to the active Keras backend, with memory growth switched on (TensorFlow)."""
    import keras
    try:  # TensorFlow does not report the memory; JAX only while its allocator is up
        smi = subprocess.run(["nvidia-smi", "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
        smi_gib = dict(enumerate(float(v) / 1024 for v in smi.split()))
    except (OSError, subprocess.SubprocessError, ValueError):
        smi_gib = {}
    found: list[GpuInfo] = []
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf
        for index, device in enumerate(tf.config.list_physical_devices("GPU")):
            try:
                tf.config.experimental.set_memory_growth(device, True)
            except RuntimeError:  # already initialised: growth can only be set before first use
                pass
            details = tf.config.experimental.get_device_details(device)
            found.append(GpuInfo(details.get("device_name", device.name), details.get("compute_capability"),
                                 smi_gib.get(index)))
    elif keras.backend.backend() == "jax":
        import jax
        for index, device in enumerate(d for d in jax.devices() if d.platform == "gpu"):
            capability = getattr(device, "compute_capability", None)
            cc = tuple(int(p) for p in str(capability).split(".")[:2]) if capability else None
            gib = (device.memory_stats() or {}).get("bytes_limit", 0) / 2**30 or smi_gib.get(index)
            found.append(GpuInfo(device.device_kind, cc, gib))
    elif keras.backend.backend() == "torch":
        import torch
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            found.append(GpuInfo(props.name, (props.major, props.minor), props.total_memory / 2**30))
    return found


def library_versions() -> dict[str, str]:
    """Versions of Keras and of the active backend library."""
    import keras
    backend = keras.backend.backend()
    versions = {"keras": keras.__version__}
    if backend in ("tensorflow", "jax", "torch"):
        versions[backend] = __import__(backend).__version__
    return versions


def set_op_determinism(enabled: bool) -> bool:
    """Ask TensorFlow for deterministic ops, or stop asking; return what is in force (other backends: False)."""
    import keras
    if keras.backend.backend() != "tensorflow":
        return False
    # The public API can only switch determinism on; Keras itself reads this module to decide about XLA.
    from tensorflow.python.framework import config as tf_config
    (tf_config.enable_op_determinism if enabled else tf_config.disable_op_determinism)()
    return bool(tf_config.is_op_determinism_enabled())


def apply_precision_policy(gpus: Sequence[GpuInfo], profile: str = "default") -> bool:
    """Set Keras' global dtype policy for ``profile`` on ``gpus``; return whether mixed precision is on."""
    import keras
    mixed = should_use_mixed_precision(gpus, read_switch(MIXED_PRECISION_ENV), profile)
    keras.config.set_dtype_policy("mixed_float16" if mixed else "float32")
    return mixed


def apply_gpu_policy(profile: str = "default") -> HardwareReport:
    """Detect the hardware, set precision, determinism and XLA for it, and report what is really in force."""
    import keras
    gpus = list_gpus()
    xla_switch = read_switch(XLA_ENV)
    deterministic = set_op_determinism(wants_op_determinism(read_switch(DETERMINISM_ENV), xla_switch))
    jit_compile = {"on": True, "off": False}.get(xla_switch, "auto")  # "auto": Keras' choice, on for GPUs only
    mixed = apply_precision_policy(gpus, profile)
    probe = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])  # Keras may refuse XLA: ask it
    probe.compile(optimizer="sgd", loss="mse", jit_compile=jit_compile)
    return HardwareReport(gpus, mixed, jit_compile, bool(probe.jit_compile), deterministic)
