"""What a table cell gets: the answer fields for one (value, oblast) pair, and how a pair is resolved.

For every resolved column COL the output gains, right after COL:

    COL_id, COL_name, COL_name_uk, COL_oblast_id, COL_kind, COL_status, COL_score

A `matched` value fills them all. An `ambiguous` or `unmatched` value leaves the entity
fields empty (a guess in an ID column is worse than a gap) and gives its status and the
best candidate's score; the review file lists its top candidates. Empty cells, missing
values and non-text cells are `unmatched` with score 0 and never go to review.
With `min_score`, matches scoring below it are reported as `ambiguous`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from ..match.model import MATCHED, UNMATCHED

if TYPE_CHECKING:  # pragma: no cover
    from ..match.session import Matching

#: The fields added for each resolved column, in order (COL_id, COL_name, ...).
SUFFIXES = ("id", "name", "name_uk", "oblast_id", "kind", "status", "score")
#: Candidates an answer keeps (the review file lists them).
CANDIDATES_KEPT = 3


class Answer(NamedTuple):
    """What a cleaned row gets for one (value, oblast): the fields, status, score, candidates."""

    id: str | None
    name: str | None
    name_uk: str | None
    oblast_id: str | None
    kind: str | None
    status: str
    score: float
    candidates: tuple[tuple[str, str, str | None, float], ...] = ()


#: The answer for an empty, missing or non-text cell.
BLANK = Answer(None, None, None, None, None, UNMATCHED, 0.0)

Key = tuple[Any, Any]


def output_names(column: Any) -> list[str]:
    """The names of the columns added after `column`."""
    return [f"{column}_{suffix}" for suffix in SUFFIXES]


def is_text(value: object) -> bool:
    """Whether a cell holds text worth resolving (a non-blank, encodable string)."""
    if not isinstance(value, str) or not value.strip():
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a badly decoded source
        return False
    return True


def answer_for(normalizer: Matching, value: object, hint: str | None, kind: str | None) -> Answer:
    """The answer for one value (no min-score applied): resolves only real text."""
    if not is_text(value):
        return BLANK
    result = normalizer.resolve(value, oblast=hint, kind=kind)  # type: ignore[arg-type]
    candidates = tuple((c.id, c.name, c.oblast_id, round(c.score, 4))
                       for c in result.candidates[:CANDIDATES_KEPT])
    score = round(result.score, 4)
    best = result.best
    if result.status == MATCHED and best is not None:
        return Answer(best.id, best.name, best.name_uk, best.oblast_id, best.kind, MATCHED, score, candidates)
    return Answer(None, None, None, None, None, result.status, score, candidates)
