"""A unit through time: its former names, KOATUU codes, old raion and successors (what `gazetteer show` prints)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .model import SETTLEMENT_KINDS, Entity, Name

#: Order of the entities one code names: the settlement first (a hromada shares its centre's council code).
CODE_KIND_ORDER = ("city", "settlement", "village", "city-district", "former-settlement", "hromada", "raion",
                   "former-raion", "oblast")


@dataclass(frozen=True, slots=True)
class Successor:
    """Where a former unit's settlements are now: a current raion or hromada and how many of them it took."""

    entity: Entity
    relation: str  # successor-raion | successor-hromada
    settlements: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.entity.id, "name": self.entity.name, "name_uk": self.entity.name_uk,
                "relation": self.relation, "settlements": self.settlements}


@dataclass(frozen=True, slots=True)
class EntityHistory:
    """Former names with their years, spelling variants from the registers, codes, old raion and successors."""

    entity: Entity
    former_names: tuple[Name, ...]
    variants: tuple[Name, ...]
    codes: tuple[tuple[str, str, str | None], ...]  # (scheme, code, note)
    former_raion: Entity | None
    successor: Entity | None
    successors: tuple[Successor, ...]

    def to_dict(self) -> dict[str, Any]:
        """As plain data (for JSON)."""
        return {
            "id": self.entity.id,
            "year_to": self.entity.year_to,
            "former_names": [asdict(n) for n in self.former_names],
            "variants": [asdict(n) for n in self.variants],
            "codes": [{"scheme": s, "code": c, "note": n} for s, c, n in self.codes],
            "former_raion": self.former_raion.id if self.former_raion else None,
            "successor": self.successor.id if self.successor else None,
            "successors": [s.to_dict() for s in self.successors],
        }


def normalize_code(scheme: str, code: str) -> str:
    """A code as the store keeps it: KOATUU with its leading zero (files that read it as a number drop it)."""
    code = code.strip()
    if scheme == "koatuu" and code.isdigit() and len(code) == 9:
        return "0" + code
    return code


def code_order(entity: Entity) -> tuple[int, int]:
    """Sort key of the entities one code names: settlements first."""
    kind = entity.kind
    rank = CODE_KIND_ORDER.index(kind) if kind in CODE_KIND_ORDER else len(CODE_KIND_ORDER)
    return (0 if kind in SETTLEMENT_KINDS else 1, rank)


def former_names_first(names: list[Name]) -> tuple[tuple[Name, ...], tuple[Name, ...]]:
    """(former names, most recent first; register variants) of an entity's names."""
    former = sorted((n for n in names if n.type == "former"), key=lambda n: -(n.year_to or 0))
    variants = tuple(n for n in names if n.type == "variant" and n.source == "history")
    return tuple(former), variants
