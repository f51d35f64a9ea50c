"""Speed of the user layer: one add-variant + match, importing 10,000 variants, concurrent writers.

    python benchmarks/userlayer_speed.py                    # on a private copy of $UANORM_HOME
    python benchmarks/userlayer_speed.py --home DIR --variants 10000 --writers 8 --adds 500

Works on a copy of the home's base store and index (the home's own user layer is never
touched). Reports:
  add+match   Normalizer.add_variant(...) then resolve() of the new spelling, median of 20
  import      Normalizer.import_variants() of a TSV of N invented village variants, with the
              conflict check (every text matched first) and without it (Gazetteer level)
  writers     W processes adding A variants each at once; then every variant is counted and
              SQLite's integrity check run on the layer
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from normalizer import Normalizer

LYSYCHANSK = "UA44120050010021900"
SYLLABLES = ["ka", "lo", "mi", "vu", "zo", "re", "ta", "pi", "nu", "sha", "dro", "kle", "vys", "bor", "hul"]
WRITER = """
import sys
from normalizer import Normalizer
n = Normalizer(sys.argv[1])
for i in range(int(sys.argv[3])):
    n.add_variant(sys.argv[4], f"Qwritervariant {sys.argv[2]} {i}")
"""


def private_home(source: Path, target: Path) -> Path:
    """A copy of `source`'s base store and index without its user layer."""
    target.mkdir(parents=True)
    for item in source.glob("*.sqlite"):
        if item.name != "user.sqlite":
            shutil.copy2(item, target / item.name)
    return target


def invented_names(count: int, seed: int = 7) -> list[str]:
    """`count` distinct made-up village names (no real place is spelled like them)."""
    rnd = random.Random(seed)
    names: set[str] = set()
    while len(names) < count:
        names.add("".join(rnd.choice(SYLLABLES) for _ in range(5)).capitalize() + "ivka")
    return sorted(names)


def add_and_match(home: Path, runs: int = 20) -> list[float]:
    """Seconds of add_variant + resolve of the new spelling, `runs` times."""
    normalizer = Normalizer(home)
    normalizer.resolve("Kyiv")
    times = []
    for name in invented_names(runs, seed=1):
        text = name + "skoye"
        started = time.perf_counter()
        normalizer.add_variant(LYSYCHANSK, text)
        answer = normalizer.resolve(text)
        times.append(time.perf_counter() - started)
        assert answer.id == LYSYCHANSK, answer
    normalizer.close()
    return times


def import_many(home: Path, count: int, check: bool) -> float:
    """Seconds to import `count` variants of villages from a TSV (with or without the conflict check)."""
    normalizer = Normalizer(home)
    rnd = random.Random(3)
    villages = [e.id for e in normalizer.gazetteer.entities() if e.kind == "village"]
    path = home / f"variants-{check}.tsv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(["text", "id"])
        for name in invented_names(count, seed=11 if check else 12):
            writer.writerow([name, rnd.choice(villages)])
    started = time.perf_counter()
    importer = normalizer.import_variants if check else normalizer.gazetteer.import_variants
    report = importer(path)
    elapsed = time.perf_counter() - started
    print(f"  {report.summary()}")
    normalizer.close()
    return elapsed


def concurrent_writers(home: Path, writers: int, adds: int) -> tuple[float, int, str]:
    """(seconds, variants found, integrity) after `writers` processes add `adds` variants each."""
    env = {**os.environ, "PYTHONPATH": str(HERE.parent), "UANORM_QUIET": "1"}
    Normalizer(home).close()  # the layer exists before the race (its creation is tested apart)
    started = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, "-c", WRITER, str(home), str(w), str(adds), LYSYCHANSK],
                                  env=env) for w in range(writers)]
    codes = [p.wait() for p in processes]
    elapsed = time.perf_counter() - started
    assert codes == [0] * writers, codes
    layer = sqlite3.connect(home / "user.sqlite")
    found = layer.execute("SELECT count(*) FROM variants WHERE text LIKE 'Qwritervariant %'").fetchone()[0]
    integrity = layer.execute("PRAGMA integrity_check").fetchone()[0]
    layer.close()
    return elapsed, found, integrity


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", help="home to copy the store and index from (default: $UANORM_HOME)")
    parser.add_argument("--variants", type=int, default=10_000)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--adds", type=int, default=500)
    args = parser.parse_args(argv)
    source = Path(args.home) if args.home else Normalizer().home
    Normalizer(source).close()  # built if missing
    work = Path(tempfile.mkdtemp(prefix="uanorm-userlayer-bench-"))
    try:
        times = add_and_match(private_home(source, work / "a"))
        print(f"add+match   median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
              f"({len(times)} runs)")
        for check in (True, False):
            seconds = import_many(private_home(source, work / f"i{check}"), args.variants, check)
            print(f"import      {args.variants:,} variants {'with' if check else 'without'} the conflict check: "
                  f"{seconds:.2f} s")
        seconds, found, integrity = concurrent_writers(private_home(source, work / "w"), args.writers, args.adds)
        print(f"writers     {args.writers} x {args.adds} adds in {seconds:.2f} s: {found:,} of "
              f"{args.writers * args.adds:,} present, integrity {integrity}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("UANORM_QUIET", "1")
    raise SystemExit(main())
