"""Cleaning with a row's clues, reviewing what stays undecided, and feeding the review back, end to end.

Real cases: Іванівка has 12 namesakes in Kharkiv oblast and two in Chuhuiv raion; Золочів is a
city in Lviv oblast and a settlement in Kharkiv oblast. A person decides in the review file (by a
candidate's number or an ID), imports it, and the next clean answers so there and only there.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from normalizer.cli import main

CHUHUIV_RAION = "UA63140000000096278"
KHARKIV_OBLAST = "UA63000000000041885"
IVANIVKA_VOVCHANSK = "UA63140010320082855"  # Іванівка of Vovchanska hromada, Chuhuiv raion
ZOLOCHIV_LVIV = "UA46040070010068975"
HEADER = ["place", "oblast", "raion", "lat", "lon"]
ROWS = [
    ["Іванівка", "Харківська", "Чугуївський", "", ""],
    ["Іванівка", "Kharkiv Oblast", "Chuhuivskyi raion", "", ""],
    ["Іванівка", "Харківська область", "Чугуївський район", "", ""],
    ["Іванівка", "Харківська", "", "", ""],
    ["Іванівка", "Полтавська", "", "", ""],
    ["Іванівка", "Харківська", "Вовчанський район", "", ""],  # the raion of before 2020
    ["Золочів", "", "", "50.28", "35.98"],  # at the settlement in Kharkiv oblast
    ["Золочів", "", "", "49.81", "24.90"],  # at the city in Lviv oblast
    ["Золочів", "", "", "abc", "24.90"],  # not a point: ignored
    ["Золочів", "", "", "", ""],
]
CLUES = ("--oblast-column", "oblast", "--raion-column", "raion", "--lat-column", "lat", "--lon-column", "lon")


def write_rows(path: Path, rows: list[list[str]] = ROWS) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def read_dicts(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def clean(source: Path, output: Path, review: Path | None, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    argv = ["clean", str(source), "-c", "place", *CLUES, "-o", str(output)]
    argv += ["--review", str(review)] if review is not None else ["--no-review"]
    status = main([*argv, "--workers", "1"])
    return status, capsys.readouterr().err


def test_clues_decide_and_the_review_lists_each_context_once(env_home, tmp_path, capsys) -> None:
    source = write_rows(tmp_path / "rows.csv")
    status, err = clean(source, tmp_path / "out.csv", tmp_path / "review.csv", capsys)
    assert status == 0, err
    out = read_dicts(tmp_path / "out.csv")
    # a raion of before 2020 settles it (Вовчанський район is in Chuhuiv raion today)
    assert (out[5]["place_status"], out[5]["place_id"], out[5]["place_raion_id"]) == \
        ("matched", IVANIVKA_VOVCHANSK, CHUHUIV_RAION)
    assert out[5]["place_oblast"] == "Kharkivska oblast" and out[5]["place_hromada"] == "Vovchanska hromada"
    assert float(out[5]["place_lat"]) == pytest.approx(50.245, abs=0.01) and out[5]["place_method"] == "context"
    # a point settles the namesakes of Золочів; without one (or with a broken one) they stay undecided
    assert out[7]["place_id"] == ZOLOCHIV_LVIV and out[7]["place_status"] == "matched"
    assert out[6]["place_status"] == "matched" and out[6]["place_oblast_id"] == KHARKIV_OBLAST
    assert out[8]["place_status"] == out[9]["place_status"] == "ambiguous"
    assert out[0]["place_status"] == "ambiguous" and out[0]["place_id"] == ""
    assert "1 distinct coordinate pair(s) are not a point" in err
    review = read_dicts(tmp_path / "review.csv")
    chuhuiv = [r for r in review if r["raion_id"] == CHUHUIV_RAION]
    assert len(chuhuiv) == 1 and chuhuiv[0]["count"] == "3"  # three spellings of one oblast and raion
    assert chuhuiv[0]["oblast_id"] == KHARKIV_OBLAST and chuhuiv[0]["why"].startswith("exactly matches")
    candidates = {chuhuiv[0][f"candidate_{n}_id"] for n in (1, 2)}
    assert IVANIVKA_VOVCHANSK in candidates
    assert all(chuhuiv[0][f"candidate_{n}_raion"] == "Chuhuivskyi raion" for n in (1, 2))
    assert chuhuiv[0]["candidate_1_map"].startswith("https://www.openstreetmap.org/?mlat=")
    zolochiv = [r for r in review if r["value"] == "Золочів"]
    assert len(zolochiv) == 1 and zolochiv[0]["count"] == "2" and zolochiv[0]["point"] == ""
    assert {r["status"] for r in review} == {"ambiguous"} and all(r["chosen_id"] == "" for r in review)


def _choose(review: Path, choose: dict[tuple[str, str], str], *, delimiter: str = ",",
            encoding: str = "utf-8-sig") -> None:
    """Fill chosen_id of the rows (value, raion_id) in `choose`, saved as a spreadsheet would."""
    rows = read_dicts(review)
    for row in rows:
        row["chosen_id"] = choose.get((row["value"], row["raion_id"]), "")
    with open(review, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)


def test_a_decision_by_number_applies_in_its_context_only(fresh_home, tmp_path, capsys) -> None:
    source = write_rows(tmp_path / "rows.csv")
    review = tmp_path / "review.csv"
    assert clean(source, tmp_path / "out.csv", review, capsys)[0] == 0
    chosen = next(r for r in read_dicts(review) if r["raion_id"] == CHUHUIV_RAION)
    number = next(n for n in range(1, 6) if chosen[f"candidate_{n}_id"] == IVANIVKA_VOVCHANSK)
    _choose(review, {("Іванівка", CHUHUIV_RAION): str(number)})
    # the filled review is a person's work: the next clean refuses to overwrite it, and writes nothing
    status, err = clean(source, tmp_path / "again.csv", review, capsys)
    assert status != 0 and "chosen_id" in err and "import" in err
    assert not (tmp_path / "again.csv").exists()
    assert read_dicts(review)[0]["chosen_id"] or any(r["chosen_id"] for r in read_dicts(review))
    assert main(["gazetteer", "import-variants", str(review)]) == 0
    capsys.readouterr()
    status, err = clean(source, tmp_path / "again.csv", review, capsys)  # imported: may be rewritten now
    assert status == 0, err
    again = read_dicts(tmp_path / "again.csv")
    for index in (0, 1, 2):  # every spelling of that oblast and raion
        assert (again[index]["place_status"], again[index]["place_id"], again[index]["place_method"]) == \
            ("matched", IVANIVKA_VOVCHANSK, "user decision")
    assert again[3]["place_status"] == "ambiguous"  # the same name elsewhere in Kharkiv oblast: still open
    assert again[4]["place_status"] == "ambiguous"  # and in Poltava oblast
    assert not any(r["raion_id"] == CHUHUIV_RAION for r in read_dicts(review))


@pytest.mark.parametrize("saved_as", ["semicolon-cp1251", "xlsx"])
def test_a_review_saved_by_a_spreadsheet_imports(fresh_home, tmp_path, capsys, saved_as) -> None:
    """Excel in a Ukrainian locale saves CSV with semicolons in Windows-1251; or the review is kept as XLSX."""
    source = write_rows(tmp_path / "rows.csv")
    review = tmp_path / "review.csv"
    assert clean(source, tmp_path / "out.csv", review, capsys)[0] == 0
    if saved_as == "xlsx":
        import polars as pl

        rows = read_dicts(review)
        for row in rows:
            row["chosen_id"] = IVANIVKA_VOVCHANSK if row["raion_id"] == CHUHUIV_RAION else ""
        target = tmp_path / "review.xlsx"
        pl.DataFrame(rows).write_excel(target)
    else:
        _choose(review, {("Іванівка", CHUHUIV_RAION): IVANIVKA_VOVCHANSK}, delimiter=";", encoding="cp1251")
        target = review
    assert main(["gazetteer", "import-variants", str(target)]) == 0
    assert "1 added" in capsys.readouterr().out
    assert clean(source, tmp_path / "again.csv", None, capsys)[0] == 0
    assert read_dicts(tmp_path / "again.csv")[1]["place_id"] == IVANIVKA_VOVCHANSK


def test_a_row_placed_by_its_point_is_decided_around_that_point(fresh_home, tmp_path, capsys) -> None:
    """A review row with only a point: the decision holds where the chosen entity lies, not everywhere."""
    rows = [["Іванівка", "", "", "49.69", "37.05"], ["Іванівка", "", "", "", ""]]  # 12 and 16 km from two
    source = write_rows(tmp_path / "rows.csv", rows)
    review = tmp_path / "review.csv"
    assert clean(source, tmp_path / "out.csv", review, capsys)[0] == 0
    placed = [r for r in read_dicts(review) if r["point"]]
    assert len(placed) == 1 and placed[0]["point"] == "49.69000, 37.05000"
    nearest = placed[0]["candidate_1_id"]  # ranked nearest first: Іванівка of Prolisnenska hromada, 12 km away
    assert nearest == "UA63140150050055542"
    table = read_dicts(review)
    for row in table:
        row["chosen_id"] = "1" if row["point"] else ""
    with open(review, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    assert main(["gazetteer", "import-variants", str(review)]) == 0
    capsys.readouterr()
    assert clean(source, tmp_path / "again.csv", None, capsys)[0] == 0
    again = read_dicts(tmp_path / "again.csv")
    assert (again[0]["place_status"], again[0]["place_id"]) == ("matched", nearest)
    assert again[1]["place_status"] == "ambiguous"  # no point, no raion: the decision does not reach it


def test_a_hint_naming_several_units_still_scopes_a_decision(env_home, tmp_path, capsys) -> None:
    """"Крим" names Crimea and Sevastopol, "Київська" Kyiv oblast and Kyiv: the review row keeps a scope (a
    decision there must not apply anywhere else)."""
    rows = [["Іванівка", "Київська", "", "", ""], ["Іванівка", "Крим", "", "", ""]]
    source = write_rows(tmp_path / "rows.csv", rows)
    assert clean(source, tmp_path / "out.csv", tmp_path / "review.csv", capsys)[0] == 0
    scopes = {r["oblast"]: r["oblast_id"] for r in read_dicts(tmp_path / "review.csv")}
    assert scopes["Київська"] in ("UA32000000000030281", "UA80000000000093317")
    assert scopes["Крим"] in ("UA01000000000013043", "UA85000000000065278")


def test_the_summary_says_when_a_raion_column_is_of_before_2020(env_home, tmp_path, capsys) -> None:
    rows = [["Олександрівка", "Вінницька", "Вінницький район", "", ""],
            ["Іванівці", "Вінницька", "Барський район", "", ""], ["Сутиски", "Вінницька", "Тиврівський район", "", ""]]
    source = write_rows(tmp_path / "rows.csv", rows)
    status, err = clean(source, tmp_path / "out.csv", None, capsys)
    assert status == 0 and "the raion column reads as raions of before 2020" in err
    assert [r["place_status"] for r in read_dicts(tmp_path / "out.csv")] == ["matched"] * 3
