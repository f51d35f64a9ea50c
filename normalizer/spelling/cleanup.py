"""Input cleanup at the level of characters and words: Unicode, apostrophes and dashes, look-alike letters of
the other script, Greek/Armenian/Georgian spellings, and the type words that state a kind (м., oblast, р-н).

Reading a whole cell (name, context, address parts, phrases) is `parse`'s job.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from gazetteer.textutil import APOSTROPHE, APOSTROPHE_LIKE, DASH_LIKE

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Longer inputs are not names: they are answered `unmatched` without being read.
MAX_NAME_LENGTH = 200

_CONTROL = re.compile(r"[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_SPACES = re.compile(r"\s+")
#: A Cyrillic letter.
CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD = re.compile(r"[^\s,;()\[\]/]+")
#: Alphabets read through unidecode when a word is written mostly in them: Greek, Armenian, Georgian
#: (Κίεβο -> Kiebo, Կիև -> Kiew, ხარკოვი -> xarkovi); the romanizations then match as Latin input does.
_OTHER_ALPHABETS = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff\u0530-\u058f\u10a0-\u10ff\u1c90-\u1cbf]")
#: Modern Greek values where unidecode gives the ancient ones (ELOT 743: β = v, η = i), and the digraphs
#: Greek writes foreign b, d, g with (Μπαχμούτ, Ντονέτσκ, Λουγκάνσκ; but ντσ in Κρεμεντσούκ is n-ts).
_MODERN_GREEK = str.maketrans({"β": "v", "Β": "V", "η": "i", "ή": "i", "Η": "I", "Ή": "I"})
_GREEK_DIGRAPHS = (("μπ", "b"), ("Μπ", "B"), ("ΜΠ", "B"), ("ντσ", "nts"), ("ντ", "d"), ("Ντ", "D"), ("ΝΤ", "D"),
                   ("γκ", "g"), ("Γκ", "G"), ("ΓΚ", "G"))
_GLUED_DOT = re.compile(r"(?<=\w)\.(?=[^\W\d_])")


@dataclass(frozen=True, slots=True)
class TypeWord:
    """A word that states the kind of a place (м., oblast, р-н ...)."""

    words: tuple[str, ...]
    kind: str
    position: str  # prefix, suffix or any


@lru_cache(maxsize=1)
def _homoglyphs() -> tuple[dict[str, str], dict[str, str]]:
    """(Latin -> Cyrillic, Cyrillic -> Latin) look-alike letters."""
    with open(DATA_DIR / "homoglyphs.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    to_latin = {row["cyrillic"]: row["latin"] for row in rows}
    # letters outside the Ukrainian and Russian alphabets (ѕ, ј ...) only ever become Latin
    east_slavic = set("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэёъ")
    to_cyrillic = {row["latin"]: row["cyrillic"] for row in rows if row["cyrillic"].lower() in east_slavic}
    to_latin["і"] = "i"
    to_latin["І"] = "I"
    return to_cyrillic, to_latin


@lru_cache(maxsize=1)
def prepositions() -> frozenset[str]:
    """Prepositions that precede an inflected place name (у, з, під, под ...)."""
    with open(DATA_DIR / "prepositions.tsv", encoding="utf-8", newline="") as handle:
        return frozenset(row["word"].casefold() for row in csv.DictReader(handle, delimiter="\t"))


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


_SURROGATES = re.compile(r"[\ud800-\udfff]")
_ONE_APOSTROPHE = str.maketrans(dict.fromkeys(APOSTROPHE_LIKE, APOSTROPHE))
_ONE_DASH = str.maketrans(dict.fromkeys(DASH_LIKE, "-"))


def clean_text(text: str) -> str:
    """NFC, no control or bidi characters or lone surrogates, one apostrophe, one dash, single spaces."""
    text = unicodedata.normalize("NFC", _SURROGATES.sub("\ufffd", text))
    text = _CONTROL.sub(" ", text)
    text = text.translate(_ONE_APOSTROPHE)
    text = text.translate(_ONE_DASH)
    text = text.replace("_", " ").replace("\u00a0", " ")
    text = _GLUED_DOT.sub(". ", text)  # м.Київ -> м. Київ
    return _SPACES.sub(" ", text).strip()


def romanize_other_alphabets(text: str) -> str:
    """Words written mostly in Greek, Armenian or Georgian letters, in Latin letters (others unchanged)."""
    if not _OTHER_ALPHABETS.search(text):
        return text
    from unidecode import unidecode

    def romanize(match: re.Match[str]) -> str:
        word = match.group(0)
        other = len(_OTHER_ALPHABETS.findall(word))
        if 2 * other <= sum(c.isalpha() for c in word):
            return word
        for digraph, latin in _GREEK_DIGRAPHS:
            word = word.replace(digraph, latin)
        return unidecode(word.translate(_MODERN_GREEK))

    return _WORD.sub(romanize, text)


def fix_homoglyphs(text: str) -> str:
    """In a word mixing scripts, turn look-alike letters into the word's majority script."""
    to_cyrillic, to_latin = _homoglyphs()

    def repair(match: re.Match[str]) -> str:
        word = match.group(0)
        cyrillic = len(CYRILLIC_LETTER.findall(word))
        latin = len(_LATIN.findall(word))
        if not cyrillic or not latin:
            return word
        if cyrillic >= latin:
            return "".join(to_cyrillic.get(c, c) for c in word)
        return "".join(to_latin.get(c, c) for c in word)

    return _WORD.sub(repair, text)


@lru_cache(maxsize=1)
def _single_type_words() -> frozenset[str]:
    return frozenset(e.words[0] for e in type_words() if len(e.words) == 1 and len(e.words[0]) > 1)


def _split_hyphenated_type(tokens: list[str]) -> list[str]:
    """kharkiv-oblast -> kharkiv oblast (only when the hyphen's tail is a type word)."""
    if not tokens:
        return tokens
    words = _single_type_words()
    last = tokens[-1]
    if "-" in last:
        head, _, tail = last.rpartition("-")
        if head and tail.casefold().rstrip(".") in words:
            return [*tokens[:-1], head, tail]
    return tokens


@lru_cache(maxsize=1)
def _type_words_by_edge() -> tuple[dict[str, list[TypeWord]], dict[str, list[TypeWord]]]:
    """Type words indexed by their first word (prefixes) and their last word (suffixes)."""
    first: dict[str, list[TypeWord]] = {}
    last: dict[str, list[TypeWord]] = {}
    for entry in type_words():
        if entry.position in ("prefix", "any"):
            first.setdefault(entry.words[0], []).append(entry)
        if entry.position in ("suffix", "any"):
            last.setdefault(entry.words[-1], []).append(entry)
    return first, last


def _strip_type_words(core: str) -> tuple[str, str | None]:
    """Remove a leading or trailing type word; return (rest, kind)."""
    tokens = _split_hyphenated_type(core.split(" "))
    folded = [t.casefold().rstrip(".") for t in tokens]
    first, last = _type_words_by_edge()
    candidates = first.get(folded[0], []) + last.get(folded[-1], [])
    if not candidates:
        return core, None
    for entry in sorted(candidates, key=type_words().index):
        n = len(entry.words)
        if n >= len(tokens):
            continue
        single_letter = n == 1 and len(entry.words[0]) == 1
        if entry.position in ("prefix", "any") and tuple(folded[:n]) == entry.words:
            # one-letter abbreviations (м., с., г.) are lowercase; "С. Гайдай" is an initial
            if single_letter and not (tokens[0].islower() and (tokens[0].endswith(".") or tokens[1][:1].isupper())):
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
