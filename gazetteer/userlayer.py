"""The user layer: variants, entities and hidings a user adds, kept apart from the compiled base.

It lives in `user.sqlite` beside `base.sqlite` in the home; a rebuild of the base or
a package upgrade never touches it. It is an operation log with materialized state:

- ``ops``: one row per change (add-variant, add-entity, remove-variant,
  remove-entity, hide-entity, import, undo) with when, who, source (user, review,
  import), an optional note and the exact primitive changes it made (JSON);
- ``variants``, ``entities``, ``hidden``: the current state those ops produced.

Every op is one SQLite transaction (WAL mode, ``BEGIN IMMEDIATE``, synchronous
FULL), so concurrent writers serialize, a crash leaves each op applied entirely or
not at all, and an import of any size is a single op. ``undo N`` applies the
inverse of op N's changes as a new op. The matcher's index follows the log
incrementally (see ``normalizer.userlayer_sync``): it only needs the op IDs and the
keys each op touched, which ``changes_since`` gives.

Files (``import-variants`` reads, ``export`` writes; UTF-8, comma or tab separated,
the header decides):

- plain: columns ``text`` and ``id`` (optional ``lang``, ``note``); one variant a row;
- export: the plain columns plus ``source``, ``added_at`` and ``action`` (``variant``
  when empty, ``entity``, ``hide``); an ``entity`` row defines a user entity (``id``,
  ``text`` = Ukrainian name, ``name`` = Latin name, ``name_ru``, ``kind``,
  ``parent_id``, ``country``, ``role``), a ``hide`` row hides the built-in ``id``.
  Entities come first so that variants can name them; importing an export into an
  empty layer rebuilds the same state (``source`` and ``added_at`` are informative);
- review: the review file of ``uanorm clean`` (``column,value,oblast,count,status,
  candidate_1_id,...,chosen_id``): each row with ``chosen_id`` adds ``value`` as a
  variant of that ID; rows left without ``chosen_id`` are counted and skipped.
"""

from __future__ import annotations

import contextlib
import csv
import getpass
import io
import json
import os
import re
import sqlite3
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import (
    DataError,
    GazetteerError,
    ImportRejectedError,
    InvalidTextError,
    StoreError,
    UnknownEntityError,
    VariantConflictError,
)
from .home import USER_LAYER
from .model import ADMIN_KINDS, ENTITY_FIELDS, KINDS, Entity, Name
from .store import BaseStore, sqlite_uri
from .textutil import encodable, fold_name, script_of, unescape_formula

#: Bump when the layer's schema changes (an upgrade path must come with it).
LAYER_FORMAT = 1
LAYER_APPLICATION_ID = 0x55414E55  # "UANU": marks the file as a uanorm user layer
#: The longest name or variant the layer stores.
MAX_TEXT_LENGTH = 500
MAX_NOTE_LENGTH = 1000
#: Who or what made a change.
SOURCES = ("user", "review", "import")
#: Seconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT = 120.0
#: The name type of user variants in the matcher (weighted like an official name).
VARIANT_TYPE = "user"
#: The largest integer SQLite stores (64-bit signed).
_SQLITE_MAX_INT = 2**63 - 1
#: Kinds that are places: generated IDs are `user:<kind>-<slug>` (the codifier owns UA codes).
PLACE_KINDS = ADMIN_KINDS | {"foreign"}

_USER_ID = re.compile(r"^[a-z]+:[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANG = re.compile(r"^(?:[a-z]{2,3})(?:-[A-Za-z0-9]{2,8})?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_REFUSED_CATEGORIES = {
    "Cc": "a control character", "Cf": "an invisible formatting character", "Cs": "a lone surrogate",
    "Co": "a private-use character", "Cn": "an unassigned code point", "Zl": "a line separator",
    "Zp": "a paragraph separator",
}

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
)
_ENTITY_COLUMNS = ("id", "kind", "name", "name_uk", "name_ru", "oblast_id", "parent_id", "country", "role",
                   "note", "source", "op_id")
_VARIANT_COLUMNS = ("entity_id", "text", "fold", "lang", "note", "source", "op_id")

#: Columns of an export file (and of the plain import format, where only text and id are required).
EXPORT_COLUMNS = ("text", "id", "lang", "note", "source", "added_at", "action", "kind", "name", "name_ru",
                  "parent_id", "country", "role")
#: Actions an import row can carry (the `action` column; empty means variant).
ROW_ACTIONS = ("variant", "entity", "hide")


# -- errors -------------------------------------------------------------------------


class UserLayerError(GazetteerError, ValueError):
    """A change the user layer refuses (an ID taken, an undo that cannot apply, a built-in name ...)."""


class UnknownVariantError(UserLayerError, LookupError):
    """A user variant that is not in the layer."""


class UnknownOpError(UserLayerError, LookupError):
    """An op number that is not in the history."""


class HiddenEntityError(UnknownEntityError):
    """A built-in entity that the user layer hides."""

    def __init__(self, entity_id: str, op_id: int) -> None:
        super().__init__(entity_id)
        self.op_id = op_id
        self.args = (f"{entity_id} is hidden by op {op_id}; `uanorm gazetteer undo {op_id}` shows it again",)


# -- values -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UserVariant:
    """A spelling the user layer adds to an entity."""

    entity_id: str
    text: str
    fold: str
    lang: str
    note: str | None
    source: str
    op_id: int

    def to_name(self) -> Name:
        """The variant as a Name of its entity."""
        return Name(self.text, self.lang, script_of(self.text), VARIANT_TYPE, self.source, note=self.note)


