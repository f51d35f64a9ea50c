"""`uanorm clean` end to end: every format and encoding, the review file, atomicity, bad input."""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from normalizer.cli import main
from normalizer.tables import formats as io_formats
from normalizer.tables.answers import SUFFIXES, output_names
from normalizer.tables.review import REVIEW_COLUMNS

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(autouse=True)
def _csv_field_limit():
    """Read the 10 MB cell back; restore the process-wide limit so other modules see the default."""
    previous = csv.field_size_limit(sys.maxsize)
    yield
    csv.field_size_limit(previous)


LYSYCHANSK = "UA44120050010021900"
HEADER = ["id", "location", "oblast", "note"]
ROWS = [
    ["001", "Lisichansk", "Луганська", 'said "hello", left'],
    ["002", "Лисичанськ", "", " padded  "],
    ["003", "Іванівка", "Kharkiv Oblast", "=SUM(A1)"],
    ["004", "Іванівка", "", "x;y"],
    ["005", "", "", ""],
    ["006", "Kharkiv", "UA-63", "multi\nline"],
    ["007", "Lysychansk", "Луганська", "007"],
    ["008", "zzqxw", "", "Гайдай"],
]


def run(*argv: str) -> int:
    return main(["clean", *argv])


def write_csv(path: Path, rows=ROWS, *, delimiter=",", encoding="utf-8", newline="\n", header=HEADER) -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator=newline).writerows([header, *rows])
    return path


def read_csv(path: Path, delimiter: str = ",") -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def expected_header(columns=("location",), header=HEADER) -> list[str]:
    out: list[str] = []
    for name in header:
        out.append(name)
        if name in columns:
            out.extend(output_names(name))
    return out


def check_table(out: list[list[str]], rows=ROWS, header=HEADER) -> dict[str, list[str]]:
    """Original columns kept value for value, in order; returns the output as columns."""
    assert out[0] == expected_header(header=header)
    assert len(out) == len(rows) + 1
    keep = [out[0].index(name) for name in header]
    for original, written in zip(rows, out[1:]):
        assert [written[i] for i in keep] == original
    return {name: [row[i] for row in out[1:]] for i, name in enumerate(out[0])}


@pytest.mark.parametrize(
    "name, delimiter, encoding, newline",
    [
        ("comma.csv", ",", "utf-8", "\n"),
        ("semicolon.csv", ";", "utf-8", "\r\n"),
        ("tabs.tsv", "\t", "utf-8", "\n"),
        ("tabs-in.csv", "\t", "utf-8", "\n"),
        ("bom.csv", ";", "utf-8-sig", "\r\n"),
        ("windows.csv", ";", "cp1251", "\r\n"),
    ],
)
def test_text_formats_and_encodings(env_home, tmp_path: Path, name, delimiter, encoding, newline) -> None:
    source = write_csv(tmp_path / name, delimiter=delimiter, encoding=encoding, newline=newline)
    before = source.read_bytes()
    assert run(str(source), "--column", "location", "--oblast-column", "oblast", "--quiet") == 0
    assert source.read_bytes() == before
    output = tmp_path / name.replace(".", ".clean.", 1)
    raw = output.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) == (encoding != "utf-8")
    assert (b"\r\n" in raw) == (newline == "\r\n")
    columns = check_table(read_csv(output, delimiter))
    assert columns["location_id"][0] == columns["location_id"][1] == columns["location_id"][6] == LYSYCHANSK
    assert columns["location_status"][2] in ("ambiguous", "matched")
    assert columns["location_status"][3] == "ambiguous" and columns["location_id"][3] == ""
    assert columns["location_status"][4] == "unmatched" and columns["location_score"][4] == "0.0"
    assert (tmp_path / f"{Path(name).stem}.review.csv").exists()


def test_values_are_kept_byte_for_byte(env_home, tmp_path: Path) -> None:
    rows = [["  Kyiv ", "0012", "=1+1", "ʼ’'", 'a "q"', "tab\tin", "x\x00y", "1e5", "TRUE", "-"]]
    header = ["location", "a", "b", "c", "d", "e", "f", "g", "h", "i"]
    source = write_csv(tmp_path / "in.csv", rows, header=header)
    assert run(str(source), "--column", "location", "-o", str(tmp_path / "out.csv"), "--quiet") == 0
    out = read_csv(tmp_path / "out.csv")
    assert out[0] == ["location", *output_names("location"), *header[1:]]
    assert [out[1][0], *out[1][1 + len(SUFFIXES):]] == rows[0]
    assert out[1][1] == "UA80000000000093317"  # "  Kyiv " is still Kyiv


