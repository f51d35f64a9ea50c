"""Derive gazetteer/data/coordinates.tsv from OCHA's administrative units of Ukraine (run by hand).

Re-run from the raw workbook (see /work/shared/sources/README.md for its origin):

    python -m gazetteer.sources.coordinates_import \\
        --raw /work/shared/sources/coordinates/ukr_admin_boundaries_2026_02.xlsx [--out gazetteer/data]

The workbook has a sheet per level (Admin 1 oblasts, Admin 2 raions, Admin 3 hromadas, Admin 4
settlements), each row with a P-code and a point (LAT, LON): a settlement's own point, a centroid for
the others. A P-code is the KATOTTG code cut short (oblast 4 characters, raion 6, hromada 9,
settlement 12): it is matched to the one unit of the installed codifier whose code starts with it at
that level. Rows matching no unit or several are left out and counted.

OCHA, Ukraine administrative boundaries (COD-AB), CC BY-IGO 3.0: attribute it wherever the points go.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from .history_import import DATA_DIR, write_tsv
from .katottg import read_codifier

SOURCE = "ocha-cod-ab-2026-02"
HEADER = ("id", "lat", "lon", "level", "source")
#: sheet -> (P-code column, its length, KATOTTG categories at that level).
SHEETS = {
    "Admin 1": ("Admin1 Pcode", 4, frozenset("OK")),
    "Admin 2": ("Admin2 Pcode", 6, frozenset("PK")),
    "Admin 3": ("Admin3 Pcode", 9, frozenset("H")),
    "Admin 4": ("Admin4 Pcode", 12, frozenset("MXCTK")),
}


def derive(raw: Path) -> tuple[list[tuple], dict[str, int]]:
    """(table rows, report) from the OCHA workbook."""
    import polars as pl

    units = read_codifier()
    report: Counter = Counter()
    rows: dict[str, tuple] = {}
    for sheet, (column, length, categories) in SHEETS.items():
        by_prefix: dict[str, list[str]] = defaultdict(list)
        for unit in units:
            if unit.category in categories:
                by_prefix[unit.id[:length]].append(unit.id)
        frame = pl.read_excel(raw, sheet_name=sheet, infer_schema_length=0)
        level = sheet.split()[1]
        for pcode, lat, lon in frame.select(column, "LAT", "LON").iter_rows():
            matches = by_prefix.get((pcode or "").strip().upper(), [])
            if len(matches) != 1:
                report[f"admin {level}: left out: P-code matches {'no' if not matches else 'several'} unit(s)"] += 1
                continue
            try:
                point = (round(float(lat), 5), round(float(lon), 5))
            except (TypeError, ValueError):
                report[f"admin {level}: left out: no point"] += 1
                continue
            if not (44.0 <= point[0] <= 52.5 and 22.0 <= point[1] <= 40.5):
                report[f"admin {level}: left out: point outside Ukraine"] += 1
                continue
            unit_id = matches[0]
            if unit_id in rows:  # Kyiv and Sevastopol are at two levels: the settlement point wins
                report[f"admin {level}: unit already placed"] += 1
            report[f"admin {level}: placed"] += 1
            rows[unit_id] = (unit_id, f"{point[0]:.5f}", f"{point[1]:.5f}", level, SOURCE)
    return sorted(rows.values()), dict(sorted(report.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw", type=Path, required=True, help="ukr_admin_boundaries_*.xlsx")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="where to write coordinates.tsv")
    args = parser.parse_args(argv)
    rows, report = derive(args.raw)
    write_tsv(args.out / "coordinates.tsv", HEADER, rows)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
