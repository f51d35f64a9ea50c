"""Context: turning what surrounds a name into clues (oblasts, raions, countries).

An oblast hint may be a KATOTTG code, an ISO 3166-2 code or any spelling of a top-level
unit ("Kharkiv Oblast", "Харківська", "Kyiv" meaning the city or the oblast); context
phrases split off the input ("..., Бахмутський р-н", "..., Belgorod Oblast") name a raion,
an oblast or a place abroad. Each is read with the same retrieval and scoring as names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gazetteer.model import FORMER_KINDS

from ..spelling.cleanup import clean_text, strip_type_words
from ..spelling.keys import fold
from ..spelling.parse import latin_adjective_stems, nouns_of_adjective, parse_query
from . import weights as w
from .decide import decide
from .index import EntityRow
from .model import MATCHED
from .retrieve import Retriever
from .score import Clues, Scored, score_hits

#: Words for Ukraine itself in a context phrase: they narrow nothing.
COUNTRY_WORDS = frozenset({"ukraine", "ukraina", "украина", "україна"})
#: Top-level units (ISO 3166-2) that a hint naming another one also covers: Sevastopol lies in Crimea, Kyiv
#: (a city with special status) in Kyiv oblast ("Київ, Київська обл." is the city).
UNDER_ANOTHER = {"UA-40": "UA-43", "UA-30": "UA-32"}
#: The kinds a raion or hromada hint may name.
UNIT_KINDS = {"raion": frozenset({"raion", "former-raion"}), "hromada": frozenset({"hromada"})}
#: A raion or hromada hint naming more units than this (within the tolerance) names none of them.
MAX_UNITS_PER_HINT = 3
#: Joins the IDs of several units in one raion or hromada hint ("UA63140000000096278|koatuu:6325400000").
UNIT_SEPARATOR = "|"
#: Hints remembered per process before the memo is emptied.
_HINT_CACHE_LIMIT = 10_000


@dataclass(slots=True)
class ContextClues:
    """What the context phrases of an input said, the notes on it, and the phrases that named nothing."""

    oblasts: frozenset[str] | None = None
    raions: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    hromadas: frozenset[str] | None = None
    notes: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)


class ContextReader:
    """Reads oblast hints and context phrases against one index (hints memoized)."""

    def __init__(self, retriever: Retriever, centres: dict[str, int]) -> None:
        self.retriever = retriever
        self.centres = centres
        self._oblasts: dict[str, frozenset[str]] = {}
        self._units: dict[tuple[str, str], frozenset[str]] = {}
        self._unit_oblasts: dict[str, str | None] = {}  # the oblast of each unit a hint named
        self._top_rows: list[EntityRow] | None = None

    def forget(self) -> None:
        """Empty the memo of hints (for timing first sights)."""
        self._oblasts.clear()
        self._units.clear()

    def tops(self) -> list[EntityRow]:
        """Entity rows of the 27 top-level units (cached)."""
        if self._top_rows is None:
            self._top_rows = self.retriever.index.top_level_units()
        return self._top_rows

    def _score(self, hits: list, clues: Clues) -> dict[int, Scored]:
        return score_hits(self.retriever, hits, clues, self.centres)

    def oblasts_for(self, text: str) -> frozenset[str]:
        """Top-level unit IDs an oblast hint may denote (ID, ISO code or any spelling); empty if none."""
        key = text.strip()
        if key in self._oblasts:
            return self._oblasts[key]
        if UNIT_SEPARATOR in key:  # the IDs of several top-level units, as a table's hint is keyed
            return frozenset(unit for part in key.split(UNIT_SEPARATOR) if part.strip()
                             for unit in self.oblasts_for(part))
        found: set[str] = set()
        tops = {row.id: row for row in self.tops()}
        upper = key.upper()
        if upper in tops:
            found.add(upper)
        for entity_id, row in tops.items():
            if row.iso3166_2 and row.iso3166_2.upper() == upper:
                found.add(entity_id)
        if not found and key:
            found.update(self._oblasts_named(key))
        for inside, outside in UNDER_ANOTHER.items():  # "Crimea" covers Sevastopol, "Kyiv oblast" Kyiv
            if any((tops[unit].iso3166_2 or "") == outside for unit in found if unit in tops):
                found.update(unit for unit, row in tops.items() if row.iso3166_2 == inside)
        result = frozenset(found)
        if len(self._oblasts) > _HINT_CACHE_LIMIT:
            self._oblasts.clear()
        self._units.clear()
        self._oblasts[key] = result
        return result

    def _oblasts_named(self, key: str) -> set[str]:
        """Top-level units a hint names by spelling."""
        parsed = parse_query(key)
        if parsed.too_long:  # a hint longer than any name names nothing (and must not cost time)
            return set()
        # all of it context ("Kharkiv, oblast"): read the whole hint, cleaned like any input
        core, kind_word = strip_type_words(parsed.core or clean_text(key))
        kind_word = kind_word or parsed.kind_hint
        hits = self.retriever.hits_for(core, fuzzy=True)
        wanted = frozenset({"city"}) if kind_word == "city" else frozenset({"oblast", "city"})
        scored = self._score(hits, Clues(kind_word="city" if kind_word == "city" else "oblast", kinds=wanted))
        found: set[str] = set()
        top = [s for s in scored.values() if s.category in ("O", "K")]
        if top:
            best = max(s.score for s in top)
            if best >= w.ACCEPT:
                found.update(s.row.id for s in top if s.score >= best - w.OBLAST_HINT_TOLERANCE)
        if kind_word is None:
            # an oblast column saying "Kyiv" may mean the city with special status as well as the oblast
            cities = self._score(hits, Clues(kinds=frozenset({"city"})))
            found.update(s.row.id for s in cities.values() if s.category == "K" and s.score >= w.ACCEPT)
        return found

    def raions_for(self, text: str, oblasts: frozenset[str] | None = None) -> frozenset[str]:
        """Raion IDs a raion hint may denote: today's raions and those of before 2020 (an ID, a KOATUU code or
        any spelling, with or without its type word, in any case: "Чугуївського району"), those in `oblasts`
        when some are; empty if none, or if the hint names more than MAX_UNITS_PER_HINT."""
        return self.within(self._units_for(text, "raion"), oblasts)

    def hromadas_for(self, text: str, oblasts: frozenset[str] | None = None) -> frozenset[str]:
        """Hromada IDs a hromada hint may denote (an ID or any spelling), those in `oblasts` when some are; empty
        if none, or if the hint names more than MAX_UNITS_PER_HINT (Олександрівська: one in many oblasts)."""
        return self.within(self._units_for(text, "hromada"), oblasts)

    def units_named(self, text: str, kind_word: str) -> frozenset[str]:
        """Every raion or hromada (`kind_word`) a hint's text may denote, wherever it lies (no cap)."""
        return self._units_for(text, kind_word)

    def within(self, units: frozenset[str], oblasts: frozenset[str] | None) -> frozenset[str]:
        """The units in the given oblasts (all of them when none lies there: the clues then disagree, and each
        counts for itself); none when more than MAX_UNITS_PER_HINT remain (a name too common to place)."""
        if oblasts and len(units) > 1:
            inside = frozenset(unit for unit in units if self._unit_oblasts.get(unit) in oblasts)
            units = inside or units
        return units if len(units) <= MAX_UNITS_PER_HINT else frozenset()

    def _units_for(self, text: str, kind_word: str) -> frozenset[str]:
        key = (kind_word, text.strip())
        found = self._units.get(key)
        if found is None:
            found = frozenset(self._read_units(key[1], kind_word))
            if len(self._units) > _HINT_CACHE_LIMIT:
                self._units.clear()
            self._units[key] = found
        return found

    def _read_units(self, text: str, kind_word: str) -> set[str]:
        if UNIT_SEPARATOR in text:  # the IDs of several units, as a table's hint is keyed: each read alone
            units: set[str] = set()
            for part in text.split(UNIT_SEPARATOR):
                units.update(self._read_units(part.strip(), kind_word) if part.strip() else ())
            return units
        kinds = UNIT_KINDS[kind_word]
        index = self.retriever.index
        as_id = clean_text(text)  # no lone surrogate reaches SQLite
        as_id = as_id.upper() if as_id.upper().startswith("UA") else as_id
        eid = index.eid_of(as_id) if as_id.startswith("UA") or ":" in as_id else None  # koatuu:... of a former raion
        if eid is not None:
            row = index.entities([eid])[eid]
            return {row.id} if row.kind in kinds else set()
        if text.isdigit():
            rows = [row for row in index.entities(index.by_code("koatuu", text.zfill(10))).values()
                    if row.kind in kinds]
            self._unit_oblasts.update((row.id, row.oblast_id) for row in rows)
            return {row.id for row in rows}
        parsed = parse_query(text)
        if parsed.too_long or not parsed.core:
            return set()
        core, _ = strip_type_words(parsed.core)
        scored = self._score(self.retriever.hits_for(core or parsed.core), Clues(kind_word=kind_word, kinds=kinds))
        if not scored:
            return set()
        top = max(s.score for s in scored.values())
        if top < w.ACCEPT:
            return set()
        # a raion of before 2020 named as well as today's scores FORMER_ENTITY times as much: both are named
        # ("Первомайський район": today's in Mykolaiv oblast and the former ones of Crimea and Kharkiv oblast),
        # and the row's oblast chooses among them (within)
        chosen = [s.row for s in scored.values()
                  if s.score >= (top * w.FORMER_ENTITY if s.row.kind in FORMER_KINDS else top) - w.RAION_HINT_TOLERANCE]
        self._unit_oblasts.update((row.id, row.oblast_id) for row in chosen)
        return {row.id for row in chosen}

    def _oblasts_in(self, context: list[str]) -> frozenset[str] | None:
        """The oblasts that the context phrases without a raion or hromada type word name (for narrowing)."""
        found: set[str] = set()
        for phrase in context:
            if strip_type_words(phrase)[1] not in UNIT_KINDS:
                found.update(self.oblasts_for(phrase))
        return frozenset(found) or None

    def country_of(self, text: str) -> str | None:
        """The country of a phrase naming a place or region abroad ("Belgorod Oblast", "Russia", "Белгородская":
        a region abroad is named after its capital), else None."""
        for name in (text, *nouns_of_adjective(text), *latin_adjective_stems(text)):
            scored = self._score(self.retriever.hits_for(name, fuzzy=False), Clues())
            decision = decide(scored, 3)
            if decision.status == MATCHED and decision.ranked[0].kind == "foreign" \
                    and decision.ranked[0].country not in (None, "UA"):
                return decision.ranked[0].country
        return None

    def read(self, context: list[str], row_oblasts: frozenset[str] | None = None) -> ContextClues:
        """Oblast, raion and country restrictions from context phrases, notes, and the phrases left over;
        `row_oblasts` (the row's oblast hint) narrows a raion or hromada name as the phrases' own oblast does."""
        oblasts: set[str] = set()
        raions: set[str] = set()
        countries: set[str] = set()
        hromadas: set[str] = set()
        clues = ContextClues()
        for phrase in context:
            core, kind_word = strip_type_words(phrase)
            if kind_word in UNIT_KINDS:
                units = self.within(self._units_for(phrase, kind_word), self._oblasts_in(context) or row_oblasts)
                if units:
                    (raions if kind_word == "raion" else hromadas).update(units)
                    clues.notes.append(f"{kind_word} from context '{phrase}'")
                continue
            if fold(core) in COUNTRY_WORDS:
                continue
            found = self.oblasts_for(phrase)
            if found:
                oblasts.update(found)
                clues.notes.append(f"oblast from context '{phrase}'")
                continue
            abroad = self.country_of(core)
            if abroad:
                countries.add(abroad)
                clues.notes.append(f"context '{phrase}' is abroad ({abroad})")
            else:
                clues.unused.append(phrase)
        clues.oblasts = frozenset(oblasts) or None
        clues.raions = frozenset(raions) or None
        clues.countries = frozenset(countries) or None
        clues.hromadas = frozenset(hromadas) or None
        return clues
