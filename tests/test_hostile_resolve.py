"""Hostile input for the matcher: resolve, resolve_many, normalize and the text cleanup behind them.

Invariants: a str never raises (anything else is a TypeError; bad hints are HintError/ValueError);
the same input gives the same answer; every answered ID exists in the gazetteer; harmless noise
(case after a word's first letter, spaces, apostrophe variants) does not change a match; inputs
longer than the name limit are `unmatched` at once; every resolve stays within its time bound.
"""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalizer import Normalizer
from normalizer.errors import HintError
from normalizer.match import session as api_module
from normalizer.match.model import MATCHED, STATUSES, UNMATCHED
from normalizer.spelling.cleanup import MAX_NAME_LENGTH, clean_text, fix_homoglyphs
from normalizer.spelling.keys import fold, is_cyrillic, skeleton
from normalizer.spelling.parse import parse_query

from .hypothesis_profiles import (
    APOSTROPHES,
    HOSTILE,
    dev_names,
    homoglyph_names,
    hostile_text,
    long_inputs,
    noisy_names,
    real_names,
    scaled,
)

KINDS = [None, "city", "oblast", "person", "village,settlement", "raion", ["city", "foreign"], "foreign"]
hints = st.one_of(st.none(), st.sampled_from(["Kharkiv oblast", "Донецька обл.", "UA-63", "UA14000000000091971",
                                              "Kyiv", "Луганщина", "", "   "]), hostile_text)


def check_result(result, gazetteer, limit: int = 5) -> None:
    """The shape every answer must have."""
    assert result.status in STATUSES
    assert len(result.candidates) <= limit
    if result.status == UNMATCHED:
        assert result.best is None
    else:
        assert result.best is not None and result.best in result.candidates
    for candidate in result.candidates:
        assert gazetteer.find(candidate.id) is not None, f"{candidate.id} is not in the gazetteer"
        assert 0.0 <= candidate.score <= 1.0 and not math.isnan(candidate.score)
    assert isinstance(result.explanation, str)


def same(a, b) -> bool:
    return (a.status, [(c.id, c.score) for c in a.candidates]) == (b.status, [(c.id, c.score) for c in b.candidates])


# -- any str is answered ----------------------------------------------------------------------


@HOSTILE
@given(text=hostile_text, oblast=hints, kind=st.sampled_from(KINDS), limit=st.integers(1, 8))
def test_resolve_answers_any_text(normalizer: Normalizer, gazetteer, text, oblast, kind, limit) -> None:
    result = normalizer.resolve(text, oblast=oblast, kind=kind, limit=limit)
    check_result(result, gazetteer, limit)
    assert result.input == text
    # the same input, asked again without the answer cache, gives the same answer
    again = normalizer.resolver.resolve(text, oblast=oblast, kind=kind, limit=limit)
    assert same(result, again)


@HOSTILE
@given(text=noisy_names)
def test_resolve_noisy_real_names(normalizer: Normalizer, gazetteer, text) -> None:
    result = normalizer.resolve(text)
    check_result(result, gazetteer)
    assert same(result, normalizer.resolver.resolve(text))


@HOSTILE
@given(text=homoglyph_names)
def test_resolve_mixed_script_homoglyphs(normalizer: Normalizer, gazetteer, text) -> None:
    check_result(normalizer.resolve(text), gazetteer)


