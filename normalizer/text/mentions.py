"""Candidate mentions in running text: tokens, sentence starts, credits, kind words and spans.

tokenize() cuts the original text into word tokens with their character offsets
(nothing is normalized in place, so offsets always point into the text as given);
excluded_ranges() finds photo credits and organization names that must not yield
mentions; spans_at() lists, longest first, the spans a name starting at one token
may cover, each with the text to resolve (a preposition or kind word before it, a
kind word after it, or one borrowed from a coordinated or appositive phrase).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from gazetteer.textutil import APOSTROPHES

from ..spelling.cleanup import prepositions, type_words
from ..spelling.keys import fold

DATA_PATH = Path(__file__).resolve().parent / "data" / "annotate.json"

_TOKEN = re.compile(rf"[^\W\d_][\w\u0300-\u036f]*(?:[{re.escape(APOSTROPHES)}][^\W\d_][\w\u0300-\u036f]*)*")
_JOINABLE = re.compile(r"(?:[ \t\u00a0]+|[ \t\u00a0]*\r?\n[ \t\u00a0]*|-)")
_INITIAL_GAP = re.compile(r"\.[ \t\u00a0]*")
_SENTENCE_END = re.compile(r"[.!?…:;•|—–]|\n|^-")
_OPENERS = " \t\u00a0\"'«»“”„‘’()[]*"


@dataclass(frozen=True, slots=True)
class AnnotateData:
    """The word lists and patterns of normalizer/text/data/annotate.json, compiled."""

    stopwords: frozenset[str]
    stop_phrases: dict[str, tuple[tuple[str, ...], ...]]  # by first word: the words of each phrase
    credits: tuple[re.Pattern[str], ...]
    suffix_words: dict[str, str]  # a word after a name -> the kind word the resolver reads
    plurals: frozenset[str]
    entity_before: dict[str, tuple[tuple[tuple[str, ...], str], ...]]  # by last word: (words, entity kind)
    entity_after: dict[str, str]
    suffix_kinds: dict[str, tuple[tuple[tuple[str, ...], str], ...]]  # by first word
    prefix_kinds: dict[str, tuple[tuple[tuple[str, ...], str], ...]]  # by last word
    conjunctions: frozenset[str]
    appositive_oblast: tuple[re.Pattern[str], ...]
    connectors: frozenset[str]
    lowercase_nouns: frozenset[str]
    street_before: frozenset[str]
    street_after: frozenset[str]
    adjective: re.Pattern[str]
    prepositions: frozenset[str]
    settings: dict[str, Any]


def _phrases_by_first_word(phrases: list[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Phrases as tuples of folded words (as tokenize() cuts them), grouped by their first word, longest first."""
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(fold(match.group()) for match in _TOKEN.finditer(phrase))
        if len(words) < 2:
            raise ValueError(f"{DATA_PATH.name}: stop phrase {phrase!r} has fewer than two words; "
                             "a single word belongs in the stopwords")
        grouped.setdefault(words[0], []).append(words)
    return {first: tuple(sorted(entries, key=len, reverse=True)) for first, entries in grouped.items()}


