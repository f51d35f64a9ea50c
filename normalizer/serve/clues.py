"""The clues a query carries besides its name, handed to `Normalizer.resolve` as keywords.

`resolve` takes `oblast=` today; `raion=`, `hromada=` (names in any spelling or IDs) and
`near=(lat, lon)` are on their way. The service inspects resolve's signature once and passes a
clue only where resolve accepts it, so it decides exactly as `resolve` (and `clean`) decide,
and picks the new clues up when they land; a clue the installed version cannot take is
reported back as ignored, never guessed at here.
"""

from __future__ import annotations

import inspect
import math
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from normalizer import HintError, Result

from .errors import RequestError, shorten

#: The keyword clues, in the order they are reported.
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
    """A resolve answer with the clues it could not use (and why)."""

    result: Result
    ignored: tuple[str, ...] = ()


def accepted_clues(normalizer: Any) -> frozenset[str]:
    """The clue keywords this normalizer's `resolve` takes (its signature is read once per class)."""
    return _accepted(type(normalizer))


@lru_cache(maxsize=32)
def _accepted(cls: type) -> frozenset[str]:
    try:
        parameters = inspect.signature(cls.resolve).parameters
    except (TypeError, ValueError, AttributeError):  # not introspectable: the one clue resolve always had
        return frozenset({"oblast"})
    return frozenset(name for name in CLUE_NAMES if name in parameters)


def resolve(normalizer: Any, text: str, clues: Clues, *, kind: tuple[str, ...] | None = None,
            limit: int = 5) -> Resolved:
    """`normalizer.resolve(text, ...)` with every clue it accepts; the others come back as ignored."""
    accepted = accepted_clues(normalizer)
    keywords: dict[str, Any] = {}
    ignored = list(clues.problems)
    for name, value in clues.given().items():
        if name in accepted:
            keywords[name] = value
        else:
            ignored.append(f"{_label(name)}: this version of uanorm does not use it yet")
    try:
        result = normalizer.resolve(text, kind=kind, limit=limit, **keywords)
    except HintError as exc:  # a clue resolve refuses: the caller's to fix, in one line
        raise RequestError(str(exc)) from None
    return Resolved(result, tuple(ignored))


def _label(name: str) -> str:
    return "coordinates" if name == "near" else name


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
