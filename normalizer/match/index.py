"""The matcher's derived index: its layout, its rows and its reads.

Built from the gazetteer store (never the other way round, see `indexing`) into one
SQLite file in the home directory, named by a fingerprint of the gazetteer build and the
matcher, so it is rebuilt only when either changes. Retrieval is always indexed:

- ``spelling.fold``: exact folded spellings (Cyrillic and Latin);
- ``spelling.sid`` -> ``skeleton.s``: transliteration-blind skeleton keys;
- ``deletion.h``: the one-deletion neighbourhood of every skeleton (symmetric
  deletion), which finds skeletons within edit distance 2 without a scan;
- ``surname``: persons by surname skeleton, with their given-name group;
- ``code``: the codes of other schemes an entity carries (KOATUU), for inputs that are codes.

The file holds only data (no pickles), so it is safe to read even if tampered with.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from gazetteer.codes import pcode_names
from gazetteer.model import NAME_TYPES
from gazetteer.sqlite import connect_read_only, placeholders

#: Bump when the index layout or the way keys are made changes.
INDEX_FORMAT = 4

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entity(
    eid INTEGER PRIMARY KEY,
    {entity_columns}
);
CREATE TABLE form(
    fid INTEGER PRIMARY KEY,
    eid INTEGER NOT NULL,
    text TEXT NOT NULL,
    lang TEXT NOT NULL,
    type TEXT NOT NULL,
    kind_word TEXT,
    source TEXT NOT NULL,
    year_to INTEGER,
    origin TEXT
);
CREATE TABLE skeleton(sid INTEGER PRIMARY KEY, s TEXT NOT NULL UNIQUE);
CREATE TABLE spelling(fold TEXT NOT NULL, sid INTEGER NOT NULL, fid INTEGER NOT NULL, system TEXT NOT NULL);
CREATE TABLE deletion(h INTEGER NOT NULL, sid INTEGER NOT NULL);
CREATE TABLE surname(sid INTEGER NOT NULL, eid INTEGER NOT NULL, fid INTEGER NOT NULL, given INTEGER, given_skel TEXT);
CREATE TABLE code(scheme TEXT NOT NULL, code TEXT NOT NULL, eid INTEGER NOT NULL);
"""
INDEXES = """
CREATE INDEX spelling_fold ON spelling(fold);
CREATE INDEX spelling_sid ON spelling(sid);
CREATE INDEX deletion_h ON deletion(h);
CREATE INDEX surname_sid ON surname(sid);
CREATE INDEX entity_id ON entity(id);
CREATE INDEX form_eid ON form(eid);
CREATE INDEX code_code ON code(code, scheme);
"""


def deletion_hash(text: str) -> int:
    """A stable 63-bit hash of a string (Python's hash() changes between processes)."""
    return (len(text) << 32) | zlib.crc32(text.encode("utf-8"))


def deletions(key: str) -> list[str]:
    """The key and every string made by deleting one of its characters."""
    return [key] + [key[:i] + key[i + 1 :] for i in range(len(key))]


class FormRow(NamedTuple):
    """One indexed form of a name: the text, its language and type, and where it came from."""

    fid: int
    eid: int
    text: str
    lang: str
    type: str  # a gazetteer name type, or derived_ru / user
    kind_word: str | None  # the type word the form needs ("oblast" for Luhansk as the oblast)
    source: str
    year_to: int | None  # a former name: the year it was dropped
    origin: str | None  # a derived form: what it was derived from


class EntityRow(NamedTuple):
    """One entity as the index holds it: its index number and the gazetteer's fields."""

    eid: int
    id: str
    kind: str
    name: str
    name_uk: str | None
    name_ru: str | None
    oblast_id: str | None
    parent_id: str | None
    country: str | None
    population: int | None
    lat: float | None
    lon: float | None
    geonames_id: int | None
    iso3166_2: str | None
    category: str | None
    center_id: str | None
    role: str | None
    source: str
    raion_id: str | None  # the raion the unit lies in today
    hromada_id: str | None  # the hromada the unit lies in today
    koatuu: str | None  # the unit's primary KOATUU code
    former_raion_id: str | None  # the pre-2020 raion of a settlement
    successor_id: str | None  # a former entity: what absorbed or replaced it
    year_to: int | None  # a former entity: the year it ceased


