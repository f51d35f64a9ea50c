"""Which of a table's columns say where each row's name is: oblast, raion, hromada, latitude and longitude.

A row's hint is what those columns hold for it: the oblast text alone when only an oblast is
given (the common case, and the cheapest key), else a `Context` of all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ColumnError
from .answers import CONTEXT_FIELDS, Context


@dataclass(frozen=True)
class ClueColumns:
    """The columns holding each row's oblast, raion, hromada and point, and one oblast for all rows."""

    oblast_column: Any = None
    raion_column: Any = None
    hromada_column: Any = None
    lat_column: Any = None
    lon_column: Any = None
    oblast: str | None = None

    def __post_init__(self) -> None:
        if self.oblast_column is not None and self.oblast is not None:
            raise ValueError("give oblast_column or oblast, not both")
        if (self.lat_column is None) != (self.lon_column is None):
            raise ValueError("give both lat_column and lon_column (a point needs both), or neither")
        given = list(self.columns().values())
        if len(set(map(str, given))) != len(given):
            raise ColumnError(f"a column cannot hold two kinds of clue: {given}")

    def columns(self) -> dict[str, Any]:
        """The clue columns given, by field (oblast, raion, hromada, lat, lon), in that order."""
        named = (self.oblast_column, self.raion_column, self.hromada_column, self.lat_column, self.lon_column)
        return {name: column for name, column in zip(CONTEXT_FIELDS, named) if column is not None}

    @property
    def only_oblast(self) -> bool:
        """Whether rows say nothing but their oblast (their hint is then the oblast text itself)."""
        return set(self.columns()) <= {"oblast"}

    def hint(self, values: Sequence[Any]) -> str | Context | None:
        """A row's hint from the values of its clue columns (in the order of `columns()`), as it is written."""
        given = dict(zip(self.columns(), values))
        oblast = given.get("oblast", self.oblast)
        if self.only_oblast:
            return text_or_none(oblast)
        return Context(text_or_none(oblast), text_or_none(given.get("raion")), text_or_none(given.get("hromada")),
                       given.get("lat"), given.get("lon"))

    def describe(self) -> str:
        """The clue columns for messages: 'oblast column X, raion column Y'."""
        return ", ".join(f"{field} column {column!r}" for field, column in self.columns().items())


def clue_cell(value: object) -> object:
    """A clue cell as a key: text and numbers as they are, NaN and anything else as None."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, float):
        return None if value != value else value
    return None


def text_or_none(value: object) -> str | None:
    """A cell usable as a key (text, or a number written as text); None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a KOATUU code read as a number
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # the same in a pandas column that has gaps (NaN makes it float)
    return None


#: No clue columns and no oblast: each row is its name alone.
NO_CLUES = ClueColumns()
