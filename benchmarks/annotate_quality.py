"""Precision and recall of `uanorm annotate` on the golden passages (tests/golden/annotate).

    python benchmarks/annotate_quality.py              # default home ($UANORM_HOME)
    python benchmarks/annotate_quality.py --home DIR --errors

A link is right when its span and entity are those of a mark; every other link is
false; a mark left unlinked is missed unless the mark allows '-' (a place abroad may
stay unlinked). Precision = right / links, recall = right / required marks.
Figures by passage, by language, for the blind passages, and in total.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from normalizer import Normalizer
from tests import test_annotate_golden as golden


def main(argv: list[str] | None = None) -> int:
    """Annotate every golden passage and print precision and recall."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="gazetteer home (default: $UANORM_HOME or the user data dir)")
    parser.add_argument("--errors", action="store_true", help="list every false and missed link")
    args = parser.parse_args(argv)
    normalizer = Normalizer(args.home)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # right, false, missed, required
    print(f"{'passage':42} {'links':>5} {'right':>5} {'false':>5} {'missed':>6} {'P':>6} {'R':>6}")
    for path in golden.passages():
        text, expected = golden.read_golden(path)
        mentions = normalizer.annotate(text)
        problems, right, false, missed = golden.compare(mentions, expected)
        required = sum(1 for e in expected if not e.optional)
        blind = path.stem.split("-")[0] if path.stem.startswith("blind") else None
        lang = path.stem.split("-")[1] if blind else path.stem.split("-")[0]
        groups = ["total", f"lang {lang}"] + ([blind, "blind, all"] if blind else [])
        for group in groups:
            row = totals[group]
            row[0] += right
            row[1] += false
            row[2] += missed
            row[3] += required
        print(f"{path.name:42} {right + false:5} {right:5} {false:5} {missed:6} "
              f"{_ratio(right, right + false):>6} {_ratio(right - _optional_right(mentions, expected), required):>6}")
        if args.errors:
            for problem in problems:
                print(f"    {problem}")
    print()
    for group in sorted(totals, key=lambda g: (g != "total", g)):
        right, false, missed, required = totals[group]
        print(f"{group:12} links {right + false:4}  right {right:4}  false {false:3}  missed {missed:3}  "
              f"precision {_ratio(right, right + false)}  recall {_ratio(required - missed, required)}")
    return 0


def _optional_right(mentions: list, expected: list) -> int:
    """Right links on optional marks (they count for precision, not for recall)."""
    optional = {(e.start, e.end): e for e in expected if e.optional}
    return sum(1 for m in mentions if (m.start, m.end) in optional and m.id in optional[(m.start, m.end)].ids)


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "-"


if __name__ == "__main__":
    raise SystemExit(main())
