"""Real-data benchmark: what users see, by set and by clue type, with a reliability table.

    PYTHONPATH=. UANORM_HOME=/tmp/h4home python benchmarks/eval_real.py              # dev sets
    PYTHONPATH=. python benchmarks/eval_real.py --holdout          # + the held-out sets (measure only)
    PYTHONPATH=. python benchmarks/eval_real.py --history          # + renaming / old raion / KOATUU cases
                                                                   #   of benchmarks/history_quality.py
    PYTHONPATH=. python benchmarks/eval_real.py --sets events,junk --errors 20 --json /tmp/eval.json

The sets (benchmarks/data/eval_*_{dev,holdout}.tsv; format, split and what each stands for in
benchmarks/evalsets.py; derived by benchmarks/derive_evalsets.py). The held-out files are for
measuring only: nobody tunes on them or reads their errors to fix them (the runner lists errors
and error examples of the dev files only; of the held-out ones it gives the figures and the counts).

Clues. A row's oblast column goes to `resolve(oblast=...)`; its raion and hromada columns to
`raion=` / `hromada=`, and its coordinates to `near=(lat, lon)`, only where `resolve` takes that
keyword (read from its signature): the same run measures today's matcher and tomorrow's. The
report groups rows by the clues actually passed ('name+oblast+[raion]' means: the row had a raion
this matcher could not take).

Figures per set and group:
  n        rows
  top-1    the best candidate is the answer (NONE rows: not matched; NOT_UA rows: no Ukrainian answer)
  matched  share of rows answered `matched`
  wrong|m  wrong among the matched answers: THE figure (must be < 1%). For NONE rows every match is
           wrong; for NOT_UA rows a match to a Ukrainian entity is.
  ambig    share answered `ambiguous`; unm: share `unmatched`
  settled  rows whose clues, read perfectly, leave one unit (namesakes == 1); 'amb|settled' is the
           share of those left ambiguous (what a better use of clues could win) and 'match|open' the
           share of rows with several namesakes that were nevertheless matched (a coin flip, at best)

Reliability: for `matched` answers, by score band, how many and how often right; then the same by
retrieval method (exact, inflection, skeleton, reading, fuzzy, identifier; '+former' when the name
that matched is a former one) and by what decided (only candidate, clear margin, tiers, prior).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(HERE.parent))

import evalsets as fmt

from normalizer import Normalizer

BANDS = (0.0, 0.80, 0.85, 0.90, 0.95, 0.97, 0.99, 1.0)
#: Row columns -> the resolve keyword they feed.
CLUE_KEYWORDS = {"oblast": "oblast", "raion": "raion", "hromada": "hromada", "near": "near"}


@dataclass
class Outcome:
    """One row's answer and how it counts."""

    set_name: str
    split: str
    row: dict[str, str]
    status: str
    best_id: str | None
    best_name: str
    best_country: str | None
    score: float
    method: str
    decision: str
    used: str  # the clues passed
    right: bool = False
    wrong_matched: bool = False
    extra: dict = field(default_factory=dict)


def accepted_keywords(normalizer: Normalizer) -> set[str]:
    """The clue keywords this matcher's resolve takes."""
    params = inspect.signature(normalizer.resolve).parameters
    return {name for name in CLUE_KEYWORDS.values() if name in params}


def clue_arguments(row: dict[str, str], accepted: set[str]) -> tuple[dict, str]:
    """The keyword arguments for one row and the label of the clues: passed ones plain, others [bracketed]."""
    kwargs: dict = {}
    labels = ["name"]
    given = {"oblast": row["oblast"], "raion": row["raion"], "hromada": row["hromada"],
             "near": (float(row["lat"]), float(row["lon"])) if row["lat"] and row["lon"] else None}
    for clue, value in given.items():
        if not value:
            continue
        keyword = CLUE_KEYWORDS[clue]
        if keyword in accepted:
            kwargs[keyword] = value
            labels.append(clue)
        else:
            labels.append(f"[{clue}]")
    if "text" in row["clues"].split("+"):
        labels.append("text")
    return kwargs, "+".join(labels)


