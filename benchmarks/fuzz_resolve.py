"""Coverage-guided fuzzing (atheris/libFuzzer) of the text cleanup and of resolve.

    pip install -e ".[fuzz]"
    python benchmarks/fuzz_resolve.py --seconds 600                 # fuzz for 10 minutes
    python benchmarks/fuzz_resolve.py --seconds 600 --target text   # only the cleanup functions (faster)
    python benchmarks/fuzz_resolve.py --replay FILE [FILE ...]      # re-run inputs (crashes, slow ones)

An input is bytes: the first byte chooses the options (an oblast hint after a U+001E
separator, a kind hint, the limit), the rest is the text, decoded as UTF-8 with
`surrogateescape`, so that invalid bytes become lone surrogates (which a Python str can
hold and a badly decoded file produces). The seed corpus is made from the dev set's
names (benchmarks/data/*.tsv) plus the hand-made hostile inputs in
benchmarks/fuzz_corpus/; the working corpus grows in --corpus (default: a directory
under the system's temporary directory).

What counts as a failure (the run stops and writes the input as crash-*):
- any exception from parse_query, clean_text, fix_homoglyphs, fold, skeleton,
  lemma_candidates or Resolver.resolve (resolve documents only TypeError for non-str input);
- fold not idempotent; skeleton(fold(x)) != skeleton(x);
- a resolve answer with an unknown status, a best candidate outside its candidates or an ID
  the index does not hold, or a different answer for the same input asked twice.
Inputs whose resolve takes longer than --slow-ms (instrumented, so generous) are not
failures but are written to the corpus directory's slow/ folder and listed at the end;
replay them to time them without instrumentation.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

SEPARATOR = "\x1e"  # between the text and the oblast hint
KINDS = (None, "city", "oblast", "person", "village,settlement", "raion", "foreign")
SEED_DIR = HERE / "fuzz_corpus" / "resolve"


# -- decoding an input ----------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str | None, str | None, int]:
    """(text, oblast hint, kind, limit) from fuzzer bytes."""
    if not data:
        return "", None, None, 5
    mode, body = data[0], data[1:]
    text = body.decode("utf-8", "surrogateescape")
    hint = None
    if mode & 1 and SEPARATOR in text:
        text, _, hint = text.partition(SEPARATOR)
    kind = KINDS[(mode >> 1) % len(KINDS)]
    limit = 1 + (mode >> 5)  # 1..8
    return text, hint, kind, limit


def encode(text: str, hint: str | None = None, kind: str | None = None, limit: int = 5) -> bytes:
    """The fuzzer bytes of (text, hint, kind, limit): the inverse of decode()."""
    mode = (1 if hint is not None else 0) | (KINDS.index(kind) << 1) | ((max(1, min(limit, 8)) - 1) << 5)
    body = text if hint is None else f"{text}{SEPARATOR}{hint}"
    return bytes([mode]) + body.encode("utf-8", "surrogateescape")


# -- the checks ------------------------------------------------------------------------------


class Checker:
    """Runs one input through the cleanup functions and the resolver and checks the invariants."""

    def __init__(self, home: str | None, target: str, slow_ms: float, slow_dir: Path | None) -> None:
        from normalizer.spelling import cleanup as text
        from normalizer.spelling import forms, keys, parse

        self.text, self.keys, self.forms, self.parse = text, keys, forms, parse
        self.target = target
        self.slow_ms = slow_ms
        self.slow_dir = slow_dir
        self.slow: list[tuple[float, bytes]] = []
        self.resolver = None
        if target in ("resolve", "all"):
            from normalizer import Normalizer
            from normalizer.match.model import STATUSES

            self.normalizer = Normalizer(home)
            self.resolver = self.normalizer.resolver
            self.statuses = frozenset(STATUSES)

    def __call__(self, data: bytes) -> None:
        text, hint, kind, limit = decode(data)
        self.cleanup(text)
        if hint is not None:
            self.cleanup(hint)
        if self.resolver is not None:
            self.resolve(data, text, hint, kind, limit)

    def cleanup(self, text: str) -> None:
        t, k, f = self.text, self.keys, self.forms
        cleaned = t.clean_text(text)
        assert t.clean_text(cleaned) == cleaned, f"clean_text not idempotent on {text!r}"
        t.fix_homoglyphs(cleaned)
        query = self.parse.parse_query(text)
        assert isinstance(query.core, str)
        if not query.too_long:
            assert len(query.core) <= t.MAX_NAME_LENGTH, f"core longer than the limit for {text!r}"
        folded = k.fold(text)
        assert k.fold(folded) == folded, f"fold not idempotent on {text!r}: {folded!r} -> {k.fold(folded)!r}"
        key = k.skeleton(text)
        assert k.skeleton(folded) == key, f"skeleton(fold(x)) != skeleton(x) for {text!r}"
        assert key.isascii(), f"non-ASCII skeleton {key!r} for {text!r}"
        if len(text) <= 4 * t.MAX_NAME_LENGTH:
            k.is_cyrillic(text)
            if query.core and len(query.core.split()) <= 4:
                f.lemma_candidates(k.fold(query.core))

    def resolve(self, data: bytes, text: str, hint: str | None, kind: str | None, limit: int) -> None:
        from normalizer.errors import HintError

        resolver = self.resolver
        started = time.perf_counter()
        try:
            first = resolver.resolve(text, oblast=hint, kind=kind, limit=limit)
        except HintError:
            return  # documented: an unknown kind (not produced here, but allowed)
        elapsed = (time.perf_counter() - started) * 1000
        if elapsed > self.slow_ms:
            self.slow.append((elapsed, data))
            if self.slow_dir is not None:
                self.slow_dir.mkdir(parents=True, exist_ok=True)
                (self.slow_dir / f"slow-{int(elapsed)}ms-{abs(hash(data)) % 10**10}").write_bytes(data)
        assert first.status in self.statuses, first.status
        assert len(first.candidates) <= limit, (len(first.candidates), limit)
        if first.best is not None:
            assert first.best in first.candidates, "best candidate not among the candidates"
            assert first.status != "unmatched", "an unmatched answer with a best candidate"
        for candidate in first.candidates:
            assert resolver.index.eid_of(candidate.id) is not None, f"unknown ID {candidate.id}"
            assert 0.0 <= candidate.score <= 1.0, candidate.score
        second = resolver.resolve(text, oblast=hint, kind=kind, limit=limit)
        assert (second.status, [c.id for c in second.candidates]) == \
            (first.status, [c.id for c in first.candidates]), f"two answers for {text!r}"


# -- the seed corpus -------------------------------------------------------------------------


def seed_inputs() -> list[bytes]:
    """The dev set's names (with their oblast hints) and the hand-made hostile inputs."""
    seeds: list[bytes] = []
    data = HERE / "data"
    for name in ("dev_places.tsv", "dev_persons.tsv", "dev_foreign.tsv"):
        path = data / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                text = row.get("input") or ""
                hint = row.get("oblast") or None
                kind = "person" if name == "dev_persons.tsv" and len(seeds) % 3 == 0 else None
                seeds.append(encode(text, hint, kind))
    if SEED_DIR.is_dir():
        seeds.extend(p.read_bytes() for p in sorted(SEED_DIR.iterdir()) if p.is_file())
    return seeds


