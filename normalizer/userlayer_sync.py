"""Bring the derived index up to date with the gazetteer's user layer (incrementally)."""

from __future__ import annotations

from pathlib import Path

from gazetteer import Gazetteer

from .index import IndexReader


def sync_user_layer(gazetteer: Gazetteer, index_path: Path, reader: IndexReader) -> int:
    """Apply user-layer changes the index has not seen yet; returns how many were applied."""
    layer = getattr(gazetteer, "user_layer", None)
    if layer is None:
        return 0
    raise NotImplementedError
