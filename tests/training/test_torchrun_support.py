"""The torchrun fixture keeps its promises: a failing rank fails the call with every rank's
output and the exit code, and an interrupt or a timeout leaves no process behind.

The scripts here import nothing heavy, so each launch costs about torchrun's own start."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.support.torchrun import (
    TorchrunFailed,
    TorchrunMissing,
    TorchrunPortInUse,
    TorchrunTimeout,
    job_processes,
    run_torchrun,
)

SLEEPER = """
import os, pathlib, sys, time
folder = pathlib.Path(sys.argv[1])
(folder / f"rank{os.environ['RANK']}.pid").write_text(str(os.getpid()))
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_failing_rank_fails_the_call_with_every_ranks_output_and_the_exit_code(tmp_path):
    script = tmp_path / "fails.py"
    script.write_text(
        "import os, sys\n"
        "rank = os.environ['RANK']\n"
        'print(f\'rank {rank} of {os.environ["WORLD_SIZE"]} at {os.environ["MASTER_ADDR"]}\','
        " flush=True)\n"
        "sys.exit(3 if rank == '1' else 0)\n"
    )
    job = f"test-{uuid.uuid4().hex[:8]}"
    with pytest.raises(TorchrunFailed) as failed:
        run_torchrun(script, nproc=2, job_id=job, timeout=120)
    message = str(failed.value)
    assert "rank 0 of 2 at 127.0.0.1" in message and "rank 1 of 2 at 127.0.0.1" in message
    assert "exitcode  : 3" in message  # torchrun's own report names the rank's exit code
    assert failed.value.returncode == 1  # torchrun's exit code when a worker failed
    assert job_processes(job) == []


def test_an_interrupt_stops_torchrun_and_every_worker(tmp_path):
    """KeyboardInterrupt (Ctrl-C, or pytest stopping a test) while both workers sleep."""
    script = tmp_path / "sleeps.py"
    script.write_text(SLEEPER)
    pid_files = [tmp_path / "rank0.pid", tmp_path / "rank1.pid"]

    def interrupt_when_both_workers_run() -> None:
        deadline = time.monotonic() + 240
        while not all(p.exists() and p.read_text() for p in pid_files):
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGINT)  # a real signal: it wakes the waiting call

    job = f"test-{uuid.uuid4().hex[:8]}"
    watcher = threading.Thread(target=interrupt_when_both_workers_run, daemon=True)
    watcher.start()
    with pytest.raises(KeyboardInterrupt):
        run_torchrun(script, str(tmp_path), nproc=2, job_id=job, timeout=300)
    watcher.join()
    workers = [int(p.read_text()) for p in pid_files]
    assert len(workers) == 2
    assert [pid for pid in workers if alive(pid)] == []
    assert job_processes(job) == []


def test_a_timeout_stops_the_job_and_says_so(tmp_path):
    script = tmp_path / "sleeps.py"
    script.write_text(SLEEPER)
    job = f"test-{uuid.uuid4().hex[:8]}"
    # One second is before torchrun has even imported torch: the agent's group is stopped.
    # (The workers' stop is the same `stop_job`, proven by the interrupt test above.)
    with pytest.raises(TorchrunTimeout, match=r"did not finish within 1 s"):
        run_torchrun(script, str(tmp_path), nproc=2, job_id=job, timeout=1)
    assert job_processes(job) == []


def test_a_port_in_use_is_named_with_the_fix(tmp_path):
    script = tmp_path / "noop.py"
    script.write_text("")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(TorchrunPortInUse, match=rf"port {port} on 127.0.0.1 is in use.*ss"):
            run_torchrun(script, nproc=2, port=port)


def test_a_missing_torchrun_is_named_with_the_fix(tmp_path):
    script = tmp_path / "noop.py"
    script.write_text("")
    with pytest.raises(TorchrunMissing, match=r"no torchrun at .*comes with torch"):
        run_torchrun(script, nproc=2, torchrun=tmp_path / "bin" / "torchrun")