def write_seeds(directory: Path) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    seeds = seed_inputs()
    for number, seed in enumerate(seeds):
        (directory / f"seed-{number:05d}").write_bytes(seed)
    return len(seeds)


# -- running ---------------------------------------------------------------------------------


def replay(files: list[str], checker: Checker, repeat: int) -> int:
    """Run saved inputs through the checks, uninstrumented, and time resolve."""
    failures = 0
    for name in files:
        data = Path(name).read_bytes()
        text, hint, kind, limit = decode(data)
        try:
            checker(data)
        except Exception as exc:  # noqa: BLE001 - report every failing input, not just the first
            failures += 1
            print(f"{name}: FAIL {type(exc).__name__}: {exc}"[:400])
            continue
        timing = ""
        if checker.resolver is not None:
            times = []
            for _ in range(repeat):
                checker.resolver.forget()
                started = time.perf_counter()
                checker.resolver.resolve(text, oblast=hint, kind=kind, limit=limit)
                times.append((time.perf_counter() - started) * 1000)
            timing = f" resolve {min(times):.1f} ms (best of {repeat}), {max(times):.1f} ms worst"
        print(f"{name}: ok{timing}  {text[:60]!r}{' hint ' + repr(hint[:30]) if hint else ''}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=600, help="time budget of the run (default 600)")
    parser.add_argument("--target", choices=("all", "text", "resolve"), default="all",
                        help="text: cleanup functions only; resolve: the resolver too (default all)")
    parser.add_argument("--corpus", help="working corpus directory (default: under the temp directory)")
    parser.add_argument("--home", help="UANORM_HOME to resolve against (default: $UANORM_HOME or the user's)")
    parser.add_argument("--slow-ms", type=float, default=500.0,
                        help="record resolve calls slower than this, instrumented (default 500)")
    parser.add_argument("--max-len", type=int, default=1024, help="longest input in bytes (default 1024)")
    parser.add_argument("--replay", nargs="+", metavar="FILE", help="run these inputs once and time them")
    parser.add_argument("--repeat", type=int, default=5, help="timing repetitions in --replay (default 5)")
    args, libfuzzer_args = parser.parse_known_args(argv)

    os.environ.setdefault("UANORM_QUIET", "1")
    if args.replay:
        return replay(args.replay, Checker(args.home, args.target, float("inf"), None), args.repeat)

    import atheris

    corpus = Path(args.corpus) if args.corpus else Path(tempfile.gettempdir()) / "uanorm-fuzz-corpus"
    seeds = corpus / "seeds"
    if not seeds.is_dir():
        count = write_seeds(seeds)
        print(f"wrote {count} seed inputs to {seeds}", file=sys.stderr)
    work = corpus / "work"
    work.mkdir(parents=True, exist_ok=True)
    artifacts = corpus / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)

    with atheris.instrument_imports(include=["normalizer"]):
        pass

    checker = Checker(args.home, args.target, args.slow_ms, corpus / "slow")
    checker(encode("Lisichansk"))  # warm up: dictionaries, caches
    started = time.time()

    def report() -> None:
        hours = (time.time() - started) / 3600
        print(f"fuzzed {args.target} for {hours:.2f} h; corpus {work}; crashes in {artifacts}", file=sys.stderr)
        if checker.slow:
            print(f"{len(checker.slow)} slow resolve calls (instrumented) recorded in {corpus / 'slow'}",
                  file=sys.stderr)

    import atexit

    atexit.register(report)
    libfuzzer = [sys.argv[0], f"-max_total_time={args.seconds}", f"-max_len={args.max_len}",
                 f"-artifact_prefix={artifacts}/", "-timeout=30", "-rss_limit_mb=4096",
                 "-print_final_stats=1", *libfuzzer_args, str(work), str(seeds)]
    atheris.Setup(libfuzzer, checker)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
