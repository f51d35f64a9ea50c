"""Properties of clues over the whole gazetteer (seeded samples of real places):

- a clue that agrees with the place (its oblast, raion, hromada or point) never turns a right answer
  into another one, nor a match into a doubt;
- with no clue, exact namesakes of one size (villages bearing one name, none larger) are never matched
  to one of them: the answer is `ambiguous`, and every namesake is among the candidates' reach;
- the clue that tells namesakes apart settles them: each village, given its hromada, is matched to itself
  unless another of its name lies in the same hromada.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from normalizer.match.model import AMBIGUOUS, MATCHED

SAMPLE = 150


@pytest.fixture(scope="module")
def villages(gazetteer) -> list:
    """Every village with a Ukrainian name, hromada, raion and point."""
    return [e for e in gazetteer.entities("village")
            if e.name_uk and e.hromada_id and e.raion_id and e.lat is not None and e.lon is not None]


def _agreeing_clues(entity) -> dict[str, dict]:
    return {
        "oblast": {"oblast": entity.oblast_id},
        "raion": {"raion": entity.raion_id},
        "hromada": {"hromada": entity.hromada_id},
        "point": {"near": (entity.lat, entity.lon)},
        "all": {"oblast": entity.oblast_id, "raion": entity.raion_id, "hromada": entity.hromada_id,
                "near": (entity.lat, entity.lon)},
    }


def test_an_agreeing_clue_never_turns_a_right_answer_wrong(normalizer, gazetteer) -> None:
    rng = random.Random(11)
    places = [e for kind in ("city", "settlement", "village") for e in gazetteer.entities(kind)
              if e.name_uk and e.oblast_id and e.lat is not None and e.raion_id and e.hromada_id]
    checked = 0
    for entity in rng.sample(places, 400):
        alone = normalizer.resolve(entity.name_uk)
        if alone.status != MATCHED or alone.best is None or alone.best.id != entity.id:
            continue
        checked += 1
        for name, clues in _agreeing_clues(entity).items():
            result = normalizer.resolve(entity.name_uk, **clues)
            assert result.status == MATCHED and result.best is not None and result.best.id == entity.id, \
                (entity.id, entity.name_uk, name, result.explanation)
    assert checked >= 50  # enough unique names in the sample to mean something


def test_exact_namesakes_of_one_size_are_never_matched_without_a_clue(normalizer, gazetteer, villages) -> None:
    by_name: dict[str, list] = defaultdict(list)
    for village in villages:
        by_name[village.name_uk].append(village)
    larger_kinds = {e.name_uk for kind in ("city", "settlement", "oblast", "raion", "hromada")
                    for e in gazetteer.entities(kind) if e.name_uk}
    groups = sorted(name for name, group in by_name.items()
                    if len(group) >= 2 and name not in larger_kinds
                    and all(not (v.population or 0) for v in group))  # none known to be larger
    rng = random.Random(7)
    for name in rng.sample(groups, min(SAMPLE, len(groups))):
        result = normalizer.resolve(name)
        assert result.status != MATCHED or result.best is None or result.best.kind != "village" \
            or result.best.name_uk != name, (name, result.explanation)


def test_a_hromada_settles_namesakes_it_tells_apart(normalizer, villages) -> None:
    per_hromada: dict[tuple[str, str], int] = defaultdict(int)
    for village in villages:
        per_hromada[(village.name_uk, village.hromada_id)] += 1
    named_often = defaultdict(int)
    for village in villages:
        named_often[village.name_uk] += 1
    candidates = [v for v in villages if named_often[v.name_uk] >= 3]
    rng = random.Random(3)
    for village in rng.sample(candidates, SAMPLE):
        result = normalizer.resolve(village.name_uk, hromada=village.hromada_id)
        if per_hromada[(village.name_uk, village.hromada_id)] > 1:
            assert result.status == AMBIGUOUS, (village.id, result.explanation)
        else:
            assert result.status == MATCHED and result.best is not None and result.best.id == village.id, \
                (village.id, village.name_uk, result.explanation)
