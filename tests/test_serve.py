"""`uanorm serve`: the Reconciliation Service API 0.2 over real HTTP (uvicorn on 127.0.0.1, a free port).

Every answer is validated against the specification's own JSON Schemas, read from
../shared/sources/reconciliation-0.2/ (or $UANORM_RECONCILIATION_SCHEMAS); those checks skip
when the schemas are absent. The module skips when the serve extra is not installed.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from normalizer.serve import protocol
from normalizer.serve.app import create_app
from normalizer.serve.service import Service

SCHEMAS = Path(os.environ.get("UANORM_RECONCILIATION_SCHEMAS")
               or REPO.parent / "shared" / "sources" / "reconciliation-0.2")
LYSYCHANSK = "UA44120050010021900"
BAKHMUT = "UA14020010010059145"
KHARKIV_OBLAST = "UA63000000000041885"
VOLOVODIVKA = "UA05020050020044192"  # two KOATUU codes: renumbered in 2020


# -- fixtures: a server in a thread, a client, the schemas ---------------------------------


def free_socket() -> socket.socket:
    """A listening-ready socket bound to 127.0.0.1 on a free port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def serve_in_thread(app: Any) -> Iterator[str]:
    """Run APP with uvicorn in a daemon thread; yields its base URL; stops it afterwards."""
    sock = free_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="module")
def base_url(normalizer) -> Iterator[str]:
    """The base URL of a service on the session's normalizer."""
    yield from serve_in_thread(create_app(Service.over(normalizer)))


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    """An HTTP client for the service."""
    with httpx.Client(base_url=base_url, timeout=60) as http:
        yield http


def schema_validator(name: str):
    """A validator for one of the specification's schemas (with the others registered for $ref)."""
    if not (SCHEMAS / f"{name}.json").exists():
        pytest.skip(f"the Reconciliation API schemas are not in {SCHEMAS}")
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    from referencing.jsonschema import DRAFT7

    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"].rstrip("#"), DRAFT7.create_resource(contents)))
    registry = referencing.Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, registry=registry)


def valid(name: str, document: Any) -> Any:
    """DOCUMENT, after checking it against schema NAME (all errors listed on failure)."""
    validator = schema_validator(name)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == [], errors[:5]
    return document


def reconcile(client: httpx.Client, queries: dict[str, Any]) -> dict[str, Any]:
    """POST a query batch (checked against the query schema) and return the validated result batch."""
    valid("reconciliation-query-batch", queries)
    response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert response.status_code == 200, response.text
    return valid("reconciliation-result-batch", response.json())


# -- the manifest --------------------------------------------------------------------------


def test_manifest_validates_and_announces_every_service(client: httpx.Client, base_url: str) -> None:
    manifest = valid("manifest", client.get("/reconcile").json())
    assert manifest["versions"] == ["0.2"]
    assert manifest["view"]["url"] == base_url + "/entity/{{id}}"
    assert manifest["preview"]["url"] == base_url + "/preview/{{id}}"
    assert manifest["suggest"]["entity"]["flyout_service_path"] == "/flyout/${id}"
    assert {"entity", "type", "property"} <= set(manifest["suggest"])
    assert manifest["extend"]["propose_properties"]["service_path"] == "/extend/propose"
    assert manifest["batchSize"] == protocol.BATCH_SIZE
    assert [t["id"] for t in manifest["defaultTypes"]][:2] == ["populated-place", "admin-unit"]


def test_manifest_by_jsonp(client: httpx.Client) -> None:
    response = client.get("/reconcile", params={"callback": "jQuery123_456"})
    assert response.headers["content-type"].startswith("text/javascript")
    text = response.text
    assert text.startswith("/**/jQuery123_456(") and text.endswith(");")
    valid("manifest", json.loads(text[len("/**/jQuery123_456("):-2]))


