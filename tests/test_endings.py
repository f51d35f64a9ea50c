"""Foreign declension endings: every example of the table reads back to its base; base forms of names."""

from __future__ import annotations

import csv

import pytest

from normalizer.spelling.endings import DATA_DIR, base_forms, endings, word_bases, written_inflected
from normalizer.spelling.keys import fold


def _examples() -> list[tuple[str, str, str, str]]:
    """(ending, applies, inflected word, base) for every example pair of foreign_endings.tsv."""
    pairs = []
    with open(DATA_DIR / "foreign_endings.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            inflected, _, bases = row["example"].partition(" -> ")
            left, right = inflected.split(", "), bases.split(", ")
            assert len(left) == len(right), row["example"]
            for word, base in zip(left, right):
                pairs.append((row["ending"], row["applies"], word.split()[-1], base.split()[-1]))
    return pairs


@pytest.mark.parametrize("ending,applies,word,base", _examples(), ids=lambda value: str(value))
def test_every_example_reads_back_to_its_base_by_its_own_ending(ending, applies, word, base):
    assert fold(word).endswith(fold(ending))
    found = {b.text: b for group in word_bases(fold(word), "place" if applies == "both" else applies)
             for b in group}
    assert fold(base) in found
    assert found[fold(base)].ending == fold(ending)


def test_rows_with_one_folded_ending_are_merged_and_explained():
    rule = next(e for e in endings() if e.ending == "e" and e.applies == "place")
    assert rule.bases == ("", "a") and rule.langs == ("cs", "sk")
    (group,) = [g for g in word_bases("kyjeve", "place") if g[0].ending == "e"]
    assert [b.text for b in group] == ["kyjev", "kyjeva"]
    assert group[0].note == "cs/sk ending -e dropped" and group[1].note == "cs/sk ending -e read as -a"


def test_person_endings_do_not_apply_to_places_and_short_stems_stay():
    assert not [g for g in word_bases("tymosenkova", "place") if g[0].ending == "ova"]
    assert word_bases("sumy", "place")  # Sumy -> Suma: a stem of three letters is enough
    assert not word_bases("ya", "place")
    with pytest.raises(ValueError):
        word_bases("kyjeve", "river")


def test_every_word_of_a_name_may_be_inflected():
    (group,) = base_forms(fold("Nowej Kachowce"), "place")
    assert "nowa kachowka" in {b.text for b in group}
    assert base_forms("a b c d", "place") == ()


def test_only_a_case_ends_with_a_marked_ending():
    assert written_inflected("Charkově") and written_inflected("Sumách") and written_inflected("Kamieńcu")
    assert not written_inflected("Charkove") and not written_inflected("Kijów") and not written_inflected("Záporoží")
