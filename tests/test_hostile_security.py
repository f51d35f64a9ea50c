"""The security pass (SECURITY.md), as tests: no code from data, a tampered index, spreadsheet formulas,
HTML, paths that look like URIs, zip-bomb style inputs and no network access.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .cli_contract import run
from .conftest import REPO
from .home_copies import copy_home

KYIV = "UA80000000000093317"
PACKAGES = [REPO / "normalizer", REPO / "gazetteer"]


# -- no code from data ------------------------------------------------------------------------

#: Modules whose use would turn data into code or reach the network.
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "yaml", "socket", "ssl", "urllib.request",
                     "http.client", "requests", "httpx", "aiohttp", "ftplib", "smtplib", "telnetlib", "xmlrpc"}
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile", "input"}


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in package.rglob("*.py"))


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_code_from_data(path: Path) -> None:
    """No pickle/marshal/yaml, no eval/exec, no shell, no archive extraction, no network module in the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            problems += [a.name for a in node.names if a.name in FORBIDDEN_MODULES or a.name.split(".")[0] in
                         {"pickle", "marshal", "shelve", "yaml", "socket", "requests"}]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in FORBIDDEN_MODULES or node.module.split(".")[0] in {"pickle", "marshal", "yaml", "socket"}:
                problems.append(node.module)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if isinstance(func, ast.Name) and name in FORBIDDEN_CALLS:
                problems.append(f"{name}() at line {node.lineno}")
            if name in ("system", "popen", "load") and isinstance(func, ast.Attribute) \
                    and isinstance(func.value, ast.Name) and func.value.id in ("os", "yaml", "pickle", "marshal"):
                problems.append(f"{func.value.id}.{name}() at line {node.lineno}")
            if name in ("extract", "extractall") and isinstance(func, ast.Attribute):  # archives are never unpacked
                problems.append(f".{name}() at line {node.lineno}")
            for keyword in node.keywords:
                if keyword.arg == "shell" and not (isinstance(keyword.value, ast.Constant) and not keyword.value.value):
                    problems.append(f"shell=True at line {node.lineno}")
            if name == "import_module" and not (path.name == "__init__.py" and path.parent.name == "cli"):
                problems.append(f"import_module() at line {node.lineno}")
    assert not problems, f"{path.relative_to(REPO)}: {problems}"


# -- a tampered index -------------------------------------------------------------------------


@pytest.fixture
def tampered(home, tmp_path, monkeypatch):
    """A private copy of the home whose index is writable for the test to tamper with."""
    target = copy_home(home, tmp_path / "home")
    monkeypatch.setenv("UANORM_HOME", str(target))
    from normalizer import Normalizer

    with Normalizer(target) as normalizer:
        index = normalizer.index_path
    return target, index


def test_tampered_index_data_is_only_data(tampered, capsys) -> None:
    """Whatever strings the index holds are answered as strings: SQL, markup, format strings run nothing."""
    home, index = tampered
    hostile = "'); DROP TABLE entity; -- <script>alert(1)</script> {0.__class__} %s %n"
    db = sqlite3.connect(index)
    db.execute("UPDATE entity SET name = ?, name_uk = ?, role = ? WHERE id = ?", (hostile, hostile, hostile, KYIV))
    db.execute("UPDATE form SET text = ?, origin = ? WHERE eid = (SELECT eid FROM entity WHERE id = ?)",
               (hostile, hostile, KYIV))
    db.commit()
    db.close()
    status, out, _err = run(capsys, ["match", "--json", "Kyiv"])
    assert status == 0
    answer = json.loads(out)
    assert answer["id"] == KYIV and answer["name"] == hostile
    db = sqlite3.connect(index)
    assert db.execute("SELECT count(*) FROM entity").fetchone()[0] > 30_000  # nothing was dropped
    db.close()
    text = Path(home) / "t.txt"
    text.write_text("Shelling in Kyiv.", encoding="utf-8")
    status, out, _err = run(capsys, ["annotate", str(text), "--format", "html"])
    assert status == 0 and "<script>" not in out


