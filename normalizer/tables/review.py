"""What could not be decided: per-column statistics and the review file a person fills in.

The review file lists each ambiguous or unmatched (value, oblast) once with its row count and
top candidates; `uanorm gazetteer import-variants` reads back the rows whose chosen_id is filled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..match.model import MATCHED
from .answers import CANDIDATES_KEPT, Answer, Key, is_text

#: Candidates listed per row of the review file.
REVIEW_CANDIDATES = CANDIDATES_KEPT
#: The review file's columns; `uanorm gazetteer import-variants` reads value and chosen_id.
REVIEW_COLUMNS = (
    "column", "value", "oblast", "count", "status",
    *(f"candidate_{i}_{part}" for i in range(1, REVIEW_CANDIDATES + 1) for part in ("id", "name", "oblast", "score")),
    "chosen_id",
)
@dataclass
class ColumnReport:
    """What cleaning one column found: rows and distinct values by status, rows to review."""

    column: str
    rows: int = 0
    distinct: int = 0
    rows_by_status: Counter = field(default_factory=Counter)
    distinct_by_status: Counter = field(default_factory=Counter)
    blank_rows: int = 0
    review: dict[Key, list[Any]] = field(default_factory=dict)
    values: set[str] = field(default_factory=set)

    def add(self, value: object, oblast: object, count: int, answer: Answer) -> None:
        """Count `count` rows of one raw (value, oblast) pair."""
        self.rows += count
        self.rows_by_status[answer.status] += count
        if not is_text(value):
            self.blank_rows += count
            return
        self.distinct += 1
        self.values.add(value)  # type: ignore[arg-type]
        self.distinct_by_status[answer.status] += 1
        if answer.status != MATCHED:
            key = (value, oblast if isinstance(oblast, str) else None)
            entry = self.review.get(key)
            if entry is None:
                self.review[key] = [count, answer]
            else:
                entry[0] += count


def review_rows(reports: Sequence[ColumnReport], oblast_names: Callable[[str | None], str]) -> list[list[Any]]:
    """Rows of the review file: most frequent first, candidates with their oblast's name."""
    rows: list[list[Any]] = []
    for report in reports:
        for (value, oblast), (count, answer) in report.review.items():
            row: list[Any] = [report.column, value, oblast or "", count, answer.status]
            for index in range(REVIEW_CANDIDATES):
                if index < len(answer.candidates):
                    cid, name, oblast_id, score = answer.candidates[index]
                    row += [cid, name, oblast_names(oblast_id), f"{score:.3f}"]
                else:
                    row += ["", "", "", ""]
            rows.append([*row, ""])
    rows.sort(key=lambda r: (-r[3], r[0], r[1], r[2]))
    return rows


def write_review(path: Path, rows: list[list[Any]], *, escape_formulas: bool = False) -> None:
    """Write the review file (UTF-8 CSV with a BOM, for spreadsheet programs), formulas escaped if asked.

    An escaped value reads back as the same variant: the leading quote does not change its folded
    form, which is what the user layer matches on.
    """
    import csv

    from gazetteer.textutil import escape_formula

    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REVIEW_COLUMNS)
        if not escape_formulas:
            writer.writerows(rows)
            return
        for row in rows:
            writer.writerow([escape_formula(cell) if isinstance(cell, str) else cell for cell in row])
