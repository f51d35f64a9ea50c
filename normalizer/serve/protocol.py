"""The Reconciliation Service API 0.2 at /reconcile: manifest, types, properties, query batches, results.

Types are the gazetteer's entity kinds (`gazetteer.KINDS`), each with its broader type
(populated place, administrative unit, feature); a broader type in a query stands for all
its kinds. Properties carry a row's other columns (oblast, raion, hromada, a point) to
`resolve` as its clues (see `clues`), so a batch decides as `resolve` and `clean` do.
A candidate's `match` is true exactly when uanorm's status is `matched` and it is the best
candidate; scores are uanorm's scores times 100.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from gazetteer import KINDS
from normalizer import MATCHED, Candidate, __version__

from . import clues as clue_module
from .clues import Clues, Resolved
from .errors import PayloadTooLargeError, RequestError, shorten
from .service import Service

SERVICE_NAME = "uanorm: places and persons of Ukraine"
IDENTIFIER_SPACE = "urn:uanorm:entity"
SCHEMA_SPACE = "urn:uanorm:kind"
#: Queries one batch may hold (declared as batchSize; more is refused with 413).
BATCH_SIZE = 1000
#: Characters a query text or a property value may have.
MAX_QUERY_CHARS = 500
DEFAULT_LIMIT = 5
MAX_LIMIT = 25
#: A whole-number URL parameter: ASCII digits, not so many that int() would refuse them.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
#: Preview iframe size declared in the manifest.
PREVIEW_WIDTH, PREVIEW_HEIGHT = 430, 230

#: The broader type of a kind (kinds not listed have none; kinds not in KINDS are skipped).
BROADER = {
    "city": "populated-place", "settlement": "populated-place", "village": "populated-place",
    "former-settlement": "populated-place",  # a settlement a register once listed
    "oblast": "admin-unit", "raion": "admin-unit", "hromada": "admin-unit", "city-district": "admin-unit",
    "former-raion": "admin-unit",  # a raion or city council of before the 2020 reform
    "country": "admin-unit",  # Ukraine, above the oblasts
    "region": "feature", "river": "feature", "sea": "feature", "reservoir": "feature", "island": "feature",
    "facility": "feature",
}
BROADER_NAMES = {
    "populated-place": "populated place (city, settlement, village)",
    "admin-unit": "administrative unit",
    "feature": "region, water, island or facility",
}
#: Types offered first in OpenRefine's reconciliation dialog.
DEFAULT_TYPES = ("populated-place", "admin-unit", "person", "foreign")


@dataclass(frozen=True, slots=True)
class Property:
    """A property: an ID, a name for people, and what it holds."""

    id: str
    name: str
    description: str

    def to_json(self) -> dict[str, str]:
        """The property as the protocol shows it."""
        return {"id": self.id, "name": self.name, "description": self.description}


#: Properties a reconciliation query may carry: the row's other columns, used as resolve's clues.
QUERY_PROPERTIES = (
    Property("oblast", "oblast", "the row's oblast: a name in any spelling, a KATOTTG code or ISO 3166-2"),
    Property("raion", "raion", "the row's raion, today's or one of before 2020: a name in any spelling or an ID"),
    Property("hromada", "hromada", "the row's hromada: a name in any spelling or a KATOTTG code"),
    Property("lat", "latitude", "the row's latitude in degrees (with lon)"),
    Property("lon", "longitude", "the row's longitude in degrees (with lat)"),
    Property("coordinates", "coordinates", "the row's point as 'lat,lon' in degrees"),
)
_QUERY_PROPERTY_IDS = {p.id for p in QUERY_PROPERTIES}


@dataclass(frozen=True, slots=True)
class Query:
    """One reconciliation query, parsed: equal queries are resolved once per batch."""

    text: str
    kinds: tuple[str, ...] | None
    limit: int
    clues: Clues


# -- types -------------------------------------------------------------------------------


def type_name(type_id: str) -> str:
    """A type's name for people ('former-raion' -> 'former raion')."""
    return BROADER_NAMES.get(type_id) or ("place abroad" if type_id == "foreign" else type_id.replace("-", " "))


def type_ref(type_id: str) -> dict[str, str]:
    """{"id", "name"} of a type."""
    return {"id": type_id, "name": type_name(type_id)}