@pytest.mark.parametrize("damage", ["truncate", "garbage", "foreign", "empty"])
def test_damaged_index_is_one_clear_line(tampered, capsys, damage) -> None:
    _home, index = tampered
    if damage == "truncate":
        with open(index, "r+b") as handle:
            handle.truncate(index.stat().st_size // 3)
    elif damage == "garbage":
        with open(index, "r+b") as handle:
            handle.seek(4096 * 3)
            handle.write(os.urandom(1 << 20))
    elif damage == "foreign":
        index.unlink()
        db = sqlite3.connect(index)
        db.execute("CREATE TABLE t(x)")
        db.commit()
        db.close()
    else:
        index.write_bytes(b"")
    status, _out, _err = run(capsys, ["match", "Kyiv", "Lisichansk", "Харків", "qqqq"])
    assert status in (0, 1)


# -- spreadsheet formulas ---------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=2", "=1+1"]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx"])
def test_escape_formulas_in_the_output(env_home, capsys, tmp_path, suffix) -> None:
    import polars as pl

    source = tmp_path / f"events{suffix}"
    frame = pl.DataFrame({"location": [*FORMULAS, "Kyiv"], "note": [*FORMULAS, "ok"]})
    if suffix == ".xlsx":
        frame.write_excel(source)
    else:
        frame.write_csv(source, separator="\t" if suffix == ".tsv" else ",")
    status, _out, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1",
                                    "--escape-formulas"])
    assert status == 0, err
    cleaned = tmp_path / f"events.clean{suffix}"
    if suffix == ".xlsx":
        result = pl.read_excel(cleaned, infer_schema_length=0)
        with zipfile.ZipFile(cleaned) as workbook:
            sheet = workbook.read("xl/worksheets/sheet1.xml").decode("utf-8")
        assert "<f>" not in sheet  # strings are never written as formulas
    else:
        result = pl.read_csv(cleaned, separator="\t" if suffix == ".tsv" else ",", infer_schema_length=0)
    for column in ("location", "note"):
        for value in result[column].to_list():
            assert value is None or value[:1] not in "=+-@\t\r", (column, value)


def test_xlsx_output_never_holds_formulas_even_unescaped(env_home, capsys, tmp_path) -> None:
    import polars as pl

    source = tmp_path / "events.csv"
    pl.DataFrame({"location": FORMULAS}).write_csv(source)
    status, _out, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1", "-o",
                                    str(tmp_path / "out.xlsx")])
    assert status == 0, err
    with zipfile.ZipFile(tmp_path / "out.xlsx") as workbook:
        assert "<f>" not in workbook.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_escape_formulas_in_the_review_file(env_home, capsys, tmp_path) -> None:
    """Regression: write_review wrote the `value` column unescaped even with --escape-formulas; now the review
    file (opened in a spreadsheet by design) is escaped always, and import reads the values back as given."""
    import csv

    import polars as pl

    source = tmp_path / "events.csv"
    pl.DataFrame({"location": FORMULAS, "oblast": FORMULAS}).write_csv(source)
    status, _, err = run(capsys, ["clean", str(source), "--column", "location", "--oblast-column", "oblast",
                                  "-q", "--workers", "1", "--escape-formulas"])
    assert status == 0, err
    with open(tmp_path / "events.review.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    values = [row["value"] for row in rows]
    assert values and all(v[:1] not in "=+-@\t\r" for v in values), values
    assert all(v[:1] == "'" and v[1:] in FORMULAS for v in values), values  # one quote added, nothing else
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row.values())
    status, _, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1",
                                  "-o", str(tmp_path / "plain.csv"), "--review", str(tmp_path / "plain.review.csv")])
    assert status == 0, err
    with open(tmp_path / "plain.review.csv", encoding="utf-8-sig", newline="") as handle:
        assert sorted(row["value"] for row in csv.DictReader(handle)) == sorted(values)  # escaped without asking


@pytest.mark.parametrize("value", ["-Xylqvarnetsk", "=Xylqvarnetsk", "@Xylqvarnetsk", "+Xylqvarnetsk"])
def test_escaped_review_file_round_trip(fresh_home, capsys, tmp_path, value) -> None:
    """A review file written with --escape-formulas, decided and fed back: the next clean matches the value."""
    import csv

    source = tmp_path / "events.csv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["location"], [value], ["Kyiv"]])
    review = tmp_path / "events.review.csv"
    status, out, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1",
                                    "--escape-formulas", "--review", str(review)])
    assert status == 0, err
    with open(review, encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [row["value"] for row in table] == ["'" + value]
    table[0]["chosen_id"] = KYIV
    with open(review, "w", encoding="utf-8-sig", newline="") as handle:  # as a spreadsheet saves it
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    status, out, err = run(capsys, ["gazetteer", "import-variants", str(review)])
    assert status == 0 and "1 added" in out, err
    status, out, err = run(capsys, ["gazetteer", "export"])
    assert status == 0 and out.splitlines()[1].split("\t")[0] == value, out  # stored as clean saw it
    status, out, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1",
                                    "-o", str(tmp_path / "again.csv"), "--no-review"])
    assert status == 0, err
    with open(tmp_path / "again.csv", encoding="utf-8-sig", newline="") as handle:
        again = {row["location"]: (row["location_status"], row["location_id"]) for row in csv.DictReader(handle)}
    assert again[value] == ("matched", KYIV)


