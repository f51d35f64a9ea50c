"""Small text helpers the gazetteer needs to compare names from different sources."""

from __future__ import annotations

import re
import unicodedata

#: The apostrophe every name is written with once cleaned.
APOSTROPHE = "'"
#: Characters that stand for the Ukrainian apostrophe (and the soft/hard-sign mark of romanizations) in
#: real data: typographic quotes, modifier letters, primes, accents, the fullwidth apostrophe.
APOSTROPHE_LIKE = "’ʼʹ′`´‘ʻ＇"
APOSTROPHES = APOSTROPHE + APOSTROPHE_LIKE
#: Quotation marks that romanizations also use for soft and hard signs (Kyïv"s, Obʺjednane, Ḳrymʿ).
QUOTE_MARKS = '"”“″ʺ˝ʿʾ'
#: Hyphens and dashes other than '-' (cleanup turns them into '-').
DASH_LIKE = "‐‑‒–—―−"
_DROP_APOSTROPHES = str.maketrans(dict.fromkeys(APOSTROPHES))
_SPACES = re.compile(f"[\\s\\-{DASH_LIKE}_]+")


def script_of(text: str) -> str:
    """'Cyrl', 'Latn', 'Mixed' or 'Other' by the letters the text holds."""
    cyrillic = latin = other = 0
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("CYRILLIC"):
            cyrillic += 1
        elif name.startswith("LATIN"):
            latin += 1
        else:
            other += 1
    if other:
        return "Other"
    if cyrillic and latin:
        return "Mixed"
    if cyrillic:
        return "Cyrl"
    return "Latn" if latin else "Other"


def encodable(text: str) -> bool:
    """Whether the text can be stored as UTF-8 (a Python str may hold lone surrogates; SQLite cannot)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def fold_name(text: str) -> str:
    """Casefold, drop apostrophes and accents' stress marks, unify spaces/hyphens (for linking and search)."""
    text = unicodedata.normalize("NFD", text)
    # keep the breve of й and the diaeresis of ї/ё: recompose after dropping stress accents only
    text = text.replace("\u0301", "").replace("\u0300", "")
    text = unicodedata.normalize("NFC", text).casefold().translate(_DROP_APOSTROPHES)
    text = text.replace("ё", "е")
    return _SPACES.sub(" ", text).strip()


#: Leading characters that make a spreadsheet cell a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    """One cell that a spreadsheet would run as a formula, prefixed with a single quote (others unchanged)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def unescape_formula(value: str) -> str:
    """The value escape_formula was given: the quote before a formula removed (others unchanged)."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value