def test_xlsx(env_home, tmp_path: Path) -> None:
    import openpyxl
    import xlsxwriter

    source = tmp_path / "sites.xlsx"
    book = xlsxwriter.Workbook(source, {"strings_to_formulas": False})
    sheet = book.add_worksheet()
    for r, row in enumerate([HEADER, *ROWS]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    out_path = tmp_path / "out.xlsx"
    assert run(str(source), "-c", "location", "--oblast-column", "oblast", "-o", str(out_path), "--quiet") == 0
    sheet = openpyxl.load_workbook(out_path).active
    values = [[("" if cell.value is None else str(cell.value)) for cell in row] for row in sheet.iter_rows()]
    columns = check_table(values)
    assert columns["location_id"][0] == LYSYCHANSK
    formula = sheet.cell(row=4, column=HEADER.index("note") + 1 + len(SUFFIXES))
    assert formula.value == "=SUM(A1)" and formula.data_type == "s"  # text, never a live formula
    assert run(str(source), "-c", "location", "-o", str(tmp_path / "escaped.xlsx"), "--escape-formulas", "-q") == 0
    escaped = openpyxl.load_workbook(tmp_path / "escaped.xlsx").active
    assert escaped.cell(row=4, column=HEADER.index("note") + 1 + len(SUFFIXES)).value == "'=SUM(A1)"


def test_xlsx_sheet_by_name_or_number(env_home, tmp_path: Path, capsys) -> None:
    """--sheet NAME|NUMBER reads that sheet; without it, the first is read and a note says there are others."""
    import openpyxl
    import xlsxwriter

    source = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(source, {"strings_to_formulas": False})
    for title, rows in (("Notes", [["text"], ["nothing to clean"]]), ("Events", [HEADER, *ROWS])):
        sheet = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write_string(r, c, value)
    book.close()
    for choice in ("Events", "2"):
        out_path = tmp_path / f"out-{choice}.xlsx"
        assert run(str(source), "-c", "location", "--sheet", choice, "-o", str(out_path), "--no-review") == 0
        values = [[("" if cell.value is None else str(cell.value)) for cell in row]
                  for row in openpyxl.load_workbook(out_path).active.iter_rows()]
        assert check_table(values)["location_id"][0] == LYSYCHANSK
        assert "sheets" not in capsys.readouterr().err
    assert run(str(source), "-c", "text", "-o", str(tmp_path / "first.xlsx"), "--no-review") == 0
    assert "read the first of 2 sheets, 'Notes'; --sheet" in capsys.readouterr().err
    assert run(str(source), "-c", "location", "--sheet", "Evnts", "-o", str(tmp_path / "x.xlsx")) == 1
    err = capsys.readouterr().err
    assert "no sheet 'Evnts'" in err and "1 'Notes', 2 'Events'" in err and err.count("\n") == 1
    assert run(str(source), "-c", "location", "--sheet", "3", "-o", str(tmp_path / "x.xlsx")) == 1
    csv_source = write_csv(tmp_path / "plain.csv")
    assert run(str(csv_source), "-c", "location", "--sheet", "1") == 1
    assert "--sheet applies to XLSX input" in capsys.readouterr().err


def test_parquet_keeps_types(env_home, tmp_path: Path) -> None:
    import datetime

    frame = pl.DataFrame({"n": [1, 2, 3], "location": ["Lisichansk", None, "Іванівка"],
                          "when": [datetime.date(2022, 2, 24)] * 3, "x": [1.5, None, 2.25]})
    frame.write_parquet(tmp_path / "in.parquet")
    assert run(str(tmp_path / "in.parquet"), "-c", "location", "-o", str(tmp_path / "out.parquet"), "-q") == 0
    out = pl.read_parquet(tmp_path / "out.parquet")
    assert out.columns == ["n", "location", *output_names("location"), "when", "x"]
    assert out.select(frame.columns).equals(frame)
    assert out.schema["location_score"] == pl.Float64
    assert out["location_id"][0] == LYSYCHANSK
    assert run(str(tmp_path / "in.parquet"), "-c", "location", "-o", str(tmp_path / "out.csv"), "-q") == 0
    assert read_csv(tmp_path / "out.csv")[1][:3] == ["1", "Lisichansk", LYSYCHANSK]


JSONL = [
    '{"id": 1, "location": "Lisichansk", "oblast": "Луганська", "x": 1.50}',
    '{  "location" :"Іванівка","nested":{"a":[1,2,{"b":null}]}, "oblast": null }',
    "",
    '{"id": 3}',
    '{"id": 4, "location": 12, "esc": "\\u041a\\n"}',
    '{"location": "Лисичанськ"}',
]


def test_jsonl_splices_fields_and_keeps_every_byte(env_home, tmp_path: Path) -> None:
    source = tmp_path / "events.jsonl"
    source.write_text("\r\n".join(JSONL) + "\n", encoding="utf-8")
    assert run(str(source), "-c", "location", "--oblast-column", "oblast", "-q") == 0
    out = (tmp_path / "events.clean.jsonl").read_bytes().decode("utf-8").split("\r\n")
    assert len(out) == len(JSONL)
    assert out[2] == ""
    for original, written in zip(JSONL, out):
        written = written.rstrip("\n")
        if not original:
            continue
        record = json.loads(written)
        added = {name: record[name] for name in output_names("location")}
        assert list(record) == _expected_keys(original)
        text = ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
                         for k, v in added.items())
        assert written.replace(", " + text, "", 1) == original or written.replace(text, "", 1) == original
    first = json.loads(out[0])
    assert first["location_id"] == LYSYCHANSK and first["location_score"] > 0.9 and first["x"] == 1.5
    assert json.loads(out[3])["location_status"] == "unmatched"
    assert json.loads(out[4])["location_status"] == "unmatched"
    assert json.loads(out[5].rstrip("\n"))["location_id"] == LYSYCHANSK


