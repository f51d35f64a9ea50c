"""The user layer's file: its schema, opening it (read-write, read-only, on a full disk), its rows.

`LayerFile` owns the connection: reads are plain queries (no rows when there is no layer
yet), every write is one ``BEGIN IMMEDIATE`` transaction, and SQLite's failures become
StoreErrors that say what to do (a read-only home, a full disk, a damaged file). The row
helpers below are the only places that know the tables' column order.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..home import USER_LAYER
from ..model import ENTITY_FIELDS, Entity
from ..sqlite import (
    BUSY_TIMEOUT,
    connect_read_only,
    connect_writable,
    disk_trouble,
    read_header,
    retry_while_locked,
    stamp_header,
    write_transaction,
)
from ..store import BaseStore
from .records import LAYER_APPLICATION_ID, LAYER_FORMAT, UserDecision, UserVariant

#: The decisions of review (layer format 2): a value chosen in a scope ('' for any oblast or raion).
DECISIONS_SCHEMA = (
    ("CREATE TABLE decisions(fold TEXT NOT NULL, value TEXT NOT NULL, oblast_id TEXT NOT NULL,"
     " raion_id TEXT NOT NULL, entity_id TEXT NOT NULL, note TEXT, source TEXT NOT NULL, op_id INTEGER NOT NULL,"
     " PRIMARY KEY(fold, oblast_id, raion_id))"),
    "CREATE INDEX decisions_entity ON decisions(entity_id)",
)
SCHEMA = (
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ("CREATE TABLE ops(op_id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, action TEXT NOT NULL,"
     " summary TEXT NOT NULL, payload TEXT NOT NULL, source TEXT NOT NULL, who TEXT NOT NULL, note TEXT,"
     " undone_by INTEGER)"),
    ("CREATE TABLE variants(entity_id TEXT NOT NULL, text TEXT NOT NULL, fold TEXT NOT NULL, lang TEXT NOT NULL,"
     " note TEXT, source TEXT NOT NULL, op_id INTEGER NOT NULL, PRIMARY KEY(entity_id, fold))"),
    "CREATE INDEX variants_fold ON variants(fold)",
    ("CREATE TABLE entities(id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, name_uk TEXT,"
     " name_ru TEXT, oblast_id TEXT, parent_id TEXT, country TEXT, role TEXT, note TEXT, source TEXT NOT NULL,"
     " op_id INTEGER NOT NULL)"),
    "CREATE INDEX entities_parent ON entities(parent_id)",
    "CREATE TABLE hidden(entity_id TEXT PRIMARY KEY, op_id INTEGER NOT NULL)",
    *DECISIONS_SCHEMA,
)
ENTITY_COLUMNS = ("id", "kind", "name", "name_uk", "name_ru", "oblast_id", "parent_id", "country", "role",
                  "note", "source", "op_id")
VARIANT_COLUMNS = ("entity_id", "text", "fold", "lang", "note", "source", "op_id")
DECISION_COLUMNS = ("value", "fold", "oblast_id", "raion_id", "entity_id", "note", "source", "op_id")
_ENTITY_SELECT = f"SELECT {', '.join(ENTITY_COLUMNS)} FROM entities"
_VARIANT_SELECT = f"SELECT {', '.join(VARIANT_COLUMNS)} FROM variants"
_DECISION_SELECT = f"SELECT {', '.join(DECISION_COLUMNS)} FROM decisions"


def recovery_hint(path: Path) -> str:
    """What a user can do about a broken user layer at `path`."""
    return (
        f"move {path.name} aside (it holds only your own additions; the base store is not affected) and "
        f"restore them with `uanorm gazetteer import-variants FILE` from your last `uanorm gazetteer export`"
    )


def who() -> str:
    """The login name a change is recorded under."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in this environment (some containers)
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def now() -> str:
    """The current UTC time, as a change records it."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class LayerFile:
    """The user layer's SQLite file in a home: opened lazily, created by the first write."""

    def __init__(self, home: Path, base: BaseStore) -> None:
        self.home = home
        self.path = home / USER_LAYER
        self.base = base
        self._db: sqlite3.Connection | None = None
        self._writable = False
        self._lock = threading.RLock()

    def exists(self) -> bool:
        """Whether the layer file exists (it is created by the first change)."""
        return self.path.exists()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _connection(self, *, create: bool) -> sqlite3.Connection | None:
        """The open connection; None when there is no layer yet and `create` is false."""
        with self._lock:
            if self._db is not None and (self._writable or not create):
                return self._db
            if not create and not self.path.exists():
                return None
            if create:
                self.close()
                self._db = self._open_writable()
                self._writable = True
            else:
                self._db, self._writable = self._open_existing()
            return self._db

    def _open_existing(self) -> tuple[sqlite3.Connection, bool]:
        writable = os.access(self.path, os.W_OK) and os.access(self.home, os.W_OK)
        if writable:
            try:
                return self._open_writable(), True
            except StoreError as exc:
                if not disk_trouble(exc.__cause__):
                    raise
                # a full (or failing) disk: what the layer holds can still be read; writes will say why not
        db = connect_read_only(self.path, timeout=BUSY_TIMEOUT)
        try:
            self._check_header(db, fresh_ok=False)
        except sqlite3.OperationalError:
            # a WAL file in a read-only directory cannot get its shared-memory index: read it as immutable
            db.close()
            db = connect_read_only(self.path, immutable=True)
            try:
                self._check_header(db, fresh_ok=False)
            except sqlite3.DatabaseError as exc:
                db.close()
                raise self._damaged(exc) from exc
        except BaseException:
            db.close()
            raise
        db.execute("PRAGMA query_only = ON")
        return db, False

    def _open_writable(self) -> sqlite3.Connection:
        if not os.access(self.home, os.W_OK) or (self.path.exists() and not os.access(self.path, os.W_OK)):
            raise self._read_only_error()
        try:
            db = connect_writable(self.path)
        except sqlite3.OperationalError as exc:
            raise self._read_only_error(exc) from exc
        try:
            version = retry_while_locked(lambda: self._check_header(db, fresh_ok=True))
            if version == 0:
                retry_while_locked(lambda: self._initialize(db))
            elif version < LAYER_FORMAT:
                retry_while_locked(lambda: self._upgrade(db))
            retry_while_locked(lambda: db.execute("PRAGMA journal_mode = WAL"))
            db.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            db.close()
            raise self._damaged(exc) from exc
        except BaseException:
            db.close()
            raise
        return db

    def _check_header(self, db: sqlite3.Connection, *, fresh_ok: bool) -> int:
        """The file's format (0 for a new, empty file); StoreError for a foreign or damaged one."""
        try:
            # one statement, one snapshot: another process may be creating the schema right now
            header = read_header(db)
        except sqlite3.OperationalError:
            raise  # locked, unopenable: the caller decides (read-only fallback or StoreError)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a readable uanorm user layer ({exc}); "
                             f"{recovery_hint(self.path)}") from exc
        if header.empty and fresh_ok:
            return 0
        if header.application_id != LAYER_APPLICATION_ID:
            raise StoreError(f"{self.path} is not a uanorm user layer (a foreign SQLite file); "
                             f"{recovery_hint(self.path)}")
        if header.version > LAYER_FORMAT:
            raise StoreError(f"{self.path} was written by a newer uanorm (layer format {header.version}, this one "
                             f"reads {LAYER_FORMAT}); upgrade uanorm")
        return header.version

    def _initialize(self, db: sqlite3.Connection) -> None:
        """Create the schema in a new file (once, even when several processes race to do it)."""
        db.execute("PRAGMA journal_mode = WAL")
        with write_transaction(db):
            if db.execute("PRAGMA application_id").fetchone()[0] == 0:
                for statement in SCHEMA:
                    db.execute(statement)
                db.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                               [("layer_id", uuid.uuid4().hex), ("created_at", now())])
                stamp_header(db, LAYER_APPLICATION_ID, LAYER_FORMAT)

    def _upgrade(self, db: sqlite3.Connection) -> None:
        """Bring a layer of an earlier format up to this one, keeping everything it holds (1 -> 2: decisions)."""
        with write_transaction(db):
            if read_header(db).version < 2:
                for statement in DECISIONS_SCHEMA:
                    db.execute(statement)
                stamp_header(db, LAYER_APPLICATION_ID, LAYER_FORMAT)

    def _has_decisions(self) -> bool:
        """Whether the file holds the decisions table (a layer of format 1 opened read-only does not)."""
        return bool(self._query("SELECT 1 FROM sqlite_master WHERE name = 'decisions'"))

    def _read_only_error(self, exc: BaseException | None = None) -> StoreError:
        reason = f" ({exc})" if exc else ""
        return StoreError(f"cannot write the user layer {self.path}: {self.home} is read-only{reason}; "
                          "matching still works, but to add variants set UANORM_HOME to a writable copy")

    def _damaged(self, exc: sqlite3.DatabaseError) -> StoreError:
        if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
            return self._read_only_error(exc)
        if disk_trouble(exc):
            return StoreError(f"cannot write the user layer {self.path}: {exc}; is the disk full? Nothing was "
                              "changed, and matching still works; free some space and try again")
        return StoreError(f"{self.path} is damaged ({exc}); {recovery_hint(self.path)}")

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read query (no rows when there is no layer yet), SQLite failures as StoreError."""
        with self._lock:
            db = self._connection(create=False)
            if db is None:
                return []
            try:
                return db.execute(sql, tuple(params)).fetchall()
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from exc

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE): committed whole or rolled back whole."""
        with self._lock:
            db = self._connection(create=True)
            assert db is not None
            with write_transaction(db, translate=self._damaged):
                yield db


