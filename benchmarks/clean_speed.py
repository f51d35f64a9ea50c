"""Speed and memory of `uanorm clean` on a large table, beside its floor.

    python benchmarks/clean_speed.py                        # 1,000,000 rows, 10,000 distinct spellings
    python benchmarks/clean_speed.py --rows 200000 --repeat 1
    python benchmarks/clean_speed.py --stream-copies 50     # + a multi-GB file through the streaming path

The input is generated deterministically from the gazetteer's real names: each of the
distinct spellings is an entity's name romanized by one of the registered systems
(Ukrainian or Russian), its Ukrainian or Russian Cyrillic, or one of those with a typo,
paired with the entity's oblast written one of several ways. Rows draw spellings with
Zipf-like frequencies, as event datasets do.

Measured in the same run, each as a fresh process under /usr/bin/time -v:
  clean   `python -m normalizer clean INPUT --column location --oblast-column oblast`
  floor   the same pipeline with a plain dict of the answers: read, unique, map (the same
          row-by-row lookup clean uses), write
  resolve only the matching: the distinct pairs through the batch resolver (same workers)
Wall time and peak RSS of the main process are GNU time's; "tree RSS" adds up the
resident memory of the process and its workers, sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

SETTLEMENT_SHARE = (("city", 0.35), ("settlement", 0.2), ("village", 0.45))
EVENT_TYPES = ("shelling", "airstrike", "drone strike", "missile strike", "clashes", "evacuation", "protest")
SOURCES = ("local media", "regional administration", "Telegram", "NGO report", "OSINT")


# -- the input -------------------------------------------------------------------------------------


def typo(text: str, rnd: random.Random) -> str:
    """One deterministic slip of the keyboard: a letter dropped, doubled, swapped or replaced."""
    if len(text) < 5:
        return text + text[-1]
    i = rnd.randrange(1, len(text) - 1)
    kind = rnd.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1:]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    if kind == 2:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    letters = "аоеиіунвкл" if re.search("[а-яіїєґ]", text.lower()) else "aoeiuynvkl"
    return text[:i] + rnd.choice(letters) + text[i + 1:]


def spellings(home: str | None, count: int, seed: int) -> list[tuple[str, str]]:
    """`count` distinct (spelling, oblast text) pairs drawn from the gazetteer's real names."""
    from normalizer import Normalizer
    from normalizer.spelling.romanize import systems_for

    rnd = random.Random(seed)
    with Normalizer(home) as normalizer:
        gazetteer = normalizer.gazetteer
        by_kind = {kind: sorted(gazetteer.entities(kind), key=lambda e: e.id) for kind, _ in SETTLEMENT_SHARE}
        oblasts = {e.id: e for e in gazetteer.entities("oblast")}
        for entity in gazetteer.entities("city"):
            if entity.oblast_id and entity.oblast_id not in oblasts:
                found = gazetteer.find(entity.oblast_id)
                if found is not None:
                    oblasts[found.id] = found
    uk, ru = systems_for("uk"), systems_for("ru")
    kinds = [kind for kind, _ in SETTLEMENT_SHARE]
    weights = [share for _, share in SETTLEMENT_SHARE]
    seen: dict[str, str] = {}
    while len(seen) < count:
        entity = rnd.choice(by_kind[rnd.choices(kinds, weights)[0]])
        forms = [entity.name, entity.name_uk or entity.name]
        if entity.name_ru:
            forms.append(entity.name_ru)
        roll = rnd.random()
        if roll < 0.30:
            text = rnd.choice(uk).romanize(entity.name_uk or entity.name)
        elif roll < 0.45 and entity.name_ru:
            text = rnd.choice(ru).romanize(entity.name_ru)
        elif roll < 0.75:
            text = rnd.choice(forms)
        else:
            text = typo(rnd.choice(forms), rnd)
        if rnd.random() < 0.05:
            text = text.upper()
        oblast = oblasts.get(entity.oblast_id or "")
        style = rnd.random()
        if oblast is None or style < 0.05:
            region = ""
        elif style < 0.4:
            region = oblast.name
        elif style < 0.75:
            region = oblast.name_uk or oblast.name
        elif style < 0.9:
            region = oblast.name_ru or oblast.name
        else:
            region = oblast.iso3166_2 or oblast.name
        seen.setdefault(text, region)
    return list(seen.items())


