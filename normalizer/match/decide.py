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

from . import weights as w
from .model import AMBIGUOUS, MATCHED, UNMATCHED
from .score import Scored

#: Kinds that are small places or units: a Ukrainian city or a feature outranks them in a tie.
SMALL_KINDS = frozenset({"settlement", "village", "raion", "hromada", "city-district", "former-raion",
                         "former-settlement"})
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


def decide(scored: dict[int, Scored], limit: int) -> Decision:
    """Status, ranked candidates (at most `limit`) and the reason of the decision."""
    ranked = sorted(scored.values(), key=lambda s: (-round(s.score, 4), *(-x for x in s.prior()), s.eid))
    if not ranked or ranked[0].score < w.ACCEPT:
        return Decision(UNMATCHED, ranked[:limit], "no candidate scores high enough")
    top = ranked[0]
    near = [s for s in ranked[1:] if s.score >= top.score - w.NEAR_TIE or _foreign_city_rivals(top, s)]
    if not near:
        margin = top.score - ranked[1].score if len(ranked) > 1 else None
        reason = "only candidate" if margin is None else f"clear of the next candidate by {margin:.3f}"
        return Decision(MATCHED, ranked[:limit], reason)
    group = [top, *near]
    for keep, reason in _TIERS:
        kept = [s for s in group if keep(s)]
        if kept and len(kept) < len(group):
            group = kept
            if len(group) == 1:
                reordered = [group[0], *[s for s in ranked if s is not group[0]]]
                return Decision(MATCHED, reordered[:limit], reason)
    leader = max(group, key=lambda s: (*s.prior(), s.score, -s.eid))
    others = [s for s in group if s is not leader]
    prior_reason = prior_decides(leader, others)
    if prior_reason:
        reordered = [leader, *[s for s in ranked if s is not leader]]
        return Decision(MATCHED, reordered[:limit], prior_reason)
    return Decision(AMBIGUOUS, ranked[:limit], f"{len(near) + 1} candidates score within {w.NEAR_TIE}")


#: What outweighs the rest of a near-tie, in turn: a unit of today one that no longer exists (a raion of
#: before 2020 named like today's), then a current name old, alternate or derived names of other places.
_TIERS: tuple[tuple[Callable[[Scored], bool], str], ...] = (
    (lambda s: s.kind not in FORMER_KINDS, "a unit of today against one that no longer exists"),
    (lambda s: s.authoritative, "its current name against old or alternate names of others"),
)


def _foreign_city_rivals(top: Scored, other: Scored) -> bool:
    """A large foreign city and a Ukrainian place of its name stay rivals over a wider window."""
    window = top.score - w.FOREIGN_CITY_WINDOW
    if (top.kind in SMALL_KINDS and other.kind == "foreign" and other.population >= w.FOREIGN_CITY_POPULATION
            and other.hit.method == "exact" and other.score >= window):
        return True
    return (top.kind == "foreign" and top.population < w.FOREIGN_CITY_POPULATION and other.kind == "city"
            and other.country == "UA" and other.score >= window)


def prior_decides(top: Scored, near: list[Scored]) -> str:
    """A reason when a strong prior settles a near-tie, else ''."""
    top_rank, top_population = top.prior()
    if top.country == "UA" and top.kind == "city":
        rivals = [s for s in near if s.country == "UA" and s.kind == "city"]
        if all(s.kind == "foreign" or s.kind in SMALL_KINDS or s in rivals for s in near):
            if not rivals:
                return "prior: a Ukrainian city over places abroad or smaller places of the same name"
            largest = max(s.population for s in rivals)
            if top_population >= w.CITY_OVER_CITIES * max(largest, w.POPULATION_FLOOR):
                return f"prior: the city of {top_population:,} people over namesakes of at most {largest:,}"
    if all(top_rank > s.prior()[0] for s in near):
        if top.kind in FEATURE_KINDS and all(s.kind in SMALL_KINDS for s in near):
            return f"prior: the {top.kind} over {len(near)} village(s) of the same name"
        if top.kind in ("city", "oblast") or (top.kind == "foreign" and top_population >= w.SMALL_FOREIGN_POPULATION):
            others = {s.kind for s in near}
            what = "a city" if top.kind in ("city", "foreign") else f"the {top.kind}"
            return f"prior: {what} over {len(near)} smaller place(s) of the same name ({', '.join(sorted(others))})"
    largest = max((s.population for s in near), default=0)
    ratio = (w.CITY_OVER_CITIES if top.kind == "city" and all(s.kind == "city" for s in near)
             else w.POPULATION_OVER_ALL)
    if top_population >= ratio * max(largest, w.POPULATION_FLOOR) and top_rank >= max(s.prior()[0] for s in near):
        return f"prior: population {top_population:,} against at most {largest:,}"
    return ""
