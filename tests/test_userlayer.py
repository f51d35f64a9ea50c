"""The user layer: every command through the CLI and the Python API, the conflict rule,
import (plain and review files), export round trip, history and undo, bad input and bad files.

Every test that writes works in `fresh_home`, a private copy of the built home.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gazetteer import (
    Gazetteer,
    ImportRejectedError,
    InvalidTextError,
    StoreError,
    UnknownEntityError,
    VariantConflictError,
)
from gazetteer.userlayer import (
    HiddenEntityError,
    UnknownOpError,
    UnknownVariantError,
    UserLayerError,
)
from normalizer import Normalizer
from normalizer.cli import main

from .home_copies import copy_home

REPO = Path(__file__).resolve().parent.parent
LYSYCHANSK = "UA44120050010021900"
NOVODRUZHESK = "UA44120050020047657"  # a small city next to Lysychansk
LYSYCHANSK_HROMADA = "UA44120050000066819"
HAIDAI = "person:serhii-haidai"
#: Invented names no entity carries (checked unmatched before use).
ALIEN = "Xylqvarnetsk"
ALIEN_2 = "Pryvydobrodsk"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process: (exit status, stdout, stderr)."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def unique_villages(gazetteer: Gazetteer, count: int) -> list[tuple[str, str]]:
    """(ID, Latin name) of villages without population whose name no other entity bears, in different oblasts."""
    rows = gazetteer.base.query(
        "SELECT e.id, e.name, e.oblast_id FROM entities e JOIN names n ON n.entity_id = e.id"
        " AND n.type = 'official_latin' WHERE e.kind = 'village' AND e.population IS NULL"
        " AND length(e.name) > 9 AND (SELECT count(*) FROM names m WHERE m.fold = n.fold) = 1"
        " ORDER BY e.id LIMIT 400"
    )
    chosen: list[tuple[str, str]] = []
    oblasts: set[str] = set()
    for entity_id, name, oblast in rows:
        if oblast not in oblasts:
            chosen.append((entity_id, name))
            oblasts.add(oblast)
        if len(chosen) == count:
            return chosen
    raise AssertionError("not enough unique village names")


@pytest.fixture
def norm(fresh_home: Path):
    """A Normalizer on a private, writable home."""
    normalizer = Normalizer(fresh_home)
    assert normalizer.resolve(ALIEN).status == "unmatched"
    assert normalizer.resolve(ALIEN_2).status == "unmatched"
    yield normalizer
    normalizer.close()


# -- add-variant ------------------------------------------------------------------------


def test_add_variant_then_match_is_fast_and_explained(norm: Normalizer) -> None:
    started = time.perf_counter()
    change = norm.add_variant(LYSYCHANSK, ALIEN, lang="en", note="seen in a report")
    result = norm.resolve(ALIEN)
    elapsed = time.perf_counter() - started
    assert change.status == "added" and change.op_id == 1
    assert result.status == "matched" and result.best.id == LYSYCHANSK
    assert "user-added variant" in result.explanation
    assert elapsed < 1.0, f"add-variant + match took {elapsed:.3f}s"
    # its transliteration and fuzzy neighbours follow, as for any name
    assert norm.resolve("Ksylqvarnetsk").id == LYSYCHANSK
    assert norm.resolve("Xylqvarnetk").id == LYSYCHANSK
    name = norm.gazetteer.names(LYSYCHANSK)[-1]
    assert (name.text, name.type, name.source, name.lang, name.note) == (ALIEN, "user", "user", "en",
                                                                         "seen in a report")
    assert norm.gazetteer.search(ALIEN.lower())[0].id == LYSYCHANSK


def test_add_variant_cli(fresh_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "gazetteer", "add-variant", LYSYCHANSK, ALIEN, "--note", "from the CLI")
    assert status == 0, err
    assert f"added '{ALIEN}' as a variant of {LYSYCHANSK} Lysychansk" in out
    status, out, _ = run(capsys, "match", "--json", ALIEN)
    assert json.loads(out)["id"] == LYSYCHANSK
    status, out, _ = run(capsys, "gazetteer", "add-variant", LYSYCHANSK, ALIEN, "--json")
    assert status == 0 and json.loads(out)["status"] == "already known"


def test_a_text_the_entity_already_carries_is_already_known(norm: Normalizer) -> None:
    change = norm.add_variant(LYSYCHANSK, "Лисичанськ")
    assert change.status == "already known" and change.op_id is None
    assert "built-in name" in change.message
    norm.add_variant(LYSYCHANSK, ALIEN)
    again = norm.add_variant(LYSYCHANSK, f"  {ALIEN.upper()} ")
    assert again.status == "already known" and "user variant (op 1)" in again.message
    assert len(norm.gazetteer.history()) == 1


def test_conflict_is_refused_naming_the_other_entity(norm: Normalizer, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(VariantConflictError) as caught:
        norm.add_variant(NOVODRUZHESK, "Lysychansk")
    assert caught.value.other_id == LYSYCHANSK
    assert LYSYCHANSK in str(caught.value) and "--force" in str(caught.value)
    assert norm.gazetteer.history() == []
    status, _, err = run(capsys, "gazetteer", "add-variant", NOVODRUZHESK, "Lysychansk")
    assert status == 1 and LYSYCHANSK in err and "Lysychansk" in err and "Traceback" not in err


def test_force_makes_both_candidates_until_context_decides(norm: Normalizer) -> None:
    (first, name), (second, _) = unique_villages(norm.gazetteer, 2)
    assert norm.resolve(name).id == first
    with pytest.raises(VariantConflictError):
        norm.add_variant(second, name)
    change = norm.add_variant(second, name, force=True)
    assert change.status == "added"
    result = norm.resolve(name)
    assert result.status == "ambiguous"
    assert {first, second} <= {c.id for c in result.candidates}
    oblast = norm.gazetteer.get(second).oblast_id
    assert norm.resolve(name, oblast=oblast).id == second


def test_unknown_id_is_a_clear_error(norm: Normalizer, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UnknownEntityError):
        norm.add_variant("UA99999999999999999", ALIEN)
    with pytest.raises(LookupError):
        norm.gazetteer.add_variant("person:nobody-at-all", ALIEN)
    status, _, err = run(capsys, "gazetteer", "add-variant", "UA99999999999999999", ALIEN)
    assert status == 1 and "unknown entity ID" in err and "UA99999999999999999" in err
    assert not (norm.home / "user.sqlite").exists() or norm.gazetteer.history() == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \t ", "blank"),
        ("x" * 501, "501 characters"),
        ("Lisi\x00chansk", "U+0000"),
        ("Lisi\nchansk", "U+000A"),
        ("Lisi\u200bchansk", "U+200B"),
        ("!!! ---", "no letter"),
    ],
)
def test_bad_text_is_refused(norm: Normalizer, text: str, message: str) -> None:
    with pytest.raises(InvalidTextError, match=re.escape(message)):
        norm.add_variant(LYSYCHANSK, text)


def test_bad_text_through_the_cli(fresh_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "gazetteer", "add-variant", LYSYCHANSK, "   ")
    assert status == 1 and "blank" in err
    status, _, err = run(capsys, "gazetteer", "add-variant", LYSYCHANSK, "a" * 600)
    assert status == 1 and "limit is 500" in err
    status, _, err = run(capsys, "gazetteer", "add-variant", LYSYCHANSK, ALIEN, "--lang", "Ukrainian!")
    assert status == 1 and "language code" in err


# -- add-entity ---------------------------------------------------------------------------


def test_add_entity_generates_ids_and_matches(norm: Normalizer) -> None:
    person = norm.add_entity(kind="person", name_uk="Остап Вигаданенко", name_ru="Остап Выдуманенко",
                             role="test person")
    assert person.id == "person:ostap-vyhadanenko" and person.name == "Ostap Vyhadanenko"
    twin = norm.add_entity(kind="person", name_uk="Остап Вигаданенко")
    assert twin.id == "person:ostap-vyhadanenko-2"
    village = norm.add_entity(kind="village", name_uk="Нововигадане", parent_id=LYSYCHANSK_HROMADA)
    assert village.id == "user:village-novovyhadane"
    assert village.oblast_id == norm.gazetteer.get(LYSYCHANSK).oblast_id
    plant = norm.add_entity(kind="facility", name="Testova Power Plant", entity_id="facility:testova-npp")
    assert plant.id == "facility:testova-npp" and plant.name_uk is None

    assert norm.resolve("Ostap Vyhadanenko").best.id == person.id
    assert norm.resolve("Остапа Выдуманенко").best.id == person.id
    assert norm.resolve("Nowowyhadane").id == village.id
    assert norm.resolve(village.id).id == village.id
    assert norm.resolve("Testova Power Plant").id == plant.id

    gazetteer = norm.gazetteer
    assert gazetteer.get(village.id) == village
    assert village in gazetteer.children(LYSYCHANSK_HROMADA)
    assert next(p.id for p in gazetteer.parents(village.id)) == LYSYCHANSK_HROMADA
    assert {e.id for e in gazetteer.entities("person")} >= {person.id, twin.id, HAIDAI}
    assert gazetteer.search("Нововигадане")[0].id == village.id
    assert {n.type for n in gazetteer.names(person.id)} >= {"official", "official_latin", "russian"}
    assert len(gazetteer) == gazetteer.base.count() + 4


def test_add_entity_validation(norm: Normalizer) -> None:
    with pytest.raises(UnknownEntityError):
        norm.add_entity(kind="village", name_uk="Десьтамівка", parent_id="UA00000000000000000")
    with pytest.raises(UserLayerError, match="kind must be one of"):
        norm.add_entity(kind="planet", name_uk="Десьтамівка")
    with pytest.raises(InvalidTextError, match="not in Cyrillic"):
        norm.add_entity(kind="village", name_uk="Destamivka")
    with pytest.raises(InvalidTextError, match="needs a name"):
        norm.add_entity(kind="village")
    with pytest.raises(UserLayerError, match="namespace:slug"):
        norm.add_entity(kind="person", name_uk="Іван Іваненко", entity_id="UA12345678901234567")
    with pytest.raises(UserLayerError, match="taken"):
        norm.add_entity(kind="person", name_uk="Сергій Гайдай", entity_id=HAIDAI)
    assert norm.gazetteer.history() == []


def test_add_entity_cli(fresh_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "gazetteer", "add-entity", "--kind", "facility", "--name-uk", "Завод Тестовий",
                           "--parent", LYSYCHANSK, "--note", "a plant")
    assert status == 0, err
    assert "facility:zavod-testovyi" in out
    status, out, _ = run(capsys, "match", "--json", "Zavod Testovyi")
    assert json.loads(out)["id"] == "facility:zavod-testovyi"
    status, out, _ = run(capsys, "gazetteer", "show", "facility:zavod-testovyi", "--json")
    assert json.loads(out)["parents"][0]["id"] == LYSYCHANSK
    status, _, err = run(capsys, "gazetteer", "add-entity", "--kind", "village", "--name-uk", "Десь",
                         "--parent", "UA00000000000000000")
    assert status == 1 and "UA00000000000000000" in err


# -- remove-variant, remove-entity -------------------------------------------------------------


def test_remove_variant(norm: Normalizer, capsys: pytest.CaptureFixture[str]) -> None:
    norm.add_variant(LYSYCHANSK, ALIEN)
    norm.add_variant(LYSYCHANSK, ALIEN_2)
    change = norm.remove_variant(LYSYCHANSK, ALIEN.lower())
    assert change.status == "removed" and change.text == ALIEN
    assert norm.resolve(ALIEN).status == "unmatched"
    assert norm.resolve(ALIEN_2).id == LYSYCHANSK
    with pytest.raises(UnknownVariantError):
        norm.remove_variant(LYSYCHANSK, ALIEN)
    with pytest.raises(UserLayerError, match="built-in name"):
        norm.remove_variant(LYSYCHANSK, "Lysychansk")
    with pytest.raises(UnknownEntityError):
        norm.remove_variant("UA99999999999999999", ALIEN)
    status, out, _ = run(capsys, "gazetteer", "remove-variant", LYSYCHANSK, ALIEN_2)
    assert status == 0 and "removed" in out
    status, _, err = run(capsys, "gazetteer", "remove-variant", LYSYCHANSK, "Лисичанськ")
    assert status == 1 and "built-in name" in err
    assert norm.resolve("Lysychansk").id == LYSYCHANSK


def test_remove_entity_deletes_user_entities_and_hides_built_ins(norm: Normalizer,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    village = norm.add_entity(kind="village", name_uk="Нововигадане", parent_id=LYSYCHANSK_HROMADA)
    norm.add_variant(village.id, ALIEN)
    change = norm.remove_entity(village.id)
    assert change.status == "removed" and "1 variant" in change.message
    assert norm.resolve("Novovyhadane").status == "unmatched"
    assert norm.resolve(ALIEN).status == "unmatched"
    assert norm.gazetteer.find(village.id) is None

    hide = norm.remove_entity(NOVODRUZHESK)
    assert hide.status == "hidden" and "built in" in hide.message and f"undo {hide.op_id}" in hide.message
    for text in ("Novodruzhesk", "Новодружеськ", NOVODRUZHESK):
        assert norm.resolve(text).best is None or norm.resolve(text).best.id != NOVODRUZHESK
    assert NOVODRUZHESK not in {e.id for e in norm.gazetteer.search("Novodruzhesk")}
    assert norm.gazetteer.get(NOVODRUZHESK).name == "Novodruzhesk"  # IDs in old data stay valid
    assert norm.gazetteer.is_hidden(NOVODRUZHESK)
    assert NOVODRUZHESK not in {e.id for e in norm.gazetteer.entities("city", include_hidden=False)}
    assert norm.remove_entity(NOVODRUZHESK).status == "already hidden"
    with pytest.raises(HiddenEntityError, match=f"undo {hide.op_id}"):
        norm.add_variant(NOVODRUZHESK, ALIEN_2)

    status, out, _ = run(capsys, "gazetteer", "undo", str(hide.op_id))
    assert status == 0
    norm.sync()
    assert norm.resolve("Novodruzhesk").id == NOVODRUZHESK
    assert norm.resolve(NOVODRUZHESK).id == NOVODRUZHESK
    status, out, _ = run(capsys, "gazetteer", "remove-entity", LYSYCHANSK)
    assert status == 0 and "hidden, not deleted" in out
    status, _, err = run(capsys, "gazetteer", "remove-entity", "person:nobody-at-all")
    assert status == 1 and "unknown entity ID" in err


def test_a_user_entity_with_children_cannot_be_removed(norm: Normalizer) -> None:
    village = norm.add_entity(kind="village", name_uk="Нововигадане", parent_id=LYSYCHANSK_HROMADA)
    norm.add_entity(kind="facility", name_uk="Ферма Вигадана", parent_id=village.id)
    with pytest.raises(UserLayerError, match="parent of user entities"):
        norm.remove_entity(village.id)


# -- history and undo ---------------------------------------------------------------------------


def test_history_and_undo(norm: Normalizer, capsys: pytest.CaptureFixture[str]) -> None:
    norm.add_variant(LYSYCHANSK, ALIEN, note="first")
    norm.add_variant(LYSYCHANSK, ALIEN_2)
    status, out, _ = run(capsys, "gazetteer", "history")
    lines = out.strip().splitlines()
    assert status == 0 and len(lines) == 2
    assert "add-variant" in lines[0] and ALIEN in lines[0] and "(first)" in lines[0]
    status, out, _ = run(capsys, "gazetteer", "history", "--json", "--limit", "1")
    ops = json.loads(out)
    assert [op["op_id"] for op in ops] == [2] and ops[0]["source"] == "user" and ops[0]["who"]

    undo = norm.undo(1)
    assert undo.op_id == 3 and "undid op 1" in undo.message
    assert norm.resolve(ALIEN).status == "unmatched"
    assert norm.resolve(ALIEN_2).id == LYSYCHANSK
    assert norm.gazetteer.history()[0].undone_by == 3
    with pytest.raises(UserLayerError, match="already undone by op 3"):
        norm.undo(1)
    with pytest.raises(UnknownOpError):
        norm.undo(99)
    redo = norm.undo(3)  # the undo of an undo puts the variant back
    assert redo.status == "undone"
    assert norm.resolve(ALIEN).id == LYSYCHANSK
    status, _, err = run(capsys, "gazetteer", "undo", "99")
    assert status == 1 and "no op 99" in err


def test_undo_of_a_removal_restores_entity_and_variants(norm: Normalizer) -> None:
    village = norm.add_entity(kind="village", name_uk="Нововигадане", parent_id=LYSYCHANSK_HROMADA)
    norm.add_variant(village.id, ALIEN)
    removal = norm.remove_entity(village.id)
    norm.undo(removal.op_id)
    assert norm.gazetteer.get(village.id) == village
    assert norm.resolve("Novovyhadane").id == village.id
    assert norm.resolve(ALIEN).id == village.id


# -- import-variants and export -------------------------------------------------------------------


def write_rows(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_import_plain_csv_reports_every_row(norm: Normalizer, tmp_path: Path) -> None:
    (village, village_name), = unique_villages(norm.gazetteer, 1)
    path = write_rows(tmp_path / "variants.csv", ["text", "id", "lang", "note"], [
        [ALIEN, LYSYCHANSK, "en", "from a report"],
        ["Lysychansk", LYSYCHANSK, "", ""],            # already known (built in)
        [village_name, NOVODRUZHESK, "", ""],          # conflict: another entity's name
        [ALIEN_2, NOVODRUZHESK, "", ""],
        [ALIEN.lower(), LYSYCHANSK, "", ""],           # repeats the first row
    ])
    report = norm.import_variants(path)
    assert [o.text for o in report.added] == [ALIEN, ALIEN_2]
    assert len(report.known) == 2 and len(report.conflicts) == 1 and not report.invalid
    assert village in report.conflicts[0].detail
    assert report.op_id == 1 and len(norm.gazetteer.history()) == 1
    assert norm.gazetteer.history()[0].action == "import" and norm.gazetteer.history()[0].source == "import"
    assert norm.resolve(ALIEN).id == LYSYCHANSK and norm.resolve(ALIEN_2).id == NOVODRUZHESK
    assert norm.resolve(village_name).id == village
    forced = norm.import_variants(path, force=True)
    assert [o.text for o in forced.added] == [village_name]


def test_import_with_an_invalid_row_applies_nothing(norm: Normalizer, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = write_rows(tmp_path / "variants.tsv", ["id", "text"], [
        [LYSYCHANSK, ALIEN],
        ["UA99999999999999999", "Nowhere"],
        [NOVODRUZHESK, "   "],
        [NOVODRUZHESK, ALIEN_2],
    ], delimiter="\t")
    with pytest.raises(ImportRejectedError) as caught:
        norm.import_variants(path)
    assert [o.line for o in caught.value.report.invalid] == [3, 4]
    assert norm.gazetteer.history() == [] and norm.resolve(ALIEN).status == "unmatched"
    status, _, err = run(capsys, "gazetteer", "import-variants", str(path))
    assert status == 1 and "2 invalid row(s)" in err and "line 3" in err and "nothing was applied" in err
    status, out, _ = run(capsys, "gazetteer", "import-variants", str(path), "--dry-run", "--skip-invalid")
    assert status == 0 and "dry run" in out and norm.gazetteer.history() == []
    status, out, _ = run(capsys, "gazetteer", "import-variants", str(path), "--skip-invalid")
    assert status == 0 and "2 added" in out and "2 invalid" in out
    norm.sync()
    assert norm.resolve(ALIEN).id == LYSYCHANSK and norm.resolve(ALIEN_2).id == NOVODRUZHESK


def test_import_file_errors(norm: Normalizer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_rows(tmp_path / "bad.csv", ["name", "code"], [["x", "y"]])
    status, _, err = run(capsys, "gazetteer", "import-variants", str(bad))
    assert status == 1 and "text and id columns" in err
    status, _, err = run(capsys, "gazetteer", "import-variants", str(tmp_path / "missing.csv"))
    assert status == 1 and "missing.csv" in err
    for unreadable in (tmp_path / "missing.csv", tmp_path):  # the typed contract: a ValueError, naming it
        with pytest.raises(ValueError, match="cannot be read") as caught:
            norm.import_variants(unreadable, dry_run=True)
        assert str(unreadable) in str(caught.value)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("text,id\nK\xf6ln,UA44120050010021900\n".encode("latin-1"))
    status, _, err = run(capsys, "gazetteer", "import-variants", str(latin1))
    assert status == 1 and "not UTF-8" in err and "latin1.csv" in err


def test_review_file_round_trip(fresh_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A review file in the format of `uanorm clean`, chosen_id filled by hand, fed back."""
    review = write_rows(
        tmp_path / "events.review.csv",
        ["column", "value", "oblast", "count", "status", "candidate_1_id", "candidate_1_name", "candidate_1_score",
         "candidate_2_id", "candidate_2_name", "candidate_2_score", "chosen_id"],
        [
            ["location", ALIEN, "Luhansk oblast", "12", "unmatched", "", "", "", "", "", "", LYSYCHANSK],
            ["location", "Novodruzhesk-2", "", "3", "ambiguous", NOVODRUZHESK, "Novodruzhesk", "0.83",
             LYSYCHANSK, "Lysychansk", "0.81", NOVODRUZHESK],
            ["location", ALIEN_2, "", "1", "unmatched", "", "", "", "", "", "", ""],
        ],
    )
    with Normalizer() as normalizer:
        before = normalizer.resolve(ALIEN)
    assert before.status == "unmatched"
    status, out, err = run(capsys, "gazetteer", "import-variants", str(review))
    assert status == 0, err
    assert "2 added" in out and "1 review rows without chosen_id skipped" in out
    status, out, _ = run(capsys, "match", "--json", ALIEN, "Novodruzhesk-2", ALIEN_2)
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["id"] for a in answers] == [LYSYCHANSK, NOVODRUZHESK, None]
    with Gazetteer.open(fresh_home, build=False) as gazetteer:
        op = gazetteer.history()[-1]
        assert op.source == "review" and "events.review.csv" in op.summary
        decision = gazetteer.decisions(LYSYCHANSK)[-1]  # a review choice is a decision, not a global variant
        assert decision.source == "review" and decision.value == ALIEN and "count 12" in decision.note


