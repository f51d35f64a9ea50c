"""The matcher: golden cases, the Result contract, context, priors and explanations."""

from __future__ import annotations

import csv
import dataclasses

import pytest

from normalizer import MATCHED, Normalizer, Result
from normalizer.errors import HintError

from .conftest import GOLDEN


def _cases() -> list[dict[str, str]]:
    with open(GOLDEN / "cases.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_golden_table_is_large() -> None:
    assert len(_cases()) >= 200


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["input"])
def test_golden_case(normalizer: Normalizer, case: dict[str, str]) -> None:
    result = normalizer.resolve(case["input"], oblast=case["oblast"] or None)
    expected = case["expected"]
    if expected in ("ambiguous", "unmatched"):
        assert result.status == expected, result.explanation
    else:
        assert result.status == MATCHED, result.explanation
        assert result.best is not None and result.best.id == expected, result.explanation


SEED_SPELLINGS = {
    "Lugansk": "UA44060010010012753",
    "Luhansk": "UA44060010010012753",
    "Lysichansk": "UA44120050010021900",
    "Lisichansk": "UA44120050010021900",
    "Severodonetsk": "UA44120110010072887",
    "Sergei Gaidai": "person:serhii-haidai",
    "Gaidai": "person:serhii-haidai",
    "Goncharenko": "person:oleksii-honcharenko",
    "Klitschko": "person:vitalii-klychko",
}


@pytest.mark.parametrize("spelling,expected", SEED_SPELLINGS.items())
def test_seed_article_spellings(normalizer: Normalizer, spelling: str, expected: str) -> None:
    result = normalizer.resolve(spelling)
    assert result.best is not None and result.best.id == expected, result.explanation
    assert result.status in (MATCHED, "ambiguous")


