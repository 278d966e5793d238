"""Start training processes and collect their reports: the plumbing of ``13_distributed_training``.

The distribution itself — ``tf.distribute.MirroredStrategy``, ``MultiWorkerMirroredStrategy``,
``keras.distribution.DataParallel`` — is written in that notebook's cells. A device layout is fixed
when a framework starts, so each demonstration runs in fresh processes; this module only picks free
ports and runs the processes side by side, each printing one JSON line as its last output.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Mapping, Sequence

DEFAULT_TIMEOUT = 240


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


def last_json_line(text: str) -> dict:
    """The last line of ``text`` that holds a JSON object."""
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("the process printed no JSON report")


def run_processes(commands: Sequence[Sequence[str]], envs: Sequence[Mapping[str, str]] | None = None,
                  timeout: float = DEFAULT_TIMEOUT) -> list[dict]:
    """Run ``commands`` at the same time (workers must meet), wait for all, return their JSON reports in order."""
    if not commands:
        raise ValueError("give at least one command")
    if envs is not None and len(envs) != len(commands):
        raise ValueError(f"{len(commands)} commands but {len(envs)} environments")
    environments = envs or [{**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}] * len(commands)
    processes = [subprocess.Popen(list(command), env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for command, env in zip(commands, environments, strict=True)]
    reports = []
    try:
        for command, process in zip(commands, processes, strict=True):
            out, err = process.communicate(timeout=timeout)
            if process.returncode != 0:
                raise RuntimeError(f"`{' '.join(command)}` exited with {process.returncode}:\n{err[-3000:]}")
            reports.append(last_json_line(out))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return reports