def test_export_round_trips_through_import(home: Path, norm: Normalizer, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    person = norm.add_entity(kind="person", name_uk="Остап Вигаданенко", role="test person", note="n1")
    village = norm.add_entity(kind="village", name_uk="Нововигадане", name_ru="Нововыдуманное",
                              parent_id=LYSYCHANSK_HROMADA)
    norm.add_variant(village.id, ALIEN, lang="en", note="seen once")
    norm.add_variant(person.id, "Ostap Wyhadanenko")
    norm.add_variant(LYSYCHANSK, ALIEN_2)
    norm.remove_entity(NOVODRUZHESK)
    exported = tmp_path / "layer.tsv"
    status, out, _ = run(capsys, "gazetteer", "export", "--layer", "user", "-o", str(exported))
    assert status == 0 and "3 variants, 2 entities, 1 hidden" in out
    status, stdout_copy, _ = run(capsys, "gazetteer", "export", "-o", "-")
    assert stdout_copy == exported.read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".layer.tsv.*"))  # written atomically, nothing left behind

    other = copy_home(home, tmp_path / "other")
    with Normalizer(other) as second:
        report = second.import_variants(exported)
        assert len(report.added) == 6 and not report.invalid and not report.conflicts
        assert second.resolve(ALIEN).id == village.id
        assert second.resolve("Ostap Wyhadanenko").best.id == person.id
        assert second.resolve("Novodruzhesk").best is None or second.resolve("Novodruzhesk").best.id != NOVODRUZHESK
        again = second.import_variants(exported)
        assert not again.added and len(again.known) == 6 and again.op_id is None

        def comparable(text: str) -> list[dict[str, str]]:
            rows = list(csv.DictReader(text.splitlines(), delimiter="\t"))
            return [{k: v for k, v in row.items() if k not in ("source", "added_at")} for row in rows]

        assert comparable(second.gazetteer.export()) == comparable(exported.read_text(encoding="utf-8"))


