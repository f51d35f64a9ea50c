"""The resolve pipeline: parse, identifiers, clues, candidates, then a declared ladder of fallbacks.

For one input:
1. `parse_query` splits the core name from its kind word, context and alternates;
2. an input that is itself an ID (KATOTTG, P-code, ISO 3166-2, slug) is answered at once;
3. the oblast hint and the context phrases become clues (`context`);
4. candidates are retrieved (`retrieve`), scored with the clues (`score`) and decided (`decide`);
5. the stages of `STAGES` run in order, each only when its condition holds: deeper retrieval
   when what was found did not fit, trailing context ("Novoselivka Kharkiv oblast"), the
   stem of a foreign oblast adjective, and parenthesized alternates;
6. the decision becomes a Result with its explanation (`explain`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gazetteer.model import SETTLEMENT_KINDS
from gazetteer.textutil import fold_name

from ..errors import HintError
from ..spelling.cleanup import clean_text, strip_type_words
from ..spelling.keys import fold
from ..spelling.parse import Query, latin_adjective_stems, nouns_of_adjective, parse_query
from . import weights as w
from .context import ContextReader
from .decide import Decision, decide
from .decisions import DecisionBook
from .explain import candidate, explain
from .identifiers import IdentifierReader
from .index import IndexReader
from .model import AMBIGUOUS, MATCHED, UNMATCHED, Candidate, Result
from .retrieve import Hit, Retriever
from .score import AUTHORITATIVE_TYPES, KIND_WORD_ADMITS, Clues, Scored, distance_km, score_hits

_WORD_BREAK = re.compile(r"[\s-]+")


@dataclass(slots=True)
class Attempt:
    """One resolve in progress: the parsed input, its clues, the candidates and the decision so far."""

    text: str
    query: Query
    clues: Clues
    fuzzy: bool
    limit: int
    scored: dict[int, Scored]
    decision: Decision
    notes: list[str]
    hints: Hints
    unplaced: list[str] = field(default_factory=list)  # context parts that named no oblast, raion or country
    answer: Result | None = None  # a stage's answer that ends the ladder (several places, a neighbourhood)


@dataclass(frozen=True, slots=True)
class Stage:
    """A fallback of the ladder: when it should run, and what it does to an attempt."""

    name: str
    should_run: Callable[[Attempt], bool]
    run: Callable[[Resolver, Attempt], None]


class Resolver:
    """Resolves names against an index; shared by the matcher, batch and annotate."""

    def __init__(self, index: IndexReader, decisions: DecisionBook | None = None) -> None:
        self.index = index
        self.decisions = decisions or DecisionBook(())
        self.retriever = Retriever(index)
        self._centres: dict[str, int] | None = None
        self.context = ContextReader(self.retriever, self.centres())
        self.identifiers = IdentifierReader(index, self.context)

    def forget(self) -> None:
        """Empty every per-process memo of matching (forms, entities, hints, folds, skeletons, lemmas), so that
        the next resolve is a first sight; the SQLite file stays in the OS cache. For timing, not for use."""
        from ..spelling import forms, keys

        self.retriever.forget()
        self.context.forget()
        self.index._entity_cache.clear()
        keys.fold.cache_clear()
        keys.skeleton.cache_clear()
        forms.word_lemmas.cache_clear()

    def centres(self) -> dict[str, int]:
        """Which villages and settlements are centres of raions (2) and hromadas (1) (loaded once)."""
        if self._centres is None:
            self._centres = self.index.centres()
        return self._centres

    def oblasts_for(self, text: str) -> frozenset[str]:
        """Top-level unit IDs an oblast hint may denote (ID, ISO code or any spelling); empty if none."""
        return self.context.oblasts_for(text)

    # -- the pipeline ----------------------------------------------------------------------

    def resolve(
        self,
        text: str,
        *,
        oblast: str | None = None,
        raion: str | None = None,
        hromada: str | None = None,
        near: tuple[float, float] | None = None,
        kind: str | Iterable[str] | None = None,
        limit: int = 5,
        fuzzy: bool = True,
    ) -> Result:
        """Resolve one input to a Result (see the module docstring); the hints are the row's other columns."""
        query = parse_query(text)
        if query.too_long:
            return Result(text, UNMATCHED, None, (), "not a name: longer than the name length limit")
        if query.placeholder:
            return Result(text, UNMATCHED, None, (), f"not a name: {query.notes[0]}")
        if not query.core:
            return Result(text, UNMATCHED, None, (), "nothing to match: the input is empty or blank")
        kinds = parse_kinds(kind)
        by_id = self.identifiers.read(query.cleaned)
        if by_id is not None:
            return by_id if kinds is None or (by_id.best and by_id.best.kind in kinds) else \
                Result(text, UNMATCHED, None, (), "the ID names an entity of another kind")
        hints = Hints(oblast, raion, hromada, check_point(near))
        if query.joined is not None:  # "Часів - Яр": the dash as a hyphen first, as a separator when that fails
            joined = self.resolve(query.joined, oblast=oblast, raion=raion, hromada=hromada, near=hints.near,
                                  kind=kind, limit=limit, fuzzy=fuzzy)
            if joined.status == MATCHED:
                return dataclasses.replace(joined, input=text,
                                           explanation=f"{joined.explanation}; input: the spaced dash read as a hyphen")
        notes = list(query.notes)
        clues, unplaced = self._clues(query, hints, kinds, notes)
        decided = self._decided(text, clues, kinds, notes)
        if decided is not None:
            return decided
        scored = self.candidates(query.core, clues, fuzzy, inflected=query.preposition is not None)
        attempt = Attempt(text, query, clues, fuzzy, limit, scored, decide(scored, limit), notes, hints, unplaced)
        for stage in STAGES:
            if stage.should_run(attempt):
                stage.run(self, attempt)
                if attempt.answer is not None:
                    return attempt.answer
        decision = attempt.decision
        candidates = tuple(candidate(s) for s in decision.ranked)
        best = candidates[0] if candidates and decision.status != UNMATCHED else None
        return Result(text, decision.status, best, candidates,
                      explain(decision.status, decision.ranked, decision.reason, attempt.notes),
                      method_of(decision) if candidates else "")

    def _decided(self, text: str, clues: Clues, kinds: frozenset[str] | None, notes: list[str]) -> Result | None:
        """The answer a person decided in review for this value where the row's clues put it, if any."""
        if not len(self.decisions):
            return None
        near = None if clues.near is None else (lambda entity_id: self._lies_at(entity_id, clues.near))
        decision = self.decisions.find(fold_name(text), clues.oblasts, clues.raions, near)
        if decision is None:
            return None
        eid = self.index.eid_of(decision.entity_id)
        if eid is None:
            return None  # the entity is gone or hidden: the decision cannot apply (the sync reports it)
        row = self.index.entities([eid])[eid]
        if kinds is not None and row.kind not in kinds:
            return None
        found = candidate(Scored(eid, row, Hit(eid, 0, "decision", "as-written", text, 1.0), None, 1.0))
        where = f" {decision.scope}" if decision.oblast_id or decision.raion_id else ""
        said = f"; input: {'; '.join(notes)}" if notes else ""
        return Result(text, MATCHED, found, (found,),
                      f"a person decided in review that '{_shorten(text)}'{where} is {row.id} {row.name} "
                      f"(op {decision.op_id}); matched: user decision{said}", "user decision")

    def _lies_at(self, entity_id: str, point: tuple[float, float] | None) -> bool:
        """Whether an entity lies around a point: nearer than a point clue would contradict it."""
        eid = self.index.eid_of(entity_id)
        if eid is None or point is None:
            return False
        row = self.index.entities([eid])[eid]
        if row.lat is None or row.lon is None:
            return False
        reach = w.REACH_KM.get(row.kind, w.REACH_KM["village"])
        return distance_km(point, (row.lat, row.lon)) <= w.FAR_REACHES * reach

    def _clues(self, query: Query, hints: Hints, kinds: frozenset[str] | None,
               notes: list[str]) -> tuple[Clues, list[str]]:
        """The clues of an input (its kind word, the kinds asked for, the row's hints and the context phrases),
        and the context phrases that named no oblast, raion, hromada or country."""
        oblasts = self._hint("oblast", hints.oblast, self.oblasts_for, notes)
        abroad = None
        if oblasts is None and hints.oblast and notes and notes[-1].endswith("not recognized, ignored"):
            # "Belgorod Oblast" in an oblast column: the row is abroad
            abroad = self.context.country_of(strip_type_words(clean_text(hints.oblast))[0])
            if abroad:
                notes[-1] = f"oblast hint '{_shorten(hints.oblast)}' is abroad ({abroad})"
        context = self.context.read(query.context, oblasts)
        where = _both(oblasts, context.oblasts)  # a raion or hromada name is read within the oblast given
        raions = self._hint("raion", hints.raion, lambda text: self.context.raions_for(text, where), notes)
        hromadas = self._hint("hromada", hints.hromada, lambda text: self.context.hromadas_for(text, where), notes)
        if hints.near is not None:
            notes.append(f"point {hints.near[0]:.4f}, {hints.near[1]:.4f}")
        notes.extend(context.notes)
        query.alternates.extend(context.unused)
        kind_word = query.kind_hint
        if kind_word is None and kinds is not None and len(kinds) == 1 and next(iter(kinds)) in KIND_WORD_ADMITS:
            kind_word = next(iter(kinds))  # kind="oblast" says what a type word would say
        countries = _both(frozenset({abroad}) if abroad else None, context.countries)
        return Clues(kind_word=kind_word, kinds=kinds, oblasts=_both(oblasts, context.oblasts),
                     raions=_both(raions, context.raions), countries=countries,
                     hromadas=_both(hromadas, context.hromadas), near=hints.near), context.unused

    @staticmethod
    def _hint(what: str, hint: str | None, read: Callable[[str], frozenset[str]],
              notes: list[str]) -> frozenset[str] | None:
        """The units a row's hint names (None when absent or naming nothing, which the notes say)."""
        if hint is None or not str(hint).strip():
            return None
        units = read(str(hint))
        if units:
            notes.append(f"{what} hint '{_shorten(str(hint))}'")
            return units
        notes.append(f"{what} hint '{_shorten(str(hint))}' not recognized, ignored")
        return None

    def candidates(self, core: str, clues: Clues, fuzzy: bool, *, inflected: bool = False,
                   deep: bool = False) -> dict[int, Scored]:
        """Every entity a core name reaches (persons too, unless the name is plainly a place), scored."""
        hits = self.retriever.hits_for(core, fuzzy=fuzzy, inflected=inflected, deep=deep)
        if clues.kind_word is None and (clues.kinds is None or "person" in clues.kinds) \
                and not self._exact_current_name(hits, core):
            hits.extend(self.retriever.person_hits(core))
        return score_hits(self.retriever, hits, clues, self.centres())

    def _exact_current_name(self, hits: list[Hit], core: str) -> bool:
        """Whether one word matched a current name exactly: a surname alone cannot tie it."""
        if " " in core.strip():
            return False
        self.retriever.load_forms(h.fid for h in hits)
        for hit in hits:
            form = self.retriever.form(hit.fid)
            if hit.score >= 0.99 and form.type in AUTHORITATIVE_TYPES and not form.kind_word \
                    and form.type != "base":
                return True
        return False

    # -- the stages of the ladder ---------------------------------------------------------------

    def _deeper(self, attempt: Attempt) -> None:
        """What was found exactly did not fit the clues: look further (readings, edits)."""
        attempt.scored = self.candidates(attempt.query.core, attempt.clues, attempt.fuzzy,
                                         inflected=attempt.query.preposition is not None, deep=True)
        attempt.decision = decide(attempt.scored, attempt.limit)

    def _trailing(self, attempt: Attempt) -> None:
        """'Novoselivka Kharkiv oblast': try the last words as the oblast, the rest as the name."""
        query, clues = attempt.query, attempt.clues
        words = _WORD_BREAK.split(query.core)
        for cut in (1, 2):
            if len(words) <= cut or query.kind_hint not in (None, "oblast"):
                continue
            name, region = " ".join(words[:-cut]), " ".join(words[-cut:])
            found = self.oblasts_for(f"{region} oblast")
            if found and clues.oblasts is not None:
                found = found & clues.oblasts
            if found:
                trailing = Clues(kinds=clues.kinds, oblasts=found, hromadas=clues.hromadas, near=clues.near)
                decision = decide(self.candidates(name, trailing, attempt.fuzzy), attempt.limit)
                if decision.status != UNMATCHED:
                    if decision.better_than(attempt.decision):
                        attempt.decision = decision
                        attempt.notes.append("context at the end of the input")
                    return

    def _adjective(self, attempt: Attempt) -> None:
        """'obwód charkowski': the stem of a foreign oblast adjective read as the oblast's name."""
        clues = attempt.clues
        for stem in latin_adjective_stems(attempt.query.core):
            scored = self.candidates(stem, Clues(kind_word="oblast", kinds=clues.kinds, oblasts=clues.oblasts,
                                                 raions=clues.raions, hromadas=clues.hromadas, near=clues.near),
                                     attempt.fuzzy)
            decision = decide(scored, attempt.limit)
            if decision.status != UNMATCHED:
                attempt.decision, attempt.scored = decision, scored
                attempt.notes.append(f"adjective '{attempt.query.core}' read as '{stem}'")
                return

    def _several(self, attempt: Attempt) -> None:
        """"Kharkivska / Donetska", "Kharkiv, Donetsk": a cell naming several places is never matched to one
        of them ("Chernihiv Oblast / Yahidne" names one place and where it lies: that is not a list)."""
        found: dict[str, Candidate] = {}
        for part in attempt.query.listed:
            result = self.resolve(part, limit=1, fuzzy=attempt.fuzzy)
            if result.status != UNMATCHED and result.best is not None:
                found.setdefault(result.best.id, result.best)
        places = list(found.values())
        if attempt.decision.status == MATCHED:
            top = candidate(attempt.decision.ranked[0])
            if all(p.id == top.id or top.lies_in(p.id) or p.kind == "country" or fold(p.name) == fold(top.name)
                   for p in places):
                return  # the cell's other parts say where its one place lies (or name its namesakes)
        nested = any(a.lies_in(b.id) for a in places for b in places if a is not b)
        if len(places) >= 2 and not nested:
            names = "; ".join(f"{c.id} {c.name}" for c in places)
            attempt.answer = Result(attempt.text, AMBIGUOUS, places[0], tuple(places),
                                    f"the cell names several places ({names}); ambiguous: a list is never "
                                    "matched to one of them", "exact")

    def _oblasts_listed(self, attempt: Attempt) -> None:
        """"Запорізька, Луганська обл.": an oblast's adjective beside another oblast is a list of oblasts, never a
        place of the second one that the first resembles (the village Zaporizke)."""
        scored = attempt.scored.values()
        if attempt.clues.raions is not None or attempt.clues.hromadas is not None:
            return  # a raion or hromada beside it: an address of one place, not a list
        if any(s.hit.method == "exact" and s.authoritative and "oblast" in s.confirmed for s in scored):
            return  # "Полтава, Сватівський р-н, Луганська обл.": the village of that name in the oblast
        named = self.oblasts_for(attempt.query.core)
        given = attempt.clues.oblasts or frozenset()
        if not named or not named.isdisjoint(given):
            return
        units = self.index.entities([eid for eid in map(self.index.eid_of, sorted(named | given)) if eid is not None])
        places = tuple(candidate(Scored(eid, row, Hit(eid, 0, "exact", "as-written", row.name, 1.0), None, 1.0))
                       for eid, row in units.items())
        names = "; ".join(f"{c.id} {c.name}" for c in places)
        attempt.answer = Result(attempt.text, AMBIGUOUS, places[0] if places else None, places,
                                f"the cell names several oblasts ({names}); ambiguous: a list is never matched to "
                                "one of them", "exact")

    def _neighbourhood(self, attempt: Attempt) -> None:
        """"Pivnichna Saltivka, Kharkiv": a name not known in the gazetteer, with its town named beside it,
        is placed in the town, saying so ("Kharkiv, Donetsk" names two towns: a list, never one of them)."""
        alone = self.resolve(attempt.query.core, kind=attempt.clues.kinds, limit=attempt.limit, fuzzy=False)
        if alone.status != UNMATCHED:
            attempt.query.listed = [attempt.query.core, *attempt.query.context]
            self._several(attempt)
            return
        for part in attempt.query.context:
            if strip_type_words(part)[1] in ("oblast", "raion", "hromada"):
                continue
            hints = attempt.hints
            town = self.resolve(part, oblast=hints.oblast, raion=hints.raion, hromada=hints.hromada,
                                near=hints.near, kind=SETTLEMENT_KINDS, limit=attempt.limit, fuzzy=attempt.fuzzy)
            if town.status == MATCHED and town.best is not None:
                best = dataclasses.replace(town.best, method="context")
                attempt.answer = Result(
                    attempt.text, MATCHED, best, (best, *town.candidates[1:]),
                    f"'{_shorten(attempt.query.core)}' is not a place the gazetteer knows; it lies in {best.id} "
                    f"{best.name}, named beside it: {town.explanation}", "context")
                return

    def _other_places(self, attempt: Attempt) -> None:
        """"Sloviansk, Kramatorsk": context parts that name no unit the place lies in, but places of their own,
        make the cell a list."""
        attempt.query.listed = [attempt.query.core, *attempt.unplaced]
        self._several(attempt)

    def _direction(self, attempt: Attempt) -> None:
        """"Бахмутський напрямок", "Bakhmut direction": a front sector is named after a town: that town."""
        for noun in nouns_of_adjective(attempt.query.core):
            town = self.resolve(noun, kind=SETTLEMENT_KINDS, limit=attempt.limit, fuzzy=attempt.fuzzy)
            if town.status == MATCHED and town.best is not None:
                attempt.answer = Result(attempt.text, MATCHED, town.best, town.candidates,
                                        f"the town a front sector is named after: {town.explanation}", "context")
                return

    def _alternates(self, attempt: Attempt) -> None:
        """'Bakhmut (Artemivsk)': an alternate that reaches the same entity confirms it; when nothing was
        found, what the alternate finds is a candidate."""
        clues = attempt.clues
        alternate_clues = Clues(kinds=clues.kinds, oblasts=clues.oblasts, raions=clues.raions,
                                hromadas=clues.hromadas, near=clues.near)
        for alternate in attempt.query.alternates:
            for eid, item in self.candidates(alternate, alternate_clues, attempt.fuzzy).items():
                if eid in attempt.scored:
                    attempt.scored[eid].score += w.ALTERNATE_AGREES
                    attempt.scored[eid].notes.append(f"alternate '{alternate}' agrees")
                elif attempt.decision.status == UNMATCHED:
                    attempt.scored[eid] = item
            attempt.decision = decide(attempt.scored, attempt.limit)


