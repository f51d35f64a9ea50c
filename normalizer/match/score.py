"""Scoring: an entity's best hit, weighed by the kind of name it went through and by the row's clues.

A hit's own score says how the spelling matched; the form weight how much the matched
kind of name is trusted (an official name more than a derived Russian form, a recent
former name more than one dropped a century ago). The clues (a kind word, an oblast, a
raion, a country) are the same for every hit of one entity, so they are applied once, to
the entity's best hit and to its best hit through a current name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gazetteer.model import FORMER_KINDS

from . import weights as w
from .index import EntityRow, FormRow
from .retrieve import Hit, Retriever

#: Which entity kinds a kind word (м., oblast, р-н ... in spelling/data/type_words.tsv) admits.
KIND_WORD_ADMITS = {
    "city": frozenset({"city"}),
    "settlement": frozenset({"settlement", "city", "village"}),
    "village": frozenset({"village", "settlement"}),
    "oblast": frozenset({"oblast"}),
    "raion": frozenset({"raion", "city-district", "former-raion"}),
    "hromada": frozenset({"hromada"}),
}
#: Kind words that name an administrative unit, not a place: contradicting one weighs more.
UNIT_KIND_WORDS = frozenset({"oblast", "raion", "hromada"})
#: Name types that are current names (or spellings of them): a hit through one is authoritative.
AUTHORITATIVE_TYPES = frozenset({"official", "official_latin", "russian", "conventional", "colloquial", "base",
                                 "user", "variant"})
#: Former names dropped this year or later are still in wide use: as authoritative as current names.
RECENT_FORMER_YEAR = 2014


@dataclass(frozen=True, slots=True)
class Clues:
    """What a row says beside the name: a kind word, allowed kinds, oblasts, raions (current or pre-2020),
    hromadas, countries, a point."""

    kind_word: str | None = None
    kinds: frozenset[str] | None = None
    oblasts: frozenset[str] | None = None
    raions: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    hromadas: frozenset[str] | None = None
    near: tuple[float, float] | None = None


@dataclass(slots=True)
class Scored:
    """An entity's best hit after the clues, ready to rank."""

    eid: int
    row: EntityRow
    hit: Hit
    form: FormRow | None
    score: float
    notes: list[str] = field(default_factory=list)
    current_score: float = -1.0  # best score through a current (authoritative) name
    centre: int = 0  # 2: centre of a raion, 1: of a hromada (a namesake prior for villages)
    confirmed: frozenset[str] = frozenset()  # the place clues that agree with the entity: oblast, raion, hromada, near
    distance: float | None = None  # km from the row's point, when one was given and the entity has one

    @property
    def kind(self) -> str:
        """The entity's kind."""
        return self.row.kind

    @property
    def population(self) -> int:
        """The entity's population (0 when unknown)."""
        return self.row.population or 0

    @property
    def category(self) -> str | None:
        """The codifier category of an administrative unit."""
        return self.row.category

    @property
    def country(self) -> str | None:
        """The entity's country code."""
        return self.row.country

    def prior(self) -> tuple[float, int]:
        """(kind rank, population): what decides between equally good spellings."""
        rank: float = w.KIND_RANK[self.kind]
        if self.kind == "city" and self.category == "K":
            rank += w.SPECIAL_STATUS_CITY
        elif self.kind in ("settlement", "village"):
            rank += w.CENTRE_STEP * self.centre
        if self.kind == "foreign" and self.population < w.SMALL_FOREIGN_POPULATION:
            rank = 2  # a small place abroad against a Ukrainian village of the same name: a tie
        return rank, self.population

    @property
    def authoritative(self) -> bool:
        """The entity is reached through a current name nearly as well as through its best hit."""
        return self.current_score >= self.score - w.NEAR_TIE


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two (lat, lon) points, in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def form_weight(form_type: str, year_to: int | None) -> float:
    """Trust in a kind of name; a former name weighs less the longer ago it was dropped."""
    weight = w.FORM_WEIGHT[form_type]
    if form_type == "former" and year_to:
        if year_to < 1920:
            weight = w.FORMER_BEFORE_1920
        elif year_to < 1990:
            weight = w.FORMER_BEFORE_1990
        elif year_to < RECENT_FORMER_YEAR:
            weight = w.FORMER_BEFORE_2014
    return weight


def authoritative_form(kind: str, method: str, form: FormRow | None) -> bool:
    """A hit through a current name (or one dropped since 2014, still in wide use)."""
    if method in ("person", "identifier"):
        return True
    if form is None:
        return False
    if kind == "foreign":
        return True  # GeoNames' names of a place abroad are its real names
    return form.type in AUTHORITATIVE_TYPES or (form.type == "former" and (form.year_to or 0) >= RECENT_FORMER_YEAR)


