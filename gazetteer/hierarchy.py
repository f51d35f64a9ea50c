"""The current hierarchy on every unit: the raion and hromada it lies in (itself for a raion or hromada)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from .model import Entity, EntityRecord


def fill(records: dict[str, EntityRecord]) -> None:
    """Set raion_id and hromada_id by walking each unit's parents (city districts: their city's)."""
    for record in records.values():
        current: EntityRecord | None = record
        for _ in range(6):
            if current is None:
                break
            if current.kind == "raion" and record.raion_id is None:
                record.raion_id = current.id
            elif current.kind == "hromada" and record.hromada_id is None:
                record.hromada_id = current.id
            current = records.get(current.parent_id or "")


def place_in_hierarchy(entity: Entity, parents: Iterable[Entity]) -> Entity:
    """The entity with the raion and hromada its nearest parents lie in (for user entities, which give a parent)."""
    raion_id, hromada_id = entity.raion_id, entity.hromada_id
    for parent in parents:
        if raion_id is None:
            raion_id = parent.id if parent.kind == "raion" else parent.raion_id
        if hromada_id is None:
            hromada_id = parent.id if parent.kind == "hromada" else parent.hromada_id
    return dataclasses.replace(entity, raion_id=raion_id, hromada_id=hromada_id)