def _expected_keys(line: str) -> list[str]:
    keys = list(json.loads(line))
    names = output_names("location")
    if "location" in keys:
        at = keys.index("location") + 1
        return keys[:at] + names + keys[at:]
    return keys + names


def test_stdin_to_stdout(env_home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    data = write_csv(tmp_path / "in.csv", delimiter=";").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    buffer = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(buffer, encoding="utf-8"))
    assert run("-", "--column", "location", "--oblast-column", "oblast") == 0
    text = buffer.getvalue().decode("utf-8")
    check_table(list(csv.reader(io.StringIO(text, newline=""), delimiter=";")))
    err = capsys.readouterr().err
    assert "8 rows" in err and "matched" in err and "%" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # no review without --review


@pytest.mark.parametrize("kind", ["csv", "cp1251", "parquet", "jsonl"])
def test_streaming_path_gives_the_same_result(env_home, tmp_path: Path, monkeypatch, kind) -> None:
    if kind == "parquet":
        source = tmp_path / "in.parquet"
        pl.DataFrame([dict(zip(HEADER, row)) for row in ROWS]).write_parquet(source)
    elif kind == "jsonl":
        source = tmp_path / "in.jsonl"
        source.write_text("\n".join(JSONL) + "\n", encoding="utf-8")
    else:
        source = write_csv(tmp_path / "in.csv", ROWS * 50, delimiter=";",
                           encoding="cp1251" if kind == "cp1251" else "utf-8")
    suffix = source.suffix
    args = ["-c", "location", "--oblast-column", "oblast", "-q"]
    assert run(str(source), "-o", str(tmp_path / f"eager{suffix}"), "--review", str(tmp_path / "r1.csv"), *args) == 0
    monkeypatch.setenv("UANORM_STREAM_BYTES", "1")
    assert run(str(source), "-o", str(tmp_path / f"streamed{suffix}"), "--review", str(tmp_path / "r2.csv"),
               *args) == 0
    if kind == "parquet":
        assert pl.read_parquet(tmp_path / "eager.parquet").equals(pl.read_parquet(tmp_path / "streamed.parquet"))
    else:
        assert (tmp_path / f"eager{suffix}").read_bytes() == (tmp_path / f"streamed{suffix}").read_bytes()
    assert (tmp_path / "r1.csv").read_bytes() == (tmp_path / "r2.csv").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no scratch files left