DECISIONS = (
    ("only candidate", "only candidate"),
    ("clear of the next candidate", "clear margin"),
    ("a unit of today", "tier: today's unit"),
    ("its current name", "tier: current name"),
    ("prior:", "prior"),
)


def decision_of(explanation: str) -> str:
    """What decided a matched answer, from its explanation."""
    match = re.search(r"matched: ([^;]*)", explanation)
    if not match:
        return ""
    reason = match.group(1)
    for start, label in DECISIONS:
        if reason.startswith(start):
            return label
    return re.sub(r"[\d.,]+", "#", reason)[:40]


def judge(outcome: Outcome) -> None:
    expected = outcome.row["expected"]
    matched = outcome.status == "matched"
    if expected == fmt.NONE:
        outcome.right = not matched
        outcome.wrong_matched = matched
    elif expected == fmt.NOT_UA:
        ukrainian = outcome.status != "unmatched" and outcome.best_country == "UA"
        outcome.right = not ukrainian
        outcome.wrong_matched = matched and outcome.best_country == "UA"
    else:
        outcome.right = outcome.best_id == expected
        outcome.wrong_matched = matched and not outcome.right


def run_rows(normalizer: Normalizer, set_name: str, split: str, rows: list[dict[str, str]],
             accepted: set[str]) -> list[Outcome]:
    outcomes = []
    for row in rows:
        kwargs, used = clue_arguments(row, accepted)
        result = normalizer.resolve(row["input"], **kwargs)
        best = result.best
        outcome = Outcome(
            set_name, split, row, result.status, best.id if best else None, best.name if best else "",
            best.country if best else None, best.score if best else 0.0,
            (best.method + ("+former" if "(a former name" in result.explanation else "")) if best else "",
            decision_of(result.explanation) if result.status == "matched" else "", used)
        judge(outcome)
        outcomes.append(outcome)
    return outcomes


# ---------------------------------------------------------------- figures

def figures(outcomes: list[Outcome]) -> dict[str, float | int]:
    n = len(outcomes)
    matched = sum(o.status == "matched" for o in outcomes)
    wrong = sum(o.wrong_matched for o in outcomes)
    settled = [o for o in outcomes if o.row["namesakes"] == "1"]
    open_ = [o for o in outcomes if o.row["namesakes"] not in ("0", "1", "")]
    return {
        "n": n,
        "top1": sum(o.right for o in outcomes) / n if n else 0.0,
        "matched": matched / n if n else 0.0,
        "wrong_when_matched": wrong / matched if matched else 0.0,
        "wrong": wrong,
        "ambiguous": sum(o.status == "ambiguous" for o in outcomes) / n if n else 0.0,
        "unmatched": sum(o.status == "unmatched" for o in outcomes) / n if n else 0.0,
        "settled": len(settled),
        "ambiguous_when_settled": (sum(o.status == "ambiguous" for o in settled) / len(settled)) if settled else 0.0,
        "open": len(open_),
        "matched_when_open": (sum(o.status == "matched" for o in open_) / len(open_)) if open_ else 0.0,
    }


HEADER = (f"{'group':44s} {'n':>5s} {'top-1':>6s} {'matched':>7s} {'wrong|m':>7s} {'ambig':>6s} {'unm':>5s}"
          f" {'settled':>7s} {'amb|settled':>11s} {'match|open':>10s}")


def line(label: str, f: dict) -> str:
    return (f"{label[:44]:44s} {f['n']:5d} {f['top1']:6.1%} {f['matched']:7.1%} {f['wrong_when_matched']:7.2%}"
            f" {f['ambiguous']:6.1%} {f['unmatched']:5.1%} {f['settled']:7d} {f['ambiguous_when_settled']:11.1%}"
            f" {f['matched_when_open']:10.1%}")


def variant_family(variant: str) -> str:
    """A variant without its noise suffixes: 'uk-text+typo+upper' -> 'uk-text'."""
    return variant.split("+")[0]


def noise_of(variant: str) -> str:
    parts = variant.split("+")[1:]
    return "+".join(parts) if parts else "clean"