# -- reload, sync, stats ---------------------------------------------------------------------------


def test_a_running_normalizer_sees_changes_after_reload(fresh_home: Path) -> None:
    with Normalizer(fresh_home) as running, Gazetteer.open(fresh_home, build=False) as writer:
        assert running.resolve(ALIEN).status == "unmatched"
        writer.add_variant(LYSYCHANSK, ALIEN)
        running.reload()
        assert running.resolve(ALIEN).id == LYSYCHANSK
        writer.add_variant(NOVODRUZHESK, ALIEN_2)
        result = running.sync()
        assert result.ops == 1 and not result.full
        assert running.resolve(ALIEN_2).id == NOVODRUZHESK


def test_the_index_records_the_last_applied_op(fresh_home: Path) -> None:
    with Normalizer(fresh_home) as normalizer:
        normalizer.add_variant(LYSYCHANSK, ALIEN)
        normalizer.add_variant(LYSYCHANSK, ALIEN_2)
        index = normalizer.index_path
    db = sqlite3.connect(index)
    meta = dict(db.execute("SELECT key, value FROM meta"))
    assert json.loads(meta["user_applied"]) == 2
    assert db.execute("SELECT count(DISTINCT key) FROM user_form").fetchone()[0] == 2
    db.close()
    with Normalizer(fresh_home) as reopened:  # nothing to apply: no write at all
        assert reopened.sync().ops == 0
        assert reopened.resolve(ALIEN_2).id == LYSYCHANSK


