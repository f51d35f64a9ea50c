"""The real-data evaluation sets are well-formed (benchmarks/data/eval_*.tsv, tests/golden/evalsets_sample.tsv).

Format only, never the matcher's accuracy: every file has the declared columns, every answer is a
unit of the installed codifier (or country:ua, NONE, NOT_UA), the clues a row declares are the ones
it carries, coordinates lie in or near Ukraine, and the held-out split follows its fixed rule.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "evalsets_sample.tsv"


def _load_format():
    spec = importlib.util.spec_from_file_location("evalsets_format", ROOT / "benchmarks" / "evalsets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fmt = _load_format()
FILES = [fmt.path(name, split) for name in fmt.SETS for split in fmt.SPLITS]
KATOTTG = re.compile(r"UA\d{17}")


@pytest.fixture(scope="module")
def codifier_ids() -> set[str]:
    from gazetteer.sources.katottg import read_codifier

    return {row.id for row in read_codifier()}


def check_rows(rows: list[dict[str, str]], ids: set[str], where: str) -> None:
    assert rows, f"{where}: no rows"
    for number, row in enumerate(rows, start=2):
        at = f"{where}:{number} {row['input']!r}"
        assert row["input"].strip(), at
        expected = row["expected"]
        assert expected in (fmt.NONE, fmt.NOT_UA, "country:ua") or (KATOTTG.fullmatch(expected) and expected in ids), at
        assert row["namesakes"].isdigit(), at
        if KATOTTG.fullmatch(expected):
            assert int(row["namesakes"]) >= 1, at
        clues = row["clues"].split("+")
        assert clues[0] == "name" and set(clues) <= set(fmt.CLUES), at
        for clue in ("oblast", "raion", "hromada"):
            assert (clue in clues) == bool(row[clue]), f"{at}: clue {clue}"
        assert ("near" in clues) == bool(row["lat"]) == bool(row["lon"]), at
        if row["lat"]:
            lat, lon = float(row["lat"]), float(row["lon"])
            assert 44.0 <= lat <= 52.6 and 22.0 <= lon <= 40.4, at
        assert row["variant"] and "\t" not in row["variant"], at


@pytest.mark.parametrize("source", FILES, ids=lambda p: p.name)
def test_case_file_format(source: Path, codifier_ids: set[str]) -> None:
    check_rows(fmt.read_cases(source), codifier_ids, source.name)


@pytest.mark.parametrize("source", FILES, ids=lambda p: p.name)
def test_split_follows_the_fixed_rule(source: Path) -> None:
    holdout = source.stem.endswith("_holdout")
    for row in fmt.read_cases(source):
        assert fmt.held_out(fmt.split_key(row)) == holdout, row


@pytest.mark.parametrize("name", list(fmt.SETS))
def test_no_unit_in_both_splits(name: str) -> None:
    dev = {fmt.split_key(r) for r in fmt.read_cases(fmt.path(name, "dev"))}
    holdout = {fmt.split_key(r) for r in fmt.read_cases(fmt.path(name, "holdout"))}
    assert not dev & holdout


def test_held_out_share_is_about_thirty_percent() -> None:
    keys = [f"UA{i:017d}" for i in range(10000)]
    share = sum(map(fmt.held_out, keys)) / len(keys)
    assert 0.27 < share < 0.33


def test_golden_sample(codifier_ids: set[str]) -> None:
    rows = fmt.read_cases(GOLDEN)
    check_rows(rows, codifier_ids, GOLDEN.name)
    # the sample shows every set and a multi-line cell survives the escaping
    assert any("\n" in row["input"] for row in rows)
    assert {row["expected"] for row in rows} >= {fmt.NONE, fmt.NOT_UA, "country:ua"}


def test_escaping_round_trip(tmp_path: Path) -> None:
    row = dict.fromkeys(fmt.COLUMNS, "")
    row.update(input="вул. Миру, 5\nм. Буча\tтаб \\n не рядок", expected=fmt.NONE, namesakes="0",
               variant="v", clues="name")
    target = tmp_path / "cases.tsv"
    fmt.write_cases(target, [row])
    assert fmt.read_cases(target) == [row]


def test_a_wrong_header_is_an_error(tmp_path: Path) -> None:
    target = tmp_path / "cases.tsv"
    target.write_text("input\texpected\nx\tNONE\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        fmt.read_cases(target)