def test_result_contract(normalizer: Normalizer) -> None:
    result = normalizer.resolve("Lisichansk")
    assert isinstance(result, Result)
    assert result.status == MATCHED and result.id == "UA44120050010021900"
    best = result.best
    assert best is not None
    assert (best.kind, best.name, best.name_uk, best.oblast_id, best.country) == (
        "city", "Lysychansk", "Лисичанськ", "UA44000000000018893", "UA")
    assert 0.0 <= best.score <= 1.0
    assert all(0.0 <= c.score <= 1.0 for c in result.candidates)
    assert result.candidates[0] == best
    assert "Лисичанск" in result.explanation
    assert "UA44120050010021900" in repr(result) and "matched" in repr(result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = "unmatched"  # type: ignore[misc]
    data = result.to_dict()
    assert data["id"] == "UA44120050010021900" and data["candidates"][0]["id"] == data["id"]


def test_bad_inputs(normalizer: Normalizer) -> None:
    with pytest.raises(TypeError):
        normalizer.resolve(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        normalizer.resolve(42)  # type: ignore[arg-type]
    for blank in ("", "   ", "\t\n"):
        result = normalizer.resolve(blank)
        assert result.status == "unmatched" and result.best is None
    long = normalizer.resolve("Kharkiv " * 1000)
    assert long.status == "unmatched" and "long" in long.explanation
    with pytest.raises(ValueError):
        normalizer.resolve("Kyiv", limit=0)
    with pytest.raises(HintError):
        normalizer.resolve("Kyiv", kind="planet")


def test_normalize_returns_ids_of_confident_matches_only(normalizer: Normalizer) -> None:
    assert normalizer.normalize("Kharkov") == "UA63120270010096107"
    assert normalizer.normalize("Іванівка") is None
    assert normalizer.normalize("zzzzqqq") is None


def test_ambiguity_and_context(normalizer: Normalizer) -> None:
    many = normalizer.resolve("Іванівка", limit=200)
    assert many.status == "ambiguous" and len(many.candidates) > 100
    hinted = normalizer.resolve("Іванівка", oblast="Kharkiv oblast", limit=50)
    assert all(c.oblast_id == "UA63000000000041885" for c in hinted.candidates if c.score >= hinted.score - 0.03)
    inline = normalizer.resolve("Іванівка, Харківська область", limit=50)
    assert inline.best and inline.best.oblast_id == "UA63000000000041885"
    assert normalizer.resolve("Kharkiv", kind="oblast").best.id == "UA63000000000041885"
    assert normalizer.resolve("Kharkiv oblast").best.id == "UA63000000000041885"
    assert normalizer.resolve("Kharkiv").best.id == "UA63120270010096107"


def test_strong_prior_is_explained(normalizer: Normalizer) -> None:
    result = normalizer.resolve("Київ")  # the capital and a village in Mykolaiv oblast
    assert result.status == MATCHED and result.id == "UA80000000000093317"
    assert "prior" in result.explanation


def test_former_names_say_so(normalizer: Normalizer) -> None:
    result = normalizer.resolve("Artemivsk")
    assert result.id == "UA14020010010059145"
    assert "former name" in result.explanation and "2016" in result.explanation


def test_not_ukraine(normalizer: Normalizer) -> None:
    for name in ("Belgorod", "Kursk", "Gomel", "Rostov-on-Don", "Taganrog", "Белгород", "Brest"):
        result = normalizer.resolve(name)
        assert result.best is None or result.status == "unmatched" or result.best.country != "UA", name


def test_persons_in_any_order_and_system(normalizer: Normalizer) -> None:
    for spelling in ("Sergei Gaidai", "Serhiy Haidai", "Гайдай Сергій", "Сергей Владимирович Гайдай", "S. Haidai"):
        assert normalizer.resolve(spelling).id == "person:serhii-haidai", spelling
    for spelling in ("Zelensky", "Zelenskyy", "Selenskyj", "Zełenski", "Wolodymyr Selenskyj"):
        assert normalizer.resolve(spelling).id == "person:volodymyr-zelenskyi", spelling


def test_resolve_is_deterministic(home) -> None:
    inputs = ["Lisichansk", "Іванівка", "Novoselivka, Kharkiv oblast", "Kharkv", "Sergei Gaidai", "Gomel"]
    first = Normalizer(home)
    second = Normalizer(home)
    try:
        for text in inputs:
            assert first.resolve(text) == second.resolve(text) == first.resolve(text)
    finally:
        first.close()
        second.close()


def test_resolve_many_streams_in_order(normalizer: Normalizer) -> None:
    inputs = iter(["Kyiv", "Lviv", "Kharkiv"])
    results = normalizer.resolve_many(inputs)
    assert next(results).id == "UA80000000000093317"
    assert [r.id for r in results] == ["UA46060250010015970", "UA63120270010096107"]


def test_identifiers_resolve_to_themselves(normalizer: Normalizer) -> None:
    assert normalizer.resolve("UA44120050010021900").id == "UA44120050010021900"
    assert normalizer.resolve("UA-63").id == "UA63000000000041885"
    assert normalizer.resolve("person:serhii-haidai").id == "person:serhii-haidai"


def _clue_cases() -> list[dict[str, str]]:
    with open(GOLDEN / "clues.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.mark.parametrize("case", _clue_cases(), ids=lambda c: f"{c['input']}|{c['note']}")
def test_golden_clue_case(normalizer: Normalizer, case: dict[str, str]) -> None:
    """Real rows with what surrounds the name: oblast, raion (today's or before 2020), hromada, point; addresses,
    phrases, placeholders, lists, regions abroad."""
    near = (float(case["lat"]), float(case["lon"])) if case["lat"] else None
    text = case["input"].replace("\\n", "\n")  # a cell of several lines, written \n in the table
    result = normalizer.resolve(text, oblast=case["oblast"] or None, raion=case["raion"] or None,
                                hromada=case["hromada"] or None, near=near)
    expected = case["expected"]
    if expected in ("ambiguous", "unmatched"):
        assert result.status == expected, result.explanation
    else:
        assert result.status == MATCHED, result.explanation
        assert result.best is not None and result.best.id == expected, result.explanation
