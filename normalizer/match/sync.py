"""Bring the matcher's derived index up to date with the gazetteer's user layer, incrementally.

The index records the last user-layer op it reflects (meta ``user_applied``) and the
layer it came from (meta ``user_layer``, the layer's random ID). A sync reads the
ops after ``user_applied``, collects the keys they touched (a variant: entity ID and
folded text; an entity ID for entities added, removed, hidden or shown again) and
reconciles each key with the layer's current state:

- a variant is indexed like any name (``IndexWriter.add_name``, type ``user``,
  origin ``user-op:N``) and recorded in the side table ``user_form`` (entity, key,
  fid, op), so that removing it deletes exactly its spellings;
- an active user entity gets an ``entity`` row and its names; a removed user entity
  or a hidden built-in one loses the spellings of all its forms and its row is
  renamed ``~ID``, so resolve can reach it neither by name nor by ID. Rows and form
  numbers are never deleted or reused: a running resolver's caches stay valid.

A fresh index (after a base rebuild, ``user_applied`` 0) or one made for another
layer is reconciled in full: every user addition is replayed; additions whose
target is gone are logged (stderr) and kept in the layer. Syncs of several
processes serialize on the index's write lock (``BEGIN IMMEDIATE``) and re-check
``user_applied`` inside it. A read-only index is left as is, with a warning.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gazetteer import Gazetteer
from gazetteer.hierarchy import place_in_hierarchy
from gazetteer.model import ENTITY_FIELDS, Entity
from gazetteer.sqlite import connect_writable, write_transaction
from gazetteer.userlayer import SOURCES, UserVariant, entity_names

from .index import IndexReader
from .indexing import IndexWriter, center_base_names

log = logging.getLogger("uanorm.userlayer")

#: Prefix of the ID of an entity row that matching must not reach (hidden or removed).
TOMBSTONE = "~"
#: user_form key of a user entity's own names (variant keys are folded texts).
ENTITY_KEY = "#entity"

_SIDE_TABLES = (
    ("CREATE TABLE IF NOT EXISTS user_form(entity_id TEXT NOT NULL, key TEXT NOT NULL, fid INTEGER NOT NULL,"
     " op_id INTEGER NOT NULL)"),
    "CREATE INDEX IF NOT EXISTS user_form_key ON user_form(entity_id, key)",
)
_ENTITY_INSERT = f"INSERT INTO entity VALUES ({', '.join('?' * (len(ENTITY_FIELDS) + 1))})"
_ENTITY_UPDATE = f"UPDATE entity SET {', '.join(f'{f} = ?' for f in ENTITY_FIELDS)} WHERE eid = ?"


@dataclass(slots=True)
class SyncResult:
    """What a sync did: ops applied, forms added and removed, problems found, full replay or not."""

    ops: int = 0
    full: bool = False
    forms_added: int = 0
    forms_removed: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str = ""  # why nothing was done although the index lags (read-only)


def sync_user_layer(gazetteer: Gazetteer, index_path: Path, reader: IndexReader | None = None) -> int:
    """Apply user-layer changes the index has not seen yet; returns how many ops were applied."""
    return sync(gazetteer, index_path, reader).ops


def index_head(reader: IndexReader) -> tuple[str | None, int]:
    """(layer ID, last op) the index reflects."""
    return reader.meta("user_layer", None), int(reader.meta("user_applied", 0) or 0)


def sync(gazetteer: Gazetteer, index_path: Path, reader: IndexReader | None = None) -> SyncResult:
    """Bring the index at `index_path` up to date with the user layer; see the module docstring."""
    started = time.perf_counter()
    layer_id, last = gazetteer.user_layer.head()
    if reader is not None and index_head(reader) == (layer_id, last):
        return SyncResult()  # the common case: one cheap read, no write lock
    if not (os.access(index_path, os.W_OK) and os.access(index_path.parent, os.W_OK)):
        result = SyncResult(skipped=f"{index_path} is read-only")
        log.warning("uanorm: warning: the matcher index %s is read-only, so it does not reflect the latest "
                    "user-layer changes (op %d); run uanorm once with a writable UANORM_HOME", index_path, last)
        return result
    db = connect_writable(index_path)  # waits for another process's sync of the same index
    try:
        with write_transaction(db):
            result = _sync_locked(db, gazetteer)
    finally:
        db.close()
    result.seconds = round(time.perf_counter() - started, 4)
    if result.problems:
        log.warning("uanorm: warning: %d user addition(s) cannot apply to this gazetteer and are kept in %s: %s",
                    len(result.problems), gazetteer.user_layer.path, "; ".join(result.problems))
    return result


def _meta(db: sqlite3.Connection, key: str, default: Any) -> Any:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else default


def _set_meta(db: sqlite3.Connection, key: str, value: Any) -> None:
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, json.dumps(value)))


def _sync_locked(db: sqlite3.Connection, gazetteer: Gazetteer) -> SyncResult:
    """The sync proper, inside the index's write transaction."""
    layer = gazetteer.user_layer
    stored_layer, applied = _meta(db, "user_layer", None), int(_meta(db, "user_applied", 0) or 0)
    layer_id, last = layer.head()  # read before the changes: anything newer is redone next time
    if (stored_layer, applied) == (layer_id, last):
        return SyncResult()  # another process synced while we waited for the lock
    for statement in _SIDE_TABLES:
        db.execute(statement)
    reconciler = _Reconciler(db, gazetteer)
    full = applied == 0 or applied > last or stored_layer != layer_id
    if full:
        entity_ids, variant_keys = reconciler.everything()
    else:
        entity_ids, variant_keys = set(), set()
        for _op, change in layer.changes_since(applied):
            if change["do"] in ("add_decision", "del_decision"):
                continue  # decisions are not indexed: the matcher reads them from the layer
            if "fold" in change:
                variant_keys.add((change["entity_id"], change["fold"]))
            else:
                entity_ids.add(change["entity"]["id"] if "entity" in change else change["entity_id"])
    reconciler.run(entity_ids, variant_keys, prefetch=full)
    result = SyncResult(ops=max(0, last - (0 if full else applied)), full=full,
                        forms_added=reconciler.added, forms_removed=reconciler.removed)
    if full:
        result.problems = layer.problems()
        _set_meta(db, "user_problems", result.problems)
    _set_meta(db, "user_applied", last)
    _set_meta(db, "user_layer", layer_id)
    return result


