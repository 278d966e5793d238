"""Data-parallel training with the engines TensorFlow and Keras ship: ``python -m utils.distribute MODE``.

Introduced in ``12_performance_and_scaling``. Nothing here re-implements distribution:
``tf.distribute.MirroredStrategy`` (one process, many devices), ``MultiWorkerMirroredStrategy``
(many processes, configured by ``TF_CONFIG``) and ``keras.distribution.DataParallel`` (JAX) do
the work; this module only prepares their inputs and reports what happened as JSON.

Each demo runs in its own process, because the device layout is fixed when a framework starts:
``tf.config.set_logical_device_configuration`` must run before TensorFlow initialises its
devices, and ``XLA_FLAGS``/``KERAS_BACKEND`` must be set before JAX and Keras are imported.

Modes (each prints one JSON object on its last line):

* ``mirrored --devices 2`` — split the CPU into logical devices, train with MirroredStrategy;
* ``multiworker --workers 2`` — launch that many worker processes on 127.0.0.1 (free ports
  chosen now) and collect their reports; ``worker`` is what each of them runs;
* ``jax-data-parallel --devices 2`` — run under ``KERAS_BACKEND=jax`` with the host platform
  split into ``--devices`` XLA devices and train with ``keras.distribution.DataParallel``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence

import numpy as np

SEED = 7
IMAGE_SHAPE = (8, 8, 1)
NUM_CLASSES = 4
DEFAULT_TIMEOUT = 180


# --- pure helpers -------------------------------------------------------------------------------------------------

def scaled_hyperparameters(per_replica_batch: int, base_learning_rate: float, replicas: int) -> tuple[int, float]:
    """The linear scaling rule: ``replicas`` copies each see ``per_replica_batch`` samples per step.

    The global batch is ``per_replica_batch * replicas``; averaging gradients over a batch
    ``replicas`` times larger lowers their noise, so the learning rate grows by the same
    factor (Goyal et al., 2017) — usually with a few epochs of warm-up in practice.
    """
    if isinstance(per_replica_batch, bool) or not isinstance(per_replica_batch, int) or per_replica_batch < 1:
        raise ValueError(f"per_replica_batch must be a positive integer, got {per_replica_batch!r}")
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 1:
        raise ValueError(f"replicas must be a positive integer, got {replicas!r}")
    if not np.isfinite(base_learning_rate) or base_learning_rate <= 0:
        raise ValueError(f"base_learning_rate must be a positive number, got {base_learning_rate!r}")
    return per_replica_batch * replicas, float(base_learning_rate) * replicas


def tf_config(addresses: Sequence[str], index: int) -> dict:
    """The ``TF_CONFIG`` of worker ``index`` in a cluster of ``addresses`` (``host:port`` each)."""
    if not addresses:
        raise ValueError("a cluster needs at least one worker address")
    if len(set(addresses)) != len(addresses):
        raise ValueError(f"worker addresses must be distinct, got {list(addresses)}")
    if not 0 <= index < len(addresses):
        raise ValueError(f"index must be in 0..{len(addresses) - 1}, got {index}")
    return {"cluster": {"worker": list(addresses)}, "task": {"type": "worker", "index": index}}


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` distinct TCP ports that are free right now (the OS picks them)."""
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((host, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def weights_fingerprint(weights: Sequence[np.ndarray]) -> str:
    """A SHA-256 of every weight's bytes: equal only for bit-identical models."""
    digest = hashlib.sha256()
    for array in weights:
        digest.update(np.ascontiguousarray(array, dtype=np.float32).tobytes())
    return digest.hexdigest()


def training_data(samples: int = 512, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Small synthetic images whose class is the brightest quadrant: learnable, offline, identical everywhere."""
    rng = np.random.default_rng(seed)
    x = rng.random((samples, *IMAGE_SHAPE), dtype=np.float32) * 0.5
    y = rng.integers(0, NUM_CLASSES, size=samples).astype("int32")
    for quadrant in range(NUM_CLASSES):
        rows, cols = divmod(quadrant, 2)
        x[y == quadrant, rows * 4:rows * 4 + 4, cols * 4:cols * 4 + 4, :] += 0.5
    return x, y


def small_model():
    """The Part 1 CNN at the size of the 8×8 demo images."""
    from utils.models import build_image_cnn

    return build_image_cnn(IMAGE_SHAPE, NUM_CLASSES, filters=(8,))


# --- process-level demos (each must run in a fresh process) --------------------------------------------------------

def split_cpu(devices: int) -> list[str]:
    """Split the first CPU into ``devices`` logical devices; call before TensorFlow touches its devices."""
    if devices < 1:
        raise ValueError(f"devices must be >= 1, got {devices}")
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * devices)
    except RuntimeError as error:
        raise RuntimeError("TensorFlow has already initialised its devices in this process; split the CPU in a "
                           "fresh process (e.g. `python -m utils.distribute mirrored`).") from error
    return [d.name for d in tf.config.list_logical_devices("CPU")]


def _fit(model, strategy, per_replica_batch: int, steps: int, base_learning_rate: float) -> dict:
    import keras
    import tensorflow as tf

    replicas = strategy.num_replicas_in_sync
    global_batch, learning_rate = scaled_hyperparameters(per_replica_batch, base_learning_rate, replicas)
    x, y = training_data(global_batch * steps)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch).repeat()
    with strategy.scope():
        model = model()
        model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    model.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0, shuffle=False)  # warm-up: traces the step
    started = time.perf_counter()
    history = model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    seconds = time.perf_counter() - started
    return {"replicas": replicas, "global_batch": global_batch, "learning_rate": learning_rate,
            "steps": steps, "loss": float(history.history["loss"][-1]),
            "samples_per_second": steps * global_batch / seconds,
            "weights_sha256": weights_fingerprint(model.get_weights())}


def _fit_custom_loop(model, strategy, per_replica_batch: int, steps: int, base_learning_rate: float) -> dict:
    """The same training as :func:`_fit`, written as TensorFlow's distributed custom training loop.

    Keras 3's ``fit`` does not yet accept ``MultiWorkerMirroredStrategy`` (keras-team/keras#20585),
    so each step runs through ``strategy.run`` and ``strategy.reduce``: the strategy still does the
    all-reduce of the gradients (inside ``optimizer.apply_gradients``) — only the loop is ours.
    """
    import keras
    import tensorflow as tf

    replicas = strategy.num_replicas_in_sync
    global_batch, learning_rate = scaled_hyperparameters(per_replica_batch, base_learning_rate, replicas)
    x, y = training_data(global_batch * steps)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch, drop_remainder=True).repeat()
    batches = iter(strategy.experimental_distribute_dataset(dataset))  # each worker reads its own shard
    with strategy.scope():
        model = model()
        optimizer = keras.optimizers.SGD(learning_rate)
        loss_fn = keras.losses.SparseCategoricalCrossentropy(reduction=None)
    initial = weights_fingerprint(model.get_weights())

    def replica_step(images, labels):
        with tf.GradientTape() as tape:
            per_example = loss_fn(labels, model(images, training=True))
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables,
                                      strict=True))
        return loss

    @tf.function
    def train_step(batch):
        per_replica_loss = strategy.run(replica_step, args=batch)
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_loss, axis=None)

    train_step(next(batches))  # warm-up: traces the step
    started = time.perf_counter()
    for _ in range(steps):
        loss = train_step(next(batches))
    seconds = time.perf_counter() - started
    return {"replicas": replicas, "global_batch": global_batch, "learning_rate": learning_rate,
            "steps": steps, "loss": float(loss), "samples_per_second": steps * global_batch / seconds,
            "initial_weights_sha256": initial, "weights_sha256": weights_fingerprint(model.get_weights())}


def run_mirrored(devices: int = 2, per_replica_batch: int = 32, steps: int = 10,
                 base_learning_rate: float = 0.05) -> dict:
    """MirroredStrategy over ``devices`` logical CPUs; returns replicas, batch, learning rate, loss, speed."""
    names = split_cpu(devices)
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(SEED)
    strategy = tf.distribute.MirroredStrategy([n for n in names if "CPU" in n])
    report = _fit(small_model, strategy, per_replica_batch, steps, base_learning_rate)
    return {"mode": "mirrored", "devices": names, **report}


def run_worker(index: int, ports: Sequence[int], per_replica_batch: int = 16, steps: int = 5,
               base_learning_rate: float = 0.05) -> dict:
    """One MultiWorkerMirroredStrategy worker of a cluster on 127.0.0.1 ``ports``."""
    os.environ["TF_CONFIG"] = json.dumps(tf_config([f"127.0.0.1:{p}" for p in ports], index))
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(SEED)  # same start on every worker; the strategy also broadcasts it
    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG, starts this worker's server
    report = _fit_custom_loop(small_model, strategy, per_replica_batch, steps, base_learning_rate)
    return {"mode": "worker", "index": index, "workers": len(ports), **report}


def run_jax_data_parallel(per_replica_batch: int = 32, steps: int = 10, base_learning_rate: float = 0.05) -> dict:
    """``keras.distribution.DataParallel`` over every JAX device (run with ``KERAS_BACKEND=jax``)."""
    import keras

    if keras.backend.backend() != "jax":
        raise RuntimeError("keras.distribution.DataParallel needs KERAS_BACKEND=jax in this process")
    devices = keras.distribution.list_devices()
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
    keras.utils.set_random_seed(SEED)
    global_batch, learning_rate = scaled_hyperparameters(per_replica_batch, base_learning_rate, len(devices))
    x, y = training_data(global_batch * steps)
    model = small_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="sparse_categorical_crossentropy")
    model.fit(x[:global_batch], y[:global_batch], batch_size=global_batch, epochs=1, verbose=0)  # warm-up
    started = time.perf_counter()
    history = model.fit(x, y, batch_size=global_batch, epochs=1, verbose=0, shuffle=False)
    seconds = time.perf_counter() - started
    return {"mode": "jax-data-parallel", "devices": devices, "replicas": len(devices), "global_batch": global_batch,
            "learning_rate": learning_rate, "steps": steps, "loss": float(history.history["loss"][-1]),
            "samples_per_second": steps * global_batch / seconds}


# --- launching processes -------------------------------------------------------------------------------------------

def _last_json_line(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("the process printed no JSON report")


def run_in_subprocess(arguments: Sequence[str], env: Mapping[str, str] | None = None,
                      timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Run ``python -m utils.distribute ARGUMENTS`` in a fresh process; return its JSON report."""
    from utils.settings import repo_root

    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    done = subprocess.run([sys.executable, "-m", "utils.distribute", *arguments], cwd=repo_root(), env=environment,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"`utils.distribute {' '.join(arguments)}` failed:\n{done.stderr[-3000:]}")
    return _last_json_line(done.stdout)


def run_multiworker(workers: int = 2, steps: int = 5, per_replica_batch: int = 16,
                    timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Start ``workers`` worker processes on 127.0.0.1 and return their reports, in index order."""
    from utils.settings import repo_root

    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    ports = free_ports(workers)
    port_list = ",".join(map(str, ports))
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    environment.pop("TF_CONFIG", None)
    processes = [subprocess.Popen([sys.executable, "-m", "utils.distribute", "worker", "--index", str(i),
                                   "--ports", port_list, "--steps", str(steps), "--batch", str(per_replica_batch)],
                                  cwd=repo_root(), env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for i in range(workers)]
    reports, deadline = [], time.monotonic() + timeout
    try:
        for process in processes:
            out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
            if process.returncode != 0:
                raise RuntimeError(f"worker exited with {process.returncode}:\n{err[-3000:]}")
            reports.append(_last_json_line(out))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return {"mode": "multiworker", "ports": ports, "workers": reports}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("mirrored", "multiworker", "worker", "jax-data-parallel"))
    parser.add_argument("--devices", type=int, default=2, help="logical devices (mirrored, jax-data-parallel)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (multiworker)")
    parser.add_argument("--index", type=int, default=0, help="this worker's index (worker)")
    parser.add_argument("--ports", default="", help="comma list of the cluster's ports on 127.0.0.1 (worker)")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--batch", type=int, default=None, help="per-replica batch size")
    args = parser.parse_args(argv)
    options = {k: v for k, v in {"steps": args.steps, "per_replica_batch": args.batch}.items() if v is not None}
    if args.mode == "mirrored":
        report = run_mirrored(args.devices, **options)
    elif args.mode == "multiworker":
        report = run_multiworker(args.workers, **options)
    elif args.mode == "worker":
        ports = [int(p) for p in args.ports.split(",") if p.strip()]
        report = run_worker(args.index, ports, **options)
    elif os.environ.get("KERAS_BACKEND") == "jax" and "xla_force_host_platform_device_count" in os.environ.get(
            "XLA_FLAGS", ""):
        report = run_jax_data_parallel(**options)
    else:  # backend and device split are fixed at import time: re-launch with them set
        flags = f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count={args.devices}".strip()
        arguments = ["jax-data-parallel", "--devices", str(args.devices)]
        arguments += [f"--{name}={value}" for name, value in (("steps", args.steps), ("batch", args.batch))
                      if value is not None]
        report = run_in_subprocess(arguments, {"KERAS_BACKEND": "jax", "XLA_FLAGS": flags})
    print(json.dumps(report), flush=True)
    if args.mode == "worker":
        os._exit(0)  # the worker's gRPC server can keep a finished process alive; its work is reported
    return 0


if __name__ == "__main__":
    sys.exit(main())
