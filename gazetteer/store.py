"""The compiled embedded store: one SQLite file of entities and names, written atomically."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .codes import pcode_names
from .errors import DataError, StoreError
from .files import publish, temporary_beside
from .model import ENTITY_FIELDS, NAME_TYPES, Entity, EntityRecord, Name
from .sqlite import connect_new, connect_read_only, read_header, stamp_header
from .textutil import fold_name

#: Bump when the schema changes: an older store is then rebuilt, never misread.
STORE_FORMAT = 2
APPLICATION_ID = 0x55414E4D  # "UANM": marks the file as a uanorm store

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entities(
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    name_uk TEXT,
    name_ru TEXT,
    oblast_id TEXT,
    parent_id TEXT,
    country TEXT,
    population INTEGER,
    lat REAL,
    lon REAL,
    geonames_id INTEGER,
    iso3166_2 TEXT,
    category TEXT,
    center_id TEXT,
    role TEXT,
    source TEXT NOT NULL,
    raion_id TEXT,
    hromada_id TEXT,
    koatuu TEXT,
    former_raion_id TEXT,
    successor_id TEXT,
    year_to INTEGER
);
CREATE INDEX entities_kind ON entities(kind);
CREATE INDEX entities_parent ON entities(parent_id);
CREATE TABLE names(
    entity_id TEXT NOT NULL,
    text TEXT NOT NULL,
    fold TEXT NOT NULL,
    lang TEXT NOT NULL,
    script TEXT NOT NULL,
    type TEXT NOT NULL,
    source TEXT NOT NULL,
    year_from INTEGER,
    year_to INTEGER,
    note TEXT
);
CREATE INDEX names_entity ON names(entity_id);
CREATE INDEX names_fold ON names(fold);
CREATE TABLE codes(entity_id TEXT NOT NULL, scheme TEXT NOT NULL, code TEXT NOT NULL, note TEXT);
CREATE INDEX codes_code ON codes(scheme, code);
CREATE INDEX codes_entity ON codes(entity_id);
CREATE TABLE links(entity_id TEXT NOT NULL, relation TEXT NOT NULL, target_id TEXT NOT NULL, weight INTEGER);
CREATE INDEX links_entity ON links(entity_id);
"""

_ENTITY_COLUMNS = ", ".join(ENTITY_FIELDS)
KNOWN_NAME_TYPES = frozenset(NAME_TYPES)
_NAME_COLUMNS = "text, lang, script, type, source, year_from, year_to, note"


