"""Importing rows into the user layer: every row validated first, the good ones applied as one op.

`Sorting` walks the rows of one import inside its write transaction and files each as
added, already known, in conflict or invalid; rows defined earlier in the same import
(new entities, hidings) count as existing for the rows after them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..codes import code_order, kind_of_code, normalize_code
from ..errors import GazetteerError, StoreError
from ..model import Entity
from ..store import BaseStore
from ..textutil import fold_name
from .db import entity_dict, hidden_op, user_entity_in
from .records import ROW_ACTIONS, ImportReport, ImportRow, RowOutcome, UserLayerError
from .validation import check_entity_id, check_lang, check_note, check_scope, check_text

if TYPE_CHECKING:
    from .layer import UserLayer

#: What the conflict check found for each variant text of an import: (ID, description) or None.
Resolved = dict[str, "tuple[str, str] | None"]


@dataclass(frozen=True, slots=True)
class Skip:
    """Why a variant row adds nothing: it is already known, or it conflicts with another entity."""

    conflict: bool
    detail: str


@dataclass
class Sorting:
    """The rows of one import, sorted inside its transaction (see the module docstring)."""

    layer: UserLayer
    db: sqlite3.Connection
    report: ImportReport
    resolved: Resolved
    force: bool
    source: str
    pending: dict[str, Entity] = field(default_factory=dict)
    pending_hides: set[str] = field(default_factory=set)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    by_fold: dict[str, tuple[str, int]] = field(default_factory=dict)
    decided: dict[tuple[str, str, str], tuple[str, int]] = field(default_factory=dict)

    def sort(self, rows: list[ImportRow]) -> list[dict[str, Any]]:
        """File every row in the report; returns the changes of the added ones (entities, hidings, variants)."""
        entities: list[dict[str, Any]] = []
        hides: list[dict[str, Any]] = []
        variants: list[dict[str, Any]] = []
        decisions: list[dict[str, Any]] = []
        report = self.report
        for row in rows:
            outcome = RowOutcome(row.line, row.action, row.text, row.entity_id)
            try:
                if row.action not in ROW_ACTIONS:
                    raise UserLayerError(f"action must be one of {', '.join(ROW_ACTIONS)}, not {row.action!r}")
                if row.action == "entity":
                    entity, known = self._entity(row)
                    if known:
                        report.known.append(_with(outcome, known))
                        continue
                    self.pending[entity.id] = entity
                    entities.append({"do": "add_entity", "entity": entity_dict(entity, check_note(row.note))})
                    report.added.append(_with(outcome, f"entity {entity.id}", entity_id=entity.id))
                elif row.action == "decision":
                    made = self._decision(row)
                    if isinstance(made, Skip):
                        (report.conflicts if made.conflict else report.known).append(_with(outcome, made.detail))
                    else:
                        changes, detail, entity_id = made
                        decisions.extend(changes)
                        report.added.append(_with(outcome, detail, entity_id=entity_id))
                elif row.action == "hide":
                    entity_id = check_entity_id(row.entity_id)
                    if self.layer.base.entity(entity_id) is None:
                        raise UserLayerError(f"{entity_id} is not a built-in entity; only those can be hidden")
                    if hidden_op(self.db, entity_id) is not None or entity_id in self.pending_hides:
                        report.known.append(_with(outcome, "already hidden"))
                        continue
                    self.pending_hides.add(entity_id)
                    hides.append({"do": "hide", "entity_id": entity_id})
                    report.added.append(_with(outcome, "hidden"))
                else:
                    added = self._variant(row)
                    if isinstance(added, Skip):
                        (report.conflicts if added.conflict else report.known).append(_with(outcome, added.detail))
                    else:
                        change, detail = added
                        variants.append(change)
                        report.added.append(_with(outcome, detail, text=change["text"]))
            except StoreError:
                raise  # a damaged file is not a bad row
            except (GazetteerError, ValueError, LookupError, TypeError) as exc:
                report.invalid.append(_with(outcome, str(exc)))
        return entities + hides + variants + decisions

    def _entity(self, row: ImportRow) -> tuple[Entity, str]:
        """A new entity from an import row, or (the entity, 'already exists') when the same one exists."""
        entity_id = (row.entity_id or "").strip()
        existing = (self.layer.base.entity(entity_id) or user_entity_in(self.db, entity_id)) if entity_id else None
        if existing is not None:
            same = (existing.kind == (row.kind or "").strip() and (existing.name_uk or "") == (row.text or "").strip())
            if same:
                return existing, f"entity {entity_id} already exists"
            raise UserLayerError(f"entity ID {entity_id} is taken by {existing.name} ({existing.kind})")
        return self.layer.new_entity(self.db, row, self.source, self.pending), ""

    def _decision(self, row: ImportRow) -> tuple[list[dict[str, Any]], str, str] | Skip:
        """The changes that record a review decision (the value, in the row's oblast and raion, is the chosen
        entity), or a Skip saying why none are needed."""
        value = check_text(row.text, "value")
        entity = self.layer.target(self.db, chosen_entity(self.layer.base, row.entity_id, row.candidates))
        scope = (check_scope(row.oblast_id), check_scope(row.raion_id))
        if row.placed_by_point and scope == ("", ""):
            # the row said where only by a point: the value is this entity around it, that is, in its raion
            scope = (entity.oblast_id or "", entity.raion_id or entity.former_raion_id or "")
        key = (fold_name(value), *scope)
        earlier = self.decided.get(key)
        if earlier is not None:
            if earlier[0] == entity.id:
                return Skip(False, f"repeats line {earlier[1]}")
            return Skip(True, f"line {earlier[1]} chose {earlier[0]} for the same value and scope")
        self.decided[key] = (entity.id, row.line)
        changes = self.layer.decision_changes(self.db, value, entity.id, scope, check_note(row.note), self.source)
        if not changes:
            return Skip(False, f"already decided: {entity.id} {entity.name}")
        where = " / ".join(part for part in scope if part) or "anywhere"
        return changes, f"decision: {entity.id} {entity.name} for {value!r} in {where}", entity.id

    def _variant(self, row: ImportRow) -> tuple[dict[str, Any], str] | Skip:
        """(the change, a description) for a variant to add, or a Skip saying why not."""
        text = check_text(row.text)
        lang, note = check_lang(row.lang), check_note(row.note)
        entity_id = check_entity_id(row.entity_id)
        entity = self.pending.get(entity_id) or self.layer.target(self.db, entity_id)
        if entity_id in self.pending_hides:
            raise UserLayerError(f"{entity_id} is hidden by this same import")
        folded = fold_name(text)
        if (entity_id, folded) in self.seen:
            return Skip(False, f"repeats line {self.seen[(entity_id, folded)]}")
        self.seen[(entity_id, folded)] = row.line
        known = None if entity_id in self.pending else self.layer.known(self.db, entity, folded)
        if known:
            return Skip(False, f"already {known}")
        if not self.force:
            other = self.resolved.get(text)
            if other is not None and other[0] != entity_id:
                return Skip(True, f"already resolves to {other[0]} {other[1]}")
            earlier = self.by_fold.get(folded)
            if earlier is not None and earlier[0] != entity_id:
                return Skip(True, f"line {earlier[1]} gives it to {earlier[0]}")
        self.by_fold.setdefault(folded, (entity_id, row.line))
        change = {"do": "add_variant", "entity_id": entity_id, "text": text, "fold": folded, "lang": lang,
                  "note": note, "source": self.source}
        return change, f"variant of {entity_id} {entity.name}"


def chosen_entity(base: BaseStore, chosen: str, candidates: tuple[str, ...] = ()) -> str:
    """The entity ID a review's chosen_id names: a candidate's number (1, 2 ...), a KATOTTG code or another ID,
    a KOATUU code or an OCHA P-code; UnknownEntityError for anything else."""
    chosen = chosen.strip()
    if chosen.isdigit() and len(chosen) <= 2:
        number = int(chosen)
        if 1 <= number <= len(candidates) and candidates[number - 1]:
            return candidates[number - 1]
        raise UserLayerError(f"chosen_id {chosen} is not the number of a candidate of this row "
                             f"(it has {len(candidates)}); give the number, or an ID or code")
    scheme = kind_of_code(chosen)
    if scheme == "koatuu":
        code = normalize_code("koatuu", chosen)
        found = sorted((e for e in map(base.entity, base.ids_by_code("koatuu", code)) if e is not None),
                       key=code_order)
        if not found:
            raise UserLayerError(f"no unit carries the KOATUU code {code}")
        return found[0].id
    if scheme == "pcode":
        unit = base.by_pcode(chosen)
        if unit is None:
            raise UserLayerError(f"no unit has the P-code {chosen}")
        return unit
    return check_entity_id(chosen)


def _with(outcome: RowOutcome, detail: str, **fields: str) -> RowOutcome:
    data = asdict(outcome)
    data.update(fields)
    data["detail"] = detail
    return RowOutcome(**data)
