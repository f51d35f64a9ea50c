"""Data extension: property values of reconciled entities (codes, units, history, coordinates, names).

`oblast`, `raion`, `hromada`, `former_raion` and `successor` come back as entities ({id, name}) that
are themselves in this service's identifier space, so OpenRefine keeps them reconciled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gazetteer import Entity
from gazetteer.codes import PCODE_KINDS
from gazetteer.model import ADMIN_KINDS, FORMER_KINDS, SETTLEMENT_KINDS

from . import protocol
from .entities import Facts
from .errors import PayloadTooLargeError, RequestError, shorten
from .service import Service

#: The kinds below each level of the hierarchy (those that may have an oblast, a raion, a hromada).
_BELOW_OBLAST = ADMIN_KINDS - {"oblast"} | FORMER_KINDS | {"facility", "island"}
_BELOW_RAION = ADMIN_KINDS - {"oblast", "raion"}
_BELOW_HROMADA = ADMIN_KINDS - {"oblast", "raion", "hromada"}
#: Kinds that lay in a raion of before 2020.
_IN_FORMER_RAION = SETTLEMENT_KINDS | {"former-settlement"}
#: Kinds with KOATUU codes: today's units and the former ones.
_WITH_KOATUU = ADMIN_KINDS | FORMER_KINDS
#: Properties any kind may have (coordinates, names): no restriction.
_ANY = None


@dataclass(frozen=True, slots=True)
class ExtendProperty(protocol.Property):
    """A property data extension can fetch, the kinds it applies to, and how to read its values."""

    kinds: frozenset[str] | None
    values: Callable[[Facts], list[dict[str, Any]]]
    entity_type: str | None = None

    def applies_to(self, kinds: tuple[str, ...] | None) -> bool:
        """Whether the property may have values for some of these kinds (any kind: None)."""
        return self.kinds is None or kinds is None or bool(self.kinds & set(kinds))

    def meta(self) -> dict[str, Any]:
        """The property's column in an extension response."""
        entry: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.entity_type:
            entry["type"] = protocol.type_ref(self.entity_type)
        return entry


def _text(value: Any) -> list[dict[str, Any]]:
    return [{"str": str(value)}] if value not in (None, "") else []


def _codes(scheme: str) -> Callable[[Facts], list[dict[str, Any]]]:
    return lambda facts: [{"str": code} for code in facts.codes_of(scheme)]


def _entity(entity: Entity | None) -> list[dict[str, Any]]:
    return [{"id": entity.id, "name": entity.name}] if entity is not None else []


def _unit(level: str) -> Callable[[Facts], list[dict[str, Any]]]:
    return lambda facts: _entity(facts.place.unit(level))


def _number(field: str, kind: str) -> Callable[[Facts], list[dict[str, Any]]]:
    def values(facts: Facts) -> list[dict[str, Any]]:
        value = getattr(facts.entity, field)
        return [{kind: value}] if value is not None else []
    return values


def _coordinates(facts: Facts) -> list[dict[str, Any]]:
    entity = facts.entity
    return _text(f"{entity.lat},{entity.lon}") if entity.lat is not None and entity.lon is not None else []