def test_types_are_the_kinds_with_broader_types(client: httpx.Client) -> None:
    from gazetteer import KINDS

    types = valid("suggest-types-response", client.get("/suggest/type", params={"prefix": "", "limit": 100}).json())
    by_id = {t["id"]: t for t in types["result"]}
    assert set(KINDS) <= set(by_id)
    assert by_id["village"]["broader"] == [{"id": "populated-place", "name": by_id["populated-place"]["name"]}]
    assert by_id["raion"]["broader"][0]["id"] == "admin-unit"
    assert by_id["former-raion"] == {"id": "former-raion", "name": "former raion",
                                     "broader": [{"id": "admin-unit", "name": "administrative unit"}]}
    assert by_id["country"]["broader"][0]["id"] == "admin-unit"
    assert by_id["former-settlement"]["broader"][0]["id"] == "populated-place"


# -- queries and results -------------------------------------------------------------------

CASES = [
    ("Lisichansk", {}),
    ("Іванівка", {}),
    ("Іванівка", {"oblast": "Kharkiv oblast"}),
    ("Artemovsk", {}),
    ("Haidai", {}),
    ("Belgorod", {}),
    ("Kharkiv", {"kind": "oblast"}),
    ("qzxqzx", {}),
    (LYSYCHANSK, {}),  # an entity's ID as the query
]


def test_match_is_true_exactly_when_resolve_says_matched(client: httpx.Client, normalizer) -> None:
    queries = {}
    for i, (text, hints) in enumerate(CASES):
        query: dict[str, Any] = {"query": text}
        if "oblast" in hints:
            query["properties"] = [{"pid": "oblast", "v": hints["oblast"]}]
        if "kind" in hints:
            query["type"] = hints["kind"]
        queries[f"q{i}"] = query
    results = reconcile(client, queries)
    statuses = set()
    for i, (text, hints) in enumerate(CASES):
        expected = normalizer.resolve(text, **hints)
        statuses.add(expected.status)
        result = results[f"q{i}"]["result"]
        assert [c["id"] for c in result] == [c.id for c in expected.candidates]
        assert [c["match"] for c in result] == [expected.status == "matched" and n == 0 for n in range(len(result))]
        for candidate, original in zip(result, expected.candidates):
            assert 0 <= candidate["score"] <= 100
            assert candidate["type"][0] == {"id": original.kind, "name": protocol.type_name(original.kind)}
            assert candidate["description"]
        if expected.status == "matched":
            assert result[0]["score"] == max(c["score"] for c in result)  # first once a client sorts by score
    assert statuses == {"matched", "ambiguous", "unmatched"}


def test_description_names_kind_hromada_raion_oblast_population(client: httpx.Client) -> None:
    best = reconcile(client, {"q": {"query": "Lisichansk"}})["q"]["result"][0]
    assert best["id"] == LYSYCHANSK and best["name"] == "Lysychansk"
    assert best["description"] == ("Лисичанськ \u2014 city in Lysychanska hromada, Siverskodonetskyi raion, "
                                   "Luhanska oblast; population 93,340")


def test_descriptions_tell_namesakes_apart(client: httpx.Client) -> None:
    result = reconcile(client, {"q": {"query": "Іванівка", "limit": 25,
                                      "properties": [{"pid": "oblast", "v": "Kharkiv oblast"}]}})["q"]["result"]
    descriptions = [c["description"] for c in result]
    assert len(result) == 25 and len(set(descriptions)) == len(descriptions)
    by_id = dict(zip((c["id"] for c in result), descriptions))
    assert by_id["UA63040030210094400"] == ("Іванівка \u2014 village in Barvinkivska hromada (24 km W of Barvinkove), "
                                            "Iziumskyi raion, Kharkivska oblast")  # a namesake in the same hromada


@pytest.mark.parametrize("value", ["Kharkiv oblast", "Харківська обл.", KHARKIV_OBLAST, "UA-63",
                                   {"id": KHARKIV_OBLAST, "name": "Kharkivska oblast"}, ["", "Kharkiv"]])
