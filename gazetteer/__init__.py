"""uanorm's gazetteer: the facts (entities of Ukraine and their names) and their keeping."""

from __future__ import annotations

__version__ = "0.1.0"

from .api import Gazetteer  # noqa: E402
from .errors import (  # noqa: E402
    DataError,
    GazetteerError,
    ImportRejectedError,
    InvalidTextError,
    SourceSelectionError,
    StoreError,
    UnknownEntityError,
    VariantConflictError,
)
from .model import KINDS, Entity, Name  # noqa: E402

__all__ = [
    "DataError",
    "Entity",
    "Gazetteer",
    "GazetteerError",
    "ImportRejectedError",
    "InvalidTextError",
    "KINDS",
    "Name",
    "SourceSelectionError",
    "StoreError",
    "UnknownEntityError",
    "VariantConflictError",
]
