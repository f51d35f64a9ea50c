"""Deciding: matched, ambiguous or unmatched, from the scored candidates, with the reason.

`matched` when one entity stands clear of the rest, or when a near-tie is settled by a
current name against old ones, or by a strong prior (a city over villages of its name, a
population many times the rivals'); `ambiguous` when several stay within NEAR_TIE;
`unmatched` below ACCEPT.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gazetteer.model import FEATURE_KINDS, FORMER_KINDS

from ..spelling.keys import fold
from . import weights as w
from .model import AMBIGUOUS, MATCHED, UNMATCHED
from .score import Scored

#: Kinds that are small places or units: a Ukrainian city or a feature outranks them in a tie.
SMALL_KINDS = frozenset({"settlement", "village", "raion", "hromada", "city-district", "former-raion",
                         "former-settlement"})
#: Kinds of populated places (namesakes among them are the commonest near-tie).
PLACE_KINDS = frozenset({"city", "settlement", "village"})
#: Clues narrow enough to confirm any spelling of a small place (an oblast holds too many of them).
NARROW_CLUES = frozenset({"raion", "hromada", "near"})
#: How statuses rank when a later stage of the ladder offers another decision.
STATUS_RANK = {MATCHED: 2, AMBIGUOUS: 1, UNMATCHED: 0}


@dataclass(frozen=True, slots=True)
class Decision:
    """A status, the candidates in rank order and the reason."""

    status: str
    ranked: list[Scored]
    reason: str

    def better_than(self, other: Decision) -> bool:
        """Whether this decision's status ranks above the other's (matched > ambiguous > unmatched)."""
        return STATUS_RANK[self.status] > STATUS_RANK[other.status]


def _rank_key(s: Scored) -> tuple[float, ...]:
    """Score first; among equal scores the nearer to the row's point, then the prior (kind, population)."""
    distance = float(round(s.distance)) if s.distance is not None else float("inf")
    return (-round(s.score, 4), distance, *(-x for x in s.prior()), s.eid)


def decide(scored: dict[int, Scored], limit: int) -> Decision:
    """Status, ranked candidates (at most `limit`) and the reason of the decision."""
    ranked = sorted(scored.values(), key=_rank_key)
    if not ranked or ranked[0].score < w.ACCEPT:
        return Decision(UNMATCHED, ranked[:limit], "no candidate scores high enough")
    top = ranked[0]
    near = [s for s in ranked[1:] if s.score >= top.score - w.NEAR_TIE or _foreign_city_rivals(top, s)
            or _namesakes(top, s)]
    if not near:
        margin = top.score - ranked[1].score if len(ranked) > 1 else None
        reason = "only candidate" if margin is None else f"clear of the next candidate by {margin:.3f}"
        return _matched(ranked, reason, limit)
    group = [top, *near]
    sharing = _sharing_a_former_name(top, group)
    if len(sharing) >= 2 and not all(s.kind == "city" for s in sharing):
        # "Кіровське, Crimea", "Орджонікідзе, Dnipropetrovsk oblast": villages renamed in one wave shared their
        # Soviet names; a register of that time names each of them by it, so neither tier nor size says which.
        # Cities alone (Artemivsk: Bakhmut, 80,500, and Kypuche, 7,200) are told apart by size as usual.
        return Decision(AMBIGUOUS, ranked[:limit], f"a former name of {len(sharing)} places: no clue tells them apart")
    for keep, reason in _TIERS:
        kept = [s for s in group if keep(s)]
        dropped_names = {s.row.name_uk for s in group if not keep(s)}
        if any(s.row.name_uk in dropped_names for s in kept):
            continue  # a tier never tells namesakes apart: one of them may just have its Russian name recorded
        if kept and len(kept) < len(group):
            group = kept
            if len(group) == 1:
                return _matched([group[0], *[s for s in ranked if s is not group[0]]], reason, limit)
    leader = max(group, key=lambda s: (*s.prior(), s.score, -s.eid))
    others = [s for s in group if s is not leader]
    prior_reason = prior_decides(leader, others)
    # the likeliest first (what the prior prefers), even when it does not settle the tie
    reordered = [leader, *[s for s in ranked if s is not leader]]
    if prior_reason:
        return _matched(reordered, prior_reason, limit)
    if top.distance is not None:
        reordered = ranked  # the row gave a point: the nearest first (ranked so), whatever the prior prefers
    return Decision(AMBIGUOUS, reordered[:limit], f"{len(near) + 1} candidates score within {w.NEAR_TIE}")


#: What outweighs the rest of a near-tie, in turn: a unit of today one that no longer exists (a raion of
#: before 2020 named like today's), then a current name old, alternate or derived names of other places.
_TIERS: tuple[tuple[Callable[[Scored], bool], str], ...] = (
    (lambda s: s.kind not in FORMER_KINDS, "a unit of today against one that no longer exists"),
    (lambda s: s.authoritative, "its current name against old or alternate names of others"),
)


def _sharing_a_former_name(top: Scored, group: list[Scored]) -> list[Scored]:
    """The places of a near-tie reached through the same former name as the best one (empty unless the best
    one is reached through a former name): a renaming list names each of them by it as rightly as the others."""
    if top.form is None or top.form.type != "former":
        return []
    folded = fold(top.form.text)
    return [s for s in group if s.form is not None and s.form.type == "former" and fold(s.form.text) == folded
            and s.kind in PLACE_KINDS]


