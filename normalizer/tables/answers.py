"""What a table cell gets: the answer fields for one (value, context) pair, and how a pair is resolved.

For every resolved column COL the output gains, right after COL:

    COL_id, COL_name, COL_name_uk, COL_oblast_id, COL_kind, COL_status, COL_score,
    COL_oblast, COL_raion_id, COL_raion, COL_hromada_id, COL_hromada, COL_lat, COL_lon, COL_method

A `matched` value fills them all. An `ambiguous` or `unmatched` value leaves the entity
fields empty (a guess in an ID column is worse than a gap) and gives its status and the
best candidate's score; the review file lists its top candidates. Empty cells, missing
values and non-text cells are `unmatched` with score 0 and never go to review.
With `min_score`, matches scoring below it are reported as `ambiguous`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from ..match.model import MATCHED, UNMATCHED

if TYPE_CHECKING:  # pragma: no cover
    from ..match.session import Matching

#: The fields added for each resolved column, in order (COL_id, COL_name, ...): the entity, its status and score,
#: then where it is (oblast name, raion and hromada IDs and names, its point) and how it was found (METHODS).
SUFFIXES = ("id", "name", "name_uk", "oblast_id", "kind", "status", "score", "oblast", "raion_id", "raion",
            "hromada_id", "hromada", "lat", "lon", "method")
#: Candidates an answer keeps (the review file lists them).
CANDIDATES_KEPT = 5
#: Characters of the matcher's explanation an undecided answer keeps.
WHY_MAX = 400
#: The row's own columns that can say where its name is (`clean --raion-column` ...), in the order of Context.
CONTEXT_FIELDS = ("oblast", "raion", "hromada", "lat", "lon")


class Context(NamedTuple):
    """What a row gives beside the name: its oblast, raion and hromada (as written, or one unit's ID once read)
    and its point. A row's hint is this, or just the oblast text when only an oblast is given."""

    oblast: str | None = None
    raion: str | None = None
    hromada: str | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def point(self) -> tuple[float, float] | None:
        """(lat, lon) when both are given."""
        return (self.lat, self.lon) if self.lat is not None and self.lon is not None else None


class Choice(NamedTuple):
    """A candidate as the review file shows it: enough to choose between namesakes."""

    id: str
    name: str
    oblast_id: str | None
    score: float
    raion: str | None
    hromada: str | None
    population: int | None
    lat: float | None
    lon: float | None


class Answer(NamedTuple):
    """What a cleaned row gets for one (value, context): the fields, status, score, candidates."""

    id: str | None
    name: str | None
    name_uk: str | None
    oblast_id: str | None
    kind: str | None
    status: str
    score: float
    oblast: str | None = None
    raion_id: str | None = None
    raion: str | None = None
    hromada_id: str | None = None
    hromada: str | None = None
    lat: float | None = None
    lon: float | None = None
    method: str | None = None
    candidates: tuple[Choice, ...] = ()
    #: Why the matcher answered so (its explanation, shortened): the review file shows it.
    why: str = ""


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


def answer_for(normalizer: Matching, value: object, hint: str | Context | None, kind: str | None) -> Answer:
    """The answer for one value and its row's hint (no min-score applied): resolves only real text."""
    if not is_text(value):
        return BLANK
    assert isinstance(value, str)
    if isinstance(hint, Context):
        result = normalizer.resolve(value, oblast=hint.oblast, raion=hint.raion, hromada=hint.hromada,
                                    near=hint.point, kind=kind)
    else:
        result = normalizer.resolve(value, oblast=hint, kind=kind)
    names = unit_names(normalizer)
    choices = tuple(Choice(c.id, c.name, c.oblast_id, round(c.score, 4), names(c.raion_id), names(c.hromada_id),
                           c.population, c.lat, c.lon) for c in result.candidates[:CANDIDATES_KEPT])
    score = round(result.score, 4)
    best = result.best
    if result.status == MATCHED and best is not None:
        return Answer(best.id, best.name, best.name_uk, best.oblast_id, best.kind, MATCHED, score,
                      names(best.oblast_id), best.raion_id, names(best.raion_id), best.hromada_id,
                      names(best.hromada_id), best.lat, best.lon, result.method, choices)
    return Answer(None, None, None, None, None, result.status, score, method=result.method or None,
                  candidates=choices, why=result.explanation[:WHY_MAX])


_namers: dict[int, Callable[[str | None], str | None]] = {}


def unit_names(normalizer: Matching) -> Callable[[str | None], str | None]:
    """The Latin name of a unit by ID (None for None or an unknown ID), remembered per normalizer."""
    namer = _namers.get(id(normalizer))
    if namer is not None:
        return namer
    gazetteer = normalizer.gazetteer

    @lru_cache(maxsize=20_000)
    def name_of(unit_id: str | None) -> str | None:
        entity = gazetteer.find(unit_id) if unit_id else None
        return entity.name if entity is not None else None

    _namers.clear()  # one normalizer per process in practice; a new one replaces the old
    _namers[id(normalizer)] = name_of
    return name_of
