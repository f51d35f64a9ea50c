"""The serve package's adapters to the matcher and the gazetteer (no web stack needed).

`clues` hands every clue of a row to `resolve` as given; `entities` reads the entity's fields
(raion_id, hromada_id, former_raion_id, successor_id, koatuu), `Gazetteer.codes` and
`Gazetteer.history_of`, and the P-code from `gazetteer.codes.pcode_of`; all checked on the real gazetteer.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from gazetteer import Entity, Name
from gazetteer.codes import pcode_names, pcode_of
from normalizer.serve import clues, entities
from normalizer.serve.clues import Clues
from normalizer.serve.entities import Catalog, FormerName
from normalizer.serve.errors import NotFoundError, RequestError

LYSYCHANSK = "UA44120050010021900"
BAKHMUT = "UA14020010010059145"
BAKHMUT_COUNCIL = "koatuu:1410300000"  # Bakhmut city council, a unit of before 2020
IVANIVKA_VOVCHANSK = "UA63140010320082855"  # Іванівка of Vovchanska hromada, Chuhuivskyi raion, Kharkiv oblast


class Recording:
    """resolve() that records the keywords it was given."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def resolve(self, text: str, **keywords: Any) -> Any:
        self.calls.append(keywords)
        from normalizer import Result

        return Result(text, "unmatched", None)


def test_every_clue_given_goes_to_resolve_as_given() -> None:
    matcher = Recording()
    every = Clues(oblast="Kharkiv", raion="Chuhuivskyi", hromada="UA63140030000085024", near=(49.8, 36.7))
    resolved = clues.resolve(matcher, "Іванівка", every, kind=("village",), limit=3)  # type: ignore[arg-type]
    assert matcher.calls == [{"kind": ("village",), "limit": 3, "oblast": "Kharkiv", "raion": "Chuhuivskyi",
                              "hromada": "UA63140030000085024", "near": (49.8, 36.7)}]
    assert resolved.ignored == ()
    clues.resolve(matcher, "Kyiv", Clues(problems=("coordinates: lat is missing",)))  # type: ignore[arg-type]
    assert matcher.calls[-1] == {"kind": None, "limit": 5}


@pytest.mark.parametrize(("given", "decided"), [
    ({"oblast": "Kharkiv oblast", "raion": "Богодухівський район"}, "UA63020010200017280"),
    ({"raion": "Вовчанський район"}, IVANIVKA_VOVCHANSK),  # a raion of before 2020
    ({"raion": "koatuu:6321600000"}, IVANIVKA_VOVCHANSK),  # the same by its ID (a column reconciled here)
    ({"hromada": "Vovchanska hromada"}, IVANIVKA_VOVCHANSK),
    ({"near": (50.25, 37.27)}, IVANIVKA_VOVCHANSK),
    ({"raion": "Нісенітницький район"}, None),  # names nothing: resolve says so in its explanation
])
def test_the_real_resolve_answers_as_with_the_same_keywords(normalizer, given: dict[str, Any],
                                                            decided: str | None) -> None:
    resolved = clues.resolve(normalizer, "Іванівка", Clues(**given))
    expected = normalizer.resolve("Іванівка", **given)
    assert resolved.result == expected and resolved.ignored == ()
    assert expected.id == decided
    said = "raion hint 'Нісенітницький район' not recognized, ignored"
    assert (said in expected.explanation) == (decided is None) and ("not recognized" in expected.explanation) == \
        (decided is None)


@pytest.mark.parametrize("value", ["UA\udc00", "koatuu:\udc00", "ua:\x00", ":" * 400])
def test_clues_that_look_like_ids_but_cannot_be_are_not_recognized(normalizer, value: str) -> None:
    result = clues.resolve(normalizer, "Іванівка", Clues(raion=value, hromada=value)).result
    assert result.status == "ambiguous" and result.explanation.count("not recognized, ignored") == 2


def test_a_clue_resolve_refuses_is_a_request_error(normalizer) -> None:
    with pytest.raises(RequestError, match="unknown kind"):
        clues.resolve(normalizer, "Kyiv", Clues(), kind=("planet",))


@pytest.mark.parametrize(("text", "point"), [
    ("48.91, 38.42", (48.91, 38.42)), ("48.91;38.42", (48.91, 38.42)), ("48.91 38.42", (48.91, 38.42)),
    ("\u221248.5,-30", (-48.5, -30.0)), ("91, 0", None), ("0, 181", None), ("48.9", None), ("north, east", None),
    ("nan, 1", None), ("1, 2, 3", None),
])
def test_points_are_read_as_lat_lon_in_degrees(text: str, point: tuple[float, float] | None) -> None:
    assert clues.parse_point(text) == point


