"""examples/flink/checkpoints.py: a checkpoint completes in a local folder and outlives the cancel.

Also checks the draft's checkpoint calls against the pinned PyFlink.
"""

from __future__ import annotations

import re

import pyflink.datastream
import pytest
from pyflink.datastream import CheckpointConfig

from tests.support.examples import run_in_process


def test_checkpoint_completes_and_is_kept_after_cancel(flink_gateway, tmp_path, page_output):
    out = run_in_process("flink/checkpoints.py", tmp_path).stdout
    assert re.search(r"^job [0-9a-f]{32} cancelled$", out, re.M), out
    # RETAIN_ON_CANCELLATION: the completed checkpoint is still there after the job is cancelled.
    kept = sorted(tmp_path.glob("checkpoints/*/chk-*/_metadata"))
    assert kept, f"no chk-N/_metadata left under {tmp_path / 'checkpoints'}"
    assert all(path.stat().st_size > 0 for path in kept)
    for path in kept:
        assert f"kept: {path.relative_to(tmp_path)}" in out
    # A new job id each run, and the checkpoint's number depends on how many completed before
    # the cancel took effect: the page shows placeholders for both.
    shown = re.sub(r"\b[0-9a-f]{32}\b", "<job-id>", out)
    page_output("examples/flink/checkpoints.out.txt", re.sub(r"chk-\d+", "chk-<n>", shown))


def test_draft_checkpoint_storage_call_is_gone_in_flink_2():
    # The draft's env.get_checkpoint_config().set_checkpoint_storage_dir("hdfs:///...").
    assert not hasattr(CheckpointConfig, "set_checkpoint_storage_dir")


def test_draft_externalized_checkpoint_call_is_gone_in_flink_2():
    # The draft's enable_externalized_checkpoints(ExternalizedCheckpointCleanup.RETAIN_ON_...),
    # which it also never imports.
    assert not hasattr(CheckpointConfig, "enable_externalized_checkpoints")
    with pytest.raises(ImportError):
        from pyflink.datastream import ExternalizedCheckpointCleanup  # noqa: F401
    assert hasattr(pyflink.datastream, "ExternalizedCheckpointRetention")
    assert hasattr(CheckpointConfig, "set_externalized_checkpoint_retention")
