"""Property tests of the matcher: own names resolve home; the indexed fuzzy path equals brute force."""

from __future__ import annotations

import random

import pytest
from rapidfuzz import process
from rapidfuzz.distance import OSA

from gazetteer import Gazetteer
from normalizer import Normalizer
from normalizer.spelling.keys import fold
from normalizer.spelling.romanize import get_system


def _sample(gazetteer: Gazetteer, size: int, seed: int = 7) -> list:
    rng = random.Random(seed)
    entities = list(gazetteer.entities())
    sample = rng.sample(entities, size)
    sample += [e for e in entities if e.kind in ("oblast", "person")]  # all of them
    sample += rng.sample([e for e in entities if e.kind == "city"], 60)
    return sample


def _accepts(normalizer: Normalizer, gazetteer: Gazetteer, entity_id: str, text: str) -> tuple[bool, str]:
    """Whether `text` resolves to the entity, or honestly to a namesake or an ambiguity that includes it."""
    result = normalizer.resolve(text, limit=400)
    ids = [c.id for c in result.candidates]
    if result.status == "matched" and result.best.id == entity_id:
        return True, ""
    if result.status == "ambiguous" and entity_id in ids:
        return True, ""
    if result.status == "matched" and entity_id in ids:
        # a namesake won by a stated prior (a city over villages of the same name)
        other = {fold(n.text) for n in gazetteer.names(result.best.id)}
        if fold(text) in other or "prior" in result.explanation or "current name" in result.explanation:
            return True, ""
    return False, f"{text!r} -> {result.status} {result.best.id if result.best else None}: {result.explanation}"


def test_every_entity_resolves_from_its_own_names(normalizer: Normalizer, gazetteer: Gazetteer) -> None:
    failures = []
    checked = 0
    for entity in _sample(gazetteer, 400):
        texts = {entity.name}
        if entity.name_uk:
            texts.add(entity.name_uk)
        if entity.name_ru:
            texts.add(entity.name_ru)
        for name in gazetteer.names(entity.id):
            if name.type in ("former", "russian", "official", "official_latin", "conventional", "variant"):
                texts.add(name.text)
        if entity.name_uk and entity.kind != "foreign":
            texts.add(get_system("kmu2010").romanize(entity.name_uk))
            texts.add(get_system("german-uk").romanize(entity.name_uk))
        if entity.name_ru:
            texts.add(get_system("wire-ru").romanize(entity.name_ru))
        for text in texts:
            ok, why = _accepts(normalizer, gazetteer, entity.id, text)
            checked += 1
            if not ok:
                failures.append(why)
    assert checked > 2000
    # a name can be claimed more strongly by another entity (e.g. a GeoNames alternate that is
    # another place's official name); such cases must stay rare
    assert len(failures) <= checked * 0.01, "\n".join(failures[:40])


def test_indexed_fuzzy_neighbourhood_equals_brute_force(normalizer: Normalizer) -> None:
    index = normalizer.resolver.index
    skeletons = [s for (s,) in index.db.execute("SELECT s FROM skeleton")]
    rng = random.Random(11)
    alphabet = "abdefiklmnoprstuvzCHSZ"
    for key in rng.sample([s for s in skeletons if len(s) >= 5], 40):
        position = rng.randrange(len(key))
        typo = key[:position] + rng.choice(alphabet) + key[position + 1 :]
        indexed = {s for _, s in index.near_skeletons(typo) if OSA.distance(typo, s) <= 1}
        brute = {s for s, _, _ in process.extract(typo, skeletons, scorer=OSA.distance, score_cutoff=1,
                                                  limit=None) if len(s) >= 4}
        assert indexed == brute, (typo, indexed ^ brute)


@pytest.mark.parametrize("typo,expected", [
    ("Kharkv", "UA63120270010096107"),
    ("Kramatrosk", "UA14120090010038661"),
    ("Zaporizhzha", "UA23060070010069526"),
    ("Dnipropetrovks", "UA12020010010037010"),
    ("Sievierodonetks", "UA44120110010072887"),
    ("Lysychnask", "UA44120050010021900"),
])
def test_fuzzy_answer_is_among_the_brute_force_nearest(normalizer: Normalizer, typo: str, expected: str) -> None:
    """A scan of every indexed spelling with rapidfuzz finds the same nearest entities the index finds."""
    index = normalizer.resolver.index
    spellings: dict[str, set[int]] = {}
    for fold_text, fid in index.db.execute("SELECT fold, fid FROM spelling"):
        spellings.setdefault(fold_text, set()).add(fid)
    folded = fold(typo)
    nearest = process.extract(folded, list(spellings), scorer=OSA.distance, limit=None,
                              score_cutoff=process.extractOne(folded, list(spellings), scorer=OSA.distance)[1])
    fids = {fid for text, _, _ in nearest for fid in spellings[text]}
    eids = {form[1] for form in index.forms(fids).values()}
    brute_ids = {row[1] for row in index.entities(eids).values()}
    result = normalizer.resolve(typo)
    assert expected in brute_ids
    assert result.id == expected, result.explanation
