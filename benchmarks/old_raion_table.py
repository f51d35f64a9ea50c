"""Settlements given with their raion of before 2020, cleaned as a table (raion and oblast columns).

    python benchmarks/old_raion_table.py [--home DIR]

The rows are the registers' old-raion cases of `eval_real.py --history` ("Олександрівка, Вінницький район"
with the oblast), split into a name and a raion column and cleaned with `normalizer.clean`, so the raion
column's era is read from its other names, as `uanorm clean --raion-column` does. Reports, per split,
how many rows are matched and how many of those are wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def main() -> int:
    """Clean each split's old-raion rows as one table and print matched and wrong-while-matched."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", help="UANORM_HOME to use (default: the usual one)")
    parser.add_argument("--sample", type=int, default=3000, help="history rows per split (as eval_real.py)")
    args = parser.parse_args()
    if args.home:
        os.environ["UANORM_HOME"] = args.home
    import eval_real
    import polars as pl

    import normalizer

    for split, rows in eval_real.history_rows(args.sample).items():
        rows = [r for r in rows if r.get("variant") == "old-raion" and ", " in r["input"]]
        if not rows:
            continue
        frame = pl.DataFrame({"place": [r["input"].split(", ")[0] for r in rows],
                              "raion": [", ".join(r["input"].split(", ")[1:]) for r in rows],
                              "oblast": [r.get("oblast") or None for r in rows]})
        out = normalizer.clean(frame, "place", oblast_column="oblast", raion_column="raion")
        matched = right = 0
        for row, status, found in zip(rows, out["place_status"].to_list(), out["place_id"].to_list()):
            matched += status == "matched"
            right += status == "matched" and found == row["expected"]
        print(f"{split}: {len(rows):,} rows, matched {matched / len(rows):.1%}, "
              f"wrong while matched {(matched - right) / max(matched, 1):.2%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