@lru_cache(maxsize=1)
def load_data(path: str = str(DATA_PATH)) -> AnnotateData:
    """Read and compile the annotate data file (once)."""
    with open(path, encoding="utf-8") as handle:
        raw = json.load(handle)
    stopwords = {fold(w) for group, words in raw["stopwords"].items() if not group.startswith("_") for w in words}
    agencies = "|".join(re.escape(a) for a in sorted(raw["credits"]["agencies"], key=len, reverse=True))
    credits = tuple(re.compile(p.replace("{agencies}", agencies)) for p in raw["credits"]["patterns"])
    kinds = raw["kinds"]
    exclude = {w.casefold() for w in kinds["suffix_exclude"]}
    suffix, prefix = [], []
    for entry in type_words():
        if " ".join(entry.words) in exclude or (len(entry.words[0]) == 1 and len(entry.words) == 1):
            continue
        if entry.position in ("suffix", "any"):
            suffix.append((tuple(fold(w) for w in entry.words), entry.kind))
        if entry.position in ("prefix", "any"):
            prefix.append((tuple(fold(w) for w in entry.words), entry.kind))
    suffix_words = {fold(word): reading for word, reading in kinds["suffix"].items()}
    for word, reading in suffix_words.items():
        kind = next((e.kind for e in type_words() if e.words == (reading.casefold(),)), None)
        if kind is not None:
            suffix.append(((word,), kind))
    before: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase, entity_kind in sorted(kinds["entity_before"].items(), key=lambda e: -len(e[0].split())):
        words = tuple(fold(w) for w in phrase.split())
        before.setdefault(words[-1], []).append((words, entity_kind))
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for words, kind in sorted(suffix, key=lambda e: -len(e[0])):
        by_first.setdefault(words[0], []).append((words, kind))
    by_last: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for words, kind in sorted(prefix, key=lambda e: -len(e[0])):
        by_last.setdefault(words[-1], []).append((words, kind))
    endings = "|".join(re.escape(fold(e)) for e in sorted(raw["names"]["adjective_endings"], key=len, reverse=True))
    return AnnotateData(
        stopwords=frozenset(stopwords),
        stop_phrases=_phrases_by_first_word(raw["stop_phrases"]["phrases"]),
        credits=credits,
        suffix_words=suffix_words,
        plurals=frozenset(fold(w) for w in kinds["plural"]),
        entity_before={k: tuple(v) for k, v in before.items()},
        entity_after={fold(k): v for k, v in kinds["entity_after"].items()},
        suffix_kinds={k: tuple(v) for k, v in by_first.items()},
        prefix_kinds={k: tuple(v) for k, v in by_last.items()},
        conjunctions=frozenset(fold(w) for w in kinds["conjunctions"]),
        appositive_oblast=tuple(re.compile(p, re.IGNORECASE) for p in kinds["appositive_oblast"]),
        connectors=frozenset(fold(w) for w in raw["names"]["connectors"]),
        lowercase_nouns=frozenset(fold(w) for w in raw["names"]["lowercase_nouns"]),
        street_before=frozenset(fold(w) for w in raw["streets"]["before"]),
        street_after=frozenset(fold(w) for w in raw["streets"]["after"]),
        adjective=re.compile(rf"(?:{endings})$"),
        # one-letter Latin prepositions (Czech v, Polish w, z) are also initials: V. Zelensky
        prepositions=frozenset(fold(p) for p in prepositions() if " " not in p and not (len(p) == 1 and p.isascii())),
        settings=dict(raw["text"]),
    )


class Token(NamedTuple):
    """A word of the text with its offsets and what its shape says."""

    index: int  # type: ignore[assignment]  # the field shadows tuple.index(), which no Token caller uses
    start: int
    end: int
    text: str
    fold: str
    gap: str  # the text between the previous token and this one
    cap: bool  # begins with a capital letter
    upper: bool  # all capitals, two letters or more (an acronym)
    cyrillic: bool
    initial: bool  # a capitalized word that opens a sentence, line or quotation
    letters: int  # how many letters it has
    possessive: bool = False  # an English 's was cut off (Kyiv's -> Kyiv)


def tokenize(text: str) -> list[Token]:
    """The word tokens of `text` (possessive 's dropped from Latin words)."""
    tokens: list[Token] = []
    append = tokens.append
    make = Token
    previous_end = 0
    for index, match in enumerate(_TOKEN.finditer(text)):
        word = match.group()
        start = match.start()
        end = match_end = start + len(word)
        if word.isascii():
            cyrillic = False
            if len(word) > 3 and word[-1] == "s" and word[-2] == "'":
                possessive, word, end = True, word[:-2], end - 2
            else:
                possessive = False
        else:
            cyrillic = "\u0400" <= word[0] <= "\u04ff" or any("\u0400" <= c <= "\u04ff" for c in word)
            possessive = not cyrillic and len(word) > 3 and word[-1] == "s" and word[-2] in APOSTROPHES
            if possessive:
                word, end = word[:-2], end - 2
        cap = word[0].isupper()
        letters = len(word) if word.isalpha() else sum(1 for c in word if c.isalpha())
        if cap:
            gap = text[previous_end:start]
            append(make(index, start, end, word, fold(word), gap, True, letters >= 2 and word.isupper(), cyrillic,
                        _starts_sentence(gap, previous_end == 0), letters, possessive))
        else:
            # lowercase words only serve as kind words, connectors and the like: a plain lowercase is their fold
            plain = word.isascii() or (cyrillic and word.isalpha() and "ё" not in word and "ґ" not in word)
            lowered = word.lower() if plain else fold(word)
            append(make(index, start, end, word, lowered, text[previous_end:start], False, False, cyrillic, False,
                        letters, possessive))
        previous_end = match_end
    return tokens


