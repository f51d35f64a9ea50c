"""What one server process answers from: a Normalizer and a Catalog over its gazetteer."""

from __future__ import annotations

import os
from dataclasses import dataclass

from normalizer import Normalizer

from .entities import Catalog


@dataclass(slots=True)
class Service:
    """The normalizer (thread-safe: it holds a lock) and the entity catalog of one process."""

    normalizer: Normalizer
    catalog: Catalog

    @classmethod
    def open(cls, home: str | os.PathLike[str] | None = None) -> Service:
        """A service over the gazetteer in HOME (default: $UANORM_HOME or the user data dir)."""
        return cls.over(Normalizer(home))

    @classmethod
    def over(cls, normalizer: Normalizer) -> Service:
        """A service answering from an open Normalizer."""
        return cls(normalizer, Catalog(normalizer.gazetteer))

    def close(self) -> None:
        """Release the normalizer's files."""
        self.normalizer.close()