def broader_types() -> tuple[str, ...]:
    """The broader types some kind of KINDS has, in KINDS order."""
    return tuple(dict.fromkeys(BROADER[k] for k in KINDS if k in BROADER))


def all_types() -> list[dict[str, Any]]:
    """Every type: the kinds (with `broader`) and the broader types."""
    types = []
    for kind in KINDS:
        entry: dict[str, Any] = type_ref(kind)
        if kind in BROADER:
            entry["broader"] = [type_ref(BROADER[kind])]
        types.append(entry)
    return types + [type_ref(t) for t in broader_types()]


def candidate_types(kind: str) -> list[dict[str, str]]:
    """The types of an entity of KIND: the kind and its broader type."""
    return [type_ref(kind)] + ([type_ref(BROADER[kind])] if kind in BROADER else [])


def kinds_of(value: Any, where: str) -> tuple[str, ...] | None:
    """The kinds a query's `type` (an ID or a list of IDs) admits, in KINDS order; None for any kind."""
    if value is None or value == "" or value == []:
        return None
    ids = [value] if isinstance(value, str) else value
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise RequestError(f"{where}: type must be a type ID or a list of type IDs")
    wanted: set[str] = set()
    for type_id in (i.strip() for i in ids):
        if type_id in KINDS:
            wanted.add(type_id)
        elif type_id in broader_types():
            wanted.update(k for k in KINDS if BROADER.get(k) == type_id)
        elif type_id:
            known = ", ".join((*KINDS, *broader_types()))
            raise RequestError(f"{where}: unknown type {shorten(type_id, 40)!r}; types are {known}")
    return tuple(k for k in KINDS if k in wanted) or None


# -- the manifest --------------------------------------------------------------------------