def test_oblast_property_decides_as_resolve_does(client: httpx.Client, normalizer, value: Any) -> None:
    query = {"query": "Іванівка", "properties": [{"pid": "oblast", "v": value}]}
    result = reconcile(client, {"q": query})["q"]["result"]
    text = value["id"] if isinstance(value, dict) else value[-1] if isinstance(value, list) else value
    expected = normalizer.resolve("Іванівка", oblast=text)
    assert [c["id"] for c in result] == [c.id for c in expected.candidates]
    assert all("Kharkivska oblast" in c["description"] for c in result)


ZOLOCHIV_KHARKIV, ZOLOCHIV_LVIV = "UA63020050010064235", "UA46040070010068975"
#: Real queries with the row's other columns, the clues resolve takes for them, and what they must decide.
WITH_PROPERTIES = [
    ("Іванівка", {"oblast": "Kharkiv oblast", "raion": "Богодухівський район"}, {}, "UA63020010200017280"),
    ("Іванівка", {"raion": "Вовчанський район"}, {}, "UA63140010320082855"),  # a raion of before 2020
    ("Іванівка", {"raion": {"id": "koatuu:6321600000", "name": "Vovchanskyi raion"}}, {"raion": "koatuu:6321600000"},
     "UA63140010320082855"),  # the same, from a raion column reconciled against this service
    ("Іванівка", {"oblast": "Харківська", "raion": "Chuhuivskyi"}, {}, None),  # still several in that raion
    ("Іванівка", {"hromada": "Vovchanska hromada"}, {}, "UA63140010320082855"),
    ("Іванівка", {"oblast": KHARKIV_OBLAST, "raion": {"id": "UA63100000000059237", "name": "Lozivskyi raion"}},
     {"raion": "UA63100000000059237"}, "UA63100050310020822"),  # a column OpenRefine reconciled
    ("Іванівка", {"raion": "Нісенітницький район"}, {}, None),  # names nothing: the explanation says so
    ("Zolochiv", {}, {}, None),
    ("Zolochiv", {"lat": "50.28", "lon": 35.95}, {"near": (50.28, 35.95)}, ZOLOCHIV_KHARKIV),
    ("Zolochiv", {"coordinates": "49.80, 24.90"}, {"near": (49.8, 24.9)}, ZOLOCHIV_LVIV),
    ("Zolochiv", {"oblast": "Lviv oblast", "coordinates": "50.28,35.95"}, {"near": (50.28, 35.95)},
     ZOLOCHIV_LVIV),  # the clues disagree: resolve goes by the oblast, and so does the service
]


def test_properties_decide_exactly_as_resolve_with_the_same_clues(client: httpx.Client, normalizer) -> None:
    queries = {f"q{i}": {"query": text, "properties": [{"pid": pid, "v": v} for pid, v in given.items()]}
               for i, (text, given, _, _) in enumerate(WITH_PROPERTIES)}
    results = reconcile(client, queries)
    for i, (text, given, keywords, decided) in enumerate(WITH_PROPERTIES):
        clues = {k: v for k, v in given.items() if k in ("oblast", "raion", "hromada")} | keywords
        expected = normalizer.resolve(text, **clues)
        result = results[f"q{i}"]["result"]
        matched = [c["id"] for c in result if c["match"]]
        assert matched == ([expected.best.id] if expected.status == "matched" else []), (text, given)
        assert [c["id"] for c in result] == [c.id for c in expected.candidates], (text, given)
        assert (expected.id, matched[:1]) == (decided, [decided] if decided else []), (text, given, expected)
        lookup = client.get("/api/lookup", params={"q": text, **{k: v["id"] if isinstance(v, dict) else v
                                                                   for k, v in given.items()}}).json()
        assert (lookup["status"], lookup["method"], lookup["explanation"]) == \
            (expected.status, expected.method, expected.explanation)
        if "Нісенітницький" in str(given):
            assert "raion hint 'Нісенітницький район' not recognized, ignored" in lookup["explanation"]