PROPERTIES = (
    ExtendProperty("katottg", "KATOTTG", "the unit's code in the KATOTTG codifier", ADMIN_KINDS, _codes("katottg")),
    ExtendProperty("koatuu", "KOATUU", "the unit's codes in the former KOATUU classifier (the primary one first)",
                   _WITH_KOATUU, _codes("koatuu")),
    ExtendProperty("pcode", "P-code", "the OCHA/HDX P-code (ADM1-ADM4)", PCODE_KINDS, _codes("pcode")),
    ExtendProperty("oblast", "oblast", "the oblast (or city with special status) it lies in", _BELOW_OBLAST,
                   _unit("oblast"), "oblast"),
    ExtendProperty("raion", "raion", "the raion it lies in today", _BELOW_RAION, _unit("raion"), "raion"),
    ExtendProperty("hromada", "hromada", "the hromada it lies in", _BELOW_HROMADA, _unit("hromada"), "hromada"),
    ExtendProperty("former_raion", "raion before 2020", "the raion or city council it lay in before the 2020 reform",
                   _IN_FORMER_RAION, lambda facts: _entity(facts.former_raion), "former-raion"),
    ExtendProperty("successor", "successor", "the unit that took a former unit's place", FORMER_KINDS,
                   lambda facts: _entity(facts.successor), "admin-unit"),
    ExtendProperty("lat", "latitude", "latitude in degrees (WGS 84; OCHA's point for units)", _ANY,
                   _number("lat", "float")),
    ExtendProperty("lon", "longitude", "longitude in degrees (WGS 84; OCHA's point for units)", _ANY,
                   _number("lon", "float")),
    ExtendProperty("coordinates", "coordinates", "'lat,lon' in degrees", _ANY, _coordinates),
    ExtendProperty("population", "population", "population (GeoNames)", _ANY, _number("population", "int")),
    ExtendProperty("name_uk", "Ukrainian name", "the official Ukrainian name", _ANY,
                   lambda facts: _text(facts.entity.name_uk)),
    ExtendProperty("name_latin", "Latin name", "the name in Latin script (KMU 2010 for Ukrainian names)", _ANY,
                   lambda facts: _text(facts.entity.name)),
    ExtendProperty("name_ru", "Russian name", "the Russian name", _ANY, lambda facts: _text(facts.entity.name_ru)),
    ExtendProperty("former_names", "former names", "names it bore before, with their years", _ANY,
                   lambda facts: [{"str": f.label()} for f in facts.former_names]),
)
_BY_ID = {p.id: p for p in PROPERTIES}
#: Entity IDs one extension request may ask about.
MAX_IDS = protocol.BATCH_SIZE


def propose(type_id: str | None, limit: str | None) -> dict[str, Any]:
    """The properties worth fetching for entities of a type (all of them without a type)."""
    kinds = protocol.kinds_of(type_id or None, "propose_properties")
    count = _proposal_limit(limit)
    proposed = [p.to_json() for p in PROPERTIES if p.applies_to(kinds)][:count]
    answer: dict[str, Any] = {"properties": proposed}
    if type_id:
        answer["type"] = type_id
    if limit is not None:
        answer["limit"] = count
    return answer


def _proposal_limit(limit: str | None) -> int:
    count = protocol.whole_number(limit, "limit")
    return len(PROPERTIES) if count is None else count


def parse(text: str) -> tuple[list[str], list[ExtendProperty]]:
    """An extension query (the `extend` field): its entity IDs and properties; 400, 404 or 413 otherwise."""
    data = protocol.load_json(text, "extend")
    if not isinstance(data, dict) or not isinstance(data.get("ids"), list) \
            or not isinstance(data.get("properties"), list):
        raise RequestError("extend must be a JSON object with a list of 'ids' and a list of 'properties'")
    ids, wanted = data["ids"], data["properties"]
    if len(ids) > MAX_IDS:
        raise PayloadTooLargeError(f"{len(ids):,} IDs in one extension request; the limit is {MAX_IDS:,}")
    if not all(isinstance(i, str) for i in ids):
        raise RequestError("extend: every ID must be a string")
    chosen: list[ExtendProperty] = []
    for item in wanted:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise RequestError("extend: each property must be an object with a string 'id'")
        prop = _BY_ID.get(item["id"].strip())
        if prop is None:
            raise RequestError(f"extend: unknown property {shorten(item['id'], 40)!r}; properties are "
                               + ", ".join(_BY_ID))
        if prop not in chosen:
            chosen.append(prop)
    return list(dict.fromkeys(ids)), chosen


def extend(service: Service, ids: list[str], chosen: list[ExtendProperty]) -> dict[str, Any]:
    """The extension response: `meta` (the properties) and `rows` (their values by entity ID)."""
    rows = {}
    for entity_id in ids:
        facts = service.catalog.facts(entity_id)
        rows[entity_id] = {p.id: p.values(facts) for p in chosen}
    return {"meta": [p.meta() for p in chosen], "rows": rows}
