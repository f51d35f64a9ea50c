"""Hostile arguments and inputs for every `uanorm` command, through main(argv).

Invariant: a command returns 0, or fails with exactly one line `uanorm: error: ...` on stderr
and exit status 1 (argparse's own usage errors: status 2); never a traceback, never the
"unexpected" status 70 that main() keeps for bugs. Output that is written is complete.
"""

from __future__ import annotations

import io
import json
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalizer.cli import EXIT_BUG, EXIT_USAGE, main

from .hypothesis_profiles import dev_names, file_text, hostile_text, noisy_names, real_names, scaled

#: Strings as they may arrive in argv: decoded from bytes with surrogateescape (invalid UTF-8 -> lone
#: surrogates), so any str is possible, but no NUL (the OS cannot pass one in an argument).
argv_text = hostile_text.map(lambda t: t.replace("\x00", ""))
ids = st.one_of(st.sampled_from(["UA44120050010021900", "UA80000000000093317", "person:serhii-haidai",
                                 "region:donbas", "UA00000000000000000", "", " ", "user:village-x"]), argv_text)


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """Run main(argv): (status, stdout, stderr), argparse's SystemExit included, checking the error contract."""
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse: --help, or a usage error (status 2, its own message)
        status = exc.code if isinstance(exc.code, int) else 2
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return status, out, err
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    assert status != EXIT_BUG, err
    if status not in (0, EXIT_USAGE):  # EXIT_USAGE: no command given, the help is printed
        lines = [line for line in err.splitlines() if line.startswith("uanorm: error:")]
        assert lines, f"status {status} without an error line: {err!r}"
    return status, out, err


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("uanorm:")]


# -- match ----------------------------------------------------------------------------------


@scaled(20)
@given(names=st.lists(st.one_of(argv_text, noisy_names, real_names), min_size=1, max_size=6), as_json=st.booleans(),
       oblast=st.one_of(st.none(), argv_text, st.sampled_from(["Kharkiv", "UA-14", "x" * 5000])),
       kind=st.one_of(st.none(), st.sampled_from(["city", "oblast,person", "planet", ""]), argv_text),
       limit=st.one_of(st.none(), st.integers(-3, 12).map(str), argv_text))
def test_match_any_arguments(env_home, capsys, names, as_json, oblast, kind, limit) -> None:
    argv = ["match", *(["--json"] if as_json else []), *(["--oblast", oblast] if oblast is not None else []),
            *(["--kind", kind] if kind is not None else []), *(["--limit", limit] if limit is not None else []),
            "--", *names]
    status, out, _err = run(capsys, argv)
    if status == 0:
        lines = out.split("\n")[:-1]  # JSON Lines end in \n; U+2028 and \x85 may sit inside a line
        if as_json:
            records = [json.loads(line) for line in lines]
            assert len(records) == len(names)
            assert all(record["status"] in ("matched", "ambiguous", "unmatched") for record in records)


@scaled(15)
@given(lines=st.lists(st.one_of(file_text, real_names), max_size=8), raw=st.binary(max_size=40))
def test_match_reads_any_stdin(env_home, capsys, monkeypatch, lines, raw) -> None:
    data = ("\n".join(lines)).encode("utf-8") + b"\n" + raw
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    status, out, _err = run(capsys, ["match", "--json"])
    if status == 0:
        for line in out.split("\n")[:-1]:
            json.loads(line)


def test_match_echoes_undecodable_input_readably(env_home, capsys) -> None:
    """An argument that was not UTF-8 (argv decoded with surrogateescape) is answered, and echoed escaped."""
    status, out, err = run(capsys, ["match", "Kyiv\udcff", "\udcc3\udca9"])
    assert status == 0, err
    assert out.splitlines()[0].startswith("Kyiv\\udcff\tmatched\tUA80000000000093317")
    status, out, err = run(capsys, ["match", "--json", "Kyiv\udcff"])
    assert status == 0 and json.loads(out)["id"] == "UA80000000000093317"


