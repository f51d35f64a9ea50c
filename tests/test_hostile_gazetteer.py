"""Hostile input for the gazetteer API: lookups, and the user layer's add/remove/import/undo on a private home.

Invariants: only the documented exceptions (TypeError for non-str arguments, the ValueError and
LookupError subclasses of gazetteer/errors.py); an accepted change is one op that undo reverts;
what the layer stores comes back through export.
"""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gazetteer import Gazetteer
from gazetteer.errors import DataError, GazetteerError, UnknownEntityError
from normalizer import Normalizer

from .hypothesis_profiles import HOSTILE, file_text, hostile_text, noisy_names, real_names, scaled

KYIV = "UA80000000000093317"
entity_ids = st.one_of(st.sampled_from([KYIV, "UA44120050010021900", "person:serhii-haidai", "region:donbas",
                                        "UA00000000000000000", "", "  ", "ua80000000000093317"]), hostile_text)
documented = (GazetteerError, ValueError, LookupError)


def documented_only(call):
    """Run `call`; return its value, or None when it raised a documented error."""
    try:
        return call()
    except documented as exc:
        assert isinstance(exc, GazetteerError) or type(exc) in (ValueError, LookupError, KeyError), \
            f"undocumented {type(exc).__name__}: {exc}"
        return None


# -- lookups --------------------------------------------------------------------------------


@HOSTILE
@given(entity_id=entity_ids)
def test_lookups_of_any_id(gazetteer: Gazetteer, entity_id) -> None:
    found = gazetteer.find(entity_id)
    assert (entity_id in gazetteer) == (found is not None)
    if found is None:
        with pytest.raises(UnknownEntityError):
            gazetteer.get(entity_id)
        with pytest.raises(UnknownEntityError):
            gazetteer.names(entity_id)
        with pytest.raises(UnknownEntityError):
            gazetteer.parents(entity_id)
    else:
        assert gazetteer.get(entity_id) == found
        gazetteer.names(entity_id), gazetteer.children(entity_id), gazetteer.parents(entity_id)
    assert gazetteer.is_hidden(entity_id) in (True, False)


@HOSTILE
@given(text=st.one_of(hostile_text, noisy_names, real_names), limit=st.integers(1, 50))
def test_search_any_text(gazetteer: Gazetteer, text, limit) -> None:
    found = gazetteer.search(text, limit=limit)
    assert len(found) <= limit and all(gazetteer.find(e.id) is not None for e in found)


@pytest.mark.parametrize("entity_id", ["\udcff", "UA80000000000093317\udcff", "\ud800person:x"])
def test_ids_with_lone_surrogates_are_unknown(gazetteer: Gazetteer, entity_id) -> None:
    """Regression: a lone surrogate reached SQLite (UnicodeEncodeError) from find, get, names and search."""
    assert gazetteer.find(entity_id) is None and entity_id not in gazetteer
    with pytest.raises(UnknownEntityError):
        gazetteer.get(entity_id)
    assert gazetteer.search(entity_id) == []
    assert not gazetteer.is_hidden(entity_id)


@pytest.mark.parametrize("limit", [10**30, 2**63])
def test_huge_limits_are_clamped(gazetteer: Gazetteer, limit) -> None:
    """Regression: a limit beyond SQLite's 64-bit integers raised OverflowError (a traceback in the CLI)."""
    assert gazetteer.search("Kyiv", limit=limit)
    assert gazetteer.history(limit=limit) == gazetteer.history()


@pytest.mark.parametrize("limit", [0, -1, 1.5, None, "3"])
def test_bad_search_limits_are_value_errors(gazetteer: Gazetteer, limit) -> None:
    with pytest.raises(ValueError):
        gazetteer.search("Kyiv", limit=limit)


@pytest.mark.parametrize("value", [None, 5, b"Kyiv", ["Kyiv"]])
def test_non_str_lookups_are_type_errors(gazetteer: Gazetteer, value) -> None:
    with pytest.raises(TypeError):
        gazetteer.find(value)
    with pytest.raises(TypeError):
        gazetteer.search(value)


# -- the user layer (a private home) ----------------------------------------------------------


@pytest.fixture
def norm(fresh_home):
    n = Normalizer(fresh_home)
    yield n
    n.close()


@scaled(20)
@given(entity_id=entity_ids, text=st.one_of(hostile_text, noisy_names, real_names),
       lang=st.one_of(st.none(), st.sampled_from(["uk", "ru", "en", "und", "xx-Latn", "UK", "", "\udcff"]),
                      hostile_text),
       note=st.one_of(st.none(), hostile_text), force=st.booleans())
