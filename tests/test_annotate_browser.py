"""The HTML of `uanorm annotate` in a real headless Chromium (skipped where there is no Chromium)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .conftest import REPO, SEEDS

sys.path.insert(0, str(REPO / "benchmarks"))
import annotate_browser_check as browser_check

BROWSER = browser_check.find_chromium()


@pytest.mark.skipif(BROWSER is None, reason="no chromium on this machine (apt-get install -y chromium)")
def test_html_renders_in_chromium(env_home: Path, tmp_path: Path) -> None:
    assert BROWSER is not None
    failures = browser_check.check(SEEDS / "kyiv-missiles-2022-06.txt", tmp_path, BROWSER)
    assert failures == []
    assert (tmp_path / "annotate.png").stat().st_size > 10_000