def test_match_stdin_that_is_not_utf8(env_home, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Kyiv\nLviv\xff\xfe\nOdesa\n"), encoding="utf-8"))
    status, out, err = run(capsys, ["match"])
    assert status == 0, err
    assert [line.split("\t")[1] for line in out.splitlines()] == ["matched", "matched", "matched"]


# -- annotate -------------------------------------------------------------------------------


@scaled(15)
@given(text=file_text, fmt=st.sampled_from(["json", "html", "text"]), lang=st.sampled_from(["auto", "en", "uk", "ru"]))
def test_annotate_any_file(env_home, capsys, tmp_path_factory, text, fmt, lang) -> None:
    path = tmp_path_factory.mktemp("annotate") / "in put ї.txt"
    path.write_text(text + " Kyiv and Lysychansk", encoding="utf-8", newline="")
    status, out, err = run(capsys, ["annotate", str(path), "--format", fmt, "--lang", lang])
    assert status == 0, err
    if fmt == "json":
        data = json.loads(out)
        original = path.read_bytes().decode("utf-8")
        for mention in data["mentions"]:
            assert original[mention["start"] : mention["end"]] == mention["text"]


@pytest.mark.parametrize("content", [b"\xff\xfe\x00K", b"", b"\x00" * 100, "Київ".encode("utf-16"),
                                     b"Kyiv\r\nLviv\r", "\ufeffKyiv".encode("utf-8")], ids=str)
def test_annotate_odd_bytes(env_home, capsys, tmp_path, content) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(content)
    status, out, err = run(capsys, ["annotate", str(path)])
    if status == 0:
        data = json.loads(out)
        text = content.decode("utf-8")
        for mention in data["mentions"]:
            assert text[mention["start"] : mention["end"]] == mention["text"]
    else:
        assert "not UTF-8" in err


@scaled(10)
@given(lines=st.lists(st.one_of(file_text.map(lambda t: json.dumps({"id": 1, "text": t})), file_text,
                                st.just("[1, 2]"), st.just('{"text": 5}'), st.just("null")), max_size=5))
def test_annotate_any_jsonl_corpus(env_home, capsys, tmp_path_factory, lines) -> None:
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    status, out, _err = run(capsys, ["annotate", "--jsonl", str(path)])
    if status == 0:
        for line in out.split("\n")[:-1]:
            json.loads(line)


# -- clean ----------------------------------------------------------------------------------


@scaled(10)
@given(values=st.lists(st.one_of(file_text, real_names), min_size=1, max_size=6), sep=st.sampled_from([",", ";", "\t"]),
       escape=st.booleans())
def test_clean_any_csv_cells(env_home, capsys, tmp_path_factory, values, sep, escape) -> None:
    import csv

    folder = tmp_path_factory.mktemp("clean")
    source = folder / "events.csv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=sep)
        writer.writerow(["n", "location"])
        writer.writerows([[i, v] for i, v in enumerate(values)])
    argv = ["clean", str(source), "--column", "location", "-q", "--workers", "1",
            *(["--escape-formulas"] if escape else [])]
    status, _out, _err = run(capsys, argv)
    if status == 0:
        assert (folder / "events.clean.csv").exists()
    else:  # nothing partial is left behind
        assert not (folder / "events.clean.csv").exists()
        assert not [p for p in folder.iterdir() if p.name.endswith(".part")]


@scaled(10)
@given(column=argv_text, oblast=st.one_of(st.none(), argv_text), kind=st.one_of(st.none(), argv_text),
       min_score=st.one_of(st.none(), st.sampled_from(["-1", "2", "nan", "0.5", "x"])),
       encoding=st.one_of(st.none(), st.sampled_from(["utf-8", "cp1251", "no-such-codec", "utf-16", "latin-1"])))
def test_clean_any_options(env_home, capsys, tmp_path_factory, column, oblast, kind, min_score, encoding) -> None:
    folder = tmp_path_factory.mktemp("cleanopt")
    source = folder / "t.csv"
    source.write_text("location,region\nKyiv,Kyiv\nЛисичанськ,Луганська\n", encoding="utf-8")
    argv = ["clean", str(source), "--column", column, "-q", "--workers", "1",
            *(["--oblast", oblast] if oblast is not None else []), *(["--kind", kind] if kind is not None else []),
            *(["--min-score", min_score] if min_score is not None else []),
            *(["--encoding", encoding] if encoding is not None else [])]
    run(capsys, argv)


@pytest.mark.parametrize("encoding", ["rot13", "base64", "zlib", "hex", "bz2", "uu", "quopri"])
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_clean_with_a_codec_that_is_not_a_text_encoding(env_home, capsys, tmp_path, encoding, suffix) -> None:
    """Regression: codecs.lookup() knows bytes-to-bytes and text-to-text codecs; decode() then raised TypeError."""
    source = tmp_path / f"t{suffix}"
    source.write_text("location\nKyiv\n" if suffix == ".csv" else '{"location": "Kyiv"}\n', encoding="utf-8")
    status, _out, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--encoding", encoding,
                                    "-o", str(tmp_path / f"out{suffix}")])
    assert status == 1 and f"encoding {encoding!r} is not a text encoding" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name]


