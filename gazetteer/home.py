"""Where uanorm keeps its files: UANORM_HOME, else the per-user data directory."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "UANORM_HOME"
BASE_STORE = "base.sqlite"
USER_LAYER = "user.sqlite"
BUILD_LOCK = "build.lock"


def default_home() -> Path:
    """The home directory: $UANORM_HOME if set, else the platform's user data dir."""
    configured = os.environ.get(HOME_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("uanorm", appauthor=False))


def resolve_home(home: str | os.PathLike[str] | None) -> Path:
    """An explicit home if given, else the default one."""
    return Path(home).expanduser() if home is not None else default_home()
