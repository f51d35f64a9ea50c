"""Retrieval: every indexed way to reach an entity from a cleaned name (always keyed, never a scan).

In order, each step only when the ones before found nothing (or `deep` asks for all):
exact fold; inflected Cyrillic -> lemma (suffix rules, then the dictionaries); the
skeleton (transliteration differences erased); the skeletons of lemmas; a Russian form
read back as Ukrainian; the deletion neighbourhood of the skeleton (up to two edits, and
swapped letters); foreign declension endings (spelling.endings; right away when a preposition
says the Latin name is inflected: w Charkowie, v Kyjevě). Persons come by surname (as written, a
lemma of a Cyrillic one, a base of a foreign-inflected one: Zelenského, Tymošenková) and given name.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import OSA
from rapidfuzz.fuzz import ratio

from ..spelling.cleanup import MAX_NAME_LENGTH
from ..spelling.endings import base_forms, written_inflected
from ..spelling.forms import (
    PATRONYMIC,
    given_name_group,
    given_name_initials,
    lemma_candidates,
    ukrainian_readings,
)
from ..spelling.keys import fold, is_cyrillic, skeleton
from . import weights as w
from .index import FormRow, IndexReader

#: Characters the skeleton drops (it keeps only letters): swapping one with a neighbour changes nothing.
_INERT = frozenset(string.digits + string.punctuation + string.whitespace)
#: Forms cached per process before the cache is emptied and refilled.
_FORMS_CACHE_LIMIT = 200_000


@dataclass(slots=True)
class Hit:
    """One way an entity was reached: the form, how the spelling matched and its score."""

    eid: int
    fid: int
    method: str  # exact, inflection, skeleton, reading, fuzzy, person, identifier
    system: str
    spelling: str
    score: float
    edits: int = 0
    note: str = ""
    similarity: float = 1.0  # fuzzy hits: how alike the input and the spelling are as written (0..1)


def fuzzy_score(query_skel: str, candidate_skel: str, distance: int) -> float:
    """Score of a skeleton within `distance` edits: longer names tolerate more."""
    length = max(len(query_skel), len(candidate_skel))
    return max(0.0, w.FUZZY_TOP - w.FUZZY_PER_EDIT * distance - w.FUZZY_LENGTH * distance / (length + 4))


class Retriever:
    """Hits for names and persons from one index, with the forms they reach cached."""

    def __init__(self, index: IndexReader) -> None:
        self.index = index
        self._forms: dict[int, FormRow] = {}
        self._surname_keys: frozenset[str] | None = None
        self._surname_prefixes: frozenset[str] = frozenset()

    def forget(self) -> None:
        """Empty the cached forms (for timing first sights)."""
        self._forms.clear()

    # -- forms ------------------------------------------------------------------------

    def load_forms(self, fids: Iterable[int]) -> None:
        """Fetch the forms not yet cached, in one query."""
        if len(self._forms) > _FORMS_CACHE_LIMIT:
            self._forms.clear()
        missing = [fid for fid in set(fids) if fid not in self._forms]
        if missing:
            self._forms.update(self.index.forms(missing))

    def form(self, fid: int) -> FormRow:
        """The form with this number (cached)."""
        form = self._forms.get(fid)
        if form is None:
            form = self.index.forms([fid])[fid]
            if len(self._forms) > _FORMS_CACHE_LIMIT:
                self._forms.clear()
            self._forms[fid] = form
        return form

    # -- names ------------------------------------------------------------------------

    def hits_for(self, core: str, *, fuzzy: bool = True, inflection: bool = True, inflected: bool = False,
                 deep: bool = False) -> list[Hit]:
        """Every indexed way to reach an entity from the core name (see the module docstring)."""
        folded = fold(core)
        if not folded or len(folded) > 2 * MAX_NAME_LENGTH:
            return []  # not a name (parse_query refuses longer inputs; this guards every other caller)
        key = skeleton(folded)
        exact_rows: list[tuple[int, int, str, str]] = []  # (fid, eid, system, spelling)
        by_key: list[tuple[int, int, str, str]] = []
        for which, system, spelling, fid, eid in self.index.exact_and_skeleton(folded, key):
            (exact_rows if which == 0 else by_key).append((fid, eid, system, spelling))
        hits = [Hit(eid, fid, "exact", system, spelling, w.EXACT) for fid, eid, system, spelling in exact_rows]
        self.load_forms(h.fid for h in hits)
        cyrillic = is_cyrillic(folded)
        # inflected forms can coincide with adjectives of raions and hromadas (Покровська)
        adjectives_only = hits and all(self.form(h.fid).kind_word for h in hits)
        if cyrillic and inflection and (not hits or inflected or adjectives_only):
            # suffix rules first (cheap); the dictionaries (pymorphy3) only when they find nothing
            found = self.index.exact_many(lemma_candidates(folded, use_dictionary=False)[1:])
            if not found:
                found = self.index.exact_many(lemma_candidates(folded)[1:])
            for fid, eid, system, spelling in found:
                hits.append(Hit(eid, fid, "inflection", system, spelling, w.INFLECTION, note=spelling))
        if not key:
            return hits
        if inflected and not cyrillic and (not exact_rows or written_inflected(core)):
            # after a preposition: w Charkowie, v Kyjevě; an ending only a case has (v Charkově) rules out
            # the name as written (the village Charkove)
            foreign = self._foreign_ending_hits(folded, inflected=True)
            if foreign and exact_rows:
                hits, by_key = [h for h in hits if h.method != "exact"], []
            hits.extend(foreign)
        exact_fids = {h.fid for h in hits}
        for fid, eid, system, spelling in by_key:
            if fid in exact_fids:
                continue
            similarity = ratio(folded, spelling) / 100.0
            hits.append(Hit(eid, fid, "skeleton", system, spelling, w.SKELETON_BASE + w.SKELETON_SPAN * similarity))
        if cyrillic and inflection and not hits:
            hits.extend(self._lemma_skeleton_hits(folded))
        if hits and not deep:
            return hits
        # a Russian form read back as Ukrainian: Kurakhovka -> Kurakhivka, Gvozdavka Vtoraya -> Hvozdavka Druha
        words = [skeleton(word) for word in folded.split()]
        readings = ukrainian_readings([word for word in words if word])
        for fid, eid, system, spelling, _key in self.index.by_skeletons(readings):
            similarity = ratio(folded, spelling) / 100.0
            hits.append(Hit(eid, fid, "reading", system, spelling, w.READING_BASE + w.READING_SPAN * similarity,
                            note="read as the Ukrainian counterpart of a Russian form"))
        if (hits and not deep) or not fuzzy or len(key) < 4:
            return hits
        hits = hits + self.fuzzy_hits(folded, key)
        if not cyrillic and not inflected and all(h.score < w.FOREIGN_ENDING_WHEN_BELOW for h in hits):
            hits.extend(self._foreign_ending_hits(folded, inflected=False))
        return hits

    def _lemma_skeleton_hits(self, folded: str) -> list[Hit]:
        """Spellings whose skeleton is a lemma's (the dictionaries only when the suffix rules find nothing)."""
        hits: list[Hit] = []
        for use_dictionary in (False, True):
            candidates = lemma_candidates(folded, use_dictionary=use_dictionary)[1:16]
            lemmas = {skeleton(lemma): lemma for lemma in reversed(candidates)}
            for fid, eid, system, spelling, key_found in self.index.by_skeletons(list(lemmas)):
                lemma = lemmas[key_found]
                similarity = ratio(lemma, spelling) / 100.0
                hits.append(Hit(eid, fid, "skeleton", system, spelling,
                                w.LEMMA_SKELETON_BASE + w.LEMMA_SKELETON_SPAN * similarity, note=lemma))
            if hits:
                break
        return hits

    def _foreign_ending_hits(self, folded: str, *, inflected: bool) -> list[Hit]:
        """Spellings of the base forms of a name inflected in another language (w Charkowie -> Charków,
        Bachmutas -> Bachmut): the first ending of the table whose bases reach any. After a preposition a
        base that is a spelling as it stands is an inflected form, like у Лисичанську."""
        groups = base_forms(folded, "place")
        if not groups:
            return []
        found: dict[str, list[tuple[int, int, str, str]]] = {}
        keys = sorted({skeleton(base.text) for group in groups for base in group})
        for fid, eid, system, spelling, key_found in self.index.by_skeletons(keys):
            found.setdefault(key_found, []).append((fid, eid, system, spelling))
        for group in groups:
            hits: list[Hit] = []
            for base in group:
                for fid, eid, system, spelling in found.get(skeleton(base.text), ()):
                    if inflected and spelling == base.text:
                        hits.append(Hit(eid, fid, "inflection", system, spelling, w.INFLECTION, note=base.text))
                        continue
                    similarity = ratio(base.text, spelling) / 100.0
                    hits.append(Hit(eid, fid, "skeleton", system, spelling,
                                    w.FOREIGN_ENDING_BASE + w.FOREIGN_ENDING_SPAN * similarity, note=base.note))
            if hits:
                return hits
        return []

    def fuzzy_hits(self, folded: str, key: str) -> list[Hit]:
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
        best: dict[int, tuple[float, int, str, str, int, float]] = {}
        for fid, eid, sid, system, spelling in self.index.spellings_of_skeletons(list(by_sid)):
            candidate, distance = by_sid[sid]
            base = bases.get(sid)
            if base is None:
                base = bases[sid] = fuzzy_score(key, candidate, distance)
            similarity = ratio(folded, spelling) / 100.0
            score = base * (w.FUZZY_FLOOR + w.FUZZY_SIMILARITY * similarity)
            known = best.get(fid)
            if known is None or score > known[0]:
                best[fid] = (score, eid, system, spelling, distance, similarity)
        for fid, (score, eid, system, spelling, distance, similarity) in best.items():
            hits.append(Hit(eid, fid, "fuzzy", system, spelling, score, edits=distance, similarity=similarity))
        return hits

    # -- persons ----------------------------------------------------------------------

    def _surnames_known(self) -> frozenset[str]:
        """Skeletons of every indexed surname, loaded once (a few thousand strings)."""
        if self._surname_keys is None:
            self._surname_keys = self.index.surname_keys()
            self._surname_prefixes = frozenset(k[:3] for k in self._surname_keys)
        return self._surname_keys

    def person_hits(self, core: str) -> list[Hit]:
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
            if skeleton(word) not in known:
                if is_cyrillic(word):
                    variants.extend(lemma_candidates(fold(word), use_dictionary=False)[1:8])
                else:  # Zelenského, Zełenskiego, Tymošenková
                    variants.extend(base.text for group in base_forms(fold(word), "person") for base in group)
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
                score, note = given_agreement(others, group, given_skel)
                if score <= 0:
                    continue
                if fuzzy:
                    score *= w.SURNAME_FUZZY
                elif sids.get(sid):
                    score *= w.SURNAME_INFLECTED  # through a dictionary form of the word (Зеленського -> Зеленський)
                hits.append(Hit(eid, fid, "person", "surname", fold(word), score, note=note))
        return hits


