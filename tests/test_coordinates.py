"""A point for every place: OCHA COD-AB points on every unit, centroids on old raions."""

from __future__ import annotations

import csv

import pytest

from gazetteer.model import ADMIN_KINDS
from gazetteer.sources import coordinates
from gazetteer.sources.coordinates_import import HEADER

from .conftest import GOLDEN


def golden() -> list[dict[str, str]]:
    with open(GOLDEN / "coordinates.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.mark.parametrize("case", golden(), ids=lambda c: c["name_uk"])
def test_known_points(gazetteer, case):
    entity = gazetteer.get(case["id"])
    assert entity.name_uk == case["name_uk"]
    assert abs(entity.lat - float(case["lat"])) < 0.1 and abs(entity.lon - float(case["lon"])) < 0.1


def test_every_settlement_has_a_point(gazetteer):
    missing = [e.id for kind in ("city", "settlement", "village") for e in gazetteer.entities(kind)
               if e.lat is None or e.lon is None]
    assert not missing


def test_every_current_unit_has_a_point(gazetteer):
    missing = [e.id for kind in ADMIN_KINDS for e in gazetteer.entities(kind) if e.lat is None]
    assert not missing


def test_a_city_district_has_its_citys_point(gazetteer):
    district = next(e for e in gazetteer.entities("city-district") if e.parent_id == "UA46060250010015970")
    city = gazetteer.get("UA46060250010015970")
    assert (district.lat, district.lon) == (city.lat, city.lon)


def test_points_come_from_ocha(gazetteer):
    stats = gazetteer.meta()["stats"]["coordinates"]
    assert stats["with_point_by_kind"]["village"] > 27000
    assert stats["with_point_by_kind"]["former-raion"] > 600


def test_table_format():
    with open(coordinates.DATA_DIR / coordinates.COORDINATES, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert tuple(rows[0]) == HEADER
    assert all(len(row) == len(HEADER) and row[-1] for row in rows[1:])
    assert len({row[0] for row in rows[1:]}) == len(rows) - 1
