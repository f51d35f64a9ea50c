"""Tables in and out for `uanorm clean`: formats, encodings, delimiters, atomic writes.

Every table is read as text (no type inference: "007" stays "007"), except Parquet,
whose columns keep their own types. CSV/TSV are decoded as UTF-8 (with or without
BOM) or Windows-1251 (detected), and written as UTF-8 (with a BOM when the input had
one or was Windows-1251, so that spreadsheet programs read it right). Outputs are
written to a temporary file in the target directory, fsynced and renamed into place:
an error at any point leaves no file behind.

CSV rules: the delimiter is sniffed among , ; TAB (TSV files use TAB); a row with more
fields than the header is an error naming its line; a row with fewer fields is padded
with empty cells; a header naming a column twice is an error. Empty unquoted cells are
written back empty, quoted empty cells as "".
"""

from __future__ import annotations

import codecs
import copy
import csv
import io
import json
import os
import re
import sys
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from gazetteer.textutil import FORMULA_START

from ..errors import ColumnError, InputFileError, OutputError

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

#: File extensions and the format each one means.
FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
STDIO = "-"
#: Delimiters sniffed in CSV input, most common first.
DELIMITERS = (",", ";", "\t")
#: How much of a file the encoding and delimiter are judged from.
SNIFF_BYTES = 1 << 20
#: Rows an XLSX sheet can hold below its header.
XLSX_MAX_ROWS = 1_048_575
#: XLSX bounds, checked on the zip before the workbook is read (a workbook is read whole, about 12x its
#: expanded XML in memory): parts expanding past XLSX_RATIO_FROM bytes at more than XLSX_MAX_RATIO times
#: their compressed size are refused (a zip bomb), and so is a workbook expanding past XLSX_MAX_EXPANDED.
XLSX_RATIO_FROM = 32 << 20
XLSX_MAX_RATIO = 100
XLSX_MAX_EXPANDED = 1 << 30
#: Bytes inflated at a time when checking that the zip's parts expand to no more than they declare.
XLSX_CHECK_CHUNK = 1 << 20
#: Parquet bounds, from the file's metadata before any data is read (a value is held whole, several times
#: over): a column chunk (one column of one row group) expanding past PARQUET_MAX_CHUNK bytes, or past
#: PARQUET_MAX_VALUE bytes a value on average (above PARQUET_VALUE_FROM), is refused. Files of any
#: length are read one row group at a time.
PARQUET_MAX_CHUNK = 256 << 20
PARQUET_MAX_VALUE = 64 << 10
#: Column chunks below this size are never refused for their average value size (a few long cells).
PARQUET_VALUE_FROM = 16 << 20
_WINDOWS_1251 = "cp1251"


@dataclass(frozen=True)
class TextLayout:
    """How a text table is laid out: encoding, BOM, delimiter, line ending."""

    encoding: str = "utf-8"
    bom: bool = False
    delimiter: str = ","
    newline: str = "\n"
    format: str = "csv"

    @property
    def utf8(self) -> bool:
        """Whether the bytes can go to polars as they are."""
        return self.encoding == "utf-8"


def table_format(path: str, *, what: str = "input") -> str:
    """The format a path names by its extension ('-' is CSV on stdin/stdout)."""
    if path == STDIO:
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise (InputFileError if what == "input" else OutputError)(
            f"{path}: unknown {what} format {suffix or '(no extension)'!r}; use one of {known}")
    return FORMATS[suffix]


def check_input(path: str) -> Path:
    """The input path, checked to be a readable regular file."""
    target = Path(path)
    if not target.exists():
        raise InputFileError(f"{path}: no such file")
    if target.is_dir():
        raise InputFileError(f"{path}: is a directory, not a table")
    if not os.access(target, os.R_OK):
        raise InputFileError(f"{path}: permission denied")
    return target


# -- encodings and delimiters -----------------------------------------------------------