def given_agreement(others: list[str], group: int | None, given_skel: str | None) -> tuple[float, str]:
    """How well the other words of the input fit a person's given name: (score, what agreed)."""
    if not others:
        return w.SURNAME_ALONE, "surname alone"
    best = 0.0
    note = ""
    for word in others:
        folded = fold(word).rstrip(".")
        if not folded:
            continue
        if len(folded) == 1:
            if group is not None and folded in given_name_initials(group):
                best, note = max(best, w.INITIAL_OF_GROUP), f"initial {word}"
            elif given_skel and skeleton(folded)[:1] == given_skel[:1]:
                best, note = max(best, w.INITIAL_OF_SKELETON), f"initial {word}"
            continue
        key = skeleton(folded)
        if given_skel and key == given_skel:
            return w.GIVEN_SAME, f"given name {word}"
        word_group = given_name_group(word)
        if word_group is not None and word_group == group:
            best, note = max(best, w.GIVEN_EQUIVALENT), f"given name {word} (equivalent form)"
        elif given_skel and OSA.distance(key, given_skel) <= 1 and len(key) >= 4:
            best, note = max(best, w.GIVEN_ONE_EDIT), f"given name {word} (1 edit)"
        elif word_group is not None:
            return 0.0, ""  # a different given name: another person
    return best, note
