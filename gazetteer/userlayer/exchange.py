"""The user layer's files: what `import-variants` reads (plain, export, review) and `export` writes.

Formats (UTF-8, comma or tab separated, the header decides):

- plain: columns ``text`` and ``id`` (optional ``lang``, ``note``); one variant a row;
- export: the plain columns plus ``source``, ``added_at`` and ``action`` (``variant``
  when empty, ``entity``, ``hide``); an ``entity`` row defines a user entity (``id``,
  ``text`` = Ukrainian name, ``name`` = Latin name, ``name_ru``, ``kind``,
  ``parent_id``, ``country``, ``role``), a ``hide`` row hides the built-in ``id``.
  Entities come first so that variants can name them; importing an export into an
  empty layer rebuilds the same state (``source`` and ``added_at`` are informative);
- review: the review file of ``uanorm clean`` (``column,value,oblast,count,status,
  candidate_1_id,...,chosen_id``): each row with ``chosen_id`` adds ``value`` as a
  variant of that ID; rows left without ``chosen_id`` are counted and skipped.
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
    """(rows, format, review rows without chosen_id) of a review file or a plain text,id CSV/TSV."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            content = handle.read()
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from exc
    except OSError as exc:  # missing, a directory, unreadable: typed like every other error of the API
        raise DataError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from exc
    lines = content.splitlines(keepends=True)
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        start += 1
    if start == len(lines):
        raise DataError(f"{path} is empty: expected a header with text and id columns (or a review file)")
    header_line = lines[start]
    delimiter = "\t" if header_line.count("\t") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO("".join(lines[start:])), delimiter=delimiter)
    try:
        return _read_rows(path, reader, start)
    except csv.Error as exc:  # a field over csv's limit (128 KB), a broken quote ...
        raise DataError(f"{path} line {start + reader.line_num}: cannot be read as "
                        f"{'TSV' if delimiter == chr(9) else 'CSV'} ({exc})") from None


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
            role=_blank(record.get("role")),
        ))
    return rows, "plain", 0


def _review_rows(path: Path, header: list[str], reader: Iterator[list[str]], start: int
                 ) -> tuple[list[ImportRow], str, int]:
    rows = []
    skipped = 0
    for number, values in enumerate(reader, start=start + 2):
        if not any(v.strip() for v in values):
            continue
        record = dict(zip(header, values))
        chosen = (record.get("chosen_id") or "").strip()
        if not chosen:
            skipped += 1
            continue
        where = ", ".join(f"{key} {record[key].strip()}" for key in ("column", "oblast", "count")
                          if (record.get(key) or "").strip())
        rows.append(ImportRow(line=number, text=unescape_formula(record.get("value", "")), entity_id=chosen,
                              note=f"review of {path.name}" + (f" ({where})" if where else "")))
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
