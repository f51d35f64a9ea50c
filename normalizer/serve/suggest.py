"""Suggest services (entities, types, properties) and the entity flyout, for typing-time look-ups.

Entities: the entity `resolve` matches for the text typed so far (any spelling,
transliteration, typo), then the gazetteer's names equal to or starting with it
(`Gazetteer.search`), then `resolve`'s other candidates; `cursor` skips, `type` restricts
by kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from normalizer import MATCHED

from . import extend, pages, protocol
from .errors import RequestError
from .service import Service

#: Suggestions per answer.
SUGGEST_LIMIT = 10
#: The most suggestions one answer may be asked for (`limit`).
MAX_SUGGEST_LIMIT = 100
#: The deepest `cursor` served (suggest is for typing, not for paging through the gazetteer).
MAX_CURSOR = 200


def parse(params: Mapping[str, str]) -> tuple[str, int, int]:
    """(prefix, cursor, limit) of a suggest request: `prefix` is required, the others are whole numbers."""
    prefix = params.get("prefix")
    if prefix is None:
        raise RequestError("prefix is required: the text typed so far")
    if len(prefix) > protocol.MAX_QUERY_CHARS:
        raise RequestError(f"prefix is {len(prefix):,} characters long; the limit is {protocol.MAX_QUERY_CHARS}")
    cursor = min(protocol.whole_number(params.get("cursor"), "cursor") or 0, MAX_CURSOR)
    limit = min(protocol.whole_number(params.get("limit"), "limit") or SUGGEST_LIMIT, MAX_SUGGEST_LIMIT)
    return prefix, cursor, limit


def entities(service: Service, prefix: str, *, types: list[str] | None = None, cursor: int = 0,
             limit: int = SUGGEST_LIMIT) -> dict[str, Any]:
    """Entities for the text typed so far."""
    kinds = protocol.kinds_of(types or None, "suggest")
    wanted = cursor + limit
    found: dict[str, None] = {}
    if prefix.strip():
        result = service.normalizer.resolve(prefix, kind=kinds, limit=wanted)
        if result.status == MATCHED and result.best is not None:
            found[result.best.id] = None
        for entity in service.catalog.gazetteer.search(prefix, limit=wanted * 2):
            if kinds is None or entity.kind in kinds:
                found.setdefault(entity.id, None)
        found.update((c.id, None) for c in result.candidates if c.id not in found)
    chosen = list(found)[cursor:wanted]
    return {"result": [_entity_entry(service, entity_id) for entity_id in chosen]}


def _entity_entry(service: Service, entity_id: str) -> dict[str, Any]:
    place = service.catalog.place(entity_id)
    return {"id": entity_id, "name": place.entity.name, "description": place.description,
            "notable": protocol.candidate_types(place.entity.kind)}


def types(prefix: str, *, cursor: int = 0, limit: int = SUGGEST_LIMIT) -> dict[str, Any]:
    """Types whose ID or name contains the text typed (all of them for an empty prefix)."""
    return {"result": _matching(protocol.all_types(), prefix)[cursor:cursor + limit]}


def properties(prefix: str, *, cursor: int = 0, limit: int = SUGGEST_LIMIT) -> dict[str, Any]:
    """Properties (query clues and extension properties) whose ID or name contains the text typed."""
    listed = {p.id: p.to_json() for p in (*protocol.QUERY_PROPERTIES, *extend.PROPERTIES)}
    return {"result": _matching(list(listed.values()), prefix)[cursor:cursor + limit]}


def _matching(items: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """Items whose id or name starts with PREFIX first, then those containing it (case-insensitive)."""
    needle = prefix.strip().casefold()
    starts = [i for i in items if i["id"].casefold().startswith(needle) or i["name"].casefold().startswith(needle)]
    inside = [i for i in items if i not in starts and (needle in i["id"].casefold() or needle in i["name"].casefold())]
    return starts + inside


def flyout(service: Service, entity_id: str) -> dict[str, str]:
    """{"id", "html"}: a small preview of a suggested entity."""
    return {"id": entity_id, "html": pages.flyout(service.catalog.facts(entity_id))}
