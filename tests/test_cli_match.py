"""End-to-end command line: `uanorm match` and `uanorm gazetteer build|stats|show|search`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from normalizer.cli import main


def test_match_json_fields(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "--json", "Lisichansk", "Іванівка", "qqqqzzzz"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["input"] for line in lines] == ["Lisichansk", "Іванівка", "qqqqzzzz"]
    first = lines[0]
    assert set(first) >= {"input", "status", "id", "kind", "name", "name_uk", "oblast_id", "country", "score",
                          "candidates", "explanation"}
    assert first["status"] == "matched" and first["id"] == "UA44120050010021900"
    assert first["candidates"][0]["id"] == first["id"]
    assert lines[1]["status"] == "ambiguous" and len(lines[1]["candidates"]) == 5
    assert lines[2]["status"] == "unmatched" and lines[2]["id"] is None


def test_match_reads_stdin(env_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Kharkov\nу Лисичанську\n\n"))
    assert main(["match", "--json", "--limit", "2"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == ["UA63120270010096107", "UA44120050010021900", None]


def test_match_table_and_hints(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "--oblast", "Kharkivska", "Ivanivka"]) == 0
    out = capsys.readouterr().out
    assert "Ivanivka" in out and "UA63" in out
    assert main(["match", "--kind", "oblast", "Kharkiv"]) == 0
    assert "UA63000000000041885" in capsys.readouterr().out


def test_bad_arguments_give_one_line_errors(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "--kind", "planet", "Kyiv"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("uanorm: error:") and "planet" in err and "Traceback" not in err
    assert main(["match", "--limit", "0", "Kyiv"]) == 1
    assert main(["gazetteer", "show", "UA00000000000000000"]) == 1
    assert "unknown entity" in capsys.readouterr().err


def test_gazetteer_show_stats_search(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gazetteer", "show", "--json", "UA44120050010021900"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["name_uk"] == "Лисичанськ" and shown["name"] == "Lysychansk"
    assert shown["oblast_id"] == "UA44000000000018893" and shown["name_ru"] == "Лисичанск"
    assert shown["geonames_id"] and shown["population"]
    assert any(n["text"] == "Лисичанск" for n in shown["names"])
    assert shown["parents"][-1]["id"] == "UA44000000000018893"
    assert main(["gazetteer", "show", "UA44120050010021900"]) == 0
    text = capsys.readouterr().out
    assert "Лисичанськ / Lysychansk" in text and "Luhanska oblast" in text
    assert main(["gazetteer", "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["katottg_units"] >= 31_000 and stats["persons"] >= 150
    assert main(["gazetteer", "stats"]) == 0
    assert "GeoNames link" in capsys.readouterr().out
    assert main(["gazetteer", "search", "Лисичанськ"]) == 0
    assert capsys.readouterr().out.startswith("UA44120050010021900")


def test_search_limit_and_more_results(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`gazetteer search` says when it stopped at its limit (stderr: stdout stays the results)."""
    assert main(["gazetteer", "search", "Іванівка"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 20
    assert "more results: these are the first 20; --limit N shows more" in captured.err
    assert main(["gazetteer", "search", "Іванівка", "--limit", "500"]) == 0
    captured = capsys.readouterr()
    assert 20 < len(captured.out.splitlines()) < 500 and "more results" not in captured.err
    assert main(["gazetteer", "search", "Іванівка", "--limit", "3", "--json"]) == 0
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)) == 3 and "more results" in captured.err
    assert main(["gazetteer", "search", "Лисичанськ", "--limit", "5"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["gazetteer", "search", "Іванівка", "--limit", "0"]) == 1
    assert "--limit" in capsys.readouterr().err


def test_bad_sources_selection(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gazetteer", "build", "--sources", "katottg,wikipedia"]) == 1
    assert "wikipedia" in capsys.readouterr().err


def test_console_script_streams(env_home: Path) -> None:
    """The installed entry point answers the first line before the last is written."""
    process = subprocess.Popen([sys.executable, "-m", "normalizer", "match", "--json"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdin and process.stdout
    process.stdin.write("Lisichansk\n")
    process.stdin.flush()
    first = json.loads(process.stdout.readline())
    assert first["id"] == "UA44120050010021900"
    process.stdin.write("Kharkov\n")
    process.stdin.close()
    second = json.loads(process.stdout.readline())
    assert second["id"] == "UA63120270010096107"
    assert process.wait(timeout=30) == 0


def test_gazetteer_show_tells_the_history(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bakhmut: its KOATUU code, its city council of before 2020, its Soviet name with years; a former raion:
    when it ended, what replaced it, where its settlements are now."""
    assert main(["gazetteer", "show", "UA14020010010059145"]) == 0
    text = capsys.readouterr().out
    assert "koatuu 1410300000" in text and "raion before 2020: " in text and "koatuu:1410300000" in text
    assert "Артемівськ  [1924-2016]" in text
    assert main(["gazetteer", "show", "--json", "koatuu:1421500000"]) == 0
    history = json.loads(capsys.readouterr().out)["history"]
    assert history["year_to"] == 2020 and history["successor"] == "UA14040000000098211"
    assert {"UA14040000000098211", "UA14140000000070889"} <= {s["id"] for s in history["successors"]}
    assert main(["gazetteer", "show", "koatuu:1421500000"]) == 0
    text = capsys.readouterr().out
    assert "existed until: 2020, now Volnovaskyi raion (UA14040000000098211)" in text
    assert "its settlements are now in:" in text
