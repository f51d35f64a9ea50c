"""Input cleanup: Unicode, apostrophes, homoglyphs, type words, context and alternates.

`parse_query(text)` turns a raw cell or mention into a Query: the core name, the
kind its type word implies (м. -> city, oblast -> oblast ...), trailing context
("..., Kharkiv oblast", "Бахмутський р-н"), parenthetical alternates
("Bakhmut (Artemivsk)"), and notes of what the cleanup did, for explanations.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Longer inputs are not names: they are answered `unmatched` without being read.
MAX_NAME_LENGTH = 200

_APOSTROPHE_LIKE = "’ʼʹ′`´‘ʻ＇"
_DASH_LIKE = "‐‑‒–—―−"
_CONTROL = re.compile(r"[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_SPACES = re.compile(r"\s+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD = re.compile(r"[^\s,;()\[\]/]+")
_PARENS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_SEPARATORS = re.compile(r"\s*[,;|]\s*")


@dataclass(frozen=True, slots=True)
class TypeWord:
    """A word that states the kind of a place (м., oblast, р-н ...)."""

    words: tuple[str, ...]
    kind: str
    position: str  # prefix, suffix or any


@dataclass(slots=True)
class Query:
    """A cleaned input, split into its name and what surrounds it."""

    raw: str
    core: str
    kind_hint: str | None = None
    context: list[str] = field(default_factory=list)
    alternates: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    too_long: bool = False


@lru_cache(maxsize=1)
def _homoglyphs() -> tuple[dict[str, str], dict[str, str]]:
    """(Latin -> Cyrillic, Cyrillic -> Latin) look-alike letters."""
    to_cyrillic: dict[str, str] = {}
    with open(DATA_DIR / "homoglyphs.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            to_cyrillic[row["latin"]] = row["cyrillic"]
    to_latin = {cyr: lat for lat, cyr in to_cyrillic.items()}
    to_latin["і"] = "i"
    to_latin["І"] = "I"
    return to_cyrillic, to_latin


@lru_cache(maxsize=1)
def type_words() -> tuple[TypeWord, ...]:
    """The type-word table, longest phrases first."""
    entries = []
    with open(DATA_DIR / "type_words.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            words = tuple(row["word"].casefold().rstrip(".").split())
            entries.append(TypeWord(words, row["kind"], row["position"]))
    entries.sort(key=lambda t: (-len(t.words), -len(" ".join(t.words))))
    return tuple(entries)


def clean_text(text: str) -> str:
    """NFC, no control or bidi characters, one apostrophe, one dash, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    text = text.translate({ord(c): "'" for c in _APOSTROPHE_LIKE})
    text = text.translate({ord(c): "-" for c in _DASH_LIKE})
    text = text.replace("_", " ").replace("\u00a0", " ")
    return _SPACES.sub(" ", text).strip()


def fix_homoglyphs(text: str) -> str:
    """In a word mixing scripts, turn look-alike letters into the word's majority script."""
    to_cyrillic, to_latin = _homoglyphs()

    def repair(match: re.Match[str]) -> str:
        word = match.group(0)
        cyrillic = len(_CYRILLIC.findall(word))
        latin = len(_LATIN.findall(word))
        if not cyrillic or not latin:
            return word
        if cyrillic >= latin:
            return "".join(to_cyrillic.get(c, c) for c in word)
        return "".join(to_latin.get(c, c) for c in word)

    return _WORD.sub(repair, text)


def _strip_type_words(core: str) -> tuple[str, str | None]:
    """Remove a leading or trailing type word; return (rest, kind)."""
    tokens = core.split(" ")
    folded = [t.casefold().rstrip(".") for t in tokens]
    for entry in type_words():
        n = len(entry.words)
        if n >= len(tokens):
            continue
        single_letter = n == 1 and len(entry.words[0]) == 1
        if entry.position in ("prefix", "any") and tuple(folded[:n]) == entry.words:
            if single_letter and not (tokens[0].endswith(".") or tokens[1][:1].isupper()):
                continue
            return " ".join(tokens[n:]), entry.kind
        if entry.position in ("suffix", "any") and tuple(folded[-n:]) == entry.words:
            if single_letter and not tokens[-1].endswith("."):
                continue
            return " ".join(tokens[:-n]), entry.kind
    return core, None


def strip_type_words(core: str) -> tuple[str, str | None]:
    """Remove type words at either end (м. ... , ... область), repeatedly; (rest, kind)."""
    kind = None
    for _ in range(3):
        rest, found = _strip_type_words(core)
        if found is None:
            break
        kind = kind or found
        core = rest
    return core.strip(" .,-"), kind


def parse_query(text: str) -> Query:
    """Clean a raw name and split it into core name, kind hint, context and alternates."""
    if len(text) > MAX_NAME_LENGTH * 4:
        return Query(raw=text[:MAX_NAME_LENGTH], core="", too_long=True, notes=["input too long to be a name"])
    cleaned = clean_text(text)
    notes: list[str] = []
    repaired = fix_homoglyphs(cleaned)
    if repaired != cleaned:
        notes.append("mixed-script look-alike letters repaired")
    if len(repaired) > MAX_NAME_LENGTH:
        return Query(raw=text, core="", too_long=True, notes=["input too long to be a name"])

    alternates: list[str] = []
    context: list[str] = []

    def take_parenthetical(match: re.Match[str]) -> str:
        inner = (match.group(1) or match.group(2) or "").strip()
        if inner:
            _, kind = strip_type_words(inner)
            (context if kind in ("oblast", "raion", "hromada") else alternates).append(inner)
        return " "

    core = _PARENS.sub(take_parenthetical, repaired)
    parts = [p for p in _SEPARATORS.split(core) if p.strip()]
    core = parts[0] if parts else ""
    context.extend(parts[1:])
    if "/" in core:
        head, *rest = [p.strip() for p in core.split("/") if p.strip()]
        core, alternates = head, [*alternates, *rest]
    core = _SPACES.sub(" ", core).strip()
    core, kind = strip_type_words(core)
    if alternates:
        notes.append(f"alternates in the input: {', '.join(alternates)}")
    if context:
        notes.append(f"context in the input: {', '.join(context)}")
    return Query(raw=text, core=core, kind_hint=kind, context=context, alternates=alternates, notes=notes)