def _unmatched_with_candidates(attempt: Attempt) -> bool:
    return attempt.decision.status == UNMATCHED and bool(attempt.scored) and attempt.fuzzy


def _names_a_unit_or_unmatched(attempt: Attempt) -> bool:
    named = attempt.query.kind_hint in ("oblast", "raion", "hromada") or attempt.decision.status == UNMATCHED
    return named and len(_WORD_BREAK.split(attempt.query.core)) >= 2


def _unknown_with_context(attempt: Attempt) -> bool:
    """The name is not known (nothing found, or only a spelling unlike it), and there is context."""
    if not attempt.query.context:
        return False
    ranked = attempt.decision.ranked
    return attempt.decision.status == UNMATCHED or (
        attempt.decision.status == AMBIGUOUS and ranked[0].hit.method == "fuzzy"
        and ranked[0].hit.similarity < w.FUZZY_OBLAST_SIMILARITY)


def _matched_with_other_parts(attempt: Attempt) -> bool:
    return attempt.decision.status == MATCHED and bool(attempt.unplaced) and not attempt.query.listed


def _direction_not_a_town(attempt: Attempt) -> bool:
    ranked = attempt.decision.ranked
    return attempt.query.direction and not (attempt.decision.status == MATCHED and ranked
                                            and ranked[0].kind in SETTLEMENT_KINDS)


