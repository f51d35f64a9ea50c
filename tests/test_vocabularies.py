"""Each vocabulary is declared once, and every table keyed by it covers it (marks, kinds, name types, statuses)."""

from __future__ import annotations

import csv

import pytest

from gazetteer.errors import DataError
from gazetteer.model import ENTITY_FIELDS, FEATURE_KINDS, KINDS, NAME_TYPES, EntityRecord, Name
from gazetteer.store import write_store
from gazetteer.textutil import APOSTROPHE, APOSTROPHES, DASH_LIKE, fold_name
from normalizer.errors import IndexError_
from normalizer.match import weights
from normalizer.match.decide import SMALL_KINDS, STATUS_RANK
from normalizer.match.explain import FORM_PHRASE
from normalizer.match.index import FORM_TYPES, EntityRow, FormRow
from normalizer.match.indexing import prepare_name
from normalizer.match.model import CANDIDATE_FIELDS, STATUSES
from normalizer.match.score import KIND_WORD_ADMITS
from normalizer.spelling.cleanup import DATA_DIR, clean_text
from normalizer.spelling.keys import fold
from normalizer.text.mentions import tokenize


def test_every_kind_has_a_prior_rank() -> None:
    assert set(weights.KIND_RANK) == set(KINDS)


def test_kind_sets_are_kinds() -> None:
    for kinds in (SMALL_KINDS, FEATURE_KINDS, *KIND_WORD_ADMITS.values()):
        assert kinds <= set(KINDS), kinds - set(KINDS)


def test_every_kind_word_of_the_type_word_table_admits_kinds() -> None:
    with open(DATA_DIR / "type_words.tsv", encoding="utf-8", newline="") as handle:
        kind_words = {row["kind"] for row in csv.DictReader(handle, delimiter="\t")}
    assert kind_words == set(KIND_WORD_ADMITS)


def test_every_form_type_has_a_weight_and_a_phrase() -> None:
    assert set(FORM_TYPES) == set(NAME_TYPES) | {"derived_ru"}
    assert set(weights.FORM_WEIGHT) == set(FORM_TYPES)
    assert set(FORM_PHRASE) == set(FORM_TYPES)


def test_every_status_ranks() -> None:
    assert set(STATUS_RANK) == set(STATUSES)


def test_index_rows_follow_the_gazetteer_fields() -> None:
    assert EntityRow._fields == ("eid", *ENTITY_FIELDS)
    assert FormRow._fields[:3] == ("fid", "eid", "text")
    assert set(CANDIDATE_FIELDS) <= set(EntityRow._fields)


def test_an_unknown_name_type_is_an_error(tmp_path) -> None:
    with pytest.raises(IndexError_, match="unknown type"):
        prepare_name("city", Name("Київ", "uk", "Cyrl", "nickname", "test"))
    record = EntityRecord("UA80000000000093317", "city", "Kyiv")
    record.add_name(Name("Київ", "uk", "Cyrl", "nickname", "test"))
    with pytest.raises(DataError, match="unknown name type"):
        write_store(tmp_path / "base.sqlite", [record], {})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mark", APOSTROPHES)
def test_every_apostrophe_is_one_apostrophe_everywhere(mark: str) -> None:
    word = f"Кам{mark}янське"
    assert clean_text(word) == f"Кам{APOSTROPHE}янське"
    assert [token.text for token in tokenize(f"у {word} вчора")] == ["у", word, "вчора"]
    assert fold_name(word) == fold_name("Кам'янське")
    assert fold(word) == fold("Кам'янське")


@pytest.mark.parametrize("dash", DASH_LIKE)
def test_every_dash_is_one_dash(dash: str) -> None:
    assert clean_text(f"Івано{dash}Франківськ") == "Івано-Франківськ"
    assert fold_name(f"Івано{dash}Франківськ") == fold_name("Івано-Франківськ")