@dataclass(frozen=True, slots=True)
class Op:
    """One change of the layer, as `history` shows it."""

    op_id: int
    at: str
    action: str
    summary: str
    source: str
    who: str
    note: str | None
    undone_by: int | None

    def to_dict(self) -> dict[str, Any]:
        """The op as a plain dict (for JSON)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Change:
    """What one call did: its status, the op that recorded it (None if nothing changed) and a message."""

    status: str  # added, already known, removed, hidden, already hidden, undone
    op_id: int | None
    entity_id: str
    text: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The change as a plain dict (for JSON)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One row of an import file, as read (validated later)."""

    line: int
    text: str
    entity_id: str
    action: str = "variant"
    lang: str | None = None
    note: str | None = None
    kind: str | None = None
    name: str | None = None
    name_ru: str | None = None
    parent_id: str | None = None
    country: str | None = None
    role: str | None = None


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What became of one import row."""

    line: int
    action: str
    text: str
    entity_id: str
    detail: str = ""


@dataclass(slots=True)
class ImportReport:
    """The outcome of an import: rows added, already known, in conflict, invalid; the op that holds them."""

    path: str
    format: str  # review or plain
    added: list[RowOutcome] = field(default_factory=list)
    known: list[RowOutcome] = field(default_factory=list)
    conflicts: list[RowOutcome] = field(default_factory=list)
    invalid: list[RowOutcome] = field(default_factory=list)
    unreviewed: int = 0  # review rows with no chosen_id
    op_id: int | None = None
    applied: bool = False

    def summary(self) -> str:
        """One line: the counts and the op."""
        parts = [f"{len(self.added):,} added", f"{len(self.known):,} already known",
                 f"{len(self.conflicts):,} conflicts", f"{len(self.invalid):,} invalid"]
        if self.format == "review":
            parts.append(f"{self.unreviewed:,} review rows without chosen_id skipped")
        where = f" (op {self.op_id})" if self.op_id else (" (nothing applied)" if not self.applied else "")
        return f"{self.path}: " + ", ".join(parts) + where

    def to_dict(self) -> dict[str, Any]:
        """The report as a plain dict (for JSON)."""
        return {
            "path": self.path, "format": self.format, "op_id": self.op_id, "applied": self.applied,
            "unreviewed": self.unreviewed,
            **{key: [asdict(o) for o in getattr(self, key)] for key in ("added", "known", "conflicts", "invalid")},
        }


#: A conflict check: the (ID, description) of the entity TEXT confidently resolves to, or None.
ConflictCheck = Callable[[str], "tuple[str, str] | None"]


# -- validation ---------------------------------------------------------------------


def check_text(text: object, what: str = "text") -> str:
    """The text made storable (NFC, trimmed, spaces collapsed), or InvalidTextError saying why not."""
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, not {type(text).__name__}")
    cleaned = unicodedata.normalize("NFC", text).strip()
    if not cleaned:
        raise InvalidTextError(f"{what} is empty" if not text else f"{what} is blank (only whitespace)")
    _refuse_invisible(cleaned, what)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > MAX_TEXT_LENGTH:
        raise InvalidTextError(f"{what} is {len(cleaned):,} characters long; the limit is {MAX_TEXT_LENGTH}")
    if not any(char.isalnum() for char in cleaned):
        raise InvalidTextError(f"{what} {cleaned!r} has no letter or digit")
    return cleaned


def _refuse_invisible(text: str, what: str) -> None:
    for position, char in enumerate(text):
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES:
            name = unicodedata.name(char, "")
            label = f"{_REFUSED_CATEGORIES[category]}{', ' + name if name else ''}"
            raise InvalidTextError(f"{what} contains U+{ord(char):04X} ({label}) at position {position + 1}; "
                                   "names cannot hold control or invisible characters")


def check_note(note: object) -> str | None:
    """An optional free-text note, trimmed; control characters and over-long notes refused."""
    if note is None:
        return None
    if not isinstance(note, str):
        raise TypeError(f"note must be a str, not {type(note).__name__}")
    cleaned = unicodedata.normalize("NFC", note).strip()
    if not cleaned:
        return None
    _refuse_invisible(cleaned, "note")
    if len(cleaned) > MAX_NOTE_LENGTH:
        raise InvalidTextError(f"note is {len(cleaned):,} characters long; the limit is {MAX_NOTE_LENGTH}")
    return cleaned


def check_lang(lang: object) -> str:
    """A language code (uk, ru, en, ...); None or empty means 'und' (undetermined)."""
    if lang is None or (isinstance(lang, str) and not lang.strip()):
        return "und"
    if not isinstance(lang, str) or not _LANG.match(lang.strip()):
        raise InvalidTextError(f"lang must be a language code such as uk, ru, en or und, not {lang!r}")
    return lang.strip()


def check_source(source: object) -> str:
    """One of SOURCES."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    return str(source)


def check_entity_id(entity_id: object) -> str:
    """An entity ID argument, trimmed (existence is checked against the store)."""
    if not isinstance(entity_id, str):
        raise TypeError(f"entity ID must be a str, not {type(entity_id).__name__}")
    cleaned = entity_id.strip()
    if not cleaned or not encodable(cleaned):  # no ID holds a lone surrogate
        raise UnknownEntityError(entity_id)
    return cleaned


def check_new_id(entity_id: str) -> str:
    """An ID chosen for a new user entity: lowercase `namespace:slug`."""
    cleaned = entity_id.strip()
    if not _USER_ID.match(cleaned) or len(cleaned) > 100:
        raise UserLayerError(
            f"entity ID {entity_id!r} must look like person:ivan-petrenko (lowercase namespace:slug, "
            "ASCII letters, digits and hyphens); KATOTTG codes belong to the codifier"
        )
    return cleaned


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens (a Cyrillic text is romanized by KMU 2010 first)."""
    from unidecode import unidecode

    if script_of(text) in ("Cyrl", "Mixed"):
        from .latin import official_latin

        text = official_latin(text)
    slug = re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")
    return slug[:60].strip("-")


def id_stem(kind: str, name_uk: str | None, name: str | None) -> str:
    """The ID a new entity gets before uniqueness: person:<slug>, facility:<slug>, user:<kind>-<slug>."""
    slug = slugify(name_uk or name or "")
    if not slug:
        raise UserLayerError("cannot make an ID from this name; give one with --id namespace:slug")
    return f"user:{kind}-{slug}" if kind in PLACE_KINDS else f"{kind}:{slug}"


def entity_names(entity: Entity) -> list[Name]:
    """The names a user entity carries by its fields (official, KMU Latin, Latin, Russian)."""
    from .latin import official_latin

    source = entity.source
    names: list[Name] = []
    if entity.name_uk:
        names.append(Name(entity.name_uk, "uk", script_of(entity.name_uk), "official", source))
        latin = official_latin(entity.name_uk)
        names.append(Name(latin, "uk", "Latn", "official_latin", source))
        if fold_name(entity.name) != fold_name(latin):
            names.append(Name(entity.name, "en", script_of(entity.name), "conventional", source))
    else:
        names.append(Name(entity.name, "und", script_of(entity.name), "official", source))
    if entity.name_ru:
        names.append(Name(entity.name_ru, "ru", script_of(entity.name_ru), "russian", source))
    return names


def _disk_trouble(exc: BaseException | None) -> bool:
    """Whether an SQLite error says the disk is full or failing (not that the file is damaged)."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""  # Python 3.11+
    return name.startswith(("SQLITE_FULL", "SQLITE_IOERR")) or "disk is full" in str(exc) \
        or "disk I/O error" in str(exc)