def _tail_case(text: str, flips: list[bool]) -> str:
    """Change the case of the letters after the first of every word of 3+ letters (never a cue)."""
    position = iter(flips * (len(text) // max(len(flips), 1) + 1) if flips else [])

    def change(match: re.Match[str]) -> str:
        word = match.group(0)
        return word[0] + "".join(c.upper() if next(position, False) else c.lower() for c in word[1:])

    return re.sub(r"\w{3,}", change, text)


@HOSTILE
@given(name=real_names, flips=st.lists(st.booleans(), min_size=1, max_size=12), pad=st.integers(0, 3),
       apostrophe=st.sampled_from(["'", "’", "ʼ"]), double_spaces=st.booleans())
def test_harmless_noise_keeps_the_match(normalizer: Normalizer, name, flips, pad, apostrophe, double_spaces) -> None:
    clean = normalizer.resolve(name)
    if clean.status != MATCHED:
        return
    noisy = _tail_case(name, flips)
    noisy = re.sub("[" + "".join(APOSTROPHES[:3]) + "]", apostrophe, noisy)
    if double_spaces:
        noisy = noisy.replace(" ", "  ")
    noisy = " " * pad + noisy + " " * pad
    result = normalizer.resolve(noisy)
    assert result.status == MATCHED and result.best.id == clean.best.id, (name, noisy, result.explanation)


def test_harmless_noise_on_every_dev_name(normalizer: Normalizer) -> None:
    """Upper case, spaces, tabs and apostrophe variants of all matched dev-set names (deterministic)."""
    failures = []
    for name in dev_names():
        clean = normalizer.resolve(name)
        if clean.status != MATCHED:
            continue
        variants = {
            "  " + name.replace(" ", "   ") + "\t",
            re.sub("['’ʼ]", "’", name), re.sub("['’ʼ]", "ʼ", name), re.sub("['’ʼ]", "'", name),
            _tail_case(name, [True]),
            name.replace(" ", "\u00a0"),
        }
        for variant in variants:
            result = normalizer.resolve(variant)
            if result.status != MATCHED or result.best.id != clean.best.id:
                failures.append(f"{name!r} -> {clean.best.id}, {variant!r} -> {result.status} "
                                f"{result.best.id if result.best else None}")
    assert not failures, "\n".join(failures[:20])


# -- resolve_many and normalize -------------------------------------------------------------


@scaled(25)
@given(texts=st.lists(hostile_text, max_size=12), kind=st.sampled_from(KINDS[:4]))
def test_resolve_many_answers_each_in_order(normalizer: Normalizer, gazetteer, texts, kind) -> None:
    results = list(normalizer.resolve_many(iter(texts), kind=kind))
    assert [r.input for r in results] == texts
    for text, result in zip(texts, results):
        check_result(result, gazetteer)
        assert same(result, normalizer.resolve(text, kind=kind))


@pytest.fixture
def default_normalizer(env_home):
    """normalizer.normalize() on the session home (the process-wide default normalizer reset around the test)."""
    previous = api_module._default
    api_module._default = None
    yield
    if api_module._default is not None:
        api_module._default.close()
    api_module._default = previous


@scaled(30)
@given(text=st.one_of(hostile_text, noisy_names))
def test_normalize_is_the_id_of_a_match(default_normalizer, normalizer: Normalizer, text) -> None:
    from normalizer import normalize

    result = normalizer.resolve(text)
    assert normalize(text) == (result.best.id if result.status == MATCHED else None)
    assert normalizer.normalize(text) == normalize(text)


# -- what is not a str ------------------------------------------------------------------------


not_text = st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.binary(max_size=20),
                     st.lists(st.text(max_size=3), max_size=2), st.just(float("nan")), st.booleans())


@HOSTILE
@given(value=not_text)
def test_non_str_input_is_a_type_error(normalizer: Normalizer, value) -> None:
    with pytest.raises(TypeError):
        normalizer.resolve(value)
    with pytest.raises(TypeError):
        normalizer.normalize(value)
    with pytest.raises(TypeError):
        list(normalizer.resolve_many([value]))


@HOSTILE
@given(value=st.one_of(st.integers(), st.binary(max_size=10), st.floats(), st.lists(st.integers(), max_size=2)))
def test_non_str_oblast_hint_is_a_type_error(normalizer: Normalizer, value) -> None:
    with pytest.raises(TypeError):
        normalizer.resolve("Kyiv", oblast=value)


@HOSTILE
@given(kind=st.one_of(hostile_text, st.lists(hostile_text, min_size=1, max_size=3)))
def test_unknown_kinds_are_hint_errors(normalizer: Normalizer, kind) -> None:
    try:
        result = normalizer.resolve("Kyiv", kind=kind)
    except HintError as exc:
        assert isinstance(exc, ValueError) and "unknown kind" in str(exc)
    else:  # only kinds that are blank or real get here
        assert result.status in STATUSES


@pytest.mark.parametrize("limit", [0, -1, 1.5, "5", None, True, 10**30 * 0])
def test_bad_limits_are_value_errors(normalizer: Normalizer, limit) -> None:
    with pytest.raises(ValueError):
        normalizer.resolve("Kyiv", limit=limit)


def test_huge_limit_is_fine(normalizer: Normalizer) -> None:
    result = normalizer.resolve("Іванівка", limit=10**9)
    assert result.status in STATUSES and len(result.candidates) > 5


# -- the text cleanup ---------------------------------------------------------------------------


@scaled(200)
@given(text=hostile_text)
def test_cleanup_functions_hold_their_promises(text) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]", cleaned)
    fix_homoglyphs(cleaned)
    query = parse_query(text)
    assert query.too_long or len(query.core) <= MAX_NAME_LENGTH
    folded = fold(text)
    assert fold(folded) == folded
    key = skeleton(text)
    assert key.isascii() and skeleton(folded) == key
    is_cyrillic(text)