def test_get_post_and_jsonp_give_the_same_results(client: httpx.Client) -> None:
    queries = json.dumps({"a": {"query": "Kharkov"}, "b": {"query": "Одеса", "limit": 2}})
    posted = client.post("/reconcile", data={"queries": queries}).json()
    got = client.get("/reconcile", params={"queries": queries}).json()
    wrapped = client.get("/reconcile", params={"queries": queries, "callback": "cb"}).text
    assert posted == got == json.loads(wrapped[len("/**/cb("):-2])
    assert posted["a"]["result"][0]["name"] == "Kharkiv" and len(posted["b"]["result"]) <= 2


def test_types_restrict_candidates(client: httpx.Client) -> None:
    results = reconcile(client, {"all": {"query": "Kharkiv"}, "oblast": {"query": "Kharkiv", "type": "oblast"},
                                 "places": {"query": "Kharkiv", "type": ["populated-place"]}})
    assert results["oblast"]["result"][0]["id"] == KHARKIV_OBLAST
    assert {c["type"][1]["id"] for c in results["places"]["result"]} == {"populated-place"}


def test_a_query_without_text_has_no_candidates(client: httpx.Client) -> None:
    results = reconcile(client, {"q": {"properties": [{"pid": "oblast", "v": "Kharkiv"}]}})
    assert results == {"q": {"result": []}}


def test_identical_queries_in_a_batch_are_resolved_once(normalizer) -> None:
    calls: list[str] = []

    class Counting:
        gazetteer = normalizer.gazetteer

        def resolve(self, text: str, **clues: Any):
            calls.append(text)
            return normalizer.resolve(text, **clues)

    names = ["Kyiv", "Lviv", "Odesa", "Kharkiv", "Dnipro"]
    batch = json.dumps({f"q{i}": {"query": names[i % 5], "properties": [{"pid": "oblast", "v": ""}]}
                        for i in range(1000)})
    results = protocol.reconcile(Service.over(Counting()), protocol.parse_batch(batch))  # type: ignore[arg-type]
    assert len(results) == 1000 and sorted(calls) == sorted(names)
    assert results["q7"] == results["q2"]


def test_a_batch_of_1000_distinct_queries_comes_back_whole(client: httpx.Client) -> None:
    import csv

    with open(REPO / "seeds" / "events_demo.csv", encoding="utf-8", newline="") as handle:
        rows = list(dict.fromkeys((r["location"], r["oblast"]) for r in csv.DictReader(handle)))[:1000]
    queries = {f"r{i}": {"query": place, **({"properties": [{"pid": "oblast", "v": oblast}]} if oblast else {})}
               for i, (place, oblast) in enumerate(rows)}
    started = time.perf_counter()
    results = reconcile(client, queries)
    assert set(results) == set(queries)
    assert time.perf_counter() - started < 60  # benchmarks/serve_speed.py measures it properly
    assert sum(any(c["match"] for c in r["result"]) for r in results.values()) > len(queries) / 2


# -- suggest, flyout -----------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["Lisichansk", "Лисичанськ", "Lysychan", LYSYCHANSK])
def test_suggest_entity_finds_any_spelling_and_prefix(client: httpx.Client, prefix: str) -> None:
    answer = valid("suggest-entities-response", client.get("/suggest/entity", params={"prefix": prefix}).json())
    ids = [item["id"] for item in answer["result"]]
    assert LYSYCHANSK in ids[:3]
    item = answer["result"][ids.index(LYSYCHANSK)]
    assert item["name"] == "Lysychansk" and "Luhanska oblast" in item["description"]
    assert item["notable"][0]["id"] == "city"


