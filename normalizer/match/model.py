"""What the matcher answers: immutable results and candidates with readable reprs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MATCHED = "matched"
AMBIGUOUS = "ambiguous"
UNMATCHED = "unmatched"
STATUSES = (MATCHED, AMBIGUOUS, UNMATCHED)
#: How an answer was reached (Result.method; the method column of a cleaned table):
#: an ID or code; the name itself (any spelling, inflection or transliteration); a former name; a spelling a few
#: edits away; a clue of the row that told namesakes apart (or the town named beside an unknown name); a prior
#: (a place that dwarfs its namesakes); a person's decision in review.
METHODS = ("code", "exact", "former name", "fuzzy", "context", "prior", "user decision")

#: The entity fields every candidate carries (those of the gazetteer's Entity).
CANDIDATE_FIELDS = (
    "id", "kind", "name", "name_uk", "name_ru", "oblast_id", "parent_id", "country",
    "population", "lat", "lon", "geonames_id", "iso3166_2", "category", "role",
    "raion_id", "hromada_id", "koatuu", "former_raion_id",
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entity the input may denote, with its score in [0, 1] and the form that matched."""

    id: str
    kind: str
    name: str
    name_uk: str | None
    name_ru: str | None
    oblast_id: str | None
    parent_id: str | None
    country: str | None
    population: int | None
    lat: float | None
    lon: float | None
    geonames_id: int | None
    iso3166_2: str | None
    category: str | None
    role: str | None
    raion_id: str | None
    hromada_id: str | None
    koatuu: str | None
    former_raion_id: str | None
    score: float
    matched_form: str = ""
    method: str = ""

    def __repr__(self) -> str:
        place = f", oblast={self.oblast_id}" if self.oblast_id and self.oblast_id != self.id else ""
        return f"Candidate({self.id} {self.kind} {self.name!r}{place}, score={self.score:.3f})"

    def lies_in(self, unit_id: str) -> bool:
        """Whether the candidate lies in the unit (its oblast, raion, hromada or parent; a raion of before 2020)."""
        return unit_id in (self.oblast_id, self.raion_id, self.hromada_id, self.parent_id, self.former_raion_id)

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        """The candidate's fields as a dict (the core ones, or all with full=True)."""
        data = asdict(self)
        if full:
            return data
        return {k: data[k] for k in ("id", "kind", "name", "name_uk", "oblast_id", "country", "score")}


@dataclass(frozen=True, slots=True)
class Result:
    """The answer for one input: status, best candidate, ranked candidates, explanation."""

    input: str
    status: str
    best: Candidate | None
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)
    explanation: str = ""
    method: str = ""  # one of METHODS for a matched or ambiguous answer, '' when nothing was found

    @property
    def score(self) -> float:
        """The best candidate's score (0.0 when there is none)."""
        return self.best.score if self.best else 0.0

    @property
    def id(self) -> str | None:
        """The ID of a confident match, else None."""
        return self.best.id if self.status == MATCHED and self.best else None

    def __repr__(self) -> str:
        best = f" -> {self.best.id} {self.best.name!r} ({self.best.score:.3f})" if self.best else ""
        return f"Result({self.input!r}: {self.status}{best}, {len(self.candidates)} candidates)"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `uanorm match --json`: best candidate's fields at the top level."""
        best = self.best if self.status != UNMATCHED else None
        data: dict[str, Any] = {"input": self.input, "status": self.status}
        for key in ("id", "kind", "name", "name_uk", "oblast_id", "country", "score"):
            data[key] = getattr(best, key) if best else None
        data["candidates"] = [c.to_dict() for c in self.candidates]
        data["explanation"] = self.explanation
        data["method"] = self.method
        return data
