"""`uanorm match`: resolve names given as arguments or one per line on standard input."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator

from ..match.model import Result
from . import printable


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `match` command."""
    parser = subparsers.add_parser(
        "match",
        help="resolve names to entities",
        description="Resolve each NAME (or each line of standard input) to its canonical entity.",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="names to resolve; none: read stdin")
    parser.add_argument("--json", action="store_true", help="one JSON object per input, in order")
    parser.add_argument("--oblast", help="oblast hint (name in any spelling, KATOTTG code or ISO 3166-2)")
    parser.add_argument("--kind", help="only entities of this kind (comma-separated kinds allowed)")
    parser.add_argument("--limit", type=int, default=5, help="candidates per answer (default 5)")
    parser.set_defaults(handler=run)


def _inputs(names: list[str]) -> Iterator[str]:
    if names:
        yield from names
        return
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text stream without bytes underneath (tests, embedding)
        for line in sys.stdin:
            yield line.rstrip("\r\n")
        return
    for raw in buffer:  # a line that is not UTF-8 is still answered, its bad bytes as U+FFFD
        yield raw.decode("utf-8", "replace").rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    """Resolve and print, streaming: each answer is printed as soon as it is known."""
    if args.limit < 1:
        raise ValueError("--limit must be at least 1")
    from ..api import Normalizer

    normalizer = Normalizer()
    results = normalizer.resolve_many(_inputs(args.names), oblast=args.oblast, kind=args.kind, limit=args.limit)
    if args.json:
        for result in results:
            print(printable(json.dumps(result.to_dict(), ensure_ascii=False)), flush=True)
    else:
        _print_table(results)
    return 0


def _print_table(results: Iterable[Result]) -> None:
    for result in results:
        best = result.best
        if best is None:
            line = f"{result.input}\t{result.status}\t-"
        else:
            line = (f"{result.input}\t{result.status}\t{best.id}\t{best.name}\t{best.name_uk or ''}\t"
                    f"{best.kind}\t{best.score:.3f}")
        print(printable(line), flush=True)
        if result.status == "ambiguous":
            for candidate in result.candidates[1:]:
                print(f"\t  or\t{candidate.id}\t{candidate.name}\t{candidate.oblast_id or ''}\t{candidate.score:.3f}",
                      flush=True)