# -- gazetteer: reading ----------------------------------------------------------------------


@scaled(15)
@given(entity_id=ids, as_json=st.booleans())
def test_gazetteer_show_any_id(env_home, capsys, entity_id, as_json) -> None:
    status, out, _err = run(capsys, ["gazetteer", "show", *(["--json"] if as_json else []), "--", entity_id])
    if status == 0 and as_json:
        assert json.loads(out)["id"] == entity_id.strip()


@scaled(15)
@given(text=st.one_of(argv_text, real_names), limit=st.one_of(st.none(), st.sampled_from(
    ["0", "-1", "1", "99999999999999999999999", "x"])), as_json=st.booleans())
def test_gazetteer_search_any_text(env_home, capsys, text, limit, as_json) -> None:
    argv = ["gazetteer", "search", *(["--json"] if as_json else []), *(["--limit", limit] if limit else []), "--", text]
    status, out, _err = run(capsys, argv)
    if status == 0 and as_json:
        assert isinstance(json.loads(out), list)


@pytest.mark.parametrize("argv", [
    ["gazetteer", "stats"], ["gazetteer", "stats", "--json"], ["gazetteer"], ["gazetteer", "history"],
    ["gazetteer", "history", "--limit", "99999999999999999999999"], ["gazetteer", "history", "--limit", "0"],
    ["gazetteer", "export"], ["gazetteer", "build", "--sources", "nope"], ["gazetteer", "build", "--sources", ""],
    ["gazetteer", "build", "--sources", "\udcff"], ["match"], ["annotate"], ["annotate", "--jsonl", "/nonexistent"],
    ["annotate", "/nonexistent/file.txt"], ["clean", "/nonexistent.csv", "--column", "x"], [],
    ["no-such-command"], ["match", "--limit", "99999999999999999999", "Kyiv"],
], ids=lambda a: " ".join(a) or "(none)")
def test_commands_without_a_layer(env_home, capsys, monkeypatch, argv) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Kyiv\n"))
    run(capsys, argv)


# -- gazetteer: writing (a private home) -----------------------------------------------------


@scaled(12)
@given(entity_id=ids, text=st.one_of(argv_text, noisy_names, real_names), lang=st.one_of(st.none(), argv_text),
       note=st.one_of(st.none(), argv_text), force=st.booleans())
def test_add_and_remove_variant_any_arguments(fresh_home, capsys, entity_id, text, lang, note, force) -> None:
    options = [*(["--lang", lang] if lang is not None else []), *(["--note", note] if note is not None else [])]
    status, _out, err = run(capsys, ["gazetteer", "add-variant", *(["--force"] if force else []), *options, "--",
                                    entity_id, text])
    if status == 0:
        status, _out, err = run(capsys, ["gazetteer", "remove-variant", "--", entity_id, text])
        assert status == 0, err
    run(capsys, ["gazetteer", "history", "--limit", "3"])


@scaled(12)
@given(kind=st.sampled_from(["village", "person", "facility", "foreign", "planet"]),
       name_uk=st.one_of(st.none(), argv_text, st.sampled_from(["Нововигадане", "Тест-Сіті"])),
       name=st.one_of(st.none(), argv_text), parent=st.one_of(st.none(), ids), new_id=st.one_of(st.none(), argv_text),
       country=st.one_of(st.none(), st.sampled_from(["UA", "pl", "XXX", "\udcff"])))