def generate(path: Path, home: str | None, rows: int, distinct: int, seed: int) -> None:
    """Write the benchmark CSV: event rows whose location column repeats `distinct` spellings."""
    import numpy as np
    import polars as pl

    pairs = spellings(home, distinct, seed)
    rng = np.random.default_rng(seed)
    weights = 1.0 / (np.arange(len(pairs)) + 10.0)
    picks = rng.choice(len(pairs), size=rows, p=weights / weights.sum())
    locations = pl.Series([p[0] for p in pairs])
    regions = pl.Series([p[1] for p in pairs])
    days = rng.integers(0, 1000, size=rows)
    frame = pl.DataFrame({
        "event_id": [f"EV{i:08d}" for i in range(rows)],
        "event_date": pl.Series(days).cast(pl.Int64).map_elements(
            lambda d: f"{2022 + d // 365}-{(d % 365) // 31 + 1:02d}-{(d % 31) + 1:02d}", return_dtype=pl.String),
        "event_type": pl.Series(EVENT_TYPES)[rng.integers(0, len(EVENT_TYPES), size=rows)],
        "location": locations[picks],
        "oblast": regions[picks],
        "fatalities": pl.Series(rng.poisson(0.7, size=rows)).cast(pl.String),
        "source": pl.Series(SOURCES)[rng.integers(0, len(SOURCES), size=rows)],
    })
    frame = frame.with_columns(pl.when(pl.col("oblast") == "").then(None).otherwise(pl.col("oblast")).alias("oblast"))
    frame.write_csv(path)


# -- the floor -------------------------------------------------------------------------------------


def floor(input: str, output: str, answers: str) -> None:
    """The pipeline with a dict of answers for every (location, oblast): read, unique, map, write."""
    import polars as pl

    from normalizer.tables.answers import SUFFIXES, output_names
    from normalizer.tables.frames import polars_dtypes

    with open(answers, "rb") as handle:
        table: dict[tuple[str | None, str | None], tuple] = pickle.load(handle)
    frame = pl.read_csv(input, infer_schema=False)
    key = pl.struct(pl.col("location").alias("v"), pl.col("oblast").alias("o")).hash(seed=7).alias("__key")
    pairs = frame.select("location", "oblast").unique()
    rows = [table[(v, o)] for v, o in pairs.iter_rows()]
    names = output_names("location")
    dtypes = polars_dtypes()
    mapping = pairs.select(key).with_columns(
        *[pl.Series(name, [r[i] for r in rows], dtype=dtypes[suffix])
          for i, (suffix, name) in enumerate(zip(SUFFIXES, names))])
    lookups = [pl.col("__key").replace_strict(mapping["__key"], mapping[name], default=None).alias(name)
               for name in mapping.columns if name != "__key"]
    out = frame.with_columns(key).with_columns(lookups).drop("__key")
    order = []
    for column in frame.columns:
        order.append(column)
        if column == "location":
            order.extend(names)
    out.select(order).write_csv(output)


def resolve_only(input: str, workers: int) -> None:
    """Only the matching: the distinct (location, oblast) pairs through the batch resolver."""
    import polars as pl

    from normalizer import Normalizer
    from normalizer.tables.pool import BatchResolver

    pairs = pl.read_csv(input, infer_schema=False, columns=["location", "oblast"]).unique().rows()
    with BatchResolver(Normalizer(), workers=workers) as resolver:
        resolver.answers(pairs)


def answers_from(cleaned: Path, target: Path) -> None:
    """The dict the floor maps with, taken from the cleaned output."""
    import polars as pl

    from normalizer.tables.answers import SUFFIXES, output_names
    from normalizer.tables.frames import field_types

    frame = pl.read_csv(cleaned, infer_schema=False)
    kinds = [field_types()[suffix] for suffix in SUFFIXES]
    table = {}
    for row in frame.select(["location", "oblast", *output_names("location")]).unique().iter_rows():
        table[(row[0], row[1])] = tuple(float(v) if kind is float and v not in (None, "") else v
                                        for kind, v in zip(kinds, row[2:]))
    with open(target, "wb") as handle:
        pickle.dump(table, handle)


# -- measuring -------------------------------------------------------------------------------------