def _while_locked(step: Callable[[], Any]) -> Any:
    """Run a step of opening the file again while SQLite answers 'locked' at once (a journal-mode switch or
    a WAL recovery by another process does not wait on the busy timeout), up to BUSY_TIMEOUT seconds."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    pause = 0.005
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in this environment (some containers)
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def recovery_hint(path: Path) -> str:
    """What a user can do about a broken user layer at `path`."""
    return (
        f"move {path.name} aside (it holds only your own additions; the base store is not affected) and "
        f"restore them with `uanorm gazetteer import-variants FILE` from your last `uanorm gazetteer export`"
    )


# -- the layer ----------------------------------------------------------------------


class UserLayer:
    """The user layer of a home: reads are cheap queries, every write is one op in one transaction."""

    def __init__(self, home: Path, base: BaseStore) -> None:
        self.home = home
        self.path = home / USER_LAYER
        self.base = base
        self._db: sqlite3.Connection | None = None
        self._writable = False
        self._lock = threading.RLock()

    # -- opening --------------------------------------------------------------------

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
                if not _disk_trouble(exc.__cause__):
                    raise
                # a full (or failing) disk: what the layer holds can still be read; writes will say why not
        db = sqlite3.connect(sqlite_uri(self.path), uri=True, timeout=BUSY_TIMEOUT,
                             isolation_level=None, check_same_thread=False)
        try:
            self._check_header(db, fresh_ok=False)
        except sqlite3.OperationalError:
            # a WAL file in a read-only directory cannot get its shared-memory index: read it as immutable
            db.close()
            db = sqlite3.connect(sqlite_uri(self.path, immutable=True), uri=True,
                                 isolation_level=None, check_same_thread=False)
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
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        except sqlite3.OperationalError as exc:
            raise self._read_only_error(exc) from exc
        try:
            if _while_locked(lambda: self._check_header(db, fresh_ok=True)) == 0:
                _while_locked(lambda: self._initialize(db))
            _while_locked(lambda: db.execute("PRAGMA journal_mode = WAL"))
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
            application_id, version, tables = db.execute(
                "SELECT (SELECT application_id FROM pragma_application_id),"
                " (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)"
            ).fetchone()
        except sqlite3.OperationalError:
            raise  # locked, unopenable: the caller decides (read-only fallback or StoreError)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a readable uanorm user layer ({exc}); "
                             f"{recovery_hint(self.path)}") from exc
        if application_id == 0 and tables == 0 and fresh_ok:
            return 0
        if application_id != LAYER_APPLICATION_ID:
            raise StoreError(f"{self.path} is not a uanorm user layer (a foreign SQLite file); "
                             f"{recovery_hint(self.path)}")
        if version > LAYER_FORMAT:
            raise StoreError(f"{self.path} was written by a newer uanorm (layer format {version}, this one "
                             f"reads {LAYER_FORMAT}); upgrade uanorm")
        return version

    def _initialize(self, db: sqlite3.Connection) -> None:
        """Create the schema in a new file (once, even when several processes race to do it)."""
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("PRAGMA application_id").fetchone()[0] == 0:
                for statement in SCHEMA:
                    db.execute(statement)
                db.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                               [("layer_id", uuid.uuid4().hex), ("created_at", _now())])
                db.execute(f"PRAGMA application_id = {LAYER_APPLICATION_ID}")
                db.execute(f"PRAGMA user_version = {LAYER_FORMAT}")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _read_only_error(self, exc: BaseException | None = None) -> StoreError:
        reason = f" ({exc})" if exc else ""
        return StoreError(f"cannot write the user layer {self.path}: {self.home} is read-only{reason}; "
                          "matching still works, but to add variants set UANORM_HOME to a writable copy")

    def _damaged(self, exc: sqlite3.DatabaseError) -> StoreError:
        if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
            return self._read_only_error(exc)
        if _disk_trouble(exc):
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
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from exc
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
                raise self._damaged(exc) from exc

    # -- reading ----------------------------------------------------------------------

    def head(self) -> tuple[str | None, int]:
        """(the layer's unique ID, the last op number): what the matcher index compares with."""
        rows = self._query("SELECT (SELECT value FROM meta WHERE key = 'layer_id'), (SELECT max(op_id) FROM ops)")
        if not rows:
            return None, 0
        return rows[0][0], rows[0][1] or 0

    def variants(self, entity_id: str | None = None) -> list[UserVariant]:
        """The user variants of one entity, or all of them (in the order they were added)."""
        columns = ", ".join(_VARIANT_COLUMNS)
        if entity_id is None:
            rows = self._query(f"SELECT {columns} FROM variants ORDER BY op_id, rowid")
        else:
            rows = self._query(f"SELECT {columns} FROM variants WHERE entity_id = ? ORDER BY op_id, rowid",
                               (entity_id,))
        return [UserVariant(*row) for row in rows]

    def variant(self, entity_id: str, folded: str) -> UserVariant | None:
        """The user variant of an entity with this folded text, or None."""
        rows = self._query(f"SELECT {', '.join(_VARIANT_COLUMNS)} FROM variants WHERE entity_id = ? AND fold = ?",
                           (entity_id, folded))
        return UserVariant(*rows[0]) if rows else None

    def ids_by_fold(self, folded: str, *, prefix: bool = False, limit: int = 50) -> list[str]:
        """Entity IDs with a user variant or user entity name whose fold equals (or starts with) `folded`."""
        if prefix:
            rows = self._query("SELECT DISTINCT entity_id FROM variants WHERE fold >= ? AND fold < ? LIMIT ?",
                               (folded, folded + "\uffff", limit))
        else:
            rows = self._query("SELECT DISTINCT entity_id FROM variants WHERE fold = ? LIMIT ?", (folded, limit))
        ids = [row[0] for row in rows]
        for entity in self.entities():
            if entity.id in ids:
                continue
            folds = {fold_name(name.text) for name in entity_names(entity)}
            if any(f == folded or (prefix and f.startswith(folded)) for f in folds):
                ids.append(entity.id)
        return ids[:limit]

    def entity(self, entity_id: str) -> Entity | None:
        """The user entity with this ID, or None."""
        rows = self._query(f"SELECT {', '.join(_ENTITY_COLUMNS)} FROM entities WHERE id = ?", (entity_id,))
        return _entity_from_row(rows[0]) if rows else None

    def entities(self, kind: str | None = None) -> list[Entity]:
        """The user entities (of one kind), in the order they were added."""
        columns = ", ".join(_ENTITY_COLUMNS)
        if kind is None:
            rows = self._query(f"SELECT {columns} FROM entities ORDER BY op_id")
        else:
            rows = self._query(f"SELECT {columns} FROM entities WHERE kind = ? ORDER BY op_id", (kind,))
        return [_entity_from_row(row) for row in rows]

    def entity_op(self, entity_id: str) -> int | None:
        """The op that added a user entity."""
        rows = self._query("SELECT op_id FROM entities WHERE id = ?", (entity_id,))
        return rows[0][0] if rows else None

    def children(self, entity_id: str) -> list[Entity]:
        """User entities whose parent is `entity_id`."""
        rows = self._query(f"SELECT {', '.join(_ENTITY_COLUMNS)} FROM entities WHERE parent_id = ? ORDER BY op_id",
                           (entity_id,))
        return [_entity_from_row(row) for row in rows]

    def names(self, entity_id: str) -> list[Name]:
        """The names the layer gives an entity: a user entity's own names, then user variants."""
        names: list[Name] = []
        entity = self.entity(entity_id)
        if entity is not None and self.base.entity(entity_id) is None:
            names.extend(entity_names(entity))
        names.extend(variant.to_name() for variant in self.variants(entity_id))
        return names

    def hidden(self) -> dict[str, int]:
        """Hidden built-in entity ID -> the op that hid it."""
        return dict(self._query("SELECT entity_id, op_id FROM hidden"))

    def hidden_by(self, entity_id: str) -> int | None:
        """The op that hid this entity, or None if it is not hidden."""
        rows = self._query("SELECT op_id FROM hidden WHERE entity_id = ?", (entity_id,))
        return rows[0][0] if rows else None

    def history(self, *, limit: int | None = None) -> list[Op]:
        """The ops, oldest first (the last `limit` of them)."""
        columns = "op_id, at, action, summary, source, who, note, undone_by"
        if limit is not None:
            limit = min(limit, _SQLITE_MAX_INT)  # SQLite integers are 64-bit
        if limit is None:
            rows = self._query(f"SELECT {columns} FROM ops ORDER BY op_id")
        else:
            rows = self._query(f"SELECT * FROM (SELECT {columns} FROM ops ORDER BY op_id DESC LIMIT ?) "
                               "ORDER BY op_id", (limit,))
        return [Op(*row) for row in rows]

    def changes_since(self, op_id: int) -> list[tuple[int, dict[str, Any]]]:
        """(op, primitive change) of every op after `op_id`, in order."""
        result = []
        for number, payload in self._query("SELECT op_id, payload FROM ops WHERE op_id > ? ORDER BY op_id",
                                           (op_id,)):
            result.extend((number, change) for change in json.loads(payload)["changes"])
        return result

    def counts(self) -> dict[str, int]:
        """How many ops, variants, entities and hidden entities the layer holds."""
        rows = self._query("SELECT (SELECT count(*) FROM ops), (SELECT count(*) FROM variants),"
                           " (SELECT count(*) FROM entities), (SELECT count(*) FROM hidden)")
        ops, variants, entities, hidden = rows[0] if rows else (0, 0, 0, 0)
        return {"ops": ops, "variants": variants, "entities": entities, "hidden": hidden}

    def problems(self) -> list[str]:
        """Additions the current base cannot honour (their target is gone, an ID became built in ...)."""
        problems: list[str] = []
        user_ids = {entity.id for entity in self.entities()}
        variant_ids = [row[0] for row in self._query("SELECT DISTINCT entity_id FROM variants")]
        hidden = self.hidden()
        in_base = _existing_ids(self.base, set(variant_ids) | user_ids | set(hidden))
        for entity_id in sorted(set(variant_ids) - in_base - user_ids):
            ops = self._query("SELECT count(*), min(op_id) FROM variants WHERE entity_id = ?", (entity_id,))[0]
            problems.append(f"{ops[0]} variant(s) (first added by op {ops[1]}) target {entity_id}, "
                            "which this gazetteer no longer has")
        for entity in self.entities():
            if entity.id in in_base:
                problems.append(f"user entity {entity.id} (op {self.entity_op(entity.id)}) is now built in; "
                                "the built-in entity is used")
            elif entity.parent_id and self.base.entity(entity.parent_id) is None and entity.parent_id not in user_ids:
                problems.append(f"user entity {entity.id}: its parent {entity.parent_id} no longer exists")
        for entity_id, op_id in sorted(hidden.items()):
            if entity_id not in in_base:
                problems.append(f"op {op_id} hides {entity_id}, which this gazetteer no longer has")
        return problems

    def stats(self) -> dict[str, Any]:
        """The layer's path, counts and problems (for `gazetteer stats`)."""
        data: dict[str, Any] = {"path": str(self.path), "exists": self.exists()}
        data.update(self.counts())
        data["problems"] = self.problems() if self.exists() else []
        return data

    # -- checks shared by the writes ---------------------------------------------------

    def _target(self, db: sqlite3.Connection | None, entity_id: str) -> Entity:
        """The entity a change is about: built in or user-added, not hidden (db None: no layer yet)."""
        if not encodable(entity_id):
            raise UnknownEntityError(entity_id)
        entity = self.base.entity(entity_id)
        if entity is None:
            row = None if db is None else db.execute(
                f"SELECT {', '.join(_ENTITY_COLUMNS)} FROM entities WHERE id = ?", (entity_id,)).fetchone()
            if row is None:
                raise UnknownEntityError(entity_id)
            entity = _entity_from_row(row)
        hidden = None if db is None else db.execute(
            "SELECT op_id FROM hidden WHERE entity_id = ?", (entity_id,)).fetchone()
        if hidden:
            raise HiddenEntityError(entity_id, hidden[0])
        return entity

    def _known(self, db: sqlite3.Connection | None, entity: Entity, folded: str) -> str | None:
        """How the entity already carries this folded text ('a built-in name', 'user variant, op N'), or None."""
        if self.base.query("SELECT 1 FROM names WHERE entity_id = ? AND fold = ? LIMIT 1", (entity.id, folded)):
            return "a built-in name"
        row = None if db is None else db.execute(
            "SELECT op_id FROM variants WHERE entity_id = ? AND fold = ?", (entity.id, folded)).fetchone()
        if row:
            return f"a user variant (op {row[0]})"
        if entity.source in SOURCES and any(fold_name(n.text) == folded for n in entity_names(entity)):
            return "a name of this user entity"
        return None

    def _record(self, db: sqlite3.Connection, action: str, summary: str, changes: list[dict[str, Any]],
                *, source: str, note: str | None) -> int:
        cursor = db.execute(
            "INSERT INTO ops(at, action, summary, payload, source, who, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (_now(), action, summary, json.dumps({"changes": changes}, ensure_ascii=False), source, _who(), note),
        )
        return int(cursor.lastrowid)

    @staticmethod
    def _apply(db: sqlite3.Connection, changes: list[dict[str, Any]], op_id: int) -> None:
        """Write primitive changes into the state tables (consecutive ones of a type in one statement)."""
        for do, group in _grouped(changes):
            if do == "add_variant":
                db.executemany(
                    "INSERT INTO variants(entity_id, text, fold, lang, note, source, op_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(c["entity_id"], c["text"], c["fold"], c["lang"], c["note"], c["source"], op_id) for c in group],
                )
            elif do == "del_variant":
                db.executemany("DELETE FROM variants WHERE entity_id = ? AND fold = ?",
                               [(c["entity_id"], c["fold"]) for c in group])
            elif do == "add_entity":
                db.executemany(
                    f"INSERT INTO entities({', '.join(_ENTITY_COLUMNS)}) VALUES ({', '.join('?' * len(_ENTITY_COLUMNS))})",
                    [tuple(c["entity"].get(k) for k in _ENTITY_COLUMNS[:-1]) + (op_id,) for c in group],
                )
            elif do == "del_entity":
                db.executemany("DELETE FROM entities WHERE id = ?", [(c["entity"]["id"],) for c in group])
            elif do == "hide":
                db.executemany("INSERT INTO hidden(entity_id, op_id) VALUES (?, ?)",
                               [(c["entity_id"], op_id) for c in group])
            elif do == "unhide":
                db.executemany("DELETE FROM hidden WHERE entity_id = ?", [(c["entity_id"],) for c in group])
            else:  # pragma: no cover - a payload this code did not write
                raise StoreError(f"{do!r} is not a user-layer change")

    # -- writing ------------------------------------------------------------------------

    def add_variant(
        self,
        entity_id: str,
        text: str,
        *,
        lang: str | None = None,
        note: str | None = None,
        force: bool = False,
        source: str = "user",
        conflict_check: ConflictCheck | None = None,
    ) -> Change:
        """Add TEXT as a spelling of the entity (one op); see Gazetteer.add_variant."""
        entity_id, text = check_entity_id(entity_id), check_text(text)
        lang, note, source = check_lang(lang), check_note(note), check_source(source)
        folded = fold_name(text)
        with self._lock:
            try:  # fail fast on an unknown ID before running the matcher (a plain read)
                db = self._connection(create=False)
                entity = self._target(db, entity_id)
                known = self._known(db, entity, folded)
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from exc
        if known:
            return Change("already known", None, entity_id, text,
                          f"already known: {text!r} is {known} of {entity_id} {entity.name}")
        if conflict_check is not None and not force:  # the matcher runs without the layer's lock
            other = conflict_check(text)
            if other is not None and other[0] != entity_id:
                raise VariantConflictError(
                    f"{text!r} already resolves to {other[0]} {other[1]}; use --force (force=True) to add it "
                    f"to {entity_id} anyway: both will then be candidates and the answer ambiguous until "
                    "context decides", other_id=other[0])
        with self._writing() as db:
            entity = self._target(db, entity_id)
            known = self._known(db, entity, folded)
            if known:
                return Change("already known", None, entity_id, text,
                              f"already known: {text!r} is {known} of {entity_id} {entity.name}")
            change = {"do": "add_variant", "entity_id": entity_id, "text": text, "fold": folded,
                      "lang": lang, "note": note, "source": source}
            op_id = self._record(db, "add-variant", f"variant {text!r} of {entity_id} {entity.name}",
                                 [change], source=source, note=note)
            self._apply(db, [change], op_id)
        return Change("added", op_id, entity_id, text,
                      f"added {text!r} as a variant of {entity_id} {entity.name} ({entity.kind}) [op {op_id}]")

    def remove_variant(self, entity_id: str, text: str, *, note: str | None = None) -> Change:
        """Remove a user-added variant (built-in names cannot be removed)."""
        entity_id, text, note = check_entity_id(entity_id), check_text(text), check_note(note)
        folded = fold_name(text)
        with self._writing() as db:
            row = db.execute(f"SELECT {', '.join(_VARIANT_COLUMNS)} FROM variants WHERE entity_id = ? AND fold = ?",
                             (entity_id, folded)).fetchone()
            if row is None:
                if self.base.entity(entity_id) is None and db.execute(
                        "SELECT 1 FROM entities WHERE id = ?", (entity_id,)).fetchone() is None:
                    raise UnknownEntityError(entity_id)
                if self.base.query("SELECT 1 FROM names WHERE entity_id = ? AND fold = ? LIMIT 1",
                                   (entity_id, folded)):
                    raise UserLayerError(f"{text!r} is a built-in name of {entity_id}; only user-added variants "
                                         "can be removed (remove-entity hides a built-in entity)")
                row = db.execute(f"SELECT {', '.join(_ENTITY_COLUMNS)} FROM entities WHERE id = ?",
                                 (entity_id,)).fetchone()
                if row and any(fold_name(n.text) == folded for n in entity_names(_entity_from_row(row))):
                    raise UserLayerError(f"{text!r} is a name of the user entity {entity_id}, not a variant; "
                                         "remove-entity removes the entity")
                raise UnknownVariantError(f"{entity_id} has no user-added variant {text!r}")
            variant = UserVariant(*row)
            change = {"do": "del_variant", **_variant_dict(variant)}
            op_id = self._record(db, "remove-variant", f"variant {variant.text!r} of {entity_id} removed",
                                 [change], source="user", note=note)
            self._apply(db, [change], op_id)
        return Change("removed", op_id, entity_id, variant.text,
                      f"removed the variant {variant.text!r} of {entity_id} [op {op_id}]")

    def add_entity(
        self,
        *,
        kind: str,
        name_uk: str | None = None,
        name: str | None = None,
        name_ru: str | None = None,
        parent_id: str | None = None,
        entity_id: str | None = None,
        country: str | None = None,
        role: str | None = None,
        note: str | None = None,
        source: str = "user",
    ) -> Entity:
        """Add a new entity (one op); its ID is generated from the name when not given."""
        row = ImportRow(0, name_uk or "", entity_id or "", "entity", kind=kind, name=name, name_ru=name_ru,
                        parent_id=parent_id, country=country, role=role, note=note)
        source = check_source(source)
        with self._writing() as db:
            entity = self._new_entity(db, row, source, pending={})
            change = {"do": "add_entity", "entity": _entity_dict(entity, note)}
            op_id = self._record(db, "add-entity", f"entity {entity.id} {entity.name} ({entity.kind})",
                                 [change], source=source, note=check_note(note))
            self._apply(db, [change], op_id)
        return entity

    def _new_entity(self, db: sqlite3.Connection, row: ImportRow, source: str,
                    pending: dict[str, Entity]) -> Entity:
        """Validate an entity definition against the store (and entities defined earlier in the same import)."""
        kind = (row.kind or "").strip()
        if kind not in KINDS:
            raise UserLayerError(f"kind must be one of {', '.join(KINDS)}, not {row.kind!r}")
        name_uk = check_text(row.text, "name_uk") if row.text and row.text.strip() else None
        name = check_text(row.name, "name") if row.name and row.name.strip() else None
        name_ru = check_text(row.name_ru, "name_ru") if row.name_ru and row.name_ru.strip() else None
        if name_uk is None and name is None:
            raise InvalidTextError("a new entity needs a name: give name_uk (Ukrainian) or name (Latin)")
        if name_uk is not None and script_of(name_uk) != "Cyrl":
            raise InvalidTextError(f"name_uk {name_uk!r} is not in Cyrillic")
        if name_ru is not None and script_of(name_ru) != "Cyrl":
            raise InvalidTextError(f"name_ru {name_ru!r} is not in Cyrillic")
        if name is not None and script_of(name) != "Latn":
            raise InvalidTextError(f"name {name!r} is not in Latin letters (give a Cyrillic name as name_uk)")
        if name is None:
            from .latin import official_latin

            name = official_latin(name_uk or "")
        country = (row.country or "").strip().upper() or (None if kind == "foreign" else "UA")
        if country is not None and not _COUNTRY.match(country):
            raise UserLayerError(f"country must be an ISO 3166-1 alpha-2 code such as UA or PL, not {row.country!r}")
        oblast_id = None
        parent_id = (row.parent_id or "").strip() or None
        if parent_id is not None:
            parent = pending.get(parent_id) or self._target(db, parent_id)
            oblast_id = parent.oblast_id
        taken = lambda candidate: (self.base.entity(candidate) is not None or candidate in pending
                                   or db.execute("SELECT 1 FROM entities WHERE id = ?", (candidate,)).fetchone())
        if row.entity_id and row.entity_id.strip():
            entity_id = check_new_id(row.entity_id)
            if taken(entity_id):
                raise UserLayerError(f"entity ID {entity_id} is taken")
        else:
            stem = id_stem(kind, name_uk, name)
            entity_id, number = stem, 2
            while taken(entity_id):
                entity_id, number = f"{stem}-{number}", number + 1
        role = check_note(row.role)
        return Entity(entity_id, kind, name, name_uk, name_ru, oblast_id, parent_id, country, role=role,
                      source=source)

    def remove_entity(self, entity_id: str, *, note: str | None = None) -> Change:
        """Delete a user entity (and its variants), or hide a built-in one; one op either way."""
        entity_id, note = check_entity_id(entity_id), check_note(note)
        with self._writing() as db:
            base = self.base.entity(entity_id)
            if base is not None:
                hidden = db.execute("SELECT op_id FROM hidden WHERE entity_id = ?", (entity_id,)).fetchone()
                if hidden:
                    return Change("already hidden", None, entity_id, None,
                                  f"{entity_id} {base.name} is already hidden (op {hidden[0]})")
                change = {"do": "hide", "entity_id": entity_id}
                op_id = self._record(db, "hide-entity", f"built-in entity {entity_id} {base.name} hidden",
                                     [change], source="user", note=note)
                self._apply(db, [change], op_id)
                return Change("hidden", op_id, entity_id, None,
                              f"{entity_id} {base.name} is built in, so it is hidden, not deleted [op {op_id}]: "
                              f"matching and search no longer return it; `uanorm gazetteer undo {op_id}` "
                              "shows it again")
            row = db.execute(f"SELECT {', '.join(_ENTITY_COLUMNS)} FROM entities WHERE id = ?",
                             (entity_id,)).fetchone()
            if row is None:
                raise UnknownEntityError(entity_id)
            changes = self._entity_removal(db, _entity_from_row(row), row[_ENTITY_COLUMNS.index("note")])
            op_id = self._record(db, "remove-entity", f"user entity {entity_id} {row[2]} removed",
                                 changes, source="user", note=note)
            self._apply(db, changes, op_id)
        count = len(changes) - 1
        return Change("removed", op_id, entity_id, None,
                      f"removed the user entity {entity_id} {row[2]} and its {count} variant(s) [op {op_id}]")

    def _entity_removal(self, db: sqlite3.Connection, entity: Entity, note: str | None) -> list[dict[str, Any]]:
        """The changes that delete a user entity: its variants first, then itself."""
        children = [r[0] for r in db.execute("SELECT id FROM entities WHERE parent_id = ?", (entity.id,))]
        if children:
            raise UserLayerError(f"{entity.id} is the parent of user entities {', '.join(children)}; "
                                 "remove those first")
        rows = db.execute(f"SELECT {', '.join(_VARIANT_COLUMNS)} FROM variants WHERE entity_id = ? ORDER BY op_id",
                          (entity.id,)).fetchall()
        changes = [{"do": "del_variant", **_variant_dict(UserVariant(*r))} for r in rows]
        changes.append({"do": "del_entity", "entity": _entity_dict(entity, note)})
        return changes

    def undo(self, op_id: int, *, note: str | None = None) -> Change:
        """Revert op N by applying the inverse of its changes, as a new op."""
        if not isinstance(op_id, int) or isinstance(op_id, bool):
            raise TypeError(f"op number must be an int, not {type(op_id).__name__}")
        if not -_SQLITE_MAX_INT <= op_id <= _SQLITE_MAX_INT:
            raise UnknownOpError(f"there is no op {op_id}; `uanorm gazetteer history` lists them")
        note = check_note(note)
        with self._writing() as db:
            row = db.execute("SELECT action, summary, payload, undone_by FROM ops WHERE op_id = ?",
                             (op_id,)).fetchone()
            if row is None:
                raise UnknownOpError(f"there is no op {op_id}; `uanorm gazetteer history` lists them")
            action, summary, payload, undone_by = row
            if undone_by is not None:
                raise UserLayerError(f"op {op_id} was already undone by op {undone_by}")
            new_op = self._record(db, "undo", f"undo of op {op_id} ({summary})", [], source="user", note=note)
            applied: list[dict[str, Any]] = []
            for change in reversed(json.loads(payload)["changes"]):
                for step in self._inverse_steps(db, _inverse(change)):
                    self._apply(db, [step], new_op)
                    applied.append(step)
            db.execute("UPDATE ops SET payload = ? WHERE op_id = ?",
                       (json.dumps({"changes": applied}, ensure_ascii=False), new_op))
            db.execute("UPDATE ops SET undone_by = ? WHERE op_id = ?", (new_op, op_id))
        return Change("undone", new_op, "", None,
                      f"undid op {op_id} ({action}: {summary}) with op {new_op}: {len(applied)} change(s)")

    def _inverse_steps(self, db: sqlite3.Connection, change: dict[str, Any]) -> list[dict[str, Any]]:
        """The changes an undo step really makes now (skipping what later ops already did)."""
        do = change["do"]
        if do == "add_variant":
            exists = db.execute("SELECT 1 FROM variants WHERE entity_id = ? AND fold = ?",
                                (change["entity_id"], change["fold"])).fetchone()
            if exists:
                return []
            if self.base.entity(change["entity_id"]) is None and not db.execute(
                    "SELECT 1 FROM entities WHERE id = ?", (change["entity_id"],)).fetchone():
                raise UserLayerError(f"cannot undo: {change['entity_id']} no longer exists")
            return [change]
        if do == "del_variant":
            row = db.execute(f"SELECT {', '.join(_VARIANT_COLUMNS)} FROM variants WHERE entity_id = ? AND fold = ?",
                             (change["entity_id"], change["fold"])).fetchone()
            return [{"do": "del_variant", **_variant_dict(UserVariant(*row))}] if row else []
        if do == "add_entity":
            entity_id = change["entity"]["id"]
            if self.base.entity(entity_id) is not None or db.execute(
                    "SELECT 1 FROM entities WHERE id = ?", (entity_id,)).fetchone():
                raise UserLayerError(f"cannot undo: the entity ID {entity_id} has been taken since")
            parent_id = change["entity"].get("parent_id")
            if parent_id and self.base.entity(parent_id) is None and not db.execute(
                    "SELECT 1 FROM entities WHERE id = ?", (parent_id,)).fetchone():
                raise UserLayerError(f"cannot undo: the parent {parent_id} of {entity_id} no longer exists")
            return [change]
        if do == "del_entity":
            row = db.execute(f"SELECT {', '.join(_ENTITY_COLUMNS)} FROM entities WHERE id = ?",
                             (change["entity"]["id"],)).fetchone()
            if row is None:
                return []
            return self._entity_removal(db, _entity_from_row(row), row[_ENTITY_COLUMNS.index("note")])
        if do == "hide":
            exists = db.execute("SELECT 1 FROM hidden WHERE entity_id = ?", (change["entity_id"],)).fetchone()
            return [] if exists else [change]
        if do == "unhide":
            exists = db.execute("SELECT 1 FROM hidden WHERE entity_id = ?", (change["entity_id"],)).fetchone()
            return [change] if exists else []
        raise StoreError(f"{do!r} is not a user-layer change")  # pragma: no cover

    # -- import and export --------------------------------------------------------------

    def import_rows(
        self,
        rows: list[ImportRow],
        *,
        path: str = "",
        format: str = "plain",
        unreviewed: int = 0,
        skip_invalid: bool = False,
        force: bool = False,
        dry_run: bool = False,
        source: str | None = None,
        note: str | None = None,
        conflict_check: ConflictCheck | None = None,
    ) -> ImportReport:
        """Validate every row, then apply the good ones as ONE op in ONE transaction (see Gazetteer.import_variants)."""
        source = check_source(source or ("review" if format == "review" else "import"))
        note = check_note(note)
        report = ImportReport(path=path, format=format, unreviewed=unreviewed)
        resolved: dict[str, tuple[str, str] | None] = {}
        if conflict_check is not None and not force:
            for row in rows:  # the matcher runs outside the write transaction
                if row.action == "variant" and row.text not in resolved:
                    try:
                        text = check_text(row.text)
                    except InvalidTextError:
                        continue
                    resolved[row.text] = resolved[text] = conflict_check(text)
        with self._writing() as db:
            changes = self._classify(db, rows, report, resolved, force=force, source=source)
            if report.invalid and not skip_invalid:
                reasons = "; ".join(f"line {o.line}: {o.detail}" for o in report.invalid[:3])
                more = f" and {len(report.invalid) - 3} more" if len(report.invalid) > 3 else ""
                raise ImportRejectedError(
                    f"import of {path or 'rows'} refused: {len(report.invalid)} invalid row(s) ({reasons}{more}); "
                    "nothing was applied; fix them or use --skip-invalid", report=report)
            if changes and not dry_run:
                counts = _change_counts(changes)
                summary = f"import of {Path(path).name if path else 'rows'}: {counts}"
                report.op_id = self._record(db, "import", summary, changes, source=source, note=note)
                self._apply(db, changes, report.op_id)
                report.applied = True
        return report

    def _classify(self, db: sqlite3.Connection, rows: list[ImportRow], report: ImportReport,
                  resolved: dict[str, tuple[str, str] | None], *, force: bool, source: str) -> list[dict[str, Any]]:
        """Sort rows into added / known / conflicts / invalid; returns the changes of the added ones."""
        entities: list[dict[str, Any]] = []
        hides: list[dict[str, Any]] = []
        variants: list[dict[str, Any]] = []
        pending: dict[str, Entity] = {}
        pending_hides: set[str] = set()
        seen: dict[tuple[str, str], int] = {}
        by_fold: dict[str, tuple[str, int]] = {}
        for row in rows:
            outcome = RowOutcome(row.line, row.action, row.text, row.entity_id)
            try:
                if row.action not in ROW_ACTIONS:
                    raise UserLayerError(f"action must be one of {', '.join(ROW_ACTIONS)}, not {row.action!r}")
                if row.action == "entity":
                    entity, known = self._import_entity(db, row, source, pending)
                    if known:
                        report.known.append(_with(outcome, known))
                        continue
                    pending[entity.id] = entity
                    entities.append({"do": "add_entity", "entity": _entity_dict(entity, check_note(row.note))})
                    report.added.append(_with(outcome, f"entity {entity.id}", entity_id=entity.id))
                elif row.action == "hide":
                    entity_id = check_entity_id(row.entity_id)
                    if self.base.entity(entity_id) is None:
                        raise UserLayerError(f"{entity_id} is not a built-in entity; only those can be hidden")
                    hidden = db.execute("SELECT op_id FROM hidden WHERE entity_id = ?", (entity_id,)).fetchone()
                    if hidden or entity_id in pending_hides:
                        report.known.append(_with(outcome, "already hidden"))
                        continue
                    pending_hides.add(entity_id)
                    hides.append({"do": "hide", "entity_id": entity_id})
                    report.added.append(_with(outcome, "hidden"))
                else:
                    change, detail = self._import_variant(db, row, pending, pending_hides, resolved, seen, by_fold,
                                                          force=force, source=source)
                    if change is None and detail.startswith("conflict: "):
                        report.conflicts.append(_with(outcome, detail[len("conflict: "):]))
                    elif change is None:
                        report.known.append(_with(outcome, detail))
                    else:
                        variants.append(change)
                        report.added.append(_with(outcome, detail, text=change["text"]))
            except StoreError:
                raise  # a damaged file is not a bad row
            except (GazetteerError, ValueError, LookupError, TypeError) as exc:
                report.invalid.append(_with(outcome, str(exc)))
        return entities + hides + variants

    def _import_entity(self, db: sqlite3.Connection, row: ImportRow, source: str,
                       pending: dict[str, Entity]) -> tuple[Entity, str]:
        """A new entity from an import row, or ('', 'already known') when the same one exists."""
        entity_id = (row.entity_id or "").strip()
        existing = self.entity_in(db, entity_id) if entity_id else None
        if existing is not None:
            same = (existing.kind == (row.kind or "").strip() and (existing.name_uk or "") == (row.text or "").strip())
            if same:
                return existing, f"entity {entity_id} already exists"
            raise UserLayerError(f"entity ID {entity_id} is taken by {existing.name} ({existing.kind})")
        return self._new_entity(db, row, source, pending), ""

    def entity_in(self, db: sqlite3.Connection, entity_id: str) -> Entity | None:
        """A built-in or user entity by ID as the transaction sees it."""
        entity = self.base.entity(entity_id)
        if entity is None:
            row = db.execute(f"SELECT {', '.join(_ENTITY_COLUMNS)} FROM entities WHERE id = ?",
                             (entity_id,)).fetchone()
            entity = _entity_from_row(row) if row else None
        return entity

    def _import_variant(self, db: sqlite3.Connection, row: ImportRow, pending: dict[str, Entity],
                        pending_hides: set[str], resolved: dict[str, tuple[str, str] | None],
                        seen: dict[tuple[str, str], int], by_fold: dict[str, tuple[str, int]], *,
                        force: bool, source: str) -> tuple[dict[str, Any] | None, str]:
        """(the change, '') for a variant to add, or (None, why not) for a known or conflicting one."""
        text = check_text(row.text)
        lang, note = check_lang(row.lang), check_note(row.note)
        entity_id = check_entity_id(row.entity_id)
        entity = pending.get(entity_id) or self._target(db, entity_id)
        if entity_id in pending_hides:
            raise UserLayerError(f"{entity_id} is hidden by this same import")
        folded = fold_name(text)
        if (entity_id, folded) in seen:
            return None, f"repeats line {seen[(entity_id, folded)]}"
        seen[(entity_id, folded)] = row.line
        known = None if entity_id in pending else self._known(db, entity, folded)
        if known:
            return None, f"already {known}"
        if not force:
            other = resolved.get(text)
            if other is not None and other[0] != entity_id:
                return None, f"conflict: already resolves to {other[0]} {other[1]}"
            earlier = by_fold.get(folded)
            if earlier is not None and earlier[0] != entity_id:
                return None, f"conflict: line {earlier[1]} gives it to {earlier[0]}"
        by_fold.setdefault(folded, (entity_id, row.line))
        change = {"do": "add_variant", "entity_id": entity_id, "text": text, "fold": folded, "lang": lang,
                  "note": note, "source": source}
        return change, f"variant of {entity_id} {entity.name}"

    def export_rows(self) -> list[dict[str, str]]:
        """The layer's current state as export rows: entities, then hidings, then variants."""
        added_at = dict(self._query("SELECT op_id, at FROM ops"))
        rows: list[dict[str, str]] = []
        for row in self._query(f"SELECT {', '.join(_ENTITY_COLUMNS)} FROM entities ORDER BY op_id, id"):
            entity = _entity_from_row(row)
            rows.append(_export_row(text=entity.name_uk, id=entity.id, lang="uk" if entity.name_uk else "",
                                    note=row[_ENTITY_COLUMNS.index("note")], source=entity.source,
                                    added_at=added_at.get(row[-1]), action="entity", kind=entity.kind,
                                    name=entity.name, name_ru=entity.name_ru, parent_id=entity.parent_id,
                                    country=entity.country, role=entity.role))
        for entity_id, op_id in sorted(self.hidden().items()):
            rows.append(_export_row(id=entity_id, source="user", added_at=added_at.get(op_id), action="hide"))
        for variant in sorted(self.variants(), key=lambda v: (v.entity_id, v.fold)):
            rows.append(_export_row(text=variant.text, id=variant.entity_id, lang=variant.lang, note=variant.note,
                                    source=variant.source, added_at=added_at.get(variant.op_id)))
        return rows


# -- files ----------------------------------------------------------------------------


def read_import_file(path: str | os.PathLike[str]) -> tuple[list[ImportRow], str, int]:
    """(rows, format, review rows without chosen_id) of a review file or a plain text,id CSV/TSV."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            content = handle.read()
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from exc
    lines = content.splitlines(keepends=True)
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        start += 1
    if start == len(lines):
        raise DataError(f"{path} is empty: expected a header with text and id columns (or a review file)")
    header_line = lines[start]
    delimiter = "\t" if header_line.count("\t") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO("".join(lines[start:])), delimiter=delimiter)
    try:
        return _read_rows(path, reader, start)
    except csv.Error as exc:  # a field over csv's limit (128 KB), a broken quote ...
        raise DataError(f"{path} line {start + reader.line_num}: cannot be read as "
                        f"{'TSV' if delimiter == chr(9) else 'CSV'} ({exc})") from None


def _read_rows(path: Path, reader: Any, start: int) -> tuple[list[ImportRow], str, int]:
    header = [column.strip().lower() for column in next(reader)]
    if "chosen_id" in header and "value" in header:
        return _review_rows(path, header, reader, start)
    missing = [column for column in ("text", "id") if column not in header]
    if missing:
        raise DataError(f"{path} has no {' or '.join(missing)} column: an import file needs text and id columns "
                        "(optional: lang, note, action), or must be the review file of `uanorm clean` "
                        "(columns value ... chosen_id)")
    rows = []
    for number, values in enumerate(reader, start=start + 2):
        if not any(v.strip() for v in values):
            continue
        record = dict(zip(header, values))
        action = (record.get("action") or "variant").strip().lower()
        rows.append(ImportRow(
            line=number, text=record.get("text", ""), entity_id=record.get("id", "").strip(), action=action,
            lang=_blank(record.get("lang")), note=_blank(record.get("note")), kind=_blank(record.get("kind")),
            name=_blank(record.get("name")), name_ru=_blank(record.get("name_ru")),
            parent_id=_blank(record.get("parent_id")), country=_blank(record.get("country")),
            role=_blank(record.get("role")),
        ))
    return rows, "plain", 0


def _review_rows(path: Path, header: list[str], reader: Iterator[list[str]], start: int
                 ) -> tuple[list[ImportRow], str, int]:
    rows = []
    skipped = 0
    for number, values in enumerate(reader, start=start + 2):
        if not any(v.strip() for v in values):
            continue
        record = dict(zip(header, values))
        chosen = (record.get("chosen_id") or "").strip()
        if not chosen:
            skipped += 1
            continue
        where = ", ".join(f"{key} {record[key].strip()}" for key in ("column", "oblast", "count")
                          if (record.get(key) or "").strip())
        rows.append(ImportRow(line=number, text=unescape_formula(record.get("value", "")), entity_id=chosen,
                              note=f"review of {path.name}" + (f" ({where})" if where else "")))
    return rows, "review", skipped


def write_export(rows: list[dict[str, str]], destination: str | os.PathLike[str] | None) -> str:
    """The rows as TSV (EXPORT_COLUMNS); written atomically to `destination` if given. Returns the text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    text = buffer.getvalue()
    if destination is not None:
        _write_atomically(Path(destination), text)
    return text


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:  # a full disk, a directory in the way ...: nothing partial, the file named
        temporary.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# -- helpers --------------------------------------------------------------------------


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _with(outcome: RowOutcome, detail: str, **fields: str) -> RowOutcome:
    data = asdict(outcome)
    data.update(fields)
    data["detail"] = detail
    return RowOutcome(**data)


def _entity_from_row(row: tuple[Any, ...]) -> Entity:
    values = dict(zip(_ENTITY_COLUMNS, row))
    return Entity(**{key: values[key] for key in ENTITY_FIELDS if key in values})


def _entity_dict(entity: Entity, note: str | None) -> dict[str, Any]:
    data = {key: getattr(entity, key) for key in _ENTITY_COLUMNS if key not in ("note", "op_id")}
    data["note"] = note
    return data


def _variant_dict(variant: UserVariant) -> dict[str, Any]:
    return {key: getattr(variant, key) for key in _VARIANT_COLUMNS if key != "op_id"}


def _inverse(change: dict[str, Any]) -> dict[str, Any]:
    opposite = {"add_variant": "del_variant", "del_variant": "add_variant", "add_entity": "del_entity",
                "del_entity": "add_entity", "hide": "unhide", "unhide": "hide"}
    return {**change, "do": opposite[change["do"]]}


def _grouped(changes: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    group: list[dict[str, Any]] = []
    for change in changes:
        if group and change["do"] != group[0]["do"]:
            yield group[0]["do"], group
            group = []
        group.append(change)
    if group:
        yield group[0]["do"], group


def _change_counts(changes: list[dict[str, Any]]) -> str:
    labels = {"add_variant": "variant(s)", "add_entity": "entity(ies)", "hide": "hidden"}
    counts: dict[str, int] = {}
    for change in changes:
        counts[change["do"]] = counts.get(change["do"], 0) + 1
    return ", ".join(f"{count:,} {labels.get(do, do)}" for do, count in counts.items())


def _existing_ids(base: BaseStore, ids: set[str]) -> set[str]:
    """The subset of `ids` the base store holds."""
    found: set[str] = set()
    items = sorted(ids)
    for start in range(0, len(items), 500):
        chunk = items[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(row[0] for row in base.query(f"SELECT id FROM entities WHERE id IN ({marks})", tuple(chunk)))
    return found


def _export_row(**values: Any) -> dict[str, str]:
    return {column: "" if values.get(column) is None else str(values[column]) for column in EXPORT_COLUMNS}
