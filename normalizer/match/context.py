"""Context: turning what surrounds a name into clues (oblasts, raions, countries).

An oblast hint may be a KATOTTG code, an ISO 3166-2 code or any spelling of a top-level
unit ("Kharkiv Oblast", "Харківська", "Kyiv" meaning the city or the oblast); context
phrases split off the input ("..., Бахмутський р-н", "..., Belgorod Oblast") name a raion,
an oblast or a place abroad. Each is read with the same retrieval and scoring as names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..spelling.cleanup import clean_text, parse_query, strip_type_words
from ..spelling.keys import fold
from . import weights as w
from .decide import decide
from .index import EntityRow
from .model import MATCHED
from .retrieve import Retriever
from .score import Clues, Scored, score_hits

#: Words for Ukraine itself in a context phrase: they narrow nothing.
COUNTRY_WORDS = frozenset({"ukraine", "ukraina", "украина", "україна"})
#: Hints remembered per process before the memo is emptied.
_HINT_CACHE_LIMIT = 10_000


@dataclass(slots=True)
class ContextClues:
    """What the context phrases of an input said, the notes on it, and the phrases that named nothing."""

    oblasts: frozenset[str] | None = None
    raions: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    notes: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)


class ContextReader:
    """Reads oblast hints and context phrases against one index (hints memoized)."""

    def __init__(self, retriever: Retriever, centres: dict[str, int]) -> None:
        self.retriever = retriever
        self.centres = centres
        self._oblasts: dict[str, frozenset[str]] = {}
        self._top_rows: list[EntityRow] | None = None

    def forget(self) -> None:
        """Empty the memo of hints (for timing first sights)."""
        self._oblasts.clear()

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
        result = frozenset(found)
        if len(self._oblasts) > _HINT_CACHE_LIMIT:
            self._oblasts.clear()
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

    def country_of(self, text: str) -> str | None:
        """The country of a phrase naming a place or region abroad ("Belgorod Oblast", "Russia"), else None."""
        scored = self._score(self.retriever.hits_for(text, fuzzy=False), Clues())
        decision = decide(scored, 3)
        if decision.status == MATCHED and decision.ranked[0].kind == "foreign" \
                and decision.ranked[0].country not in (None, "UA"):
            return decision.ranked[0].country
        return None

    def read(self, context: list[str]) -> ContextClues:
        """Oblast, raion and country restrictions from context phrases, notes, and the phrases left over."""
        oblasts: set[str] = set()
        raions: set[str] = set()
        countries: set[str] = set()
        clues = ContextClues()
        for phrase in context:
            core, kind_word = strip_type_words(phrase)
            if kind_word == "raion":
                scored = self._score(self.retriever.hits_for(core),
                                     Clues(kind_word="raion", kinds=frozenset({"raion"})))
                if scored:
                    top = max(s.score for s in scored.values())
                    chosen = {s.row.id for s in scored.values() if s.score >= top - w.RAION_HINT_TOLERANCE}
                    if top >= w.ACCEPT and len(chosen) <= 2:
                        raions.update(chosen)
                        clues.notes.append(f"raion from context '{phrase}'")
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
        return clues