def _codec(name: str) -> str:
    """The codec's canonical name; InputFileError when it is unknown or not a text encoding (rot13, zlib ...)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise InputFileError(f"unknown encoding {name!r} (try utf-8, utf-8-sig or cp1251)") from None
    if not getattr(info, "_is_text_encoding", True):  # bytes-to-bytes or str-to-str: decode() would fail
        raise InputFileError(f"encoding {name!r} is not a text encoding (its codec turns bytes into bytes or "
                             "text into text); give one such as utf-8, utf-8-sig or cp1251")
    return info.name


def detect_layout(sample: bytes, *, name: str, fmt: str, encoding: str | None = None,
                  complete: bool = True) -> TextLayout:
    """Encoding, BOM, delimiter and line ending of a text table, judged from its first bytes."""
    bom = sample.startswith(codecs.BOM_UTF8)
    if encoding is not None:
        codec = _codec(encoding)
        if codec in ("utf-8-sig", "utf-8"):
            codec = "utf-8"
        else:
            bom = False
    elif bom:
        codec = "utf-8"
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputFileError(f"{name}: the file is UTF-16; give --encoding utf-16 (or save it as UTF-8)")
    else:
        codec = sniff_encoding(sample, name=name, complete=complete)
    text = decode(sample[3:] if bom else sample, codec, name=name, final=complete)
    delimiter = "\t" if fmt == "tsv" else sniff_delimiter(text) if fmt == "csv" else ","
    first_line_end = text.find("\n")
    newline = "\r\n" if first_line_end > 0 and text[first_line_end - 1] == "\r" else "\n"
    return TextLayout(codec, bom, delimiter, newline, fmt)


def sniff_encoding(sample: bytes, *, name: str, complete: bool = True) -> str:
    """'utf-8' when the bytes are valid UTF-8, 'cp1251' when they read as Cyrillic text in it."""
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = sample.decode(_WINDOWS_1251)
    except UnicodeDecodeError:
        text = ""
    if text and looks_cyrillic(text):
        return _WINDOWS_1251
    raise InputFileError(f"{name}: not UTF-8, and not Windows-1251 Cyrillic either; "
                         "give the encoding with --encoding (e.g. --encoding cp1252)")


def looks_cyrillic(text: str) -> bool:
    """Whether the non-ASCII letters of a text are mostly Cyrillic words (not stray accents)."""
    in_words = other = 0
    previous = ""
    for index, char in enumerate(text):
        if ord(char) < 128:
            previous = char
            continue
        if "\u0400" <= char <= "\u04ff":
            following = text[index + 1] if index + 1 < len(text) else ""
            if "\u0400" <= previous <= "\u04ff" or "\u0400" <= following <= "\u04ff":
                in_words += 1
            else:
                other += 1
        elif char.isalpha():
            other += 1
        previous = char
    return in_words > 0 and in_words >= 4 * other


def decode(data: bytes, codec: str, *, name: str, final: bool = True) -> str:
    """Bytes to text, with a clear error naming the offset of the first bad byte."""
    try:
        return codecs.getincrementaldecoder(codec)("strict").decode(data, final)
    except UnicodeDecodeError as exc:
        hint = "give the right one with --encoding" if codec != "utf-8" else "give --encoding (e.g. cp1251)"
        raise InputFileError(f"{name}: byte {exc.start} is not valid {codec}; {hint}") from None


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; TAB that splits the first lines into the most consistent fields."""
    lines = text.splitlines()[:50]
    if len(text) >= SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # possibly cut short
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = [row for row in csv.reader(lines, delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(len(row) == width for row in rows) / len(rows)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def header_names(text: str, delimiter: str, *, name: str) -> list[str]:
    """The header of a text table; raises InputFileError on an empty file or duplicate names."""
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter), None)
    except csv.Error as exc:
        raise InputFileError(f"{name}: the header cannot be read: {exc}") from None
    if not header:
        raise InputFileError(f"{name}: empty file (no header row)")
    check_unique(header, name=name)
    return header