def test_stats_show_the_user_layer(norm: Normalizer, capsys: pytest.CaptureFixture[str]) -> None:
    norm.add_variant(LYSYCHANSK, ALIEN)
    _status, out, _ = run(capsys, "gazetteer", "stats", "--json")
    layer = json.loads(out)["user_layer"]
    assert (layer["ops"], layer["variants"], layer["entities"], layer["problems"]) == (1, 1, 0, [])
    assert layer["path"].endswith("user.sqlite")


# -- bad files --------------------------------------------------------------------------------------


@pytest.mark.parametrize("store", ["user.sqlite", "base.sqlite"])
@pytest.mark.parametrize("content", ["garbage", "foreign"])
def test_a_corrupted_or_foreign_store_is_a_clear_error(fresh_home: Path, capsys: pytest.CaptureFixture[str],
                                                        store: str, content: str) -> None:
    path = fresh_home / store
    if content == "garbage":
        path.write_bytes(b"this is not a database at all\n" * 200)
    else:
        path.unlink(missing_ok=True)
        foreign = sqlite3.connect(path)
        foreign.execute("CREATE TABLE invoices(id INTEGER, total REAL)")
        foreign.commit()
        foreign.close()
    hint = "export" if store == "user.sqlite" else "gazetteer build"
    for argv in (["match", "Lysychansk"], ["gazetteer", "add-variant", LYSYCHANSK, ALIEN], ["gazetteer", "history"]):
        status, out, err = run(capsys, *argv)
        assert status == 1, (argv, out)
        assert str(path) in err and hint in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
    with pytest.raises(StoreError, match=hint):
        Normalizer(fresh_home)


