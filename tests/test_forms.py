"""Ukrainian/Russian name forms: the stems of the table both ways, hyphenated names part by part."""

from __future__ import annotations

import csv

import pytest

from normalizer.spelling.forms import DATA_DIR, derive_russian, ukrainian_readings
from normalizer.spelling.keys import skeleton


def _stem_examples() -> list[tuple[str, str, str, str]]:
    """(Ukrainian stem, Russian stem, Ukrainian name, Russian name) for every example of russian_stems.tsv."""
    pairs = []
    with open(DATA_DIR / "russian_stems.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            uk, _, ru = row["example"].partition(" -> ")
            for name_uk, name_ru in zip(uk.split(", "), ru.split(", "), strict=True):
                pairs.append((row["uk"], row["ru"], name_uk, name_ru))
    return pairs


@pytest.mark.parametrize("stem_uk,stem_ru,name_uk,name_ru", _stem_examples(), ids=lambda value: str(value))
def test_every_stem_example_is_derived_and_read_back(stem_uk, stem_ru, name_uk, name_ru):
    derived = derive_russian(name_uk)
    assert any(stem_ru in form for form in derived), derived
    word = name_ru.lower().split("-")[-1] if stem_ru in name_ru.lower().split("-")[-1] else name_ru.lower()
    readings = ukrainian_readings([skeleton(part) for part in word.split()], limit=60)
    assert any(skeleton(stem_uk.replace("'", "")) in reading for reading in readings), readings


def test_a_hyphenated_name_is_derived_part_by_part():
    assert derive_russian("Слобідка-Мушкатівська")[0] == "слободка-мушкатовская"  # not слобидкая-
    assert derive_russian("Кам’янець-Подільський")[0] == "каменец-подольский"
    assert derive_russian("Гаї-Гречинські")[0] == "гаи-гречинские"
    assert derive_russian("Яструбці") == ("яструбцы",)


def test_each_word_of_a_russian_compound_is_read_as_its_ukrainian_counterpart():
    readings = ukrainian_readings([skeleton("Belgorod"), skeleton("Dnestrovsky")])
    assert skeleton("Bilhorod-Dnistrovskyi") in readings
    readings = ukrainian_readings([skeleton("Slobodka"), skeleton("Gorchichnyanskaya")])
    assert skeleton("Slobidka-Hirchychnianska") in readings


def test_readings_of_a_long_input_stay_few():
    assert len(ukrainian_readings([skeleton("Podgornoye")] * 30)) <= 24


def test_a_foreign_word_stands_for_the_ukrainian_adjective_of_a_compound():
    readings = ukrainian_readings([skeleton("Belgorod"), skeleton("Dniester")])
    assert skeleton("Bilhorod-Dnistrovskyi") in readings
