"""What the service says about an entity: the units above it, its codes, its former names and a
one-line description a person can decide from.

Only the public `Gazetteer` API is read. The fields the gazetteer is gaining (`raion_id`,
`hromada_id`, `koatuu`, `former_raion_id` on entities; `Gazetteer.codes(id)` and
`Gazetteer.history(id)`) are read when present; until they land the hierarchy comes from
walking `parents()` and the P-code from the KATOTTG code.
"""

from __future__ import annotations

import inspect
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gazetteer import Entity, Gazetteer, Name

from .errors import NotFoundError, shorten

KATOTTG_PATTERN = re.compile(r"^UA\d{17}$")
#: Kinds that have an OCHA P-code: the KATOTTG code cut after its oblast, raion, hromada or settlement digits.
PCODE_KINDS = frozenset({"oblast", "raion", "hromada", "city", "settlement", "village"})
_PCODE_CUTS = (2, 4, 7, 10)
#: The units a description and the hierarchy name, nearest first.
LEVELS = ("hromada", "raion", "oblast")
#: The order names are listed in, by type (others after).
NAME_ORDER = ("official", "official_latin", "russian", "conventional", "colloquial", "base", "variant",
              "user", "alternate", "former", "occupation")
#: Code labels, in display order.
CODE_LABELS = {"katottg": "KATOTTG", "koatuu": "KOATUU", "pcode": "P-code"}


@dataclass(frozen=True, slots=True)
class Place:
    """An entity with the units above it and its one-line description."""

    entity: Entity
    hromada: Entity | None
    raion: Entity | None
    oblast: Entity | None
    description: str

    def unit(self, level: str) -> Entity | None:
        """The hromada, raion or oblast above the entity (None if there is none)."""
        return getattr(self, level)


@dataclass(frozen=True, slots=True)
class FormerName:
    """A name the entity no longer bears, in each script it is known in, with its years."""

    texts: tuple[str, ...]
    year_from: int | None
    year_to: int | None

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
    former_names: tuple[FormerName, ...]
    codes: dict[str, str]
    former_raion: Entity | None
    history: tuple[str, ...]
    centre: Entity | None = None

    @property
    def entity(self) -> Entity:
        """The entity itself."""
        return self.place.entity


class Catalog:
    """Entity look-ups for the service over one gazetteer, descriptions remembered (thread-safe)."""

    def __init__(self, gazetteer: Gazetteer, *, cache_size: int = 100_000) -> None:
        self.gazetteer = gazetteer
        self._cache_size = cache_size
        self._places: OrderedDict[str, Place] = OrderedDict()
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
        """The place, every name, former names, codes, former raion, history and centre of an entity."""
        place = self.place(entity_id)
        entity = place.entity
        names = tuple(sorted(self.gazetteer.names(entity.id), key=_name_rank))
        former_raion_id = getattr(entity, "former_raion_id", None)
        former_raion = self.gazetteer.find(former_raion_id) if former_raion_id else None
        centre = self.gazetteer.find(entity.center_id) if entity.center_id else None
        return Facts(place, names, former_names(names), self.codes(entity), former_raion,
                     self._history(entity.id), centre)

    def children(self, entity_id: str, limit: int = 200) -> tuple[list[Entity], int]:
        """Up to LIMIT units directly below the entity, largest first, and how many there are."""
        below = self.gazetteer.children(entity_id)
        below.sort(key=lambda e: (-(e.population or 0), e.name))
        return below[:limit], len(below)

    def codes(self, entity: Entity) -> dict[str, str]:
        """KATOTTG, KOATUU and P-code of an entity, those it has."""
        codes: dict[str, str] = {}
        lookup = getattr(self.gazetteer, "codes", None)
        if callable(lookup):
            codes.update(_code_pairs(lookup(entity.id)))
        if KATOTTG_PATTERN.match(entity.id):
            codes.setdefault("katottg", entity.id)
        koatuu = getattr(entity, "koatuu", None)
        if koatuu:
            codes.setdefault("koatuu", str(koatuu))
        pcode = pcode_of(entity)
        if pcode:
            codes.setdefault("pcode", pcode)
        return {key: codes[key] for key in (*CODE_LABELS, *sorted(set(codes) - set(CODE_LABELS)))
                if key in codes}

    def _place(self, entity: Entity) -> Place:
        units: dict[str, Entity | None] = dict.fromkeys(LEVELS)
        if entity.oblast_id and entity.oblast_id != entity.id:
            units["oblast"] = self.gazetteer.find(entity.oblast_id)
        if hasattr(entity, "raion_id") and hasattr(entity, "hromada_id"):
            for level in ("raion", "hromada"):
                ref = getattr(entity, f"{level}_id")
                units[level] = self.gazetteer.find(ref) if ref and ref != entity.id else None
        elif entity.parent_id:
            for parent in self.gazetteer.parents(entity.id):
                if parent.kind in units and units[parent.kind] is None:
                    units[parent.kind] = parent
        return Place(entity, units["hromada"], units["raion"], units["oblast"], describe(entity, units))

    def _history(self, entity_id: str) -> tuple[str, ...]:
        """Lines of `Gazetteer.history(id)` once the gazetteer has it (today's history() is the user layer's)."""
        history = getattr(self.gazetteer, "history", None)
        if not callable(history) or not _takes_entity_id(history):
            return ()
        return tuple(_history_line(item) for item in history(entity_id) or ())


