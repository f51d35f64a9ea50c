"""fold() and skeleton(): idempotence, system-blindness where promised, distinctions kept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.spelling.keys import fold, is_cyrillic, skeleton
from normalizer.spelling.romanize import get_system

#: Systems whose spellings the skeleton erases completely (the English-family ones).
SKELETON_INVARIANT = ("kmu2010", "bgn-pcgn-uk-1965", "ala-lc-uk", "bgn-pcgn-ru", "ala-lc-ru", "icao-ru")

SAME = [
    ("Lysychansk", "Lisichansk", "Lisitschansk", "Лисичанськ", "Лисичанск", "Łysyczańsk", "Lyssytschansk"),
    ("Kharkiv", "Harkiv", "Харків", "Kharkiv'"),
    ("Sievierodonetsk", "Severodonetsk", "Сєвєродонецьк", "Северодонецк", "Syevyerodonetsk"),
    ("Kropyvnytskyi", "Kropyvnytskyy", "Kropyvnytskiy", "Kropyvnytsky", "Kropyvnytskij"),
    ("Zaporizhzhia", "Zaporizhzhya", "Zaporizhzhja", "Zaporizhia"),
    ("Gomel", "Homel", "Homiel", "Гомель"),
    ("Mohyliv_Podilskyi", "Mohyliv-Podilskyi", "Mohyliv Podilskyi"),
    ("L'viv", "Lviv", "Львів", "L’viv"),
]
DIFFERENT = [
    ("Bilhorod", "Belgorod"),
    ("Kharkiv", "Kharkov"),
    ("Kyiv", "Kiev"),
    ("Lviv", "Lvov"),
    ("Donetsk", "Donbas"),
]


@pytest.mark.parametrize("spellings", SAME)
def test_spellings_of_one_name_share_a_skeleton(spellings: tuple[str, ...]) -> None:
    keys = {skeleton(s) for s in spellings}
    assert len(keys) == 1, dict(zip(spellings, map(skeleton, spellings)))


@pytest.mark.parametrize("a,b", DIFFERENT)
def test_real_distinctions_survive(a: str, b: str) -> None:
    assert skeleton(a) != skeleton(b)


def test_fold_strips_diacritics_and_apostrophes_but_keeps_cyrillic() -> None:
    assert fold("Łysyczańsk") == "lysyczansk"
    assert fold("Kam’ianets-Podilskyi") == "kamianets podilskyi"
    assert fold("Кам’янське") == "камянське"
    assert fold("Ґалаґан") == "галаган"
    assert fold("Артёмовск") == "артемовск"
    assert fold("  Kyiv  ''") == "kyiv"


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_skeleton_is_stable_under_fold(text: str) -> None:
    assert skeleton(fold(text)) == skeleton(text)


@pytest.mark.parametrize("system_id", SKELETON_INVARIANT)
def test_english_family_systems_are_erased_by_the_skeleton(system_id: str, gazetteer) -> None:
    system = get_system(system_id)
    attribute = "name_uk" if system.language == "uk" else "name_ru"
    names = [getattr(e, attribute) for e in gazetteer.entities("city") if getattr(e, attribute)]
    assert len(names) > 300
    for name in names:
        assert skeleton(system.romanize(name)) == skeleton(name), (name, system.romanize(name))


def test_script_detection() -> None:
    assert is_cyrillic("Лисичанськ")
    assert not is_cyrillic("Lysychansk")
    assert is_cyrillic("Харкiв")  # one Latin look-alike does not make it Latin


def test_other_alphabets_are_romanized_only_where_they_make_the_word() -> None:
    """Greek, Armenian and Georgian words are read as Latin; Latin and Cyrillic text is left as it is."""
    from normalizer.spelling.cleanup import romanize_other_alphabets

    assert romanize_other_alphabets("Μπαχμούτ") == "Bakhmout"
    assert romanize_other_alphabets("Λβιβ, Ουκρανία") == "Lviv, Oukrania"
    assert romanize_other_alphabets("Կիև") == "Kiew"
    for text in ("Kyiv", "Київ", "у Лисичанську", "Kharkiv oblast", "Харкiв"):
        assert romanize_other_alphabets(text) == text
    assert romanize_other_alphabets("Kyiv α") == "Kyiv a"  # a word of its own
    assert romanize_other_alphabets("Kyivα") == "Kyivα"  # one stray letter in a Latin word stays
