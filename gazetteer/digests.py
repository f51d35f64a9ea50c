"""Digests of the files that shape a build, remembered by the files' sizes and modification times.

Opening a home checks that its store and index match the code and data installed: a digest of
every file that shapes them. Reading those megabytes on every start would cost more than the rest
of a cold start, so each digest is remembered in the home (`digests.json`) under a key made of the
files' names, sizes and modification times: an open reads only their metadata, and any change to a
file (a new release, an edited table) computes the digest afresh. A home that cannot be written
simply computes it every time.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

#: The file in a home that remembers digests.
MEMO_FILE = "digests.json"
#: Digests remembered per home (the newest kept): enough for a few source selections and index versions.
MEMO_ENTRIES = 16


def stat_key(paths: Iterable[Path], *extra: str) -> str:
    """A key for the current state of `paths` (name, size, modification time) and `extra` strings."""
    digest = hashlib.sha256("|".join(extra).encode())
    for path in paths:
        try:
            stat = path.stat()
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        except OSError:
            digest.update(f"{path}:missing;".encode())
    return digest.hexdigest()[:24]


def remembered(home: Path, key: str, compute: Callable[[], str]) -> str:
    """The digest remembered under `key` in `home`, or `compute()` (then remembered there when possible)."""
    memo_path = home / MEMO_FILE
    memo = _read(memo_path)
    found = memo.get(key)
    if isinstance(found, str):
        return found
    value = compute()
    memo.pop(key, None)
    memo[key] = value
    while len(memo) > MEMO_ENTRIES:
        memo.pop(next(iter(memo)))
    _write(memo_path, memo)
    return value


def _read(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, unreadable or damaged: computed afresh (and rewritten)
    return data if isinstance(data, dict) else {}


def _write(path: Path, memo: dict[str, object]) -> None:
    """Write the memo atomically; a home that cannot be written just does without it."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        temp.write_text(json.dumps(memo), encoding="utf-8")
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)
