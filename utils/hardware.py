"""Hardware report and GPU policy: what are we running on, and which speed-ups pay there.

Introduced in ``00_welcome_and_setup``; measured in ``12_performance_and_scaling``.
Works with any Keras backend (TensorFlow, JAX, PyTorch).
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

MIXED_PRECISION_ENV = "COURSE_MIXED_PRECISION"
XLA_ENV = "COURSE_XLA"
DETERMINISM_ENV = "COURSE_DETERMINISM"
SWITCH_VALUES = ("auto", "on", "off")
MIN_TENSOR_CORE_CAPABILITY = (7, 0)
"""Volta and newer have tensor cores; float16 maths is slower than float32 on older GPUs and on CPUs."""
TF32_CAPABILITY = (8, 0)
"""Ampere and newer also run float32 products on tensor cores (TF32), which leaves mixed precision little to gain."""


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send C++ log lines (written straight to file descriptor 2) to /dev/null for a moment.

    TensorFlow's start-up messages ("oneDNN custom operations are on", "could not find
    cuda drivers") bypass Python and its log-level variables; Jupyter would show them in
    every notebook. Python exceptions are unaffected.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_backend_quietly() -> str:
    """Import Keras and its backend with the native start-up chatter silenced; return the backend name."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # C++ errors too: they are benign graph-version notes
    with native_stderr_silenced():
        import keras

        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            tf.config.list_physical_devices("GPU")  # the CUDA probe logs here, once
    return keras.backend.backend()


@dataclass(frozen=True)
class GpuInfo:
    """One accelerator as the backend sees it."""

    name: str
    compute_capability: tuple[int, int] | None = None
    memory_gib: float | None = None


@dataclass
class HardwareReport:
    """A short description of the machine, the backend and the policy really in force on it."""

    backend: str
    versions: dict[str, str]
    cpu: str
    cpu_count: int
    gpus: list[GpuInfo] = field(default_factory=list)
    mixed_precision: bool = False
    jit_compile: bool | str = "auto"
    xla_in_force: bool = False
    deterministic: bool = False

    def as_text(self) -> str:
        lines = [
            f"Backend   : {self.backend}  ({', '.join(f'{k} {v}' for k, v in self.versions.items())})",
            f"CPU       : {self.cpu} ({self.cpu_count} logical cores)",
        ]
        if self.gpus:
            for index, gpu in enumerate(self.gpus):
                capability = ".".join(map(str, gpu.compute_capability)) if gpu.compute_capability else "?"
                memory = f"{gpu.memory_gib:.0f} GiB" if gpu.memory_gib else "? GiB"
                lines.append(f"GPU {index}     : {gpu.name} (compute capability {capability}, {memory})")
        else:
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


def _check_switch(switch: str) -> None:
    if switch not in SWITCH_VALUES:
        raise ValueError(f"switch must be one of {SWITCH_VALUES}, got {switch!r}")


def should_use_mixed_precision(gpus: Sequence[GpuInfo], switch: str = "auto", profile: str = "default") -> bool:
    """Mixed precision where it is expected to pay: the ``full`` profile on Volta/Turing GPUs (e.g. Colab's T4).

    Those GPUs (compute capability 7.x) have float16 tensor cores but run float32 on ordinary cores.
    From Ampere (8.0) on, float32 products already use tensor cores (TF32): measured on an H200
    (``results/gpu_benchmark_h200_sweep.md``), mixed precision gave no reliable gain there. The
    ``default`` profile's models are too small to gain anywhere. ``on``/``off`` force the choice.
    """
    _check_switch(switch)
    if switch != "auto":
        return switch == "on"
    return profile == "full" and bool(gpus) and all(
        gpu.compute_capability is not None and MIN_TENSOR_CORE_CAPABILITY <= gpu.compute_capability < TF32_CAPABILITY
        for gpu in gpus
    )


def choose_jit_compile(gpus: Sequence[GpuInfo], switch: str = "auto") -> bool | str:
    """XLA: ``True``/``False`` when forced, else Keras' own ``"auto"`` choice (on for GPUs, off on CPUs)."""
    _check_switch(switch)
    return {"on": True, "off": False}.get(switch, "auto")