# -- rows: the one place that knows the tables' columns ------------------------------------


def user_entity_row(db: sqlite3.Connection, entity_id: str) -> tuple[Any, ...] | None:
    """The entities row of a user entity as this connection (or transaction) sees it."""
    return db.execute(f"{_ENTITY_SELECT} WHERE id = ?", (entity_id,)).fetchone()


def user_entity_in(db: sqlite3.Connection, entity_id: str) -> Entity | None:
    """A user entity as this connection (or transaction) sees it."""
    row = user_entity_row(db, entity_id)
    return entity_from_row(row) if row else None


def has_user_entity(db: sqlite3.Connection, entity_id: str) -> bool:
    """Whether the layer defines an entity with this ID."""
    return db.execute("SELECT 1 FROM entities WHERE id = ?", (entity_id,)).fetchone() is not None


def hidden_op(db: sqlite3.Connection, entity_id: str) -> int | None:
    """The op that hides this built-in entity, or None."""
    row = db.execute("SELECT op_id FROM hidden WHERE entity_id = ?", (entity_id,)).fetchone()
    return row[0] if row else None


def variant_in(db: sqlite3.Connection, entity_id: str, folded: str) -> UserVariant | None:
    """The user variant of an entity with this folded text, as this connection sees it."""
    row = db.execute(f"{_VARIANT_SELECT} WHERE entity_id = ? AND fold = ?", (entity_id, folded)).fetchone()
    return UserVariant(*row) if row else None


