"""Shared by every test of the data for ML chapter: temporary files stay in the session's
own temporary directory (Feast, dask and MLflow-style libraries call `tempfile` and do not
always clean up), and TMPDIR is restored afterwards. `import feast` makes a
`feast_metrics_*` folder for Prometheus and exports it in os.environ, never removed: the
fixture names that folder first, inside the session's directory, so test modules import
feast inside fixtures and tests, after it has run. The Feast fixtures below are shared by
the feature-store and point-in-time tests."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def session_tmpdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """TMPDIR (and `tempfile`'s cached default) and Prometheus's multiprocess folder
    point at this session's folders."""
    folder = tmp_path_factory.mktemp("tmpdir")
    metrics = tmp_path_factory.mktemp("prometheus")
    saved = tempfile.tempdir
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(folder))
        for name in ("PROMETHEUS_MULTIPROCESS_DIR", "PROMETHEUS_MULTIPROC_DIR"):
            patch.setenv(name, str(metrics))
        tempfile.tempdir = None  # recomputed from TMPDIR on next use
        try:
            yield
        finally:
            tempfile.tempdir = saved


@pytest.fixture(scope="session")
def walkthrough(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """examples/data/feast_walkthrough.py run once, in this process (feast is imported once
    per session: about 9 s): its repository under a session folder, applied with the real
    `feast apply`, materialized into SQLite, with a push. Keys: repo, apply, history,
    online, pushed, stdout, module. Tests read from it; none changes its repository."""
    import contextlib
    import io

    from tests.support.examples import import_example

    module = import_example("data/feast_walkthrough.py")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        found = module.main(tmp_path_factory.mktemp("feast"))
    return {**found, "stdout": printed.getvalue(), "module": module}


@pytest.fixture(scope="session")
def feast_store(walkthrough: dict):
    """A FeatureStore on the walkthrough's repository (materialized, pushed to)."""
    from feast import FeatureStore

    return FeatureStore(repo_path=str(walkthrough["repo"]))


@pytest.fixture(scope="session")
def churn_tables(walkthrough: dict) -> dict:
    """The generated tables the repository's Parquet files hold, read back."""
    import pandas as pd

    data = walkthrough["repo"] / "data"
    return {n: pd.read_parquet(data / f"{n}.parquet") for n in ("activity", "profile", "labels")}
