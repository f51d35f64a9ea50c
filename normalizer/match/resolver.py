"""Scoring and deciding: candidates from the index, priors and context, status and explanation.

The pipeline for one input:
1. parse_query(): the core name, a kind word, context ("..., Kharkiv oblast"), alternates;
2. retrieval (always keyed, never a scan): exact fold, inflection lemmas (Cyrillic),
   skeleton, then the deletion neighbourhood of the skeleton (edit distance <= 2);
   persons by surname and given-name group;
3. scoring: how the spelling matched (exact, skeleton, fuzzy with its edits), which
   kind of name matched (official, Russian, former, derived ...), kind and oblast
   context;
4. deciding: `matched` when one entity stands clear, or when a strong prior settles a
   near-tie (a city against villages: said in the explanation); `ambiguous` when
   several stay close; `unmatched` below the acceptance score.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA
from rapidfuzz.fuzz import ratio

from gazetteer.model import ENTITY_FIELDS

from ..spelling.cleanup import MAX_NAME_LENGTH, Query, clean_text, parse_query, strip_type_words
from ..spelling.forms import (
    PATRONYMIC,
    given_name_group,
    given_name_initials,
    lemma_candidates,
    ukrainian_readings,
)
from ..spelling.keys import fold, is_cyrillic, skeleton
from .index import IndexReader
from .model import AMBIGUOUS, CANDIDATE_FIELDS, MATCHED, UNMATCHED, Candidate, Result

#: Below this score nothing is a match.
ACCEPT = 0.80
#: Candidates within this distance of the best are in a near-tie.
NEAR_TIE = 0.025

#: How much each kind of name is trusted (multiplies the spelling score).
FORM_WEIGHT = {
    "official": 1.0, "official_latin": 1.0, "base": 1.0, "conventional": 0.995, "colloquial": 0.995,
    "user": 1.0, "russian": 0.99, "variant": 0.99, "alternate": 0.97, "former": 0.98,
    "derived_ru": 0.95, "occupation": 0.97,
}
#: Places outside Ukraine win only what Ukrainian entities do not claim as well.
FOREIGN_WEIGHT = 0.99
#: A large foreign city competes with a Ukrainian village or settlement within this distance.
FOREIGN_CITY_WINDOW = 0.05
FOREIGN_CITY_POPULATION = 50_000
#: Foreign declension endings tried last (Lithuanian Bachmutas, Latvian Kijiva ...).
_FOREIGN_ENDINGS = ("as", "is", "us", "a", "o", "e", "um", "i")
_ID_PATTERN = re.compile(r"^(UA\d{17}|[a-z]+:[a-z0-9-]+)$")
#: OCHA/HDX P-codes: the KATOTTG code cut after the oblast, raion, hromada or settlement level.
_PCODE_PATTERN = re.compile(r"^UA(\d{2}|\d{4}|\d{7}|\d{10})$", re.IGNORECASE)
_ISO_PATTERN = re.compile(r"^UA-\d{2}$", re.IGNORECASE)
FORM_PHRASE = {
    "official": "official name", "official_latin": "official Latin name", "base": "name",
    "conventional": "conventional name", "colloquial": "colloquial name", "user": "user-added variant",
    "russian": "Russian name", "variant": "variant", "alternate": "alternate spelling",
    "former": "former name", "derived_ru": "Russian form", "occupation": "occupation-era name",
}
#: Which entity kinds a kind word admits.
KIND_WORD_ADMITS = {
    "city": {"city"},
    "settlement": {"settlement", "city", "village"},
    "village": {"village", "settlement"},
    "oblast": {"oblast"},
    "raion": {"raion", "city-district"},
    "hromada": {"hromada"},
}
#: Prior rank of kinds (higher wins a near-tie it can settle).
KIND_RANK = {
    "oblast": 7, "city": 6, "foreign": 5, "region": 5, "person": 5, "river": 5, "sea": 5,
    "reservoir": 4, "island": 4, "facility": 4, "settlement": 3, "village": 2, "raion": 2,
    "hromada": 1, "city-district": 1,
}
_SMALL_KINDS = {"settlement", "village", "raion", "hromada", "city-district"}
_FEATURE_KINDS = {"region", "river", "sea", "reservoir", "island", "facility"}
#: Characters the skeleton drops (it keeps only letters): swapping one with a neighbour changes nothing.
_INERT = frozenset(string.digits + string.punctuation + string.whitespace)
_ENTITY_INDEX = {name: i + 1 for i, name in enumerate(ENTITY_FIELDS)}
_RAION_INDEX = len(ENTITY_FIELDS) + 1


@dataclass(slots=True)
class Hit:
    """One way an entity was reached: the form, how the spelling matched and its score."""

    eid: int
    fid: int
    method: str  # exact, inflection, skeleton, fuzzy, person
    system: str
    spelling: str
    score: float
    edits: int = 0
    note: str = ""


@dataclass(slots=True)
class Scored:
    """An entity's best hit after context, ready to rank."""

    eid: int
    row: tuple[Any, ...]
    hit: Hit
    form: tuple[Any, ...] | None
    score: float
    notes: list[str] = field(default_factory=list)
    current_score: float = -1.0  # best score through a current (authoritative) name
    centre: int = 0  # 2: centre of a raion, 1: of a hromada (a namesake prior for villages)

    @property
    def kind(self) -> str:
        return self.row[_ENTITY_INDEX["kind"]]

    @property
    def population(self) -> int:
        return self.row[_ENTITY_INDEX["population"]] or 0

    @property
    def category(self) -> str | None:
        return self.row[_ENTITY_INDEX["category"]]

    @property
    def country(self) -> str:
        return self.row[_ENTITY_INDEX["country"]]

    def prior(self) -> tuple[float, int]:
        """(kind rank, population): what decides between equally good spellings."""
        rank = KIND_RANK.get(self.kind, 0)
        if self.kind == "city" and self.category == "K":
            rank += 0.5
        elif self.kind in ("settlement", "village"):
            rank += 0.3 * self.centre
        if self.kind == "foreign" and self.population < 20_000:
            rank = 2  # a small place abroad against a Ukrainian village of the same name: a tie
        return rank, self.population


