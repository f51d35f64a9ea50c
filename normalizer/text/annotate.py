"""Link the place, person and feature mentions of running text (news in English, Ukrainian, Russian).

The pipeline for one document:
1. tokenize; drop photo credits and organization names (normalizer/text/data/annotate.json);
2. scan left to right: at each word that may begin a name (capitalized, not a stopword),
   list the spans it may head, longest first (kind words, prepositions, coordinated and
   appositive kind words included); a span reaches the resolver only if the in-memory
   prefilter (normalizer/text/vocabulary.py) says its words can make an indexed name;
3. accept a resolution only if it is precise enough for running text: matched, the
   matched form covers the whole span, no adjective without its kind word, fuzzy only
   for long words and above a higher bar, skeleton matches only for longer words,
   acronyms only exactly, a person only if every word is its surname or a given name;
4. decide ambiguous spans by the document: the same entity linked elsewhere, or an
   oblast mentioned nearby (resolved again with that oblast as a hint);
5. coreference: a surname alone links to the person the text named in full.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import threading
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rapidfuzz.distance import OSA

from ..match.model import AMBIGUOUS, MATCHED, UNMATCHED, Candidate, Result
from ..spelling.forms import PATRONYMIC, given_name_group, word_lemmas
from ..spelling.keys import fold, skeleton
from .mentions import (
    AnnotateData,
    Lead,
    Span,
    Token,
    excluded_ranges,
    joinable,
    lead_at,
    load_data,
    span_for,
    stop_phrase_tokens,
    tokenize,
)
from .vocabulary import Vocabulary, vocabulary_for

if TYPE_CHECKING:  # pragma: no cover
    from ..match.session import Matching

LANGS = ("auto", "en", "uk", "ru")
#: The status of a mention that only the document's context decided.
DECIDED = AMBIGUOUS
#: The status of an ambiguous mention the context could not decide (returned only on request).
UNDECIDED = "undecided"
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_UK_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
_RU_LETTERS = re.compile(r"[ыэъёЫЭЪЁ]")
_LATIN_LETTERS = re.compile(r"[A-Za-z]")
_CYRILLIC_LETTERS = re.compile(r"[\u0400-\u04ff]")
#: Namesakes within this score of the best are a tie the resolver settled by a prior (resolve.NEAR_TIE).
NEAR_TIE = 0.025
_PLACE_KINDS = frozenset({"oblast", "city", "settlement", "village", "raion", "hromada", "city-district"})
#: Texts longer than this (characters) are annotated in chunks of at most this size, cut at a paragraph
#: break (else a line break, a sentence end, a space): the document's own context (coreference, the same
#: entity linked elsewhere, an oblast nearby) then works within a chunk. Time and memory stay linear.
CHUNK_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the text linked to an entity: offsets into the original text and the entity's fields."""

    start: int
    end: int
    text: str
    id: str
    kind: str
    name: str
    name_uk: str | None
    name_ru: str | None
    oblast_id: str | None
    country: str | None
    score: float
    status: str = MATCHED
    method: str = ""
    note: str = ""
    alternatives: tuple[str, ...] = ()  # undecided: the IDs the context could not choose between

    def __repr__(self) -> str:
        flag = "" if self.status == MATCHED else f", {self.status}"
        return (f"Mention({self.start}:{self.end} {self.text!r} -> {self.id} {self.kind} {self.name!r}, "
                f"{self.score:.3f}{flag})")

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: offsets, text, entity fields, and status (with what decided) unless matched."""
        data: dict[str, Any] = {
            "start": self.start, "end": self.end, "text": self.text, "id": self.id, "kind": self.kind,
            "name": self.name, "name_uk": self.name_uk, "oblast_id": self.oblast_id, "country": self.country,
            "score": self.score,
        }
        if self.status == DECIDED:
            data["status"] = self.status
            data["decided_by"] = self.note
        elif self.status == UNDECIDED:
            data["status"] = self.status
            data["candidates"] = list(self.alternatives)
        return data


@dataclass(slots=True)
class _Link:
    """A span with its accepted candidate (or its undecided result)."""

    span: Span
    candidate: Candidate
    status: str
    method: str
    note: str = ""
    result: Result | None = None


@dataclass
class _Document:
    """The state of one annotation: tokens, what is excluded, links and pending spans."""

    text: str
    tokens: list[Token]
    blocked: list[bool]
    lowercase: frozenset[str]
    lang: str
    links: list[_Link] = field(default_factory=list)
    pending: list[_Link] = field(default_factory=list)
    strangers: set[int] = field(default_factory=set)  # tokens of persons the gazetteer does not know
    results: dict[tuple[str, str | None, str | None], Result] = field(default_factory=dict)
    breaks: list[int] = field(default_factory=list)  # where paragraphs end (blank lines)
    places: Any = None  # (number of links, linked places by position, the links list), see Annotator._places

    def paragraph(self, position: int) -> int:
        """The number of the paragraph a character offset lies in."""
        return bisect.bisect_right(self.breaks, position)


def detect_lang(text: str) -> str:
    """'en', 'uk' or 'ru' by the letters of a text (Cyrillic with more і/ї/є/ґ than ы/э/ъ/ё is Ukrainian)."""
    sample = text[:20_000]
    latin = len(_LATIN_LETTERS.findall(sample))
    cyrillic = len(_CYRILLIC_LETTERS.findall(sample))
    if latin >= cyrillic:
        return "en"
    return "uk" if len(_UK_LETTERS.findall(sample)) > len(_RU_LETTERS.findall(sample)) else "ru"


class Annotator:
    """Finds and links mentions; one per matcher (it keeps the prefilter and word caches)."""

    def __init__(self, normalizer: Matching) -> None:
        self.normalizer = normalizer
        self.data: AnnotateData = load_data()
        self.settings = self.data.settings
        self._keys: dict[tuple[str, bool], frozenset[str]] = {}
        self._given: dict[str, bool] = {}

    @property
    def vocabulary(self) -> Vocabulary:
        """The prefilter of the normalizer's current index (reloaded when the index file changes)."""
        return vocabulary_for(self.normalizer.index_path)

    # -- the document -----------------------------------------------------------------

    def annotate(self, text: str, *, lang: str = "auto", undecided: bool = False) -> list[Mention]:
        """The mentions of `text`, in order (ambiguous ones the context cannot decide only if `undecided`)."""
        if not isinstance(text, str):
            raise TypeError(f"annotate() needs a str, not {type(text).__name__}")
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
        lang = detect_lang(text) if lang == "auto" else lang
        if len(text) <= CHUNK_CHARS:
            return self._annotate(text, lang, undecided)
        mentions: list[Mention] = []
        for start, end in chunk_bounds(text, CHUNK_CHARS):
            for mention in self._annotate(text[start:end], lang, undecided):
                mentions.append(dataclasses.replace(mention, start=mention.start + start, end=mention.end + start))
        return mentions

    def _annotate(self, text: str, lang: str, undecided: bool) -> list[Mention]:
        """The mentions of one text (or chunk) in a known language."""
        vocabulary = self.vocabulary
        doc = self._document(text, lang)
        self._scan(doc, vocabulary)
        self._coreference(doc, vocabulary)
        self._decide_by_context(doc, vocabulary)
        links = sorted(doc.links, key=lambda link: link.span.start)
        mentions = [self._mention(doc, link) for link in links]
        if undecided:
            extra = [self._mention(doc, link) for link in doc.pending if not self._overlaps(doc, link.span)]
            mentions = sorted(mentions + extra, key=lambda m: m.start)
        return mentions

    def _document(self, text: str, lang: str) -> _Document:
        tokens = tokenize(text)
        ranges = excluded_ranges(text, self.data)
        blocked = [False] * len(tokens)
        if ranges:
            position = 0
            for token in tokens:
                while position < len(ranges) and ranges[position][1] <= token.start:
                    position += 1
                if position < len(ranges) and ranges[position][0] <= token.start < ranges[position][1]:
                    blocked[token.index] = True
        for index in stop_phrase_tokens(tokens, self.data):
            blocked[index] = True
        lowercase = frozenset([t.fold for t in tokens if not t.cap])
        breaks = [m.start() for m in _BLANK_LINE.finditer(text)]
        return _Document(text, tokens, blocked, lowercase, lang, breaks=breaks)

    def _scan(self, doc: _Document, vocabulary: Vocabulary) -> None:
        """Left to right, longest span first, non-overlapping."""
        tokens = doc.tokens
        i = 0
        while i < len(tokens):
            if not self._may_start(doc, tokens[i]):
                i += 1
                continue
            last_max = self._run_end(doc, i)
            if self._street_before(doc, i):
                i = last_max + 1  # "вулиця Сумська", "проспект Перемоги": a street
                continue
            taken: _Link | None = None
            lead: Lead | None = None
            for last in range(last_max, i - 1, -1):
                if not (tokens[last].cap or (last > i and tokens[last].fold in self.data.lowercase_nouns)):
                    continue
                if not self._prefilter(doc, i, last, vocabulary):
                    continue
                if lead is None:
                    lead = lead_at(doc.text, tokens, i, self.data)
                taken = self._try(doc, span_for(doc.text, tokens, i, last, lead, self.data), vocabulary)
                if taken is not None:
                    break
            if taken is not None:
                (doc.links if taken.status == MATCHED else doc.pending).append(taken)
                i = taken.span.end_token + 1
                continue
            if self._unknown_person(doc, i):
                doc.strangers.update((i, i + 1))  # "Andrey Marienko": a person we do not know, not a place
                i += 2
                continue
            i += 1

    def _may_start(self, doc: _Document, token: Token) -> bool:
        if doc.blocked[token.index] or not token.cap or token.fold in self.data.stopwords:
            return False
        if token.fold in self.data.prepositions or token.fold in self.data.conjunctions:
            return False
        if token.letters >= self.settings["min_letters"]:
            return True
        # an initial before a surname: "V. Zelensky"
        nxt = doc.tokens[token.index + 1] if token.index + 1 < len(doc.tokens) else None
        return token.letters == 1 and nxt is not None and nxt.cap and joinable(nxt, token) and "." in nxt.gap

    def _street_before(self, doc: _Document, i: int) -> bool:
        """Whether the word before token `i` is a street word (вулиця, вул., проспект, street)."""
        if i == 0:
            return False
        previous, token = doc.tokens[i - 1], doc.tokens[i]
        return previous.fold in self.data.street_before and (joinable(token) or token.gap.strip() == ".")

    def _run_end(self, doc: _Document, first: int) -> int:
        """The last token a name starting at `first` may reach: capitalized words and inner connectors."""
        tokens = doc.tokens
        last = first
        limit = first + self.settings["max_name_tokens"] - 1
        while last + 1 < len(tokens) and last + 1 <= limit:
            nxt = tokens[last + 1]
            if doc.blocked[nxt.index] or not joinable(nxt, tokens[last]):
                break
            if nxt.cap:
                last += 1  # a stopword may continue a name it cannot begin (Donetsk People's Republic)
            elif nxt.fold in self.data.lowercase_nouns:
                return last + 1  # "Чорне море", "Kakhovka reservoir": a lowercase noun ends the name
            elif (nxt.fold in self.data.connectors and last + 2 < len(tokens) and last + 2 <= limit
                  and tokens[last + 2].cap and joinable(tokens[last + 2]) and not doc.blocked[last + 2]):
                last += 2
            else:
                break
        return last

    # -- the prefilter --------------------------------------------------------------------

    def keys(self, token: Token) -> frozenset[str]:
        """Skeletons of a word and, for Cyrillic, of its possible dictionary forms (cached)."""
        key = (token.fold, token.possessive)
        cached = self._keys.get(key)
        if cached is not None:
            return cached
        keys = {skeleton(token.fold)}
        if token.possessive:
            keys.add(skeleton(token.fold + "s"))  # People's Republic
        if token.cyrillic:
            lemmas = word_lemmas(token.fold)[:10]
            keys.update(skeleton(lemma) for lemma in lemmas)
        keys.discard("")
        result = frozenset(keys)
        if len(self._keys) > 200_000:
            self._keys.clear()
        self._keys[key] = result
        return result

    def _prefilter(self, doc: _Document, first: int, last: int, vocabulary: Vocabulary) -> bool:
        """Whether the words first..last can make an indexed name or an indexed person's name."""
        tokens = doc.tokens[first : last + 1]
        if self._person_shape(tokens, vocabulary):
            return True
        if len(tokens) == 1:
            token = tokens[0]
            if any(vocabulary.is_name(k) for k in self.keys(token)):
                return True
            return self._fuzzy_allowed(token)
        if not any(vocabulary.may_start(k) for k in self.keys(tokens[0])):
            return False
        words = [t for t in tokens[1:] if t.fold not in self.data.connectors]
        return all(any(k in vocabulary.words or vocabulary.is_name(k) for k in self.keys(t)) for t in words)

    def _fuzzy_allowed(self, token: Token) -> bool:
        """Fuzzy matching in running text: long words inside a sentence only."""
        return token.letters >= self.settings["fuzzy_min_letters"] and not token.initial and not token.upper

    def _surname_of(self, token: Token, vocabulary: Vocabulary) -> bool:
        return any(vocabulary.persons_with_surname(k) for k in self.keys(token))

    def _given_like(self, token: Token) -> bool:
        """An initial, a known given name (in any case form) or a patronymic."""
        if token.letters == 1:
            return True
        cached = self._given.get(token.fold)
        if cached is None:
            cached = bool(PATRONYMIC.search(token.fold)) or given_name_group(token.fold) is not None or \
                (token.cyrillic and any(given_name_group(lemma) is not None for lemma in word_lemmas(token.fold)[:6]))
            if len(self._given) > 100_000:
                self._given.clear()
            self._given[token.fold] = cached
        return cached

    def _person_shape(self, tokens: list[Token], vocabulary: Vocabulary) -> bool:
        """Given names then a surname ('Sergei Gaidai'), a surname then given names ('Гайдай Сергій'), or a surname."""
        if len(tokens) == 1:
            return self._surname_of(tokens[0], vocabulary)
        if len(tokens) > 4:
            return False
        if self._surname_of(tokens[-1], vocabulary) and all(self._given_like(t) for t in tokens[:-1]):
            return True
        return self._surname_of(tokens[0], vocabulary) and all(self._given_like(t) for t in tokens[1:])

    def _unknown_person(self, doc: _Document, i: int) -> bool:
        """A given name followed by a capitalized word that no entity claims: an unindexed person."""
        tokens = doc.tokens
        if i + 1 >= len(tokens):
            return False
        head, nxt = tokens[i], tokens[i + 1]
        if not nxt.cap or not joinable(nxt, head) or doc.blocked[nxt.index] or nxt.fold in self.data.stopwords:
            return False
        if nxt.fold in self.data.suffix_kinds:
            return False
        return head.letters >= 3 and not head.upper and self._given_like(head)

    # -- resolving and accepting ----------------------------------------------------------

    def _resolve(self, doc: _Document, query: str, oblast: str | None = None, kind: str | None = None) -> Result:
        key = (query, oblast, kind)
        result = doc.results.get(key)
        if result is None:
            result = self.normalizer.resolve(query, oblast=oblast, kind=kind)
            doc.results[key] = result
        return result

    def _try(self, doc: _Document, span: Span, vocabulary: Vocabulary) -> _Link | None:
        """The link of a span, if the resolver answers precisely enough (pending if ambiguous)."""
        result = self._resolve(doc, span.query, kind=span.entity_kind)
        if result.status == UNMATCHED or result.best is None:
            return None
        best = result.best
        if not self._acceptable(doc, span, best, vocabulary):
            return None
        if result.status == MATCHED:
            return _Link(span, best, MATCHED, best.method, result=result)
        return _Link(span, best, UNDECIDED, best.method, "the context does not decide", result=result)

    def _acceptable(self, doc: _Document, span: Span, best: Candidate, vocabulary: Vocabulary) -> bool:
        """The precision rules of running text (see the module docstring)."""
        tokens = doc.tokens[span.first : span.last + 1]
        head = tokens[0]
        settings = self.settings
        letters = max(t.letters for t in tokens)
        if best.score < settings["min_score"]:
            return False
        if best.kind == "person":
            return span.kind_word is None and self._person_words(tokens, best, vocabulary)
        if all(t.upper for t in tokens) and best.method != "exact":
            return False  # an acronym only as written (ДНР), never by transliteration (HELP)
        if best.method == "fuzzy":
            if letters < settings["fuzzy_min_letters"] or best.score < settings["fuzzy_min_score"]:
                return False
            if not all(self._fuzzy_allowed(t) for t in tokens if t.letters >= settings["fuzzy_min_letters"]):
                return False
        if best.method == "skeleton" and (best.score < settings["skeleton_min_score"]
                                          or letters < settings["short_skeleton_letters"]):
            return False
        written = len(tokens)
        form_words = len(fold(best.matched_form).split()) if best.matched_form else written
        if form_words != written:
            return False
        if span.kind_word is None and best.kind in ("oblast", "raion", "hromada") \
                and self.data.adjective.search(fold(best.matched_form)):
            return False  # "Київська" names the oblast only with "область"
        after = doc.tokens[span.end_token + 1] if span.end_token + 1 < len(doc.tokens) else None
        if after is not None and after.fold in self.data.street_after and joinable(after):
            return False  # "Khreshchatyk Street"
        if len(tokens) == 1 and span.kind_word is None:
            if head.initial and self._common_start(doc, head):
                return False
            if head.cyrillic and after is not None and self._attributive(doc, head, after):
                return False
        return True

    def _person_words(self, tokens: list[Token], best: Candidate, vocabulary: Vocabulary) -> bool:
        """Every word of the span is the person's surname or a given name, initial or patronymic."""
        surnames = vocabulary.person_surnames.get(best.id, frozenset())
        givens = {p.given for key in surnames for p in vocabulary.persons_with_surname(key)
                  if p.id == best.id and p.given}

        def is_surname(token: Token) -> bool:
            return bool(self.keys(token) & surnames)

        def is_given(token: Token) -> bool:
            if self._given_like(token):
                return True
            key = skeleton(token.fold)
            return any(OSA.distance(key, g) <= 1 for g in givens if len(key) >= 4)

        if len(tokens) == 1:
            return is_surname(tokens[0]) and tokens[0].letters >= 3
        if is_surname(tokens[-1]) and all(is_given(t) for t in tokens[:-1]):
            return True
        return is_surname(tokens[0]) and all(is_given(t) for t in tokens[1:])

    def _common_start(self, doc: _Document, token: Token) -> bool:
        """A sentence's first word that the text also writes in lowercase: a common word, not a name."""
        return token.fold in doc.lowercase

    def _attributive(self, doc: _Document, token: Token, after: Token) -> bool:
        """A Cyrillic adjective that agrees with the noun after it ("Чорноморського флоту", "Новий рік")."""
        if after.cap or not after.cyrillic or not joinable(after):
            return False
        return _agrees(token.fold, after.fold, doc.lang)

    # -- the document decides ------------------------------------------------------------

    def _coreference(self, doc: _Document, vocabulary: Vocabulary) -> None:
        """A surname alone links to the person the text names in full (Gaidai after Sergei Gaidai)."""
        named: dict[str, Candidate] = {}
        for link in doc.links:
            if link.candidate.kind == "person" and link.span.last > link.span.first:
                for key in vocabulary.person_surnames.get(link.candidate.id, ()):
                    named.setdefault(key, link.candidate)
                named.setdefault(skeleton(doc.tokens[link.span.last].fold), link.candidate)
        if not named:
            return
        replaced = {id(link) for link in doc.links + doc.pending if _replaceable(link)}
        keep_links = [k for k in doc.links if id(k) not in replaced or not self._named(doc, k.span.first, named)]
        keep_pending = [k for k in doc.pending if id(k) not in replaced or not self._named(doc, k.span.first, named)]
        covered = {i for kept in keep_links + keep_pending for i in range(kept.span.first, kept.span.end_token + 1)}
        for token in doc.tokens:
            if token.index in covered or token.index in doc.strangers or doc.blocked[token.index] or not token.cap:
                continue
            if token.fold in self.data.stopwords or token.letters < self.settings["min_letters"]:
                continue
            person = self._named(doc, token.index, named)
            if person is None:
                continue
            span = Span(token.index, token.index, token.start, token.end, token.text, token.text,
                        end_token=token.index)
            keep_links.append(_Link(span, person, MATCHED, "coreference", "surname of a person named in full"))
        doc.links, doc.pending = keep_links, keep_pending

    def _named(self, doc: _Document, index: int, named: dict[str, Candidate]) -> Candidate | None:
        token = doc.tokens[index]
        for key in self.keys(token):
            if key in named:
                return named[key]
        return None

    def _decide_by_context(self, doc: _Document, vocabulary: Vocabulary) -> None:
        """Ambiguous spans: the same entity linked elsewhere, or an oblast mentioned nearby, decides.

        A span the resolver matched only by a prior over namesakes of equal score (a city
        over a village) is also re-read when an oblast nearby holds one of those namesakes.
        """
        still: list[_Link] = []
        linked = {link.candidate.id for link in doc.links}
        for link in doc.pending:
            decided = self._by_linked(link, linked) or self._by_oblast(doc, link, vocabulary)
            if decided is not None:
                doc.links.append(decided)
                linked.add(decided.candidate.id)
            else:
                still.append(link)
        doc.pending = still
        for position, link in enumerate(doc.links):
            tied = self._tied(link)
            if tied:
                decided = self._by_oblast(doc, link, vocabulary, among=tied)
                if decided is not None:
                    doc.links[position] = decided

    def _tied(self, link: _Link) -> frozenset[str]:
        """The IDs of namesakes that scored as well as a matched place (empty if it stood clear)."""
        result = link.result
        if link.status != MATCHED or result is None or result.best is None or link.candidate.kind not in _PLACE_KINDS:
            return frozenset()
        best = result.best
        # a namesake far smaller than the place the prior chose is not worth re-reading (Mykolaiv, Mykolaivka)
        return frozenset(c.id for c in result.candidates[1:] if c.score >= best.score - NEAR_TIE and c.id != best.id
                         and (c.population or 0) * 10 >= (best.population or 0))

    def _close(self, link: _Link) -> list[Candidate]:
        result = link.result
        if result is None or result.best is None:
            return []
        return [c for c in result.candidates if c.score >= result.best.score - 0.05]

    def _by_linked(self, link: _Link, linked: set[str]) -> _Link | None:
        """The one close candidate of `link` that the text links elsewhere (`linked`: the linked IDs)."""
        chosen = [c for c in self._close(link) if c.id in linked]
        if len(chosen) != 1:
            return None
        return _Link(link.span, chosen[0], DECIDED, link.method, "the same entity is linked elsewhere in the text",
                     link.result)

    def _by_oblast(self, doc: _Document, link: _Link, vocabulary: Vocabulary,
                   among: frozenset[str] | None = None) -> _Link | None:
        """Resolve again with each oblast mentioned nearby as a hint, nearest first."""
        span = link.span
        if span.first == span.last and doc.tokens[span.first].initial and span.kind_word is None:
            return None  # "Перемога буде за нами": a sentence's first word is too often a common word
        window = self.settings["context_window"]
        paragraph = doc.paragraph(span.start)
        starts, places, everywhere = self._places(doc)
        nearby: list[tuple[int, str, str]] = []
        low = bisect.bisect_left(starts, span.start - window - 200)
        high = bisect.bisect_right(starts, span.end + window)
        for start, end, oblast, name, owner in places[low:high]:
            if owner is link:
                continue
            distance = min(abs(start - span.end), abs(span.start - end))
            if distance <= window and doc.paragraph(start) == paragraph:
                nearby.append((distance, oblast, name))
        others = {o: n for o, n in everywhere.items() if o != (link.candidate.oblast_id or link.candidate.id)}
        if not nearby and among is None and len(everywhere) == 1 and len(others) == 1:
            (oblast, name), = others.items()
            nearby.append((window, oblast, name))  # the only oblast the whole text mentions
        own = link.candidate.id if link.candidate.kind == "oblast" else link.candidate.oblast_id
        seen: set[str] = set()
        for _distance, oblast, name in sorted(nearby):
            if oblast in seen:
                continue
            seen.add(oblast)
            if among is not None and oblast == own:
                return None  # the matched place already lies in the nearest oblast
            result = self._resolve(doc, link.span.query, oblast, link.span.entity_kind)
            best = result.best
            if result.status != MATCHED or best is None or (best.oblast_id != oblast and best.id != oblast):
                continue
            if among is not None and best.id not in among:
                continue
            if not self._acceptable(doc, link.span, best, vocabulary):
                continue
            return _Link(link.span, best, DECIDED, best.method, f"oblast context: {name} nearby", result)
        return None

    def _places(self, doc: _Document) -> tuple[list[int], list[tuple[int, int, str, str, _Link]], dict[str, str]]:
        """Linked Ukrainian places with their oblast, by position (cached until the links change).

        Links appended since the last call are added to the cached lists (as a full rebuild would
        order them), so that deciding many pending spans stays linear.
        """
        cached = doc.places
        if cached is not None and cached[0] == len(doc.links) and cached[2] is doc.links:
            return cached[1]
        if cached is not None and cached[2] is doc.links and cached[0] < len(doc.links):
            starts, places, everywhere = cached[1]
            new = doc.links[cached[0]:]
        else:
            starts, places, everywhere = [], [], {}
            new = doc.links
        for other in new:
            candidate = other.candidate
            if candidate.kind not in _PLACE_KINDS or candidate.country not in (None, "UA"):
                continue
            oblast = candidate.id if candidate.kind == "oblast" else candidate.oblast_id
            if oblast:
                place = (other.span.start, other.span.end, oblast, candidate.name, other)
                position = bisect.bisect_right(starts, place[0])
                places.insert(position, place)
                starts.insert(position, place[0])
                everywhere.setdefault(oblast, candidate.name)
        value = (starts, places, everywhere)
        doc.places = (len(doc.links), value, doc.links)
        return value

    # -- output ----------------------------------------------------------------------

    def _overlaps(self, doc: _Document, span: Span) -> bool:
        return any(link.span.start < span.end and span.start < link.span.end for link in doc.links)

    def _mention(self, doc: _Document, link: _Link) -> Mention:
        c = link.candidate
        alternatives = tuple(a.id for a in self._close(link)) if link.status == UNDECIDED else ()
        return Mention(
            start=link.span.start, end=link.span.end, text=doc.text[link.span.start : link.span.end],
            id=c.id, kind=c.kind, name=c.name, name_uk=c.name_uk, name_ru=c.name_ru, oblast_id=c.oblast_id,
            country=c.country, score=c.score, status=link.status, method=link.method, note=link.note,
            alternatives=alternatives,
        )