def test_add_and_remove_entity_any_arguments(fresh_home, capsys, kind, name_uk, name, parent, new_id, country) -> None:
    argv = ["gazetteer", "add-entity", "--json", "--kind", kind,
            *(["--name-uk", name_uk] if name_uk is not None else []), *(["--name", name] if name is not None else []),
            *(["--parent", parent] if parent is not None else []), *(["--id", new_id] if new_id is not None else []),
            *(["--country", country] if country is not None else [])]
    status, out, _err = run(capsys, argv)
    if status == 0:
        added = json.loads(out)["id"]
        assert run(capsys, ["gazetteer", "show", added])[0] == 0
        assert run(capsys, ["gazetteer", "remove-entity", added])[0] == 0


@scaled(12)
@given(rows=st.lists(st.tuples(st.one_of(file_text, real_names), st.sampled_from(
    ["UA44120050010021900", "UA80000000000093317", "nope", "", "person:serhii-haidai"]),
    st.sampled_from(["", "uk", "xx-YYYYYYYYY", "en"]), st.sampled_from(["", "variant", "entity", "hide", "x"])),
    max_size=6), delimiter=st.sampled_from([",", "\t"]), options=st.lists(st.sampled_from(
        ["--skip-invalid", "--force", "--dry-run", "--json"]), unique=True, max_size=3))
def test_import_variants_any_file(fresh_home, capsys, tmp_path_factory, rows, delimiter, options) -> None:
    import csv

    path = tmp_path_factory.mktemp("import") / "review file ї.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["text", "id", "lang", "action"])
        writer.writerows(rows)
    status, out, _err = run(capsys, ["gazetteer", "import-variants", *options, str(path)])
    if status == 0 and "--json" in options:
        assert "added" in json.loads(out)


@pytest.mark.parametrize("content", [
    b"", b"\xff\xfe", b"text,id\n" + b"x" * 200_000 + b",UA80000000000093317\n", b"PK\x03\x04\x00\x00garbage",
    b"text,id\n\"unterminated,UA80000000000093317\n", b"text,id\nKyiv\x00,UA80000000000093317\n",
    b"a,b,c\n1,2,3\n", b"text;id\nKyivv;UA80000000000093317\n", b"\xef\xbb\xbftext,id\nKyivvv,UA80000000000093317\n",
    ("text,id\n" + "Київщинааа,UA80000000000093317\n" * 5000).encode(),
], ids=lambda c: repr(c[:20]))
def test_import_variants_odd_files(fresh_home, capsys, tmp_path, content) -> None:
    path = tmp_path / "import.csv"
    path.write_bytes(content)
    run(capsys, ["gazetteer", "import-variants", str(path)])


@pytest.mark.parametrize("op", ["1", "0", "-1", "99999999999999999999999", "x", "1e3"])
def test_undo_any_op(fresh_home, capsys, op) -> None:
    run(capsys, ["gazetteer", "add-variant", "UA80000000000093317", "Kyivograd"])
    run(capsys, ["gazetteer", "undo", "--", op])
    run(capsys, ["gazetteer", "undo", "--", op])  # twice: already undone is an error line too


@pytest.mark.parametrize("target", ["-", "{dir}/out put ї.tsv", "{dir}/missing/out.tsv", "{dir}", "/dev/full"])
def test_export_anywhere(fresh_home, capsys, tmp_path, target) -> None:
    run(capsys, ["gazetteer", "add-variant", "UA80000000000093317", "Kyivograd"])
    status, _out, _err = run(capsys, ["gazetteer", "export", "-o", target.format(dir=tmp_path)])
    if status != 0:
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_every_dev_name_through_match(env_home, capsys, monkeypatch) -> None:
    """All dev-set names on stdin in one run: one answer line each, in order."""
    names = list(dev_names())
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(names) + "\n"))
    status, out, _err = run(capsys, ["match", "--json"])
    assert status == 0
    assert [json.loads(line)["input"] for line in out.split("\n")[:-1]] == names


def test_home_that_is_a_file(capsys, tmp_path, monkeypatch) -> None:
    """--home naming a file is one clear error line (no build is attempted)."""
    (tmp_path / "file-not-dir").write_text("x")
    monkeypatch.setenv("UANORM_HOME", str(tmp_path))  # main() sets it from --home; restored after the test
    status, _out, err = run(capsys, ["--home", str(tmp_path / "file-not-dir"), "gazetteer", "stats"])
    assert status == 1 and len(error_lines(err)) == 1
