"""uanorm's gazetteer: the facts (entities of Ukraine and their names) and their keeping."""

from __future__ import annotations

from .api import Gazetteer
from .errors import (
    DataError,
    GazetteerError,
    ImportRejectedError,
    InvalidTextError,
    SourceSelectionError,
    StoreError,
    UnknownEntityError,
    VariantConflictError,
)
from .model import KINDS, Entity, Name
from .version import __version__

__all__ = [
    "KINDS",
    "DataError",
    "Entity",
    "Gazetteer",
    "GazetteerError",
    "ImportRejectedError",
    "InvalidTextError",
    "Name",
    "SourceSelectionError",
    "StoreError",
    "UnknownEntityError",
    "VariantConflictError",
    "__version__",
]
