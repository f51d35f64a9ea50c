"""`uanorm clean`: add canonical ID, name and status columns to a table, plus a review file."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from gazetteer.progress import SHOW_AFTER, Reporter, silent

from ..match.model import STATUSES

EPILOG = """\
formats by extension: .csv .tsv .xlsx .parquet .jsonl; '-' is CSV on stdin/stdout.
For each COL the output gains, right after COL: COL_id, COL_name, COL_name_uk,
COL_oblast_id, COL_kind, COL_status, COL_score, COL_oblast, COL_raion_id, COL_raion,
COL_hromada_id, COL_hromada, COL_lat, COL_lon and COL_method. Ambiguous and unmatched
values keep the entity fields empty. The review file lists each of them once per
context (oblast, raion, hromada), with its row count, why it was not decided and five
candidates (raion, hromada, population, point, map link); write a candidate's number
or any ID in chosen_id and run `uanorm gazetteer import-variants REVIEW`: the next
clean answers that value in that oblast and raion as chosen. A review file with
chosen IDs not yet imported is never overwritten.

--min-score S: a match scoring below S (0..1) is reported as ambiguous and goes to
review. Scores are the matcher's confidence in its best candidate: 1.0 an exact current
name or an ID; about 0.9 an official former name, a romanization or an inflected form;
0.8-0.9 a corrected typo. A match is decided by the margin over the other candidates
and by the clues, not by its score alone, so most users need no --min-score.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `clean` command."""
    parser = subparsers.add_parser(
        "clean",
        help="resolve a column of names in a CSV/TSV/XLSX/Parquet/JSONL table",
        description="Resolve the names in one or more columns of a table to canonical entities.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", metavar="INPUT", help="table to clean ('-': CSV on standard input)")
    parser.add_argument("--column", "-c", action="append", required=True, metavar="COL",
                        help="column of names to resolve (repeat for more)")
    parser.add_argument("-o", "--output", metavar="OUTPUT",
                        help="output table (default: INPUT's name with .clean before the extension; "
                             "'-': CSV on standard output)")
    parser.add_argument("--review", metavar="REVIEW",
                        help="review file, CSV (default: INPUT's name with .review.csv, beside the output; "
                             "none when writing to standard output)")
    parser.add_argument("--no-review", action="store_true", help="write no review file")
    hints = parser.add_mutually_exclusive_group()
    hints.add_argument("--oblast-column", metavar="C", help="column with each row's oblast (any spelling)")
    hints.add_argument("--oblast", metavar="X", help="one oblast for all rows (name, KATOTTG code or UA-NN)")
    parser.add_argument("--raion-column", metavar="C",
                        help="column with each row's raion: today's or one of before 2020 (name, KATOTTG or "
                             "KOATUU code)")
    parser.add_argument("--hromada-column", metavar="C", help="column with each row's hromada (name or ID)")
    parser.add_argument("--lat-column", metavar="C", help="column with each row's latitude (decimal degrees)")
    parser.add_argument("--lon-column", metavar="C", help="column with each row's longitude (decimal degrees)")
    parser.add_argument("--kind", metavar="K", help="only entities of this kind (comma-separated kinds allowed)")
    parser.add_argument("--min-score", type=float, metavar="S",
                        help="report matches scoring below S (0..1) as ambiguous")
    parser.add_argument("--encoding", metavar="E",
                        help="input encoding (default: detect UTF-8, UTF-8 with BOM or Windows-1251)")
    parser.add_argument("--escape-formulas", action="store_true",
                        help="prefix cells starting with = + - @ with ' in CSV/TSV/XLSX output")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="processes resolving values, this one included (default: the CPU count, at most 4)")
    parser.add_argument("--sheet", metavar="SHEET",
                        help="XLSX input: the sheet to clean, by name or number (1 = the first; default: the first)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress display and no summary")
    parser.set_defaults(handler=run)


def default_paths(input: str, output: str | None, review: str | None, no_review: bool) -> tuple[str, str | None]:
    """The output and review paths, defaults filled in."""
    if output is None:
        if input == "-":
            output = "-"
        else:
            source = Path(input)
            output = str(source.with_name(f"{source.stem}.clean{source.suffix}"))
    if no_review:
        return output, None
    if review is None and output != "-":
        stem = Path(input).stem if input != "-" else Path(output).stem
        review = str(Path(output).with_name(f"{stem}.review.csv"))
    return output, review


def run(args: argparse.Namespace) -> int:
    """Clean the table and print a summary to stderr."""
    from ..api import Normalizer
    from ..tables.files import clean_file

    if args.min_score is not None and not 0.0 <= args.min_score <= 1.0:
        raise ValueError("--min-score must be between 0 and 1")
    workers = args.workers if args.workers is not None else max(1, min(os.cpu_count() or 1, 4))
    if workers < 1:
        raise ValueError("--workers must be at least 1")
    output, review = default_paths(args.input, args.output, args.review, args.no_review)
    normalizer = Normalizer(progress=silent if args.quiet else None)
    with Reporter("clean", quiet=args.quiet or None, delay=SHOW_AFTER) as progress:
        report = clean_file(
            args.input, output, columns=args.column, review=review, oblast_column=args.oblast_column,
            raion_column=args.raion_column, hromada_column=args.hromada_column, lat_column=args.lat_column,
            lon_column=args.lon_column, oblast=args.oblast, kind=args.kind, min_score=args.min_score,
            encoding=args.encoding,
            escape_formulas=args.escape_formulas, workers=workers, normalizer=normalizer, progress=progress,
            sheet=args.sheet,
        )
    if not args.quiet:
        print(summary(report), file=sys.stderr)
    return 0


def summary(report: Any) -> str:
    """The end-of-run summary: rows, distinct values, counts and shares by status, time."""
    where = "standard output" if report.output == "-" else report.output
    lines = [f"uanorm clean: {report.rows:,} rows in {report.seconds:.2f} s -> {where}"
             + (" (streamed)" if report.streamed else "")]
    if report.review:
        lines.append(f"  review: {report.review} ({report.review_rows:,} values to review)")
    for column in report.columns:
        pairs = f" in {column.distinct:,} (value, clues) pairs" if column.distinct != len(column.values) else ""
        lines.append(f"  {column.column}: {len(column.values):,} distinct values{pairs}")
        for status in STATUSES:
            rows = column.rows_by_status.get(status, 0)
            share = rows / column.rows * 100 if column.rows else 0.0
            lines.append(f"    {status:<10} {rows:>12,} rows {share:6.1f}%   "
                         f"{column.distinct_by_status.get(status, 0):>9,} distinct")
        if column.blank_rows:
            lines.append(f"    ({column.blank_rows:,} of the unmatched rows are empty cells)")
    lines.extend(f"  note: {note}" for note in report.notes)
    return "\n".join(lines)
