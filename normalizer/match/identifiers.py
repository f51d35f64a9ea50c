"""Inputs that are codes, not names: KATOTTG codes and slugs, OCHA P-codes, ISO 3166-2 codes, KOATUU codes.

A column of IDs may mix them all. A code answers at once: `matched` to the unit it names, or
`unmatched` saying that no unit carries it (a wrong code is not a name to look up). A KOATUU
code shared by a hromada and its centre names the settlement, and the explanation says so.
"""

from __future__ import annotations

import re

from gazetteer.codes import CODE_KIND_ORDER, normalize_code

from .context import ContextReader
from .explain import candidate
from .index import EntityRow, IndexReader
from .model import MATCHED, UNMATCHED, Candidate, Result
from .retrieve import Hit
from .score import Scored

_ID_PATTERN = re.compile(r"^(UA\d{17}|[a-z]+:[a-z0-9-]+)$")
#: OCHA/HDX P-codes: the KATOTTG code cut after the oblast, raion, hromada or settlement level.
_PCODE_PATTERN = re.compile(r"^UA(\d{2}|\d{4}|\d{7}|\d{10})$", re.IGNORECASE)
_ISO_PATTERN = re.compile(r"^UA-\d{2}$", re.IGNORECASE)
#: KOATUU codes: 10 digits (9 when a spreadsheet read the code as a number and dropped the leading zero).
_KOATUU_PATTERN = re.compile(r"^\d{9,10}$")


class IdentifierReader:
    """Answers inputs that are codes, from one index."""

    def __init__(self, index: IndexReader, context: ContextReader) -> None:
        self.index = index
        self.context = context

    def read(self, text: str) -> Result | None:
        """The answer for an input that is a code, or None when it is not one."""
        if _ID_PATTERN.match(text):
            return self._answer(text, self.index.eid_of(text), "entity ID", "KATOTTG code or ID")
        if _PCODE_PATTERN.match(text):
            entity_id = self.index.pcode(text.upper())
            return self._answer(text, self.index.eid_of(entity_id) if entity_id else None, "OCHA P-code", "P-code")
        if _ISO_PATTERN.match(text):
            entity_id = next((row.id for row in self.context.tops()
                              if (row.iso3166_2 or "").upper() == text.upper()), None)
            return self._answer(text, self.index.eid_of(entity_id) if entity_id else None, "ISO 3166-2 code",
                                "ISO 3166-2 code")
        if _KOATUU_PATTERN.match(text):
            return self._koatuu(text)
        return None

    def _koatuu(self, text: str) -> Result:
        code = normalize_code("koatuu", text)
        rows = sorted(self.index.entities(self.index.by_code("koatuu", code)).values(), key=_settlement_first)
        if not rows:
            return Result(text, UNMATCHED, None, (),
                          f"no unit of any KOATUU edition (2015-2020) carries the code {code}; unmatched")
        found = [_found(row, text) for row in rows]
        note = ""
        if len(rows) > 1:
            kinds = ", ".join(f"{row.kind} {row.id}" for row in rows[1:])
            note = f" (the code also names the {kinds}: the settlement is what it denotes)"
        what = f"the input is the KOATUU code {code} of {rows[0].id} {rows[0].name}{note}"
        return Result(text, MATCHED, found[0], tuple(found), f"{what}; matched: by identifier", "code")

    def _answer(self, text: str, eid: int | None, what: str, scheme: str) -> Result:
        if eid is None:
            return Result(text, UNMATCHED, None, (),
                          f"the input looks like a {scheme}, but no entity has it; unmatched")
        row = self.index.entities([eid])[eid]
        found = _found(row, text)
        return Result(text, MATCHED, found, (found,),
                      f"the input is the {what} of {row.id} {row.name}; matched: by identifier", "code")


def _found(row: EntityRow, text: str) -> Candidate:
    return candidate(Scored(row.eid, row, Hit(row.eid, 0, "identifier", "as-written", text, 1.0), None, 1.0))


def _settlement_first(row: EntityRow) -> tuple[int, int, str]:
    rank = CODE_KIND_ORDER.index(row.kind) if row.kind in CODE_KIND_ORDER else len(CODE_KIND_ORDER)
    return (rank, 0, row.id)