def _fuzzy_score(query_skel: str, candidate_skel: str, distance: int) -> float:
    """Score of a skeleton within `distance` edits: longer names tolerate more."""
    length = max(len(query_skel), len(candidate_skel))
    return max(0.0, 0.95 - 0.045 * distance - 0.5 * distance / (length + 4))


class Resolver:
    """Resolves names against an index; shared by Normalizer.resolve, batch and annotate."""

    def __init__(self, index: IndexReader) -> None:
        self.index = index
        self._oblast_cache: dict[str, frozenset[str]] = {}
        self._forms_cache: dict[int, tuple[Any, ...]] = {}
        self._surname_keys: frozenset[str] | None = None
        self._centre_weights: dict[str, int] | None = None
        self._top_rows: list[tuple[Any, ...]] | None = None
        self._surname_prefixes: frozenset[str] = frozenset()

    def forget(self) -> None:
        """Empty every per-process memo of matching (forms, entities, hints, folds, skeletons, lemmas), so that
        the next resolve is a first sight; the SQLite file stays in the OS cache. For timing, not for use."""
        from ..spelling import forms, keys

        self._forms_cache.clear()
        self._oblast_cache.clear()
        self.index._entity_cache.clear()
        keys.fold.cache_clear()
        keys.skeleton.cache_clear()
        forms.word_lemmas.cache_clear()

    def _centres(self) -> dict[str, int]:
        """Which villages and settlements are centres of raions and hromadas (loaded once)."""
        if self._centre_weights is None:
            self._centre_weights = self.index.centres()
        return self._centre_weights

    def _surnames_known(self) -> frozenset[str]:
        """Skeletons of every indexed surname, loaded once (a few thousand strings)."""
        if self._surname_keys is None:
            self._surname_keys = self.index.surname_keys()
            self._surname_prefixes = frozenset(k[:3] for k in self._surname_keys)
        return self._surname_keys

    # -- retrieval ------------------------------------------------------------------

    def _hits_for(self, core: str, *, fuzzy: bool = True, inflection: bool = True, inflected: bool = False,
                  deep: bool = False) -> list[Hit]:
        """Every indexed way to reach an entity from the core name."""
        folded = fold(core)
        if not folded or len(folded) > 2 * MAX_NAME_LENGTH:
            return []  # not a name (parse_query refuses longer inputs; this guards every other caller)
        key = skeleton(folded)
        hits = []
        by_key = []
        for which, system, spelling, fid, eid in self.index.exact_and_skeleton(folded, key):
            (hits if which == 0 else by_key).append((fid, eid, system, spelling))
        hits = [Hit(eid, fid, "exact", system, spelling, 1.0) for fid, eid, system, spelling in hits]
        self._load_forms(h.fid for h in hits)
        cyrillic = is_cyrillic(folded)
        # inflected forms can coincide with adjectives of raions and hromadas (Покровська)
        adjectives_only = hits and all(self._form(h.fid)[5] for h in hits)
        if cyrillic and inflection and (not hits or inflected or adjectives_only):
            # suffix rules first (cheap); the dictionaries (pymorphy3) only when they find nothing
            found = self.index.exact_many(lemma_candidates(folded, use_dictionary=False)[1:])
            if not found:
                found = self.index.exact_many(lemma_candidates(folded)[1:])
            for fid, eid, system, spelling in found:
                hits.append(Hit(eid, fid, "inflection", system, spelling, 0.975, note=spelling))
        if not key:
            return hits
        exact_fids = {h.fid for h in hits}
        for fid, eid, system, spelling in by_key:
            if fid in exact_fids:
                continue
            similarity = ratio(folded, spelling) / 100.0
            hits.append(Hit(eid, fid, "skeleton", system, spelling, 0.885 + 0.08 * similarity))
        if cyrillic and inflection and not hits:
            for use_dictionary in (False, True):  # the dictionaries only when the suffix rules find nothing
                candidates = lemma_candidates(folded, use_dictionary=use_dictionary)[1:16]
                lemmas = {skeleton(lemma): lemma for lemma in reversed(candidates)}
                for fid, eid, system, spelling, key_found in self.index.by_skeletons(list(lemmas)):
                    lemma = lemmas[key_found]
                    similarity = ratio(lemma, spelling) / 100.0
                    hits.append(Hit(eid, fid, "skeleton", system, spelling, 0.87 + 0.06 * similarity, note=lemma))
                if hits:
                    break
        if hits and not deep:
            return hits
        # a Russian form read back as Ukrainian: Kurakhovka -> Kurakhivka, Gvozdavka Vtoraya -> Hvozdavka Druha
        words = [skeleton(word) for word in folded.split()]
        readings = ukrainian_readings([w for w in words if w])
        for fid, eid, system, spelling, _key in self.index.by_skeletons(readings):
            similarity = ratio(folded, spelling) / 100.0
            hits.append(Hit(eid, fid, "reading", system, spelling, 0.87 + 0.06 * similarity,
                            note="read as the Ukrainian counterpart of a Russian form"))
        if (hits and not deep) or not fuzzy or len(key) < 4:
            return hits
        hits = hits + self._fuzzy_hits(folded, key)
        if not cyrillic and all(h.score < 0.86 for h in hits):
            for ending in _FOREIGN_ENDINGS:
                if folded.endswith(ending) and len(folded) - len(ending) >= 4:
                    stem = folded[: -len(ending)]
                    for fid, eid, system, spelling in self.index.by_skeleton(skeleton(stem)):
                        similarity = ratio(stem, spelling) / 100.0
                        hits.append(Hit(eid, fid, "skeleton", system, spelling, 0.85 + 0.05 * similarity,
                                        note=f"foreign ending -{ending} dropped"))
                    if hits:
                        break
        return hits

    def _fuzzy_hits(self, folded: str, key: str) -> list[Hit]:
        """Spellings whose skeleton is within 1 (short names) or 2 edits of the input's."""
        hits: list[Hit] = []
        max_distance = 1 if len(key) < 7 else 2
        near = []
        for sid, candidate in self.index.near_skeletons(key):
            distance = OSA.distance(key, candidate, score_cutoff=max_distance)
            if distance <= max_distance:
                near.append((sid, candidate, distance))
        # a swapped pair of letters can change the skeleton by more than one edit (Toretks, Chernivsti);
        # swapping equal characters, or a letter with a space, digit or mark, leaves the skeleton as it is
        swapped_keys = {skeleton(folded[:i] + folded[i + 1] + folded[i] + folded[i + 2 :])
                        for i in range(len(folded) - 1)
                        if folded[i] != folded[i + 1] and folded[i] not in _INERT and folded[i + 1] not in _INERT
                        } - {key}
        near.extend((sid, found, 1) for sid, found in self.index.skeleton_ids_many(sorted(swapped_keys)))
        by_sid: dict[int, tuple[str, int]] = {}
        for sid, candidate, distance in near:
            if sid not in by_sid or distance < by_sid[sid][1]:
                by_sid[sid] = (candidate, distance)
        # one hit per form (its best spelling): a name's many romanizations are one way to reach it
        bases: dict[int, float] = {}
        best: dict[int, tuple[float, int, str, str, int]] = {}
        for fid, eid, sid, system, spelling in self.index.spellings_of_skeletons(list(by_sid)):
            candidate, distance = by_sid[sid]
            base = bases.get(sid)
            if base is None:
                base = bases[sid] = _fuzzy_score(key, candidate, distance)
            score = base * (0.94 + 0.06 * ratio(folded, spelling) / 100.0)
            known = best.get(fid)
            if known is None or score > known[0]:
                best[fid] = (score, eid, system, spelling, distance)
        for fid, (score, eid, system, spelling, distance) in best.items():
            hits.append(Hit(eid, fid, "fuzzy", system, spelling, score, edits=distance))
        return hits

    def _person_hits(self, core: str) -> list[Hit]:
        """Persons whose surname is in the input and whose given name (if given) agrees."""
        tokens = [t for t in re.split(r"[\s,]+", core) if t]
        if not 1 <= len(tokens) <= 4:
            return []
        words = [t for t in tokens if not PATRONYMIC.search(fold(t)) or len(tokens) == 1]
        hits: list[Hit] = []
        known = self._surnames_known()
        for position, word in enumerate(words):
            if len(fold(word).replace(" ", "")) < 3:
                continue
            if skeleton(word)[:3] not in self._surname_prefixes:
                continue  # no surname starts like this word: not a person
            others = words[:position] + words[position + 1 :]
            variants = [word]
            if is_cyrillic(word) and skeleton(word) not in known:
                variants.extend(lemma_candidates(fold(word), use_dictionary=False)[1:8])
            direct = skeleton(word)
            keys = {skeleton(v) for v in variants if skeleton(v) in known}
            sids: dict[int, int] = {}
            for key in keys:
                for sid in self.index.skeleton_ids(key):
                    sids[sid] = 0 if key == direct else 1
            rows = self.index.surnames(list(sids))
            fuzzy = False
            if not rows and len(skeleton(word)) >= 6:
                key = skeleton(word)
                near = [(sid, OSA.distance(key, s)) for sid, s in self.index.near_skeletons(key)]
                sids = {sid: d for sid, d in near if d <= 1}
                rows = self.index.surnames(list(sids))
                fuzzy = True
            for sid, eid, fid, group, given_skel in rows:
                score, note = self._given_agreement(others, group, given_skel)
                if score <= 0:
                    continue
                if fuzzy:
                    score *= 0.93
                elif sids.get(sid):
                    score *= 0.97  # through a dictionary form of the word (Зеленського -> Зеленський)
                hits.append(Hit(eid, fid, "person", "surname", fold(word), score, note=note))
        return hits

    @staticmethod
    def _given_agreement(others: list[str], group: int | None, given_skel: str | None) -> tuple[float, str]:
        """How well the other words of the input fit a person's given name."""
        if not others:
            return 0.955, "surname alone"
        best = 0.0
        note = ""
        for word in others:
            folded = fold(word).rstrip(".")
            if not folded:
                continue
            if len(folded) == 1:
                if group is not None and folded in given_name_initials(group):
                    best, note = max(best, 0.95), f"initial {word}"
                elif given_skel and skeleton(folded)[:1] == given_skel[:1]:
                    best, note = max(best, 0.93), f"initial {word}"
                continue
            key = skeleton(folded)
            if given_skel and key == given_skel:
                return 1.0, f"given name {word}"
            word_group = given_name_group(word)
            if word_group is not None and word_group == group:
                best, note = max(best, 0.98), f"given name {word} (equivalent form)"
            elif given_skel and OSA.distance(key, given_skel) <= 1 and len(key) >= 4:
                best, note = max(best, 0.94), f"given name {word} (1 edit)"
            elif word_group is not None:
                return 0.0, ""  # a different given name: another person
        return best, note

    # -- scoring ------------------------------------------------------------------

    def _load_forms(self, fids: Iterable[int]) -> None:
        """Fetch the forms not yet cached, in one query."""
        if len(self._forms_cache) > 200_000:
            self._forms_cache.clear()
        missing = [fid for fid in set(fids) if fid not in self._forms_cache]
        if missing:
            self._forms_cache.update(self.index.forms(missing))

    def _tops(self) -> list[tuple[Any, ...]]:
        """Entity rows of the 27 top-level units (cached)."""
        if self._top_rows is None:
            self._top_rows = self.index.top_level_units()
        return self._top_rows

    def _form(self, fid: int) -> tuple[Any, ...]:
        form = self._forms_cache.get(fid)
        if form is None:
            form = self.index.forms([fid])[fid]
            if len(self._forms_cache) > 200_000:
                self._forms_cache.clear()
            self._forms_cache[fid] = form
        return form

    def _score(
        self,
        hits: Iterable[Hit],
        *,
        kind_word: str | None,
        kinds: frozenset[str] | None,
        oblasts: frozenset[str] | None,
        raions: frozenset[str] | None,
        countries: frozenset[str] | None = None,
    ) -> dict[int, Scored]:
        """Best contextual score per entity.

        The form decides a hit's own score (which name matched, how it was spelled); the
        context (kind word, oblast, country, raion) is the same for every hit of one entity,
        so it is applied once, to the entity's best hit and to its best hit by a current name.
        """
        hits = list(hits)
        rows = self.index.entities(h.eid for h in hits)
        self._load_forms(h.fid for h in hits if h.fid)
        kind_index = _ENTITY_INDEX["kind"]
        best_hit: dict[int, tuple[float, Hit, tuple[Any, ...]]] = {}
        best_current: dict[int, float] = {}
        for hit in hits:
            row = rows.get(hit.eid)
            if row is None:
                continue
            kind = row[kind_index]
            if kinds is not None and kind not in kinds:
                continue
            form = self._form(hit.fid)
            form_type, form_kind_word = form[4], form[5]
            if form_type == "base" and kind_word is None:
                continue  # "Luhansk" alone is the city, not the oblast named after it
            score = hit.score * _form_weight(form_type, form[7])
            if kind == "foreign":
                score *= FOREIGN_WEIGHT
            if kind_word is None and form_kind_word and kind != "city":
                score *= 0.9  # the name needs its type word ("Bakhmutskyi" is the raion's adjective)
            current = best_hit.get(hit.eid)
            if current is None or score > current[0]:
                best_hit[hit.eid] = (score, hit, form)
            if _authoritative_form(kind, hit.method, form) and score > best_current.get(hit.eid, -1.0):
                best_current[hit.eid] = score
        admitted = KIND_WORD_ADMITS.get(kind_word or "", set())
        centres = self._centres()
        best: dict[int, Scored] = {}
        for eid, (score, hit, form) in best_hit.items():
            row = rows[eid]
            notes: list[str] = []
            adjust = self._context_adjustment(row, kind_word, admitted, oblasts, countries, raions, notes)
            current = best_current.get(eid)
            best[eid] = Scored(eid, row, hit, form, adjust(score), notes,
                               current_score=adjust(current) if current is not None else -1.0,
                               centre=centres.get(row[_ENTITY_INDEX["id"]], 0))
        return best

    @staticmethod
    def _context_adjustment(
        row: tuple[Any, ...],
        kind_word: str | None,
        admitted: set[str],
        oblasts: frozenset[str] | None,
        countries: frozenset[str] | None,
        raions: frozenset[str] | None,
        notes: list[str],
    ) -> Any:
        """The function that applies an entity's context to a score (notes collected once)."""
        steps: list[tuple[float, float]] = []  # (multiply, then add)
        kind = row[_ENTITY_INDEX["kind"]]
        if kind_word:
            if kind in admitted:
                steps.append((1.0, 0.02))
                notes.append(f"kind word fits ({kind_word})")
            else:
                # "Kharkiv oblast" is not the city; "с. Бахмут" may be sloppy data
                steps.append((0.78 if kind_word in ("oblast", "raion", "hromada") else 0.9, 0.0))
        if oblasts is not None:
            if row[_ENTITY_INDEX["oblast_id"]] in oblasts or row[_ENTITY_INDEX["id"]] in oblasts:
                steps.append((1.0, 0.03))
                notes.append("in the given oblast")
            else:
                steps.append((0.72, 0.0))
        if countries is not None:
            if row[_ENTITY_INDEX["country"]] in countries:
                steps.append((1.0, 0.03))
                notes.append("in the country the context names")
            else:
                steps.append((0.6, 0.0))  # "Primorsk, Leningrad Oblast" is not Prymorsk in Zaporizhzhia
        if raions is not None:
            if row[_RAION_INDEX] in raions:
                steps.append((1.0, 0.02))
                notes.append("in the given raion")
            else:
                steps.append((0.8, 0.0))

        def adjust(score: float) -> float:
            for multiply, add in steps:
                score = score * multiply + add
            return score

        return adjust

    # -- context ----------------------------------------------------------------------

    def oblasts_for(self, text: str) -> frozenset[str]:
        """Top-level unit IDs an oblast hint may denote (ID, ISO code or any spelling); empty if none."""
        key = text.strip()
        if key in self._oblast_cache:
            return self._oblast_cache[key]
        found: set[str] = set()
        tops = {row[_ENTITY_INDEX["id"]]: row for row in self._tops()}
        upper = key.upper()
        if upper in tops:
            found.add(upper)
        for entity_id, row in tops.items():
            if row[_ENTITY_INDEX["iso3166_2"]] and row[_ENTITY_INDEX["iso3166_2"]].upper() == upper:
                found.add(entity_id)
        if not found and key:
            parsed = parse_query(key)
            if parsed.too_long:  # a hint longer than any name names nothing (and must not cost time)
                return frozenset()
            # all of it context ("Kharkiv, oblast"): read the whole hint, cleaned like any input
            core, kind_word = strip_type_words(parsed.core or clean_text(key))
            kind_word = kind_word or parsed.kind_hint
            hits = self._hits_for(core, fuzzy=True)
            wanted = frozenset({"city"}) if kind_word == "city" else frozenset({"oblast", "city"})
            scored = self._score(hits, kind_word="city" if kind_word == "city" else "oblast", kinds=wanted,
                                 oblasts=None, raions=None)
            top = [s for s in scored.values() if s.category in ("O", "K")]
            if top:
                best = max(s.score for s in top)
                if best >= ACCEPT:
                    found.update(s.row[_ENTITY_INDEX["id"]] for s in top if s.score >= best - 0.06)
            if kind_word is None:
                # an oblast column saying "Kyiv" may mean the city with special status as well as the oblast
                cities = self._score(hits, kind_word=None, kinds=frozenset({"city"}), oblasts=None, raions=None)
                found.update(s.row[_ENTITY_INDEX["id"]] for s in cities.values()
                             if s.category == "K" and s.score >= ACCEPT)
        result = frozenset(found)
        if len(self._oblast_cache) > 10_000:
            self._oblast_cache.clear()
        self._oblast_cache[key] = result
        return result

    def _country_of(self, text: str) -> str | None:
        """The country of a phrase naming a place or region abroad ("Belgorod Oblast", "Russia"), else None."""
        scored = self._score(self._hits_for(text, fuzzy=False), kind_word=None, kinds=None, oblasts=None,
                             raions=None)
        status, ranked, _ = self._decide(scored, 3)
        if status == MATCHED and ranked[0].kind == "foreign" and ranked[0].country not in (None, "UA"):
            return ranked[0].country
        return None

    def _context_hints(
        self, context: list[str]
    ) -> tuple[frozenset[str] | None, frozenset[str] | None, frozenset[str] | None, list[str], list[str]]:
        """Oblast, raion and country restrictions from context phrases, notes, and the phrases left over."""
        oblasts: set[str] = set()
        raions: set[str] = set()
        countries: set[str] = set()
        notes: list[str] = []
        unused: list[str] = []
        for phrase in context:
            core, kind_word = strip_type_words(phrase)
            if kind_word == "raion":
                scored = self._score(self._hits_for(core), kind_word="raion", kinds=frozenset({"raion"}),
                                     oblasts=None, raions=None)
                if scored:
                    top = max(s.score for s in scored.values())
                    chosen = {s.row[_ENTITY_INDEX["id"]] for s in scored.values() if s.score >= top - 0.01}
                    if top >= ACCEPT and len(chosen) <= 2:
                        raions.update(chosen)
                        notes.append(f"raion from context '{phrase}'")
                continue
            if fold(core) in ("ukraine", "ukraina", "украина", "україна"):
                continue
            found = self.oblasts_for(phrase)
            if found:
                oblasts.update(found)
                notes.append(f"oblast from context '{phrase}'")
                continue
            abroad = self._country_of(core)
            if abroad:
                countries.add(abroad)
                notes.append(f"context '{phrase}' is abroad ({abroad})")
            else:
                unused.append(phrase)
        return (frozenset(oblasts) or None), (frozenset(raions) or None), (frozenset(countries) or None), notes, unused

    # -- the whole pipeline -------------------------------------------------------------

    def resolve(
        self,
        text: str,
        *,
        oblast: str | None = None,
        kind: str | Iterable[str] | None = None,
        limit: int = 5,
        fuzzy: bool = True,
    ) -> Result:
        """Resolve one input to a Result (see the module docstring)."""
        query = parse_query(text)
        if query.too_long:
            return Result(text, UNMATCHED, None, (), "not a name: longer than the name length limit")
        if not query.core:
            return Result(text, UNMATCHED, None, (), "nothing to match: the input is empty or blank")
        kinds = _parse_kinds(kind)
        by_id = self._by_identifier(query.cleaned)
        if by_id is not None:
            return by_id if kinds is None or (by_id.best and by_id.best.kind in kinds) else \
                Result(text, UNMATCHED, None, (), "the ID names an entity of another kind")
        oblasts: frozenset[str] | None = None
        notes = list(query.notes)
        if oblast is not None and str(oblast).strip():
            oblasts = self.oblasts_for(str(oblast))
            if oblasts:
                notes.append(f"oblast hint '{_shorten(str(oblast))}'")
            else:
                notes.append(f"oblast hint '{_shorten(str(oblast))}' not recognized, ignored")
                oblasts = None
        context_oblasts, raions, countries, context_notes, unused = self._context_hints(query.context)
        notes.extend(context_notes)
        query.alternates.extend(unused)
        if context_oblasts:
            oblasts = context_oblasts if oblasts is None else (oblasts & context_oblasts or oblasts)

        kind_word = query.kind_hint
        if kind_word is None and kinds is not None and len(kinds) == 1 and next(iter(kinds)) in KIND_WORD_ADMITS:
            kind_word = next(iter(kinds))  # kind="oblast" says what a type word would say
        scored = self._candidates(query.core, kind_word, kinds, oblasts, raions, fuzzy,
                                  inflected=query.preposition is not None, countries=countries)
        decision = self._decide(scored, limit)
        if decision[0] == UNMATCHED and scored and fuzzy:
            # what was found exactly did not fit the context: look further (readings, edits)
            scored = self._candidates(query.core, kind_word, kinds, oblasts, raions, fuzzy,
                                      inflected=query.preposition is not None, countries=countries, deep=True)
            decision = self._decide(scored, limit)
        trailing = query.kind_hint in ("oblast", "raion", "hromada") or decision[0] == UNMATCHED
        if trailing and len(re.split(r"[\s-]+", query.core)) >= 2:
            better = self._trailing_context(query, kinds, oblasts, fuzzy, limit)
            if better is not None and _rank_status(better[0]) > _rank_status(decision[0]):
                decision = better
                notes.append("context at the end of the input")
        if decision[0] == UNMATCHED and query.kind_hint == "oblast":
            for stem in _adjective_stems(query.core):
                stem_scored = self._candidates(stem, "oblast", kinds, oblasts, raions, fuzzy)
                stem_decision = self._decide(stem_scored, limit)
                if stem_decision[0] != UNMATCHED:
                    decision, scored = stem_decision, stem_scored
                    notes.append(f"adjective '{query.core}' read as '{stem}'")
                    break
        for alternate in query.alternates:
            alt_scored = self._candidates(alternate, None, kinds, oblasts, raions, fuzzy)
            for eid, item in alt_scored.items():
                if eid in scored:
                    scored[eid].score += 0.02
                    scored[eid].notes.append(f"alternate '{alternate}' agrees")
                elif decision[0] == UNMATCHED:
                    scored[eid] = item
            decision = self._decide(scored, limit)
        status, ranked, reason = decision
        return self._result(text, status, ranked, reason, notes)

    def _by_identifier(self, core: str) -> Result | None:
        """An input that is itself an entity ID (KATOTTG code, person:slug) or an ISO 3166-2 code."""
        entity_id = None
        if _ID_PATTERN.match(core):
            entity_id = core
        elif _PCODE_PATTERN.match(core):
            entity_id = self.index.pcode(core.upper())
        elif _ISO_PATTERN.match(core):
            for row in self._tops():
                if (row[_ENTITY_INDEX["iso3166_2"]] or "").upper() == core.upper():
                    entity_id = row[_ENTITY_INDEX["id"]]
        if entity_id is None:
            return None
        eid = self.index.eid_of(entity_id)
        if eid is None:
            return None
        row = self.index.entities([eid])[eid]
        hit = Hit(eid, 0, "identifier", "as-written", core, 1.0)
        scored = Scored(eid, row, hit, None, 1.0)
        what = ("ISO 3166-2 code" if _ISO_PATTERN.match(core)
                else "OCHA P-code" if _PCODE_PATTERN.match(core) else "entity ID")
        return Result(core, MATCHED, _candidate(scored), (_candidate(scored),),
                      f"the input is the {what} of {entity_id} {row[_ENTITY_INDEX['name']]}; matched: by identifier")

    def _candidates(self, core: str, kind_word: str | None, kinds: frozenset[str] | None,
                    oblasts: frozenset[str] | None, raions: frozenset[str] | None, fuzzy: bool,
                    inflected: bool = False, countries: frozenset[str] | None = None,
                    deep: bool = False) -> dict[int, Scored]:
        hits = self._hits_for(core, fuzzy=fuzzy, inflected=inflected, deep=deep)
        if kind_word is None and (kinds is None or "person" in kinds) and not self._exact_current_name(hits, core):
            hits.extend(self._person_hits(core))
        return self._score(hits, kind_word=kind_word, kinds=kinds, oblasts=oblasts, raions=raions,
                           countries=countries)

    def _exact_current_name(self, hits: list[Hit], core: str) -> bool:
        """Whether one word matched a current name exactly: a surname alone (0.955 at most) cannot tie it."""
        if " " in core.strip():
            return False
        self._load_forms(h.fid for h in hits)
        return any(h.score >= 0.99 and self._form(h.fid)[4] in _AUTHORITATIVE and not self._form(h.fid)[5]
                   and self._form(h.fid)[4] != "base" for h in hits)

    def _trailing_context(self, query: Query, kinds: frozenset[str] | None, oblasts: frozenset[str] | None,
                          fuzzy: bool, limit: int) -> tuple[str, list[Scored], str] | None:
        """'Novoselivka Kharkiv oblast': try the last words as the oblast, the rest as the name."""
        words = re.split(r"[\s-]+", query.core)
        for cut in (1, 2):
            if len(words) <= cut:
                continue
            name, region = " ".join(words[:-cut]), " ".join(words[-cut:])
            if query.kind_hint not in (None, "oblast"):
                continue
            found = self.oblasts_for(f"{region} oblast")
            if found and oblasts is not None:
                found = found & oblasts
            if found:
                scored = self._candidates(name, None, kinds, found, None, fuzzy)
                decision = self._decide(scored, limit)
                if decision[0] != UNMATCHED:
                    return decision
        return None

    def _decide(self, scored: dict[int, Scored], limit: int) -> tuple[str, list[Scored], str]:
        """Status, ranked candidates and the reason of the decision."""
        ranked = sorted(scored.values(), key=lambda s: (-round(s.score, 4), *(-x for x in s.prior()), s.eid))
        if not ranked or ranked[0].score < ACCEPT:
            return UNMATCHED, ranked[:limit], "no candidate scores high enough"
        top = ranked[0]
        near = [s for s in ranked[1:] if s.score >= top.score - NEAR_TIE or (
            top.kind in _SMALL_KINDS and s.kind == "foreign" and s.population >= FOREIGN_CITY_POPULATION
            and s.hit.method == "exact" and s.score >= top.score - FOREIGN_CITY_WINDOW) or (
            top.kind == "foreign" and top.population < FOREIGN_CITY_POPULATION and s.kind == "city"
            and s.country == "UA" and s.score >= top.score - FOREIGN_CITY_WINDOW)]
        if not near:
            margin = top.score - ranked[1].score if len(ranked) > 1 else None
            reason = "only candidate" if margin is None else f"clear of the next candidate by {margin:.3f}"
            return MATCHED, ranked[:limit], reason
        group = [top, *near]
        current = [s for s in group if _authoritative(s)]
        if current and len(current) < len(group):
            # a current name outweighs old, alternate or derived names of other places
            group = current
            if len(group) == 1:
                reordered = [group[0], *[s for s in ranked if s is not group[0]]]
                return MATCHED, reordered[:limit], "its current name against old or alternate names of others"
        leader = max(group, key=lambda s: (*s.prior(), s.score, -s.eid))
        others = [s for s in group if s is not leader]
        prior_reason = _prior_decides(leader, others)
        if prior_reason:
            reordered = [leader, *[s for s in ranked if s is not leader]]
            return MATCHED, reordered[:limit], prior_reason
        return AMBIGUOUS, ranked[:limit], f"{len(near) + 1} candidates score within {NEAR_TIE}"

    def _result(self, text: str, status: str, ranked: list[Scored], reason: str, notes: list[str]) -> Result:
        candidates = tuple(_candidate(s) for s in ranked)
        best = candidates[0] if candidates and status != UNMATCHED else None
        explanation = _explain(status, ranked, reason, notes)
        return Result(text, status, best, candidates, explanation)


