"""History benchmark: does an old name, an old raion or a KOATUU code find today's unit?

    python benchmarks/history_quality.py --home /tmp/h1home              # after: this checkout's build
    PYTHONPATH=/path/to/older/checkout python benchmarks/history_quality.py --home /tmp/old-home
                                                                        # before: an older matcher and store

The cases are derived from the committed register tables (gazetteer/data/renamings.tsv,
koatuu_codes.tsv, former_raions.tsv), never from the store under test, so the same cases run
against any build:

  former uk/ru/latin   a former name (Ukrainian; Russian where a register gives it; its KMU 2010
                       romanization) with the unit's oblast as hint -> the renamed unit. Names a
                       register shows for several units of one oblast are a set of their own ("shared").
  old raion            "<settlement>, <its pre-2020 raion>" with the oblast hint -> the settlement,
                       for settlements whose name has a namesake in the oblast (the raion must decide).
  koatuu code          a 10-digit KOATUU code of 2015-2019 as the whole input -> its unit.

Split (documented, fixed): every renaming that first shows in the 2026 edition is held out, and so is
a hash-based 30% of the units (crc32 of the ID mod 10 < 3) in every set; the rest is dev. The held-out
part was never looked at while the tables or the matcher were tuned.

Figures per set: n, top-1 accuracy (best candidate, whatever the status), matched-rate and
wrong-while-matched (status matched but wrong), as in benchmarks/quality.py.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "gazetteer" / "data"
if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(HERE.parent))

from quality import Tally

from normalizer import Normalizer


def read(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def held_out(unit_id: str, year: str = "") -> bool:
    """The fixed held-out split: 2026 renamings, and 30% of units by a hash of the ID."""
    return year == "2026" or zlib.crc32(unit_id.encode()) % 10 < 3


def codifier() -> dict[str, tuple[str, str, str]]:
    """KATOTTG ID -> (oblast ID, category, name) of the installed codifier."""
    from gazetteer.sources.katottg import read_codifier

    return {row.id: (row.levels[0] or "", row.category, row.name) for row in read_codifier()}


def cases(limit_raion: int) -> list[tuple[str, str, str | None, str, bool]]:
    """(set, input, oblast hint, expected ID, held out) for every derived case."""
    from gazetteer.latin import official_latin

    units = codifier()
    out = []
    for row in read("renamings.tsv"):
        if row["type"] != "former" or row["id"] not in units:
            continue
        oblast = units[row["id"]][0]
        tag = "shared" if row["note"] else row["year_to"] or "year?"
        hold = held_out(row["id"], row["year_to"])
        out.append((f"former uk {tag}", row["former_uk"], oblast, row["id"], hold))
        out.append((f"former latin {tag}", official_latin(row["former_uk"]), oblast, row["id"], hold))
        if row["former_ru"]:
            out.append((f"former ru {tag}", row["former_ru"], oblast, row["id"], hold))
    raions = {row["id"]: row["name_uk"] for row in read("former_raions.tsv") if row["kind"] == "raion"}
    names = Counter((u[0], u[2]) for u in units.values() if u[1] in "MXCT")
    raion_cases = []
    code_cases = []
    seen_codes = set()
    for row in read("koatuu_codes.tsv"):
        unit = units.get(row["id"])
        if unit is None or unit[1] not in "MXCT":
            continue
        years = row["editions"].split("|")
        code = row["koatuu"]
        if "2019" in years and code[2] == "2":
            raion = raions.get(f"koatuu:{code[:5]}00000")
            if raion and names[(unit[0], unit[2])] > 1:
                raion_cases.append(("old raion", f"{unit[2]}, {raion}", unit[0], row["id"], held_out(row["id"])))
        if set(years) & {"2015", "2016", "2019"} and code not in seen_codes:
            seen_codes.add(code)
            code_cases.append(("koatuu code", code, None, row["id"], held_out(row["id"])))
    # a fixed, spread sample keeps the run short: every k-th case in table order
    for group, limit in ((raion_cases, limit_raion), (code_cases, limit_raion)):
        step = max(1, len(group) // limit) if limit else 1
        out.extend(group[::step])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", help="UANORM_HOME to measure (default: $UANORM_HOME or the user dir)")
    parser.add_argument("--sample", type=int, default=2000, help="cases per old-raion/code set (0: all)")
    parser.add_argument("--errors", type=int, default=0, help="show this many errors per set")
    parser.add_argument("--json", help="write the figures to this JSON file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    all_cases = cases(args.sample)
    n = Normalizer(args.home) if args.home else Normalizer()
    tallies = defaultdict(Tally)
    try:
        for name, text, oblast, expected, hold in all_cases:
            result = n.resolve(text, oblast=oblast)
            best = result.best.id if result.best else None
            tallies["held-out" if hold else "dev"].add(
                name, best == expected, result.status == "matched",
                f"{text!r} [{oblast}] -> {result.status} {best} (want {expected})")
        figures = {split: tallies[split].report(f"history ({split})", args.errors) for split in ("dev", "held-out")}
        meta = n.gazetteer.meta() if hasattr(n, "gazetteer") else {}
    finally:
        n.close()
    stats = meta.get("stats", {}) if isinstance(meta, dict) else {}
    figures["store"] = {key: stats.get(key) for key in ("history", "coordinates") if key in stats}
    figures["seconds"] = round(time.perf_counter() - started, 1)
    print(f"\n{len(all_cases)} cases in {figures['seconds']} s")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
