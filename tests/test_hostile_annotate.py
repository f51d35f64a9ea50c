"""Hostile input for annotate: any text, huge texts (chunks), and the offsets invariant.

Invariants: a str never raises; every mention's offsets slice the original text to the mention's
text; mentions come in order without overlapping; their IDs exist; the same text gives the same
mentions; a text longer than annotate.CHUNK_CHARS is annotated in chunks cut at paragraph breaks,
in linear time, each chunk as if it were a text of its own.
"""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalizer.text import annotate as annotate_module
from normalizer.text.annotate import CHUNK_CHARS, LANGS, chunk_bounds

from .conftest import GOLDEN
from .hypothesis_profiles import ANY_CHAR, HOSTILE, pieces, real_names, scaled

ARTICLES = sorted((GOLDEN / "annotate").glob("*.txt"))
words = st.sampled_from(["the", "of", "у", "в", "під", "and", "region", "oblast", "область", "місто", "city",
                         "Governor", "Сергій", "Serhii", "said", ".", ",", "\n\n", "—", "«", "»", "'s"])
#: Running text: real names among words, punctuation and the hard parts of Unicode.
running_text = st.lists(st.one_of(real_names, words, pieces), max_size=40).map(" ".join)


def check_mentions(text: str, mentions, gazetteer) -> None:
    previous_end = 0
    for mention in mentions:
        assert 0 <= mention.start < mention.end <= len(text)
        assert text[mention.start : mention.end] == mention.text
        assert mention.start >= previous_end, "mentions overlap or are out of order"
        previous_end = mention.end
        assert gazetteer.find(mention.id) is not None, mention.id
        assert 0.0 <= mention.score <= 1.0


@HOSTILE
@given(text=running_text, lang=st.sampled_from(LANGS), undecided=st.booleans())
def test_annotate_any_running_text(normalizer, gazetteer, text, lang, undecided) -> None:
    mentions = normalizer.annotate(text, lang=lang, undecided=undecided)
    check_mentions(text, mentions, gazetteer)
    assert normalizer.annotate(text, lang=lang, undecided=undecided) == mentions


@HOSTILE
@given(text=st.text(ANY_CHAR, max_size=300))
def test_annotate_arbitrary_unicode(normalizer, gazetteer, text) -> None:
    check_mentions(text, normalizer.annotate(text), gazetteer)


@HOSTILE
@given(value=st.one_of(st.none(), st.integers(), st.binary(max_size=10), st.floats(), st.lists(st.text(), max_size=2)))
def test_annotate_non_str_is_a_type_error(normalizer, value) -> None:
    with pytest.raises(TypeError):
        normalizer.annotate(value)


@pytest.mark.parametrize("lang", ["de", "", "EN", None, "auto "])
def test_annotate_unknown_language_is_a_value_error(normalizer, lang) -> None:
    with pytest.raises(ValueError):
        normalizer.annotate("Kyiv", lang=lang)


# -- chunks ------------------------------------------------------------------------------------


@scaled(150)
@given(text=st.text(st.sampled_from("ab \n.\t"), max_size=400), size=st.integers(2, 60))
def test_chunk_bounds_cover_the_text(text, size) -> None:
    bounds = chunk_bounds(text, size)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    for (start, end), (next_start, _) in itertools.pairwise(bounds):
        assert end == next_start and 0 < end - start <= size
    assert bounds[-1][1] - bounds[-1][0] <= size


def test_chunks_are_cut_at_paragraph_breaks() -> None:
    paragraph = "Shelling hit Kharkiv and Izium overnight, the governor said.\n\n"
    text = paragraph * 40
    for _start, end in chunk_bounds(text, 500):
        assert end == len(text) or text[end - 2 : end] == "\n\n"


def test_a_long_text_is_annotated_chunk_by_chunk(normalizer, gazetteer, monkeypatch) -> None:
    """Articles joined by blank lines, annotated in chunks of about one article: the same mentions as each
    article annotated alone, at the right offsets."""
    articles = [path.read_text(encoding="utf-8") for path in ARTICLES]
    size = max(len(a) for a in articles) + 2
    text = "\n\n".join(articles)
    monkeypatch.setattr(annotate_module, "CHUNK_CHARS", size)
    mentions = normalizer.annotate(text)
    check_mentions(text, mentions, gazetteer)
    expected = []
    for start, end in chunk_bounds(text, size):
        for mention in normalizer.annotate(text[start:end]):
            expected.append((mention.start + start, mention.end + start, mention.id))
    assert [(m.start, m.end, m.id) for m in mentions] == expected
    assert len(mentions) > 100


def test_chunking_changes_nothing_below_the_chunk_size(normalizer) -> None:
    text = "\n\n".join(path.read_text(encoding="utf-8") for path in ARTICLES)
    assert len(text) < CHUNK_CHARS
    assert normalizer.annotate(text) == annotate_module.annotator_for(normalizer)._annotate(
        text, annotate_module.detect_lang(text), False)


# -- huge texts --------------------------------------------------------------------------------


def test_a_million_words(normalizer, gazetteer) -> None:
    """10^6 words (5 MB), 1% of them place names: linear time, bounded memory (measured in SECURITY.md)."""
    import random

    rng = random.Random(3)
    filler = ["the", "of", "and", "in", "to", "forces", "shelled", "near", "said", "governor", "oblast", "village",
              "on", "monday", "was"]
    names = ["Kharkiv", "Bakhmut", "Luhansk", "Lysychansk", "Kyiv", "Odesa", "Zaporizhzhia"]
    text = " ".join(rng.choice(names) if rng.random() < 0.01 else rng.choice(filler) for _ in range(1_000_000))
    started = time.perf_counter()
    mentions = normalizer.annotate(text)
    elapsed = time.perf_counter() - started
    check_mentions(text, mentions, gazetteer)
    assert len(mentions) > 9_000
    assert elapsed < 60, f"{elapsed:.1f}s"


STRANGE_TEXTS = {
    "1 MB, one word": "Kyiv" * 250_000,
    "1 MB of combining marks": "\u0301" * 1_000_000,
    "marks stacked 100 deep on names": "Київ" + "\u0301" * 100 + " і Харків" + "\u0300" * 100,
    "lone surrogates": "\udcff" * 100_000 + " Kyiv " + "\ud800" * 100_000,
    "bidi, joiners, NUL": "\u202eKyiv\u202c \u200dOdesa\u200d \x00Lviv\x00 \ufeffDnipro",
    "100,000 times one name": ("Kyiv " * 50 + "\n") * 2_000,
    "a token longer than a chunk": "A" * 150_000 + " Kharkiv",
}


@pytest.mark.parametrize("name", list(STRANGE_TEXTS))
def test_huge_or_strange_single_texts(normalizer, gazetteer, name) -> None:
    text = STRANGE_TEXTS[name]
    started = time.perf_counter()
    mentions = normalizer.annotate(text)
    assert time.perf_counter() - started < 60
    check_mentions(text, mentions, gazetteer)