#: Every type a form can have: the gazetteer's name types, and the Russian forms the index derives.
FORM_TYPES = (*NAME_TYPES, "derived_ru")
#: The entity table's columns, in EntityRow order.
ENTITY_COLUMNS = ", ".join(EntityRow._fields)
#: The form table's columns, in FormRow order.
FORM_COLUMNS = ", ".join(FormRow._fields)


class IndexReader:
    """Read access to a built index; every lookup is a keyed SQLite query."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = connect_read_only(path, cached_statements=512)
        self.db.execute("PRAGMA query_only = ON")
        self._entity_cache: dict[int, EntityRow] = {}

    def close(self) -> None:
        """Close the file."""
        self.db.close()

    def meta(self, key: str, default: Any = None) -> Any:
        """One metadata value."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def exact(self, folded: str) -> list[tuple[int, int, str, str]]:
        """(fid, eid, system, fold) of spellings whose fold equals `folded`."""
        return self.db.execute(
            "SELECT sp.fid, f.eid, sp.system, sp.fold FROM spelling sp JOIN form f ON f.fid = sp.fid"
            " WHERE sp.fold = ?",
            (folded,),
        ).fetchall()

    def exact_and_skeleton(self, folded: str, key: str) -> list[tuple[int, str, str, int, int]]:
        """(0|1, system, fold, fid, eid) of spellings equal to `folded` (0) or with skeleton `key` (1), in one
        query; the forms' own columns are not fetched here (the resolver caches them by fid)."""
        return self.db.execute(
            "SELECT 0, sp.system, sp.fold, sp.fid, f.eid FROM spelling sp JOIN form f ON f.fid = sp.fid"
            " WHERE sp.fold = ?"
            " UNION ALL "
            "SELECT 1, sp.system, sp.fold, sp.fid, f.eid FROM skeleton sk JOIN spelling sp ON sp.sid = sk.sid"
            " JOIN form f ON f.fid = sp.fid WHERE sk.s = ?",
            (folded, key),
        ).fetchall()

    def by_skeleton(self, key: str) -> list[tuple[int, int, str, str]]:
        """(fid, eid, system, fold) of spellings whose skeleton equals `key`."""
        return self.db.execute(
            "SELECT sp.fid, f.eid, sp.system, sp.fold FROM skeleton sk JOIN spelling sp ON sp.sid = sk.sid"
            " JOIN form f ON f.fid = sp.fid WHERE sk.s = ?",
            (key,),
        ).fetchall()

    def by_skeletons(self, keys: list[str]) -> list[tuple[int, int, str, str, str]]:
        """(fid, eid, system, fold, skeleton) of spellings whose skeleton is one of `keys` (one query)."""
        if not keys:
            return []
        marks, keys = placeholders(list(keys))
        return self.db.execute(
            "SELECT sp.fid, f.eid, sp.system, sp.fold, sk.s FROM skeleton sk JOIN spelling sp ON sp.sid = sk.sid"
            f" JOIN form f ON f.fid = sp.fid WHERE sk.s IN ({marks})",
            keys,
        ).fetchall()

    def exact_many(self, folds: list[str]) -> list[tuple[int, int, str, str]]:
        """(fid, eid, system, fold) of spellings whose fold is one of `folds` (one query)."""
        if not folds:
            return []
        marks, folds = placeholders(list(folds))
        return self.db.execute(
            "SELECT sp.fid, f.eid, sp.system, sp.fold FROM spelling sp JOIN form f ON f.fid = sp.fid"
            f" WHERE sp.fold IN ({marks})",
            folds,
        ).fetchall()

    def skeleton_ids_many(self, keys: list[str]) -> list[tuple[int, str]]:
        """(sid, skeleton) of those `keys` that are indexed (one query)."""
        if not keys:
            return []
        marks, keys = placeholders(list(keys))
        return self.db.execute(f"SELECT sid, s FROM skeleton WHERE s IN ({marks})", keys).fetchall()

    def centres(self) -> dict[str, int]:
        """Entity ID -> 2 for the centre of a raion, 1 for the centre of a hromada."""
        weights: dict[str, int] = {}
        for kind, center in self.db.execute(
            "SELECT kind, center_id FROM entity WHERE kind IN ('raion', 'hromada') AND center_id IS NOT NULL"
        ):
            weights[center] = max(weights.get(center, 0), 2 if kind == "raion" else 1)
        return weights

    def surname_keys(self) -> frozenset[str]:
        """Every skeleton under which a person's surname is indexed (a few thousand)."""
        return frozenset(s for (s,) in self.db.execute(
            "SELECT DISTINCT sk.s FROM surname su JOIN skeleton sk ON sk.sid = su.sid"))

    def skeleton_ids(self, key: str) -> list[int]:
        """The sid of a skeleton key, if indexed."""
        return [row[0] for row in self.db.execute("SELECT sid FROM skeleton WHERE s = ?", (key,))]

    def near_skeletons(self, key: str) -> list[tuple[int, str]]:
        """(sid, skeleton) of indexed skeletons sharing a one-deletion variant with `key`."""
        marks, hashes = placeholders(sorted(deletion_hash(d) for d in set(deletions(key))))
        return self.db.execute(
            f"SELECT DISTINCT sk.sid, sk.s FROM deletion d JOIN skeleton sk ON sk.sid = d.sid WHERE d.h IN ({marks})",
            hashes,
        ).fetchall()

    def spellings_of_skeletons(self, sids: list[int]) -> list[tuple[int, int, int, str, str]]:
        """(fid, eid, sid, system, fold) of every spelling with one of these skeletons."""
        if not sids:
            return []
        marks, sids = placeholders(list(sids))
        return self.db.execute(
            f"SELECT sp.fid, f.eid, sp.sid, sp.system, sp.fold FROM spelling sp JOIN form f ON f.fid = sp.fid"
            f" WHERE sp.sid IN ({marks})",
            sids,
        ).fetchall()

    def forms(self, fids: Iterable[int]) -> dict[int, FormRow]:
        """fid -> (fid, eid, text, lang, type, kind_word, source, year_to, origin)."""
        ids = list(set(fids))
        result: dict[int, FormRow] = {}
        for start in range(0, len(ids), 512):
            marks, chunk = placeholders(ids[start : start + 512])
            for row in self.db.execute(f"SELECT {FORM_COLUMNS} FROM form WHERE fid IN ({marks})", chunk):
                result[row[0]] = FormRow._make(row)
        return result

    def entities(self, eids: Iterable[int]) -> dict[int, EntityRow]:
        """eid -> entity row (eid, *ENTITY_FIELDS), cached."""
        result: dict[int, EntityRow] = {}
        missing = []
        for eid in set(eids):
            row = self._entity_cache.get(eid)
            if row is None:
                missing.append(eid)
            else:
                result[eid] = row
        for start in range(0, len(missing), 512):
            marks, chunk = placeholders(missing[start : start + 512])
            for values in self.db.execute(f"SELECT {ENTITY_COLUMNS} FROM entity WHERE eid IN ({marks})", chunk):
                row = EntityRow._make(values)
                self._entity_cache[row.eid] = row
                result[row.eid] = row
        return result

    def pcode(self, code: str) -> str | None:
        """The unit an OCHA P-code names: the KATOTTG code it starts, with zeros down to settlement level."""
        for (entity_id,) in self.db.execute(
            "SELECT id FROM entity WHERE id >= ? AND id < ? ORDER BY id", (code, code + "\uffff")
        ):
            if pcode_names(code, entity_id):
                return entity_id
        return None

    def by_code(self, scheme: str, code: str) -> list[int]:
        """The entities (eids) carrying `code` in `scheme`, in build order."""
        return [row[0] for row in self.db.execute(
            "SELECT eid FROM code WHERE code = ? AND scheme = ? ORDER BY rowid", (code, scheme))]

    def eid_of(self, entity_id: str) -> int | None:
        """The index's number for an entity ID."""
        row = self.db.execute("SELECT eid FROM entity WHERE id = ?", (entity_id,)).fetchone()
        return row[0] if row else None

    def surnames(self, sids: list[int]) -> list[tuple[int, int, int, int | None, str | None]]:
        """(sid, eid, fid, given group, given skeleton) of persons whose surname has one of these skeletons."""
        if not sids:
            return []
        marks, sids = placeholders(list(sids))
        return self.db.execute(f"SELECT * FROM surname WHERE sid IN ({marks})", sids).fetchall()

    def top_level_units(self) -> list[EntityRow]:
        """Entity rows of the oblasts, Crimea, Kyiv and Sevastopol."""
        return [EntityRow._make(row) for row in
                self.db.execute(f"SELECT {ENTITY_COLUMNS} FROM entity WHERE category IN ('O', 'K')")]

    def iter_entities(self) -> Iterator[EntityRow]:
        """Every entity row."""
        for row in self.db.execute(f"SELECT {ENTITY_COLUMNS} FROM entity ORDER BY eid"):
            yield EntityRow._make(row)
