"""Transliteration-invariant keys: fold() for exact matching, skeleton() for system-blind matching.

fold() lowercases, strips Latin diacritics (č -> c, ł -> l), drops apostrophes and
soft-sign marks and unifies separators; Cyrillic stays Cyrillic (ё -> е, ґ -> г).

skeleton() maps a name, Latin or Cyrillic, to a key that erases the differences
between romanization systems: h/g/kh, y/i/j, ye/ie/je/e, ts/c/tz, ch/tsch/cz, sh/sch/sz,
zh/zs, shch/schtsch/szcz, w/v, doubled letters, spaces and hyphens, -yi/-iy/-ij
endings. It keeps distinctions that separate real names (Bilhorod vs Belgorod:
i vs e; Kharkiv vs Kharkov: i vs o).
"""

from __future__ import annotations

import operator
import re
import string
import unicodedata
from functools import lru_cache

from gazetteer.textutil import APOSTROPHES, DASH_LIKE, QUOTE_MARKS

# Latin letters that Unicode decomposition does not reduce to ASCII.
_SPECIAL_LATIN = {
    "ł": "l", "đ": "d", "ð": "d", "ø": "o", "ħ": "h", "ı": "i", "ŀ": "l", "ß": "ss",
    "æ": "ae", "œ": "oe", "þ": "th", "ŧ": "t", "ƶ": "z", "ȥ": "z", "ɨ": "i",
    "ŭ": "v",  # Belarusian Latin and Esperanto: Homieĺ, Eŭpatorio
}
# Marks that stand for a soft sign, a hard sign or an apostrophe in romanizations.
_MARKS = APOSTROPHES + QUOTE_MARKS
_SEPARATORS = "-" + DASH_LIKE + "_./\\"


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        char = chr(code)
        lower = char.lower()
        if lower in _SPECIAL_LATIN:
            table[code] = _SPECIAL_LATIN[lower]
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", lower) if not unicodedata.combining(c))
        if base and base.isascii():
            table[code] = base
    for mark in _MARKS:
        table[ord(mark)] = ""
    for separator in _SEPARATORS:
        table[ord(separator)] = " "
    table[ord("ё")] = "е"
    table[ord("Ё")] = "е"
    table[ord("ґ")] = "г"
    table[ord("Ґ")] = "г"
    # ь and ъ are letters of the name in Cyrillic but vanish in most romanizations;
    # the Cyrillic fold keeps them (exact key), the skeleton drops them.
    return table


_FOLD_TABLE = _build_fold_table()
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lowercase, strip Latin diacritics and apostrophes, unify separators; idempotent."""
    text = unicodedata.normalize("NFC", text).lower().translate(_FOLD_TABLE)
    text = _COMBINING.sub("", unicodedata.normalize("NFC", text))
    # a second pass catches letters that only the lowercase/NFC step produced
    text = text.translate(_FOLD_TABLE)
    return _SPACES.sub(" ", text).strip()


# Cyrillic -> the Latin letters the skeleton rules read (one neutral romanization).
_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ъ": "", "ы": "y", "э": "e", "ё": "io", "ю": "iu",
    "я": "ia", "ў": "v",
}
_CYRILLIC_TABLE = str.maketrans(_CYRILLIC_TO_LATIN)

# Latin spelling -> skeleton symbol; the tokenizer takes the longest match at each position.
_SKELETON_TOKENS = {
    "schtsch": "SC", "shch": "SC", "szcz": "SC", "chtch": "SC", "scs": "SC", "stsch": "SC",
    "tsch": "C", "tch": "C", "cz": "C", "ch": "C", "cs": "C", "tx": "C",
    "sch": "S", "sh": "S", "sz": "S",
    "zh": "Z", "zs": "Z",
    "kh": "H", "h": "H", "g": "H",
    "ts": "c", "tz": "c", "c": "c",
    "x": "ks", "ph": "f", "w": "v", "q": "k", "ck": "k",
    "y": "i", "j": "i", "i": "i",
    "ou": "u",
}
_TOKEN = re.compile("|".join(sorted(map(re.escape, _SKELETON_TOKENS), key=len, reverse=True)) + "|.")
_REPEATS = re.compile(r"(SC|.)\1+")
# The same steps with C-level callables only (no Python frame per character or match): skeleton() runs
# hundreds of times for one long input in the fuzzy search, so its speed bounds resolve's worst case.
_NOT_ASCII_LETTER = re.compile(r"[^A-Za-z]+")  # exactly the characters where not (isalpha() and isascii())
_TOKEN_SYMBOL = {**{letter: letter for letter in string.ascii_letters}, **_SKELETON_TOKENS}.__getitem__
_FIRST_GROUP = operator.methodcaller("group", 1)


@lru_cache(maxsize=200_000)
def skeleton(text: str) -> str:
    """A key that is equal for the spellings of one name under different romanization systems."""
    folded = fold(text).translate(_CYRILLIC_TABLE)
    letters = _NOT_ASCII_LETTER.sub("", folded)
    symbols = "".join(map(_TOKEN_SYMBOL, _TOKEN.findall(letters)))
    symbols = _REPEATS.sub(_FIRST_GROUP, symbols)
    # ie/ye/je before or after a consonant is the same e in most systems
    symbols = symbols.replace("ie", "e")
    return _REPEATS.sub(_FIRST_GROUP, symbols)


def join_skeletons(parts: list[str] | tuple[str, ...]) -> str:
    """The skeleton of a name from the skeletons of its words (Bilhorod + Dnistrovskyi: the d of both is one)."""
    symbols = _REPEATS.sub(_FIRST_GROUP, "".join(parts)).replace("ie", "e")
    return _REPEATS.sub(_FIRST_GROUP, symbols)


def is_cyrillic(text: str) -> bool:
    """True when the text's letters are mostly Cyrillic."""
    cyrillic = latin = 0
    for char in text:
        if "\u0400" <= char <= "\u04ff":
            cyrillic += 1
        elif char.isascii() and char.isalpha():
            latin += 1
    return cyrillic > latin
