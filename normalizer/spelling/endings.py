"""Foreign declension: the base forms of a Latin name inflected in Polish, Czech, Slovak, Lithuanian ...

base_forms("w charkowie" -> "charkowie", "place") -> (("charkow",), ...): the nominatives an inflected
Latin name may come from, one group per ending of data/foreign_endings.tsv that the name ends with,
in the table's order (longest and most specific endings first). Persons have endings of their own:
Czech and Slovak feminine surnames (Tymošenková -> Tymošenko, Vereščuková -> Vereščuk) and the
cases of adjectival surnames (Zełenskiego, Zelenského -> Zełenski, Zelensky).

Endings and bases are folded (fold(): diacritics and case dropped), as the names they are matched on.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from pathlib import Path

from .keys import fold

DATA_DIR = Path(__file__).resolve().parent / "data"

#: What a rule applies to: place names, surnames or both.
APPLIES = ("place", "person", "both")
#: A base must keep this many letters of the name before the ending (Jarze -> Jar; never y -> a alone).
MIN_STEM = 2
#: Words of a name read with their endings together (Nowej Kachowce -> Nowa Kachowka), at most.
MAX_WORDS = 3
#: Bases of a multi-word name tried, at most.
MAX_COMBINATIONS = 12


@dataclass(frozen=True, slots=True)
class Ending:
    """One ending of the table: what a name ends with, what it may have ended with, and where from."""

    ending: str  # folded
    bases: tuple[str, ...]  # folded; "" drops the ending
    applies: str
    langs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Base:
    """A base form of an inflected name and the ending rule that gave it (for explanations)."""

    text: str
    ending: str
    base: str
    langs: tuple[str, ...]

    @property
    def note(self) -> str:
        """How the base was read, for an explanation: 'cs/sk ending -e read as -a'."""
        read = f"read as -{self.base}" if self.base else "dropped"
        return f"{'/'.join(self.langs)} ending -{self.ending} {read}"


@lru_cache(maxsize=1)
def endings() -> tuple[Ending, ...]:
    """The table, in its order; rows whose folded endings coincide are merged (their bases kept in order)."""
    merged: dict[tuple[str, str], Ending] = {}
    with open(DATA_DIR / "foreign_endings.tsv", encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
            ending, applies, lang = fold(row["ending"]), row["applies"], row["lang"]
            if not ending or not ending.isalpha() or applies not in APPLIES or not row["source"]:
                raise ValueError(f"foreign_endings.tsv:{line}: needs an ending of letters, applies in {APPLIES}"
                                 f" and a source")
            bases = tuple(fold(base) for base in row["bases"].split("|"))
            if ending in bases:
                raise ValueError(f"foreign_endings.tsv:{line}: -{ending} read as itself (its fold) does nothing")
            known = merged.get((ending, applies))
            if known is None:
                merged[(ending, applies)] = Ending(ending, bases, applies, (lang,))
            else:
                merged[(ending, applies)] = Ending(
                    ending, known.bases + tuple(b for b in bases if b not in known.bases), applies,
                    known.langs + ((lang,) if lang not in known.langs else ()))
    return tuple(merged.values())


@lru_cache(maxsize=4)
def _for(applies: str) -> tuple[Ending, ...]:
    return tuple(e for e in endings() if e.applies in (applies, "both"))


@lru_cache(maxsize=50_000)
def word_bases(word: str, applies: str) -> tuple[tuple[Base, ...], ...]:
    """The base forms of one folded word, one group per matching ending, in the table's order."""
    if applies not in ("place", "person"):
        raise ValueError(f"applies must be place or person, not {applies!r}")
    groups = []
    seen = {word}
    for rule in _for(applies):
        if word.endswith(rule.ending) and len(word) - len(rule.ending) >= MIN_STEM:
            stem = word[: -len(rule.ending)]
            group = []
            for base in rule.bases:
                if stem + base not in seen:
                    seen.add(stem + base)
                    group.append(Base(stem + base, rule.ending, base, rule.langs))
            if group:
                groups.append(tuple(group))
    return tuple(groups)


def base_forms(folded: str, applies: str) -> tuple[tuple[Base, ...], ...]:
    """The base forms of a folded name of one to three words, in groups (see word_bases).

    In a name of several words each word may be inflected (Nowej Kachowce, Czasowym Jarze): one group,
    the combinations of its words' bases (each word as written among them), at most MAX_COMBINATIONS.
    """
    words = folded.split()
    if not words or len(words) > MAX_WORDS:
        return ()
    if len(words) == 1:
        return word_bases(words[0], applies)
    per_word = []
    for word in words:
        options = [Base(word, "", "", ())]
        options.extend(base for group in word_bases(word, applies) for base in group)
        per_word.append(options[:4])
    combined = []
    for combination in product(*per_word):
        if all(not part.ending and not part.langs for part in combination):
            continue  # the name as written
        changed = [part for part in combination if part.langs]
        last = changed[-1]
        combined.append(Base(" ".join(part.text for part in combination), last.ending, last.base,
                             tuple(dict.fromkeys(lang for part in changed for lang in part.langs))))
        if len(combined) >= MAX_COMBINATIONS:
            break
    return (tuple(combined),) if combined else ()


@lru_cache(maxsize=1)
def _marked_endings() -> tuple[str, ...]:
    """Place endings as written that hold a letter their fold lacks (-ě, -ách, -ého): only a case ends so."""
    marked = []
    with open(DATA_DIR / "foreign_endings.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            ending = row["ending"].lower()
            if row["applies"] != "person" and fold(ending) != ending:
                marked.append(ending)
    return tuple(sorted(marked, key=len, reverse=True))


def written_inflected(name: str) -> bool:
    """Whether a Latin name, as written, ends with a case ending no nominative has (v Charkově, ve Lvově)."""
    return name.lower().endswith(_marked_endings())
