"""Where uanorm keeps its files: UANORM_HOME, else the per-user data directory.

A home that cannot be used (a file where the directory should be, a path that cannot be created
such as one under /proc or below a file, a read-only directory with nothing built in it) raises
`StoreError`, a ValueError, naming the path and what to do. A missing home is created with its
missing parents, as the default one (``~/.local/share/uanorm``) needs. A read-only home that
already holds a build keeps working from it.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .errors import StoreError

HOME_ENV = "UANORM_HOME"
BASE_STORE = "base.sqlite"
USER_LAYER = "user.sqlite"
BUILD_LOCK = "build.lock"
#: What to do about a home that cannot be used.
HOME_ADVICE = f"set {HOME_ENV} (or home=...) to a directory you can write to"


def default_home() -> Path:
    """The home directory: $UANORM_HOME if set, else the platform's user data dir."""
    configured = os.environ.get(HOME_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("uanorm", appauthor=False))


def resolve_home(home: str | os.PathLike[str] | None) -> Path:
    """An explicit home if given, else the default one (an empty path is refused: it would be the cwd)."""
    if home is None:
        return default_home()
    if not os.fspath(home):
        raise StoreError(f"the uanorm home is an empty path; {HOME_ADVICE}")
    return Path(home).expanduser()


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def home_exists(root: Path) -> bool:
    """Whether the home directory exists; StoreError naming it when it is not a directory or cannot be looked at."""
    try:
        if not root.exists():
            return False
        if root.is_dir():
            return True
    except OSError as exc:
        raise StoreError(f"cannot use {root} as the uanorm home ({_reason(exc)}); {HOME_ADVICE}") from None
    raise StoreError(f"the uanorm home {root} exists but is not a directory; {HOME_ADVICE}")


def prepare_home(root: Path, *, task: str) -> None:
    """Make sure the home exists and can be written to, for `task` ("build the gazetteer" ...).

    Creates it, with missing parents, when it does not exist; StoreError names the path and what
    to do when it cannot be created or is not writable.
    """
    if not home_exists(root):
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            where = "a part of the path is a file" if exc.errno == errno.ENOTDIR else _reason(exc)
            raise StoreError(f"cannot create the uanorm home {root} to {task} in it ({where}); "
                             f"{HOME_ADVICE}") from None
    if not os.access(root, os.W_OK):
        raise StoreError(f"the uanorm home {root} is read-only (not writable): cannot {task} in it; {HOME_ADVICE}, "
                         "or run uanorm there once with write access")
