"""The serve package's adapters to the matcher and the gazetteer (no web stack needed).

`clues` passes raion/hromada/near to `resolve` only where resolve takes them; `entities`
reads raion_id/hromada_id/koatuu/former_raion_id, `Gazetteer.codes(id)` and
`Gazetteer.history(id)` when they exist and walks `parents()` otherwise. Both are checked
with today's objects and with stand-ins shaped like the ones on their way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from gazetteer import Entity, Name
from normalizer import Result
from normalizer.serve import clues, entities
from normalizer.serve.clues import Clues
from normalizer.serve.entities import Catalog, FormerName, pcode_of
from normalizer.serve.errors import NotFoundError

LYSYCHANSK = "UA44120050010021900"


class TodaysResolve:
    """resolve() as it is: oblast is the only clue."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def resolve(self, text: str, *, oblast: str | None = None, kind: Any = None, limit: int = 5) -> Result:
        self.calls.append({"text": text, "oblast": oblast, "kind": kind, "limit": limit})
        return Result(text, "unmatched", None)


class ComingResolve:
    """resolve() with the clues on their way: raion, hromada, near."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def resolve(self, text: str, *, oblast: str | None = None, raion: str | None = None, hromada: str | None = None,
                near: tuple[float, float] | None = None, kind: Any = None, limit: int = 5) -> Result:
        self.calls.append({"oblast": oblast, "raion": raion, "hromada": hromada, "near": near})
        return Result(text, "unmatched", None)


EVERY_CLUE = Clues(oblast="Kharkiv", raion="Chuhuivskyi", hromada="UA63140030000085024", near=(49.8, 36.7))


def test_todays_resolve_gets_the_oblast_and_the_other_clues_are_reported_ignored() -> None:
    matcher = TodaysResolve()
    resolved = clues.resolve(matcher, "Іванівка", EVERY_CLUE, kind=("village",), limit=3)
    assert matcher.calls == [{"text": "Іванівка", "oblast": "Kharkiv", "kind": ("village",), "limit": 3}]
    assert [note.split(":")[0] for note in resolved.ignored] == ["raion", "hromada", "coordinates"]
    assert clues.accepted_clues(matcher) == {"oblast"}


def test_coming_resolve_gets_every_clue_as_given() -> None:
    matcher = ComingResolve()
    resolved = clues.resolve(matcher, "Іванівка", EVERY_CLUE)
    assert matcher.calls == [{"oblast": "Kharkiv", "raion": "Chuhuivskyi", "hromada": "UA63140030000085024",
                              "near": (49.8, 36.7)}]
    assert resolved.ignored == ()


def test_clues_not_given_are_not_passed() -> None:
    matcher = ComingResolve()
    clues.resolve(matcher, "Kyiv", Clues())
    assert matcher.calls == [{"oblast": None, "raion": None, "hromada": None, "near": None}]


def test_the_real_resolve_is_inspected(normalizer) -> None:
    assert "oblast" in clues.accepted_clues(normalizer)
    result = clues.resolve(normalizer, "Іванівка", Clues(oblast="Kharkiv oblast")).result
    assert result.candidates == normalizer.resolve("Іванівка", oblast="Kharkiv oblast").candidates


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


# -- entities: today's gazetteer --------------------------------------------------------------


def test_hierarchy_and_description_from_parents(gazetteer) -> None:
    place = Catalog(gazetteer).place(LYSYCHANSK)
    assert (place.hromada.name, place.raion.name, place.oblast.name) == \
        ("Lysychanska hromada", "Siverskodonetskyi raion", "Luhanska oblast")
    assert place.description.startswith("Лисичанськ \u2014 city in Lysychanska hromada")


def test_units_have_no_unit_of_their_own_kind_above(gazetteer) -> None:
    catalog = Catalog(gazetteer)
    oblast = catalog.place("UA44000000000018893")
    assert (oblast.hromada, oblast.raion, oblast.oblast) == (None, None, None)
    assert oblast.description == "Луганська область \u2014 oblast"
    kyiv = catalog.place("UA80000000000093317")
    assert kyiv.oblast is None and kyiv.description.startswith("Київ \u2014 city with special status;")


def test_facts_of_today_have_katottg_and_pcode_and_no_history(gazetteer) -> None:
    facts = Catalog(gazetteer).facts("UA14020010010059145")
    assert facts.codes == {"katottg": "UA14020010010059145", "pcode": "UA1402001001"}
    assert facts.history == () and facts.former_raion is None  # today's history() is the user layer's
    assert facts.former_names == (FormerName(("Артемівськ", "Артёмовск", "Artemivsk", "Artemovsk", "Artyomovsk"),
                                             1924, 2016),)
    assert facts.former_names[0].label() == "Артемівськ / Artemivsk (1924\u20132016)"


def test_unknown_ids_are_not_found(gazetteer) -> None:
    with pytest.raises(NotFoundError, match="unknown entity ID"):
        Catalog(gazetteer).place("UA99")


@pytest.mark.parametrize(("entity_id", "kind", "pcode"), [
    ("UA44000000000018893", "oblast", "UA44"), ("UA44120000000092852", "raion", "UA4412"),
    ("UA44120050000066819", "hromada", "UA4412005"), (LYSYCHANSK, "city", "UA4412005001"),
    ("UA80000000000093317", "city", "UA80"), ("UA01160330010143565", "city-district", None),
    ("person:serhii-haidai", "person", None),
])
def test_pcodes(entity_id: str, kind: str, pcode: str | None) -> None:
    assert pcode_of(Entity(entity_id, kind, "x")) == pcode


# -- entities: the fields and methods on their way ---------------------------------------------


@dataclass(frozen=True, slots=True)
class ComingEntity(Entity):
    """An entity with the fields the history data adds."""

    raion_id: str | None = None
    hromada_id: str | None = None
    koatuu: str | None = None
    former_raion_id: str | None = None


class ComingGazetteer:
    """A gazetteer with codes(id) and history(id), whose parents() must not be needed."""

    def __init__(self) -> None:
        oblast = ComingEntity("UA63000000000041885", "oblast", "Kharkivska oblast", oblast_id="UA63000000000041885")
        raion = ComingEntity("UA63140000000070500", "raion", "Chuhuivskyi raion", oblast_id=oblast.id,
                             parent_id=oblast.id)
        hromada = ComingEntity("UA63140030000085024", "hromada", "Malynivska hromada", oblast_id=oblast.id,
                               parent_id=raion.id, raion_id=raion.id)
        former = ComingEntity("former-raion:ua63-chuhuivskyi", "former-raion", "Chuhuivskyi raion (1923-2020)",
                              oblast_id=oblast.id)
        village = ComingEntity("UA63140030020020001", "village", "Ivanivka", name_uk="Іванівка", oblast_id=oblast.id,
                               parent_id=hromada.id, raion_id=raion.id, hromada_id=hromada.id, koatuu="6325455501",
                               former_raion_id=former.id, population=120)
        self.entities = {e.id: e for e in (oblast, raion, hromada, former, village)}

    def find(self, entity_id: str) -> Entity | None:
        return self.entities.get(entity_id)

    def parents(self, entity_id: str) -> list[Entity]:
        raise AssertionError("the hierarchy is in the entity's fields: parents() is not needed")

    def names(self, entity_id: str) -> list[Name]:
        return [Name("Іванівка", "uk", "Cyrl", "official", "katottg"),
                Name("Жовтневе", "uk", "Cyrl", "former", "decommunization", 1957, 2016)]

    def codes(self, entity_id: str) -> dict[str, str]:
        return {"KATOTTG": entity_id, "KOATUU": "6325455501", "P-code": "UA6314003002"}

    def history(self, entity_id: str) -> list[dict[str, Any]]:
        return [{"year": 2020, "event": "raion reform", "from": "Chuhuivskyi raion (1923-2020)"}]


def test_coming_fields_are_read_without_walking_parents() -> None:
    catalog = Catalog(ComingGazetteer())  # type: ignore[arg-type]
    facts = catalog.facts("UA63140030020020001")
    assert (facts.place.hromada.name, facts.place.raion.name, facts.place.oblast.name) == \
        ("Malynivska hromada", "Chuhuivskyi raion", "Kharkivska oblast")
    assert facts.place.description == ("Іванівка \u2014 village in Malynivska hromada, Chuhuivskyi raion, "
                                       "Kharkivska oblast; population 120")
    assert facts.codes == {"katottg": "UA63140030020020001", "koatuu": "6325455501", "pcode": "UA6314003002"}
    assert facts.former_raion.name == "Chuhuivskyi raion (1923-2020)"
    assert facts.history == ("year: 2020; event: raion reform; from: Chuhuivskyi raion (1923-2020)",)
    assert [f.label() for f in facts.former_names] == ["Жовтневе (1957\u20132016)"]
    hromada = catalog.place("UA63140030000085024")
    assert hromada.hromada is None and hromada.raion.name == "Chuhuivskyi raion"


def test_former_names_group_by_renaming_newest_first() -> None:
    names = [Name("Дзержинськ", "uk", "Cyrl", "former", "c", None, 2016), Name("Dzerzhynsk", "und", "Latn", "former",
                                                                              "c", None, 2016),
             Name("Щербинівка", "uk", "Cyrl", "former", "c", 1900, 1938),
             Name("Торецьк", "uk", "Cyrl", "official", "k")]
    former = entities.former_names(names)
    assert [f.label() for f in former] == ["Дзержинськ / Dzerzhynsk (until 2016)", "Щербинівка (1900\u20131938)"]