def test_suggest_entity_type_cursor_and_limit(client: httpx.Client) -> None:
    first = client.get("/suggest/entity", params={"prefix": "Іванівка", "type": "village", "limit": 5}).json()
    after = client.get("/suggest/entity", params={"prefix": "Іванівка", "type": "village", "limit": 5,
                                                  "cursor": 5}).json()
    assert len(first["result"]) == 5 and len(after["result"]) == 5
    assert not {i["id"] for i in first["result"]} & {i["id"] for i in after["result"]}
    assert {i["notable"][0]["id"] for i in first["result"] + after["result"]} == {"village"}


def test_suggest_property_lists_clues_and_extension_properties(client: httpx.Client) -> None:
    answer = valid("suggest-properties-response", client.get("/suggest/property", params={"prefix": "ob"}).json())
    assert [p["id"] for p in answer["result"]] == ["oblast"]
    every = client.get("/suggest/property", params={"prefix": "", "limit": 100}).json()["result"]
    assert {"raion", "hromada", "lat", "lon", "coordinates", "katottg", "koatuu", "pcode", "former_names"} <= \
        {p["id"] for p in every}


def test_flyout_is_small_escaped_html(client: httpx.Client) -> None:
    answer = client.get(f"/flyout/{BAKHMUT}").json()
    assert answer["id"] == BAKHMUT
    assert "<strong>Bakhmut / Бахмут</strong>" in answer["html"] and "P-code UA1402001001" in answer["html"]
    assert "<a " not in answer["html"] and "<script" not in answer["html"]


# -- data extension ------------------------------------------------------------------------


def test_propose_properties_by_type(client: httpx.Client) -> None:
    city = valid("data-extension-property-proposal", client.get("/extend/propose", params={"type": "city"}).json())
    assert city["type"] == "city"
    assert {"katottg", "koatuu", "pcode", "oblast", "raion", "hromada", "former_raion", "lat", "lon", "population",
            "name_uk", "former_names"} <= {p["id"] for p in city["properties"]}
    assert "successor" not in {p["id"] for p in city["properties"]}
    former = {p["id"] for p in client.get("/extend/propose", params={"type": "former-raion"}).json()["properties"]}
    assert {"koatuu", "oblast", "successor", "lat", "lon"} <= former and not {"katottg", "raion"} & former
    person = client.get("/extend/propose", params={"type": "person"}).json()["properties"]
    assert "raion" not in {p["id"] for p in person} and "name_uk" in {p["id"] for p in person}
    assert len(client.get("/extend/propose", params={"limit": 3}).json()["properties"]) == 3


def test_extend_gives_codes_hierarchy_coordinates_names(client: httpx.Client) -> None:
    properties = ["katottg", "koatuu", "pcode", "oblast", "raion", "hromada", "former_raion", "successor", "lat",
                  "lon", "coordinates", "population", "name_uk", "name_latin", "name_ru", "former_names"]
    ids = [LYSYCHANSK, BAKHMUT, "person:serhii-haidai", "koatuu:1410300000", VOLOVODIVKA]
    query = {"ids": ids, "properties": [{"id": p} for p in properties]}
    valid("data-extension-query", query)
    answer = client.post("/reconcile", data={"extend": json.dumps(query)})
    data = valid("data-extension-response", answer.json())
    assert [m["id"] for m in data["meta"]] == properties
    types = {m["id"]: m["type"]["id"] for m in data["meta"] if "type" in m}
    assert types == {"oblast": "oblast", "raion": "raion", "hromada": "hromada", "former_raion": "former-raion",
                     "successor": "admin-unit"}
    row = data["rows"][LYSYCHANSK]
    assert row["katottg"] == [{"str": LYSYCHANSK}] and row["pcode"] == [{"str": "UA4412005001"}]
    assert row["koatuu"] == [{"str": "4411800000"}]
    assert row["raion"] == [{"id": "UA44120000000092852", "name": "Siverskodonetskyi raion"}]
    assert row["hromada"][0]["name"] == "Lysychanska hromada" and row["oblast"][0]["name"] == "Luhanska oblast"
    assert row["former_raion"] == [{"id": "koatuu:4411800000", "name": "Lysychansk (miska rada)"}]
    assert row["lat"] == [{"float": 48.90468}] and row["lon"] == [{"float": 38.4429}]  # OCHA's point
    assert row["coordinates"] == [{"str": "48.90468,38.4429"}] and row["successor"] == []
    assert row["population"] == [{"int": 93340}] and row["name_uk"] == [{"str": "Лисичанськ"}]
    assert data["rows"][BAKHMUT]["former_names"] == [{"str": "Артемівськ / Artemivsk (1924\u20132016)"}]
    assert data["rows"][VOLOVODIVKA]["koatuu"] == [{"str": "0523084004"}, {"str": "0523081001"}]  # every code
    council = data["rows"]["koatuu:1410300000"]
    assert council["successor"] == [{"id": "UA14020000000013572", "name": "Bakhmutskyi raion"}]
    assert council["koatuu"] == [{"str": "1410300000"}] and council["katottg"] == council["pcode"] == []
    assert council["oblast"][0]["name"] == "Donetska oblast"
    person = data["rows"]["person:serhii-haidai"]
    assert person["raion"] == [] and person["katottg"] == [] and person["name_uk"] == [{"str": "Сергій Гайдай"}]
    assert client.get("/reconcile", params={"extend": json.dumps(query)}).json() == data


