"""The lookup page at / for people without OpenRefine, its static files, and the JSON it asks for.

The page (static/index.html, lookup.js, uanorm.css: package data, nothing from outside) asks
/suggest/entity as the user types and /api/lookup on submit; it builds the DOM with
textContent only, so no answer is ever parsed as HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from typing import Any

from . import protocol
from .errors import NotFoundError
from .pages import entity_url
from .service import Service

#: The files under /static/ and their media types (nothing else is served from there).
STATIC_FILES = {
    "index.html": "text/html; charset=utf-8",
    "uanorm.css": "text/css; charset=utf-8",
    "lookup.js": "text/javascript; charset=utf-8",
}


@lru_cache(maxsize=len(STATIC_FILES))
def static_file(name: str) -> tuple[bytes, str]:
    """(content, media type) of one of the page's files; NotFoundError for any other name."""
    if name not in STATIC_FILES:
        raise NotFoundError(f"no static file {name[:80]!r}")
    return (files(__package__) / "static" / name).read_bytes(), STATIC_FILES[name]


def lookup(service: Service, params: Mapping[str, str]) -> dict[str, Any]:
    """Resolve `q` with the clues among PARAMS (oblast, raion, hromada, lat, lon, coordinates, type, limit)."""
    query = {
        "query": params.get("q", ""),
        "type": [t for t in params.get("type", "").split(",") if t.strip()] or None,
        "limit": protocol.whole_number(params.get("limit"), "limit"),
        "properties": [{"pid": p.id, "v": params[p.id]} for p in protocol.QUERY_PROPERTIES if params.get(p.id)],
    }
    resolved = protocol.resolve(service, protocol.parse_query(query, "lookup"))
    result = resolved.result
    entries = protocol.candidates(service, resolved)
    for entry, candidate in zip(entries, result.candidates):
        entry.update(kind=candidate.kind, name_uk=candidate.name_uk, url=entity_url(candidate.id))
    return {"input": result.input, "status": result.status, "method": result.method,
            "explanation": result.explanation, "ignored": list(resolved.ignored), "candidates": entries}
