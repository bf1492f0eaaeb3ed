"""examples/ray_/tasks.py: 16 tasks of 1 s each on the session's Ray head."""

from __future__ import annotations

import re

import pytest

from tests.ray_.conftest import driver_output, run_ray_example
from tests.support.examples import ExampleRun
from tests.support.ray_head import RayHead

FILES, SECONDS = 16, 1.0


@pytest.fixture(scope="module")
def tasks(ray_head: RayHead) -> ExampleRun:
    argv = ("--files", str(FILES), "--seconds", str(SECONDS))
    return run_ray_example("tasks.py", *argv, head=ray_head)


def test_every_result_comes_back_in_order(tasks: ExampleRun):
    assert tasks.globals["results"] == [f"Processed data_{i}.csv" for i in range(FILES)]
    assert "Processed 16 files: 'Processed data_0.csv' ... 'Processed data_15.csv'" in tasks.stdout


def test_tasks_run_in_parallel(tasks: ExampleRun):
    cpus, elapsed = tasks.globals["cpus"], tasks.globals["elapsed"]
    assert cpus >= 2, "a 1-CPU cluster runs tasks one at a time: nothing to show"
    # Perfect packing takes FILES / cpus rounds of SECONDS; anything under the serial time
    # means tasks overlapped (the margin covers worker start-up on a busy machine).
    assert FILES * SECONDS / cpus <= elapsed < FILES * SECONDS
    assert (
        f"Batch took {elapsed:.1f} s on {cpus} CPUs; one after another it would take 16.0 s"
        in tasks.stdout
    )


def test_page_shows_what_the_example_printed(tasks: ExampleRun, page_output):
    # The seconds and the speed-up change with every run, the CPU count with the machine
    # (test_tasks_run_in_parallel checks them): the page shows placeholders.
    shown = driver_output(tasks.stdout)
    shown = re.sub(r"took [\d.]+ s on \d+ CPUs", "took <seconds> s on <cpus> CPUs", shown)
    shown = re.sub(
        r"Speed-up: [\d.]+x \(at best \d+x\)", "Speed-up: <speed-up>x (at best <cpus>x)", shown
    )
    page_output("examples/ray_/tasks.out.txt", shown)


def test_same_file_runs_through_ray_client(ray_head: RayHead, ray_client_address: str):
    # What a laptop does with a remote cluster: RAY_ADDRESS=ray://<head>:10001.
    run = run_ray_example(
        "tasks.py", "--files", "4", "--seconds", "0.5", head=ray_head, address=ray_client_address
    )
    assert run.globals["results"] == [f"Processed data_{i}.csv" for i in range(4)]
