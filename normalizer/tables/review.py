"""What could not be decided: per-column statistics and the review file a person fills in.

The review file lists each ambiguous or unmatched value once per context (the units its rows'
oblast, raion and hromada name, and its point; spellings of one unit are one context), with its row count, why
it was not decided, and its top candidates with what tells namesakes apart: raion, hromada,
population, point and a map link. A person writes a candidate's number (1-5) or any ID (KATOTTG,
KOATUU, P-code) in chosen_id; `uanorm gazetteer import-variants REVIEW` records each filled row as a
decision for that value in that oblast and raion (a row placed only by its point: around the chosen
entity), which the next `clean` applies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OutputError
from ..match.context import UNIT_SEPARATOR
from ..match.model import MATCHED
from .answers import CANDIDATES_KEPT, Answer, Choice, Context, is_text

if TYPE_CHECKING:  # pragma: no cover
    from gazetteer.api import Gazetteer

#: Candidates listed per row of the review file.
REVIEW_CANDIDATES = CANDIDATES_KEPT
#: What the review file shows of each candidate.
CANDIDATE_PARTS = ("id", "name", "oblast", "raion", "hromada", "population", "point", "map", "score")
#: The review file's columns; `uanorm gazetteer import-variants` reads value, oblast_id, raion_id and chosen_id.
REVIEW_COLUMNS = (
    "column", "value", "oblast", "oblast_id", "raion", "raion_id", "hromada", "point", "count", "status", "why",
    *(f"candidate_{i}_{part}" for i in range(1, REVIEW_CANDIDATES + 1) for part in CANDIDATE_PARTS),
    "chosen_id",
)
#: Characters a review cell holds at most (a longer value is cut and its length said; it is no name anyway).
CELL_MAX = 1000
#: The map a candidate's link opens (OpenStreetMap, its point marked).
MAP_LINK = "https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=13/{lat:.5f}/{lon:.5f}"

#: Reads a row's hint into its units: the canonical form BatchResolver.hint_key gives.
Canonical = Callable[[object], "str | Context | None"]


@dataclass
class Undecided:
    """One value in one context that was not decided: its rows, its answer, its clues as first written."""

    count: int
    answer: Answer
    written: object


@dataclass
class ColumnReport:
    """What cleaning one column found: rows and distinct values by status, values to review."""

    column: str
    canonical: Canonical | None = None
    rows: int = 0
    distinct: int = 0
    rows_by_status: Counter = field(default_factory=Counter)
    distinct_by_status: Counter = field(default_factory=Counter)
    blank_rows: int = 0
    review: dict[tuple[str, Any], Undecided] = field(default_factory=dict)
    values: set[str] = field(default_factory=set)

    def add(self, value: object, hint: object, count: int, answer: Answer) -> None:
        """Count `count` rows of one raw (value, hint) pair."""
        self.rows += count
        self.rows_by_status[answer.status] += count
        if not is_text(value):
            self.blank_rows += count
            return
        assert isinstance(value, str)
        self.distinct += 1
        self.values.add(value)
        self.distinct_by_status[answer.status] += 1
        if answer.status != MATCHED:
            key = (value, self.canonical(hint) if self.canonical is not None else hint)
            entry = self.review.get(key)
            if entry is None:
                self.review[key] = Undecided(count, answer, hint)
            else:
                entry.count += count


def review_rows(reports: Sequence[ColumnReport], unit_name: Callable[[str | None], str | None]) -> list[list[Any]]:
    """Rows of the review file (REVIEW_COLUMNS), most frequent first; `unit_name` names a unit by ID."""
    rows: list[list[Any]] = []
    for report in reports:
        for (value, key), entry in report.review.items():
            written = entry.written if isinstance(entry.written, Context) else Context(_text(entry.written))
            canonical = key if isinstance(key, Context) else Context(key if isinstance(key, str) else None)
            oblast_id = _unit_id(canonical.oblast)
            raion_id = _unit_id(canonical.raion)
            point = "" if canonical.point is None else f"{canonical.point[0]:.5f}, {canonical.point[1]:.5f}"
            row: list[Any] = [report.column, _cap(value), _cap(written.oblast or ""), oblast_id or "",
                              _cap(written.raion or ""), raion_id or "", _cap(written.hromada or ""), point,
                              entry.count, entry.answer.status, entry.answer.why]
            for index in range(REVIEW_CANDIDATES):
                choices = entry.answer.candidates
                row += _candidate_cells(choices[index], unit_name) if index < len(choices) \
                    else [""] * len(CANDIDATE_PARTS)
            rows.append([*row, ""])
    rows.sort(key=lambda r: (-r[8], r[0], r[1], r[2], r[4], r[7]))
    return rows


def _candidate_cells(choice: Choice, unit_name: Callable[[str | None], str | None]) -> list[Any]:
    point = "" if choice.lat is None or choice.lon is None else f"{choice.lat:.5f}, {choice.lon:.5f}"
    link = "" if not point else MAP_LINK.format(lat=choice.lat, lon=choice.lon)
    return [choice.id, choice.name, unit_name(choice.oblast_id) or "", choice.raion or "", choice.hromada or "",
            "" if choice.population is None else choice.population, point, link, f"{choice.score:.3f}"]


def _unit_id(key: str | None) -> str | None:
    """The unit a canonical hint names, for a decision's scope: its one unit, or today's unit among several
    ("Чугуївський": today's raion, which a row naming either reaches); None when it named no unit."""
    if key is None or " " in key or not (key.startswith(("UA", "koatuu:")) or UNIT_SEPARATOR in key):
        return None
    units = sorted(key.split(UNIT_SEPARATOR))
    today = [unit for unit in units if unit.startswith("UA")]
    # one unit; or today's among those of before 2020; or the first (a later row naming the same units
    # reaches it: a scope narrower than anywhere, never wider)
    return today[0] if len(today) == 1 else units[0]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _cap(value: str) -> str:
    """A cell's text, cut at CELL_MAX characters with its full length said."""
    if len(value) <= CELL_MAX:
        return value
    return f"{value[:CELL_MAX]}... [{len(value):,} characters]"


def check_review_target(path: Path, gazetteer: Gazetteer) -> None:
    """Refuse to overwrite a review file holding choices a person made that the user layer does not hold yet."""
    if not path.is_file():
        return
    try:
        report = gazetteer.import_variants(path, dry_run=True, skip_invalid=True)
    except (ValueError, LookupError, OSError):
        return  # not a review file (or unreadable as one): nothing of a person's to lose
    if report.format != "review":
        return
    pending = len(report.added) + len(report.conflicts) + len(report.invalid)
    if pending:
        raise OutputError(
            f"{path}: {pending} row(s) have a chosen_id not imported yet; import them first (uanorm gazetteer "
            f"import-variants {path}) or give another --review file: a person's choices are never overwritten")


def write_review(path: Path, rows: list[list[Any]]) -> None:
    """Write the review file: UTF-8 CSV with a BOM, for spreadsheet programs, formula-like cells escaped.

    An escaped value reads back as the same variant (import removes the quote again), so escaping is
    always on: a review file is opened in a spreadsheet by design.
    """
    import csv

    from gazetteer.textutil import escape_formula

    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REVIEW_COLUMNS)
        for row in rows:
            writer.writerow([escape_formula(cell) if isinstance(cell, str) else cell for cell in row])
