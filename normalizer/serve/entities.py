"""What the service says about an entity: the units above it today and before 2020, its codes, its
history, and a one-line description a person can tell namesakes apart by.

Read from the public `Gazetteer` API: the entity's own fields (`oblast_id`, `raion_id`, `hromada_id`,
`former_raion_id`, `successor_id`, `year_to`), `codes(id)` and `history_of(id)`; the P-code is
`gazetteer.codes.pcode_of`, where the rest of the code knowledge lives.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from gazetteer import Entity, Gazetteer, Name
from gazetteer.codes import kind_of_code, pcode_of
from gazetteer.model import SETTLEMENT_KINDS
from gazetteer.timeline import EntityHistory, Successor
from normalizer.match.score import distance_km

from .errors import NotFoundError, shorten

#: The units a description and the hierarchy name, nearest first.
LEVELS = ("hromada", "raion", "oblast")
#: The order names are listed in, by type (others after).
NAME_ORDER = ("official", "official_latin", "russian", "conventional", "colloquial", "base", "variant",
              "user", "alternate", "former", "occupation")
#: Code schemes, in display order, with their labels.
CODE_LABELS = {"katottg": "KATOTTG", "koatuu": "KOATUU", "pcode": "P-code"}
#: Compass points, clockwise from north, for '12 km NE of Barvinkove'.
COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


@dataclass(frozen=True, slots=True)
class Place:
    """An entity with the units above it (today's, and its raion of before 2020), what replaced it, its description."""

    entity: Entity
    hromada: Entity | None
    raion: Entity | None
    oblast: Entity | None
    description: str
    former_raion: Entity | None = None
    successor: Entity | None = None

    def unit(self, level: str) -> Entity | None:
        """The hromada, raion or oblast above the entity (None if there is none)."""
        return getattr(self, level)


@dataclass(frozen=True, slots=True)
class Code:
    """One of the entity's codes: scheme ('katottg', 'koatuu', 'pcode'), the code, where it is from."""

    scheme: str
    code: str
    note: str | None = None

    @property
    def label(self) -> str:
        """'KATOTTG', 'KOATUU', 'P-code' (another scheme's own name)."""
        return CODE_LABELS.get(self.scheme, self.scheme)


@dataclass(frozen=True, slots=True)
class FormerName:
    """A name the entity no longer bears, in each script it is known in, with its years and sources."""

    texts: tuple[str, ...]
    year_from: int | None
    year_to: int | None
    notes: tuple[str, ...] = ()

    @property
    def years(self) -> str:
        """'1924–2016', 'until 2016', 'from 1924' or ''."""
        if self.year_from and self.year_to:
            return f"{self.year_from}\u2013{self.year_to}"
        if self.year_to:
            return f"until {self.year_to}"
        return f"from {self.year_from}" if self.year_from else ""

    def label(self) -> str:
        """The Ukrainian (or first) form and the first Latin one, with the years."""
        latin = next((t for t in self.texts[1:] if t.isascii()), None)
        text = f"{self.texts[0]} / {latin}" if latin and not self.texts[0].isascii() else self.texts[0]
        return f"{text} ({self.years})" if self.years else text


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the pages and data extension show about one entity."""

    place: Place
    names: tuple[Name, ...]
    history: EntityHistory
    codes: tuple[Code, ...]
    centre: Entity | None = None

    @property
    def entity(self) -> Entity:
        """The entity itself."""
        return self.place.entity

    @property
    def former_names(self) -> tuple[FormerName, ...]:
        """Its former names, one per renaming, most recent first."""
        return former_names(self.history.former_names)

    @property
    def former_raion(self) -> Entity | None:
        """The raion (or city council) of before 2020 the entity lay in."""
        return self.history.former_raion

    @property
    def successor(self) -> Entity | None:
        """What took a former unit's place."""
        return self.history.successor

    @property
    def successors(self) -> tuple[Successor, ...]:
        """Where a former unit's settlements are now: raions, then hromadas, most settlements first."""
        return self.history.successors

    def codes_of(self, scheme: str) -> list[str]:
        """The entity's codes of one scheme ('katottg', 'koatuu', 'pcode'), the primary one first."""
        return [c.code for c in self.codes if c.scheme == scheme]


class Catalog:
    """Entity look-ups for the service over one gazetteer, places and descriptions remembered (thread-safe)."""

    def __init__(self, gazetteer: Gazetteer, *, cache_size: int = 100_000) -> None:
        self.gazetteer = gazetteer
        self._cache_size = cache_size
        self._places: OrderedDict[str, Place] = OrderedDict()
        #: (hromada ID, Ukrainian name) borne by more than one settlement of the hromada (117 pairs), read once
        self._namesakes = namesakes_in_hromadas(gazetteer)
        self._units: dict[str, Entity | None] = {}  # the few thousand units above others, by ID
        self._lock = threading.Lock()

    def entity(self, entity_id: str) -> Entity:
        """The entity with this ID; NotFoundError (404) if there is none."""
        entity = self.gazetteer.find(entity_id) if isinstance(entity_id, str) else None
        if entity is None:
            raise NotFoundError(f"unknown entity ID: {shorten(str(entity_id))!r}")
        return entity

    def place(self, entity_id: str) -> Place:
        """The entity with the units above it and its description (remembered)."""
        with self._lock:
            cached = self._places.get(entity_id)
            if cached is not None:
                self._places.move_to_end(entity_id)
                return cached
        place = self._place(self.entity(entity_id))
        with self._lock:
            self._places[entity_id] = place
            if len(self._places) > self._cache_size:
                self._places.popitem(last=False)
        return place

    def facts(self, entity_id: str) -> Facts:
        """The place, every name, the history (`Gazetteer.history_of`), the codes and the centre of an entity."""
        place = self.place(entity_id)
        entity = place.entity
        history = self.gazetteer.history_of(entity.id)
        names = tuple(sorted(self.gazetteer.names(entity.id), key=_name_rank))
        centre = self.gazetteer.find(entity.center_id) if entity.center_id else None
        return Facts(place, names, history, codes(entity, history), centre)

    def children(self, entity_id: str, limit: int = 200) -> tuple[list[Entity], int]:
        """Up to LIMIT units directly below the entity, largest first, and how many there are."""
        below = self.gazetteer.children(entity_id)
        below.sort(key=lambda e: (-(e.population or 0), e.name))
        return below[:limit], len(below)

    def _place(self, entity: Entity) -> Place:
        units = {level: self._unit(entity, getattr(entity, f"{level}_id")) for level in LEVELS}
        former_raion = self._unit(entity, entity.former_raion_id)
        successor = self._unit(entity, entity.successor_id)
        position = self._position(entity, units["hromada"])
        return Place(entity, units["hromada"], units["raion"], units["oblast"],
                     describe(entity, units, former_raion, successor, position), former_raion, successor)

    def _position(self, entity: Entity, hromada: Entity | None) -> str | None:
        """'12 km NE of Barvinkove' for a settlement whose hromada holds another of its name, else None."""
        if hromada is None or entity.kind not in SETTLEMENT_KINDS \
                or (hromada.id, entity.name_uk) not in self._namesakes:
            return None
        return position(entity, self._unit(hromada, hromada.center_id))

    def _unit(self, entity: Entity, unit_id: str | None) -> Entity | None:
        """The unit an entity's field names (None when empty or the entity itself: a raion's raion_id); remembered."""
        if not unit_id or unit_id == entity.id:
            return None
        with self._lock:
            if unit_id in self._units:
                return self._units[unit_id]
        unit = self.gazetteer.find(unit_id)
        with self._lock:
            self._units[unit_id] = unit
        return unit


def namesakes_in_hromadas(gazetteer: Gazetteer) -> frozenset[tuple[str, str]]:
    """(hromada ID, Ukrainian name) pairs that more than one settlement of the hromada bears."""
    count = Counter((e.hromada_id, e.name_uk) for kind in sorted(SETTLEMENT_KINDS) for e in gazetteer.entities(kind)
                    if e.hromada_id and e.name_uk)
    return frozenset(pair for pair, n in count.items() if n > 1)


def codes(entity: Entity, history: EntityHistory) -> tuple[Code, ...]:
    """KATOTTG (the ID of a unit of today), every KOATUU code (the primary first), the P-code, other schemes."""
    found = [Code("katottg", entity.id)] if kind_of_code(entity.id) == "katottg" else []
    others = [Code(scheme, code, note) for scheme, code, note in history.codes]
    others.sort(key=lambda c: (c.scheme not in CODE_LABELS, c.scheme, c.code != entity.koatuu))
    found += [c for c in others if c.scheme == "koatuu"]
    pcode = pcode_of(entity)
    if pcode:
        found.append(Code("pcode", pcode))
    return tuple(found + [c for c in others if c.scheme != "koatuu"])


def position(entity: Entity, centre: Entity | None) -> str | None:
    """Where ENTITY lies from CENTRE ('12 km NE of Barvinkove', 'the centre'), or its point; None without one."""
    if entity.lat is None or entity.lon is None:
        return None
    if centre is None or centre.lat is None or centre.lon is None:
        return f"at {entity.lat:.3f}, {entity.lon:.3f}"
    if centre.id == entity.id:
        return "its centre"
    km = distance_km((centre.lat, centre.lon), (entity.lat, entity.lon))
    north = entity.lat - centre.lat
    east = (entity.lon - centre.lon) * math.cos(math.radians((entity.lat + centre.lat) / 2))
    bearing = math.degrees(math.atan2(east, north)) % 360
    return f"{max(1, round(km))} km {COMPASS[round(bearing / 45) % 8]} of {centre.name}"


def describe(entity: Entity, units: dict[str, Entity | None], former_raion: Entity | None = None,
             successor: Entity | None = None, position: str | None = None) -> str:
    """One line to tell namesakes apart: 'Лисичанськ — city in Lysychanska hromada, Siverskodonetskyi raion,
    Luhanska oblast; population 93,340'; POSITION follows the hromada (for namesakes in one hromada: '12 km
    NE of Barvinkove'); a former unit says its years and what replaced it."""
    text = kind_label(entity)
    if entity.kind == "person" and entity.role:
        text += f": {entity.role}"
    where = [unit.name for unit in (units.get(level) for level in LEVELS) if unit is not None]
    if position and where and units.get("hromada") is not None:
        where[0] += f" ({position})"
    if former_raion is not None and units.get("raion") is None:  # a settlement gone before the reform
        where.insert(0, f"{former_raion.name} (before 2020)")
    if where:
        text += " in " + ", ".join(where)
    elif entity.country and entity.country != "UA" and entity.kind != "country":
        text += f" in {entity.country}"
    if entity.year_to:
        text += f"; until {entity.year_to}"
        if successor is not None:
            text += f", now {successor.name}"
    if entity.population:
        text += f"; population {entity.population:,}"
    local = entity.name_uk
    return f"{local} \u2014 {text}" if local and local != entity.name else text


def kind_label(entity: Entity) -> str:
    """The entity's kind in words ('city with special status' for Kyiv and Sevastopol)."""
    if entity.kind == "city" and entity.category == "K":
        return "city with special status"
    if entity.kind == "former-raion" and entity.role == "city council":
        return "former city council"
    return "place abroad" if entity.kind == "foreign" else entity.kind.replace("-", " ")


def former_names(names: Iterable[Name]) -> tuple[FormerName, ...]:
    """The former names among NAMES, one per renaming (its forms in every script together), most recent first."""
    groups: dict[tuple[int | None, int | None], list[Name]] = {}
    for name in names:
        if name.type == "former":
            groups.setdefault((name.year_from, name.year_to), []).append(name)
    result = []
    for (year_from, year_to), group in groups.items():
        group.sort(key=lambda n: (n.lang != "uk", n.script != "Cyrl", n.lang != "ru"))
        texts = tuple(dict.fromkeys(n.text for n in group))
        notes = tuple(dict.fromkeys(n.note for n in group if n.note))
        result.append(FormerName(texts, year_from, year_to, notes))
    result.sort(key=lambda f: -(f.year_to or f.year_from or 0))
    return tuple(result)


def _name_rank(name: Name) -> tuple[int, str]:
    rank = NAME_ORDER.index(name.type) if name.type in NAME_ORDER else len(NAME_ORDER)
    return rank, name.script
