"""The decisions of review, as the matcher consults them: a value, in a scope, is an entity.

A person's choice for an ambiguous value is kept in the user layer with the oblast and raion the
row gave (empty: anywhere; a row placed only by a point: the chosen entity's oblast and raion, which
then apply wherever a row's point lies at that entity). The matcher answers the value so there, and
only there: the most specific decision that the row's clues allow wins (oblast and raion, then
oblast or raion alone, then anywhere).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from gazetteer.userlayer import UserDecision


class DecisionBook:
    """Decisions by folded value (fold_name of the raw cell), loaded once per user-layer state."""

    def __init__(self, decisions: Iterable[UserDecision]) -> None:
        self._by_fold: dict[str, list[UserDecision]] = {}
        self._count = 0
        for decision in decisions:
            self._by_fold.setdefault(decision.fold, []).append(decision)
            self._count += 1

    def __len__(self) -> int:
        return self._count

    def find(self, folded: str, oblasts: frozenset[str] | None, raions: frozenset[str] | None,
             near: Callable[[str], bool] | None = None) -> UserDecision | None:
        """The most specific decision for a folded value that the row's oblasts and raions allow, or None.

        `near` says whether a decision's entity lies at the row's point: a scoped decision applies there too
        (a row placed only by its point names no unit, but it is where the person decided).
        """
        found = self._by_fold.get(folded)
        if not found:
            return None
        allowed = [d for d in found
                   if ((not d.oblast_id or (oblasts is not None and d.oblast_id in oblasts))
                       and (not d.raion_id or (raions is not None and d.raion_id in raions)))
                   or (near is not None and (d.oblast_id or d.raion_id) and near(d.entity_id))]
        if not allowed:
            return None
        return max(allowed, key=lambda d: (bool(d.oblast_id) + bool(d.raion_id), d.op_id))
