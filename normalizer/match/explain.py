"""Explaining: one sentence on which form matched, how it was spelled, what the clues did and what decided."""

from __future__ import annotations

from functools import lru_cache

from ..spelling.romanize import get_system
from .model import CANDIDATE_FIELDS, Candidate
from .score import Scored

#: How each type of form is named in an explanation.
FORM_PHRASE = {
    "official": "official name", "official_latin": "official Latin name", "base": "name",
    "conventional": "conventional name", "colloquial": "colloquial name", "user": "user-added variant",
    "russian": "Russian name", "variant": "variant", "alternate": "alternate spelling",
    "former": "former name", "derived_ru": "Russian form", "occupation": "occupation-era name",
}
#: How each retrieval method is said ("... the official name 'Лисичанськ'").
_HOW = {
    "exact": "exactly matches",
    "skeleton": "matches, up to transliteration differences,",
    "reading": "read as the Ukrainian counterpart of a Russian form, matches",
}
#: Methods whose explanation names the romanization system of the spelling that matched.
_SPELLED = frozenset({"exact", "skeleton", "fuzzy", "inflection"})


def candidate(scored: Scored) -> Candidate:
    """The public Candidate of a scored entity."""
    row = scored.row
    values = {name: getattr(row, name) for name in CANDIDATE_FIELDS}
    form_text = scored.form.text if scored.form else ""
    return Candidate(**values, score=round(min(1.0, max(0.0, scored.score)), 4), matched_form=form_text,
                     method=scored.hit.method)


@lru_cache(maxsize=64)
def system_title(system_id: str) -> str:
    """The title of a romanization system (its ID when unknown)."""
    try:
        return get_system(system_id).title
    except LookupError:
        return system_id


def explain(status: str, ranked: list[Scored], reason: str, notes: list[str]) -> str:
    """A sentence on what matched, how, and what decided."""
    if not ranked:
        parts = ["no entity has a name close to this"]
    else:
        top = ranked[0]
        parts = [f"{_what_matched(top)} of {top.row.id} {top.row.name}"]
        if top.notes:
            parts.append("; ".join(top.notes))
    parts.append(f"{status}: {reason}")
    if notes:
        parts.append("input: " + "; ".join(notes))
    return "; ".join(parts)


def _what_matched(top: Scored) -> str:
    hit, form = top.hit, top.form
    if hit.method == "person":
        return f"person by surname ({hit.note})"
    form_type = form.type if form else ""
    phrase = FORM_PHRASE[form_type] if form else ""
    if hit.method == "inflection":
        how = f"is an inflected form of '{hit.note}', which matches"
    elif hit.method == "fuzzy":
        how = f"matches, with {hit.edits} edit(s),"
    else:
        how = _HOW.get(hit.method, "matches")
    what = f"{how} the {phrase} '{form.text if form else ''}'"
    if hit.system != "as-written" and hit.method in _SPELLED:
        what += f" as romanized by {system_title(hit.system)} ('{hit.spelling}')"
    if form_type == "former" and form and form.year_to:
        what += f" (a former name, in use until {form.year_to})"
    elif form_type == "former":
        what += " (a former name)"
    if form and form.origin and form_type == "derived_ru":
        what += f" ({form.origin})"
    return what
