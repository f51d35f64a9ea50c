"""The gazetteer: completeness, official names, hierarchy, sources, API errors."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from gazetteer import Gazetteer, SourceSelectionError, StoreError, UnknownEntityError
from gazetteer.build import parse_sources

from .conftest import GOLDEN

LYSYCHANSK = "UA44120050010021900"
LUHANSK_OBLAST = "UA44000000000018893"


def _golden_names() -> list[dict[str, str]]:
    with open(GOLDEN / "official_latin.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_stats_meet_the_issue_thresholds(gazetteer: Gazetteer) -> None:
    stats = gazetteer.stats()
    assert stats["katottg_units"] >= 31_000
    assert stats["top_level_units"] == 27
    assert stats["geonames_link"]["city_link_rate"] >= 0.95
    assert stats["persons"] >= 150
    assert stats["former_names"] >= 200
    assert stats["foreign_places"] > 1000
    assert stats["with_iso3166_2"] == 27
    assert set(stats["sources"]) == {"katottg", "geonames", "curated", "history", "coordinates"}


def test_lysychansk(gazetteer: Gazetteer) -> None:
    city = gazetteer.get(LYSYCHANSK)
    assert (city.name_uk, city.name, city.kind) == ("Лисичанськ", "Lysychansk", "city")
    assert city.oblast_id == LUHANSK_OBLAST
    assert city.name_ru == "Лисичанск"
    assert city.geonames_id == 702972 and city.population and city.lat and city.lon
    assert [p.kind for p in gazetteer.parents(LYSYCHANSK)] == ["hromada", "raion", "oblast"]
    assert gazetteer.parents(LYSYCHANSK)[-1].id == LUHANSK_OBLAST
    assert any(n.text == "Лисичанск" and n.lang == "ru" for n in gazetteer.names(LYSYCHANSK))


@pytest.mark.parametrize("row", _golden_names(), ids=lambda r: r["name"])
def test_official_latin_names_follow_kmu_2010(gazetteer: Gazetteer, row: dict[str, str]) -> None:
    entity = gazetteer.get(row["id"])
    assert entity.name_uk == row["name_uk"]
    assert entity.name == row["name"]


def test_top_level_units_carry_iso_codes_and_own_oblast_id(gazetteer: Gazetteer) -> None:
    tops = [e for e in gazetteer.entities() if e.category in ("O", "K")]
    assert len(tops) == 27
    assert all(e.iso3166_2 and e.iso3166_2.startswith("UA-") for e in tops)
    assert gazetteer.get(LUHANSK_OBLAST).iso3166_2 == "UA-09"
    kyiv = gazetteer.get("UA80000000000093317")
    assert kyiv.oblast_id == kyiv.id and kyiv.iso3166_2 == "UA-30"


def test_every_unit_has_a_top_level_oblast(gazetteer: Gazetteer) -> None:
    tops = {e.id for e in gazetteer.entities() if e.category in ("O", "K")}
    units = [e for e in gazetteer.entities() if e.source == "katottg"]
    assert all(e.oblast_id in tops for e in units)


def test_former_names_point_at_current_units(gazetteer: Gazetteer) -> None:
    bakhmut = gazetteer.names("UA14020010010059145")
    former = {n.text: n for n in bakhmut if n.type == "former"}
    assert "Артемівськ" in former and former["Артемівськ"].year_to == 2016
    sievierodonetsk = {n.text for n in gazetteer.names("UA44120110010072887") if n.type == "former"}
    assert "Сєвєродонецьк" in sievierodonetsk


def test_persons_features_and_foreign_places(gazetteer: Gazetteer) -> None:
    haidai = gazetteer.get("person:serhii-haidai")
    assert haidai.kind == "person" and haidai.name_uk == "Сергій Гайдай" and haidai.role
    assert gazetteer.get("region:donbas").kind == "region"
    belgorod = gazetteer.get("foreign:ru-belgorod")
    assert belgorod.kind == "foreign" and belgorod.country == "RU"
    assert gazetteer.get("country:by").kind == "foreign"


def test_children_and_search(gazetteer: Gazetteer) -> None:
    raions = gazetteer.children(LUHANSK_OBLAST)
    assert raions and all(r.kind == "raion" for r in raions)
    found = gazetteer.search("Лисичанськ")
    assert found[0].id == LYSYCHANSK


def test_unknown_ids_raise_lookup_errors(gazetteer: Gazetteer) -> None:
    with pytest.raises(UnknownEntityError) as caught:
        gazetteer.get("UA00000000000000000")
    assert isinstance(caught.value, LookupError)
    assert gazetteer.find("nope") is None
    with pytest.raises(LookupError):
        gazetteer.names("nope")
    with pytest.raises(TypeError):
        gazetteer.get(42)  # type: ignore[arg-type]


def test_source_selection_is_validated() -> None:
    assert parse_sources("katottg,curated") == ("katottg", "curated")
    assert parse_sources(None) == ("katottg", "geonames", "curated", "history", "coordinates")
    with pytest.raises(SourceSelectionError):
        parse_sources("katottg,wikipedia")
    with pytest.raises(SourceSelectionError):
        parse_sources("geonames")


def test_katottg_only_build(tmp_path: Path) -> None:
    with Gazetteer.open(tmp_path, sources="katottg") as only:
        stats = only.stats()
        assert stats["sources"] == ["katottg"]
        assert stats["katottg_units"] >= 31_000
        assert "geonames_link" not in stats and stats["persons"] == 0
        assert only.get(LYSYCHANSK).geonames_id is None


def test_foreign_file_at_the_store_path_is_refused_not_overwritten(tmp_path: Path) -> None:
    store = tmp_path / "base.sqlite"
    db = sqlite3.connect(store)
    db.execute("CREATE TABLE precious(x)")
    db.commit()
    db.close()
    with pytest.raises(StoreError) as caught:
        Gazetteer.open(tmp_path)
    assert str(store) in str(caught.value) and "rebuild" in str(caught.value)
    assert sqlite3.connect(store).execute("SELECT name FROM sqlite_master").fetchall() == [("precious",)]


def test_garbage_at_the_store_path_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "base.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as caught:
        Gazetteer.open(tmp_path)
    assert "base.sqlite" in str(caught.value)


def test_home_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(StoreError):
        Gazetteer.open(target)