def chunk_bounds(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) of the chunks a long text is annotated in: each at most `size` characters, cut at the
    last paragraph break of its second half, else a line break, a sentence end or a space (a hard cut
    only in a text with no space at all)."""
    if size < 2:
        raise ValueError("chunk size must be at least 2")
    bounds = []
    start, total = 0, len(text)
    while total - start > size:
        low, high = start + size // 2, start + size
        cut = text.rfind("\n\n", low, high)
        if cut >= 0:
            cut += 2
        else:
            for separator in ("\n", ". ", " ", "\t"):
                cut = text.rfind(separator, low, high - len(separator) + 1)
                if cut >= 0:
                    cut += len(separator)
                    break
            else:
                cut = high
        bounds.append((start, cut))
        start = cut
    bounds.append((start, total))
    return bounds


def _replaceable(link: _Link) -> bool:
    """A one-word link coreference may override: a place, or a person the resolver could not decide."""
    if link.span.first != link.span.last or link.span.kind_word is not None:
        return False
    return link.candidate.kind != "person" or link.status == UNDECIDED


def _analyzers(lang: str) -> list[Any]:
    """The pymorphy3 analyzers for a language ('auto': both), loaded once by normalizer.spelling.forms."""
    from ..spelling.forms import morph_analyzer  # the matcher's own lazily loaded analyzers

    found = []
    for code in (("uk",) if lang == "uk" else ("ru",) if lang == "ru" else ("uk", "ru")):
        try:
            found.append(morph_analyzer(code))
        except (ImportError, OSError, ValueError):  # dictionaries missing or unreadable: no opinion
            continue
    return found


@lru_cache(maxsize=50_000)
def _agrees(adjective: str, word: str, lang: str) -> bool:
    """Whether `adjective` can be an adjective agreeing in case, number and gender with `word` after it."""
    for analyzer in _analyzers(lang):
        heads = [p.tag for p in analyzer.parse(word)[:4] if p.tag.POS in ("NOUN", "ADJF", "PRTF")]
        if not heads:
            continue
        for parse in analyzer.parse(adjective)[:4]:
            tag = parse.tag
            if tag.POS not in ("ADJF", "PRTF"):
                continue
            for head in heads:
                if tag.case != head.case or (tag.number or "sing") != (head.number or "sing"):
                    continue
                if (tag.number or "sing") == "plur" or not tag.gender or not head.gender or tag.gender == head.gender:
                    return True
    return False


_annotators: weakref.WeakKeyDictionary[Matching, Annotator] = weakref.WeakKeyDictionary()
_annotators_lock = threading.Lock()


def annotator_for(normalizer: Matching) -> Annotator:
    """The Annotator of a normalizer (created once, kept as long as the normalizer lives)."""
    with _annotators_lock:
        annotator = _annotators.get(normalizer)
        if annotator is None:
            annotator = Annotator(normalizer)
            _annotators[normalizer] = annotator
        return annotator


def annotate(normalizer: Matching, text: str, *, lang: str = "auto", undecided: bool = False) -> list[Mention]:
    """Find and link the mentions of `text` with `normalizer`; see the module docstring."""
    return annotator_for(normalizer).annotate(text, lang=lang, undecided=undecided)


def entity_counts(mentions: Iterable[Mention]) -> list[tuple[Mention, int]]:
    """Each linked entity once (its first mention) with how often it is mentioned, most frequent first."""
    counts: Counter[str] = Counter()
    first: dict[str, Mention] = {}
    for mention in mentions:
        counts[mention.id] += 1
        first.setdefault(mention.id, mention)
    return [(first[i], n) for i, n in sorted(counts.items(), key=lambda item: (-item[1], first[item[0]].start))]
