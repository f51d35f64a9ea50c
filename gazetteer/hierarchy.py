"""The current hierarchy on every unit: the raion and hromada it lies in (itself for a raion or hromada)."""

from __future__ import annotations

from .model import EntityRecord


def fill(records: dict[str, EntityRecord]) -> None:
    """Set current_raion_id and hromada_id by walking each unit's parents (city districts: their city's)."""
    for record in records.values():
        current: EntityRecord | None = record
        for _ in range(6):
            if current is None:
                break
            if current.kind == "raion" and record.current_raion_id is None:
                record.current_raion_id = current.id
            elif current.kind == "hromada" and record.hromada_id is None:
                record.hromada_id = current.id
            current = records.get(current.parent_id or "")