def report_set(title: str, outcomes: list[Outcome], show_errors: int) -> dict:
    print(f"\n== {title}")
    print(HEADER)
    summary: dict = {"ALL": figures(outcomes)}
    print(line("ALL", summary["ALL"]))
    for name, key in (("clues", lambda o: o.used), ("variant", lambda o: variant_family(o.row["variant"])),
                      ("noise", lambda o: noise_of(o.row["variant"]))):
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in outcomes:
            groups[key(o)].append(o)
        if len(groups) < 2:
            continue
        summary[name] = {}
        for label in sorted(groups):
            summary[name][label] = figures(groups[label])
            print(line(f"  {name}: {label}", summary[name][label]))
    if show_errors:
        wrong = [o for o in outcomes if o.wrong_matched]
        missed = [o for o in outcomes if not o.right and not o.wrong_matched]
        for what, items in (("wrong while matched", wrong), ("not top-1 (not matched)", missed)):
            if items:
                print(f"  -- {what}: {len(items)}")
            for o in items[:show_errors]:
                print("     " + describe(o))
    return summary


def describe(o: Outcome) -> str:
    row = o.row
    clues = ", ".join(f"{k}={row[k]}" for k in ("oblast", "raion", "hromada") if row[k])
    if row["lat"]:
        clues += f"{', ' if clues else ''}near=({row['lat']}, {row['lon']})"
    text = row["input"].replace("\n", "\\n")
    return (f"{text!r} [{clues}] -> {o.status} {o.best_id} {o.best_name} {o.score:.3f} {o.method} "
            f"{o.decision} (want {row['expected']}; namesakes {row['namesakes']}; {row['variant']})")


def band_of(score: float) -> int:
    for i in range(len(BANDS) - 2, -1, -1):
        if score >= BANDS[i]:
            return i
    return 0


def band_label(i: int) -> str:
    high = BANDS[i + 1]
    return f"[{BANDS[i]:.2f},{high:.2f}{']' if high == 1.0 else ')'}"


def cell(right: int, n: int) -> str:
    return f"{f'{right}/{n} {right / n:.1%}' if n else '':>17s}"


def reliability(outcomes: list[Outcome], title: str) -> dict:
    """For matched answers: by score band (and by method, by decision), how many and how often right."""
    matched = [o for o in outcomes if o.status == "matched"]
    print(f"\n== reliability of `matched` ({title}): right / n per score band")
    table: dict = {}
    labels = [band_label(i) for i in range(len(BANDS) - 1)]
    print(f"{'':28s} " + " ".join(f"{label:>17s}" for label in labels) + f" {'all':>17s}")
    for dimension, key in (("all", lambda o: "all"), ("method", lambda o: o.method),
                           ("decision", lambda o: o.decision)):
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in matched:
            groups[key(o)].append(o)
        table[dimension] = {}
        for group in sorted(groups, key=lambda g: -len(groups[g])):
            cells = []
            entry = {}
            items = groups[group]
            for i, label in enumerate(labels):
                inside = [o for o in items if band_of(o.score) == i]
                right = sum(not o.wrong_matched for o in inside)
                entry[label] = {"n": len(inside), "right": right}
                cells.append(cell(right, len(inside)))
            right_all = sum(not o.wrong_matched for o in items)
            entry["all"] = {"n": len(items), "right": right_all}
            cells.append(cell(right_all, len(items)))
            table[dimension][group] = entry
            print(f"{(dimension + ': ' + group)[:28]:28s} " + " ".join(cells))
    return table


def error_patterns(outcomes: list[Outcome], top: int = 15) -> list[tuple[str, int, str]]:
    """The commonest kinds of wrong-while-matched answers: (pattern, count, an example)."""
    patterns: Counter = Counter()
    examples: dict[str, str] = {}
    for o in outcomes:
        if not o.wrong_matched:
            continue
        pattern = f"{o.set_name}/{variant_family(o.row['variant'])} via {o.method} ({o.decision})"
        patterns[pattern] += 1
        examples.setdefault(pattern, describe(o))
    return [(p, c, examples[p]) for p, c in patterns.most_common(top)]


