"""Hypothesis profiles and the hostile-input strategies shared by tests/test_hostile_*.py.

Profiles (chosen with HYPOTHESIS_PROFILE; the hostile tests apply theirs explicitly with
`@HOSTILE`, so other test modules keep hypothesis' own defaults):

- ``ci`` (default): a bounded number of examples per test, no deadline (the first call of a
  test may load dictionaries), so the suite stays within its time in CI;
- ``long``: many more examples, for local runs: ``HYPOTHESIS_PROFILE=long python -m pytest
  tests/test_hostile_resolve.py``.
"""

from __future__ import annotations

import csv
import os
import random
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
DEV = REPO / "benchmarks" / "data"

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture]
settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=_SLOW_OK,
                          print_blob=True)
settings.register_profile("long", max_examples=2000, deadline=None, suppress_health_check=_SLOW_OK,
                          print_blob=True)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in ("ci", "long"):
    PROFILE = "ci"
#: The settings of the chosen profile, as a decorator: ``@HOSTILE`` above ``@given``.
HOSTILE = settings(settings.get_profile(PROFILE))


def scaled(examples: int) -> settings:
    """The chosen profile with `examples` examples in CI (x20 under the long profile): for costly tests."""
    return settings(HOSTILE, max_examples=examples * (20 if PROFILE == "long" else 1))


# -- the hard parts of Unicode ---------------------------------------------------------------

COMBINING_100 = "\u0301" * 100  # an acute accent stacked 100 deep
BIDI = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u061c"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f"]
CONTROLS = ["\x00", *[chr(c) for c in range(1, 32)], "\x7f", *[chr(c) for c in range(0x80, 0xA0)]]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udcff", "\udfff", "\udc80"]
EMOJI = ["🇺🇦", "👨‍👩‍👧", "🏳️‍🌈", "❤️", "👍🏽", "🔥", "\U0001f9ea"]
PRIVATE_USE = ["\ue000", "\uf8ff", "\U000f0000", "\U0010fffd"]
APOSTROPHES = ["'", "’", "ʼ", "ʹ", "`", "´", "‘", "ʻ", "＇"]
SEPARATORS = [",", ";", "/", "|", " - ", "(", ")", "[", "]", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2028"]
ODD = ["ß", "ﬃ", "İ", "ǅ", "Ⅻ", "①", "ＫＹＩＶ", "К\u0306", "ё", "Ґ", "ї", "ΣΑΣ", "😀" * 3, "\u0000" * 3]
TYPE_WORDS = ["м.", "с.", "смт", "область", "обл.", "р-н", "район", "oblast", "raion", "city", "village", "г.",
              "пгт", "громада", "Ukraine", "Україна"]
PREPOSITIONS = ["у", "в", "з", "під", "под", "near", "outskirts of", "біля", "около"]

#: Characters of every category, lone surrogates included (a Python str can hold them).
ANY_CHAR = st.characters(codec=None, exclude_categories=())
#: Text that files can hold (no lone surrogates).
FILE_CHAR = st.characters(codec="utf-8")


@lru_cache(maxsize=1)
def dev_names() -> tuple[str, ...]:
    """Real inputs of the dev set: place, person and foreign names as people write them."""
    names: list[str] = []
    for file in ("dev_places.tsv", "dev_persons.tsv", "dev_foreign.tsv"):
        with open(DEV / file, encoding="utf-8", newline="") as handle:
            names.extend(row["input"] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return tuple(sorted({n for n in names if n.strip()}))


@lru_cache(maxsize=1)
def homoglyph_table() -> dict[str, str]:
    """Latin <-> Cyrillic look-alikes, both directions (normalizer/spelling/data/homoglyphs.tsv)."""
    path = REPO / "normalizer" / "spelling" / "data" / "homoglyphs.tsv"
    table: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            table.setdefault(row["latin"], row["cyrillic"])
            table.setdefault(row["cyrillic"], row["latin"])
    return table


def swap_homoglyphs(text: str, seed: int) -> str:
    """Some letters of `text` replaced by their look-alikes of the other script."""
    table = homoglyph_table()
    rng = random.Random(seed)
    return "".join(table[c] if c in table and rng.random() < 0.4 else c for c in text)


real_names = st.sampled_from(dev_names())
homoglyph_names = st.builds(swap_homoglyphs, real_names, st.integers(0, 2**16))
pieces = st.one_of(
    st.sampled_from(BIDI), st.sampled_from(INVISIBLE), st.sampled_from(CONTROLS), st.sampled_from(SURROGATES),
    st.sampled_from(EMOJI), st.sampled_from(PRIVATE_USE), st.sampled_from(APOSTROPHES),
    st.sampled_from(SEPARATORS), st.sampled_from(ODD), st.sampled_from(TYPE_WORDS), st.sampled_from(PREPOSITIONS),
    st.just(COMBINING_100), real_names, homoglyph_names, st.text(ANY_CHAR, max_size=12),
)
#: Arbitrary hostile text: real names, homoglyphs and the hard parts of Unicode, mixed.
hostile_text = st.lists(pieces, max_size=10).map("".join)
#: The same without lone surrogates (what a file or a polars column can hold).
file_text = st.lists(pieces, max_size=10).map("".join).map(
    lambda t: t.encode("utf-8", "replace").decode("utf-8"))
#: Names with noise around them: a real name plus hostile pieces before and after.
noisy_names = st.tuples(st.lists(pieces, max_size=3), real_names, st.lists(pieces, max_size=3)).map(
    lambda p: "".join(p[0]) + p[1] + "".join(p[2]))


def long_inputs() -> list[str]:
    """A few targeted long inputs (not generated: hypothesis would shrink them forever)."""
    return [
        "Kyiv" * 250_000,  # 1 MB, one 'word'
        "Лисичанськ " * 90_000,  # ~1 MB of repeated Cyrillic words
        ("Kharkiv, " * 120_000),  # 1 MB of context phrases
        "\u0301" * 1_000_000,  # 1 MB of combining marks
        "(" * 500_000 + "Kyiv" + ")" * 500_000,  # 1 MB of brackets
        "\udcff" * 300_000,  # lone surrogates
        "м. " * 300_000 + "Київ",  # type words
        "у " * 400_000 + "Києві",  # prepositions
        "a" * 199 + "\u0301" * 5,
        "Новоолександрівка-" * 11,  # 198 characters, hyphenated
    ]
