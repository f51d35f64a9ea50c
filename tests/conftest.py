"""Shared fixtures: one fully built home per test session, copies for tests that write.

The first build takes about half a minute (store + matcher index). Set
UANORM_TEST_HOME to a directory to keep that build between runs; it is rebuilt
automatically when the sources or the code change.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
GOLDEN = TESTS / "golden"
SEEDS = REPO / "seeds"

os.environ.setdefault("UANORM_QUIET", "1")


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the default build (all sources) and its matcher index."""
    from normalizer import Normalizer

    configured = os.environ.get("UANORM_TEST_HOME")
    path = Path(configured) if configured else tmp_path_factory.mktemp("uanorm-home")
    Normalizer(path).close()
    return path


@pytest.fixture(scope="session")
def normalizer(home: Path):
    """A Normalizer on the session home (read-only use)."""
    from normalizer import Normalizer

    n = Normalizer(home)
    yield n
    n.close()


@pytest.fixture(scope="session")
def gazetteer(home: Path):
    """The Gazetteer of the session home (read-only use)."""
    from gazetteer import Gazetteer

    g = Gazetteer.open(home, build=False)
    yield g
    g.close()


@pytest.fixture
def env_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The session home as UANORM_HOME (for CLI tests through main(argv))."""
    monkeypatch.setenv("UANORM_HOME", str(home))
    return home


@pytest.fixture
def fresh_home(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A private copy of the built home, safe to write to; also set as UANORM_HOME (removed afterwards)."""
    from .home_copies import copy_home

    target = copy_home(home, tmp_path / "home")
    monkeypatch.setenv("UANORM_HOME", str(target))
    yield target
    shutil.rmtree(target, ignore_errors=True)  # ~150 MB a copy: a full run would otherwise keep gigabytes