def write_store(
    path: Path,
    records: Iterable[EntityRecord],
    meta: dict[str, Any],
    codes: Iterable[tuple[str, str, str, str | None]] = (),
    links: Iterable[tuple[str, str, str, int | None]] = (),
) -> None:
    """Write a complete store to `path` atomically (temporary file, fsync, rename).

    `codes` are (entity ID, scheme, code, note) rows, `links` (entity ID, relation, target ID, weight).
    """
    temporary = temporary_beside(path)
    try:
        connection = connect_new(temporary)
        try:
            stamp_header(connection, APPLICATION_ID, STORE_FORMAT)
            connection.executescript(SCHEMA)
            entity_rows = []
            name_rows = []
            for record in records:
                unknown = {name.type for name in record.names} - KNOWN_NAME_TYPES
                if unknown:
                    raise DataError(f"{record.id}: unknown name type(s) {', '.join(sorted(unknown))}; "
                                    f"name types are {', '.join(NAME_TYPES)}")
                entity_rows.append(tuple(getattr(record, column) for column in ENTITY_FIELDS))
                for name in record.names:
                    name_rows.append(
                        (record.id, name.text, fold_name(name.text), name.lang, name.script, name.type,
                         name.source, name.year_from, name.year_to, name.note)
                    )
            placeholders = ", ".join("?" for _ in ENTITY_FIELDS)
            connection.executemany(f"INSERT INTO entities({_ENTITY_COLUMNS}) VALUES ({placeholders})", entity_rows)
            connection.executemany(
                "INSERT INTO names(entity_id, text, fold, lang, script, type, source, year_from, year_to, note)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                name_rows,
            )
            connection.executemany("INSERT INTO codes(entity_id, scheme, code, note) VALUES (?, ?, ?, ?)", codes)
            connection.executemany("INSERT INTO links(entity_id, relation, target_id, weight) VALUES (?, ?, ?, ?)",
                                   links)
            connection.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?)",
                [(key, json.dumps(value, ensure_ascii=False)) for key, value in meta.items()],
            )
            connection.commit()
        finally:
            connection.close()
        publish(temporary, path)
    except (sqlite3.OperationalError, OSError) as exc:  # a full disk, no permission ...: nothing partial is left
        temporary.unlink(missing_ok=True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StoreError(f"cannot write the store {path}: {reason}; is the disk full? Nothing was changed "
                         "(a store already there is kept)") from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def stored_format(path: Path) -> int | None:
    """The store format of a uanorm store file, or None when it is not one (or cannot be read)."""
    try:
        connection = connect_read_only(path)
        try:
            header = read_header(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return None
    return header.version if header.application_id == APPLICATION_ID else None


def recovery_hint(path: Path) -> str:
    """What a user can do about a broken store at `path`."""
    return (
        f"remove it and run `uanorm gazetteer build` to rebuild the base store; "
        f"your own additions live apart from it (user.sqlite beside {path.name}) "
        f"and can be re-imported from your last `uanorm gazetteer export`"
    )


class BaseStore:
    """Read access to a compiled store file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = connect_read_only(path)
            application_id = self._db.execute("PRAGMA application_id").fetchone()[0]
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} is not a readable uanorm store ({exc}); {recovery_hint(path)}") from exc
        if application_id != APPLICATION_ID:
            self._db.close()
            raise StoreError(f"{path} is not a uanorm store (foreign SQLite file); {recovery_hint(path)}")
        if version != STORE_FORMAT:
            self._db.close()
            raise StoreError(f"{path} has store format {version}, this uanorm reads {STORE_FORMAT}")
        self._db.row_factory = None

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run a read query, turning SQLite failures into StoreError."""
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is damaged ({exc}); {recovery_hint(self.path)}") from exc

    def meta(self) -> dict[str, Any]:
        """The build's metadata (sources, versions, date, statistics)."""
        return {key: json.loads(value) for key, value in self.query("SELECT key, value FROM meta")}

    def meta_value(self, key: str, default: Any = None) -> Any:
        """One metadata value."""
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def entity(self, entity_id: str) -> Entity | None:
        """The entity with this ID, or None."""
        rows = self.query(f"SELECT {_ENTITY_COLUMNS} FROM entities WHERE id = ?", (entity_id,))
        return Entity(*rows[0]) if rows else None

    def entities(self, kind: str | None = None) -> list[Entity]:
        """All entities, or those of one kind, in store order."""
        if kind is None:
            rows = self.query(f"SELECT {_ENTITY_COLUMNS} FROM entities ORDER BY rowid")
        else:
            rows = self.query(f"SELECT {_ENTITY_COLUMNS} FROM entities WHERE kind = ? ORDER BY rowid", (kind,))
        return [Entity(*row) for row in rows]

    def children(self, entity_id: str) -> list[Entity]:
        """Entities whose parent is `entity_id`."""
        rows = self.query(
            f"SELECT {_ENTITY_COLUMNS} FROM entities WHERE parent_id = ? ORDER BY rowid", (entity_id,)
        )
        return [Entity(*row) for row in rows]

    def names(self, entity_id: str) -> list[Name]:
        """Every name of an entity."""
        rows = self.query(f"SELECT {_NAME_COLUMNS} FROM names WHERE entity_id = ? ORDER BY rowid", (entity_id,))
        return [Name(*row) for row in rows]

    def all_names(self) -> list[tuple[str, Name]]:
        """Every (entity ID, name) pair of the store."""
        rows = self.query(f"SELECT entity_id, {_NAME_COLUMNS} FROM names ORDER BY rowid")
        return [(row[0], Name(*row[1:])) for row in rows]

    def ids_by_fold(self, folded: str, prefix: bool = False, limit: int = 50) -> list[str]:
        """Entity IDs having a name whose folded form equals (or starts with) `folded`."""
        if prefix:
            rows = self.query(
                "SELECT DISTINCT entity_id FROM names WHERE fold >= ? AND fold < ? LIMIT ?",
                (folded, folded + "\uffff", limit),
            )
        else:
            rows = self.query("SELECT DISTINCT entity_id FROM names WHERE fold = ? LIMIT ?", (folded, limit))
        return [row[0] for row in rows]

    def codes(self, entity_id: str) -> list[tuple[str, str, str | None]]:
        """The codes an entity carries in other schemes: (scheme, code, note), in build order."""
        return self.query("SELECT scheme, code, note FROM codes WHERE entity_id = ? ORDER BY rowid", (entity_id,))

    def ids_by_code(self, scheme: str, code: str) -> list[str]:
        """IDs of the entities carrying `code` in `scheme`, in build order."""
        rows = self.query("SELECT entity_id FROM codes WHERE scheme = ? AND code = ?"
                          " GROUP BY entity_id ORDER BY min(rowid)",
                          (scheme, code))
        return [row[0] for row in rows]

    def by_pcode(self, pcode: str) -> str | None:
        """The unit an OCHA P-code names (see gazetteer.codes.pcode_names), or None."""
        code = pcode.upper()
        for (entity_id,) in self.query("SELECT id FROM entities WHERE id >= ? AND id < ? ORDER BY id",
                                       (code, code + "\uffff")):
            if pcode_names(code, entity_id):
                return entity_id
        return None

    def all_codes(self) -> list[tuple[str, str, str]]:
        """Every (entity ID, scheme, code) of the store."""
        return self.query("SELECT entity_id, scheme, code FROM codes ORDER BY rowid")

    def links(self, entity_id: str, relation: str | None = None) -> list[tuple[str, str, int | None]]:
        """Links from an entity: (relation, target ID, weight), heaviest first."""
        if relation is None:
            return self.query("SELECT relation, target_id, weight FROM links WHERE entity_id = ?"
                              " ORDER BY weight DESC, rowid", (entity_id,))
        return self.query("SELECT relation, target_id, weight FROM links WHERE entity_id = ? AND relation = ?"
                          " ORDER BY weight DESC, rowid", (entity_id, relation))

    def count(self) -> int:
        """Number of entities."""
        return self.query("SELECT count(*) FROM entities")[0][0]