@pytest.mark.parametrize(("values", "point", "problem"), [
    ({"lat": "48.9", "lon": "38.4"}, (48.9, 38.4), None),
    ({"coordinates": "48.9,38.4", "lat": "0", "lon": "0"}, (48.9, 38.4), None),
    ({"lat": "48.9"}, None, "lon is missing"),
    ({"lat": "x", "lon": "38"}, None, "lat 'x' is not a number"),
    ({"coordinates": "somewhere"}, None, "is not 'lat,lon'"),
    ({}, None, None),
])
def test_points_from_row_values(values: dict[str, str], point: Any, problem: str | None) -> None:
    found, problems = clues.point_from(values)
    assert found == point
    assert (problem in problems[0]) if problem else problems == ()


# -- entities: the real gazetteer ---------------------------------------------------------


def test_hierarchy_and_description_from_the_entity_fields(gazetteer) -> None:
    place = Catalog(gazetteer).place(LYSYCHANSK)
    assert (place.hromada.name, place.raion.name, place.oblast.name) == \
        ("Lysychanska hromada", "Siverskodonetskyi raion", "Luhanska oblast")
    assert place.former_raion.id == "koatuu:4411800000"
    assert place.description == ("Лисичанськ \u2014 city in Lysychanska hromada, Siverskodonetskyi raion, "
                                 "Luhanska oblast; population 93,340")


def test_units_are_the_fields_of_the_entity(gazetteer) -> None:
    catalog = Catalog(gazetteer)
    sample = random.Random(7).sample([e for e in gazetteer.entities() if e.country == "UA"], 400)
    for entity in sample:
        place = catalog.place(entity.id)
        for level in ("oblast", "raion", "hromada"):
            field = getattr(entity, f"{level}_id")
            unit = place.unit(level)
            assert (unit.id if unit else None) == (field if field != entity.id else None), (entity.id, level)
        assert (place.former_raion.id if place.former_raion else None) == entity.former_raion_id


def test_units_have_no_unit_of_their_own_kind_above(gazetteer) -> None:
    catalog = Catalog(gazetteer)
    oblast = catalog.place("UA44000000000018893")
    assert (oblast.hromada, oblast.raion, oblast.oblast) == (None, None, None)
    assert oblast.description == "Луганська область \u2014 oblast"
    raion = catalog.place("UA44120000000092852")
    assert raion.raion is None and raion.oblast.name == "Luhanska oblast"
    kyiv = catalog.place("UA80000000000093317")
    assert kyiv.oblast is None and kyiv.description.startswith("Київ \u2014 city with special status;")
    assert catalog.place("country:ua").description == "Україна \u2014 country"


def test_facts_have_katottg_koatuu_pcode_and_the_history(gazetteer) -> None:
    facts = Catalog(gazetteer).facts(BAKHMUT)
    assert [(c.scheme, c.code) for c in facts.codes] == \
        [("katottg", BAKHMUT), ("koatuu", "1410300000"), ("pcode", "UA1402001001")]
    assert facts.codes[1].label == "KOATUU" and "2019" in facts.codes[1].note
    assert facts.history == gazetteer.history_of(BAKHMUT)
    assert facts.former_raion.id == BAKHMUT_COUNCIL and facts.successor is None and facts.successors == ()
    assert facts.former_names[0] == FormerName(("Артемівськ", "Артёмовск", "Artemivsk", "Artemovsk", "Artyomovsk"),
                                               1924, 2016, ("https://zakon.rada.gov.ua/laws/show/984-19",))
    assert facts.former_names[0].label() == "Артемівськ / Artemivsk (1924\u20132016)"


def test_every_koatuu_code_comes_primary_first(gazetteer) -> None:
    facts = Catalog(gazetteer).facts("UA05020050020044192")  # Volovodivka: renumbered in 2020
    entity = facts.entity
    assert facts.codes_of("koatuu") == ["0523084004", "0523081001"] and entity.koatuu == "0523084004"
    assert [c for s, c, _ in gazetteer.codes(entity.id)] == ["0523081001", "0523084004"]  # build order
    assert sorted(facts.codes_of("koatuu")) == sorted(c for s, c, _ in gazetteer.codes(entity.id) if s == "koatuu")