def manifest(base: str) -> dict[str, Any]:
    """The service manifest, its URLs under BASE (scheme://host:port, no trailing slash)."""
    return {
        "versions": ["0.2"],
        "name": SERVICE_NAME,
        "identifierSpace": IDENTIFIER_SPACE,
        "schemaSpace": SCHEMA_SPACE,
        "serviceVersion": __version__,
        "documentation": base + "/",
        "defaultTypes": [type_ref(t) for t in DEFAULT_TYPES if t in KINDS or t in broader_types()],
        "view": {"url": base + "/entity/{{id}}"},
        "preview": {"url": base + "/preview/{{id}}", "width": PREVIEW_WIDTH, "height": PREVIEW_HEIGHT},
        "suggest": {
            "entity": {"service_url": base, "service_path": "/suggest/entity",
                       "flyout_service_path": "/flyout/${id}"},
            "type": {"service_url": base, "service_path": "/suggest/type"},
            "property": {"service_url": base, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": base, "service_path": "/extend/propose"},
            "property_settings": [],
        },
        "batchSize": BATCH_SIZE,
    }


# -- queries -------------------------------------------------------------------------------


def load_json(text: str, field: str) -> Any:
    """The JSON in a form field; RequestError (400) with the parser's one-line reason if it is not JSON."""
    try:
        return json.loads(text)
    except RecursionError:
        raise RequestError(f"{field} is not valid JSON here: nested too deeply") from None
    except ValueError as exc:
        raise RequestError(f"{field} is not valid JSON: {exc}") from None


def parse_batch(text: str) -> dict[str, Query]:
    """A query batch (the `queries` field) as parsed queries by key; 400 or 413 when it cannot be answered."""
    data = load_json(text, "queries")
    if not isinstance(data, dict):
        raise RequestError(f"queries must be a JSON object of queries by key, not {_json_type(data)}")
    if len(data) > BATCH_SIZE:
        raise PayloadTooLargeError(f"{len(data):,} queries in one batch; the limit is {BATCH_SIZE:,} "
                                   "(batchSize in the manifest)")
    return {key: parse_query(value, f"query {shorten(key, 40)!r}") for key, value in data.items()}


def parse_query(data: Any, where: str) -> Query:
    """One query object (query, type, limit, properties, type_strict) as a Query."""
    if not isinstance(data, dict):
        raise RequestError(f"{where} must be an object, not {_json_type(data)}")
    text = data.get("query", "")
    if not isinstance(text, str):
        raise RequestError(f"{where}: 'query' must be a string, not {_json_type(text)}")
    _check_length(text, where, "query")
    if data.get("type_strict", "any") not in ("any", "should", "all"):
        raise RequestError(f"{where}: type_strict must be 'any', 'should' or 'all'")
    properties = data.get("properties") or []
    if not isinstance(properties, list):
        raise RequestError(f"{where}: properties must be a list of {{pid, v}} objects")
    return Query(text, kinds_of(data.get("type"), where), parse_limit(data.get("limit"), where),
                 clues_from(properties, where))


def parse_limit(value: Any, where: str) -> int:
    """A query's limit: at most MAX_LIMIT; absent or 0 (OpenRefine's 'no limit') means DEFAULT_LIMIT."""
    if value is None:
        return DEFAULT_LIMIT
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or (isinstance(value, float) and not math.isfinite(value)) or value != int(value):
        raise RequestError(f"{where}: limit must be a whole number, not {shorten(json.dumps(value), 40)}")
    return DEFAULT_LIMIT if value <= 0 else min(int(value), MAX_LIMIT)


def whole_number(value: str | None, name: str) -> int | None:
    """A URL parameter that must be a whole number (None when absent or blank); 400 otherwise."""
    if value is None or not value.strip():
        return None
    if not _WHOLE_NUMBER.fullmatch(value.strip()):
        raise RequestError(f"{name} must be a whole number, not {shorten(value, 40)!r}")
    return int(value)


def clues_from(properties: list[Any], where: str) -> Clues:
    """The clues in a query's properties ({pid, v} objects); an unknown pid is a 400."""
    values: dict[str, str] = {}
    for item in properties:
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
            raise RequestError(f"{where}: each property must be an object with a string 'pid' and a 'v'")
        pid = item["pid"].strip().lower()
        if pid not in _QUERY_PROPERTY_IDS:
            known = ", ".join(p.id for p in QUERY_PROPERTIES)
            raise RequestError(f"{where}: unknown property {shorten(item['pid'], 40)!r}; properties are {known}")
        value = _property_text(item["v"], f"{where}, property {pid}")
        if value and pid not in values:
            values[pid] = value
    near, problems = clue_module.point_from(values)
    return Clues(oblast=values.get("oblast"), raion=values.get("raion"), hromada=values.get("hromada"),
                 near=near, problems=problems)


def _property_text(value: Any, where: str) -> str | None:
    """A property value as text: a string, a number, an entity's ID; the first non-blank of a list."""
    if isinstance(value, list):
        for item in value:
            text = _property_text(item, where)
            if text:
                return text
        return None
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        value = value["id"]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RequestError(f"{where}: a value must be text, a number or an entity {{id, name}}, "
                           f"not {_json_type(value)}")
    text = str(value).strip()
    _check_length(text, where, "value")
    return text or None


def _check_length(text: str, where: str, what: str) -> None:
    if len(text) > MAX_QUERY_CHARS:
        raise RequestError(f"{where}: the {what} is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS}")


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


# -- answering -----------------------------------------------------------------------------


def resolve(service: Service, query: Query) -> Resolved:
    """Resolve one parsed query with every clue its properties gave."""
    return clue_module.resolve(service.normalizer, query.text, query.clues, kind=query.kinds, limit=query.limit)


def reconcile(service: Service, queries: dict[str, Query]) -> dict[str, dict[str, Any]]:
    """The result batch: each distinct query resolved once, results by the batch's keys."""
    answers = {query: candidates(service, resolve(service, query)) for query in dict.fromkeys(queries.values())}
    return {key: {"result": answers[query]} for key, query in queries.items()}


def candidates(service: Service, resolved: Resolved) -> list[dict[str, Any]]:
    """A result's candidates as the protocol shows them, best first.

    `match` is true for the best candidate of a `matched` result only. Such a candidate is
    shown with at least the score of any other (a prior, such as a city over villages of the
    same name, may have decided for it), so that a client ordering by score keeps it first.
    """
    result = resolved.result
    entries = [candidate_entry(service, c) for c in result.candidates]
    if result.status == MATCHED and entries and result.best is not None:
        entries[0]["match"] = True
        entries[0]["score"] = max(entry["score"] for entry in entries)
    return entries


def candidate_entry(service: Service, candidate: Candidate) -> dict[str, Any]:
    """{"id", "name", "description", "score", "match", "type"} of one candidate (match false)."""
    return {
        "id": candidate.id,
        "name": candidate.name,
        "description": service.catalog.place(candidate.id).description,
        "score": round(candidate.score * 100, 1),
        "match": False,
        "type": candidate_types(candidate.kind),
    }