# ---------------------------------------------------------------- history cases

def history_rows(sample: int) -> dict[str, list[dict[str, str]]]:
    """The cases of benchmarks/history_quality.py as rows of this format, by split."""
    import history_quality

    out: dict[str, list[dict[str, str]]] = {"dev": [], "holdout": []}
    for name, text, oblast, expected, hold in history_quality.cases(sample):
        row = dict.fromkeys(fmt.COLUMNS, "")
        row.update(input=text, oblast=oblast or "", expected=expected, namesakes="0", variant=name.replace(" ", "-"),
                   clues="name+oblast" if oblast else "name", note="history_quality")
        out["holdout" if hold else "dev"].append(row)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", help="UANORM_HOME to measure (default: $UANORM_HOME or the user dir)")
    parser.add_argument("--sets", help="comma-separated set names (default: all)")
    parser.add_argument("--holdout", action="store_true", help="also run the held-out files (measure only)")
    parser.add_argument("--only-holdout", action="store_true", help="run the held-out files only")
    parser.add_argument("--history", action="store_true", help="also run benchmarks/history_quality.py's cases")
    parser.add_argument("--history-sample", type=int, default=1000, help="old-raion/code cases per history set")
    parser.add_argument("--limit", type=int, default=0, help="at most this many rows per file (0: all)")
    parser.add_argument("--errors", type=int, default=0, help="list this many errors per set and split")
    parser.add_argument("--json", help="write the figures to this JSON file")
    args = parser.parse_args(argv)

    normalizer = Normalizer(args.home) if args.home else Normalizer()
    accepted = accepted_keywords(normalizer)
    splits = ("holdout",) if args.only_holdout else ("dev", "holdout") if args.holdout else ("dev",)
    names = args.sets.split(",") if args.sets else list(fmt.SETS)
    started = time.perf_counter()
    inputs: list[tuple[str, str, list[dict[str, str]]]] = []
    for split in splits:
        for name in names:
            rows = fmt.read_cases(fmt.path(name, split))
            inputs.append((name, split, rows[: args.limit] if args.limit else rows))
    if args.history:
        history = history_rows(args.history_sample)
        inputs.extend(("history", split, history[split][: args.limit] if args.limit else history[split])
                      for split in splits)
    print(f"resolve takes clues: {sorted(accepted) or 'none'} (of {sorted(CLUE_KEYWORDS.values())})")
    results: dict = {"clues_accepted": sorted(accepted), "sets": {}, "reliability": {}}
    everything: dict[str, list[Outcome]] = defaultdict(list)
    for name, split, rows in inputs:
        begun = time.perf_counter()
        outcomes = run_rows(normalizer, name, split, rows, accepted)
        title = f"{name} ({split}, {len(rows)} rows, {time.perf_counter() - begun:.0f} s): {fmt.SETS.get(name, '')}"
        # held-out errors are not listed: nobody reads them to fix them
        results["sets"][f"{name}/{split}"] = report_set(title, outcomes, args.errors if split == "dev" else 0)
        everything[split].extend(outcomes)
    for split in splits:
        print(f"\n== all sets ({split})")
        print(HEADER)
        total = figures(everything[split])
        print(line("ALL", total))
        results["sets"][f"ALL/{split}"] = {"ALL": total}
        results["reliability"][split] = reliability(everything[split], split)
        patterns = error_patterns(everything[split])
        if split == "holdout":  # counts only, no examples
            patterns = [(pattern, count, "") for pattern, count, _ in patterns]
        results.setdefault("error_patterns", {})[split] = patterns
        if patterns:
            print(f"\n== commonest wrong-while-matched patterns ({split})")
            for pattern, count, example in patterns:
                print(f"{count:5d}  {pattern}" + (f"\n       e.g. {example}" if example else ""))
    seconds = time.perf_counter() - started
    print(f"\n{sum(len(r) for _, _, r in inputs)} rows in {seconds:.0f} s")
    results["seconds"] = round(seconds, 1)
    normalizer.close()
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("UANORM_QUIET", "1")
    raise SystemExit(main())
