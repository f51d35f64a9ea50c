"""The user layer: variants, entities and hidings a user adds, reads and writes of one home's layer."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from ..errors import ImportRejectedError, InvalidTextError, UnknownEntityError, VariantConflictError
from ..latin import official_latin
from ..model import KINDS, Entity, Name
from ..textutil import encodable, fold_name, script_of
from .db import (
    LayerFile,
    decision_dict,
    decision_in,
    decision_select,
    entity_dict,
    entity_from_row,
    entity_note,
    entity_select,
    existing_ids,
    has_user_entity,
    hidden_op,
    user_entity_in,
    user_entity_row,
    variant_dict,
    variant_in,
    variant_select,
)
from .exchange import export_row
from .importing import Resolved, Sorting
from .oplog import apply, change_counts, entity_removal, inverse, record, undo_steps
from .records import (
    SOURCES,
    SQLITE_MAX_INT,
    Change,
    ConflictCheck,
    HiddenEntityError,
    ImportReport,
    ImportRow,
    Op,
    UnknownOpError,
    UnknownVariantError,
    UserDecision,
    UserLayerError,
    UserVariant,
)
from .validation import (
    COUNTRY_CODE,
    check_entity_id,
    check_lang,
    check_new_id,
    check_note,
    check_scope,
    check_source,
    check_text,
    entity_names,
    id_stem,
)


class UserLayer(LayerFile):
    """The user layer of a home: reads are cheap queries, every write is one op in one transaction."""

    # -- reading ----------------------------------------------------------------------

    def head(self) -> tuple[str | None, int]:
        """(the layer's unique ID, the last op number): what the matcher index compares with."""
        rows = self._query("SELECT (SELECT value FROM meta WHERE key = 'layer_id'), (SELECT max(op_id) FROM ops)")
        if not rows:
            return None, 0
        return rows[0][0], rows[0][1] or 0

    def variants(self, entity_id: str | None = None) -> list[UserVariant]:
        """The user variants of one entity, or all of them (in the order they were added)."""
        if entity_id is None:
            rows = self._query(variant_select("ORDER BY op_id, rowid"))
        else:
            rows = self._query(variant_select("WHERE entity_id = ? ORDER BY op_id, rowid"),
                               (entity_id,))
        return [UserVariant(*row) for row in rows]

    def variant(self, entity_id: str, folded: str) -> UserVariant | None:
        """The user variant of an entity with this folded text, or None."""
        rows = self._query(variant_select("WHERE entity_id = ? AND fold = ?"),
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
        rows = self._query(entity_select("WHERE id = ?"), (entity_id,))
        return entity_from_row(rows[0]) if rows else None

    def entities(self, kind: str | None = None) -> list[Entity]:
        """The user entities (of one kind), in the order they were added."""
        if kind is None:
            rows = self._query(entity_select("ORDER BY op_id"))
        else:
            rows = self._query(entity_select("WHERE kind = ? ORDER BY op_id"), (kind,))
        return [entity_from_row(row) for row in rows]

    def entity_op(self, entity_id: str) -> int | None:
        """The op that added a user entity."""
        rows = self._query("SELECT op_id FROM entities WHERE id = ?", (entity_id,))
        return rows[0][0] if rows else None

    def children(self, entity_id: str) -> list[Entity]:
        """User entities whose parent is `entity_id`."""
        rows = self._query(entity_select("WHERE parent_id = ? ORDER BY op_id"),
                           (entity_id,))
        return [entity_from_row(row) for row in rows]

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
            limit = min(limit, SQLITE_MAX_INT)  # SQLite integers are 64-bit
        if limit is None:
            rows = self._query(f"SELECT {columns} FROM ops ORDER BY op_id")
        else:
            rows = self._query(f"SELECT * FROM (SELECT {columns} FROM ops ORDER BY op_id DESC LIMIT ?) "
                               "ORDER BY op_id", (limit,))
        return [Op(*row) for row in rows]

    def changes_since(self, op_id: int) -> list[tuple[int, dict[str, Any]]]:
        """(op, primitive change) of every op after `op_id`, in order."""
        result: list[tuple[int, dict[str, Any]]] = []
        for number, payload in self._query("SELECT op_id, payload FROM ops WHERE op_id > ? ORDER BY op_id",
                                           (op_id,)):
            result.extend((number, change) for change in json.loads(payload)["changes"])
        return result

    def counts(self) -> dict[str, int]:
        """How many ops, variants, entities, hidden entities and decisions the layer holds."""
        rows = self._query("SELECT (SELECT count(*) FROM ops), (SELECT count(*) FROM variants),"
                           " (SELECT count(*) FROM entities), (SELECT count(*) FROM hidden)")
        ops, variants, entities, hidden = rows[0] if rows else (0, 0, 0, 0)
        return {"ops": ops, "variants": variants, "entities": entities, "hidden": hidden,
                "decisions": len(self.decisions())}

    def decisions(self, entity_id: str | None = None) -> list[UserDecision]:
        """The decisions of review (of one entity, or all), in the order they were made."""
        if not self._has_decisions():
            return []
        if entity_id is None:
            return [UserDecision(*row) for row in self._query(decision_select("ORDER BY op_id, rowid"))]
        rows = self._query(decision_select("WHERE entity_id = ? ORDER BY op_id, rowid"), (entity_id,))
        return [UserDecision(*row) for row in rows]

    def add_decision(self, value: str, entity_id: str, *, oblast_id: str | None = None, raion_id: str | None = None,
                     note: str | None = None, source: str = "review") -> Change:
        """Decide that VALUE, written in this oblast and raion (None: any), is the entity (one op); a decision
        for the same value and scope made before is replaced (undo brings it back)."""
        value, entity_id = check_text(value, "value"), check_entity_id(entity_id)
        note, source = check_note(note), check_source(source)
        scope = (check_scope(oblast_id), check_scope(raion_id))
        with self._writing() as db:
            entity = self.target(db, entity_id)
            changes = self.decision_changes(db, value, entity.id, scope, note, source)
            if not changes:
                return Change("already known", None, entity_id, value,
                              f"already decided: {value!r} {_scope_words(scope)} is {entity_id} {entity.name}")
            op_id = record(db, "decide", f"{value!r} {_scope_words(scope)} is {entity_id} {entity.name}", changes,
                           source=source, note=note)
            apply(db, changes, op_id)
        return Change("added", op_id, entity_id, value,
                      f"decided: {value!r} {_scope_words(scope)} is {entity_id} {entity.name} ({entity.kind}) "
                      f"[op {op_id}]")

    def decision_changes(self, db: sqlite3.Connection, value: str, entity_id: str, scope: tuple[str, str],
                         note: str | None, source: str) -> list[dict[str, Any]]:
        """The changes that record a decision: none when it is already so, a replacement when the scope was
        decided otherwise before."""
        folded = fold_name(value)
        earlier = decision_in(db, folded, *scope)
        if earlier is not None and earlier.entity_id == entity_id:
            return []
        changes: list[dict[str, Any]] = []
        if earlier is not None:
            changes.append({"do": "del_decision", **decision_dict(earlier)})
        changes.append({"do": "add_decision", "value": value, "fold": folded, "oblast_id": scope[0],
                        "raion_id": scope[1], "entity_id": entity_id, "note": note, "source": source})
        return changes

    def problems(self) -> list[str]:
        """Additions the current base cannot honour (their target is gone, an ID became built in ...)."""
        problems: list[str] = []
        user_ids = {entity.id for entity in self.entities()}
        variant_ids = [row[0] for row in self._query("SELECT DISTINCT entity_id FROM variants")]
        hidden = self.hidden()
        in_base = existing_ids(self.base, set(variant_ids) | user_ids | set(hidden))
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

    def target(self, db: sqlite3.Connection | None, entity_id: str) -> Entity:
        """The entity a change is about: built in or user-added, not hidden (db None: no layer yet)."""
        if not encodable(entity_id):
            raise UnknownEntityError(entity_id)
        entity = self.base.entity(entity_id) or (None if db is None else user_entity_in(db, entity_id))
        if entity is None:
            raise UnknownEntityError(entity_id)
        hidden = None if db is None else hidden_op(db, entity_id)
        if hidden is not None:
            raise HiddenEntityError(entity_id, hidden)
        return entity

    def known(self, db: sqlite3.Connection | None, entity: Entity, folded: str) -> str | None:
        """How the entity already carries this folded text ('a built-in name', 'user variant, op N'), or None."""
        if self.base.query("SELECT 1 FROM names WHERE entity_id = ? AND fold = ? LIMIT 1", (entity.id, folded)):
            return "a built-in name"
        variant = None if db is None else variant_in(db, entity.id, folded)
        if variant is not None:
            return f"a user variant (op {variant.op_id})"
        if entity.source in SOURCES and any(fold_name(n.text) == folded for n in entity_names(entity)):
            return "a name of this user entity"
        return None

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
                entity = self.target(db, entity_id)
                known = self.known(db, entity, folded)
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
            entity = self.target(db, entity_id)
            known = self.known(db, entity, folded)
            if known:
                return Change("already known", None, entity_id, text,
                              f"already known: {text!r} is {known} of {entity_id} {entity.name}")
            change = {"do": "add_variant", "entity_id": entity_id, "text": text, "fold": folded,
                      "lang": lang, "note": note, "source": source}
            op_id = record(db, "add-variant", f"variant {text!r} of {entity_id} {entity.name}",
                                 [change], source=source, note=note)
            apply(db, [change], op_id)
        return Change("added", op_id, entity_id, text,
                      f"added {text!r} as a variant of {entity_id} {entity.name} ({entity.kind}) [op {op_id}]")

    def remove_variant(self, entity_id: str, text: str, *, note: str | None = None) -> Change:
        """Remove a user-added variant (built-in names cannot be removed)."""
        entity_id, text, note = check_entity_id(entity_id), check_text(text), check_note(note)
        folded = fold_name(text)
        with self._writing() as db:
            variant = variant_in(db, entity_id, folded)
            if variant is None:
                if self.base.entity(entity_id) is None and not has_user_entity(db, entity_id):
                    raise UnknownEntityError(entity_id)
                if self.base.query("SELECT 1 FROM names WHERE entity_id = ? AND fold = ? LIMIT 1",
                                   (entity_id, folded)):
                    raise UserLayerError(f"{text!r} is a built-in name of {entity_id}; only user-added variants "
                                         "can be removed (remove-entity hides a built-in entity)")
                entity = user_entity_in(db, entity_id)
                if entity and any(fold_name(n.text) == folded for n in entity_names(entity)):
                    raise UserLayerError(f"{text!r} is a name of the user entity {entity_id}, not a variant; "
                                         "remove-entity removes the entity")
                raise UnknownVariantError(f"{entity_id} has no user-added variant {text!r}")
            change = {"do": "del_variant", **variant_dict(variant)}
            op_id = record(db, "remove-variant", f"variant {variant.text!r} of {entity_id} removed",
                           [change], source="user", note=note)
            apply(db, [change], op_id)
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
            entity = self.new_entity(db, row, source, pending={})
            change = {"do": "add_entity", "entity": entity_dict(entity, note)}
            op_id = record(db, "add-entity", f"entity {entity.id} {entity.name} ({entity.kind})",
                                 [change], source=source, note=check_note(note))
            apply(db, [change], op_id)
        return entity

    def new_entity(self, db: sqlite3.Connection, row: ImportRow, source: str,
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
            name = official_latin(name_uk or "")
        country = (row.country or "").strip().upper() or (None if kind == "foreign" else "UA")
        if country is not None and not COUNTRY_CODE.match(country):
            raise UserLayerError(f"country must be an ISO 3166-1 alpha-2 code such as UA or PL, not {row.country!r}")
        oblast_id = None
        parent_id = (row.parent_id or "").strip() or None
        if parent_id is not None:
            parent = pending.get(parent_id) or self.target(db, parent_id)
            oblast_id = parent.oblast_id
        def taken(candidate: str) -> bool:
            return self.base.entity(candidate) is not None or candidate in pending or has_user_entity(db, candidate)

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
                hidden = hidden_op(db, entity_id)
                if hidden is not None:
                    return Change("already hidden", None, entity_id, None,
                                  f"{entity_id} {base.name} is already hidden (op {hidden})")
                change = {"do": "hide", "entity_id": entity_id}
                op_id = record(db, "hide-entity", f"built-in entity {entity_id} {base.name} hidden",
                           [change], source="user", note=note)
                apply(db, [change], op_id)
                return Change("hidden", op_id, entity_id, None,
                              f"{entity_id} {base.name} is built in, so it is hidden, not deleted [op {op_id}]: "
                              f"matching and search no longer return it; `uanorm gazetteer undo {op_id}` "
                              "shows it again")
            row = user_entity_row(db, entity_id)
            if row is None:
                raise UnknownEntityError(entity_id)
            removed = entity_from_row(row)
            changes = entity_removal(db, removed, entity_note(row))
            op_id = record(db, "remove-entity", f"user entity {entity_id} {removed.name} removed",
                           changes, source="user", note=note)
            apply(db, changes, op_id)
        count = len(changes) - 1
        return Change("removed", op_id, entity_id, None,
                      f"removed the user entity {entity_id} {removed.name} and its {count} variant(s) [op {op_id}]")

    def undo(self, op_id: int, *, note: str | None = None) -> Change:
        """Revert op N by applying the inverse of its changes, as a new op."""
        if not isinstance(op_id, int) or isinstance(op_id, bool):
            raise TypeError(f"op number must be an int, not {type(op_id).__name__}")
        if not -SQLITE_MAX_INT <= op_id <= SQLITE_MAX_INT:
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
            new_op = record(db, "undo", f"undo of op {op_id} ({summary})", [], source="user", note=note)
            applied: list[dict[str, Any]] = []
            for change in reversed(json.loads(payload)["changes"]):
                for step in undo_steps(db, self.base, inverse(change)):
                    apply(db, [step], new_op)
                    applied.append(step)
            db.execute("UPDATE ops SET payload = ? WHERE op_id = ?",
                       (json.dumps({"changes": applied}, ensure_ascii=False), new_op))
            db.execute("UPDATE ops SET undone_by = ? WHERE op_id = ?", (new_op, op_id))
        return Change("undone", new_op, "", None,
                      f"undid op {op_id} ({action}: {summary}) with op {new_op}: {len(applied)} change(s)")

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
        resolved: Resolved = {}
        if conflict_check is not None and not force:
            for row in rows:  # the matcher runs outside the write transaction
                if row.action == "variant" and row.text not in resolved:
                    try:
                        text = check_text(row.text)
                    except InvalidTextError:
                        continue
                    resolved[row.text] = resolved[text] = conflict_check(text)
        with self._writing() as db:
            changes = Sorting(self, db, report, resolved, force, source).sort(rows)
            if report.invalid and not skip_invalid:
                reasons = "; ".join(f"line {o.line}: {o.detail}" for o in report.invalid[:3])
                more = f" and {len(report.invalid) - 3} more" if len(report.invalid) > 3 else ""
                raise ImportRejectedError(
                    f"import of {path or 'rows'} refused: {len(report.invalid)} invalid row(s) ({reasons}{more}); "
                    "nothing was applied; fix them or use --skip-invalid", report=report)
            if changes and not dry_run:
                summary = f"import of {Path(path).name if path else 'rows'}: {change_counts(changes)}"
                report.op_id = record(db, "import", summary, changes, source=source, note=note)
                apply(db, changes, report.op_id)
                report.applied = True
        return report

    def export_rows(self) -> list[dict[str, str]]:
        """The layer's current state as export rows: entities, then hidings, then variants."""
        added_at = dict(self._query("SELECT op_id, at FROM ops"))
        rows: list[dict[str, str]] = []
        for row in self._query(entity_select("ORDER BY op_id, id")):
            entity = entity_from_row(row)
            rows.append(export_row(text=entity.name_uk, id=entity.id, lang="uk" if entity.name_uk else "",
                                    note=entity_note(row), source=entity.source,
                                    added_at=added_at.get(row[-1]), action="entity", kind=entity.kind,
                                    name=entity.name, name_ru=entity.name_ru, parent_id=entity.parent_id,
                                    country=entity.country, role=entity.role))
        for entity_id, op_id in sorted(self.hidden().items()):
            rows.append(export_row(id=entity_id, source="user", added_at=added_at.get(op_id), action="hide"))
        for variant in sorted(self.variants(), key=lambda v: (v.entity_id, v.fold)):
            rows.append(export_row(text=variant.text, id=variant.entity_id, lang=variant.lang, note=variant.note,
                                    source=variant.source, added_at=added_at.get(variant.op_id)))
        for decision in self.decisions():
            rows.append(export_row(text=decision.value, id=decision.entity_id, note=decision.note,
                                   source=decision.source, added_at=added_at.get(decision.op_id), action="decision",
                                   oblast_id=decision.oblast_id, raion_id=decision.raion_id))
        return rows



def _scope_words(scope: tuple[str, str]) -> str:
    where = [part for part in scope if part]
    return f"in {' / '.join(where)}" if where else "anywhere"