def _starts_sentence(gap: str, first: bool) -> bool:
    """Whether the gap before a word ends a sentence (or the word opens the text)."""
    if gap == " ":
        return first
    if first or "\n" in gap:
        return True
    return bool(_SENTENCE_END.search(gap.strip(_OPENERS)))


def excluded_ranges(text: str, data: AnnotateData) -> list[tuple[int, int]]:
    """Character ranges that yield no mention: photo credits and bylines."""
    return sorted(m.span() for pattern in data.credits for m in pattern.finditer(text))


def stop_phrase_tokens(tokens: list[Token], data: AnnotateData) -> list[int]:
    """Indices of the tokens that belong to an organization, media or slogan phrase (Kyiv Post, Слава Україні)."""
    found: list[int] = []
    phrases = data.stop_phrases
    for token in tokens:
        entries = phrases.get(_phrase_key(token)) if token.cap else None
        if not entries:
            continue
        for words in entries:
            end = token.index + len(words)
            if end <= len(tokens) and tuple(_phrase_key(t) for t in tokens[token.index : end]) == words:
                found.extend(range(token.index, end))
                break
    return found


def _phrase_key(token: Token) -> str:
    return token.fold + "s" if token.possessive else token.fold


def joinable(token: Token, previous: Token | None = None) -> bool:
    """Whether `token` continues the name the previous token began (space, line break or hyphen)."""
    if _JOINABLE.fullmatch(token.gap) is not None:
        return True
    # an initial: "V. Zelensky", "С. Гайдай"
    return previous is not None and len(previous.text) == 1 and previous.cap and \
        _INITIAL_GAP.fullmatch(token.gap) is not None


@dataclass(frozen=True, slots=True)
class Span:
    """One way to read a name at a position: the tokens it covers and the text the resolver gets."""

    first: int  # first token of the name
    last: int  # last token of the name
    start: int  # character offsets of the mention (the name and an attached kind word)
    end: int
    query: str  # what is resolved
    name: str  # the name alone, as written
    kind_word: str | None = None  # the kind word's kind, from any source
    kind_source: str = ""  # suffix, prefix, coordination, appositive
    end_token: int = -1  # last token covered by the mention (the kind word's, if attached)
    entity_kind: str | None = None  # only entities of this kind (a river by "на березі")


def suffix_kind(tokens: list[Token], after: int, data: AnnotateData) -> tuple[int, str, str] | None:
    """A kind word right after token `after`: (its last token, the text to resolve with, kind)."""
    if after + 1 >= len(tokens):
        return None
    entries = data.suffix_kinds.get(tokens[after + 1].fold)
    if not entries:
        return None
    for words, kind in entries:
        end = after + len(words)
        if end >= len(tokens):
            continue
        window = tokens[after + 1 : end + 1]
        if tuple(t.fold for t in window) != words or not all(joinable(t) for t in window):
            continue
        written = " ".join(t.text for t in window)
        reading = data.suffix_words.get(window[0].fold) if len(window) == 1 else None
        return end, reading or written, kind
    return None


def prefix_kind(tokens: list[Token], before: int, data: AnnotateData) -> tuple[int, str] | None:
    """A kind word right before token `before` ("city of", "м.", "село"): (its first token, kind)."""
    if before < 1:
        return None
    entries = data.prefix_kinds.get(tokens[before - 1].fold)
    if not entries:
        return None
    gap = tokens[before].gap
    if not (_JOINABLE.fullmatch(gap) or _INITIAL_GAP.fullmatch(gap)):
        return None
    for words, kind in entries:
        first = before - len(words)
        if first < 0:
            continue
        window = tokens[first:before]
        if tuple(t.fold for t in window) != words:
            continue
        if any(t.cap and not t.initial for t in window) or not all(joinable(t) for t in window[1:]):
            continue
        return first, kind
    return None