def _tree_rss(pid: int) -> int:
    """Resident kB of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run a command under /usr/bin/time -v: wall seconds, peak RSS (MB) of the main process and the tree."""
    timed = ["/usr/bin/time", "-v", *command] if Path("/usr/bin/time").exists() else command
    started = time.perf_counter()
    process = subprocess.Popen(timed, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{err}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", err))
    elapsed = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", err)
    if elapsed:
        hours, minutes, seconds = elapsed.groups()
        wall = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return {"wall": wall, "cpu": cpu, "rss_mb": int(rss.group(1)) / 1024 if rss else float("nan"),
            "tree_mb": peak / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20240224)
    parser.add_argument("--home", help="UANORM_HOME to use (default: the usual one)")
    parser.add_argument("--workdir", help="where inputs and outputs go (default: a temporary directory)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each pipeline (the best is reported)")
    parser.add_argument("--workers", type=int, help="passed to uanorm clean --workers")
    parser.add_argument("--stream-copies", type=int, default=0,
                        help="also clean a file of this many copies of the input's rows (streaming path)")
    parser.add_argument("--floor", nargs=3, metavar=("INPUT", "OUTPUT", "ANSWERS"), help=argparse.SUPPRESS)
    parser.add_argument("--resolve-only", nargs=2, metavar=("INPUT", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(*args.floor)
        return 0
    if args.resolve_only:
        resolve_only(args.resolve_only[0], int(args.resolve_only[1]))
        return 0
    env = dict(os.environ)
    if args.home:
        env["UANORM_HOME"] = args.home
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="uanorm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"events-{args.rows}-{args.distinct}-{args.seed}.csv"
    if not source.exists():
        started = time.perf_counter()
        generate(source, args.home, args.rows, args.distinct, args.seed)
        print(f"generated {source} ({source.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    clean_cmd = [sys.executable, "-m", "normalizer", "clean", str(source), "--column", "location",
                 "--oblast-column", "oblast", "-o", str(work / "clean.csv"), "--review", str(work / "review.csv"),
                 "--quiet"]
    if args.workers:
        clean_cmd += ["--workers", str(args.workers)]
    subprocess.run([sys.executable, "-m", "normalizer", "match", "Kyiv"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # the store and index exist before timing
    runs: dict[str, list[dict[str, float]]] = {"clean": [], "floor": [], "resolve": []}
    workers = args.workers or max(1, min(os.cpu_count() or 1, 4))
    for attempt in range(args.repeat):
        runs["clean"].append(measure(clean_cmd, env))
        if attempt == 0:
            answers_from(work / "clean.csv", work / "answers.pkl")
        runs["floor"].append(measure([sys.executable, str(Path(__file__).resolve()), "--floor", str(source),
                                      str(work / "floor.csv"), str(work / "answers.pkl")], env))
        runs["resolve"].append(measure([sys.executable, str(Path(__file__).resolve()), "--resolve-only", str(source),
                                        str(workers)], env))
    same = (work / "clean.csv").read_bytes() == (work / "floor.csv").read_bytes()
    print(f"\n{args.rows:,} rows, {args.distinct:,} distinct spellings, {os.cpu_count()} CPUs; best of {args.repeat}")
    print(f"{'pipeline':<8} {'wall s':>8} {'CPU s':>8} {'RSS MB':>8} {'tree MB':>8}")
    for name, results in runs.items():
        best = min(results, key=lambda r: r["wall"])
        walls = ", ".join(f"{r['wall']:.2f}" for r in results)
        print(f"{name:<8} {best['wall']:>8.2f} {best['cpu']:>8.2f} {best['rss_mb']:>8.0f} {best['tree_mb']:>8.0f}"
              f"   (all: {walls})")
    print(f"outputs identical: {same}")
    if args.stream_copies:
        stream(source, work, args.stream_copies, env, args.workers)
    if not args.workdir:
        shutil.rmtree(work)
    return 0


def stream(source: Path, work: Path, copies: int, env: dict[str, str], workers: int | None) -> None:
    """Clean a file of `copies` copies of the input's rows (far above the streaming threshold)."""
    big = work / f"big-{copies}.csv"
    if not big.exists():
        with open(source, "rb") as handle:
            header = handle.readline()
            body = handle.read()
        with open(big, "wb") as out:
            out.write(header)
            out.writelines(body for _ in range(copies))
    size = big.stat().st_size
    command = [sys.executable, "-m", "normalizer", "clean", str(big), "--column", "location", "--oblast-column",
               "oblast", "-o", str(work / "big.clean.csv"), "--review", str(work / "big.review.csv"), "--quiet"]
    if workers:
        command += ["--workers", str(workers)]
    result = measure(command, env)
    out_size = (work / "big.clean.csv").stat().st_size
    print(f"\nstreaming: {size / 1e9:.2f} GB in ({copies} x the input), {out_size / 1e9:.2f} GB out: "
          f"{result['wall']:.1f} s wall, {result['cpu']:.1f} s CPU, RSS {result['rss_mb']:.0f} MB "
          f"(tree {result['tree_mb']:.0f} MB)")
    (work / "big.clean.csv").unlink()


if __name__ == "__main__":
    raise SystemExit(main())
