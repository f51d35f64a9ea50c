"""`uanorm serve` driven by a real OpenRefine (3.6.2 from Debian) over its HTTP API; skipped without it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from .conftest import REPO, SEEDS

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx")
sys.path.insert(0, str(REPO / "benchmarks"))
import openrefine_e2e


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("openrefine") is None, reason="no OpenRefine here (apt-get install -y openrefine)")
def test_openrefine_reconciles_and_extends_as_clean_decides(env_home: Path) -> None:
    report = openrefine_e2e.run(SEEDS / "events_demo.csv", rows=300, workers=1, openrefine="openrefine", keep=False)
    assert report["problems"] == []
    assert report["rows"] == 300 and report["matched"] == report["clean matched"] > 200
    assert report["candidates only"] == report.get("clean ambiguous", 0)
    assert report["raion filled"] > 100 and report["coordinates filled"] > 100
    columns = report["columns read back"]
    assert columns[columns.index("location"):][:4] == ["location", "raion", "coordinates", "oblast"]