def test_annotate_html_escapes_text_and_title(env_home, capsys, tmp_path) -> None:
    source = tmp_path / "<img src=x onerror=alert(1)>.txt"
    source.write_text("<script>alert(1)</script> Kyiv \"quoted\" & <b>Lysychansk</b>", encoding="utf-8")
    status, out, _err = run(capsys, ["annotate", str(source), "--format", "html"])
    assert status == 0
    assert "<script>" not in out and "<img" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out


# -- paths that look like URIs -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["we?ird", "ha#sh", "pct%41", "mode=rwc?x"])
def test_store_and_layer_paths_are_not_uri_syntax(home, tmp_path, name) -> None:
    """Regression: the read-only SQLite URI was built by pasting the path: a '?' or '#' in a directory name
    cut the path short, dropped mode=ro and created a stray empty file (then 'not a uanorm store: remove it')."""
    from gazetteer.store import BaseStore
    from gazetteer.userlayer import UserLayer

    target = tmp_path / name
    target.mkdir()
    shutil.copy2(home / "base.sqlite", target / "base.sqlite")
    before = sorted(tmp_path.iterdir())
    store = BaseStore(target / "base.sqlite")
    assert store.entity(KYIV) is not None
    layer = UserLayer(target, store)
    layer.add_variant(KYIV, "Kyivograd")
    layer.close()
    layer = UserLayer(target, store)
    assert [v.text for v in layer.variants(KYIV)] == ["Kyivograd"]
    layer.close()
    store.close()
    assert sorted(tmp_path.iterdir()) == before  # no stray file beside the home


def test_a_home_whose_path_has_a_question_mark(home, capsys, tmp_path, monkeypatch) -> None:
    target = copy_home(home, tmp_path / "data?home")
    monkeypatch.setenv("UANORM_HOME", str(target))
    before = sorted(tmp_path.iterdir())
    status, out, _err = run(capsys, ["match", "--json", "Kyiv"])
    assert status == 0 and json.loads(out)["id"] == KYIV
    assert sorted(tmp_path.iterdir()) == before


# -- zip bombs ------------------------------------------------------------------------------------

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
       '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
       'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
       '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
       'name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def xlsx_bomb(path: Path, *, cell_mib: int = 0, rows: int = 0) -> Path:
    """A small XLSX whose one sheet expands to a `cell_mib` MiB cell and/or `rows` rows of 'Kyiv'."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WB)
        archive.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData><row><c t="inlineStr"><is><t>location</t></is></c></row>')
            if cell_mib:
                sheet.write(b'<row><c t="inlineStr"><is><t>')
                chunk = b"A" * (1 << 20)
                for _ in range(cell_mib):
                    sheet.write(chunk)
                sheet.write(b"</t></is></c></row>")
            block = b'<row><c t="inlineStr"><is><t>Kyiv</t></is></c></row>' * 1000
            for _ in range(rows // 1000):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def clean_in_a_subprocess(home: Path, source: Path, output: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UANORM_HOME": str(home), "UANORM_QUIET": "1"}
    return subprocess.run([sys.executable, "-c", "from normalizer.cli import main; raise SystemExit(main())",
                           "clean", str(source), "--column", "location", "-q", "--workers", "1", "-o", str(output)],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=300, check=False)


def test_xlsx_with_many_rows_is_read(home, tmp_path) -> None:
    """200,000 rows in a 40 KB workbook: read and cleaned within bounded memory (figures in SECURITY.md)."""
    source = xlsx_bomb(tmp_path / "rows.xlsx", rows=200_000)
    assert source.stat().st_size < 100_000
    done = clean_in_a_subprocess(home, source, tmp_path / "out.parquet")
    assert done.returncode == 0, done.stderr
    import polars as pl

    assert pl.read_parquet(tmp_path / "out.parquet")["location_status"].to_list().count("matched") == 200_000


def test_xlsx_bomb_is_refused_before_reading(home, tmp_path) -> None:
    """Regression: a workbook was read whole, about 12x its expanded XML in memory (a 1 MB file with a 1 GiB
    cell: 12 GB); now the zip's sizes are judged first (this one was 29 s and 1.1 GB, now 0.3 s)."""
    source = xlsx_bomb(tmp_path / "bomb.xlsx", cell_mib=64)  # ~300 KB that expands to 64 MiB (770 MB read)
    assert source.stat().st_size < 1 << 20
    done = clean_in_a_subprocess(home, source, tmp_path / "out.csv")
    assert done.returncode == 1 and done.stderr.startswith("uanorm: error:"), (done.returncode, done.stderr[-500:])
    assert "zip bomb" in done.stderr and "CSV or Parquet" in done.stderr and done.stderr.count("\n") == 1
    assert not (tmp_path / "out.csv").exists()


