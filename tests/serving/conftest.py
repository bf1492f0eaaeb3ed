"""Fixtures of the serving chapter: one tiny Llama per test session, shared by every test
that needs the model (importing torch and transformers costs about 9 s on 2 cores).

The model has random weights built from a configuration: nothing is downloaded, and
HF_HUB_OFFLINE=1 makes sure of it for the whole session.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.support.examples import import_example


@pytest.fixture(scope="session", autouse=True)
def offline() -> Iterator[None]:
    """No hub access from this session, and back as it was afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield


@pytest.fixture(scope="session")
def tiny_llm() -> ModuleType:
    """examples/serving/tiny_llm.py: CONFIG, CONTEXT_LENGTH, build_model, generate_alone."""
    return import_example("serving/tiny_llm.py")


@pytest.fixture(scope="session")
def engine_module() -> ModuleType:
    """examples/serving/engine.py: Engine, Generation, POLICIES."""
    return import_example("serving/engine.py")


@pytest.fixture(scope="session")
def model(tiny_llm: ModuleType):
    """The chapter's model (fp32, seed 0), in eval mode. Tests must not change it."""
    return tiny_llm.build_model(seed=0)
