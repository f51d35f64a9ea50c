"""The gazetteer through time: former names from register diffs, KOATUU codes, old raions, former units."""

from __future__ import annotations

import csv
import re

import pytest

from gazetteer.model import KINDS
from gazetteer.sources import history
from gazetteer.sources.history_import import HEADERS
from gazetteer.sources.registers import spelling_key, title_case

from .conftest import GOLDEN

SETTLEMENTS = ("city", "settlement", "village")


def golden(name: str) -> list[dict[str, str]]:
    with open(GOLDEN / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.mark.parametrize("case", golden("history_renamings.tsv"), ids=lambda c: f"{c['former_uk']}-{c['year_to']}")
def test_renaming_is_a_former_name_with_its_year(gazetteer, case):
    entity = gazetteer.get(case["id"])
    assert entity.name_uk == case["name_uk"]
    former = [n for n in gazetteer.names(case["id"]) if n.type == "former" and n.lang == "uk"]
    assert (case["former_uk"], int(case["year_to"])) in {(n.text, n.year_to) for n in former}
    past = gazetteer.history_of(case["id"])
    assert case["former_uk"] in {n.text for n in past.former_names}


def test_renamings_of_each_year_are_many(gazetteer):
    counts = gazetteer.meta()["stats"]["history"]["counts"]
    by_year = {}
    for key, n in counts.items():
        match = re.match(r"renamings (\d{4}): former", key)
        if match:
            by_year[match.group(1)] = by_year.get(match.group(1), 0) + n
    assert by_year["2016"] > 800 and by_year["2025"] > 250 and by_year["2026"] > 150 and by_year["2024"] > 5


def test_a_renamed_village_resolves_by_its_former_name(normalizer):
    result = normalizer.resolve("Кірове", oblast="UA05000000000010236")
    assert result.best is not None and result.best.id == "UA05020170390051338"


@pytest.mark.parametrize("case", golden("history_koatuu.tsv"), ids=lambda c: c["koatuu"])
def test_koatuu_code_maps_to_the_unit(gazetteer, case):
    found = gazetteer.by_code("koatuu", case["koatuu"])
    assert found and found[0].id == case["id"]
    assert found[0].name_uk == case["name_uk"]
    assert case["koatuu"] in {code for _, code, _ in gazetteer.codes(case["id"])}


def test_code_of_a_hromada_and_its_centre_gives_the_settlement_first(gazetteer):
    found = gazetteer.by_code("koatuu", "0120410100")
    assert [e.kind for e in found] == ["city", "hromada"]


def test_koatuu_code_without_leading_zero_and_unknown_codes(gazetteer):
    assert gazetteer.by_code("koatuu", "523083801")[0].id == "UA05020170390051338"
    assert gazetteer.by_code("koatuu", "9999999999") == []
    assert gazetteer.by_code("koatuu", "") == []
    assert gazetteer.by_code("koatuu", "abc\ud800") == []


def test_every_table_mapped_unit_has_a_primary_koatuu(gazetteer):
    entity = gazetteer.get("UA05020050020044192")
    assert entity.koatuu == "0523084004"


@pytest.mark.parametrize("case", golden("history_raions.tsv"), ids=lambda c: c["id"])
def test_old_raion_exists_with_successors(gazetteer, case):
    raion = gazetteer.get(case["id"])
    assert raion.kind == "former-raion" and raion.name_uk == case["name_uk"]
    assert raion.oblast_id == case["oblast_id"] and raion.year_to == 2020
    assert raion.successor_id == case["successor_id"]
    successors = gazetteer.successors(case["id"])
    assert successors[0].entity.id == case["successor_id"] and successors[0].settlements > 0
    assert {s.relation for s in successors} == {"successor-raion", "successor-hromada"}
    assert raion.lat is not None and raion.lon is not None
    assert raion.koatuu in {code for _, code, _ in gazetteer.codes(case["id"])}


def test_former_units_are_nobodys_children(gazetteer):
    assert all(e.kind in ("raion", "city") for e in gazetteer.children("UA05000000000010236"))


def test_old_raions_count_and_settlements_know_theirs(gazetteer):
    raions = list(gazetteer.entities("former-raion"))
    assert sum(1 for r in raions if r.role == "raion") == 490
    assert gazetteer.get("UA05020170390051338").former_raion_id == "koatuu:0523000000"
    stats = gazetteer.meta()["stats"]["history"]
    assert stats["settlements_with_former_raion"] > 28000


def test_former_settlements_point_back(gazetteer):
    former = list(gazetteer.entities("former-settlement"))
    assert former
    for entity in former:
        assert entity.year_to and entity.oblast_id and entity.name_uk
        assert entity.parent_id is None and gazetteer.find(entity.oblast_id) is not None


def test_hierarchy_on_every_unit(gazetteer):
    village = gazetteer.get("UA05020170390051338")
    assert village.hromada_id == "UA05020170000049432" and village.raion_id == "UA05020000000026686"
    hromada = gazetteer.get(village.hromada_id)
    assert hromada.raion_id == village.raion_id and hromada.hromada_id == hromada.id
    missing = [e.id for e in gazetteer.entities("village") if not (e.hromada_id and e.raion_id)]
    assert not missing


@pytest.mark.parametrize("text", ["Ukraine", "Україна", "Украина", "Ukraina"])
def test_ukraine_is_the_country(normalizer, text):
    result = normalizer.resolve(text)
    assert result.best is not None and result.best.id == "country:ua"


def test_new_kinds_are_declared():
    assert {"country", "former-raion", "former-settlement"} <= set(KINDS)


# -- the derived tables -------------------------------------------------------------------------


@pytest.mark.parametrize("name", history.TABLES)
def test_table_format(name):
    path = history.DATA_DIR / name
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert tuple(rows[0]) == HEADERS[name] and rows[0][-1] == "source"
    assert all(len(row) == len(rows[0]) and row[-1] for row in rows[1:])


@pytest.mark.parametrize("name", [history.KOATUU_CODES, history.RENAMINGS, history.RUSSIAN_NAMES])
def test_every_id_exists_in_the_codifier(gazetteer, name):
    ids = {row["id"] for row in history.table(name)}
    unknown = [i for i in ids if (e := gazetteer.find(i)) is None or e.source != "katottg"]
    assert not unknown


def test_former_name_never_equals_the_current_name(gazetteer):
    for row in history.table(history.RENAMINGS):
        entity = gazetteer.get(row["id"])
        assert row["former_uk"] != entity.name_uk
        if row["type"] == "variant":
            assert spelling_key(row["former_uk"]) == spelling_key(entity.name_uk)


def test_title_case_and_spelling_key():
    assert title_case("КАМ'ЯНКА-БУЗЬКА") == "Кам’янка-Бузька"
    assert title_case("РОСТОВ-НА-ДОНУ", "ru") == "Ростов-на-Дону"
    assert spelling_key("Юр'ївка") == spelling_key("Юріївка")
    assert spelling_key("Кірове") != spelling_key("Подільське")


def test_a_store_of_the_previous_format_is_rebuilt(tmp_path):
    import sqlite3

    from gazetteer.api import _freshness
    from gazetteer.store import APPLICATION_ID, STORE_FORMAT

    path = tmp_path / "base.sqlite"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {STORE_FORMAT - 1}")
    connection.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    connection.commit()
    connection.close()
    assert _freshness(path, None)[1] is False


def test_official_russian_names_of_towns_are_russian_names(gazetteer, normalizer):
    rows = history.table(history.RUSSIAN_NAMES)
    assert len(rows) > 2000
    vuhledar = gazetteer.get("UA14040050010075856")
    assert vuhledar.name_ru == "Угледар"  # not derivable from Вугледар
    assert ("Угледар", "russian") in {(n.text, n.type) for n in gazetteer.names(vuhledar.id)}
    kinds = {gazetteer.get(row["id"]).kind for row in rows}
    assert kinds <= {"city", "settlement", "city-district"}
    # the city Хотин by its Russian name Хотин (Khotin), over the settlement Хотінь whose name is spelled so
    assert normalizer.resolve("Khotin").best.id == "UA73040190010054219"