def test_add_variant_any_input(norm: Normalizer, entity_id, text, lang, note, force) -> None:
    before = len(norm.gazetteer.history())
    change = documented_only(lambda: norm.add_variant(entity_id, text, lang=lang, note=note, force=force))
    history = norm.gazetteer.history()
    if change is None or change.op_id is None:  # refused, or already known: no op
        assert len(history) == before, "a change that did nothing left an op behind"
        return
    assert len(history) == before + 1 and history[-1].op_id == change.op_id
    def variants() -> set[str]:
        return {v.text for v in norm.gazetteer.user_layer.variants(change.entity_id)}

    assert change.text in variants() and change.text in norm.gazetteer.export()
    norm.undo(change.op_id)
    assert change.text not in variants()


@scaled(15)
@given(kind=st.sampled_from(["village", "person", "facility", "foreign", "region", "planet", "", "\udcff"]),
       name_uk=st.one_of(st.none(), hostile_text, st.sampled_from(["Нововигадане", "Тест\u0301"])),
       name=st.one_of(st.none(), hostile_text, st.sampled_from(["Novovyhadane", "Test City"])),
       name_ru=st.one_of(st.none(), hostile_text), parent_id=st.one_of(st.none(), entity_ids),
       entity_id=st.one_of(st.none(), hostile_text, st.sampled_from(["person:ivan-test", "x:y", "UA123"])),
       country=st.one_of(st.none(), st.sampled_from(["UA", "pl", "XXX", "\udcff", ""])),
       role=st.one_of(st.none(), hostile_text))
def test_add_entity_any_input(norm: Normalizer, kind, name_uk, name, name_ru, parent_id, entity_id, country,
                              role) -> None:
    entity = documented_only(lambda: norm.add_entity(kind=kind, name_uk=name_uk, name=name, name_ru=name_ru,
                                                     parent_id=parent_id, entity_id=entity_id, country=country,
                                                     role=role))
    if entity is None:
        return
    assert norm.gazetteer.get(entity.id) == entity
    documented_only(lambda: norm.remove_entity(entity.id))


@scaled(15)
@given(rows=st.lists(st.tuples(st.one_of(file_text, real_names), st.sampled_from([KYIV, "nope", "", "region:donbas"]),
                               st.sampled_from(["", "uk", "bad lang"]), st.sampled_from(["", "variant", "hide", "x"])),
                     max_size=8),
       skip_invalid=st.booleans(), force=st.booleans(), dry_run=st.booleans())
def test_import_variants_any_rows(norm: Normalizer, tmp_path_factory, rows, skip_invalid, force, dry_run) -> None:
    path = tmp_path_factory.mktemp("imp") / "import.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "id", "lang", "action"])
        writer.writerows(rows)
    before = len(norm.gazetteer.history())
    report = documented_only(lambda: norm.import_variants(path, skip_invalid=skip_invalid, force=force,
                                                         dry_run=dry_run))
    after = len(norm.gazetteer.history())
    if report is None or dry_run or not report.applied:
        assert after == before, "nothing may be applied"
    else:
        assert after == before + 1, "an import is one op"


@pytest.mark.parametrize("content", [
    b"text,id\n" + b"x" * 200_000 + b"," + KYIV.encode() + b"\n",
    b"text\tid\n" + b"y" * 150_000 + b"\t" + KYIV.encode() + b"\n",
], ids=["csv", "tsv"])
def test_import_a_field_over_the_csv_limit_is_a_data_error(norm: Normalizer, tmp_path, content) -> None:
    """Regression: csv's 128 KB field limit raised _csv.Error (not a documented error; a CLI traceback)."""
    path = tmp_path / "big.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match="line 2"):
        norm.import_variants(path)
    assert norm.gazetteer.history() == []


@pytest.mark.parametrize("op", [10**30, -(10**30), 2**63, 0, -1])
def test_undo_of_impossible_ops_is_an_unknown_op(norm: Normalizer, op) -> None:
    """Regression: an op number beyond 64 bits raised OverflowError."""
    from gazetteer.userlayer import UnknownOpError

    with pytest.raises(UnknownOpError):
        norm.undo(op)


@pytest.mark.parametrize("entity_id", ["\udcff", KYIV + "\udcff"])
def test_writes_naming_ids_with_lone_surrogates(norm: Normalizer, entity_id) -> None:
    """Regression: UnicodeEncodeError from SQLite instead of UnknownEntityError."""
    with pytest.raises(UnknownEntityError):
        norm.add_variant(entity_id, "Kyivgrad")
    with pytest.raises(UnknownEntityError):
        norm.remove_variant(entity_id, "Kyivgrad")
    with pytest.raises(UnknownEntityError):
        norm.remove_entity(entity_id)
    with pytest.raises(UnknownEntityError):
        norm.add_entity(kind="village", name_uk="Нововигадане", parent_id=entity_id)