_AUTHORITATIVE = frozenset({"official", "official_latin", "russian", "conventional", "colloquial", "base",
                            "user", "variant"})


def _authoritative_form(kind: str, method: str, form: tuple[Any, ...] | None) -> bool:
    """A hit through a current name (or one dropped since 2014, still in wide use)."""
    if method in ("person", "identifier"):
        return True
    if form is None:
        return False
    if kind == "foreign":
        return True  # GeoNames' names of a place abroad are its real names
    form_type, year_to = form[4], form[7]
    return form_type in _AUTHORITATIVE or (form_type == "former" and (year_to or 0) >= 2014)


def _authoritative(scored: Scored) -> bool:
    """The entity is reached through a current name nearly as well as through its best hit."""
    return scored.current_score >= scored.score - NEAR_TIE


def _form_weight(form_type: str, year_to: int | None) -> float:
    """Trust in a kind of name; a former name weighs less the longer ago it was dropped."""
    weight = FORM_WEIGHT.get(form_type, 0.97)
    if form_type == "former" and year_to:
        if year_to < 1920:
            weight = 0.9
        elif year_to < 1990:
            weight = 0.96
        elif year_to < 2014:
            weight = 0.97
    return weight


_ADJECTIVE_ENDINGS = ("skiy", "skyi", "skij", "ski", "cki", "ska", "skaya", "sky", "i", "a", "y")