def _forge_size(path: Path, member: str, declared: int) -> None:
    """Rewrite the uncompressed size a (non-zip64) zip declares for one member, in both of its headers."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    assert data[info.header_offset:info.header_offset + 4] == b"PK\x03\x04"
    data[info.header_offset + 22:info.header_offset + 26] = declared.to_bytes(4, "little")
    end = data.rindex(b"PK\x05\x06")
    entry = int.from_bytes(data[end + 16:end + 20], "little")  # the central directory: one record a member
    while data[entry + 46:entry + 46 + int.from_bytes(data[entry + 28:entry + 30], "little")] != member.encode():
        assert data[entry:entry + 4] == b"PK\x01\x02"
        entry += 46 + sum(int.from_bytes(data[entry + at:entry + at + 2], "little") for at in (28, 30, 32))
    data[entry + 24:entry + 28] = declared.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def test_xlsx_with_a_forged_size_is_refused(env_home, capsys, tmp_path) -> None:
    """A sheet declaring 1 MiB (a ratio that passes) that inflates to 48 MiB: refused while inflating, 1 MiB in."""
    source = tmp_path / "forged.xlsx"
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData><row><c t="inlineStr"><is><t>location</t></is></c></row>'
             b'<row><c t="inlineStr"><is><t>' + b"A" * (48 << 20) + b"</t></is></c></row></sheetData></worksheet>")
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, text in [("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WB),
                           ("xl/_rels/workbook.xml.rels", _WB_RELS)]:
            archive.writestr(part, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    del sheet
    _forge_size(source, "xl/worksheets/sheet1.xml", 1 << 20)
    with zipfile.ZipFile(source) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 1 << 20
    status, _, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1",
                                  "-o", str(tmp_path / "out.csv")])
    assert status == 1 and "expands to more than the 1,048,576 bytes it declares" in err, err
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("content", [b"location\nKyiv\n", b"PK\x03\x04" + b"\x00" * 100, b""])
def test_a_damaged_xlsx_is_one_clear_error(env_home, capsys, tmp_path, content) -> None:
    source = tmp_path / "damaged.xlsx"
    source.write_bytes(content)
    status, _, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1"])
    assert status == 1 and "not a readable XLSX workbook" in err, err


def test_truncated_xlsx_is_one_clear_error(env_home, capsys, tmp_path) -> None:
    whole = xlsx_bomb(tmp_path / "whole.xlsx", rows=20_000).read_bytes()
    for cut in (len(whole) // 2, len(whole) - 30):
        source = tmp_path / f"cut{cut}.xlsx"
        source.write_bytes(whole[:cut])
        status, _, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1"])
        assert status == 1 and "XLSX workbook" in err, err


def test_parquet_bomb_is_refused_before_reading(home, tmp_path) -> None:
    """Regression: a 17 KB file with one 512 MB string took 3.7 GB; the metadata is judged first (this one
    was 2.6 s and 800 MB, now 0.5 s and the memory of a start-up)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "bomb.parquet"
    big = "A" * (100 << 20)  # a 100 MB 'name' in a few KB (700 MB read)
    pq.write_table(pa.table({"location": pa.array([big, "Kyiv"], type=pa.large_string())}), source,
                   compression="zstd")
    del big
    assert source.stat().st_size < 1 << 20
    done = clean_in_a_subprocess(home, source, tmp_path / "out.parquet")
    assert done.returncode == 1 and done.stderr.startswith("uanorm: error:"), (done.returncode, done.stderr[-500:])
    assert "row group 1" in done.stderr and "'location'" in done.stderr and done.stderr.count("\n") == 1


