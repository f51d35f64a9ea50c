"""Cleaning a file: CSV, TSV, XLSX, Parquet or JSON Lines in, the same format out, plus the review file.

Every original value is kept byte for byte; outputs are written atomically (all or nothing);
files over a size are streamed rather than loaded whole; JSON Lines go line by line (`jsonl`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gazetteer.files import atomic_outputs
from gazetteer.progress import Progress

from ..errors import ColumnError, InputFileError, OutputError
from .answers import unit_names
from .clues import ClueColumns
from .frames import clean_polars, streaming
from .jsonl import clean_jsonl
from .pool import BatchResolver
from .review import ColumnReport, check_review_target, review_rows, write_review

if TYPE_CHECKING:  # pragma: no cover
    from ..match.session import Matching

#: CSV/TSV files larger than this are streamed, not loaded whole (UANORM_STREAM_BYTES overrides);
#: Parquet is always scanned lazily (its compressed size says little), JSON Lines always read in chunks.
STREAM_BYTES = 64 << 20
@dataclass
class CleanReport:
    """The outcome of cleaning a file: what was written, row and value counts, time."""

    input: str
    output: str
    review: str | None
    rows: int
    columns: list[ColumnReport]
    review_rows: int
    seconds: float
    streamed: bool = False
    notes: list[str] = field(default_factory=list)


def stream_threshold() -> int:
    """Input size above which files are streamed rather than loaded whole."""
    configured = os.environ.get("UANORM_STREAM_BYTES")
    if configured:
        try:
            return int(configured)
        except ValueError:
            raise ValueError(f"UANORM_STREAM_BYTES must be a number of bytes, not {configured!r}") from None
    return STREAM_BYTES


def clean_file(
    input: str,
    output: str,
    *,
    columns: Sequence[str],
    review: str | None = None,
    oblast_column: str | None = None,
    raion_column: str | None = None,
    hromada_column: str | None = None,
    lat_column: str | None = None,
    lon_column: str | None = None,
    oblast: str | None = None,
    kind: str | None = None,
    min_score: float | None = None,
    encoding: str | None = None,
    escape_formulas: bool = False,
    workers: int = 1,
    normalizer: Matching | None = None,
    progress: Progress | None = None,
    stream_bytes: int | None = None,
    sheet: str | None = None,
) -> CleanReport:
    """Clean a table file (or '-' for CSV on stdin/stdout): output with columns added, plus a review file.

    The clue columns (oblast, raion, hromada, lat and lon) say where each row's name is, as `frames.clean`
    describes. `sheet` chooses the sheet of an XLSX input, by name or number (1 = the first, the default).
    A review file holding chosen IDs not yet imported is never overwritten (OutputError).
    """
    from . import formats as io

    started = time.perf_counter()
    if oblast_column is not None and oblast is not None:
        raise ValueError("give --oblast-column or --oblast, not both")
    if (lat_column is None) != (lon_column is None):
        raise ValueError("give both --lat-column and --lon-column, or neither")
    clues = ClueColumns(oblast_column, raion_column, hromada_column, lat_column, lon_column, oblast)
    if not columns:
        raise ValueError("give at least one --column")
    for what, clue_column in clues.columns().items():
        if clue_column in columns:
            raise ColumnError(f"column {clue_column!r} cannot be both resolved and the {what} column")
    in_fmt = io.table_format(input)
    if sheet is not None and in_fmt != "xlsx":
        raise InputFileError(f"--sheet applies to XLSX input; {input} is {in_fmt}")
    out_fmt = io.table_format(output, what="output")
    if (in_fmt == "jsonl") != (out_fmt == "jsonl"):
        raise OutputError("JSON Lines input is written as JSON Lines (and only it): give an output ending in .jsonl")
    source = None if input == io.STDIO else io.check_input(input)
    targets = [Path(p) for p in (output, review) if p is not None and p != io.STDIO]
    if len({str(t.resolve()) for t in targets}) != len(targets):
        raise OutputError("the output and the review file must be different files")
    for target in targets:
        if source is not None and target.exists() and os.path.samefile(target, source):
            raise OutputError(f"{target}: would overwrite the input; the input is never modified")
    with BatchResolver(normalizer, kind=kind, min_score=min_score, workers=workers, progress=progress) as resolver:
        resolver.check(oblast)
        if review is not None and review != io.STDIO:
            check_review_target(Path(review), resolver.normalizer.gazetteer)
        size = source.stat().st_size if source is not None else 0
        limit = stream_bytes if stream_bytes is not None else stream_threshold()
        streamed = source is not None and (in_fmt == "parquet" or size > limit)
        if workers > 1 and size > (8 << 20):
            resolver.start()
        job = FileJob(input, source, output, review, in_fmt, out_fmt, list(columns), clues, encoding,
                      escape_formulas, resolver, streamed, sheet)
        with atomic_outputs(targets, error=OutputError) as outputs:
            rows, reports, notes = job.run(outputs)
            review_count = 0
            if review is not None:
                rows_out = review_rows(reports, unit_names(resolver.normalizer))
                review_count = len(rows_out)
                write_review(outputs.temp(Path(review)), rows_out)
    return CleanReport(input, output, review, rows, reports, review_count, time.perf_counter() - started,
                       streamed, notes)


@dataclass
class FileJob:
    """One `clean_file` run: reads, cleans and writes by format."""

    input: str
    source: Path | None
    output: str
    review: str | None
    in_fmt: str
    out_fmt: str
    columns: list[str]
    clues: ClueColumns
    encoding: str | None
    escape: bool
    resolver: BatchResolver
    streamed: bool
    sheet: str | None = None

    def run(self, outputs: Any) -> tuple[int, list[ColumnReport], list[str]]:
        """Clean into the temporary output; returns (rows, column reports, notes)."""
        from . import formats as io

        notes: list[str] = []
        if self.escape and self.out_fmt not in ("csv", "tsv", "xlsx"):
            notes.append(f"--escape-formulas applies to CSV, TSV and XLSX outputs (and the review file); "
                         f"the {self.out_fmt} output is not escaped")
        target = outputs.temp(Path(self.output)) if self.output != io.STDIO else None
        if self.in_fmt == "jsonl":
            rows, reports, layout = clean_jsonl(self, target)
        else:
            rows, reports, layout = self._table(target, notes)
        if layout is not None and not layout.utf8:
            notes.append(f"input read as {layout.encoding}; output written as UTF-8 with a BOM")
        unknown = self.resolver.unknown_hints
        if unknown:
            shown = ", ".join(repr(u) for u in unknown[:5]) + (" ..." if len(unknown) > 5 else "")
            notes.append(f"{len(unknown)} oblast value(s) name no oblast and were ignored: {shown}")
        for what in ("raion", "hromada"):
            texts = [text for kind, text in self.resolver.unknown_units if kind == what]
            if texts:
                shown = ", ".join(repr(t) for t in texts[:5]) + (" ..." if len(texts) > 5 else "")
                notes.append(f"{len(texts)} {what} value(s) name no {what} and were ignored: {shown}")
        if self.resolver.raion_era is not None:
            notes.append(f"the raion column reads as raions of {self.resolver.raion_era}: names that both the "
                         f"raions of before the 2020 reform and today's have are read as of {self.resolver.raion_era}")
        if self.resolver.bad_points:
            notes.append(f"{self.resolver.bad_points} distinct coordinate pair(s) are not a point (latitude "
                         "-90..90, longitude -180..180, decimal degrees) and were ignored")
        return rows, reports, notes

    def _table(self, target: Path | None, notes: list[str]) -> tuple[int, list[ColumnReport], Any]:
        from . import formats as io

        layout = io.TextLayout()
        scratch: Path | None = None
        try:
            if self.in_fmt in ("csv", "tsv"):
                frame, layout, scratch = self._read_text()
            elif self.in_fmt == "xlsx":
                assert self.source is not None  # XLSX is never read from standard input
                frame = io.read_xlsx(self.source, name=self.input, sheet=self.sheet)
                sheets = io.sheet_names(self.source, name=self.input)
                if self.sheet is None and len(sheets) > 1:
                    notes.append(f"read the first of {len(sheets)} sheets, {sheets[0]!r}; --sheet NAME|NUMBER "
                                 "chooses another")
            else:
                assert self.source is not None  # Parquet is never read from standard input
                frame = io.read_parquet(self.source, name=self.input, lazy=self.streamed)
            cleaned, reports = clean_polars(frame, self.columns, self.resolver, clues=self.clues, name=self.input)
            self.resolver.close()  # every answer is in: the helpers' memory goes back before the write
            rows = reports[0].rows
            if self.escape and self.out_fmt in ("csv", "tsv", "xlsx"):
                schema = cleaned.collect_schema() if hasattr(cleaned, "collect_schema") else cleaned.schema
                import polars as pl

                cleaned = io.escape_formulas(cleaned, [c for c, t in schema.items() if t == pl.String])
            self._write(cleaned, target, layout)
            return rows, reports, layout
        finally:
            if scratch is not None:
                scratch.unlink(missing_ok=True)

    def _read_text(self) -> tuple[Any, Any, Path | None]:
        from . import formats as io

        if not self.streamed:
            if self.source is None:
                data = io.read_stdin_bytes()
            else:
                with open(self.source, "rb") as handle:
                    data = handle.read(io.SNIFF_BYTES + 1)
            if not data:
                raise InputFileError(f"{self.input}: empty file (no header row)")
            complete = len(data) <= io.SNIFF_BYTES
            layout = io.detect_layout(data[: io.SNIFF_BYTES], name=self.input, fmt=self.in_fmt,
                                      encoding=self.encoding, complete=complete)
            if self.source is not None and (layout.utf8 or complete):
                source: bytes | Path = self.source if layout.utf8 else data
            else:
                source = data if self.source is None else self.source.read_bytes()
            return io.read_text_table(source, layout, name=self.input), layout, None
        assert self.source is not None
        with open(self.source, "rb") as handle:
            sample = handle.read(io.SNIFF_BYTES)
        if not sample.strip():
            raise InputFileError(f"{self.input}: empty file (no header row)")
        layout = io.detect_layout(sample, name=self.input, fmt=self.in_fmt, encoding=self.encoding, complete=False)
        head = sample[3:] if layout.bom else sample
        io.header_names(io.decode(head, layout.encoding, name=self.input, final=False), layout.delimiter,
                        name=self.input)
        path, scratch = self.source, None
        if not layout.utf8:  # polars reads UTF-8 only (a BOM it skips by itself)
            out_dir = Path(self.output).parent if self.output != io.STDIO else Path(".")
            import tempfile

            fd, name = tempfile.mkstemp(prefix=".uanorm-utf8-", suffix=".csv", dir=out_dir)
            os.close(fd)
            scratch = Path(name)
            layout = io.transcode_to_utf8(self.source, scratch, layout, name=self.input)
            path = scratch
        return io.scan_text_table(path, layout, name=self.input), layout, scratch

    def _write(self, cleaned: Any, target: Path | None, layout: Any) -> None:
        import polars as pl

        from . import formats as io

        if isinstance(cleaned, pl.LazyFrame):
            try:
                if target is not None and self.out_fmt in ("csv", "tsv"):
                    cleaned.sink_csv(target, **io.csv_write_options(layout, self.out_fmt))
                    return
                if target is not None and self.out_fmt == "parquet":
                    cleaned.sink_parquet(target)
                    return
                if target is None:
                    self._sink_to_stdout(cleaned, layout)
                    return
                cleaned = cleaned.collect(**streaming())
            except pl.exceptions.PolarsError as exc:
                raise InputFileError(f"{self.input}: {str(exc).strip().splitlines()[0]}") from None
        if target is None:
            import io as stdio
            import sys

            buffer = stdio.BytesIO()
            io.write_frame(cleaned, buffer, self.out_fmt, layout)
            sys.stdout.buffer.write(buffer.getvalue())
            sys.stdout.buffer.flush()
            return
        io.write_frame(cleaned, target, self.out_fmt, layout)

    def _sink_to_stdout(self, cleaned: Any, layout: Any) -> None:
        """A streamed result for standard output: sunk to a scratch file, then copied out."""
        import shutil
        import sys
        import tempfile

        from . import formats as io

        with tempfile.TemporaryDirectory(prefix="uanorm-") as scratch:
            path = Path(scratch) / "out.csv"
            cleaned.sink_csv(path, **io.csv_write_options(layout, self.out_fmt))
            with open(path, "rb") as handle:
                shutil.copyfileobj(handle, sys.stdout.buffer, 16 << 20)
            sys.stdout.buffer.flush()