# -- bad input: a one-line 4xx, never a 500, and the server keeps serving -----------------

LONG = "x" * (protocol.MAX_QUERY_CHARS + 1)
BAD = [
    ("POST", "/reconcile", {"queries": "{not json"}, 400, "not valid JSON"),
    ("POST", "/reconcile", {"queries": "[1, 2]"}, 400, "must be a JSON object"),
    ("POST", "/reconcile", {"queries": '"Kyiv"'}, 400, "must be a JSON object"),
    ("POST", "/reconcile", {"queries": '{"q": "Kyiv"}'}, 400, "must be an object"),
    ("POST", "/reconcile", {"queries": '{"q": {"query": 5}}'}, 400, "'query' must be a string"),
    ("POST", "/reconcile", {"queries": json.dumps({"q": {"query": LONG}})}, 400, "characters long"),
    ("POST", "/reconcile", {"queries": json.dumps({f"q{i}": {"query": "Kyiv"} for i in range(1001)})}, 413,
     "the limit is 1,000"),
    ("POST", "/reconcile", {"queries": json.dumps({"q": {"query": "Kyiv", "type": "planet"}})}, 400,
     "unknown type 'planet'"),
    ("POST", "/reconcile",
     {"queries": json.dumps({"q": {"query": "Kyiv", "properties": [{"pid": "mayor", "v": "x"}]}})},
     400, "unknown property 'mayor'"),
    ("POST", "/reconcile", {"queries": json.dumps({"q": {"query": "Kyiv", "properties": [{"pid": "oblast"}]}})},
     400, "'pid' and a 'v'"),
    ("POST", "/reconcile", {"queries": json.dumps({"q": {"query": "Kyiv", "properties": [{"pid": "oblast",
                                                                                          "v": True}]}})},
     400, "not true/false"),
    ("POST", "/reconcile", {"queries": json.dumps({"q": {"query": "Kyiv", "limit": "ten"}})}, 400, "limit"),
    ("POST", "/reconcile", {"queries": "[" * 100_000}, 400, "JSON"),
    ("POST", "/reconcile", {"nothing": "here"}, 400, "needs a form field 'queries'"),
    ("POST", "/reconcile", {"extend": '{"ids": "UA"}'}, 400, "list of 'ids'"),
    ("POST", "/reconcile", {"extend": json.dumps({"ids": ["UA00000000000000000"], "properties": [{"id": "raion"}]})},
     404, "unknown entity ID"),
    ("POST", "/reconcile", {"extend": json.dumps({"ids": [LYSYCHANSK], "properties": [{"id": "mayor"}]})}, 400,
     "unknown property 'mayor'"),
    ("GET", "/reconcile", {"callback": "alert(document.cookie)"}, 400, "callback"),
    ("GET", "/entity/UA00000000000000000", None, 404, "unknown entity ID"),
    ("GET", "/preview/nothing:here", None, 404, "unknown entity ID"),
    ("GET", "/flyout/UA1", None, 404, "unknown entity ID"),
    ("GET", "/suggest/entity", None, 400, "prefix is required"),
    ("GET", "/suggest/entity", {"prefix": LONG}, 400, "characters long"),
    ("GET", "/suggest/entity", {"prefix": "Kyiv", "type": "planet"}, 400, "unknown type"),
    ("GET", "/suggest/type", {"prefix": "", "cursor": "-1"}, 400, "cursor"),
    ("GET", "/extend/propose", {"type": "planet"}, 400, "unknown type"),
    ("GET", "/api/lookup", {"q": LONG}, 400, "characters long"),
    ("GET", "/static/../../etc/passwd", None, 404, ""),
    ("GET", "/static/secret.py", None, 404, "no static file"),
    ("GET", "/no/such/path", None, 404, "no such path"),
    ("PUT", "/reconcile", None, 405, "not allowed"),
    ("DELETE", "/entity/" + LYSYCHANSK, None, 405, "not allowed"),
]


