"""Typed exceptions of the gazetteer: every failure a caller can handle has its own class."""

from __future__ import annotations


class GazetteerError(Exception):
    """Base class of every error the gazetteer raises on purpose."""


class UnknownEntityError(GazetteerError, LookupError):
    """An entity ID that the gazetteer does not hold."""

    def __init__(self, entity_id: str) -> None:
        super().__init__(f"unknown entity ID: {entity_id!r}")
        self.entity_id = entity_id


class StoreError(GazetteerError, ValueError):
    """The store file is missing, unreadable, corrupted, foreign or not writable."""


class SourceSelectionError(GazetteerError, ValueError):
    """A `--sources` selection names an unknown source or drops a required one."""


class DataError(GazetteerError, ValueError):
    """A curated data file or an upstream source breaks its documented format."""


class InvalidTextError(GazetteerError, ValueError):
    """A name or variant text that cannot be stored (empty, too long, control characters)."""


class VariantConflictError(GazetteerError, ValueError):
    """A variant that already belongs, confidently, to another entity."""

    def __init__(self, message: str, *, other_id: str) -> None:
        super().__init__(message)
        self.other_id = other_id


class ImportRejectedError(GazetteerError, ValueError):
    """An import whose rows failed validation; nothing was applied."""

    def __init__(self, message: str, *, report: object) -> None:
        super().__init__(message)
        self.report = report


class OutputError(GazetteerError, ValueError):
    """A file that cannot be written (directory missing, disk full, permission); nothing partial is left."""