def score_hits(retriever: Retriever, hits: Iterable[Hit], clues: Clues, centres: dict[str, int]) -> dict[int, Scored]:
    """Best score per entity, clues applied (see the module docstring)."""
    hits = list(hits)
    rows = retriever.index.entities(h.eid for h in hits)
    retriever.load_forms(h.fid for h in hits if h.fid)
    kind_word, kinds = clues.kind_word, clues.kinds
    best_hit: dict[int, tuple[float, Hit, FormRow]] = {}
    best_current: dict[int, float] = {}
    for hit in hits:
        row = rows.get(hit.eid)
        if row is None:
            continue
        kind = row.kind
        if kinds is not None and kind not in kinds:
            continue
        form = retriever.form(hit.fid)
        if form.type == "base" and kind_word is None:
            continue  # "Luhansk" alone is the city, not the oblast named after it
        score = hit.score * form_weight(form.type, form.year_to)
        if kind == "foreign":
            score *= w.FOREIGN
        elif kind in FORMER_KINDS:
            score *= w.FORMER_ENTITY
        if kind_word is None and form.kind_word and kind != "city":
            score *= w.FORM_WITHOUT_ITS_TYPE_WORD  # "Bakhmutskyi" is the raion's adjective
        current = best_hit.get(hit.eid)
        if current is None or score > current[0]:
            best_hit[hit.eid] = (score, hit, form)
        if authoritative_form(kind, hit.method, form) and score > best_current.get(hit.eid, -1.0):
            best_current[hit.eid] = score
    best: dict[int, Scored] = {}
    for eid, (score, hit, form) in best_hit.items():
        row = rows[eid]
        notes: list[str] = []
        adjust, confirmed = clue_adjustment(row, clues, notes)
        current_score = best_current.get(eid)
        best[eid] = Scored(eid, row, hit, form, adjust(score), notes,
                           current_score=adjust(current_score) if current_score is not None else -1.0,
                           centre=centres.get(row.id, 0), confirmed=confirmed,
                           distance=_distance(clues, row))
    return best


def _distance(clues: Clues, row: EntityRow) -> float | None:
    """How far (km) the entity lies from the row's point, if both are known."""
    if clues.near is None or row.lat is None or row.lon is None:
        return None
    return distance_km(clues.near, (row.lat, row.lon))


def clue_adjustment(row: EntityRow, clues: Clues, notes: list[str]) -> tuple[Callable[[float], float], frozenset[str]]:
    """The function that applies the clues to an entity's score (its notes collected once), and the place clues
    that agree with the entity."""
    steps: list[tuple[float, float]] = []  # (multiply, then add)
    confirmed: set[str] = set()
    kind_word = clues.kind_word
    if kind_word:
        if row.kind in KIND_WORD_ADMITS.get(kind_word, ()):
            steps.append((1.0, w.KIND_WORD_FITS))
            notes.append(f"kind word fits ({kind_word})")
        else:
            # "Kharkiv oblast" is not the city; "с. Бахмут" may be sloppy data
            steps.append((w.KIND_WORD_CONTRADICTS_UNIT if kind_word in UNIT_KIND_WORDS
                          else w.KIND_WORD_CONTRADICTS_PLACE, 0.0))
    if clues.oblasts is not None:
        if row.oblast_id in clues.oblasts or row.id in clues.oblasts:
            steps.append((1.0, w.OBLAST_FITS))
            confirmed.add("oblast")
            notes.append("in the given oblast")
        else:
            steps.append((w.OBLAST_CONTRADICTS, 0.0))
    if clues.countries is not None:
        if row.country in clues.countries:
            steps.append((1.0, w.COUNTRY_FITS))
            notes.append("in the country the context names")
        else:
            steps.append((w.COUNTRY_CONTRADICTS, 0.0))
    if clues.raions is not None:
        if row.raion_id in clues.raions or row.former_raion_id in clues.raions or row.id in clues.raions:
            steps.append((1.0, w.RAION_FITS))
            confirmed.add("raion")
            notes.append("in the given raion" if row.raion_id in clues.raions or row.id in clues.raions
                         else "in the given raion of before 2020")
        else:
            steps.append((w.RAION_CONTRADICTS, 0.0))
    if clues.hromadas is not None:
        if row.hromada_id in clues.hromadas or row.id in clues.hromadas:
            steps.append((1.0, w.HROMADA_FITS))
            confirmed.add("hromada")
            notes.append("in the given hromada")
        else:
            steps.append((w.HROMADA_CONTRADICTS, 0.0))
    if clues.near is not None and row.lat is not None and row.lon is not None:
        distance = distance_km(clues.near, (row.lat, row.lon))
        reach = w.REACH_KM.get(row.kind, w.REACH_KM["village"])
        if distance <= reach:
            steps.append((1.0, w.NEAR_FITS))
            confirmed.add("near")
            notes.append(f"{distance:.0f} km from the given point")
        elif distance > w.FAR_REACHES * reach:
            steps.append((w.FAR_CONTRADICTS, 0.0))
            notes.append(f"{distance:.0f} km from the given point")

    def adjust(score: float) -> float:
        for multiply, add in steps:
            score = score * multiply + add
        return score

    return adjust, frozenset(confirmed)
