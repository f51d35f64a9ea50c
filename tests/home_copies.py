"""Copies of the session's gazetteer home for tests that damage, lock or write into one."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest


@lru_cache(maxsize=8)
def home_files(home: Path) -> tuple[str, ...]:
    """The files a working copy of `home` needs: the store and the current index (not older indexes)."""
    from normalizer import Normalizer

    with Normalizer(home) as normalizer:
        return ("base.sqlite", normalizer.index_path.name)


def copy_home(home: Path, target: Path) -> Path:
    """A writable copy of the session home (store and current index, no user layer) at `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for name in home_files(Path(home)):
        shutil.copy2(Path(home) / name, target / name)
    return target


def set_read_only(paths: list[Path], read_only: bool) -> None:
    """chmod for a normal user; root ignores modes, so for root the immutable attribute (chattr)."""
    if os.geteuid() != 0:
        for path in paths:
            path.chmod((0o555 if path.is_dir() else 0o444) if read_only else 0o755)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: no way to make a directory read-only")
    for path in (paths if read_only else reversed(paths)):
        done = subprocess.run(["chattr", "+i" if read_only else "-i", str(path)], capture_output=True, text=True,
                              check=False)
        if done.returncode and read_only and path == paths[0]:
            pytest.skip(f"running as root and chattr +i fails here ({done.stderr.strip()})")
        assert done.returncode == 0, done.stderr
