"""Quality benchmark: accuracy of the matcher on the dev set, by category.

    python benchmarks/quality.py                 # dev set against the default home
    python benchmarks/quality.py --geonames      # + GeoNames alternates vs a KATOTTG-only build
    python benchmarks/quality.py --errors 20     # show up to 20 errors per category

Sets (benchmarks/data/):
  dev_places.tsv   input, expected_id, oblast, category     (places: top-1 must be the ID)
  dev_persons.tsv  input, expected_name_uk, category         (persons: top-1 must be that person)
  dev_foreign.tsv  input, country                            (must NOT resolve to a Ukrainian entity)
  dev_spellings.tsv, dev_spellings_persons.tsv  the same kinds: spellings of other languages (Dutch,
                   Swedish, Polish, Czech and Slovak cases, feminine surnames), compound exonyms, Russian
                   names of towns (run with --spellings)
  holdout_*.tsv    the same kinds, compiled independently by someone who never saw the matcher
  GeoNames alternates: every alternate spelling GeoNames gives for a Ukrainian place that the
  default build links to a KATOTTG unit, resolved against a KATOTTG-only build.

Figures: top-1 accuracy (best candidate, whatever the status), matched-accuracy (status
matched and right), and wrong-while-matched (status matched but wrong: must stay < 1%).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from normalizer import Normalizer


def read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a dev-set file."""
    with open(HERE / "data" / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


class Tally:
    """Counts per category: total, top-1 right, matched, matched-and-wrong."""

    def __init__(self) -> None:
        self.rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        self.errors: dict[str, list[str]] = defaultdict(list)

    def add(self, category: str, right_top1: bool, matched: bool, detail: str) -> None:
        row = self.rows[category]
        row[0] += 1
        row[1] += right_top1
        row[2] += matched
        row[3] += matched and not right_top1
        if not right_top1 or (matched and not right_top1):
            self.errors[category].append(detail)

    def total(self) -> list[int]:
        return [sum(r[i] for r in self.rows.values()) for i in range(4)]

    def report(self, title: str, show_errors: int) -> dict[str, object]:
        print(f"\n== {title}")
        print(f"{'category':14s} {'n':>5s} {'top-1':>7s} {'matched':>8s} {'wrong&matched':>14s}")
        summary = {}
        for category in sorted(self.rows):
            n, right, matched, wrong = self.rows[category]
            print(f"{category:14s} {n:5d} {right / n:7.1%} {matched / n:8.1%} {wrong / max(matched, 1):14.2%}")
            summary[category] = {"n": n, "top1": right / n, "matched": matched / n,
                                 "wrong_when_matched": wrong / max(matched, 1)}
        n, right, matched, wrong = self.total()
        if n:
            print(f"{'ALL':14s} {n:5d} {right / n:7.1%} {matched / n:8.1%} {wrong / max(matched, 1):14.2%}")
            summary["ALL"] = {"n": n, "top1": right / n, "matched": matched / n,
                              "wrong_when_matched": wrong / max(matched, 1)}
        if show_errors:
            for category in sorted(self.errors):
                print(f"  -- errors in {category}:")
                for line in self.errors[category][:show_errors]:
                    print(f"     {line}")
        return summary


def run_places(n: Normalizer, show: int, name: str = "dev_places.tsv") -> dict[str, object]:
    tally = Tally()
    for row in read_tsv(name):
        result = n.resolve(row["input"], oblast=row["oblast"] or None)
        best = result.best.id if result.best else None
        right = best == row["expected_id"]
        tally.add(row["category"], right, result.status == "matched",
                  f"{row['input']!r} [{row['oblast']}] -> {result.status} {best} "
                  f"{result.best.name if result.best else ''} (want {row['expected_id']})")
    return tally.report(f"places ({name})", show)


def run_persons(n: Normalizer, show: int, name: str = "dev_persons.tsv") -> dict[str, object]:
    tally = Tally()
    by_name = {e.name_uk: e.id for e in n.gazetteer.entities("person")}
    for row in read_tsv(name):
        expected = by_name.get(row["expected_name_uk"])
        result = n.resolve(row["input"])
        best = result.best.id if result.best else None
        right = expected is not None and best == expected
        tally.add(row["category"], right, result.status == "matched",
                  f"{row['input']!r} -> {result.status} {best} (want {expected or row['expected_name_uk']})")
    return tally.report(f"persons ({name})", show)


def run_foreign(n: Normalizer, show: int, name: str = "dev_foreign.tsv") -> dict[str, object]:
    tally = Tally()
    for row in read_tsv(name):
        result = n.resolve(row["input"])
        best = result.best
        ukrainian = best is not None and result.status != "unmatched" and (best.country == "UA")
        rejected = not ukrainian
        # "matched" here means: matched to a Ukrainian entity (the failure we count)
        tally.add(row["country"], rejected, result.status == "matched" and not ukrainian,
                  f"{row['input']!r} -> {result.status} {best.id if best else None} "
                  f"{best.name if best else ''}")
    return tally.report(f"foreign look-alikes ({name}): top-1 = rejected", show)


def geonames_cases(default: Normalizer) -> list[tuple[str, str, str, bool]]:
    """(alternate spelling, expected KATOTTG ID, script, name shared) for linked Ukrainian GeoNames places.

    A place whose official name other settlements share (Зубівка: dozens of villages)
    cannot be told apart without context; such cases are reported apart.
    """
    from collections import Counter

    from gazetteer.sources import geonames

    entities = [e for e in default.gazetteer.entities() if e.source == "katottg"]
    name_count = Counter(e.name_uk for e in entities if e.kind in ("city", "settlement", "village"))
    by_geonames = {e.geonames_id: e for e in entities if e.geonames_id}
    cases = []
    for place in geonames.load_cities():
        if place.get("countrycode") != "UA" or place["geonameid"] not in by_geonames:
            continue
        entity = by_geonames[place["geonameid"]]
        shared = name_count[entity.name_uk] > 1
        latin, cyrillic = geonames.split_alternates(place)
        for text in latin:
            cases.append((text, entity.id, "Latn", shared))
        for text in cyrillic:
            cases.append((text, entity.id, "Cyrl", shared))
    return cases


def run_geonames(default: Normalizer, home: Path, show: int) -> dict[str, object]:
    cases = geonames_cases(default)
    started = time.perf_counter()
    katottg_only = Normalizer(home)
    print(f"\n(KATOTTG-only build ready in {time.perf_counter() - started:.1f}s at {home})")
    assert katottg_only.gazetteer.sources() == ("katottg",), katottg_only.gazetteer.sources()
    summaries = {}
    for with_oblast in (False, True):
        tally = Tally()
        for text, expected, script, shared in cases:
            oblast = expected[:4] + "0" * 13 if with_oblast else None
            if oblast and expected.startswith(("UA80", "UA85")):
                oblast = expected[:4] + "000000000" + expected[13:]
            official = default.gazetteer.get(expected)
            result = katottg_only.resolve(text, oblast=official.oblast_id if with_oblast else None)
            best = result.best.id if result.best else None
            trivial = text in (official.name, official.name_uk)
            category = f"{script}{'-official' if trivial else ''}{'-shared' if shared else '-unique'}"
            tally.add(category, best == expected, result.status == "matched",
                      f"{text!r} -> {result.status} {best} {result.best.name if result.best else ''} "
                      f"(want {expected} {official.name})")
        title = "with the oblast as a hint" if with_oblast else "no hint"
        summaries[title] = tally.report(f"GeoNames alternates vs a KATOTTG-only build, {title}", show)
    return summaries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", help="UANORM_HOME of the default build (default: $UANORM_HOME or the user dir)")
    parser.add_argument("--geonames", action="store_true", help="also run the GeoNames-alternates set")
    parser.add_argument("--holdout", action="store_true",
                        help="also run the held-out set (holdout_*.tsv: compiled independently, never tuned on)")
    parser.add_argument("--spellings", action="store_true",
                        help="also run the spellings sets (dev_spellings.tsv, dev_spellings_persons.tsv)")
    parser.add_argument("--katottg-home", help="home for the KATOTTG-only build (default: a temp dir)")
    parser.add_argument("--errors", type=int, default=0, help="show this many errors per category")
    parser.add_argument("--json", help="write the figures to this JSON file")
    args = parser.parse_args(argv)

    n = Normalizer(args.home)
    started = time.perf_counter()
    figures = {
        "places": run_places(n, args.errors),
        "persons": run_persons(n, args.errors),
        "foreign": run_foreign(n, args.errors),
    }
    print(f"\n(dev set resolved in {time.perf_counter() - started:.1f}s)")
    if args.spellings:
        figures["spellings_places"] = run_places(n, args.errors, "dev_spellings.tsv")
        figures["spellings_persons"] = run_persons(n, args.errors, "dev_spellings_persons.tsv")
    if args.holdout:
        figures["holdout_places"] = run_places(n, args.errors, "holdout_places.tsv")
        figures["holdout_foreign"] = run_foreign(n, args.errors, "holdout_foreign.tsv")
    if args.geonames:
        home = Path(args.katottg_home or tempfile.mkdtemp(prefix="uanorm-katottg-"))
        from gazetteer import Gazetteer

        Gazetteer.open(home, sources="katottg").close()
        figures["geonames_vs_katottg_only"] = run_geonames(n, home, args.errors)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("UANORM_QUIET", "1")
    raise SystemExit(main())