#: The fallback ladder of resolve, in order (see the module docstring).
STAGES = (
    Stage("several places", lambda a: len(a.query.listed) >= 2, Resolver._several),
    Stage("oblast beside oblast", lambda a: bool(a.query.context) and a.query.kind_hint is None
          and a.clues.oblasts is not None, Resolver._oblasts_listed),
    Stage("direction", _direction_not_a_town, Resolver._direction),
    Stage("deeper retrieval", _unmatched_with_candidates, Resolver._deeper),
    Stage("trailing context", _names_a_unit_or_unmatched, Resolver._trailing),
    Stage("oblast adjective", lambda a: a.decision.status == UNMATCHED and a.query.kind_hint == "oblast",
          Resolver._adjective),
    Stage("alternates", lambda a: bool(a.query.alternates), Resolver._alternates),
    Stage("other places", _matched_with_other_parts, Resolver._other_places),
    Stage("neighbourhood", _unknown_with_context, Resolver._neighbourhood),
)


@dataclass(frozen=True, slots=True)
class Hints:
    """What a row gives beside the name: its oblast, raion and hromada (names in any spelling or IDs), a point."""

    oblast: str | None = None
    raion: str | None = None
    hromada: str | None = None
    near: tuple[float, float] | None = None


def check_point(near: object) -> tuple[float, float] | None:
    """A `near=` argument as a (lat, lon) pair of floats; HintError for anything else."""
    if near is None:
        return None
    try:
        lat, lon = (float(value) for value in near)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise HintError(f"near must be a (lat, lon) pair of numbers, not {near!r}") from None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise HintError(f"near {near!r} is not a point: latitude is -90..90 and longitude -180..180")
    return lat, lon


