"""The user layer's files: what `import-variants` reads (plain, export, review) and `export` writes.

Formats (the header decides):

- plain: columns ``text`` and ``id`` (optional ``lang``, ``note``); one variant a row;
- export: the plain columns plus ``source``, ``added_at`` and ``action`` (``variant``
  when empty, ``entity``, ``hide``); an ``entity`` row defines a user entity (``id``,
  ``text`` = Ukrainian name, ``name`` = Latin name, ``name_ru``, ``kind``,
  ``parent_id``, ``country``, ``role``), a ``hide`` row hides the built-in ``id``.
  Entities come first so that variants can name them; importing an export into an
  empty layer rebuilds the same state (``source`` and ``added_at`` are informative);
- review: the review file of ``uanorm clean`` (``column,value,oblast,oblast_id,raion,raion_id,hromada,
  point,count,status,why,candidate_1_id,...,chosen_id``): each row with ``chosen_id`` records a decision:
  the value, written in that oblast and raion, is that entity (a candidate's number, a KATOTTG code or
  another ID, a KOATUU code or an OCHA P-code); a row placed only by a point is scoped to the chosen
  entity's oblast and raion; rows left without ``chosen_id`` are counted and skipped;
- a ``decision`` row of an export (``text``, ``id``, ``oblast_id``, ``raion_id``) does the same.

CSV and TSV files may be comma-, semicolon- or tab-separated, UTF-8 (with or without BOM) or
Windows-1251, as spreadsheets save them; XLSX workbooks are read too (the first sheet).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..files import write_text_atomically
from ..textutil import unescape_formula
from .records import EXPORT_COLUMNS, ImportRow


def read_import_file(path: str | os.PathLike[str]) -> tuple[list[ImportRow], str, int]:
    """(rows, format, review rows without chosen_id) of a review file or a plain text,id table.

    CSV or TSV (comma, semicolon or tab; UTF-8 with or without BOM, or Windows-1251 as spreadsheets save it)
    or an XLSX workbook (its first sheet).
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        table = _xlsx_rows(path)
        if not table:
            raise DataError(f"{path} is empty: expected a header with text and id columns (or a review file)")
        return _read_rows(path, iter(table), 0)
    content = _decoded(path)
    lines = content.splitlines(keepends=True)
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        start += 1
    if start == len(lines):
        raise DataError(f"{path} is empty: expected a header with text and id columns (or a review file)")
    header_line = lines[start]
    delimiter = max(("\t", ";", ","), key=header_line.count)
    reader = csv.reader(io.StringIO("".join(lines[start:])), delimiter=delimiter)
    try:
        return _read_rows(path, reader, start)
    except csv.Error as exc:  # a field over csv's limit (128 KB), a broken quote ...
        kind = {"\t": "TSV", ";": "CSV (;)", ",": "CSV"}[delimiter]
        raise DataError(f"{path} line {start + reader.line_num}: cannot be read as {kind} ({exc})") from None


def _decoded(path: Path) -> str:
    """A text file's content: UTF-8 (a BOM allowed), else Windows-1251 when that reads as Cyrillic text."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:  # missing, a directory, unreadable: typed like every other error of the API
        raise DataError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            text = ""
        if _reads_as_cyrillic(text):
            return text
        raise DataError(f"{path} is not UTF-8 text, nor Windows-1251 ({exc.reason} at byte {exc.start}); "
                        "save it as UTF-8") from exc


def _reads_as_cyrillic(text: str) -> bool:
    """Whether a Windows-1251 reading gives Cyrillic words rather than Latin words sprinkled with Cyrillic
    letters (what Latin-1 or another code page read as Windows-1251 looks like: 'cafй')."""
    import re

    cyrillic = mixed = 0
    for word in re.findall(r"[^\W\d_]+", text):
        has_cyrillic = any("\u0400" <= c <= "\u04ff" for c in word)
        if has_cyrillic and any(c.isascii() for c in word):
            mixed += 1
        elif has_cyrillic:
            cyrillic += 1
    return cyrillic > 0 and mixed * 10 <= cyrillic


def _xlsx_rows(path: Path) -> list[list[str]]:
    """The cells of an XLSX file's first sheet as text, row by row (empty cells as '')."""
    import polars as pl

    try:
        frame = pl.read_excel(path, has_header=False, infer_schema_length=0)
    except Exception as exc:  # noqa: BLE001 - the reader raises its own, untyped exceptions for bad workbooks
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path} cannot be read as an XLSX workbook ({message})") from None
    return [["" if value is None else str(value) for value in row] for row in frame.iter_rows()]


