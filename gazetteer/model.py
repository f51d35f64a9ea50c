"""The gazetteer's value types: entities and their names, immutable once read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Every kind an entity can have, in the order used for display.
KINDS = (
    "oblast",
    "raion",
    "hromada",
    "city",
    "settlement",
    "village",
    "city-district",
    "person",
    "region",
    "river",
    "sea",
    "reservoir",
    "island",
    "facility",
    "foreign",
    "country",  # Ukraine itself (country:ua)
    "former-raion",  # a raion or city council of oblast significance of KOATUU 2019, before the 2020 reform
    "former-settlement",  # a settlement a register once listed that no longer exists as a unit
)

#: Kinds that are places people live in (what a dataset's "location" usually means).
SETTLEMENT_KINDS = frozenset({"city", "settlement", "village"})

#: Kinds of curated features: informal regions, waters, islands, facilities.
FEATURE_KINDS = frozenset({"region", "river", "sea", "reservoir", "island", "facility"})

#: Kinds that are administrative units of the KATOTTG codifier.
ADMIN_KINDS = frozenset({"oblast", "raion", "hromada", "city", "settlement", "village", "city-district"})

#: Kinds of entities that no longer exist: they point to their successor (`successor_id`).
FORMER_KINDS = frozenset({"former-raion", "former-settlement"})

#: Name types, from most to least authoritative.
NAME_TYPES = (
    "official",  # the codifier's Ukrainian name, a curated entity's own name
    "official_latin",  # KMU 2010 romanization of the official name
    "russian",  # the Russian name from a source
    "conventional",  # conventional English or other exonym (Luhansk Oblast)
    "colloquial",  # Луганщина
    "base",  # the noun a unit is named after; only valid with a type word (Luhansk oblast)
    "alternate",  # an alternate spelling from a source (GeoNames)
    "variant",  # curated or user-added spelling
    "former",  # a name the place no longer bears
    "occupation",  # a name used by occupation authorities
    "user",  # a spelling added in the user layer
)


@dataclass(frozen=True, slots=True)
class Name:
    """One name an entity carries, with its language, script, type and provenance."""

    text: str
    lang: str
    script: str
    type: str
    source: str
    year_from: int | None = None
    year_to: int | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The name as a plain dict (for JSON)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Entity:
    """A canonical entity: an administrative unit, a person, a feature or a foreign place."""

    id: str
    kind: str
    name: str
    name_uk: str | None = None
    name_ru: str | None = None
    oblast_id: str | None = None
    parent_id: str | None = None
    country: str | None = "UA"
    population: int | None = None
    lat: float | None = None
    lon: float | None = None
    geonames_id: int | None = None
    iso3166_2: str | None = None
    category: str | None = None
    center_id: str | None = None
    role: str | None = None
    source: str = ""
    # appended fields (the store and the matcher's index keep the column order):
    raion_id: str | None = None  # the raion the unit lies in today
    hromada_id: str | None = None  # the hromada the unit lies in today
    koatuu: str | None = None  # the unit's primary KOATUU code (10 digits, leading zero kept)
    former_raion_id: str | None = None  # the pre-2020 raion (a former-raion entity) of a settlement
    successor_id: str | None = None  # former entities: the unit that absorbed or replaced them
    year_to: int | None = None  # former entities: the year they ceased

    def to_dict(self) -> dict[str, Any]:
        """The entity as a plain dict (for JSON)."""
        return asdict(self)


ENTITY_FIELDS = tuple(Entity.__dataclass_fields__)


@dataclass(slots=True)
class EntityRecord:
    """A mutable entity under construction during a build (sources fill it in turn)."""

    id: str
    kind: str
    name: str
    name_uk: str | None = None
    name_ru: str | None = None
    oblast_id: str | None = None
    parent_id: str | None = None
    country: str | None = "UA"
    population: int | None = None
    lat: float | None = None
    lon: float | None = None
    geonames_id: int | None = None
    iso3166_2: str | None = None
    category: str | None = None
    center_id: str | None = None
    role: str | None = None
    source: str = ""
    # appended fields (the store and the matcher's index keep the column order):
    raion_id: str | None = None  # the raion the unit lies in today
    hromada_id: str | None = None  # the hromada the unit lies in today
    koatuu: str | None = None  # the unit's primary KOATUU code (10 digits, leading zero kept)
    former_raion_id: str | None = None  # the pre-2020 raion (a former-raion entity) of a settlement
    successor_id: str | None = None  # former entities: the unit that absorbed or replaced them
    year_to: int | None = None  # former entities: the year they ceased
    names: list[Name] = field(default_factory=list)

    def add_name(self, name: Name) -> None:
        """Add a name unless the same text with the same type is already there."""
        for existing in self.names:
            if existing.text == name.text and existing.type == name.type and existing.lang == name.lang:
                return
        self.names.append(name)