def wants_op_determinism(switch: str = "auto", xla_switch: str = "auto") -> bool:
    """TensorFlow op determinism: only when asked for (``on``), since Keras refuses XLA while it is on.

    It makes reruns byte-identical on one machine, at some GPU speed; ``auto`` means off.
    """
    _check_switch(switch)
    _check_switch(xla_switch)
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


def resolved_jit_compile(jit_compile: bool | str) -> bool:
    """What ``model.compile(jit_compile=...)`` really gives: Keras resolves ``"auto"`` and may refuse XLA."""
    import keras

    probe = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    probe.compile(optimizer="sgd", loss="mse", jit_compile=jit_compile)
    return bool(probe.jit_compile)


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
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _nvidia_smi_memory() -> list[float]:
    if not shutil.which("nvidia-smi"):
        return []
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout
        return [float(v) / 1024 for v in out.split()]
    except (OSError, subprocess.SubprocessError, ValueError):
        return []


def list_gpus() -> list[GpuInfo]:
    """The GPUs visible to the active Keras backend, with memory growth switched on (TensorFlow)."""
    import keras

    backend = keras.backend.backend()
    memory = _nvidia_smi_memory()
    found: list[GpuInfo] = []
    if backend == "tensorflow":
        import tensorflow as tf

        for index, device in enumerate(tf.config.list_physical_devices("GPU")):
            try:
                tf.config.experimental.set_memory_growth(device, True)
            except RuntimeError:  # already initialised: growth can only be set before first use
                pass
            details = tf.config.experimental.get_device_details(device)
            found.append(GpuInfo(details.get("device_name", device.name), details.get("compute_capability"),
                                 memory[index] if index < len(memory) else None))
    elif backend == "jax":
        import jax

        for index, device in enumerate(d for d in jax.devices() if d.platform == "gpu"):
            capability = getattr(device, "compute_capability", None)
            cc = tuple(int(p) for p in str(capability).split(".")[:2]) if capability else None
            stats = device.memory_stats() or {}
            gib = stats.get("bytes_limit", 0) / 2**30 or (memory[index] if index < len(memory) else None)
            found.append(GpuInfo(device.device_kind, cc, gib))
    elif backend == "torch":
        import torch

        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            found.append(GpuInfo(props.name, (props.major, props.minor), props.total_memory / 2**30))
    return found


def library_versions() -> dict[str, str]:
    """Versions of Keras and of the active backend library."""
    import keras

    versions = {"keras": keras.__version__}
    backend = keras.backend.backend()
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend)
    if module:
        versions[module] = __import__(module).__version__
    return versions


def apply_precision_policy(gpus: Sequence[GpuInfo], profile: str = "default") -> bool:
    """Set Keras' global dtype policy for ``profile`` on ``gpus``; return whether mixed precision is on."""
    import keras

    mixed = should_use_mixed_precision(gpus, read_switch(MIXED_PRECISION_ENV), profile)
    keras.config.set_dtype_policy("mixed_float16" if mixed else "float32")
    return mixed


def apply_gpu_policy(profile: str = "default") -> HardwareReport:
    """Detect the hardware, set precision, determinism and XLA for it, and report what is really in force."""
    import keras

    from utils.reproducibility import set_op_determinism

    gpus = list_gpus()
    xla_switch = read_switch(XLA_ENV)
    deterministic = set_op_determinism(wants_op_determinism(read_switch(DETERMINISM_ENV), xla_switch))
    jit_compile = choose_jit_compile(gpus, xla_switch)
    return HardwareReport(
        backend=keras.backend.backend(),
        versions=library_versions(),
        cpu=cpu_name(),
        cpu_count=os.cpu_count() or 1,
        gpus=gpus,
        mixed_precision=apply_precision_policy(gpus, profile),
        jit_compile=jit_compile,
        xla_in_force=resolved_jit_compile(jit_compile),
        deterministic=deterministic,
    )