def _read_rows(path: Path, reader: Any, start: int) -> tuple[list[ImportRow], str, int]:
    header = [column.strip().lower() for column in next(reader)]
    if "chosen_id" in header and "value" in header:
        return _review_rows(path, header, reader, start)
    missing = [column for column in ("text", "id") if column not in header]
    if missing:
        raise DataError(f"{path} has no {' or '.join(missing)} column: an import file needs text and id columns "
                        "(optional: lang, note, action), or must be the review file of `uanorm clean` "
                        "(columns value ... chosen_id)")
    rows = []
    for number, values in enumerate(reader, start=start + 2):
        if not any(v.strip() for v in values):
            continue
        record = dict(zip(header, values))
        action = (record.get("action") or "variant").strip().lower()
        rows.append(ImportRow(
            line=number, text=record.get("text", ""), entity_id=record.get("id", "").strip(), action=action,
            lang=_blank(record.get("lang")), note=_blank(record.get("note")), kind=_blank(record.get("kind")),
            name=_blank(record.get("name")), name_ru=_blank(record.get("name_ru")),
            parent_id=_blank(record.get("parent_id")), country=_blank(record.get("country")),
            role=_blank(record.get("role")), oblast_id=_blank(record.get("oblast_id")),
            raion_id=_blank(record.get("raion_id")),
        ))
    return rows, "plain", 0


def _review_rows(path: Path, header: list[str], reader: Iterator[list[str]], start: int
                 ) -> tuple[list[ImportRow], str, int]:
    """Each filled row of a review file as a decision: the value, in the row's oblast and raion, is chosen_id."""
    rows = []
    skipped = 0
    numbers = sorted({int(name.split("_")[1]) for name in header
                      if name.startswith("candidate_") and name.endswith("_id") and name.split("_")[1].isdigit()})
    for number, values in enumerate(reader, start=start + 2):
        if not any(v.strip() for v in values):
            continue
        record = dict(zip(header, values))
        chosen = (record.get("chosen_id") or "").strip()
        if not chosen:
            skipped += 1
            continue
        where = ", ".join(f"{key} {record[key].strip()}" for key in ("column", "oblast", "raion", "count")
                          if (record.get(key) or "").strip())
        candidates = tuple((record.get(f"candidate_{n}_id") or "").strip() for n in numbers)
        rows.append(ImportRow(line=number, text=unescape_formula(record.get("value", "")), entity_id=chosen,
                              action="decision", note=f"review of {path.name}" + (f" ({where})" if where else ""),
                              oblast_id=_blank(record.get("oblast_id")), raion_id=_blank(record.get("raion_id")),
                              candidates=candidates, placed_by_point=bool(_blank(record.get("point")))))
    return rows, "review", skipped


def write_export(rows: list[dict[str, str]], destination: str | os.PathLike[str] | None) -> str:
    """The rows as TSV (EXPORT_COLUMNS); written atomically to `destination` if given. Returns the text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    text = buffer.getvalue()
    if destination is not None:
        write_text_atomically(Path(destination), text)
    return text


def export_row(**values: Any) -> dict[str, str]:
    """One row of an export file (EXPORT_COLUMNS, empty strings for missing values)."""
    return {column: "" if values.get(column) is None else str(values[column]) for column in EXPORT_COLUMNS}


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None