def coordinated_kind(tokens: list[Token], last: int, data: AnnotateData) -> str | None:
    """'Luhansk and Donetsk regions', 'Луганської та Донецької областей': the kind word they share."""
    position = last + 1
    for _ in range(5):
        if position >= len(tokens):
            return None
        token = tokens[position]
        connective = token.fold in data.conjunctions and not token.cap
        if re.fullmatch(r"\s*,\s*", token.gap):
            position += 1 if connective else 0
        elif connective and joinable(token):
            position += 1
        else:
            return None
        names = 0
        while position < len(tokens) and tokens[position].cap and names < 3:
            if names and not joinable(tokens[position]):
                break
            names += 1
            position += 1
        if not names or position >= len(tokens):
            return None
        if joinable(tokens[position]) and tokens[position].fold in data.plurals:
            return data.suffix_words[tokens[position].fold]
    return None


def appositive_kind(text: str, token: Token, data: AnnotateData) -> str | None:
    """'Donetsk, the second region in Donbas': the kind an appositive gives the name."""
    window = text[token.end : token.end + 80]
    for pattern in data.appositive_oblast:
        if pattern.match(window):
            return "region"
    return None


@dataclass(frozen=True, slots=True)
class Lead:
    """What precedes a name start: a kind word ('city of', 'м.') and a preposition ('у', 'под')."""

    text: str = ""
    kind_word: str | None = None
    entity_kind: str | None = None  # "на березі Дніпра": only a river


def entity_kind_before(tokens: list[Token], before: int, data: AnnotateData) -> str | None:
    """The entity kind that the words right before token `before` imply ("bank of the", "річки")."""
    if before < 1:
        return None
    entries = data.entity_before.get(tokens[before - 1].fold)
    if not entries or not joinable(tokens[before]):
        return None
    for words, kind in entries:
        first = before - len(words)
        if first >= 0 and tuple(t.fold for t in tokens[first:before]) == words \
                and all(joinable(t) for t in tokens[first + 1 : before]):
            return kind
    return None


def lead_at(text: str, tokens: list[Token], first: int, data: AnnotateData) -> Lead:
    """The kind word and Cyrillic preposition right before token `first`, as the resolver should read them."""
    head = tokens[first]
    prefix = prefix_kind(tokens, first, data)
    lead = ""
    if prefix is not None:
        lead = text[tokens[prefix[0]].start : head.start]
        before = prefix[0] - 1
        following = tokens[prefix[0]]
    else:
        before = first - 1
        following = head
    if before >= 0 and head.cyrillic:
        candidate = tokens[before]
        if candidate.cyrillic and candidate.fold in data.prepositions and joinable(following):
            # the resolver only needs to know that a preposition precedes (the word is inflected): one
            # canonical preposition makes "у Харкові" and "в Харкові" one question, asked once
            lead = f"у {lead}"
    entity_kind = entity_kind_before(tokens, prefix[0] if prefix is not None else first, data)
    return Lead(lead, prefix[1] if prefix is not None else None, entity_kind)


def span_for(text: str, tokens: list[Token], first: int, last: int, lead: Lead, data: AnnotateData) -> Span:
    """The reading of tokens first..last as one name, with the kind words around it."""
    head, tail = tokens[first], tokens[last]
    name = text[head.start : tail.end]
    query = f"{lead.text}{name}"
    entity_kind = lead.entity_kind
    suffix = suffix_kind(tokens, last, data)
    if suffix is not None:
        end_token, written, kind = suffix
        return Span(first, last, head.start, tokens[end_token].end, f"{query} {written}", name, kind, "suffix",
                    end_token, entity_kind)
    nxt = tokens[last + 1] if last + 1 < len(tokens) else None
    if nxt is not None and not nxt.cap and nxt.fold in data.entity_after and joinable(nxt):
        return Span(first, last, head.start, nxt.end, query, name, None, "", last + 1, data.entity_after[nxt.fold])
    if lead.kind_word is not None:
        return Span(first, last, head.start, tail.end, query, name, lead.kind_word, "prefix", last, entity_kind)
    coordinated = coordinated_kind(tokens, last, data)
    if coordinated is not None:
        return Span(first, last, head.start, tail.end, f"{query} {coordinated}", name, coordinated,
                    "coordination", last, entity_kind)
    if appositive_kind(text, tail, data):
        return Span(first, last, head.start, tail.end, f"{query} region", name, "oblast", "appositive", last,
                    entity_kind)
    return Span(first, last, head.start, tail.end, query, name, None, "", last, entity_kind)
