"""End-to-end `uanorm annotate`: formats, stdin, corpus mode, errors as one line."""

from __future__ import annotations

import html.parser
import io
import json
import sys
from pathlib import Path

import pytest

from normalizer.cli import main

from .conftest import SEEDS

SEED = SEEDS / "kyiv-missiles-2022-06.txt"


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_json_of_the_seed(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["annotate", str(SEED)]) == 0
    document = json.loads(capsys.readouterr().out)
    text = SEED.read_text(encoding="utf-8")
    assert document["lang"] == "en" and document["chars"] == len(text)
    mentions = document["mentions"]
    assert len(mentions) >= 50
    assert [m["start"] for m in mentions] == sorted(m["start"] for m in mentions)
    for mention in mentions:
        assert text[mention["start"] : mention["end"]] == mention["text"]
        assert {"id", "kind", "name", "name_uk", "oblast_id", "country", "score"} <= set(mention)
    assert {"text": "Lugansk region", "id": "UA44000000000018893"}.items() <= \
        next(m for m in mentions if m["text"] == "Lugansk region").items()


def test_text_format_from_stdin_keeps_line_ends(env_home: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, "Бої під Бахмутом.\r\nGaidai said so.\r\n".encode())
    assert main(["annotate", "-", "--format", "text", "--lang", "auto"]) == 0
    out = capsys.readouterr().out
    assert out == ("Бої під [Бахмутом|Bakhmut|UA14020010010059145].\r\n"
                   "[Gaidai|Serhiy Haidai|person:serhii-haidai] said so.\r\n")


def test_offsets_count_characters_of_the_utf8_input(env_home: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    text = "\ufeffЗвіт: «Харків» — 🚀 Kyiv\r\n"
    path = tmp_path / "bom.txt"
    path.write_bytes(text.encode("utf-8"))
    assert main(["annotate", str(path)]) == 0
    mentions = json.loads(capsys.readouterr().out)["mentions"]
    assert [(text[m["start"] : m["end"]], m["id"]) for m in mentions] == [
        ("Харків", "UA63120270010096107"), ("Kyiv", "UA80000000000093317")]


class _Page(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.marks: list[dict[str, str | None]] = []
        self.external: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "mark":
            self.marks.append(attributes)
        if tag in ("script", "link", "img", "iframe") or attributes.get("src"):
            self.external.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escaped(env_home: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.txt"
    path.write_text('<script>alert("x")</script> Kyiv & "Luhansk region" <b>Харків</b>', encoding="utf-8")
    output = tmp_path / "x.html"
    assert main(["annotate", str(path), "--format", "html", "-o", str(output)]) == 0
    page = output.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    parser = _Page()
    parser.feed(page)
    assert parser.external == []
    assert [m["data-id"] for m in parser.marks] == ["UA80000000000093317", "UA44000000000018893",
                                                     "UA63120270010096107"]
    assert all("k-" in (m["class"] or "") and m["title"] for m in parser.marks)
    assert "Luhanska oblast" in page and "Entities" in page


def test_text_and_html_mark_undecided_mentions_and_name_oblasts(env_home: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """An undecided mention is not shown as a link: text marks it with its candidates, HTML draws it apart
    and keeps it out of the entity list; the entity list names each oblast (its ID in the tip)."""
    path = tmp_path / "u.txt"
    path.write_text("Андріївка знову під обстрілом. У Лисичанську тихо.", encoding="utf-8")
    assert main(["annotate", str(path), "--format", "text", "--undecided"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[Андріївка|Andriivka?|undecided: UA") and " +" in out.split("]")[0]
    assert "[Лисичанську|Lysychansk|UA44120050010021900]" in out
    assert main(["annotate", str(path), "--format", "html", "--undecided"]) == 0
    parser = _Page()
    page = capsys.readouterr().out
    parser.feed(page)
    assert [m["class"] for m in parser.marks] == ["undecided", "k-city"]
    assert parser.marks[0]["title"].startswith("undecided: ")
    assert "1 mentions of 1 entities" in page and "dotted: 1 undecided" in page
    assert '<span title="UA44000000000018893">Luhanska oblast</span>' in page
    assert "<code>UA44000000000018893</code>" not in page


def test_corpus_mode_directory_and_jsonl(env_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.txt").write_text("Shelling in Kharkiv.", encoding="utf-8")
    (corpus / "sub" / "b.txt").write_text("Бої під Бахмутом.", encoding="utf-8")
    (corpus / "skip.md").write_text("Kyiv", encoding="utf-8")
    assert main(["annotate", "--jsonl", str(corpus)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(d["id"], [m["id"] for m in d["mentions"]]) for d in lines] == [
        ("a.txt", ["UA63120270010096107"]), ("sub/b.txt", ["UA14020010010059145"])]
    source = tmp_path / "docs.jsonl"
    source.write_text(json.dumps({"id": "n1", "text": "Lisichansk fell"}) + "\n\n" +
                      json.dumps("Під Бахмутом") + "\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    assert main(["annotate", "--jsonl", str(source), "-o", str(output)]) == 0
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [d["id"] for d in lines] == ["n1", "3"]
    assert lines[0]["mentions"][0]["id"] == "UA44120050010021900"


@pytest.mark.parametrize("argv, message", [
    (["annotate", "missing.txt"], "no such file"),
    (["annotate"], "no input"),
    (["annotate", "--jsonl", "missing-dir"], "no such file or directory"),
    (["annotate", "--jsonl", "{tmp}", "--format", "html"], "--format does not apply"),
    (["annotate", "{bad}"], "not UTF-8"),
    (["annotate", "--jsonl", "{badjson}"], "line 2: not JSON"),
    (["annotate", "--jsonl", "{notext}"], "\"text\""),
    (["annotate", "{tmp}"], "is a directory"),
    (["annotate", "{good}", "-o", "{tmp}/no/such/dir/out.json"], "does not exist"),
])
def test_errors_are_one_line(env_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             argv: list[str], message: str) -> None:
    (tmp_path / "bad.txt").write_bytes(b"Kyiv \xff\xfe")
    (tmp_path / "good.txt").write_text("Kyiv", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text('{"text": "Kyiv"}\n{oops\n', encoding="utf-8")
    (tmp_path / "notext.jsonl").write_text('{"body": "Kyiv"}\n', encoding="utf-8")
    values = {"tmp": str(tmp_path), "bad": str(tmp_path / "bad.txt"), "badjson": str(tmp_path / "bad.jsonl"),
              "notext": str(tmp_path / "notext.jsonl"), "good": str(tmp_path / "good.txt")}
    assert main([a.format(**values) for a in argv]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("uanorm: error:") and message in err
    assert "Traceback" not in err
