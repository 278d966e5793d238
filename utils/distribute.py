"""Notebook 13's plumbing: run training processes side by side and collect the JSON line each prints last."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Mapping, Sequence
from contextlib import ExitStack


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` distinct TCP ports that are free right now (the OS picks them)."""
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    with ExitStack() as stack:  # every socket stays bound until all are picked, so the ports differ
        sockets = [stack.enter_context(socket.create_server((host, 0))) for _ in range(count)]
        return [sock.getsockname()[1] for sock in sockets]


def last_json_line(text: str) -> dict:
    """The last line of ``text`` that holds a JSON object."""
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("the process printed no JSON report")


def run_processes(commands: Sequence[Sequence[str]], envs: Sequence[Mapping[str, str]] | None = None,
                  timeout: float = 240) -> list[dict]:
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
