"""Source: the curated tables in gazetteer/data/ (every row cites its source).

Each table has a fixed header; a row that breaks the format stops the build with
the file and line, because a data error tolerated at runtime becomes a wrong match.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from ..latin import official_latin
from ..model import FEATURE_KINDS, EntityRecord, Name
from ..textutil import fold_name, script_of

SOURCE = "curated"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"

OBLASTS = "oblasts.tsv"
OBLAST_NAMES = "oblast_names.tsv"
FORMER_NAMES = "former_names.tsv"
PERSONS = "persons.tsv"
FEATURES = "features.tsv"
CURATED_FILES = (OBLASTS, OBLAST_NAMES, FORMER_NAMES, PERSONS, FEATURES)

COLUMNS = {
    OBLASTS: ("id", "name_uk", "base_uk", "iso3166_2", "geonames_admin1", "center_id", "source"),
    OBLAST_NAMES: ("id", "name", "lang", "type", "source"),
    FORMER_NAMES: ("id", "name_uk", "former_uk", "former_ru", "former_latin", "renamed", "adopted", "source"),
    PERSONS: (
        "id", "name_uk", "name_ru", "name_be", "name_en", "variants",
        "country", "role", "since", "until", "source",
    ),
    FEATURES: ("id", "kind", "name", "name_uk", "name_ru", "variants", "oblast_id", "country", "lat", "lon", "source"),
}

#: Kinds the features table may give: the curated features, the neighbouring countries (foreign) and Ukraine.
FEATURE_TABLE_KINDS = FEATURE_KINDS | {"foreign", "country"}
OBLAST_NAME_TYPES = frozenset({"colloquial", "conventional", "official_ru", "former", "occupation"})
_ID_SLUG = re.compile(r"^[a-z]+:[a-z0-9]+(?:-[a-z0-9]+)*$")
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True, slots=True)
class Row:
    """A TSV row with its origin, for error messages."""

    file: str
    line: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values[key]

    def error(self, message: str) -> DataError:
        """A DataError pointing at this row."""
        return DataError(f"{self.file}:{self.line}: {message}")

    def required(self, key: str) -> str:
        """A value that must not be empty."""
        value = self.values[key]
        if not value:
            raise self.error(f"empty {key!r}")
        return value

    def year(self, key: str) -> int | None:
        """An optional four-digit year."""
        value = self.values[key]
        if not value:
            return None
        if not _YEAR.match(value):
            raise self.error(f"{key!r} is not a year: {value!r}")
        return int(value)


def read_table(name: str, data_dir: Path = DATA_DIR, columns: tuple[str, ...] | None = None) -> list[Row]:
    """Read one curated TSV (or a derived table with its `columns`), checking its header and that every
    row cites a source."""
    path = data_dir / name
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader, None)
            expected = columns or COLUMNS[name]
            if header is None or tuple(h.strip() for h in header) != expected:
                wanted = "\t".join(expected)
                raise DataError(f"{path}: header must be {wanted!r}, found {header!r}")
            rows = []
            for line, values in enumerate(reader, start=2):
                if not values or all(not v.strip() for v in values):
                    continue
                if len(values) != len(expected):
                    raise DataError(f"{path}:{line}: {len(values)} fields, expected {len(expected)}")
                row = Row(name, line, {k: v.strip() for k, v in zip(expected, values)})
                row.required("source")
                rows.append(row)
            return rows
    except OSError as exc:
        raise DataError(f"cannot read curated table {path}: {exc}") from exc


def _split(value: str) -> list[str]:
    """A `|`-separated list, empty parts dropped."""
    return [part.strip() for part in value.split("|") if part.strip()]


def _check_script(row: Row, text: str, script: str, column: str) -> None:
    if script_of(text) != script:
        raise row.error(f"{column} {text!r} is not in {script} script")


def geonames_admin1_map(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """GeoNames admin1 code -> KATOTTG top-level unit (needed to read GeoNames)."""
    return {row.required("geonames_admin1"): row.required("id") for row in read_table(OBLASTS, data_dir)}


def apply_oblasts(records: dict[str, EntityRecord], data_dir: Path = DATA_DIR) -> None:
    """Give the 27 top-level units their ISO 3166-2 code, centre and base names."""
    rows = read_table(OBLASTS, data_dir)
    top_level = {r.id for r in records.values() if r.category in ("O", "K")}
    seen = set()
    for row in rows:
        unit_id = row.required("id")
        if unit_id not in top_level:
            raise row.error(f"{unit_id} is not a top-level unit of the codifier")
        seen.add(unit_id)
        record = records[unit_id]
        center = row.required("center_id")
        if center not in records:
            raise row.error(f"centre {center} is not in the codifier")
        record.iso3166_2 = row.required("iso3166_2")
        record.center_id = center
        name_uk = row.required("name_uk")
        if fold_name(name_uk) != fold_name(record.name_uk or ""):
            raise row.error(f"name_uk {name_uk!r} differs from the codifier's {record.name_uk!r}")
        for base in _split(row.required("base_uk")):
            _check_script(row, base, "Cyrl", "base_uk")
            record.add_name(Name(base, "uk", "Cyrl", "base", SOURCE))
            record.add_name(Name(official_latin(base), "uk", "Latn", "base", SOURCE))
    missing = top_level - seen
    if missing:
        raise DataError(f"{OBLASTS}: top-level units without a row: {sorted(missing)}")


def apply_oblast_names(records: dict[str, EntityRecord], data_dir: Path = DATA_DIR) -> None:
    """Add colloquial, conventional, Russian and former names of the top-level units."""
    for row in read_table(OBLAST_NAMES, data_dir):
        unit_id = row.required("id")
        record = records.get(unit_id)
        if record is None or record.category not in ("O", "K"):
            raise row.error(f"{unit_id} is not a top-level unit of the codifier")
        kind = row.required("type")
        if kind not in OBLAST_NAME_TYPES:
            raise row.error(f"unknown type {kind!r}")
        lang = row.required("lang")
        text = row.required("name")
        script = script_of(text)
        name_type = "russian" if kind == "official_ru" else kind
        record.add_name(Name(text, lang, script, name_type, SOURCE, note=row["source"]))
        if kind == "official_ru" and not record.name_ru:
            record.name_ru = text


def former_name_rows(records: dict[str, EntityRecord], data_dir: Path = DATA_DIR) -> list[Row]:
    """The former-names table, each row checked against the codifier."""
    rows = read_table(FORMER_NAMES, data_dir)
    seen: set[tuple[str, str]] = set()
    for row in rows:
        unit_id = row.required("id")
        record = records.get(unit_id)
        if record is None:
            raise row.error(f"{unit_id} is not in the codifier")
        if fold_name(row.required("name_uk")) not in _codifier_names(record):
            raise row.error(f"name_uk {row['name_uk']!r} differs from the codifier's {record.name_uk!r}")
        former = row.required("former_uk")
        _check_script(row, former, "Cyrl", "former_uk")
        if (unit_id, fold_name(former)) in seen:
            raise row.error(f"duplicate former name {former!r} for {unit_id}")
        seen.add((unit_id, fold_name(former)))
        if row["former_ru"]:
            _check_script(row, row["former_ru"], "Cyrl", "former_ru")
        for text in _split(row["former_latin"]):
            _check_script(row, text, "Latn", "former_latin")
        row.year("renamed")
        row.year("adopted")
    return rows


def _codifier_names(record: EntityRecord) -> set[str]:
    """The folded names a curated row may use for a unit: with or without its type word."""
    full = fold_name(record.name_uk or "")
    names = {full}
    if record.category in ("O", "P", "H", "B") and " " in full:
        names.add(full.rsplit(" ", 1)[0])
    return names


def former_name_index(rows: list[Row], records: dict[str, EntityRecord]) -> dict[tuple[str, str], set[str]]:
    """(oblast ID, folded former name) -> current unit IDs, to link GeoNames places with old names."""
    index: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        record = records[row["id"]]
        for text in [row["former_uk"], row["former_ru"], *_split(row["former_latin"])]:
            if text:
                index.setdefault((record.oblast_id or "", fold_name(text)), set()).add(record.id)
    return index


def apply_former_names(records: dict[str, EntityRecord], rows: list[Row]) -> None:
    """Add each former name (Ukrainian, Russian, Latin) to its current unit, with years."""
    for row in rows:
        record = records[row["id"]]
        renamed, adopted = row.year("renamed"), row.year("adopted")
        note = row["source"]
        record.add_name(Name(row["former_uk"], "uk", "Cyrl", "former", SOURCE, adopted, renamed, note))
        if row["former_ru"]:
            record.add_name(Name(row["former_ru"], "ru", "Cyrl", "former", SOURCE, adopted, renamed, note))
        for text in _split(row["former_latin"]):
            record.add_name(Name(text, "und", "Latn", "former", SOURCE, adopted, renamed, note))


def _entity_id(row: Row, prefix: str | tuple[str, ...]) -> str:
    value = row.required("id")
    if not _ID_SLUG.match(value) or not value.startswith(prefix):
        raise row.error(f"id {value!r} must look like {prefix}slug (lowercase ASCII and hyphens)")
    return value


def persons(data_dir: Path = DATA_DIR) -> Iterator[EntityRecord]:
    """The curated public persons as entities of kind `person`."""
    seen: set[str] = set()
    for row in read_table(PERSONS, data_dir):
        person_id = _entity_id(row, "person:")
        if person_id in seen:
            raise row.error(f"duplicate id {person_id}")
        seen.add(person_id)
        name_uk = row.required("name_uk")
        _check_script(row, name_uk, "Cyrl", "name_uk")
        country = row.required("country")
        record = EntityRecord(
            id=person_id,
            kind="person",
            name=row.required("name_en"),
            name_uk=name_uk,
            name_ru=row["name_ru"] or None,
            country=country,
            role=row.required("role"),
            source=SOURCE,
        )
        record.add_name(Name(name_uk, "uk", "Cyrl", "official", SOURCE))
        record.add_name(Name(official_latin(name_uk), "uk", "Latn", "official_latin", SOURCE))
        if row["name_ru"]:
            _check_script(row, row["name_ru"], "Cyrl", "name_ru")
            record.add_name(Name(row["name_ru"], "ru", "Cyrl", "russian", SOURCE))
        if row["name_be"]:
            _check_script(row, row["name_be"], "Cyrl", "name_be")
            record.add_name(Name(row["name_be"], "be", "Cyrl", "variant", SOURCE))
        record.add_name(Name(record.name, "en", "Latn", "conventional", SOURCE))
        for text in _split(row["variants"]):
            script = script_of(text)
            if script not in ("Latn", "Cyrl"):
                raise row.error(f"variant {text!r} is neither Latin nor Cyrillic")
            record.add_name(Name(text, "und", script, "variant", SOURCE))
        yield record


def features(records: dict[str, EntityRecord], data_dir: Path = DATA_DIR) -> Iterator[EntityRecord]:
    """Informal regions, water bodies, islands, facilities and neighbouring countries."""
    seen: set[str] = set()
    for row in read_table(FEATURES, data_dir):
        kind = row.required("kind")
        if kind not in FEATURE_TABLE_KINDS:
            raise row.error(f"unknown kind {kind!r}")
        feature_id = _entity_id(row, (f"{kind}:", "country:"))
        if feature_id in seen:
            raise row.error(f"duplicate id {feature_id}")
        seen.add(feature_id)
        oblast_id = row["oblast_id"] or None
        if oblast_id and oblast_id not in records:
            raise row.error(f"oblast_id {oblast_id} is not in the codifier")
        name_uk = row["name_uk"] or None
        if name_uk:
            _check_script(row, name_uk, "Cyrl", "name_uk")
        try:
            lat = float(row["lat"]) if row["lat"] else None
            lon = float(row["lon"]) if row["lon"] else None
        except ValueError as exc:
            raise row.error(f"bad coordinates: {exc}") from exc
        record = EntityRecord(
            id=feature_id,
            kind=kind,
            name=row.required("name"),
            name_uk=name_uk,
            name_ru=row["name_ru"] or None,
            oblast_id=oblast_id,
            country=row["country"] or None,
            lat=lat,
            lon=lon,
            source=SOURCE,
        )
        record.add_name(Name(record.name, "en", script_of(record.name), "official", SOURCE))
        if name_uk:
            record.add_name(Name(name_uk, "uk", "Cyrl", "official", SOURCE))
        if record.name_ru:
            _check_script(row, record.name_ru, "Cyrl", "name_ru")
            record.add_name(Name(record.name_ru, "ru", "Cyrl", "russian", SOURCE))
        for text in _split(row["variants"]):
            script = script_of(text)
            if script not in ("Latn", "Cyrl"):
                raise row.error(f"variant {text!r} is neither Latin nor Cyrillic")
            record.add_name(Name(text, "und", script, "variant", SOURCE))
        yield record


def content_digest(data_dir: Path = DATA_DIR, names: tuple[str, ...] = CURATED_FILES) -> str:
    """A digest of every curated table, or of the tables `names` (part of the build fingerprint)."""
    import hashlib

    digest = hashlib.sha256()
    for name in names:
        path = data_dir / name
        digest.update(name.encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()[:16]