class _Reconciler:
    """Makes the index agree with the layer's current state for given entities and variants."""

    def __init__(self, db: sqlite3.Connection, gazetteer: Gazetteer) -> None:
        self.db = db
        self.gazetteer = gazetteer
        self.layer = gazetteer.user_layer
        self.added = 0
        self.removed = 0
        self._writer: IndexWriter | None = None
        self._variants: dict[tuple[str, str], UserVariant] | None = None
        self._fid_index = False

    # -- what to look at ------------------------------------------------------------------

    def everything(self) -> tuple[set[str], set[tuple[str, str]]]:
        """Every entity and variant key the layer or the index's user part mentions (a full replay)."""
        db = self.db
        entity_ids = {entity.id for entity in self.layer.entities()} | set(self.layer.hidden())
        entity_ids.update(row[0][len(TOMBSTONE):] for row in db.execute(
            "SELECT id FROM entity WHERE id LIKE ?", (TOMBSTONE + "%",)))
        marks = ",".join("?" * len(SOURCES))
        entity_ids.update(row[0] for row in db.execute(f"SELECT id FROM entity WHERE source IN ({marks})", SOURCES))
        entity_ids.update(row[0] for row in db.execute("SELECT DISTINCT entity_id FROM user_form WHERE key = ?",
                                                       (ENTITY_KEY,)))
        keys = {(v.entity_id, v.fold) for v in self.layer.variants()}
        keys.update(db.execute("SELECT DISTINCT entity_id, key FROM user_form WHERE key != ?", (ENTITY_KEY,)))
        return entity_ids, keys

    def run(self, entity_ids: Iterable[str], variant_keys: Iterable[tuple[str, str]], *, prefetch: bool) -> None:
        """Reconcile the entities first (their variants follow them), then the variants."""
        keys = set(variant_keys)
        if prefetch or len(keys) > 50:
            self._variants = {(v.entity_id, v.fold): v for v in self.layer.variants()}
        for entity_id in sorted(entity_ids):
            keys.update(self.entity(entity_id))
        for entity_id, folded in sorted(keys):
            self.variant(entity_id, folded)
        self._flush()

    # -- entities -------------------------------------------------------------------------

    def entity(self, entity_id: str) -> set[tuple[str, str]]:
        """Make the entity row and its names agree with the layer; returns its variant keys to reconcile."""
        base = self.gazetteer.base.entity(entity_id)
        user = None if base is not None else self.layer.entity(entity_id)
        target = user if base is None else (None if self.layer.hidden_by(entity_id) is not None else base)
        eid = self._eid(entity_id)
        if target is None:
            if eid is not None:
                self._deactivate(entity_id, eid)
        elif eid is None:
            tomb = self._eid(TOMBSTONE + entity_id)
            if tomb is None:
                eid = self._next_eid()
                self.db.execute(_ENTITY_INSERT, (eid, *self._entity_values(target)))
            else:
                eid = tomb
                self.db.execute(_ENTITY_UPDATE, (*self._entity_values(target), eid))
            self._add_entity_names(eid, target, built_in=base is not None)
        elif user is not None and not self._recorded(entity_id, ENTITY_KEY):
            # a row written by build_index (which lists user entities without their names)
            self.db.execute(_ENTITY_UPDATE, (*self._entity_values(user), eid))
            self._add_entity_names(eid, user, built_in=False)
        keys = {(entity_id, row[0]) for row in self.db.execute(
            "SELECT DISTINCT key FROM user_form WHERE entity_id = ? AND key != ?", (entity_id, ENTITY_KEY))}
        keys.update((v.entity_id, v.fold) for v in self.layer.variants(entity_id))
        return keys

    def _entity_values(self, entity: Entity) -> tuple[Any, ...]:
        if entity.source in SOURCES and entity.parent_id:  # a user entity lies where its parent lies
            entity = place_in_hierarchy(entity, self.gazetteer.parents(entity.id))
        return tuple(getattr(entity, f) for f in ENTITY_FIELDS)

    def _add_entity_names(self, eid: int, entity: Entity, *, built_in: bool) -> None:
        if built_in:  # shown again after a hide: its built-in names, as build_index made them
            names = [(entity.id, n) for n in self.gazetteer.base.names(entity.id)]
            center = entity.center_id
            names += center_base_names([entity], [(center, n) for n in self.gazetteer.base.names(center)]
                                       if center else [])
            for _entity_id, name in names:
                self.added += len(self._write().add_name(eid, entity.kind, name))
            return
        op_id = self.layer.entity_op(entity.id) or 0
        for name in entity_names(entity):
            self._record(entity.id, ENTITY_KEY, op_id,
                         self._write().add_name(eid, entity.kind, name, origin=f"user-op:{op_id}"))

    def _deactivate(self, entity_id: str, eid: int) -> None:
        """Unreachable by name (spellings deleted) and by ID (row renamed); rows are kept."""
        fids = [row[0] for row in self.db.execute("SELECT fid FROM form WHERE eid = ?", (eid,))]
        self._drop_forms(fids)
        self.db.execute("DELETE FROM user_form WHERE entity_id = ?", (entity_id,))
        self.db.execute("UPDATE entity SET id = ? WHERE eid = ?", (TOMBSTONE + entity_id, eid))

    # -- variants -------------------------------------------------------------------------

    def variant(self, entity_id: str, folded: str) -> None:
        """Index the layer's variant (entity, folded text) if it exists and its entity is active; else drop it."""
        if self._variants is not None:
            wanted = self._variants.get((entity_id, folded))
        else:
            wanted = self.layer.variant(entity_id, folded)
        eid = self._eid(entity_id) if wanted is not None else None
        current = self.db.execute("SELECT fid, op_id FROM user_form WHERE entity_id = ? AND key = ?",
                                  (entity_id, folded)).fetchall()
        if wanted is not None and eid is not None and current and all(op == wanted.op_id for _, op in current):
            return
        if current:
            self._drop_forms([fid for fid, _ in current])
            self.db.execute("DELETE FROM user_form WHERE entity_id = ? AND key = ?", (entity_id, folded))
        if wanted is not None and eid is not None:
            kind = self.db.execute("SELECT kind FROM entity WHERE eid = ?", (eid,)).fetchone()[0]
            fids = self._write().add_name(eid, kind, wanted.to_name(), origin=f"user-op:{wanted.op_id}")
            self._record(entity_id, folded, wanted.op_id, fids)

    # -- low level ------------------------------------------------------------------------

    def _eid(self, entity_id: str) -> int | None:
        row = self.db.execute("SELECT eid FROM entity WHERE id = ? ORDER BY eid DESC LIMIT 1",
                              (entity_id,)).fetchone()
        return row[0] if row else None

    def _next_eid(self) -> int:
        return (self.db.execute("SELECT max(eid) FROM entity").fetchone()[0] or 0) + 1

    def _recorded(self, entity_id: str, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM user_form WHERE entity_id = ? AND key = ? LIMIT 1",
                               (entity_id, key)).fetchone() is not None

    def _record(self, entity_id: str, key: str, op_id: int, fids: list[int]) -> None:
        self.added += len(fids)
        self.db.executemany("INSERT INTO user_form(entity_id, key, fid, op_id) VALUES (?, ?, ?, ?)",
                            [(entity_id, key, fid, op_id) for fid in fids])

    def _write(self) -> IndexWriter:
        if self._writer is None:
            self._writer = IndexWriter(self.db)
        return self._writer

    def _flush(self) -> None:
        if self._writer is not None:
            self._writer.flush()

    def _drop_forms(self, fids: list[int]) -> None:
        """Delete the spellings and surname entries of these forms (the form rows stay, never reused)."""
        if not fids:
            return
        self._flush()
        if not self._fid_index:
            self.db.execute("CREATE INDEX IF NOT EXISTS spelling_fid ON spelling(fid)")
            self._fid_index = True
        for start in range(0, len(fids), 500):
            chunk = fids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            self.db.execute(f"DELETE FROM spelling WHERE fid IN ({marks})", chunk)
            self.db.execute(f"DELETE FROM surname WHERE fid IN ({marks})", chunk)
        self.removed += len(fids)


def describe(result: SyncResult) -> str:
    """One line on a sync, for the command line."""
    if result.skipped:
        return f"index not updated: {result.skipped}"
    if not result.ops and not result.forms_added and not result.forms_removed:
        return "index up to date"
    mode = "replayed" if result.full else "applied"
    return (f"index: {mode} {result.ops} op(s), +{result.forms_added} / -{result.forms_removed} forms "
            f"in {result.seconds:.3f}s")