def _both(hint: frozenset[str] | None, context: frozenset[str] | None) -> frozenset[str] | None:
    """A row's hint and the input's own context together: what both allow, or either when they disagree."""
    if hint is None or context is None:
        return hint or context
    return hint & context or hint


def method_of(decision: Decision) -> str:
    """How a decision was reached, in the words of METHODS."""
    top = decision.ranked[0]
    if decision.reason.startswith("prior"):
        return "prior"
    if top.hit.method in ("fuzzy", "reading"):
        return "fuzzy"
    if top.form is not None and top.form.type == "former":
        return "former name"
    namesakes = any(s.row.name_uk == top.row.name_uk for s in decision.ranked[1:])
    return "context" if top.confirmed and namesakes else "exact"


def _shorten(text: str, size: int = 80) -> str:
    """A user-given text as quoted in an explanation: at most `size` characters."""
    return text if len(text) <= size else text[: size - 1] + "…"


def parse_kinds(kind: str | Iterable[str] | None) -> frozenset[str] | None:
    """The kinds a `kind=` argument allows (None: all); HintError for a kind that does not exist."""
    from gazetteer.model import KINDS

    if kind is None:
        return None
    items = [k.strip() for k in (kind.split(",") if isinstance(kind, str) else kind) if k and k.strip()]
    if not items:
        return None
    unknown = [k for k in items if k not in KINDS]
    if unknown:
        raise HintError(f"unknown kind {', '.join(unknown)}; kinds are {', '.join(KINDS)}")
    return frozenset(items)