def decision_in(db: sqlite3.Connection, folded: str, oblast_id: str, raion_id: str) -> UserDecision | None:
    """The decision for a folded value in a scope, as this connection sees it."""
    row = db.execute(f"{_DECISION_SELECT} WHERE fold = ? AND oblast_id = ? AND raion_id = ?",
                     (folded, oblast_id, raion_id)).fetchone()
    return UserDecision(*row) if row else None


def decision_select(where: str = "") -> str:
    """SELECT of every decisions column (in DECISION_COLUMNS order), with an optional WHERE/ORDER tail."""
    return f"{_DECISION_SELECT} {where}".strip()


def decision_dict(decision: UserDecision) -> dict[str, Any]:
    """A decision as a change records it."""
    return {key: getattr(decision, key) for key in DECISION_COLUMNS if key != "op_id"}


def entity_select(where: str = "") -> str:
    """SELECT of every entities column (in ENTITY_COLUMNS order), with an optional WHERE/ORDER tail."""
    return f"{_ENTITY_SELECT} {where}".strip()


def variant_select(where: str = "") -> str:
    """SELECT of every variants column (in VARIANT_COLUMNS order), with an optional WHERE/ORDER tail."""
    return f"{_VARIANT_SELECT} {where}".strip()


def entity_from_row(row: tuple[Any, ...]) -> Entity:
    """An Entity from an entities row."""
    values = dict(zip(ENTITY_COLUMNS, row))
    return Entity(**{key: values[key] for key in ENTITY_FIELDS if key in values})


def entity_note(row: tuple[Any, ...]) -> str | None:
    """The note stored with an entities row."""
    return row[ENTITY_COLUMNS.index("note")]


def entity_dict(entity: Entity, note: str | None) -> dict[str, Any]:
    """An entity as a change records it."""
    data = {key: getattr(entity, key) for key in ENTITY_COLUMNS if key not in ("note", "op_id")}
    data["note"] = note
    return data


def variant_dict(variant: UserVariant) -> dict[str, Any]:
    """A variant as a change records it."""
    return {key: getattr(variant, key) for key in VARIANT_COLUMNS if key != "op_id"}


def existing_ids(base: BaseStore, ids: set[str]) -> set[str]:
    """The subset of `ids` the base store holds."""
    found: set[str] = set()
    items = sorted(ids)
    for start in range(0, len(items), 500):
        chunk = items[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(row[0] for row in base.query(f"SELECT id FROM entities WHERE id IN ({marks})", tuple(chunk)))
    return found