def check_unique(names: Sequence[str], *, name: str) -> None:
    """Raise InputFileError when a header repeats a name (its columns could not be told apart)."""
    seen: set[str] = set()
    for column in names:
        if column in seen:
            raise InputFileError(f"{name}: the header names column {column!r} twice; column names must be unique")
        seen.add(column)


# -- reading ------------------------------------------------------------------------------


def accepts(function: Any, parameter: str) -> bool:
    """Whether a (polars) function takes this keyword: options differ between polars 1.x and 2.x."""
    import inspect

    return parameter in inspect.signature(function).parameters


def _csv_options(layout: TextLayout) -> dict[str, Any]:
    import polars as pl

    options: dict[str, Any] = {"separator": layout.delimiter, "infer_schema": False, "quote_char": '"'}
    if accepts(pl.read_csv, "raise_if_empty"):
        options["raise_if_empty"] = True
    return options


def read_text_table(data: bytes | Path, layout: TextLayout, *, name: str) -> pl.DataFrame:
    """A CSV/TSV (bytes in memory, or a UTF-8 file read directly) as a DataFrame of strings.

    Empty unquoted cells become null and are written back empty; quoted empty cells stay "".
    """
    import polars as pl

    if isinstance(data, Path):
        with open(data, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
        source: bytes | Path = data
    else:
        body = data[3:] if layout.bom else data
        if not layout.utf8:
            body = decode(body, layout.encoding, name=name).encode("utf-8")
        head, source = body[:SNIFF_BYTES], body
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    if not head.strip():
        raise InputFileError(f"{name}: empty file (no header row)")
    header_names(head.decode("utf-8", "replace"), layout.delimiter, name=name)
    try:
        return pl.read_csv(source, **_csv_options(layout))
    except pl.exceptions.PolarsError as exc:
        body = source.read_bytes() if isinstance(source, Path) else source
        raise InputFileError(diagnose_csv(body, layout, name=name, error=exc)) from None


def scan_text_table(path: Path, layout: TextLayout, *, name: str) -> pl.LazyFrame:
    """A UTF-8 CSV/TSV file as a LazyFrame of strings, for the streaming path."""
    import polars as pl

    options = _csv_options(layout)
    options.pop("raise_if_empty", None)
    return pl.scan_csv(path, **options)


def diagnose_csv(body: bytes, layout: TextLayout, *, name: str, error: Exception) -> str:
    """A one-line message for a CSV polars cannot read: the first malformed record if found."""
    if "utf-8" in str(error).lower() or "utf8" in str(error).lower():
        return f"{name}: not valid UTF-8 throughout; give the encoding with --encoding (e.g. cp1251)"
    text = body[: 64 << 20].decode("utf-8", "replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter, strict=True)
    try:
        header = next(reader)
        for record in reader:
            if len(record) > len(header):
                return (f"{name}: malformed row at line {reader.line_num}: {len(record)} fields where the "
                        f"header has {len(header)}")
    except csv.Error as exc:
        return f"{name}: malformed CSV at line {reader.line_num}: {exc}"
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"{name}: cannot be read as {'TSV' if layout.delimiter == chr(9) else 'CSV'}: {first}"


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MiB"


def check_xlsx(path: Path, *, name: str) -> None:
    """Refuse a workbook that is not a zip archive, or whose parts would expand past the XLSX bounds.

    The sizes the zip declares are judged first (nothing inflated); then every part is inflated in
    XLSX_CHECK_CHUNK steps, to make sure none expands to more than it declares (a forged size).
    """
    advice = "save the sheet as CSV or Parquet (read in bounded memory) and clean that instead"
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            parts = [(member.file_size, member.compress_size, f"part {member.filename!r}") for member in members]
            parts.append((sum(p[0] for p in parts), sum(p[1] for p in parts), "workbook"))
            for size, compressed, what in parts:
                ratio = size / max(compressed, 1)
                if size > XLSX_MAX_EXPANDED or (size > XLSX_RATIO_FROM and ratio > XLSX_MAX_RATIO):
                    raise InputFileError(
                        f"{name}: refused: its {what} expands to {_mib(size)} from {_mib(compressed)} "
                        f"({ratio:,.0f}x; uanorm reads XLSX up to {_mib(XLSX_MAX_EXPANDED)}, and past "
                        f"{_mib(XLSX_RATIO_FROM)} at most {XLSX_MAX_RATIO}x): a zip bomb, or too big a "
                        f"workbook to read whole; {advice}")
            for member in members:
                _check_member_size(archive, member, name=name, advice=advice)
    except InputFileError:
        raise
    except OSError as exc:
        raise InputFileError(f"{name}: cannot be read: {exc.strerror or exc}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError,
            RuntimeError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputFileError(f"{name}: not a readable XLSX workbook (damaged, encrypted or not a zip archive: "
                             f"{reason}); open and save it again in a spreadsheet program, or save it as CSV"
                             ) from None


def _check_member_size(archive: zipfile.ZipFile, member: zipfile.ZipInfo, *, name: str, advice: str) -> None:
    probe = copy.copy(member)
    probe.file_size = 1 << 62  # zipfile stops at the declared size (without telling): here the real end counts
    inflated = 0
    with archive.open(probe) as part:
        while True:
            chunk = part.read(XLSX_CHECK_CHUNK)
            if not chunk:
                return
            inflated += len(chunk)
            if inflated > member.file_size:
                raise InputFileError(f"{name}: refused: part {member.filename!r} expands to more than the "
                                     f"{member.file_size:,} bytes it declares (a forged zip); {advice}")


def _unreadable_workbook(exc: Exception, *, name: str) -> InputFileError:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputFileError(f"{name}: cannot be read as an XLSX workbook: {message}")


def sheet_names(path: Path, *, name: str) -> list[str]:
    """The names of a workbook's sheets, in order."""
    import fastexcel

    try:
        return list(fastexcel.read_excel(path).sheet_names)
    except Exception as exc:  # noqa: BLE001 - fastexcel raises its own, untyped exceptions for bad workbooks
        raise _unreadable_workbook(exc, name=name) from None


def pick_sheet(sheets: Sequence[str], sheet: str | None, *, name: str) -> str:
    """The sheet `sheet` names, by name or by number (1 = the first); the first sheet when None."""
    if not sheets:
        raise InputFileError(f"{name}: the workbook has no sheet")
    if sheet is None:
        return sheets[0]
    if sheet in sheets:
        return sheet
    text = sheet.strip()
    if text.isdigit() and 1 <= int(text) <= len(sheets):
        return sheets[int(text) - 1]
    listed = ", ".join(f"{number} {title!r}" for number, title in enumerate(sheets, start=1))
    raise InputFileError(f"{name}: no sheet {sheet!r}; its sheets are {listed} (give --sheet a name or a number)")


def read_xlsx(path: Path, *, name: str, sheet: str | None = None) -> pl.DataFrame:
    """One sheet of a workbook (by name or number; default the first) as a DataFrame of strings, empty rows
    and columns kept (bounds checked)."""
    import polars as pl

    check_xlsx(path, name=name)
    chosen = pick_sheet(sheet_names(path, name=name), sheet, name=name)
    options: dict[str, Any] = {"infer_schema_length": 0, "sheet_name": chosen}
    for flag in ("drop_empty_rows", "drop_empty_cols"):
        if accepts(pl.read_excel, flag):
            options[flag] = False
    if accepts(pl.read_excel, "raise_if_empty"):
        options["raise_if_empty"] = False
    try:
        frame = pl.read_excel(path, **options)
    except Exception as exc:  # noqa: BLE001 - fastexcel raises its own, untyped exceptions for bad workbooks
        raise _unreadable_workbook(exc, name=name) from None
    if not frame.columns:
        raise InputFileError(f"{name}: the sheet {chosen!r} is empty (no header row)")
    return frame.cast(dict.fromkeys(frame.columns, pl.String))


def check_parquet(path: Path, *, name: str) -> None:
    """Refuse a Parquet file whose metadata gives a column chunk past the Parquet bounds (nothing else read)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_metadata(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputFileError(f"{name}: cannot be read as Parquet: {message}") from None
    for group_number in range(metadata.num_row_groups):
        group = metadata.row_group(group_number)
        for column_number in range(group.num_columns):
            chunk = group.column(column_number)
            size, values = chunk.total_uncompressed_size, max(chunk.num_values, 1)
            if size <= PARQUET_MAX_CHUNK and (size <= PARQUET_VALUE_FROM or size <= PARQUET_MAX_VALUE * values):
                continue
            raise InputFileError(
                f"{name}: refused: column {chunk.path_in_schema!r} of row group {group_number + 1} expands to "
                f"{_mib(size)} from {_mib(chunk.total_compressed_size)} ({size // values:,} bytes a value on "
                f"average); uanorm reads Parquet one row group at a time, at most {_mib(PARQUET_MAX_CHUNK)} a "
                f"column and {PARQUET_MAX_VALUE >> 10} KiB a value on average (a decompression bomb, or row "
                "groups too large): write it with smaller row groups (e.g. pyarrow row_group_size=100_000) "
                "or as CSV")


def read_parquet(path: Path, *, name: str, lazy: bool = False) -> pl.DataFrame | pl.LazyFrame:
    """A Parquet file, its columns with their own types (eager, or lazy for streaming); bounds checked first."""
    import polars as pl

    check_parquet(path, name=name)
    try:
        if lazy:
            frame = pl.scan_parquet(path)
            frame.collect_schema()
            return frame
        return pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputFileError(f"{name}: cannot be read as Parquet: {message}") from None


def read_stdin_bytes() -> bytes:
    """All of standard input, as bytes."""
    stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else sys.stdin
    data = stream.read()
    return data.encode("utf-8") if isinstance(data, str) else data


# -- writing ------------------------------------------------------------------------------


def escape_formulas(frame: pl.DataFrame | pl.LazyFrame, columns: Sequence[str]) -> Any:
    """Prefix string cells that a spreadsheet would run as formulas with a single quote."""
    import polars as pl

    pattern = "^[" + re.escape("".join(FORMULA_START)) + "]"
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(pattern)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in columns
    )


def csv_write_options(layout: TextLayout, fmt: str) -> dict[str, Any]:
    """polars write_csv/sink_csv options that give back the input's layout (UTF-8 always)."""
    delimiter = "\t" if fmt == "tsv" else (layout.delimiter if layout.format == "csv" else ",")
    return {
        "separator": delimiter,
        "include_bom": layout.bom or not layout.utf8,
        "line_terminator": layout.newline,
        "quote_style": "necessary",
    }


def write_frame(frame: pl.DataFrame, target: Path | IO[bytes], fmt: str, layout: TextLayout) -> None:
    """Write a DataFrame as CSV, TSV, XLSX or Parquet (to a path or a binary stream)."""
    if fmt in ("csv", "tsv"):
        frame.write_csv(target, **csv_write_options(layout, fmt))
    elif fmt == "parquet":
        frame.write_parquet(target)
    elif fmt == "xlsx":
        write_xlsx(frame, target)
    else:  # pragma: no cover - callers route jsonl elsewhere
        raise OutputError(f"cannot write {fmt} from a DataFrame")


def write_xlsx(frame: pl.DataFrame, target: Path | IO[bytes]) -> None:
    """A DataFrame as one sheet; strings stay strings (never turned into formulas or numbers)."""
    import xlsxwriter

    if frame.height > XLSX_MAX_ROWS:
        raise OutputError(f"{frame.height:,} rows do not fit in an XLSX sheet (at most {XLSX_MAX_ROWS:,}); "
                          "write CSV or Parquet instead")
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
               "strings_to_urls": False, "nan_inf_to_errors": True}
    workbook = xlsxwriter.Workbook(target, options)
    sheet = workbook.add_worksheet()
    for col, column in enumerate(frame.columns):
        sheet.write_string(0, col, str(column))
    for row_number, row in enumerate(frame.iter_rows(), start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(row_number, col, value)
            elif isinstance(value, bool):
                sheet.write_boolean(row_number, col, value)
            elif isinstance(value, (int, float)):
                sheet.write_number(row_number, col, value)
            else:
                sheet.write_string(row_number, col, str(value))
    workbook.close()


def transcode_to_utf8(source: Path, target: Path, layout: TextLayout, *, name: str) -> TextLayout:
    """Copy a text table into `target` as UTF-8 (no BOM), chunk by chunk; returns the new layout."""
    decoder = codecs.getincrementaldecoder(layout.encoding)("strict")
    offset = 0
    with open(source, "rb") as reader, open(target, "wb") as writer:
        if layout.bom:
            reader.read(3)
            offset = 3
        while True:
            chunk = reader.read(16 << 20)
            try:
                writer.write(decoder.decode(chunk, not chunk).encode("utf-8"))
            except UnicodeDecodeError as exc:
                raise InputFileError(f"{name}: byte {offset + exc.start} is not valid {layout.encoding}; "
                                     "give the right one with --encoding") from None
            if not chunk:
                break
            offset += len(chunk)
    return replace(layout, encoding="utf-8", bom=layout.bom or not layout.utf8)


def missing_column(column: str, available: Sequence[str], *, name: str, what: str = "column") -> ColumnError:
    """The error for a column that is not there, listing the ones that are."""
    shown = ", ".join(repr(c) for c in list(available)[:30])
    more = f" and {len(available) - 30} more" if len(available) > 30 else ""
    return ColumnError(f"{name}: no {what} {column!r}; the columns are {shown}{more}")


_JSON_OPEN = re.compile(r'[ \t\n\r]*\{[ \t\n\r]*(?:"((?:[^"\\\x00-\x1f]|\\.)*)"[ \t\n\r]*:[ \t\n\r]*)?')
_JSON_NEXT = re.compile(r'[ \t\n\r]*(?:,[ \t\n\r]*"((?:[^"\\\x00-\x1f]|\\.)*)"[ \t\n\r]*:[ \t\n\r]*|(\})[ \t\n\r]*)')
_JSON_DECODER = json.JSONDecoder()


def json_members(text: str) -> tuple[list[tuple[str, Any, int, int]], int]:
    """The top-level members of a JSON object line as (key, value, start, end), and its '}' offset.

    Offsets let a caller insert fields next to a member while every other byte stays as written.
    Keys and separators are read by regular expression, values by the json module's C scanner.
    """
    token = _JSON_OPEN.match(text)
    if token is None:
        raise ValueError("not a JSON object")
    members: list[tuple[str, Any, int, int]] = []
    if token.group(1) is None:  # no first key: must be {}
        index = token.end()
        if not text.startswith("}", index):
            raise ValueError(f"expected a field name at column {index + 1}")
        if text[index + 1:].strip(" \t\n\r"):
            raise ValueError("text after the JSON object")
        return members, index
    while True:
        key = token.group(1)
        if "\\" in key:
            key = json.loads(f'"{key}"')
        start = token.end()
        try:
            value, end = _JSON_DECODER.raw_decode(text, start)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
        members.append((key, value, start, end))
        token = _JSON_NEXT.match(text, end)
        if token is None:
            raise ValueError(f"expected ',' and a field name, or '}}', at column {end + 1}")
        if token.group(2) is not None:
            if token.end() != len(text):
                raise ValueError("text after the JSON object")
            return members, token.start(2)
