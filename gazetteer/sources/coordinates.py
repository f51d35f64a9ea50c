"""Source: a point for every unit, from OCHA's administrative units of Ukraine (coordinates.tsv).

Settlements get their own point, hromadas, raions and oblasts their centroid (coordinates_import.py
derives the table). The OCHA point wins over GeoNames for every Ukrainian unit; a unit OCHA lacks
takes its nearest placed parent's point (city districts: their city's), counted; a former raion gets the
centroid of the settlements it held. OCHA, Ukraine administrative boundaries (COD-AB), CC BY-IGO 3.0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from ..model import ADMIN_KINDS, EntityRecord
from .coordinates_import import HEADER
from .curated import DATA_DIR, read_table
from .curated import content_digest as curated_digest

COORDINATES = "coordinates.tsv"


def apply(records: dict[str, EntityRecord], extra: list[EntityRecord], data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """Set lat/lon of every KATOTTG unit (and of former raions); returns counts."""
    counts: Counter = Counter()
    placed: set[str] = set()
    for row in read_table(COORDINATES, data_dir, HEADER):
        record = records.get(row.required("id"))
        if record is None:
            counts["rows naming no unit of the codifier (skipped)"] += 1
            continue
        try:
            lat, lon = float(row.required("lat")), float(row.required("lon"))
        except ValueError as exc:
            raise row.error(f"bad coordinates: {exc}") from exc
        if not (44.0 <= lat <= 52.5 and 22.0 <= lon <= 40.5):
            raise row.error(f"point {lat}, {lon} is outside Ukraine")
        record.lat, record.lon = lat, lon
        placed.add(record.id)
    by_kind: Counter = Counter()
    fallback: Counter = Counter()
    for record in records.values():
        if record.kind not in ADMIN_KINDS:
            continue
        if record.id not in placed:
            parent = _placed_parent(record, records, placed)
            if parent is None:  # a GeoNames point, if any, stays
                counts[f"without an OCHA point or a placed parent: {record.kind}"] += 1
                continue
            record.lat, record.lon = parent.lat, parent.lon
            fallback[record.kind] += 1
        by_kind[record.kind] += 1
    members: dict[str, list[EntityRecord]] = defaultdict(list)
    for record in records.values():
        if record.former_raion_id and record.id in placed:
            members[record.former_raion_id].append(record)
    for record in extra:
        points = [(p.lat, p.lon) for p in members.get(record.id, []) if p.lat is not None and p.lon is not None] \
            if record.kind == "former-raion" else []
        if points:
            record.lat = round(sum(lat for lat, _ in points) / len(points), 5)
            record.lon = round(sum(lon for _, lon in points) / len(points), 5)
            by_kind[record.kind] += 1
    return {
        "with_point_by_kind": dict(sorted(by_kind.items())),
        "parent_point_by_kind": dict(sorted(fallback.items())),
        "counts": dict(sorted(counts.items())),
    }


def _placed_parent(record: EntityRecord, records: dict[str, EntityRecord], placed: set[str]) -> EntityRecord | None:
    current = records.get(record.parent_id or "")
    for _ in range(6):
        if current is None:
            return None
        if current.id in placed:
            return current
        current = records.get(current.parent_id or "")
    return None


def content_digest(data_dir: Path = DATA_DIR) -> str:
    """A digest of the coordinates table (part of the build fingerprint)."""
    return curated_digest(data_dir, (COORDINATES,))
