"""The format of the real-data evaluation sets (benchmarks/data/eval_*_{dev,holdout}.tsv).

One row per case, tab-separated, UTF-8, a header line, no quoting. A newline inside a cell
(multi-line addresses) is written as the two characters backslash-n, a tab as backslash-t,
a backslash as two backslashes; `read_cases` undoes that.

Columns (COLUMNS): what the analyst's row holds, and what the answer is.

  input       the cell to resolve (a name, or a whole line of text)
  oblast      an oblast column of the row ('' = none)
  raion       a raion column (current or pre-2020, any spelling; '' = none)
  hromada     a hromada column ('' = none)
  lat, lon    the row's coordinates ('' = none)
  expected    the answer: a KATOTTG ID or country:ua (top-1 must be it); NONE: must not be
              matched at all (placeholders, junk, cells naming several places); NOT_UA: must
              not be matched to a Ukrainian entity (places and regions abroad)
  namesakes   how many units the row's clues, read perfectly, still leave (1: the evidence
              settles it; >1: `ambiguous` is the honest answer; 0: not applicable)
  variant     how the row is written (language, layout, noise), e.g. 'uk-text', 'ru-columns+typo'
  clues       which clues the row carries, '+'-joined from CLUES ('name' alone: none)
  note        where the case comes from (register, code), for a reader

The split (HELD_OUT): a case is held out when crc32 of its unit's ID mod 10 is < 3 (for
NONE/NOT_UA rows: of its input). The held-out files are for measuring only: nobody tunes the
matcher, its weights, its tables or these sets on them, and nobody reads their errors to fix
them. Held-out figures are reported, never chased.
"""

from __future__ import annotations

import csv
import zlib
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

COLUMNS = ("input", "oblast", "raion", "hromada", "lat", "lon", "expected", "namesakes", "variant", "clues", "note")

#: What a row can carry besides its name; `resolve` keywords they feed, where it has them.
CLUES = ("name", "oblast", "raion", "hromada", "near", "text")

#: Expected values that are not entity IDs.
NONE = "NONE"
NOT_UA = "NOT_UA"

#: The sets, in report order: name -> what real data they stand for.
SETS = {
    "raionlist": "a 2013-2015 settlement list by old raion and oblast (KOATUU 2015 / 2019 names)",
    "events": "an OSINT event monitor: a place name with the event's coordinates, no oblast",
    "harm": "a civilian-harm timeline / humanitarian table with oblast, raion and hromada columns",
    "addresses": "postal addresses: a 2013 school list and a courier office list",
    "junk": "placeholders, the country, cells naming several places",
    "foreign": "places and regions abroad, in the text or in the oblast column",
    "phrases": "short phrases around a place name (uk, ru, en, pl)",
}

SPLITS = ("dev", "holdout")


def held_out(key: str) -> bool:
    """The fixed held-out rule: 30% of units (or inputs) by crc32 of the key."""
    return zlib.crc32(key.encode("utf-8")) % 10 < 3


def split_key(row: dict[str, str]) -> str:
    """The key the split hashes: the expected unit, or the input for NONE / NOT_UA rows."""
    return row["input"] if row["expected"] in (NONE, NOT_UA) else row["expected"]


def path(set_name: str, split: str) -> Path:
    """The file of one set and split."""
    return DATA / f"eval_{set_name}_{split}.tsv"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "").replace("\n", "\\n")


def _unescape(value: str) -> str:
    out = []
    chars = iter(value)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        nxt = next(chars, "")
        out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(nxt, "\\" + nxt))
    return "".join(out)


def write_cases(target: Path, rows: list[dict[str, str]]) -> None:
    """Write rows (dicts with every column) to a case file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="") as handle:
        handle.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            handle.write("\t".join(_escape(str(row.get(col, ""))) for col in COLUMNS) + "\n")


def read_cases(source: Path) -> list[dict[str, str]]:
    """The rows of a case file, cells unescaped."""
    with open(source, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if tuple(header) != COLUMNS:
            raise ValueError(f"{source}: header {header} is not {list(COLUMNS)}")
        rows = []
        for number, cells in enumerate(reader, start=2):
            if len(cells) != len(COLUMNS):
                raise ValueError(f"{source}:{number}: {len(cells)} cells, not {len(COLUMNS)}")
            rows.append({col: _unescape(cell) for col, cell in zip(COLUMNS, cells)})
        return rows
