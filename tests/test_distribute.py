"""Data-parallel training with TensorFlow's own engines: two real worker processes, two logical CPUs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.distribute import (
    free_ports,
    run_in_subprocess,
    run_multiworker,
    scaled_hyperparameters,
    tf_config,
    training_data,
    weights_fingerprint,
)


@pytest.mark.slow
def test_two_worker_processes_on_localhost_end_with_identical_weights():
    report = run_multiworker(workers=2, steps=3, per_replica_batch=8, timeout=240)
    workers = report["workers"]
    assert [w["index"] for w in workers] == [0, 1]
    assert len(set(report["ports"])) == 2
    for worker in workers:
        assert worker["replicas"] == 2 and worker["global_batch"] == 16
        assert math.isfinite(worker["loss"])
        assert worker["weights_sha256"] != worker["initial_weights_sha256"], "the workers did not train"
    assert workers[0]["weights_sha256"] == workers[1]["weights_sha256"]
    assert workers[0]["loss"] == workers[1]["loss"]


@pytest.mark.slow
def test_mirrored_strategy_on_two_logical_cpus():
    report = run_in_subprocess(["mirrored", "--devices", "2", "--steps", "2", "--batch", "8"], timeout=240)
    assert report["replicas"] == 2
    assert len(report["devices"]) == 2
    assert report["global_batch"] == 16
    assert report["learning_rate"] == pytest.approx(0.1)
    assert math.isfinite(report["loss"]) and report["samples_per_second"] > 0


@given(st.integers(1, 4096), st.floats(1e-6, 10.0), st.integers(1, 512))
def test_linear_scaling_rule(batch, learning_rate, replicas):
    global_batch, scaled = scaled_hyperparameters(batch, learning_rate, replicas)
    assert global_batch == batch * replicas
    assert scaled == pytest.approx(learning_rate * replicas)
    assert scaled_hyperparameters(batch, learning_rate, 1) == (batch, pytest.approx(learning_rate))


@pytest.mark.parametrize("args", [(0, 0.1, 2), (8, 0.0, 2), (8, -1.0, 2), (8, 0.1, 0), (8, float("nan"), 2),
                                  (True, 0.1, 2), (8.5, 0.1, 2)])
def test_scaling_rule_rejects_bad_input(args):
    with pytest.raises(ValueError):
        scaled_hyperparameters(*args)


@given(st.lists(st.integers(1024, 65535), min_size=1, max_size=8, unique=True), st.data())
def test_tf_config_names_every_worker_and_this_task(ports, data):
    addresses = [f"127.0.0.1:{p}" for p in ports]
    index = data.draw(st.integers(0, len(ports) - 1))
    config = tf_config(addresses, index)
    assert config["cluster"]["worker"] == addresses
    assert config["task"] == {"type": "worker", "index": index}


@pytest.mark.parametrize("addresses,index", [([], 0), (["a:1", "a:1"], 0), (["a:1"], 1), (["a:1"], -1)])
def test_tf_config_rejects_bad_clusters(addresses, index):
    with pytest.raises(ValueError):
        tf_config(addresses, index)


def test_free_ports_are_distinct_and_bindable():
    import socket

    ports = free_ports(3)
    assert len(set(ports)) == 3
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
    with pytest.raises(ValueError):
        free_ports(0)


@settings(max_examples=25)
@given(st.integers(1, 5), st.integers(0, 2**31 - 1))
def test_fingerprint_is_equal_only_for_identical_weights(count, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((3, 2)).astype("float32") for _ in range(count)]
    assert weights_fingerprint(weights) == weights_fingerprint([w.copy() for w in weights])
    changed = [w.copy() for w in weights]
    changed[-1][0, 0] = np.nextafter(changed[-1][0, 0], np.float32(np.inf))
    assert weights_fingerprint(weights) != weights_fingerprint(changed)


@settings(max_examples=10)
@given(st.integers(8, 256), st.integers(0, 1000))
def test_training_data_is_deterministic_and_the_label_is_the_brightest_quadrant(samples, seed):
    x, y = training_data(samples, seed)
    x2, y2 = training_data(samples, seed)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert x.shape == (samples, 8, 8, 1) and x.dtype == np.float32
    quadrant_means = np.stack([x[:, r:r + 4, c:c + 4].mean(axis=(1, 2, 3)) for r in (0, 4) for c in (0, 4)], axis=1)
    assert np.array_equal(quadrant_means.argmax(axis=1), y)
