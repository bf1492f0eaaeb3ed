"""examples/ray_/tasks.py: 16 tasks of 1 s each on the session's Ray head."""

from __future__ import annotations

FILES, SECONDS = 16, 1.0


def test_every_result_comes_back_in_order(run_example, capsys):
    example = run_example("tasks.py", "--files", str(FILES), "--seconds", str(SECONDS))

    assert example["results"] == [f"Processed data_{i}.csv" for i in range(FILES)]
    out = capsys.readouterr().out
    assert "Processed 16 files: 'Processed data_0.csv' ... 'Processed data_15.csv'" in out
    assert f"on {example['cpus']} CPUs; one after another it would take 16.0 s" in out


def test_tasks_run_in_parallel(run_example, capsys):
    example = run_example("tasks.py", "--files", str(FILES), "--seconds", str(SECONDS))

    cpus, elapsed = example["cpus"], example["elapsed"]
    assert cpus >= 2, "a 1-CPU cluster runs tasks one at a time: nothing to show"
    # Perfect packing takes FILES / cpus rounds of SECONDS; allow for worker start-up.
    assert FILES * SECONDS / cpus <= elapsed < FILES * SECONDS
    assert f"Batch took {elapsed:.1f} s on {cpus} CPUs" in capsys.readouterr().out
