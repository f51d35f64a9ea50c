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

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import HintError
from ..spelling.cleanup import Query, parse_query
from . import weights as w
from .context import ContextReader
from .decide import Decision, decide
from .explain import candidate, explain
from .index import IndexReader
from .model import MATCHED, UNMATCHED, Result
from .retrieve import Hit, Retriever
from .score import AUTHORITATIVE_TYPES, KIND_WORD_ADMITS, Clues, Scored, score_hits

_ID_PATTERN = re.compile(r"^(UA\d{17}|[a-z]+:[a-z0-9-]+)$")
#: OCHA/HDX P-codes: the KATOTTG code cut after the oblast, raion, hromada or settlement level.
_PCODE_PATTERN = re.compile(r"^UA(\d{2}|\d{4}|\d{7}|\d{10})$", re.IGNORECASE)
_ISO_PATTERN = re.compile(r"^UA-\d{2}$", re.IGNORECASE)
_WORD_BREAK = re.compile(r"[\s-]+")
#: Endings of an oblast's adjective in other languages (obwód charkowski -> charkow).
_ADJECTIVE_ENDINGS = ("skiy", "skyi", "skij", "ski", "cki", "ska", "skaya", "sky", "i", "a", "y")


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


@dataclass(frozen=True, slots=True)
class Stage:
    """A fallback of the ladder: when it should run, and what it does to an attempt."""

    name: str
    should_run: Callable[[Attempt], bool]
    run: Callable[[Resolver, Attempt], None]


class Resolver:
    """Resolves names against an index; shared by the matcher, batch and annotate."""

    def __init__(self, index: IndexReader) -> None:
        self.index = index
        self.retriever = Retriever(index)
        self._centres: dict[str, int] | None = None
        self.context = ContextReader(self.retriever, self.centres())

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
        kinds = parse_kinds(kind)
        by_id = self._by_identifier(query.cleaned)
        if by_id is not None:
            return by_id if kinds is None or (by_id.best and by_id.best.kind in kinds) else \
                Result(text, UNMATCHED, None, (), "the ID names an entity of another kind")
        notes = list(query.notes)
        clues = self._clues(query, oblast, kinds, notes)
        scored = self.candidates(query.core, clues, fuzzy, inflected=query.preposition is not None)
        attempt = Attempt(text, query, clues, fuzzy, limit, scored, decide(scored, limit), notes)
        for stage in STAGES:
            if stage.should_run(attempt):
                stage.run(self, attempt)
        decision = attempt.decision
        candidates = tuple(candidate(s) for s in decision.ranked)
        best = candidates[0] if candidates and decision.status != UNMATCHED else None
        return Result(text, decision.status, best, candidates,
                      explain(decision.status, decision.ranked, decision.reason, attempt.notes))

    def _clues(self, query: Query, oblast: str | None, kinds: frozenset[str] | None, notes: list[str]) -> Clues:
        """The clues of an input: its kind word, the kinds asked for, the oblast hint and the context phrases."""
        oblasts: frozenset[str] | None = None
        if oblast is not None and str(oblast).strip():
            oblasts = self.oblasts_for(str(oblast))
            if oblasts:
                notes.append(f"oblast hint '{_shorten(str(oblast))}'")
            else:
                notes.append(f"oblast hint '{_shorten(str(oblast))}' not recognized, ignored")
                oblasts = None
        context = self.context.read(query.context)
        notes.extend(context.notes)
        query.alternates.extend(context.unused)
        if context.oblasts:
            oblasts = context.oblasts if oblasts is None else (oblasts & context.oblasts or oblasts)
        kind_word = query.kind_hint
        if kind_word is None and kinds is not None and len(kinds) == 1 and next(iter(kinds)) in KIND_WORD_ADMITS:
            kind_word = next(iter(kinds))  # kind="oblast" says what a type word would say
        return Clues(kind_word=kind_word, kinds=kinds, oblasts=oblasts, raions=context.raions,
                     countries=context.countries)

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

    def _by_identifier(self, core: str) -> Result | None:
        """An input that is itself an entity ID (KATOTTG code, person:slug), a P-code or an ISO 3166-2 code."""
        entity_id = None
        if _ID_PATTERN.match(core):
            entity_id = core
        elif _PCODE_PATTERN.match(core):
            entity_id = self.index.pcode(core.upper())
        elif _ISO_PATTERN.match(core):
            for row in self.context.tops():
                if (row.iso3166_2 or "").upper() == core.upper():
                    entity_id = row.id
        if entity_id is None:
            return None
        eid = self.index.eid_of(entity_id)
        if eid is None:
            return None
        row = self.index.entities([eid])[eid]
        found = candidate(Scored(eid, row, Hit(eid, 0, "identifier", "as-written", core, 1.0), None, 1.0))
        what = ("ISO 3166-2 code" if _ISO_PATTERN.match(core)
                else "OCHA P-code" if _PCODE_PATTERN.match(core) else "entity ID")
        return Result(core, MATCHED, found, (found,),
                      f"the input is the {what} of {entity_id} {row.name}; matched: by identifier")

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
                decision = decide(self.candidates(name, Clues(kinds=clues.kinds, oblasts=found), attempt.fuzzy),
                                  attempt.limit)
                if decision.status != UNMATCHED:
                    if decision.better_than(attempt.decision):
                        attempt.decision = decision
                        attempt.notes.append("context at the end of the input")
                    return

    def _adjective(self, attempt: Attempt) -> None:
        """'obwód charkowski': the stem of a foreign oblast adjective read as the oblast's name."""
        clues = attempt.clues
        for stem in _adjective_stems(attempt.query.core):
            scored = self.candidates(stem, Clues(kind_word="oblast", kinds=clues.kinds, oblasts=clues.oblasts,
                                                 raions=clues.raions), attempt.fuzzy)
            decision = decide(scored, attempt.limit)
            if decision.status != UNMATCHED:
                attempt.decision, attempt.scored = decision, scored
                attempt.notes.append(f"adjective '{attempt.query.core}' read as '{stem}'")
                return

    def _alternates(self, attempt: Attempt) -> None:
        """'Bakhmut (Artemivsk)': an alternate that reaches the same entity confirms it; when nothing was
        found, what the alternate finds is a candidate."""
        clues = attempt.clues
        alternate_clues = Clues(kinds=clues.kinds, oblasts=clues.oblasts, raions=clues.raions)
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


#: The fallback ladder of resolve, in order (see the module docstring).
STAGES = (
    Stage("deeper retrieval", _unmatched_with_candidates, Resolver._deeper),
    Stage("trailing context", _names_a_unit_or_unmatched, Resolver._trailing),
    Stage("oblast adjective", lambda a: a.decision.status == UNMATCHED and a.query.kind_hint == "oblast",
          Resolver._adjective),
    Stage("alternates", lambda a: bool(a.query.alternates), Resolver._alternates),
)


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
