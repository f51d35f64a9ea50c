"""The one SQLite helper: read-only URIs, file headers, busy retries and write transactions.

uanorm keeps three kinds of SQLite file in a home: the compiled store, the matcher's index
and the user layer. All of them are opened here, so that every one gets the same care:

- reads go through percent-encoded ``mode=ro`` URIs (a '?', '#' or '%' in a directory name
  would otherwise end the path early, drop ``mode=ro`` and open, even create, another file);
- a file says what it is by its header (``application_id``, ``user_version``), read in one
  statement so that a file being created by another process is seen whole or not at all;
- writers wait for each other (a busy timeout, and a retry for the 'locked' answers SQLite
  gives at once) and write in ``BEGIN IMMEDIATE`` transactions, committed or rolled back whole;
- a file built from scratch (a store, an index) is written without a journal into a
  temporary file and published by `gazetteer.files.publish`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

#: Seconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT = 120.0

_T = TypeVar("_T")


def read_only_uri(path: Path, *, immutable: bool = False) -> str:
    """A read-only SQLite URI for `path`, percent-encoded (see the module docstring)."""
    return f"{Path(path).absolute().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")


def connect_read_only(path: Path, *, immutable: bool = False, cached_statements: int = 128,
                      timeout: float = 5.0) -> sqlite3.Connection:
    """A read-only connection, usable from any thread (callers serialize their own use)."""
    return sqlite3.connect(read_only_uri(path, immutable=immutable), uri=True, check_same_thread=False,
                           cached_statements=cached_statements, timeout=timeout, isolation_level=None)


def connect_writable(path: Path, *, timeout: float = BUSY_TIMEOUT) -> sqlite3.Connection:
    """A read-write connection in autocommit mode: transactions are opened by `write_transaction`."""
    return sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)


def connect_new(path: Path) -> sqlite3.Connection:
    """A connection to a file being built from scratch (no journal, no syncs: it is published whole or not)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    return db


@dataclass(frozen=True, slots=True)
class Header:
    """What a file says it is: its application ID, its format version and how many schema objects it has."""

    application_id: int
    version: int
    tables: int

    @property
    def empty(self) -> bool:
        """A new, empty file (no header, no schema)."""
        return self.application_id == 0 and self.tables == 0


def read_header(db: sqlite3.Connection) -> Header:
    """The file's header, read in one statement (one snapshot)."""
    application_id, version, tables = db.execute(
        "SELECT (SELECT application_id FROM pragma_application_id),"
        " (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)"
    ).fetchone()
    return Header(application_id, version, tables)


def stamp_header(db: sqlite3.Connection, application_id: int, version: int) -> None:
    """Mark a file as one of uanorm's (its application ID and format version)."""
    db.execute(f"PRAGMA application_id = {int(application_id)}")
    db.execute(f"PRAGMA user_version = {int(version)}")


@contextlib.contextmanager
def write_transaction(db: sqlite3.Connection, *,
                      translate: Callable[[sqlite3.DatabaseError], Exception] | None = None,
                      ) -> Iterator[sqlite3.Connection]:
    """One write transaction (``BEGIN IMMEDIATE``): committed whole when the block ends, else rolled back.

    `translate` turns a failure to begin or to commit (a locked, read-only, full or damaged file) into
    the caller's own error; errors raised inside the block pass through unchanged after the rollback.
    """
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.DatabaseError as exc:
        if translate is None:
            raise
        raise translate(exc) from exc
    try:
        yield db
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    try:
        db.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if translate is None:
            raise
        raise translate(exc) from exc


def retry_while_locked(step: Callable[[], _T], *, timeout: float = BUSY_TIMEOUT) -> _T:
    """Run `step` again while SQLite answers 'locked' or 'busy' at once (a journal-mode switch or a WAL
    recovery by another process does not wait on the busy timeout), for up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def disk_trouble(exc: BaseException | None) -> bool:
    """Whether an SQLite error says the disk is full or failing (not that the file is damaged)."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""  # Python 3.11+
    return name.startswith(("SQLITE_FULL", "SQLITE_IOERR")) or "disk is full" in str(exc) \
        or "disk I/O error" in str(exc)


def placeholders(values: list[Any]) -> tuple[str, list[Any]]:
    """Placeholders for an IN list, padded to a power of two so that SQLite reuses the statement."""
    size = 1
    while size < len(values):
        size *= 2
    padded = list(values) + [values[-1]] * (size - len(values))
    return ",".join("?" * size), padded
