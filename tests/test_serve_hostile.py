"""Hostile input to `uanorm serve`: whatever the request holds, the answer is JSON or a one-line 4xx, never a 500.

The protocol functions are fed arbitrary JSON (NaN, huge numbers, lone surrogates, deep
nesting, wrong types everywhere) with the real matcher behind them; a few hundred raw bodies
and paths go through the HTTP server too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("starlette")

from normalizer.serve import extend, lookup, protocol, suggest
from normalizer.serve.app import json_response
from normalizer.serve.errors import RequestError
from normalizer.serve.service import Service

from . import test_serve as served
from .hypothesis_profiles import ANY_CHAR, HOSTILE, hostile_text, scaled

base_url, client = served.base_url, served.client  # the service's fixtures

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=10**30),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(ANY_CHAR, max_size=12), hostile_text)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(ANY_CHAR, max_size=6), inner, max_size=4)), max_leaves=16)
pids = st.one_of(st.sampled_from(["oblast", "raion", "hromada", "lat", "lon", "coordinates", "OBLAST ", "x"]),
                 json_values)
properties = st.lists(st.one_of(st.fixed_dictionaries({"pid": pids, "v": json_values}), json_values), max_size=4)
types = st.one_of(st.sampled_from(["city", "populated-place", "planet", "", ["village", "person"]]), json_values)
queries = st.one_of(st.fixed_dictionaries({}, optional={
    "query": st.one_of(hostile_text, json_values), "type": types, "limit": st.one_of(st.integers(), json_values),
    "properties": st.one_of(properties, json_values), "type_strict": st.one_of(st.just("any"), json_values),
}), json_values)


@pytest.fixture(scope="module")
def service(normalizer) -> Service:
    """A service on the session's normalizer."""
    return Service.over(normalizer)


#: Answers are checked against the specification's schemas too, where they are at hand.
SCHEMAS_AT_HAND = (served.SCHEMAS / "manifest.json").exists()


def answered(work: Any, schema: str | None = None) -> None:
    """WORK() either raises RequestError (a 4xx with one line) or gives a payload that serializes (and validates)."""
    try:
        payload = work()
    except RequestError as exc:
        assert 400 <= exc.status < 500 and "\n" not in str(exc)
        json_response({"error": str(exc)})
        return
    json_response(payload)
    if schema and SCHEMAS_AT_HAND:
        served.valid(schema, payload)


@HOSTILE
@given(batch=st.dictionaries(st.text(ANY_CHAR, max_size=8), queries, max_size=3))
def test_any_query_batch_is_answered_or_refused(service: Service, batch: dict[str, Any]) -> None:
    text = json.dumps(batch, allow_nan=True)
    answered(lambda: protocol.reconcile(service, protocol.parse_batch(text)), "reconciliation-result-batch")


@HOSTILE
@given(text=st.one_of(st.text(ANY_CHAR, max_size=40), json_values.map(lambda v: json.dumps(v, allow_nan=True))))
def test_any_text_as_queries_or_extend_is_answered_or_refused(service: Service, text: str) -> None:
    answered(lambda: protocol.reconcile(service, protocol.parse_batch(text)))
    answered(lambda: extend.extend(service, *extend.parse(text)))


@HOSTILE
@given(ids=st.lists(st.one_of(st.sampled_from([served.LYSYCHANSK, "person:serhii-haidai", "UA80000000000093317"]),
                              json_values), max_size=4),
       wanted=st.lists(st.one_of(st.fixed_dictionaries({"id": st.one_of(st.sampled_from(
           [p.id for p in extend.PROPERTIES]), json_values)}), json_values), max_size=4))
def test_any_extension_query_is_answered_or_refused(service: Service, ids: list[Any], wanted: list[Any]) -> None:
    text = json.dumps({"ids": ids, "properties": wanted}, allow_nan=True)
    answered(lambda: extend.extend(service, *extend.parse(text)), "data-extension-response")


url_values = st.one_of(st.none(), hostile_text, st.text(ANY_CHAR, max_size=10), st.sampled_from(["-1", "5", "99999"]))


@HOSTILE
@given(params=st.dictionaries(st.sampled_from(["prefix", "cursor", "limit", "q", "type", "oblast", "raion",
                                                "coordinates", "lat", "lon"]), url_values))
def test_any_suggest_or_lookup_parameters_are_answered_or_refused(service: Service, params: dict[str, Any]) -> None:
    params = {key: value for key, value in params.items() if value is not None}

    def suggested() -> Any:
        prefix, cursor, limit = suggest.parse(params)
        return suggest.entities(service, prefix, types=[params["type"]] if "type" in params else None,
                                cursor=cursor, limit=limit)

    answered(suggested, "suggest-entities-response")
    answered(lambda: lookup.lookup(service, params))
    answered(lambda: extend.propose(params.get("type"), params.get("limit")))


@scaled(40)
@given(body=st.one_of(st.binary(max_size=200), st.text(ANY_CHAR, max_size=60).map(
    lambda t: ("queries=" + t).encode("utf-8", "surrogatepass"))),
       media_type=st.sampled_from(["application/x-www-form-urlencoded", "", "text/plain", "application/json"]))
def test_any_body_gets_json_or_a_4xx_over_http(client, body: bytes, media_type: str) -> None:
    response = client.post("/reconcile", content=body, headers={"content-type": media_type} if media_type else {})
    assert response.status_code < 500, response.text
    assert response.status_code == 200 or "\n" not in response.json()["error"]


@scaled(40)
@given(path=st.text(ANY_CHAR, min_size=1, max_size=30))
def test_any_entity_path_gets_a_page_or_a_404(client, path: str) -> None:
    from urllib.parse import quote

    encoded = quote(path.encode("utf-8", "surrogatepass"), safe="")
    for prefix in ("/entity/", "/preview/", "/flyout/", "/static/"):
        response = client.get(prefix + encoded, follow_redirects=True)  # "a%2F" is "a/": redirected to "a"
        assert response.status_code in (200, 404), (prefix, path, response.status_code, response.text[:200])