def _reference_skeleton(text: str) -> str:
    """skeleton() as first written (a Python loop per character): the fast path must give the same keys."""
    from normalizer.spelling.keys import _CYRILLIC_TABLE, _REPEATS, _SKELETON_TOKENS, _TOKEN

    folded = fold(text).translate(_CYRILLIC_TABLE)
    letters = "".join(char for char in folded if char.isalpha() and char.isascii())
    symbols = "".join(_SKELETON_TOKENS.get(token, token) for token in _TOKEN.findall(letters))
    symbols = _REPEATS.sub(r"\1", symbols)
    symbols = symbols.replace("ie", "e")
    return _REPEATS.sub(r"\1", symbols)


@scaled(300)
@given(text=st.one_of(hostile_text, noisy_names, st.text(st.sampled_from("abchkstzyijeoushgwxq шщжчхїєґюя-'"),
                                                          max_size=30)))
def test_skeleton_fast_path_equals_reference(text) -> None:
    assert skeleton(text) == _reference_skeleton(text)


def test_skeleton_fast_path_on_every_dev_name() -> None:
    assert [skeleton(n) for n in dev_names()] == [_reference_skeleton(n) for n in dev_names()]


# -- limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", long_inputs(), ids=lambda t: f"{len(t)}-chars-{t[:6]!r}")
def test_long_inputs_are_unmatched_at_once(normalizer: Normalizer, text) -> None:
    started = time.perf_counter()
    result = normalizer.resolver.resolve(text)
    elapsed = time.perf_counter() - started
    assert result.status in STATUSES
    if len(text) > MAX_NAME_LENGTH * 4:
        assert result.status == UNMATCHED and "length limit" in result.explanation
    assert elapsed < 1.0, f"{elapsed:.2f}s for a {len(text):,}-character input"


@pytest.mark.parametrize("hint", ["x" * 1_000_000, ", ".join(["Харківська"] * 100), "Kharkiv " * 30,
                                  "(" * 1000 + ")" * 1000], ids=["1MB", "commas", "words", "brackets"])
def test_long_oblast_hints_are_ignored_at_once(normalizer: Normalizer, hint) -> None:
    """Regression: a hint longer than the name limit used to reach the fuzzy search whole (1 MB: out of
    memory in the swapped-letters keys; 1,000 characters: 0.36 s)."""
    started = time.perf_counter()
    result = normalizer.resolver.resolve("Іванівка", oblast=hint)
    assert time.perf_counter() - started < 0.5
    assert result.status in STATUSES
    assert len(result.explanation) < 2_000  # the hint is quoted shortened


@pytest.mark.parametrize("hint", ["(\udcff)", "[\ud800]", "(Kyiv\udcff)", "(\x00)", ", \udcff", "\udcff"])
def test_hint_of_only_context_with_lone_surrogates(normalizer: Normalizer, hint) -> None:
    """Regression (fuzzing): a hint whose cleaned core is empty fell back to the raw text, and its lone
    surrogates reached SQLite: UnicodeEncodeError out of resolve."""
    result = normalizer.resolve("Kyiv", oblast=hint)
    assert result.status == MATCHED and result.best.id == "UA80000000000093317"
    assert normalizer.resolve("Kharkiv", oblast="(Харків\udcff)").status == MATCHED


def _worst_cases() -> dict[str, str]:
    """The inputs of tests/golden/worst_case_resolve.tsv (shared with benchmarks/fuzz_worst_case.py)."""
    path = Path(__file__).resolve().parent / "golden" / "worst_case_resolve.tsv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return dict(line.split("\t", 1) for line in lines[1:])


WORST_CASES = _worst_cases()


@pytest.mark.parametrize("name", list(WORST_CASES))
def test_worst_case_resolve_time(normalizer: Normalizer, name) -> None:
    """Each constructed worst case resolves in well under the 50 ms budget (asserted with margin for CI)."""
    text = WORST_CASES[name]
    resolver = normalizer.resolver
    resolver.resolve(text)  # dictionaries and the database pages warm
    times = []
    for _ in range(3):
        resolver.forget()
        started = time.perf_counter()
        resolver.resolve(text)
        times.append(time.perf_counter() - started)
    assert min(times) < 0.15, f"{name}: {min(times) * 1000:.1f} ms for {text!r}"
