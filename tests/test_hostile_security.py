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

from normalizer.cli import EXIT_BUG, main

from .conftest import REPO

KYIV = "UA80000000000093317"
PACKAGES = [REPO / "normalizer", REPO / "gazetteer"]


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err and status != EXIT_BUG, err
    if status:
        assert status == 1 and len([l for l in err.splitlines() if l.startswith("uanorm: error:")]) == 1, err
    return status, out, err


def copy_home(home: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for item in home.glob("*.sqlite"):
        if item.name != "user.sqlite":
            shutil.copy2(item, target / item.name)
    return target


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
    status, out, err = run(capsys, ["match", "--json", "Kyiv"])
    assert status == 0
    answer = json.loads(out)
    assert answer["id"] == KYIV and answer["name"] == hostile
    db = sqlite3.connect(index)
    assert db.execute("SELECT count(*) FROM entity").fetchone()[0] > 30_000  # nothing was dropped
    db.close()
    text = Path(home) / "t.txt"
    text.write_text("Shelling in Kyiv.", encoding="utf-8")
    status, out, err = run(capsys, ["annotate", str(text), "--format", "html"])
    assert status == 0 and "<script>" not in out


@pytest.mark.parametrize("damage", ["truncate", "garbage", "foreign", "empty"])
def test_damaged_index_is_one_clear_line(tampered, capsys, damage) -> None:
    home, index = tampered
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
    status, out, err = run(capsys, ["match", "Kyiv", "Lisichansk", "Харків", "qqqq"])
    assert status in (0, 1)


# -- spreadsheet formulas ---------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=2", "=1+1"]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx"])
def test_escape_formulas_in_the_output(env_home, capsys, tmp_path, suffix) -> None:
    import polars as pl

    source = tmp_path / f"events{suffix}"
    frame = pl.DataFrame({"location": FORMULAS + ["Kyiv"], "note": FORMULAS + ["ok"]})
    if suffix == ".xlsx":
        frame.write_excel(source)
    else:
        frame.write_csv(source, separator="\t" if suffix == ".tsv" else ",")
    status, out, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1",
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
    status, out, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1", "-o",
                                    str(tmp_path / "out.xlsx")])
    assert status == 0, err
    with zipfile.ZipFile(tmp_path / "out.xlsx") as workbook:
        assert "<f>" not in workbook.read("xl/worksheets/sheet1.xml").decode("utf-8")


@pytest.mark.xfail(strict=True, reason="bug in normalizer/batch.py: write_review writes the `value` column "
                   "unescaped even with --escape-formulas; the review file is made to be opened in a spreadsheet")
def test_escape_formulas_in_the_review_file(env_home, capsys, tmp_path) -> None:
    import csv

    import polars as pl

    source = tmp_path / "events.csv"
    pl.DataFrame({"location": FORMULAS}).write_csv(source)
    status, out, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1",
                                    "--escape-formulas"])
    assert status == 0, err
    with open(tmp_path / "events.review.csv", encoding="utf-8-sig", newline="") as handle:
        values = [row["value"] for row in csv.DictReader(handle)]
    assert values and all(v[:1] not in "=+-@\t\r" for v in values), values


def test_annotate_html_escapes_text_and_title(env_home, capsys, tmp_path) -> None:
    source = tmp_path / "<img src=x onerror=alert(1)>.txt"
    source.write_text("<script>alert(1)</script> Kyiv \"quoted\" & <b>Lysychansk</b>", encoding="utf-8")
    status, out, err = run(capsys, ["annotate", str(source), "--format", "html"])
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
    status, out, err = run(capsys, ["match", "--json", "Kyiv"])
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
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=300)


def test_xlsx_with_many_rows_is_read(home, tmp_path) -> None:
    """200,000 rows in a 40 KB workbook: read and cleaned within bounded memory (figures in SECURITY.md)."""
    source = xlsx_bomb(tmp_path / "rows.xlsx", rows=200_000)
    assert source.stat().st_size < 100_000
    done = clean_in_a_subprocess(home, source, tmp_path / "out.parquet")
    assert done.returncode == 0, done.stderr
    import polars as pl

    assert pl.read_parquet(tmp_path / "out.parquet")["location_status"].to_list().count("matched") == 200_000


@pytest.mark.xfail(strict=True, reason="no bound in normalizer/io_formats.read_xlsx: a workbook is read whole, "
                   "about 12x its expanded XML in memory (a 1 MB file with a 1 GiB cell: 12 GB); proposed fix: "
                   "refuse before reading when the zip's members expand to over 32 MiB at a ratio over 100")
def test_xlsx_bomb_is_refused_before_reading(home, tmp_path) -> None:
    source = xlsx_bomb(tmp_path / "bomb.xlsx", cell_mib=64)  # ~300 KB that expands to 64 MiB (770 MB read)
    assert source.stat().st_size < 1 << 20
    done = clean_in_a_subprocess(home, source, tmp_path / "out.csv")
    assert done.returncode == 1 and done.stderr.startswith("uanorm: error:"), (done.returncode, done.stderr[-500:])
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.xfail(strict=True, reason="no bound in normalizer/io_formats.read_parquet: a 17 KB file with one "
                   "512 MB string takes 3.7 GB; proposed fix: refuse a column chunk whose uncompressed size "
                   "(Parquet metadata) exceeds 256 MiB or averages over 64 KiB a value")
def test_parquet_bomb_is_refused_before_reading(home, tmp_path) -> None:
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
                              cwd=REPO, timeout=300)
        assert done.returncode == 0, (argv, done.stderr[-2000:])
        assert "network" not in done.stderr