def _adjective_stems(text: str) -> list[str]:
    """Stems of an adjectival oblast name in a foreign language (obwód charkowski -> charkow)."""
    word = text.strip()
    stems = []
    for ending in _ADJECTIVE_ENDINGS:
        if word.casefold().endswith(ending) and len(word) - len(ending) >= 4:
            stems.append(word[: -len(ending)])
    return stems


def _shorten(text: str, size: int = 80) -> str:
    """A user-given text as quoted in an explanation: at most `size` characters."""
    return text if len(text) <= size else text[: size - 1] + "…"


def _rank_status(status: str) -> int:
    return {MATCHED: 2, AMBIGUOUS: 1, UNMATCHED: 0}[status]


def _parse_kinds(kind: str | Iterable[str] | None) -> frozenset[str] | None:
    from gazetteer.model import KINDS

    if kind is None:
        return None
    items = [k.strip() for k in (kind.split(",") if isinstance(kind, str) else kind) if k and k.strip()]
    if not items:
        return None
    unknown = [k for k in items if k not in KINDS]
    if unknown:
        from ..errors import HintError

        raise HintError(f"unknown kind {', '.join(unknown)}; kinds are {', '.join(KINDS)}")
    return frozenset(items)


def _prior_decides(top: Scored, near: list[Scored]) -> str:
    """A reason when a strong prior settles a near-tie, else ''."""
    top_rank, top_population = top.prior()
    if top.country == "UA" and top.kind == "city":
        rivals = [s for s in near if s.country == "UA" and s.kind == "city"]
        if all(s.kind == "foreign" or s.kind in _SMALL_KINDS or s in rivals for s in near):
            if not rivals:
                return "prior: a Ukrainian city over places abroad or smaller places of the same name"
            largest = max(s.population for s in rivals)
            if top_population >= 8 * max(largest, 500):
                return f"prior: the city of {top_population:,} people over namesakes of at most {largest:,}"
    if all(top_rank > s.prior()[0] for s in near):
        if top.kind in _FEATURE_KINDS and all(s.kind in _SMALL_KINDS for s in near):
            return f"prior: the {top.kind} over {len(near)} village(s) of the same name"
        if top.kind in ("city", "oblast") or (top.kind == "foreign" and top_population >= 20_000):
            others = {s.kind for s in near}
            what = "a city" if top.kind in ("city", "foreign") else f"the {top.kind}"
            return f"prior: {what} over {len(near)} smaller place(s) of the same name ({', '.join(sorted(others))})"
    largest = max((s.population for s in near), default=0)
    ratio = 8 if top.kind == "city" and all(s.kind == "city" for s in near) else 20
    if top_population >= ratio * max(largest, 500) and top_rank >= max(s.prior()[0] for s in near):
        return f"prior: population {top_population:,} against at most {largest:,}"
    return ""


