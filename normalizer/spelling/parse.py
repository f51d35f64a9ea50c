"""Reading a cell: which part is the name, which parts say where it is, and what is only noise.

`parse_query(text)` turns a raw cell or mention into a Query:

- placeholders (N/A, none, невідомо, "-") are recognized as such, never as names;
- a cell is cut into parts at commas, semicolons, newlines, bars, slashes and spaced dashes;
  postal codes, streets and house numbers are dropped ("08292, Київська обл., м. Буча, вул.
  Вокзальна, 12" -> Буча, with the oblast as context); the part with a settlement's type word
  is the name, else the first part that is not a broad unit; oblasts, raions, hromadas and the
  other parts are context ("Novoselivka, Kharkiv oblast", "Kharkiv Oblast, Kharkiv");
- words around the name are dropped: leading prepositions and the nouns that put the name in an
  inflected case ("у Лисичанську", "околиці Сєвєродонецька", "мер Мелітополя", "w Charkowie"),
  trailing ones ("Bakhmut direction", "Бахмутський напрямок"), a context phrase inside the text
  ("village of Ivanivka in the Chuhuiv district", "Покровський район Донецької області");
- parenthesized alternates ("Bakhmut (Artemivsk)"), the kind its type word implies (м. -> city,
  oblast -> oblast), a spaced dash read as a hyphen ("Часів - Яр"), a list of several places
  ("Kharkivska / Donetska", "Donetsk and Luhansk oblasts"), and notes on what was done, for
  explanations.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .cleanup import (
    CYRILLIC_LETTER,
    DATA_DIR,
    MAX_NAME_LENGTH,
    clean_text,
    fix_homoglyphs,
    prepositions,
    romanize_other_alphabets,
    strip_type_words,
    type_words,
)

_SPACES = re.compile(r"\s+")
_NEWLINES = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")
_PARENS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
#: Separators of the parts of a cell; a spaced dash too (read as a hyphen first, see Query.joined).
_SEPARATORS = re.compile(r"\s*[,;|]\s*|\s+-\s+|\s*/\s*")
#: Separators that list places rather than nest them.
_LIST_SEPARATORS = re.compile(r"\s*/\s*|\s+(?:and|та|і|й|и|i|&|\+)\s+(?=[^\W\d_])")
_SPACED_DASH = re.compile(r"(?<=\w)\s+-\s+(?=\w)")
_POSTAL_CODE = re.compile(r"^\d{5}$")
_LEADING_POSTAL_CODE = re.compile(r"^\d{5}\s+(?=\D)")
_NUMBER = re.compile(r"^№?\s*\d+[\w/-]*\.?$")
_COUNTRY_WORDS = frozenset({"ukraine", "ukraina", "україна", "украина", "ukrajina", "ua", "ukr"})
_BROAD_KINDS = frozenset({"oblast", "raion", "hromada"})
_PLACE_KINDS = frozenset({"city", "settlement", "village"})
#: Connectors before a context phrase inside the text: "Ivanivka in the Chuhuiv district".
_INNER_CONNECTORS = frozenset({"in", "in the", "у", "в", "w", "во", "near", "біля"})


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
    preposition: str | None = None
    cleaned: str = ""  # the whole input after clean_text (before look-alike repair and splitting)
    placeholder: bool = False  # the cell says there is no name (N/A, невідомо, "-")
    joined: str | None = None  # the core with a spaced dash read as a hyphen ("Часів - Яр" -> "Часів-Яр")
    listed: list[str] = field(default_factory=list)  # the parts of a list of several places, when it is one
    direction: bool = False  # a front sector named after a town ("Bakhmut direction"): the name is the town's


@lru_cache(maxsize=1)
def placeholders() -> frozenset[str]:
    """Cells that say there is no name (placeholders.tsv), casefolded."""
    return frozenset(row["text"].casefold() for row in _read("placeholders.tsv"))


@lru_cache(maxsize=1)
def trailing_words() -> tuple[tuple[str, ...], ...]:
    """Words after a name that are not part of it ("direction", "напрямок"), longest first."""
    phrases = {tuple(row["word"].casefold().split()) for row in _read("trailing_words.tsv")}
    return tuple(sorted(phrases, key=len, reverse=True))


@lru_cache(maxsize=1)
def address_words() -> dict[str, str]:
    """Words that open a street or a house number in an address (вул., буд., str.) -> street | house."""
    return {row["word"].casefold(): row["kind"] for row in _read("address_words.tsv")}


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def is_placeholder(text: str) -> bool:
    """Whether a cell is a placeholder for a missing name (N/A, none, невідомо, TBD, "-", ...)."""
    folded = text.casefold().strip().strip("()[]\"'«»")
    return folded in placeholders() or folded.lstrip("#") in placeholders()


def parse_query(text: str) -> Query:
    """Clean a raw cell and split it into core name, kind hint, context and alternates (see the docstring)."""
    if len(text) > MAX_NAME_LENGTH * 4:
        return Query(raw=text[:MAX_NAME_LENGTH], core="", too_long=True, notes=["input too long to be a name"])
    cleaned = clean_text(_NEWLINES.sub("; ", text))
    if is_placeholder(cleaned):
        return Query(raw=text, core="", placeholder=True, cleaned=cleaned,
                     notes=[f"'{cleaned}' is a placeholder for a missing name"])
    notes: list[str] = []
    romanized = romanize_other_alphabets(cleaned)
    if romanized != cleaned:
        notes.append("Greek, Armenian or Georgian letters read as Latin")
    repaired = fix_homoglyphs(romanized)
    if repaired != romanized:
        notes.append("mixed-script look-alike letters repaired")
    if len(repaired) > MAX_NAME_LENGTH:
        return Query(raw=text, core="", too_long=True, notes=["input too long to be a name"])

    alternates: list[str] = []
    context: list[str] = []

    def take_parenthetical(match: re.Match[str]) -> str:
        inner = (match.group(1) or match.group(2) or "").strip()
        if inner:
            _, kind = strip_type_words(inner)
            (context if kind in _BROAD_KINDS else alternates).append(inner)
        return " "

    body = _PARENS.sub(take_parenthetical, repaired)
    listed = _listed_parts(body)
    parts = [p.strip() for p in _SEPARATORS.split(body) if p and p.strip()]
    parts = [p for p in parts if p.casefold().strip(" .") not in _COUNTRY_WORDS] or parts
    parts, skipped = _drop_address_noise(parts)
    if skipped:
        notes.append(f"{', '.join(skipped)} skipped")
    core, rest = _pick_core(parts)
    core, inner = _split_inner_context(core)
    context.extend([*inner, *rest])
    core = strip_country(_SPACES.sub(" ", core).strip())
    core, preposition = strip_prepositions(core)
    if preposition:
        notes.append(f"'{preposition}' before the name dropped")
    core, trailing = strip_trailing_words(core)
    if trailing:
        notes.append(f"'{trailing}' after the name dropped")
    core, kind = strip_type_words(core)
    joined = _joined(cleaned)
    if alternates:
        notes.append(f"alternates in the input: {', '.join(alternates)}")
    if context:
        notes.append(f"context in the input: {', '.join(context)}")
    return Query(raw=text, core=core, kind_hint=kind, context=context, alternates=alternates, notes=notes,
                 preposition=preposition, cleaned=cleaned, joined=joined, listed=listed,
                 direction=trailing is not None and _is_direction(trailing))


def strip_prepositions(core: str) -> tuple[str, str | None]:
    """Drop a leading preposition or governing noun ("у Лисичанську", "near Bakhmut", "мер Мелітополя")."""
    tokens = core.split(" ")
    known = prepositions()
    for size in (4, 3, 2, 1):
        if len(tokens) <= size:
            continue
        phrase = " ".join(tokens[:size]).casefold()
        following = tokens[size]
        if phrase not in known:
            continue
        cyrillic_phrase = bool(CYRILLIC_LETTER.search(phrase))
        # a Cyrillic preposition precedes a Cyrillic word; an English one a capitalized name
        if (cyrillic_phrase and CYRILLIC_LETTER.search(following)) or (not cyrillic_phrase and following[:1].isupper()):
            return " ".join(tokens[size:]), " ".join(tokens[:size])
    return core, None


def strip_trailing_words(core: str) -> tuple[str, str | None]:
    """Drop words after the name that are not part of it ("Bakhmut direction", "Avdiivka outskirts")."""
    tokens = core.split(" ")
    folded = [t.casefold() for t in tokens]
    for phrase in trailing_words():
        size = len(phrase)
        if len(tokens) > size and tuple(folded[-size:]) == phrase:
            return " ".join(tokens[:-size]), " ".join(tokens[-size:])
    return core, None


def strip_country(core: str) -> str:
    """Drop a leading or trailing country word or code (ua-lviv, ukraine_odesa, Odesa Ukraine)."""
    tokens = re.split(r"(\s+|-)", core)
    words = [t for t in tokens if t.strip() and t != "-"]
    if len(words) >= 2 and words[0].casefold() in _COUNTRY_WORDS:
        return core[core.index(words[0]) + len(words[0]):].strip(" -")
    if len(words) >= 2 and words[-1].casefold() in _COUNTRY_WORDS:
        return core[: core.rindex(words[-1])].strip(" -")
    return core


def _is_direction(word: str) -> bool:
    return word.casefold().split()[0] in {"direction", "axis", "front", "sector", "напрямок", "напрямку", "напрямі",
                                          "напрям", "направление", "направлении", "kierunek", "kierunku"}


def _listed_parts(body: str) -> list[str]:
    """The parts of a cell that lists places ("Kharkivska / Donetska", "Donetsk and Luhansk oblasts"), else []."""
    parts = [p.strip(" ,;") for p in _LIST_SEPARATORS.split(body) if p and p.strip(" ,;")]
    if len(parts) < 2 or not all(p[:1].isupper() or not p[:1].isalpha() for p in parts):
        return []
    return parts


def _drop_address_noise(parts: list[str]) -> tuple[list[str], list[str]]:
    """Parts without postal codes, streets and house numbers; and what kinds of noise were skipped."""
    words = address_words()
    kept: list[str] = []
    skipped: list[str] = []
    for part in parts:
        if _LEADING_POSTAL_CODE.match(part):
            part = _LEADING_POSTAL_CODE.sub("", part)
            skipped.append("postal code")
        tokens = part.split(" ")
        first = tokens[0].casefold().rstrip(".")
        last = tokens[-1].casefold().rstrip(".")
        if _POSTAL_CODE.match(part):
            skipped.append("postal code")
        elif _NUMBER.match(part) or (words.get(first) == "house" and len(tokens) > 1):
            skipped.append("house number")
        elif len(tokens) > 1 and "street" in (words.get(first), words.get(last)):
            # a street word with a name: "вул. Шевченка", "Шевченка street"; alone it is a name (the village
            # Майдан, "square")
            skipped.append("street")
        else:
            kept.append(part)
    if not kept:  # nothing but noise: keep the cell as it was, to be read (and refused) as a name
        return parts, []
    return kept, sorted(set(skipped), key=skipped.index)


def _pick_core(parts: list[str]) -> tuple[str, list[str]]:
    """The most specific part is the name; broader ones (oblast, raion) are context.

    The part with a settlement's type word wins ("Київська обл., м. Буча"); else the first part
    that is not a broad unit ("Novoselivka, Kharkiv oblast" and "Kharkiv Oblast, Kharkiv" both
    name the city or village); when every part is broad, the narrowest (a raion before its
    oblast). "Bakhmut/Artemivsk" has no type word on either side: the second part is kept as
    context too (resolve tries it as an alternate name only when it is not an oblast).
    """
    if not parts:
        return "", []
    kinds = [strip_type_words(part)[1] for part in parts]
    marked = [i for i, kind in enumerate(kinds) if kind in _PLACE_KINDS]
    if marked:
        chosen = marked[-1]
    elif kinds[0] in _BROAD_KINDS:
        plain = [i for i, kind in enumerate(kinds) if kind not in _BROAD_KINDS]
        if plain:
            chosen = plain[-1]
        else:
            order = ("hromada", "raion", "oblast")
            chosen = min(range(len(parts)), key=lambda i: order.index(kinds[i]) if kinds[i] in order else 3)
    else:
        chosen = 0
    return parts[chosen], [p for i, p in enumerate(parts) if i != chosen]


def _split_inner_context(core: str) -> tuple[str, list[str]]:
    """'Покровський район Донецької області' -> ('Покровський район', ['Донецької області']);
    'Ivanivka in the Chuhuiv district' -> ('Ivanivka', ['Chuhuiv district'])."""
    tokens = core.split(" ")
    if len(tokens) < 3:
        return core, []
    for i in range(1, len(tokens) - 1):
        for size in (2, 1):
            connector = " ".join(tokens[i : i + size]).casefold()
            if connector in _INNER_CONNECTORS and len(tokens) > i + size:
                rest = " ".join(tokens[i + size :])
                name, kind = strip_type_words(rest)
                if kind in _BROAD_KINDS and name:
                    return " ".join(tokens[:i]), [rest]
    _, tail_kind = strip_type_words(core)
    if tail_kind not in _BROAD_KINDS or len(tokens) < 4:
        return core, []
    suffixes = {e.words: e.kind for e in type_words() if e.position in ("suffix", "any") and len(e.words) == 1}
    for i in range(1, len(tokens) - 2):
        kind = suffixes.get((tokens[i].casefold().rstrip("."),))
        if kind in ("raion", "hromada", "city", "village", "settlement"):
            return " ".join(tokens[: i + 1]), [" ".join(tokens[i + 1 :])]
    return core, []


def _joined(cleaned: str) -> str | None:
    """The cell with its spaced dash read as a hyphen ("Часів - Яр", "Івано – Франківська"), when it has one
    and no other separator: resolve tries this reading first, and the dash as a separator when it fails."""
    if not _SPACED_DASH.search(cleaned):
        return None
    joined = _SPACED_DASH.sub("-", cleaned)
    return None if _SEPARATORS.search(joined) else joined


#: Endings of a town's adjective, in every case (Бахмутський, на Бахмутському напрямку, Бахмутское направление).
_ADJECTIVE_ENDINGS = tuple(sorted({
    f"{stem}{ending}" for stem in ("ськ", "цьк", "зьк", "ск", "цк")
    for ending in ("ий", "ого", "ому", "им", "ім", "ий", "а", "ої", "ій", "у", "ою", "е", "і", "их", "ими",
                   "ая", "ое", "ой", "ом", "ую", "ие", "ых", "ыми")}, key=len, reverse=True))


def nouns_of_adjective(phrase: str) -> list[str]:
    """The town names an adjective may be made from: Бахмутському -> Бахмут, Бахмутськ; Покровський -> Покровськ."""
    words = phrase.split(" ")
    last = words[-1]
    lowered = last.casefold()
    for ending in _ADJECTIVE_ENDINGS:
        if lowered.endswith(ending) and len(last) - len(ending) >= 3:
            stem = last[: -len(ending)]
            head = " ".join([*words[:-1], ""]) if len(words) > 1 else ""
            suffix = "ськ" if ending.startswith(("ськ", "цьк", "зьк")) else "ск"
            return [f"{head}{stem}{suffix}", f"{head}{stem}"]  # Покровськ before Покров
    return []


#: Endings of a region's adjective in Latin letters (obwód charkowski -> charkow, Belgorodskaya -> Belgorod).
_LATIN_ADJECTIVE_ENDINGS = ("skaya", "skiy", "skyi", "skij", "ski", "cki", "ska", "sky", "i", "a", "y")


def latin_adjective_stems(text: str) -> list[str]:
    """Stems of an adjectival oblast name in a foreign language (obwód charkowski -> charkow)."""
    word = text.strip()
    stems = []
    for ending in _LATIN_ADJECTIVE_ENDINGS:
        if word.casefold().endswith(ending) and len(word) - len(ending) >= 4:
            stems.append(word[: -len(ending)])
    return stems