@pytest.mark.parametrize(("method", "path", "fields", "status", "message"), BAD,
                         ids=[f"{i}-{case[0]}-{case[4][:20]}" for i, case in enumerate(BAD)])
def test_bad_input_gets_a_one_line_4xx(client: httpx.Client, method: str, path: str, fields: Any, status: int,
                                       message: str) -> None:
    response = client.post(path, data=fields) if method == "POST" else client.request(method, path, params=fields)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert message in error and "\n" not in error and "Traceback" not in error
    assert client.get("/reconcile").status_code == 200  # still serving


def test_bodies_too_large_wrong_encoding_or_type_are_refused(client: httpx.Client) -> None:
    from normalizer.serve.app import MAX_BODY_BYTES

    huge = client.post("/reconcile", content=b"queries=" + b"x" * (MAX_BODY_BYTES + 1),
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert huge.status_code == 413 and "limit" in huge.json()["error"]
    latin1 = client.post("/reconcile", content="queries={\"q\":{\"query\":\"Kyiv\u00e9\"}}".encode("latin-1"),
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert latin1.status_code == 400 and "UTF-8" in latin1.json()["error"]
    multipart = client.post("/reconcile", files={"queries": ("q.json", b"{}")})
    assert multipart.status_code == 415
    fields = client.post("/reconcile", content="&".join(f"f{i}=1" for i in range(100)).encode(),
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert fields.status_code == 400
    assert client.get("/reconcile").status_code == 200


# -- CORS ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/reconcile", "/suggest/entity", "/flyout/x", "/extend/propose", "/entity/x",
                                  "/preview/x", "/api/lookup", "/"])
def test_cors_preflight_on_every_endpoint(client: httpx.Client, path: str) -> None:
    response = client.options(path, headers={"Origin": "http://127.0.0.1:3333",
                                             "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]


def test_cors_headers_on_answers_and_errors(client: httpx.Client) -> None:
    origin = {"Origin": "https://example.org"}
    for path, status in (("/reconcile", 200), (f"/preview/{LYSYCHANSK}", 200), ("/entity/UA0", 404),
                         ("/suggest/entity", 400)):
        response = client.get(path, headers=origin)
        assert response.status_code == status
        assert response.headers["access-control-allow-origin"] == "*"


def test_html_pages_carry_a_content_security_policy(client: httpx.Client) -> None:
    for path in ("/", f"/entity/{LYSYCHANSK}", f"/preview/{LYSYCHANSK}"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