def _namesakes(top: Scored, other: Scored) -> bool:
    """Two places of one official name that the clues do not tell apart stay rivals over a wider window: one of
    them may carry a Russian or romanized name from a source that the others only have derived."""
    return (other.row.name_uk == top.row.name_uk and other.kind in PLACE_KINDS and top.kind in PLACE_KINDS
            and other.confirmed == top.confirmed and other.score >= top.score - w.NAMESAKE_WINDOW)


def _foreign_city_rivals(top: Scored, other: Scored) -> bool:
    """A large foreign city and a Ukrainian place of its name stay rivals over a wider window."""
    window = top.score - w.FOREIGN_CITY_WINDOW
    if (top.kind in SMALL_KINDS and other.kind == "foreign" and other.population >= w.FOREIGN_CITY_POPULATION
            and other.hit.method == "exact" and other.score >= window):
        return True
    return (top.kind == "foreign" and top.population < w.FOREIGN_CITY_POPULATION and other.kind == "city"
            and other.country == "UA" and other.score >= window)


def _matched(ranked: list[Scored], reason: str, limit: int) -> Decision:
    """`matched` for the first candidate, unless its evidence is too weak to promise it (then `ambiguous`)."""
    weak = weak_evidence(ranked[0], ranked)
    if weak:
        return Decision(AMBIGUOUS, ranked[:limit], f"{reason}, but {weak}")
    return Decision(MATCHED, ranked[:limit], reason)


def weak_evidence(top: Scored, ranked: list[Scored]) -> str:
    """Why the best candidate's evidence is too weak to promise it ('' when it is not): spellings that were right
    well under 99 times in 100 on real data unless a place clue of the row (oblast, raion, hromada, point)
    confirms them."""
    if top.confirmed & NARROW_CLUES:
        return ""
    small = top.population < w.TRUSTED_POPULATION and top.kind not in ("oblast", "country", "person")
    if top.hit.method == "fuzzy" and small and top.hit.similarity < w.FUZZY_OBLAST_SIMILARITY:
        return (f"the input is {top.hit.edits} edit(s) away from the name of a small place, which only a raion, "
                "a hromada or a point would confirm")
    if top.confirmed:
        return ""
    form_type = top.form.type if top.form else ""
    if top.hit.method == "fuzzy" and top.hit.similarity < w.FUZZY_TRUSTED_SIMILARITY:
        return f"the input is not much like '{top.hit.spelling}', the spelling {top.hit.edits} edit(s) away"
    if top.hit.method == "fuzzy" and small:
        return f"a spelling {top.hit.edits} edit(s) away from the name of a small place, with no clue to confirm it"
    if top.hit.method == "reading" and small:
        return "a Russian form read back as Ukrainian for a small place, with no clue to confirm it"
    if form_type == "derived_ru" and small and top.kind in SMALL_KINDS:
        return "a derived Russian form of a small place's name, with no clue to confirm it"
    if form_type == "former" and top.form is not None:
        shared = [s for s in ranked[1:] if s.form is not None and s.form.type == "former"
                  and fold(s.form.text) == fold(top.form.text)]
        if shared and top.population < w.DWARFS * _people(shared, top):
            return f"the former name is shared by {len(shared) + 1} places, with no clue to tell them apart"
    return ""


def _people(rivals: list[Scored], top: Scored) -> int:
    """How many people the rivals of a place stand for (census figures, else a floor by kind; places abroad
    count a tenth: data about Ukraine names them less)."""
    total = 0
    for s in rivals:
        floor = w.SETTLEMENT_FLOOR if s.kind == "settlement" else w.POPULATION_FLOOR
        total += max(s.population, floor) // (w.ABROAD_DISCOUNT if s.country != "UA" else 1)
    return total


def prior_decides(top: Scored, near: list[Scored]) -> str:
    """A reason when a strong prior settles a near-tie, else ''.

    A prior decides only where it is almost always right: a curated feature, an oblast or the country over
    villages of its name; a large foreign city over small places; and a place whose population dwarfs all its
    namesakes together (villages without a census figure count as POPULATION_FLOOR people each).
    """
    top_rank, top_population = top.prior()
    if all(top_rank > s.prior()[0] for s in near):
        if top.kind in FEATURE_KINDS and all(s.kind in SMALL_KINDS for s in near):
            return f"prior: the {top.kind} over {len(near)} village(s) of the same name"
        big_foreign = (top.kind == "foreign" and top_population >= w.SMALL_FOREIGN_POPULATION
                       and all(s.kind == "foreign" or s.kind not in SMALL_KINDS | PLACE_KINDS for s in near))
        if top.kind in ("oblast", "country") or big_foreign:
            others = {s.kind for s in near}
            what = "a city" if top.kind == "foreign" else f"the {top.kind}"
            return f"prior: {what} over {len(near)} smaller place(s) of the same name ({', '.join(sorted(others))})"
    rivals = [s for s in near if not (top.country == "UA" and s.kind == "foreign"
                                      and s.population < w.FOREIGN_CITY_POPULATION)]
    if not rivals:
        return "prior: a Ukrainian place over small places abroad of the same name" if top.country == "UA" else ""
    people = _people(rivals, top)
    if top.country != "UA" and any(s.country == "UA" for s in rivals):
        top_population //= w.ABROAD_DISCOUNT  # data about Ukraine names a place abroad less than its own
    if top_population >= w.DWARFS * people and top_rank >= max(s.prior()[0] for s in rivals):
        return (f"prior: {top_population:,} people against {people:,} in its {len(rivals)} namesake(s) together"
                if people else "prior: the only populated place of the name")
    return ""
