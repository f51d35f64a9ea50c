"""`uanorm annotate`: link the places, persons and features a text mentions.

    uanorm annotate FILE|- [--format json|html|text] [--lang auto|en|uk|ru] [-o OUT]
    uanorm annotate --jsonl DIR|FILE [-o OUT]       # a corpus: one JSON line per document

Offsets (`start`, `end`) count characters of the input decoded as UTF-8, unchanged
(line ends and a byte-order mark included), so `text[start:end]` is the mention.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gazetteer.files import atomic_outputs
from gazetteer.progress import SHOW_AFTER, Reporter, silent

from ..errors import InputFileError, OutputError

FORMATS = ("json", "html", "text")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `annotate` command."""
    parser = subparsers.add_parser(
        "annotate",
        help="link the place, person and feature mentions of a text",
        description="Find the places, persons and features a text names, in any spelling, and link each to "
                    "its entity. Offsets are characters of the UTF-8 input.",
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="a UTF-8 text file, or - for standard input")
    parser.add_argument("--format", choices=FORMATS, default="json", help="output format (default json)")
    parser.add_argument("--lang", choices=("auto", "en", "uk", "ru"), default="auto",
                        help="language of the text (default: detected from its letters)")
    parser.add_argument("--jsonl", metavar="DIR|FILE",
                        help="corpus mode: every *.txt under DIR, or each line {\"id\":..., \"text\":...} of a "
                             "JSONL FILE (- for stdin); writes one JSON line per document")
    parser.add_argument("--undecided", action="store_true",
                        help="also list ambiguous mentions the context could not decide (status 'undecided')")
    parser.add_argument("-o", "--output", metavar="PATH", help="write here instead of standard output")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Annotate one text, or a corpus with --jsonl."""
    if args.jsonl is not None:
        if args.file is not None:
            raise InputFileError("give either FILE or --jsonl, not both")
        if args.format != "json":
            raise InputFileError("corpus mode (--jsonl) writes JSON lines; --format does not apply")
        return _run_corpus(args)
    if args.file is None:
        raise InputFileError("no input: give a FILE, - for standard input, or --jsonl DIR|FILE")
    text = _read_text(args.file)
    from ..api import Normalizer
    from ..text.annotate import detect_lang
    from ..text.render import to_html, to_json, to_text

    normalizer = Normalizer(progress=silent if args.quiet else None)
    lang = detect_lang(text) if args.lang == "auto" else args.lang
    mentions = normalizer.annotate(text, lang=lang, undecided=args.undecided)
    source = "<stdin>" if args.file == "-" else args.file
    if args.format == "json":
        output = to_json(mentions, source=source, lang=lang, chars=len(text)) + "\n"
    elif args.format == "html":
        oblasts = {m.oblast_id for m in mentions if m.oblast_id}
        names = {i: e.name for i, e in ((i, normalizer.gazetteer.find(i)) for i in oblasts) if e is not None}
        output = to_html(text, mentions, title=f"uanorm annotate: {Path(source).name}", lang=lang,
                         oblast_names=names)
    else:
        output = to_text(text, mentions)
    _write(args.output, output)
    return 0


def _read_text(path: str) -> str:
    """The text of a file (or stdin), decoded as UTF-8 without touching line ends."""
    if path == "-":
        data = sys.stdin.buffer.read()
        name = "standard input"
    else:
        file = Path(path)
        if file.is_dir():
            raise InputFileError(f"{path} is a directory; use --jsonl DIR for a corpus")
        if not file.exists():
            raise InputFileError(f"no such file: {path}")
        data = file.read_bytes()
        name = path
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{name} is not UTF-8 text (byte {exc.start})") from None


def _write(path: str | None, output: str) -> None:
    if path is None:
        sys.stdout.write(output)
        sys.stdout.flush()
        return
    with _atomic_output(path) as handle:
        handle.write(output)


@contextlib.contextmanager
def _atomic_output(path: str) -> Iterator[IO[str]]:
    """A UTF-8 text file written beside `path` and renamed over it once complete (gazetteer.files.atomic_outputs):
    a full disk or any failure leaves no partial output and names the file in one line."""
    target = Path(path)
    with atomic_outputs([target], error=OutputError) as outputs:
        try:
            with open(outputs.temp(target), "w", encoding="utf-8", newline="") as handle:
                yield handle
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


@dataclass(frozen=True, slots=True)
class _Doc:
    id: str
    text: str


def _corpus(source: str) -> tuple[Iterator[_Doc], int | None]:
    """The documents of a corpus and how many there are (None when unknown)."""
    if source != "-" and Path(source).is_dir():
        root = Path(source)
        files = sorted(p for p in root.rglob("*.txt") if p.is_file())

        def from_dir() -> Iterator[_Doc]:
            for file in files:
                yield _Doc(file.relative_to(root).as_posix(), _read_text(str(file)))

        return from_dir(), len(files)
    if source != "-" and not Path(source).exists():
        raise InputFileError(f"no such file or directory: {source}")
    total = None
    if source != "-":
        with open(source, "rb") as handle:
            total = sum(1 for line in handle if line.strip())
    return _jsonl_docs(source), total


def _jsonl_docs(source: str) -> Iterator[_Doc]:
    handle: IO[str]
    handle = sys.stdin if source == "-" else open(source, encoding="utf-8", newline="")  # noqa: SIM115 - closed by the caller
    name = "standard input" if source == "-" else source
    try:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputFileError(f"{name} line {number}: not JSON ({exc.msg})") from None
            if isinstance(record, str):
                record = {"text": record}
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise InputFileError(f"{name} line {number}: expected an object with a \"text\" string")
            yield _Doc(str(record.get("id", number)), record["text"])
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{name} is not UTF-8 text (byte {exc.start})") from None
    finally:
        if handle is not sys.stdin:
            handle.close()


def _run_corpus(args: argparse.Namespace) -> int:
    from ..api import Normalizer
    from ..text.annotate import detect_lang
    from ..text.render import document_dict

    documents, total = _corpus(args.jsonl)
    normalizer = Normalizer(progress=silent if args.quiet else None)
    output = contextlib.nullcontext(sys.stdout) if args.output is None else _atomic_output(args.output)
    count = 0
    with Reporter("annotate", quiet=args.quiet or None, delay=SHOW_AFTER) as progress, output as out:
        for doc in documents:
            lang = detect_lang(doc.text) if args.lang == "auto" else args.lang
            mentions = normalizer.annotate(doc.text, lang=lang, undecided=args.undecided)
            record = {"id": doc.id, **document_dict(mentions, lang=lang, chars=len(doc.text))}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
            progress("annotating documents", count, total)
        out.flush()
    return 0