def test_review_file(env_home, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", ROWS * 3)
    review = tmp_path / "to-review.csv"
    assert run(str(source), "-c", "location", "--review", str(review), "-q") == 0
    rows = read_csv(review)
    assert tuple(rows[0]) == REVIEW_COLUMNS
    body = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert {r["value"] for r in body} == {"Іванівка", "zzqxw"}  # never matched ones nor empty cells
    ivanivka = next(r for r in body if r["value"] == "Іванівка")
    assert ivanivka["count"] == "6" and ivanivka["status"] == "ambiguous" and ivanivka["chosen_id"] == ""
    assert ivanivka["candidate_1_id"].startswith("UA") and ivanivka["candidate_3_id"].startswith("UA")
    assert ivanivka["candidate_1_oblast"].endswith("oblast")
    assert float(ivanivka["candidate_1_score"]) >= float(ivanivka["candidate_2_score"])
    assert review.read_bytes().startswith(codecs.BOM_UTF8)


def test_failed_write_leaves_no_file(env_home, tmp_path: Path, monkeypatch, capsys) -> None:
    source = write_csv(tmp_path / "in.csv")

    def failing(frame, target, fmt, layout):
        Path(target).write_bytes(b"id,location\n001,Lis")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(io_formats, "write_frame", failing)
    assert run(str(source), "-c", "location") == 1
    err = capsys.readouterr().err
    assert err.startswith("uanorm: error:") and "No space left" in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_escape_formulas(env_home, tmp_path: Path) -> None:
    cells = ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(1)", "\tx", "ok", "a=b"]
    rows = [[str(i), "Kyiv", cell] for i, cell in enumerate(cells)]
    source = write_csv(tmp_path / "in.csv", rows, header=["id", "location", "cell"])
    assert run(str(source), "-c", "location", "-o", str(tmp_path / "plain.csv"), "-q") == 0
    assert [r[-1] for r in read_csv(tmp_path / "plain.csv")[1:]] == cells
    assert run(str(source), "-c", "location", "-o", str(tmp_path / "safe.csv"), "--escape-formulas", "-q") == 0
    assert [r[-1] for r in read_csv(tmp_path / "safe.csv")[1:]] == ["'" + c for c in cells[:5]] + cells[5:]


def _bad(tmp_path: Path, case: str) -> tuple[list[str], str]:
    good = write_csv(tmp_path / "good.csv")
    if case == "missing column":
        return [str(good), "-c", "place"], "no column 'place'; the columns are 'id', 'location'"
    if case == "missing oblast column":
        return [str(good), "-c", "location", "--oblast-column", "region"], "no oblast column 'region'"
    if case == "no such file":
        return [str(tmp_path / "nope.csv"), "-c", "location"], "no such file"
    if case == "directory":
        (tmp_path / "dir.csv").mkdir()
        return [str(tmp_path / "dir.csv"), "-c", "location"], "is a directory"
    if case == "wrong encoding":
        (tmp_path / "latin.csv").write_bytes("location,note\nMünchen,Größe café\n".encode("cp1252"))
        return [str(tmp_path / "latin.csv"), "-c", "location"], "--encoding"
    if case == "bad explicit encoding":
        return [str(good), "-c", "location", "--encoding", "klingon"], "unknown encoding"
    if case == "malformed row":
        (tmp_path / "ragged.csv").write_text("location,note\nKyiv,a\nKharkiv,b,c,d\n", encoding="utf-8")
        return [str(tmp_path / "ragged.csv"), "-c", "location"], "line 3"
    if case == "unclosed quote":
        (tmp_path / "quote.csv").write_text('location,note\nKyiv,"open\nKharkiv,b\n', encoding="utf-8")
        return [str(tmp_path / "quote.csv"), "-c", "location"], "quote.csv"
    if case == "empty file":
        (tmp_path / "empty.csv").write_bytes(b"")
        return [str(tmp_path / "empty.csv"), "-c", "location"], "empty file"
    if case == "duplicate header":
        (tmp_path / "dup.csv").write_text("location,location\nKyiv,Kharkiv\n", encoding="utf-8")
        return [str(tmp_path / "dup.csv"), "-c", "location"], "twice"
    if case == "unknown format":
        (tmp_path / "data.txt").write_text("location\nKyiv\n", encoding="utf-8")
        return [str(tmp_path / "data.txt"), "-c", "location"], "unknown input format"
    if case == "name collision":
        write_csv(tmp_path / "taken.csv", [["Kyiv", "x"]], header=["location", "location_status"])
        return [str(tmp_path / "taken.csv"), "-c", "location"], "'location_status'"
    if case == "overwrite input":
        return [str(good), "-c", "location", "-o", str(good)], "overwrite the input"
    if case == "not a workbook":
        (tmp_path / "fake.xlsx").write_bytes(b"PK but not really")
        return [str(tmp_path / "fake.xlsx"), "-c", "location"], "XLSX"
    if case == "bad jsonl":
        (tmp_path / "bad.jsonl").write_text('{"location": "Kyiv"}\n{"location": \n', encoding="utf-8")
        return [str(tmp_path / "bad.jsonl"), "-c", "location"], "line 2"
    if case == "unknown oblast":
        return [str(good), "-c", "location", "--oblast", "Narnia"], "names no oblast"
    if case == "unknown kind":
        return [str(good), "-c", "location", "--kind", "planet"], "planet"
    if case == "jsonl to csv":
        (tmp_path / "ok.jsonl").write_text('{"location": "Kyiv"}\n', encoding="utf-8")
        return [str(tmp_path / "ok.jsonl"), "-c", "location", "-o", str(tmp_path / "o.csv")], "JSON Lines"
    raise AssertionError(case)


BAD_CASES = ["missing column", "missing oblast column", "no such file", "directory", "wrong encoding",
             "bad explicit encoding", "malformed row", "unclosed quote", "empty file", "duplicate header",
             "unknown format", "name collision", "overwrite input", "not a workbook", "bad jsonl",
             "unknown oblast", "unknown kind", "jsonl to csv"]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_is_one_clear_line_and_no_file(env_home, tmp_path: Path, capsys, case: str) -> None:
    argv, message = _bad(tmp_path, case)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert run(*argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("uanorm: error:") and err.count("\n") == 1, err
    assert "Traceback" not in err and message in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_header_only_and_huge_cells(env_home, tmp_path: Path) -> None:
    write_csv(tmp_path / "header.csv", [])
    assert run(str(tmp_path / "header.csv"), "-c", "location", "-q") == 0
    assert read_csv(tmp_path / "header.clean.csv") == [expected_header()]
    huge = "Київ" * (10 * 1024 * 1024 // 8)
    source = write_csv(tmp_path / "huge.csv", [["1", huge, "", "x"], ["2", "Kyiv\x00", "", "y"]])
    started = time.perf_counter()
    assert run(str(source), "-c", "location", "-q") == 0
    assert time.perf_counter() - started < 30
    columns = check_table(read_csv(tmp_path / "huge.clean.csv"), [["1", huge, "", "x"], ["2", "Kyiv\x00", "", "y"]])
    assert columns["location_status"][0] == "unmatched"


def test_summary_and_quiet(env_home, tmp_path: Path, capsys) -> None:
    source = write_csv(tmp_path / "in.csv")
    assert run(str(source), "-c", "location", "--min-score", "0.999") == 0
    err = capsys.readouterr().err
    for word in ("8 rows", "distinct values", "matched", "ambiguous", "unmatched", "review:", " s "):
        assert word in err, err
    assert run(str(source), "-c", "location", "-q") == 0
    assert capsys.readouterr().err == ""


def test_demo_dataset(env_home, tmp_path: Path) -> None:
    out = tmp_path / "events.clean.csv"
    assert run(str(SEEDS / "events_demo.csv"), "-c", "location", "--oblast-column", "oblast", "-o", str(out),
               "-q") == 0
    frame = pl.read_csv(out, infer_schema=False)
    assert frame.height == 3000
    assert (frame["location_status"] == "matched").mean() > 0.75
    assert (tmp_path / "events_demo.review.csv").exists()


def _has_import_variants() -> bool:
    from normalizer.cli import build_parser

    parser = build_parser()
    try:
        parser.parse_args(["gazetteer", "import-variants", "x.csv"])
    except SystemExit:
        return False
    return True


def test_review_round_trip(fresh_home, tmp_path: Path) -> None:
    if not _has_import_variants():
        pytest.skip("`uanorm gazetteer import-variants` is not in this build yet")
    rows = [["1", "Lysychanskyi gorod", "", ""], ["2", "Іванівка", "Kharkiv Oblast", ""],
            ["3", "Lysychanskyi gorod", "", ""], ["4", "Kharkivske misto", "", ""]]
    source = write_csv(tmp_path / "in.csv", rows)
    review = tmp_path / "review.csv"
    assert run(str(source), "-c", "location", "--oblast-column", "oblast", "--review", str(review), "-q") == 0
    table = read_csv(review)
    chosen = {"Lysychanskyi gorod": LYSYCHANSK, "Kharkivske misto": "UA63120270010096107"}
    assert chosen.keys() <= {row[1] for row in table[1:]}
    for row in table[1:]:
        row[-1] = chosen.get(row[1], "")  # Іванівка stays undecided: a row without chosen_id is skipped
    with open(review, "w", encoding="utf-8-sig", newline="") as handle:  # as a spreadsheet saves it
        csv.writer(handle).writerows(table)
    assert main(["gazetteer", "import-variants", str(review)]) == 0
    assert run(str(source), "-c", "location", "--oblast-column", "oblast", "-o", str(tmp_path / "again.csv"),
               "--no-review", "-q") == 0
    again = check_table(read_csv(tmp_path / "again.csv"), rows)
    for value, status, entity in zip(again["location"], again["location_status"], again["location_id"]):
        if value in chosen:
            assert (status, entity) == ("matched", chosen[value])
