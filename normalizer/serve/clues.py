"""The clues a query carries besides its name, handed to `Normalizer.resolve` as keywords.

`oblast`, `raion` (today's or a pre-2020 one) and `hromada` go to resolve as the row gives them
(names in any spelling or IDs), a point as `near=(lat, lon)`: the service decides exactly as
`resolve` (and `clean`) decide. A clue resolve cannot read is said in its explanation ("raion hint
'...' not recognized, ignored"); only values the service cannot turn into a clue at all (coordinates
that are not degrees) come back here, as `Resolved.ignored`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from typing import Any

from normalizer import HintError, Normalizer, Result

from .errors import RequestError, shorten

#: The keywords of resolve's clues.
CLUE_NAMES = ("oblast", "raion", "hromada", "near")

_COORDINATE_SPLIT = re.compile(r"\s*[,;\s]\s*")


@dataclass(frozen=True, slots=True)
class Clues:
    """What a row says about where its name is: oblast, raion, hromada (text as given), a point."""

    oblast: str | None = None
    raion: str | None = None
    hromada: str | None = None
    near: tuple[float, float] | None = None
    #: Clue values the service could not read (e.g. coordinates that are not 'lat,lon').
    problems: tuple[str, ...] = ()

    def given(self) -> dict[str, Any]:
        """The clues that carry a value, by keyword."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name in CLUE_NAMES and getattr(self, f.name) is not None}


@dataclass(frozen=True, slots=True)
class Resolved:
    """A resolve answer with the property values the service could not read as clues (and why)."""

    result: Result
    ignored: tuple[str, ...] = ()


def resolve(normalizer: Normalizer, text: str, clues: Clues, *, kind: tuple[str, ...] | None = None,
            limit: int = 5) -> Resolved:
    """`normalizer.resolve(text, ...)` with every clue given; values that were no clue come back as ignored."""
    try:
        result = normalizer.resolve(text, kind=kind, limit=limit, **clues.given())
    except HintError as exc:  # a clue resolve refuses: the caller's to fix, in one line
        raise RequestError(str(exc)) from None
    return Resolved(result, clues.problems)


def coordinate(value: str | float, axis: str) -> float | None:
    """A latitude (axis 'lat') or longitude ('lon') in degrees, or None if VALUE is not one."""
    try:
        number = float(str(value).strip().replace("\u2212", "-"))
    except ValueError:
        return None
    bound = 90.0 if axis == "lat" else 180.0
    return number if math.isfinite(number) and -bound <= number <= bound else None


def parse_point(text: str) -> tuple[float, float] | None:
    """'48.91, 38.42' (or separated by ';' or a space) as (lat, lon); None if it is not a point."""
    parts = [p for p in _COORDINATE_SPLIT.split(text.strip()) if p]
    if len(parts) != 2:
        return None
    lat, lon = coordinate(parts[0], "lat"), coordinate(parts[1], "lon")
    return (lat, lon) if lat is not None and lon is not None else None


def point_from(values: dict[str, str]) -> tuple[tuple[float, float] | None, tuple[str, ...]]:
    """The point given by 'coordinates' or by 'lat' and 'lon' values, and what could not be read."""
    if "coordinates" in values:
        point = parse_point(values["coordinates"])
        if point is None:
            return None, (f"coordinates: {shorten(values['coordinates'])!r} is not 'lat,lon' in degrees",)
        return point, ()
    if "lat" not in values and "lon" not in values:
        return None, ()
    if "lat" not in values or "lon" not in values:
        missing = "lon" if "lat" in values else "lat"
        return None, (f"coordinates: {missing} is missing",)
    lat, lon = coordinate(values["lat"], "lat"), coordinate(values["lon"], "lon")
    if lat is None or lon is None:
        bad = "lat" if lat is None else "lon"
        return None, (f"coordinates: {bad} {shorten(values[bad])!r} is not a number of degrees",)
    return (lat, lon), ()