def test_parquet_row_groups_over_the_bound_are_refused(env_home, capsys, tmp_path, monkeypatch) -> None:
    """The bound is per column chunk: a file of small row groups passes, one row group over it is refused."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from normalizer.tables import formats as io_formats

    table = pa.table({"location": [f"Kyiv {i}" for i in range(20_000)], "n": list(range(20_000))})
    small, large = tmp_path / "small.parquet", tmp_path / "large.parquet"
    pq.write_table(table, small, row_group_size=1_000, use_dictionary=False, compression="zstd")
    pq.write_table(table, large, row_group_size=20_000, use_dictionary=False, compression="zstd")
    limit = max(c.total_uncompressed_size for g in range(pq.read_metadata(small).num_row_groups)
                for c in [pq.read_metadata(small).row_group(g).column(0)])
    monkeypatch.setattr(io_formats, "PARQUET_MAX_CHUNK", limit)
    status, _, err = run(capsys, ["clean", str(small), "--column", "location", "-q", "--workers", "1",
                                  "-o", str(tmp_path / "small.out.parquet")])
    assert status == 0, err
    status, _, err = run(capsys, ["clean", str(large), "--column", "location", "-q", "--workers", "1",
                                  "-o", str(tmp_path / "large.out.parquet")])
    assert status == 1 and "smaller row groups" in err and "row group 1" in err, err


def test_parquet_with_a_few_long_cells_is_read(env_home, capsys, tmp_path) -> None:
    """The average-per-value bound applies to big column chunks only: one 200 KB cell in a small file passes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "notes.parquet"
    pq.write_table(pa.table({"location": ["Kyiv", "Lysychansk"], "note": ["x" * 200_000, "short"]}), source)
    status, _, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1",
                                  "-o", str(tmp_path / "out.parquet")])
    assert status == 0, err


@pytest.mark.parametrize("content", [b"", b"PAR1", b"location\nKyiv\n", b"PAR1" + b"\x00" * 64 + b"PAR1"])
def test_a_damaged_parquet_is_one_clear_error(env_home, capsys, tmp_path, content) -> None:
    source = tmp_path / "damaged.parquet"
    source.write_bytes(content)
    status, _, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1"])
    assert status == 1 and "cannot be read as Parquet" in err, err


def test_parquet_with_millions_of_rows_streams(home, tmp_path) -> None:
    """2 million rows in a small Parquet file: streamed, not loaded whole (50 million: SECURITY.md)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "rows.parquet"
    part = pa.table({"location": pa.DictionaryArray.from_arrays(pa.array([0, 1] * 500_000, type=pa.int32()),
                                                                  pa.array(["Kyiv", "у Лисичанську"]))})
    with pq.ParquetWriter(source, part.schema, compression="zstd") as writer:
        for _ in range(2):
            writer.write_table(part)
    done = clean_in_a_subprocess(home, source, tmp_path / "out.parquet")
    assert done.returncode == 0, done.stderr
    assert pq.ParquetFile(tmp_path / "out.parquet").metadata.num_rows == 2_000_000


# -- no network ------------------------------------------------------------------------------------

_NO_NETWORK = """
import socket, sys
def refuse(*args, **kwargs):
    raise RuntimeError("uanorm tried to use the network")
for name in ("connect", "connect_ex", "sendto", "bind"):
    setattr(socket.socket, name, refuse)
socket.create_connection = socket.getaddrinfo = socket.gethostbyname = refuse
from normalizer.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_no_network_access(home, tmp_path) -> None:
    """match, annotate, clean (with helper processes) and the user layer, with every socket call refusing.
    (The full build and test suite were also run in a network namespace with no interface: SECURITY.md.)"""
    target = copy_home(home, tmp_path / "home")
    table = tmp_path / "t.csv"
    table.write_text("location\nKyiv\nу Лисичанську\nGomel\n" * 50, encoding="utf-8")
    text = tmp_path / "t.txt"
    text.write_text("Shelling in Kyiv and Lysychansk.", encoding="utf-8")
    env = {**os.environ, "UANORM_HOME": str(target), "UANORM_QUIET": "1"}
    commands = [["match", "Lisichansk", "Gomel"], ["annotate", str(text)],
                ["clean", str(table), "--column", "location", "-q", "--workers", "2"],
                ["gazetteer", "add-variant", KYIV, "Kyivograd"], ["match", "Kyivograd"], ["gazetteer", "stats"]]
    for argv in commands:
        done = subprocess.run([sys.executable, "-c", _NO_NETWORK, *argv], capture_output=True, text=True, env=env,
                              cwd=REPO, timeout=300, check=False)
        assert done.returncode == 0, (argv, done.stderr[-2000:])
        assert "network" not in done.stderr