def test_a_former_unit_says_its_years_its_successor_and_where_its_settlements_are(gazetteer) -> None:
    catalog = Catalog(gazetteer)
    council = catalog.facts(BAKHMUT_COUNCIL)
    assert council.place.description == ("Бахмут (міська рада) \u2014 former city council in Donetska oblast; "
                                         "until 2020, now Bakhmutskyi raion")
    assert council.successor.id == "UA14020000000013572" and council.codes_of("koatuu") == ["1410300000"]
    assert council.codes_of("katottg") == [] and council.codes_of("pcode") == []
    assert {s.relation for s in council.successors} <= {"successor-raion", "successor-hromada"}
    settlement = next(e for e in gazetteer.entities("former-settlement") if e.former_raion_id)
    place = catalog.place(settlement.id)
    assert f"{place.former_raion.name} (before 2020)" in place.description
    assert f"until {settlement.year_to}" in place.description


def test_unknown_ids_are_not_found(gazetteer) -> None:
    with pytest.raises(NotFoundError, match="unknown entity ID"):
        Catalog(gazetteer).place("UA99")


@pytest.mark.parametrize(("entity_id", "kind", "pcode"), [
    ("UA44000000000018893", "oblast", "UA44"), ("UA44120000000092852", "raion", "UA4412"),
    ("UA44120050000066819", "hromada", "UA4412005"), (LYSYCHANSK, "city", "UA4412005001"),
    ("UA80000000000093317", "city", "UA80"), ("UA01160330010143565", "city-district", None),
    ("person:serhii-haidai", "person", None), (BAKHMUT_COUNCIL, "former-raion", None),
])
def test_pcodes(entity_id: str, kind: str, pcode: str | None) -> None:
    assert pcode_of(Entity(entity_id, kind, "x")) == pcode


def test_a_units_pcode_names_it_and_leads_back_to_it(gazetteer, normalizer) -> None:
    units = [e for e in gazetteer.entities() if pcode_of(e)]
    assert len(units) > 30_000
    for unit in random.Random(3).sample(units, 200):
        pcode = pcode_of(unit)
        assert pcode_names(pcode, unit.id), unit.id
        assert gazetteer.base.by_pcode(pcode) == unit.id
        assert normalizer.resolve(pcode).id == unit.id


def test_former_names_group_by_renaming_newest_first() -> None:
    names = [Name("Дзержинськ", "uk", "Cyrl", "former", "c", None, 2016), Name("Dzerzhynsk", "und", "Latn", "former",
                                                                              "c", None, 2016),
             Name("Щербинівка", "uk", "Cyrl", "former", "c", 1900, 1938),
             Name("Торецьк", "uk", "Cyrl", "official", "k")]
    former = entities.former_names(names)
    assert [f.label() for f in former] == ["Дзержинськ / Dzerzhynsk (until 2016)", "Щербинівка (1900\u20131938)"]


@pytest.mark.parametrize(("lat", "lon", "said"), [
    (50.1, 36.0, "11 km N of Centre"), (50.0, 36.2, "14 km E of Centre"), (49.9, 35.9, "13 km SW of Centre"),
    (50.0, 36.0, "its centre"), (50.001, 36.0, "1 km N of Centre"),
])
def test_a_namesake_is_placed_from_its_hromadas_centre(lat: float, lon: float, said: str) -> None:
    centre = Entity("UA1", "city", "Centre", lat=50.0, lon=36.0)
    entity = Entity("UA1" if said == "its centre" else "UA2", "village", "x", lat=lat, lon=lon)
    assert entities.position(entity, centre) == said
    assert entities.position(entity, None) == f"at {lat:.3f}, {lon:.3f}"
    assert entities.position(Entity("UA3", "village", "x"), centre) is None


def test_namesakes_in_one_hromada_have_different_descriptions(gazetteer) -> None:
    catalog = Catalog(gazetteer)
    villages = [e for e in gazetteer.children("UA63040030000052515") if e.name_uk == "Іванівка"]  # Barvinkivska
    descriptions = {catalog.place(v.id).description for v in villages}
    assert len(villages) >= 2 and len(descriptions) == len(villages)
    assert all("km" in d and "of Barvinkove" in d for d in descriptions)
    assert "(" not in catalog.place(LYSYCHANSK).description  # no namesake in its hromada: no position
