"""scripts/make_data.py: the shipped data, schema and profile are exactly what it writes."""

from __future__ import annotations

from pathlib import Path

from tests.cicd.conftest import EXAMPLE, run_script

SHIPPED = ("data/raw/batch.csv", "data/train/stats.json", "schema.json")


def test_regenerating_gives_the_shipped_files(project: Path) -> None:
    for name in SHIPPED:
        (project / name).unlink()
    result = run_script(project, "make_data.py")
    assert "wrote 284 rows to data/raw/batch.csv and the profile of 285 older rows" in result.stdout
    for name in SHIPPED:
        assert (project / name).read_bytes() == (EXAMPLE / name).read_bytes(), name
    assert not (project / "data" / "reference.csv").exists()