def test_a_damaged_user_layer_page_is_a_clear_error(fresh_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Gazetteer.open(fresh_home, build=False) as gazetteer:
        for number in range(300):
            gazetteer.add_variant(LYSYCHANSK, f"Damagetest {chr(65 + number % 26)}{number}")
    path = fresh_home / "user.sqlite"
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(page * 2, len(data), page):  # scribble over every page after the schema
        data[start : start + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    status, _, err = run(capsys, "gazetteer", "export")
    assert status == 1 and str(path) in err and "export" in err and "Traceback" not in err


def test_the_gazetteer_never_imports_the_normalizer() -> None:
    code = ("import sys, gazetteer, gazetteer.userlayer, gazetteer.api; "
            "bad = [m for m in sys.modules if m.startswith('normalizer')]; print(bad); sys.exit(bool(bad))")
    completed = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_review_round_trip_with_uanorm_clean(fresh_home: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The review file that `uanorm clean` writes, decided by hand, fed back: the next clean matches it."""
    source = write_rows(tmp_path / "events.csv", ["event", "location"],
                        [["1", ALIEN], ["2", "Lysychansk"], ["3", ALIEN], ["4", ALIEN_2]])
    review = tmp_path / "events.review.csv"
    status, _, err = run(capsys, "clean", str(source), "-c", "location", "-o", str(tmp_path / "out.csv"),
                         "--review", str(review), "-q")
    assert status == 0, err
    with open(review, encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert {row["value"] for row in table} == {ALIEN, ALIEN_2}
    for row in table:
        row["chosen_id"] = LYSYCHANSK if row["value"] == ALIEN else ""
    with open(review, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    status, out, err = run(capsys, "gazetteer", "import-variants", str(review))
    assert status == 0 and "1 added" in out and "1 review rows without chosen_id skipped" in out, err
    status, _, err = run(capsys, "clean", str(source), "-c", "location", "-o", str(tmp_path / "again.csv"),
                         "--no-review", "-q")
    assert status == 0, err
    with open(tmp_path / "again.csv", encoding="utf-8-sig", newline="") as handle:
        again = {row["location"]: (row["location_status"], row["location_id"]) for row in csv.DictReader(handle)}
    assert again[ALIEN] == ("matched", LYSYCHANSK)
    assert again[ALIEN_2][0] == "unmatched"


def test_threads_sharing_a_normalizer_add_and_resolve_without_deadlock(norm: Normalizer) -> None:
    from concurrent.futures import ThreadPoolExecutor, wait

    def writer(number: int) -> None:
        for i in range(4):
            norm.add_variant(LYSYCHANSK, f"Threadvariant {chr(97 + number)}{chr(97 + i)}")

    def reader() -> None:
        for _ in range(40):
            assert norm.resolve("Lysychansk").id == LYSYCHANSK

    pool = ThreadPoolExecutor(max_workers=5)
    try:
        futures = [pool.submit(writer, n) for n in range(4)] + [pool.submit(reader)]
        done, pending = wait(futures, timeout=60)
        assert not pending, "deadlock"
        for future in done:
            future.result()  # re-raises what a thread raised
    finally:
        pool.shutdown(wait=False)  # a deadlocked thread must not hang the test run too
    assert len(norm.gazetteer.user_layer.variants(LYSYCHANSK)) == 16
    assert norm.resolve("Threadvariant dd").id == LYSYCHANSK
