"""The lookup page of `uanorm serve` in a real headless Chromium (skipped where there is no Chromium)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from . import test_serve as served
from .conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import annotate_browser_check
import serve_browser_check

BROWSER = annotate_browser_check.find_chromium()
base_url = served.base_url  # the service's fixture


@pytest.mark.skipif(BROWSER is None, reason="no chromium on this machine (apt-get install -y chromium)")
def test_lookup_page_renders_answers_suggestions_and_entity_pages(base_url: str, tmp_path: Path) -> None:
    assert BROWSER is not None
    driver = shutil.which("chromedriver")
    assert serve_browser_check.check(base_url, tmp_path, BROWSER, driver) == []
    if driver:
        for shot in ("suggest.png", "lookup.png", "entity.png"):
            assert (tmp_path / shot).stat().st_size > 10_000
