"""Version-sensitive facts of the GPUs and training part, read from the installed torch."""

from __future__ import annotations

import torch
import torch.distributed as dist


def test_gloo_ships_in_the_wheel_and_nccl_is_the_gpu_backend() -> None:
    assert dist.is_available()
    assert dist.is_gloo_available()
    # torch's own map from device type to the default collective backend.
    backends = dist.Backend.default_device_backend_map
    assert (backends["cpu"], backends["cuda"]) == ("gloo", "nccl")


def test_out_of_memory_is_an_exception_torch_raises() -> None:
    # The erratum's point: memory that does not fit is an error the caller sees, one type
    # for every device, not a silent move to the CPU.
    assert issubclass(torch.OutOfMemoryError, RuntimeError)
    assert torch.cuda.OutOfMemoryError is torch.OutOfMemoryError
