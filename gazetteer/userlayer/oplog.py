"""The op log: how a change is recorded, applied to the state tables and inverted for undo.

A change is a list of primitive steps (``add_variant``, ``del_variant``, ``add_entity``,
``del_entity``, ``hide``, ``unhide``) stored as JSON with its op; the state tables are what
those steps produced. Undo applies the inverse of an op's steps, skipping what later ops
already did, as a new op.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from ..errors import StoreError
from ..model import Entity
from ..store import BaseStore
from .db import (
    DECISION_COLUMNS,
    ENTITY_COLUMNS,
    decision_dict,
    decision_in,
    entity_dict,
    entity_note,
    has_user_entity,
    hidden_op,
    now,
    user_entity_in,
    user_entity_row,
    variant_dict,
    variant_in,
    variant_select,
    who,
)
from .records import UserLayerError, UserVariant

Change = dict[str, Any]

_OPPOSITE = {"add_variant": "del_variant", "del_variant": "add_variant", "add_entity": "del_entity",
             "del_entity": "add_entity", "hide": "unhide", "unhide": "hide", "add_decision": "del_decision",
             "del_decision": "add_decision"}
_COUNT_LABELS = {"add_variant": "variant(s)", "add_entity": "entity(ies)", "hide": "hidden",
                 "add_decision": "decision(s)"}


def record(db: sqlite3.Connection, action: str, summary: str, changes: list[Change], *, source: str,
           note: str | None) -> int:
    """Append an op with its changes to the log; returns its number."""
    cursor = db.execute(
        "INSERT INTO ops(at, action, summary, payload, source, who, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (now(), action, summary, json.dumps({"changes": changes}, ensure_ascii=False), source, who(), note),
    )
    return int(cursor.lastrowid or 0)


def apply(db: sqlite3.Connection, changes: list[Change], op_id: int) -> None:
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
                f"INSERT INTO entities({', '.join(ENTITY_COLUMNS)}) VALUES ({', '.join('?' * len(ENTITY_COLUMNS))})",
                [(*tuple(c["entity"].get(k) for k in ENTITY_COLUMNS[:-1]), op_id) for c in group],
            )
        elif do == "del_entity":
            db.executemany("DELETE FROM entities WHERE id = ?", [(c["entity"]["id"],) for c in group])
        elif do == "hide":
            db.executemany("INSERT INTO hidden(entity_id, op_id) VALUES (?, ?)",
                           [(c["entity_id"], op_id) for c in group])
        elif do == "unhide":
            db.executemany("DELETE FROM hidden WHERE entity_id = ?", [(c["entity_id"],) for c in group])
        elif do == "add_decision":
            marks = ", ".join("?" * len(DECISION_COLUMNS))
            db.executemany(f"INSERT INTO decisions({', '.join(DECISION_COLUMNS)}) VALUES ({marks})",
                           [(*(c[k] for k in DECISION_COLUMNS[:-1]), op_id) for c in group])
        elif do == "del_decision":
            db.executemany("DELETE FROM decisions WHERE fold = ? AND oblast_id = ? AND raion_id = ?",
                           [(c["fold"], c["oblast_id"], c["raion_id"]) for c in group])
        else:  # pragma: no cover - a payload this code did not write
            raise StoreError(f"{do!r} is not a user-layer change")


def entity_removal(db: sqlite3.Connection, entity: Entity, note: str | None) -> list[Change]:
    """The changes that delete a user entity: its variants first, then itself."""
    children = [r[0] for r in db.execute("SELECT id FROM entities WHERE parent_id = ?", (entity.id,))]
    if children:
        raise UserLayerError(f"{entity.id} is the parent of user entities {', '.join(children)}; "
                             "remove those first")
    rows = db.execute(variant_select("WHERE entity_id = ? ORDER BY op_id"), (entity.id,)).fetchall()
    changes: list[Change] = [{"do": "del_variant", **variant_dict(UserVariant(*r))} for r in rows]
    changes.append({"do": "del_entity", "entity": entity_dict(entity, note)})
    return changes


def inverse(change: Change) -> Change:
    """The step that undoes `change`."""
    return {**change, "do": _OPPOSITE[change["do"]]}


def undo_steps(db: sqlite3.Connection, base: BaseStore, change: Change) -> list[Change]:
    """The changes an undo step really makes now (skipping what later ops already did)."""
    do = change["do"]

    def exists(entity_id: str) -> bool:
        return base.entity(entity_id) is not None or has_user_entity(db, entity_id)

    if do == "add_variant":
        if variant_in(db, change["entity_id"], change["fold"]) is not None:
            return []
        if not exists(change["entity_id"]):
            raise UserLayerError(f"cannot undo: {change['entity_id']} no longer exists")
        return [change]
    if do == "del_variant":
        variant = variant_in(db, change["entity_id"], change["fold"])
        return [{"do": "del_variant", **variant_dict(variant)}] if variant else []
    if do == "add_entity":
        entity_id = change["entity"]["id"]
        if exists(entity_id):
            raise UserLayerError(f"cannot undo: the entity ID {entity_id} has been taken since")
        parent_id = change["entity"].get("parent_id")
        if parent_id and not exists(parent_id):
            raise UserLayerError(f"cannot undo: the parent {parent_id} of {entity_id} no longer exists")
        return [change]
    if do == "del_entity":
        row = user_entity_row(db, change["entity"]["id"])
        if row is None:
            return []
        entity = user_entity_in(db, change["entity"]["id"])
        assert entity is not None
        return entity_removal(db, entity, entity_note(row))
    if do == "add_decision":
        if decision_in(db, change["fold"], change["oblast_id"], change["raion_id"]) is not None:
            return []  # the scope has been decided again since: that later choice stands
        if not exists(change["entity_id"]):
            raise UserLayerError(f"cannot undo: {change['entity_id']} no longer exists")
        return [change]
    if do == "del_decision":
        found = decision_in(db, change["fold"], change["oblast_id"], change["raion_id"])
        return [{"do": "del_decision", **decision_dict(found)}] if found else []
    if do == "hide":
        return [] if hidden_op(db, change["entity_id"]) is not None else [change]
    if do == "unhide":
        return [change] if hidden_op(db, change["entity_id"]) is not None else []
    raise StoreError(f"{do!r} is not a user-layer change")  # pragma: no cover


def change_counts(changes: list[Change]) -> str:
    """'3 variant(s), 1 entity(ies)': what a list of changes adds, for an op's summary."""
    counts: dict[str, int] = {}
    for change in changes:
        counts[change["do"]] = counts.get(change["do"], 0) + 1
    return ", ".join(f"{count:,} {_COUNT_LABELS.get(do, do)}" for do, count in counts.items())


def _grouped(changes: list[Change]) -> Iterator[tuple[str, list[Change]]]:
    group: list[Change] = []
    for change in changes:
        if group and change["do"] != group[0]["do"]:
            yield group[0]["do"], group
            group = []
        group.append(change)
    if group:
        yield group[0]["do"], group