def describe(entity: Entity, units: Mapping[str, Entity | None]) -> str:
    """One line: 'Лисичанськ — city in Lysychanska hromada, Siverskodonetskyi raion, Luhanska oblast; population …'."""
    text = kind_label(entity)
    if entity.kind == "person" and entity.role:
        text += f": {entity.role}"
    where = [unit.name for unit in (units.get(level) for level in LEVELS) if unit is not None]
    if where:
        text += " in " + ", ".join(where)
    elif entity.country and entity.country != "UA" and entity.kind != "country":
        text += f" in {entity.country}"
    if entity.population:
        text += f"; population {entity.population:,}"
    local = entity.name_uk
    return f"{local} \u2014 {text}" if local and local != entity.name else text


def kind_label(entity: Entity) -> str:
    """The entity's kind in words ('city with special status' for Kyiv and Sevastopol)."""
    if entity.kind == "city" and entity.category == "K":
        return "city with special status"
    return "place abroad" if entity.kind == "foreign" else entity.kind.replace("-", " ")


def pcode_of(entity: Entity) -> str | None:
    """The OCHA P-code of an administrative unit (UA44, UA4412, UA4412005, UA4412005001), else None."""
    if entity.kind not in PCODE_KINDS or not KATOTTG_PATTERN.match(entity.id):
        return None
    digits = entity.id[2:]
    for cut in _PCODE_CUTS:
        if set(digits[cut:10]) <= {"0"}:
            return "UA" + digits[:cut]
    return None


def former_names(names: Iterable[Name]) -> tuple[FormerName, ...]:
    """The entity's former names, one per renaming (its forms in every script together), oldest last."""
    groups: dict[tuple[int | None, int | None], list[Name]] = {}
    for name in names:
        if name.type == "former":
            groups.setdefault((name.year_from, name.year_to), []).append(name)
    result = []
    for (year_from, year_to), group in groups.items():
        group.sort(key=lambda n: (n.lang != "uk", n.script != "Cyrl", n.lang != "ru"))
        texts = tuple(dict.fromkeys(n.text for n in group))
        result.append(FormerName(texts, year_from, year_to))
    result.sort(key=lambda f: -(f.year_to or f.year_from or 0))
    return tuple(result)


def _name_rank(name: Name) -> tuple[int, str]:
    rank = NAME_ORDER.index(name.type) if name.type in NAME_ORDER else len(NAME_ORDER)
    return rank, name.script


def _code_pairs(codes: Any) -> dict[str, str]:
    """A codes() answer (a mapping, or (scheme, code) pairs) as {'katottg'|'koatuu'|'pcode'|...: code}."""
    pairs = codes.items() if isinstance(codes, Mapping) else codes or ()
    found = {}
    for pair in pairs:
        if isinstance(pair, (tuple, list)) and len(pair) == 2 and pair[1]:
            found[re.sub(r"[^a-z0-9]", "", str(pair[0]).lower())] = str(pair[1])
    return found


def _takes_entity_id(function: Any) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


def _history_line(item: Any) -> str:
    if hasattr(item, "to_dict"):
        item = item.to_dict()
    if isinstance(item, Mapping):
        return "; ".join(f"{key}: {value}" for key, value in item.items() if value not in (None, ""))
    return str(item)
