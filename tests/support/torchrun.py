"""Run a training script under this venv's `torchrun`, as a reader would, and always stop it.

`run_torchrun(script, *args, nproc=2)` starts `torchrun --nproc-per-node=2 ... script args`
with the rendezvous on 127.0.0.1 and a free port (`--rdzv-backend=c10d`, explicit endpoint,
`--local-addr=127.0.0.1`: no hostname lookups), waits for it, and returns what it printed.
The c10d rendezvous, unlike the static one behind `--master-port`, opens a fresh round after a
worker dies, so `--max-restarts` really restarts the workers (the static store keeps the dead
round's gloo addresses and the restarted ranks cannot connect).

Stopping it is the hard part. torchrun starts each worker in a session of its own
(`start_new_session=True` in torch's SubprocessHandler), so signalling torchrun's process group
misses them, and a worker whose agent died is re-parented away from us. Every process of a job
therefore carries one marker in its environment, `TORCHRUN_SUPPORT_JOB=<job id>` (workers
inherit the agent's environment, restarted ones too), and `job_processes(job_id)` finds them
in /proc. On timeout, on KeyboardInterrupt, and on any exception while the job runs (a failing
test), the agent's group gets SIGTERM, then every process of the job SIGKILL; the function
returns or raises only when none is left.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

from tests.support.processes import free_port, port_is_open

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MARKER = "TORCHRUN_SUPPORT_JOB"


class TorchrunError(RuntimeError):
    """torchrun could not run or stop the job; the message says why and what to do."""


class TorchrunMissing(TorchrunError):
    pass


class TorchrunPortInUse(TorchrunError):
    pass


class TorchrunFailed(TorchrunError):
    def __init__(self, message: str, returncode: int | None, output: str):
        super().__init__(message)
        self.returncode = returncode
        self.output = output


class TorchrunTimeout(TorchrunFailed):
    pass


def torchrun_command(
    script: Path | str,
    *args: str,
    nproc: int,
    port: int,
    job_id: str,
    max_restarts: int = 0,
    torchrun: Path | None = None,
) -> list[str]:
    """The command line a reader types on one machine, with every address made explicit."""
    return [
        str(torchrun or VENV_BIN / "torchrun"),
        f"--nproc-per-node={nproc}",
        "--nnodes=1",
        "--rdzv-backend=c10d",
        f"--rdzv-endpoint=127.0.0.1:{port}",
        f"--rdzv-id={job_id}",
        "--local-addr=127.0.0.1",
        f"--max-restarts={max_restarts}",
        str(script),
        *map(str, args),
    ]


def _environ_has(pid: str, marker: bytes) -> bool:
    try:
        return marker in (Path("/proc") / pid / "environ").read_bytes().split(b"\0")
    except OSError:  # gone, or not ours to read
        return False


def _is_zombie(pid: str) -> bool:
    try:
        return (Path("/proc") / pid / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def job_processes(job_id: str) -> list[int]:
    """PIDs of the live processes of one torchrun job: the agent, the workers and their
    children, found by the marker in their environment."""
    marker = f"{MARKER}={job_id}".encode()
    me = str(os.getpid())
    return sorted(
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit()
        and entry.name != me
        and _environ_has(entry.name, marker)
        and not _is_zombie(entry.name)
    )


def stop_job(agent: subprocess.Popen, job_id: str, grace: float = 5.0) -> None:
    """SIGTERM the agent's process group (torchrun then stops its workers), wait `grace`
    seconds, then SIGKILL every process of the job, each with its own process group."""
    if agent.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(agent.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            agent.wait(timeout=grace)
    deadline = time.monotonic() + 15
    while True:
        left = job_processes(job_id)
        if not left:
            break
        for pid in left:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if os.getpgid(pid) == pid:
                    os.killpg(pid, signal.SIGKILL)
                else:
                    os.kill(pid, signal.SIGKILL)
        if time.monotonic() > deadline:
            raise TorchrunError(f"torchrun job {job_id}: processes {left} survived SIGKILL")
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(agent.pid, signal.SIGKILL)
        agent.wait(timeout=5)


def _addr_in_use(output: str) -> bool:
    text = output.lower()
    return "address already in use" in text or "eaddrinuse" in text


def run_torchrun(
    script: Path | str,
    *args: str,
    nproc: int,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
    check: bool = True,
    max_restarts: int = 0,
    port: int | None = None,
    job_id: str | None = None,
    torchrun: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `torchrun --nproc-per-node=<nproc> <script> <args>` on 127.0.0.1 and wait for it.

    `env` is added to this environment (this venv's bin first on PATH). `port` is the
    rendezvous port (a free one by default); `job_id` (a fresh one by default) is the
    rendezvous id and the marker `job_processes` finds the job by. With `check`, a non-zero
    exit raises `TorchrunFailed` carrying torchrun's exit code and everything the job printed.
    Nothing of the job is left running when this returns or raises.
    """
    tool = Path(torchrun) if torchrun else VENV_BIN / "torchrun"
    if not tool.is_file():
        raise TorchrunMissing(
            f"no torchrun at {tool}: it comes with torch (the examples-training venv; "
            "`nox -s examples -- training` creates it)"
        )
    script = Path(script)
    if not script.is_absolute():
        script = ROOT / script
    if not script.is_file():
        raise FileNotFoundError(f"no training script {script}")
    if port is None:
        port = free_port()
    elif port_is_open(port):
        raise TorchrunPortInUse(
            f"port {port} on 127.0.0.1 is in use, so torchrun cannot host its rendezvous "
            f"there. Find the owner with `ss -ltnp 'sport = :{port}'` and stop it, or leave "
            "port unset to get a free one."
        )
    job_id = job_id or f"job-{uuid.uuid4().hex[:12]}"
    command = torchrun_command(
        script,
        *args,
        nproc=nproc,
        port=port,
        job_id=job_id,
        max_restarts=max_restarts,
        torchrun=tool,
    )
    # torchrun's agent makes a torchelastic_* folder in the temp dir and leaves it behind:
    # each job gets its own temp dir, deleted when the job is over.
    scratch = tempfile.mkdtemp(prefix=f"torchrun-{job_id}-")
    try:
        return _run_job(command, job_id, port, timeout, check, cwd, env, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run_job(
    command: list[str],
    job_id: str,
    port: int,
    timeout: float,
    check: bool,
    cwd: Path | None,
    env: Mapping[str, str] | None,
    scratch: str,
) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "TMPDIR": scratch,
        **(env or {}),
        MARKER: job_id,
    }
    agent = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        start_new_session=True,  # its own process group, signalled as one
    )
    try:
        stdout, stderr = agent.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_job(agent, job_id)
        stdout, stderr = agent.communicate()
        raise TorchrunTimeout(
            f"torchrun did not finish within {timeout:.0f} s and was stopped "
            f"(job {job_id}).\ncommand: {' '.join(command)}\n"
            f"--- output\n{_tail(stdout, stderr)}",
            None,
            stdout + stderr,
        ) from None
    except BaseException:  # KeyboardInterrupt, a failing test: stop everything, then re-raise
        stop_job(agent, job_id)
        with contextlib.suppress(Exception):
            agent.communicate(timeout=5)
        raise
    # Workers normally end with their agent; anything that outlived it is stopped here.
    stop_job(agent, job_id)
    done = subprocess.CompletedProcess(command, agent.returncode, stdout, stderr)
    if check and done.returncode != 0:
        if _addr_in_use(stdout + stderr):
            raise TorchrunPortInUse(
                f"torchrun could not bind 127.0.0.1:{port} (address already in use); "
                "another process took it. Run again: a free port is chosen each time.\n"
                f"--- output\n{_tail(stdout, stderr)}"
            )
        raise TorchrunFailed(
            f"torchrun exited with code {done.returncode} (job {job_id}).\n"
            f"command: {' '.join(command)}\n--- output\n{_tail(stdout, stderr)}",
            done.returncode,
            stdout + stderr,
        )
    return done


def _tail(stdout: str, stderr: str, limit: int = 12000) -> str:
    text = f"{stdout}\n--- stderr\n{stderr}"
    return text if len(text) <= limit else "...\n" + text[-limit:]
