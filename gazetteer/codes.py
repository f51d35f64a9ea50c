"""Codes of other schemes an entity is known by, as people write them: KOATUU, OCHA P-codes, KATOTTG.

A column of IDs may mix them: `kind_of_code` says which a text is; `normalize_code` restores what
spreadsheets drop (a KOATUU code's leading zero); `pcode_of` gives a unit's P-code (its KATOTTG code
cut after the oblast, raion, hromada or settlement digits) and `pcode_names` tells whether a P-code names
a unit; `code_order` puts the settlement first among the units one code names (a hromada shares its
centre's council code).
"""

from __future__ import annotations

import re

from .model import ADMIN_KINDS, SETTLEMENT_KINDS, Entity

#: Order of the entities one code names: the settlement first (a hromada shares its centre's council code).
CODE_KIND_ORDER = ("city", "settlement", "village", "city-district", "former-settlement", "hromada", "raion",
                   "former-raion", "oblast")
_KATOTTG = re.compile(r"^UA\d{17}$")
_PCODE = re.compile(r"^UA(\d{2}|\d{4}|\d{7}|\d{10})$", re.IGNORECASE)
_KOATUU = re.compile(r"^\d{9,10}$")
#: Kinds OCHA gives a P-code (admin levels 1-4): the KATOTTG units but city districts.
PCODE_KINDS = ADMIN_KINDS - {"city-district"}
#: Digits after "UA" a P-code keeps at admin levels 1 (oblast), 2 (raion), 3 (hromada), 4 (settlement).
PCODE_DIGITS = (2, 4, 7, 10)


def kind_of_code(text: str) -> str | None:
    """'katottg', 'pcode', 'koatuu' or None for a text that is none of them."""
    text = text.strip()
    if _KATOTTG.match(text):
        return "katottg"
    if _PCODE.match(text):
        return "pcode"
    if _KOATUU.match(text):
        return "koatuu"
    return None


def normalize_code(scheme: str, code: str) -> str:
    """A code as the store keeps it: KOATUU with its leading zero (files that read it as a number drop it)."""
    code = code.strip()
    if scheme == "koatuu" and code.isdigit() and len(code) == 9:
        return "0" + code
    return code


def pcode_of(entity: Entity) -> str | None:
    """The OCHA P-code of a KATOTTG unit (UA44, UA4412, UA4412005, UA4412005001; Kyiv UA80), else None.

    The shortest cut of the code after which only zeros follow down to the settlement digits, so that
    `pcode_names(pcode_of(unit), unit.id)` holds."""
    if entity.kind not in PCODE_KINDS or not _KATOTTG.match(entity.id):
        return None
    digits = entity.id[2:12]
    for cut in PCODE_DIGITS:
        if set(digits[cut:]) <= {"0"}:
            return "UA" + digits[:cut]
    return None


def pcode_names(pcode: str, entity_id: str) -> bool:
    """Whether an OCHA P-code names this unit: the unit's code starts with it, with zeros down to the settlement
    level (UA14 names the oblast UA14000000000091971, not its raions)."""
    code = pcode.upper()
    return entity_id.startswith(code) and set(entity_id[len(code):12]) <= {"0"}


def code_order(entity: Entity) -> tuple[int, int]:
    """Sort key of the entities one code names: settlements first."""
    kind = entity.kind
    rank = CODE_KIND_ORDER.index(kind) if kind in CODE_KIND_ORDER else len(CODE_KIND_ORDER)
    return (0 if kind in SETTLEMENT_KINDS else 1, rank)
