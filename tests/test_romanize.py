"""Every romanization system against its standard's samples; library defects pinned down."""

from __future__ import annotations

import pytest

from normalizer.spelling.romanize import get_system, romanize_all, systems, systems_for

ALL = [(system.id, source, expected) for system in systems() for source, expected in system.samples]


def test_every_system_has_samples() -> None:
    assert len(systems()) >= 20
    for system in systems():
        assert system.samples, system.id
        assert system.reference, system.id


@pytest.mark.parametrize("system_id,source,expected", ALL, ids=[f"{a}:{b}" for a, b, _ in ALL])
def test_official_samples(system_id: str, source: str, expected: str) -> None:
    assert get_system(system_id).romanize(source) == expected


def test_both_languages_are_covered() -> None:
    uk = {s.id for s in systems_for("uk")}
    ru = {s.id for s in systems_for("ru")}
    assert {"kmu2010", "bgn-pcgn-uk-1965", "iso9-uk", "ala-lc-uk", "scholarly-uk", "german-uk", "french-uk",
            "polish-uk", "czech-uk", "hungarian-uk", "dutch-uk", "swedish-uk"} <= uk
    assert {"bgn-pcgn-ru", "wire-ru", "icao-ru", "iso9-ru", "scholarly-ru", "ala-lc-ru", "german-ru",
            "french-ru", "polish-ru", "czech-ru", "dutch-ru"} <= ru


def test_iuliia_leaves_yo_unmapped_and_we_fix_it() -> None:
    """iuliia's BGN/PCGN, GOST 7.79, scientific and ALA-LC tables leave ё as Cyrillic."""
    import iuliia

    assert "ё" in iuliia.BGN_PCGN.translate("Артёмовск")
    assert get_system("bgn-pcgn-ru").romanize("Артёмовск") == "Artëmovsk"
    assert get_system("iso9-ru").romanize("Щёлкино") == "Ŝëlkino"


def test_translitua_german_writes_zh_as_sh_and_our_table_follows_duden() -> None:
    """translitua's UkrainianGerman gives Saporishshja; Duden (and de.wikipedia) write Saporischschja."""
    from translitua import UkrainianGerman, translit

    assert translit("Запоріжжя", UkrainianGerman) == "Saporishshja"
    assert get_system("german-uk").romanize("Запоріжжя") == "Saporischschja"


def test_romanize_all_gives_one_spelling_per_system() -> None:
    spellings = romanize_all("Лисичанськ", "uk")
    assert spellings["kmu2010"] == "Lysychansk"
    assert spellings["german-uk"] == "Lyssytschansk"
    assert spellings["polish-uk"] == "Łysyczańsk"


def test_unknown_system_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        get_system("klingon")
