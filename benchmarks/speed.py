"""Speed benchmark of the matcher, side by side with a rapidfuzz scan, in one process.

    python benchmarks/speed.py [--home DIR] [--baseline-queries 200]

Reports:
  - unseen spellings: latency p50/p99 of Resolver.resolve (the Normalizer's answer cache bypassed)
    on the dev set's inputs plus generated typos;
  - the rapidfuzz baseline: process.extractOne(q, names, scorer=WRatio) over every name of the
    gazetteer, on a sample of the same queries, with top-1 accuracy of both on that sample;
  - a name already seen (the Normalizer's cache): answers per second;
  - cold start of `uanorm match Lysychansk` (a new process, index built): median wall time;
  - resident memory (max RSS) of this process after the runs above.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from normalizer import Normalizer


def dev_queries() -> list[tuple[str, str]]:
    """(input, expected ID) from the dev set's places."""
    with open(HERE / "data" / "dev_places.tsv", encoding="utf-8", newline="") as handle:
        return [(r["input"], r["expected_id"]) for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                if not r["oblast"]]


def typo(text: str, rng: random.Random) -> str:
    """One random edit (substitution, deletion, transposition) inside the name."""
    if len(text) < 5:
        return text
    i = rng.randrange(1, len(text) - 2)
    kind = rng.choice(("sub", "del", "swap"))
    if kind == "sub":
        return text[:i] + rng.choice("aeiouyklmnrst") + text[i + 1:]
    if kind == "del":
        return text[:i] + text[i + 1:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def clear_memos(resolver) -> None:
    """Empty the matcher's per-process memos (folds, skeletons, lemmas, forms), not the SQLite file cache."""
    resolver.forget()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home")
    parser.add_argument("--baseline-queries", type=int, default=200)
    args = parser.parse_args(argv)
    rng = random.Random(5)

    started = time.perf_counter()
    normalizer = Normalizer(args.home)
    print(f"Normalizer ready in {time.perf_counter() - started:.2f}s (index built beforehand)")
    resolver = normalizer.resolver

    cases = dev_queries()
    cases += [(typo(text, rng), expected) for text, expected in cases
              if not any("\u0400" <= c <= "\u04ff" for c in text)]
    rng.shuffle(cases)
    for text, _ in cases[:50]:  # warm the SQLite page cache and lazy loaders
        resolver.resolve(text)
    timings = []
    for text, _ in cases:
        t0 = time.perf_counter()
        resolver.resolve(text)
        timings.append((time.perf_counter() - t0) * 1000)
    p50, p99 = percentile(timings, 0.5), percentile(timings, 0.99)
    print(f"unseen spellings: {len(timings)} queries, p50 {p50:.3f} ms, p90 {percentile(timings, 0.9):.3f} ms, "
          f"p99 {p99:.3f} ms, mean {statistics.mean(timings):.3f} ms")

    from rapidfuzz import fuzz, process

    names = sorted({name.text for _, name in normalizer.gazetteer.base.all_names()})
    owner: dict[str, str] = {}
    for entity_id, name in normalizer.gazetteer.base.all_names():
        owner.setdefault(name.text, entity_id)
    sample = cases[: args.baseline_queries]
    baseline_times, ours_times = [], []
    baseline_right = ours_right = 0
    for text, expected in sample:
        t0 = time.perf_counter()
        best = process.extractOne(text, names, scorer=fuzz.WRatio)
        baseline_times.append((time.perf_counter() - t0) * 1000)
        baseline_right += best is not None and owner.get(best[0]) == expected
    # measured in a loop of its own: interleaved with 50 ms scans, every lookup would start cache-cold;
    # every memo of the matcher is emptied first, so these are unseen spellings again
    clear_memos(resolver)
    for text, expected in sample:
        t0 = time.perf_counter()
        result = resolver.resolve(text)
        ours_times.append((time.perf_counter() - t0) * 1000)
        ours_right += result.best is not None and result.best.id == expected
    b50, o50 = statistics.median(baseline_times), statistics.median(ours_times)
    print(f"rapidfuzz extractOne(WRatio) over {len(names):,} gazetteer names: p50 {b50:.2f} ms, "
          f"top-1 {baseline_right / len(sample):.1%} on {len(sample)} queries")
    print(f"uanorm on the same queries: p50 {o50:.3f} ms, top-1 {ours_right / len(sample):.1%}; "
          f"speed ratio {b50 / o50:.0f}x")

    seen = [text for text, _ in cases[:1000]]
    for text in seen:
        normalizer.resolve(text)
    t0 = time.perf_counter()
    count = 0
    while time.perf_counter() - t0 < 1.0:
        for text in seen:
            normalizer.resolve(text)
        count += len(seen)
    print(f"names already seen (cache): {count / (time.perf_counter() - t0):,.0f} per second")

    env = dict(os.environ)
    if args.home:
        env["UANORM_HOME"] = args.home
    walls = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "normalizer", "match", "Lysychansk"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t0)
    print(f"cold start `python -m normalizer match Lysychansk`: median {statistics.median(walls):.3f}s "
          f"(min {min(walls):.3f}s)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of this process (matcher + {len(names):,} names for the baseline): {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("UANORM_QUIET", "1")
    raise SystemExit(main())
