"""Golden passages: every marked mention linked to its entity, and no other link (tests/golden/annotate)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import GOLDEN, SEEDS

PASSAGES = GOLDEN / "annotate"
_MARK = re.compile(r"\[\[([^\[\]|]+)\|([^\[\]]+)\]\]")


@dataclass(frozen=True)
class Expected:
    """A marked span: its offsets in the unmarked text and the IDs that are right ('-': unlinked is right)."""

    start: int
    end: int
    text: str
    ids: tuple[str, ...]

    @property
    def optional(self) -> bool:
        """Leaving the span unlinked is acceptable."""
        return "-" in self.ids


def read_golden(path: Path) -> tuple[str, list[Expected]]:
    """The unmarked text of a golden passage and its expected mentions."""
    raw = path.read_text(encoding="utf-8")
    parts: list[str] = []
    expected: list[Expected] = []
    length = 0
    last = 0
    for match in _MARK.finditer(raw):
        parts.append(raw[last : match.start()])
        length += match.start() - last
        surface = match.group(1)
        expected.append(Expected(length, length + len(surface), surface, tuple(match.group(2).split(","))))
        parts.append(surface)
        length += len(surface)
        last = match.end()
    parts.append(raw[last:])
    return "".join(parts), expected


def compare(mentions: list, expected: list[Expected]) -> tuple[list[str], int, int, int]:
    """(problems, true links, false links, missed links) of mentions against a passage's marks."""
    by_span = {(e.start, e.end): e for e in expected}
    problems: list[str] = []
    true_links = false_links = 0
    for mention in mentions:
        gold = by_span.get((mention.start, mention.end))
        if gold is not None and mention.id in gold.ids:
            true_links += 1
        else:
            false_links += 1
            wanted = f"expected {gold.ids}" if gold else "expected no link"
            problems.append(f"{mention.start}:{mention.end} {mention.text!r} -> {mention.id} ({wanted})")
    linked = {(m.start, m.end) for m in mentions}
    missed = [e for e in expected if (e.start, e.end) not in linked and not e.optional]
    problems.extend(f"{e.start}:{e.end} {e.text!r} missed (expected {e.ids})" for e in missed)
    return problems, true_links, false_links, len(missed)


def passages() -> list[Path]:
    """Every golden passage."""
    return sorted(PASSAGES.glob("*.txt"))


def test_the_passages_exist() -> None:
    names = {p.name for p in passages()}
    assert "en-seed-kyiv-missiles-2022-06.txt" in names
    assert any(n.startswith("uk-") for n in names) and any(n.startswith("ru-") for n in names)


def test_the_seed_passage_is_the_seed_article() -> None:
    text, expected = read_golden(PASSAGES / "en-seed-kyiv-missiles-2022-06.txt")
    assert text == (SEEDS / "kyiv-missiles-2022-06.txt").read_text(encoding="utf-8")
    assert all(text[e.start : e.end] == e.text for e in expected)
    assert len(text.split()) >= 600


@pytest.mark.parametrize("path", passages(), ids=lambda p: p.stem)
def test_golden_passage(normalizer, path: Path) -> None:
    text, expected = read_golden(path)
    mentions = normalizer.annotate(text)
    problems, _true, _false, _missed = compare(mentions, expected)
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


def test_seed_article_named_mentions(normalizer) -> None:
    """The issue's list, spelled out: the spans and entities of the seed article."""
    text = (SEEDS / "kyiv-missiles-2022-06.txt").read_text(encoding="utf-8")
    found: dict[str, set[str]] = {}
    for mention in normalizer.annotate(text):
        found.setdefault(mention.text, set()).add(mention.id)
    assert found["Kyiv"] == {"UA80000000000093317"}
    assert found["Kyiv region"] == {"UA32000000000030281"}
    assert found["Lugansk region"] == found["Luhansk region"] == {"UA44000000000018893"}
    assert found["Severodonetsk"] == {"UA44120110010072887"}
    assert found["Lysichansk"] == found["Lisichansk"] == {"UA44120050010021900"}
    assert found["Sergei Gaidai"] == {"person:serhii-haidai"}
    assert found["Andrei Marochko"] == {"person:andrii-marochko"}
    assert found["Vitali Klitschko"] == {"person:vitalii-klychko"}
    assert found["Oleksiy Goncharenko"] == {"person:oleksii-honcharenko"}
    assert found["Vladimir Putin"] == found["Putin"] == {"person:volodymyr-putin"}
    assert found["Alexander Lukashenko"] == {"person:oleksandr-lukashenko"}
    assert found["Igor Konashenkov"] == {"person:ihor-konashenkov"}
    assert found["Volodymyr Zelensky"] == {"person:volodymyr-zelenskyi"}
    assert found["Azot"] == {"facility:azot-sievierodonetsk"}
    assert found["Donbas"] == {"region:donbas"}
    assert found["Donetsk"] == {"UA14080030010048113", "UA14000000000091971"}  # the city; "the second region"
    assert found["Chernihiv region"] == {"UA74000000000025378"}
    assert found["Black Sea"] == {"sea:black-sea"}
    assert found["Pokrovsk"] == {"UA14160210010099403"}
    assert found["Mykolaiv"] == {"UA48060150010035747"}
    assert found["Kharkiv"] == {"UA63120270010096107"}
    assert found["Crimea"] <= {"UA01000000000013043", "region:crimea"}
    for abroad in ("Moscow", "Belarus", "Russia"):
        assert all(not i.startswith("UA") for i in found.get(abroad, set()))
    for never in ("Sunday", "HELP", "Telegram", "Russian", "Ukrainian", "Iskander", "Ukraine", "Efrem Lukatsky",
                  "Lukatsky", "Nariman El-Mofti", "Aleksandrov", "Marienko", "Interfax", "Kremlin"):
        assert never not in found, never