def _candidate(scored: Scored) -> Candidate:
    row = scored.row
    values = {name: row[_ENTITY_INDEX[name]] for name in CANDIDATE_FIELDS}
    form_text = scored.form[2] if scored.form else ""
    return Candidate(**values, score=round(min(1.0, max(0.0, scored.score)), 4), matched_form=form_text,
                     method=scored.hit.method)


@lru_cache(maxsize=64)
def _system_title(system_id: str) -> str:
    from ..spelling.romanize import get_system

    try:
        return get_system(system_id).title
    except LookupError:
        return system_id


def _explain(status: str, ranked: list[Scored], reason: str, notes: list[str]) -> str:
    """A sentence on what matched, how, and what decided."""
    if not ranked:
        parts = ["no entity has a name close to this"]
    else:
        top = ranked[0]
        hit, form = top.hit, top.form
        form_type = form[4] if form else ""
        phrase = FORM_PHRASE.get(form_type, form_type)
        form_text = form[2] if form else ""
        if hit.method == "person":
            what = f"person by surname ({hit.note})"
        else:
            how = {
                "exact": "exactly matches",
                "inflection": f"is an inflected form of '{hit.note}', which matches",
                "skeleton": "matches, up to transliteration differences,",
                "reading": "read as the Ukrainian counterpart of a Russian form, matches",
                "fuzzy": f"matches, with {hit.edits} edit(s),",
            }.get(hit.method, "matches")
            what = f"{how} the {phrase} '{form_text}'"
            if hit.system not in ("as-written",) and hit.method in ("exact", "skeleton", "fuzzy", "inflection"):
                what += f" as romanized by {_system_title(hit.system)} ('{hit.spelling}')"
            if form_type == "former" and form and form[7]:
                what += f" (a former name, in use until {form[7]})"
            elif form_type == "former":
                what += " (a former name)"
            if form and form[8] and form_type == "derived_ru":
                what += f" ({form[8]})"
        parts = [f"{what} of {top.row[_ENTITY_INDEX['id']]} {top.row[_ENTITY_INDEX['name']]}"]
        if top.notes:
            parts.append("; ".join(top.notes))
    parts.append(f"{status}: {reason}")
    if notes:
        parts.append("input: " + "; ".join(notes))
    return "; ".join(parts)
