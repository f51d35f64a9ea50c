"""The user layer's vocabulary and values: its limits, errors, and what its calls return."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import GazetteerError, UnknownEntityError
from ..model import Name
from ..textutil import script_of

#: Bump when the layer's schema changes (an upgrade path must come with it).
LAYER_FORMAT = 2  # 2: decisions (a value chosen in review, scoped to its oblast and raion)
LAYER_APPLICATION_ID = 0x55414E55  # "UANU": marks the file as a uanorm user layer
#: The longest name or variant the layer stores.
MAX_TEXT_LENGTH = 500
MAX_NOTE_LENGTH = 1000
#: Who or what made a change.
SOURCES = ("user", "review", "import")
#: The name type of user variants in the matcher (weighted like an official name).
VARIANT_TYPE = "user"
#: The largest integer SQLite stores (64-bit signed).
SQLITE_MAX_INT = 2**63 - 1
#: Columns of an export file (and of the plain import format, where only text and id are required).
EXPORT_COLUMNS = ("text", "id", "lang", "note", "source", "added_at", "action", "kind", "name", "name_ru",
                  "parent_id", "country", "role", "oblast_id", "raion_id")
#: Actions an import row can carry (the `action` column; empty means variant).
ROW_ACTIONS = ("variant", "entity", "hide", "decision")


class UserLayerError(GazetteerError, ValueError):
    """A change the user layer refuses (an ID taken, an undo that cannot apply, a built-in name ...)."""


class UnknownVariantError(UserLayerError, LookupError):
    """A user variant that is not in the layer."""


class UnknownOpError(UserLayerError, LookupError):
    """An op number that is not in the history."""


class HiddenEntityError(UnknownEntityError):
    """A built-in entity that the user layer hides."""

    def __init__(self, entity_id: str, op_id: int) -> None:
        super().__init__(entity_id)
        self.op_id = op_id
        self.args = (f"{entity_id} is hidden by op {op_id}; `uanorm gazetteer undo {op_id}` shows it again",)


@dataclass(frozen=True, slots=True)
class UserVariant:
    """A spelling the user layer adds to an entity."""

    entity_id: str
    text: str
    fold: str
    lang: str
    note: str | None
    source: str
    op_id: int

    def to_name(self) -> Name:
        """The variant as a Name of its entity."""
        return Name(self.text, self.lang, script_of(self.text), VARIANT_TYPE, self.source, note=self.note)


@dataclass(frozen=True, slots=True)
class UserDecision:
    """A person's choice for a value in review: in this oblast and raion (empty: anywhere), it is this entity."""

    value: str
    fold: str
    oblast_id: str  # "" for any oblast
    raion_id: str  # "" for any raion
    entity_id: str
    note: str | None
    source: str
    op_id: int

    @property
    def scope(self) -> str:
        """Where the decision holds, in words."""
        where = [part for part in (self.oblast_id, self.raion_id) if part]
        return f"in {' / '.join(where)}" if where else "anywhere"


@dataclass(frozen=True, slots=True)
class Op:
    """One change of the layer, as `history` shows it."""

    op_id: int
    at: str
    action: str
    summary: str
    source: str
    who: str
    note: str | None
    undone_by: int | None

    def to_dict(self) -> dict[str, Any]:
        """The op as a plain dict (for JSON)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Change:
    """What one call did: its status, the op that recorded it (None if nothing changed) and a message."""

    status: str  # added, already known, removed, hidden, already hidden, undone
    op_id: int | None
    entity_id: str
    text: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The change as a plain dict (for JSON)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One row of an import file, as read (validated later)."""

    line: int
    text: str
    entity_id: str
    action: str = "variant"
    lang: str | None = None
    note: str | None = None
    kind: str | None = None
    name: str | None = None
    name_ru: str | None = None
    parent_id: str | None = None
    country: str | None = None
    role: str | None = None
    oblast_id: str | None = None  # a decision's scope
    raion_id: str | None = None
    candidates: tuple[str, ...] = ()  # a review row's candidates, for a chosen_id given by number
    placed_by_point: bool = False  # a review row whose only clue was a point: scoped to the chosen entity's raion


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What became of one import row."""

    line: int
    action: str
    text: str
    entity_id: str
    detail: str = ""


@dataclass(slots=True)
class ImportReport:
    """The outcome of an import: rows added, already known, in conflict, invalid; the op that holds them."""

    path: str
    format: str  # review or plain
    added: list[RowOutcome] = field(default_factory=list)
    known: list[RowOutcome] = field(default_factory=list)
    conflicts: list[RowOutcome] = field(default_factory=list)
    invalid: list[RowOutcome] = field(default_factory=list)
    unreviewed: int = 0  # review rows with no chosen_id
    op_id: int | None = None
    applied: bool = False

    def summary(self) -> str:
        """One line: the counts and the op."""
        parts = [f"{len(self.added):,} added", f"{len(self.known):,} already known",
                 f"{len(self.conflicts):,} conflicts", f"{len(self.invalid):,} invalid"]
        if self.format == "review":
            parts.append(f"{self.unreviewed:,} review rows without chosen_id skipped")
        where = f" (op {self.op_id})" if self.op_id else (" (nothing applied)" if not self.applied else "")
        return f"{self.path}: " + ", ".join(parts) + where

    def to_dict(self) -> dict[str, Any]:
        """The report as a plain dict (for JSON)."""
        return {
            "path": self.path, "format": self.format, "op_id": self.op_id, "applied": self.applied,
            "unreviewed": self.unreviewed,
            **{key: [asdict(o) for o in getattr(self, key)] for key in ("added", "known", "conflicts", "invalid")},
        }


#: A conflict check: the (ID, description) of the entity TEXT confidently resolves to, or None.
ConflictCheck = Callable[[str], "tuple[str, str] | None"]
