"""Process plumbing for notebook 13: free ports, side-by-side processes, clear failures."""

from __future__ import annotations

import sys
import tempfile

import pytest

from utils.distribute import free_ports, last_json_line, run_processes

ECHO = "import json, os, sys; print('noise'); print(json.dumps({'arg': sys.argv[1], 'who': os.environ.get('WHO')}))"


def test_processes_run_side_by_side_and_report_in_order():
    reports = run_processes([[sys.executable, "-c", ECHO, "a"], [sys.executable, "-c", ECHO, "b"]],
                            envs=[{"WHO": "first"}, {"WHO": "second"}], timeout=60)
    assert reports == [{"arg": "a", "who": "first"}, {"arg": "b", "who": "second"}]


def test_processes_that_must_meet_do_meet():
    # each process waits for the other's file: run one after the other, they would deadlock
    wait_for = ("import json, os, pathlib, sys, time; me, other = sys.argv[1:3]; pathlib.Path(me).touch()\n"
                "deadline = time.time() + 30\n"
                "while not os.path.exists(other) and time.time() < deadline: time.sleep(0.05)\n"
                "print(json.dumps({'met': os.path.exists(other)}))")
    with tempfile.TemporaryDirectory() as folder:
        a, b = f"{folder}/a", f"{folder}/b"
        reports = run_processes([[sys.executable, "-c", wait_for, a, b], [sys.executable, "-c", wait_for, b, a]],
                                timeout=60)
    assert reports == [{"met": True}, {"met": True}]


def test_a_failing_process_is_reported_with_its_error():
    with pytest.raises(RuntimeError, match="exited with 3"):
        run_processes([[sys.executable, "-c", "import sys; sys.stderr.write('boom'); sys.exit(3)"]], timeout=60)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="at least one command"):
        run_processes([])
    with pytest.raises(ValueError, match="2 commands but 1 environments"):
        run_processes([["true"], ["true"]], envs=[{}])
    with pytest.raises(ValueError, match="no JSON report"):
        last_json_line("just text\n")
    with pytest.raises(ValueError):
        free_ports(0)


def test_free_ports_are_distinct():
    ports = free_ports(3)
    assert len(set(ports)) == 3 and all(1024 <= p < 65536 for p in ports)
