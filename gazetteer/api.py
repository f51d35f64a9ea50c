"""The Gazetteer: read access to entities and names, built on first use."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Iterator

from .build import ALL_SOURCES, build_lock, build_store, default_progress, fingerprint, parse_sources
from .errors import StoreError, UnknownEntityError
from .home import BASE_STORE, resolve_home
from .model import KINDS, Entity, Name
from .store import BaseStore
from .textutil import fold_name


class Gazetteer:
    """Entities of Ukraine (and the persons, features and foreign places named with them).

    Open it with `Gazetteer.open()` (the default home, `UANORM_HOME` honoured) or
    `Gazetteer.open(path)`. The compiled store is built on first use and rebuilt
    when the sources or the package version change.
    """

    def __init__(self, home: Path, base: BaseStore) -> None:
        self.home = home
        self._base = base
        self._lock = threading.Lock()

    # -- opening -----------------------------------------------------------------

    @classmethod
    def open(
        cls,
        home: str | os.PathLike[str] | None = None,
        *,
        sources: str | tuple[str, ...] | None = None,
        build: bool = True,
        progress: Any = None,
    ) -> "Gazetteer":
        """Open the gazetteer in `home`, building (or rebuilding) its store when needed."""
        root = resolve_home(home)
        if root.exists() and not root.is_dir():
            raise StoreError(f"UANORM_HOME {root} exists but is not a directory")
        path = root / BASE_STORE
        wanted = parse_sources(sources) if sources is not None else None
        if build:
            ensure_store(root, wanted, progress=progress)
        elif not path.exists():
            raise StoreError(f"no gazetteer store at {path}; run `uanorm gazetteer build`")
        return cls(root, BaseStore(path))

    def close(self) -> None:
        """Release the store files."""
        self._base.close()

    def __enter__(self) -> "Gazetteer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------

    @property
    def base(self) -> BaseStore:
        """The compiled base store."""
        return self._base

    def meta(self) -> dict[str, Any]:
        """Build metadata: sources, versions, date, statistics."""
        return self._base.meta()

    def sources(self) -> tuple[str, ...]:
        """The sources the store was built from."""
        return tuple(self._base.meta_value("sources", list(ALL_SOURCES)))

    def get(self, entity_id: str) -> Entity:
        """The entity with this ID; raises UnknownEntityError (a LookupError) if there is none."""
        entity = self.find(entity_id)
        if entity is None:
            raise UnknownEntityError(entity_id)
        return entity

    def find(self, entity_id: str, default: Entity | None = None) -> Entity | None:
        """The entity with this ID, or `default`."""
        if not isinstance(entity_id, str):
            raise TypeError(f"entity ID must be a str, not {type(entity_id).__name__}")
        return self._base.entity(entity_id.strip()) or default

    def __contains__(self, entity_id: object) -> bool:
        return isinstance(entity_id, str) and self._base.entity(entity_id) is not None

    def __len__(self) -> int:
        return self._base.count()

    def names(self, entity_id: str) -> list[Name]:
        """Every name the entity carries, with language, script, type and source."""
        self.get(entity_id)
        return self._base.names(entity_id)

    def children(self, entity_id: str) -> list[Entity]:
        """The units directly below this one (raions of an oblast, villages of a hromada ...)."""
        self.get(entity_id)
        return self._base.children(entity_id)

    def parents(self, entity_id: str) -> list[Entity]:
        """The chain of units above this one, nearest first, ending at the top-level unit."""
        chain: list[Entity] = []
        entity = self.get(entity_id)
        seen = {entity.id}
        while entity.parent_id and entity.parent_id not in seen:
            parent = self._base.entity(entity.parent_id)
            if parent is None:
                break
            chain.append(parent)
            seen.add(parent.id)
            entity = parent
        return chain

    def entities(self, kind: str | None = None) -> Iterator[Entity]:
        """Iterate over all entities, or those of one kind."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; kinds are {', '.join(KINDS)}")
        yield from self._base.entities(kind)

    def search(self, text: str, *, limit: int = 20) -> list[Entity]:
        """Plain lookup by name (exact folded name first, then prefix), for people browsing."""
        if not isinstance(text, str):
            raise TypeError(f"search text must be a str, not {type(text).__name__}")
        folded = fold_name(text)
        if not folded:
            return []
        ids = self._base.ids_by_fold(folded, limit=limit)
        if len(ids) < limit:
            for entity_id in self._base.ids_by_fold(folded, prefix=True, limit=limit * 4):
                if entity_id not in ids:
                    ids.append(entity_id)
        entities = [e for e in (self._base.entity(i) for i in ids) if e is not None]
        exact = set(self._base.ids_by_fold(folded, limit=limit))
        entities.sort(key=lambda e: (e.id not in exact, _kind_rank(e.kind), -(e.population or 0), e.id))
        return entities[:limit]

    def stats(self) -> dict[str, Any]:
        """Counts by kind and source, link rate, build date and source versions."""
        meta = self.meta()
        stats = dict(meta.get("stats", {}))
        stats["built_at"] = meta.get("built_at")
        stats["build_seconds"] = meta.get("build_seconds")
        stats["sources"] = meta.get("sources")
        stats["source_versions"] = meta.get("source_versions")
        stats["uanorm_version"] = meta.get("uanorm_version")
        stats["store"] = str(self._base.path)
        stats["store_bytes"] = self._base.path.stat().st_size
        return stats


def _kind_rank(kind: str) -> int:
    order = ("city", "oblast", "settlement", "village", "raion", "hromada", "city-district")
    return order.index(kind) if kind in order else len(order)


def ensure_store(
    home: Path,
    sources: tuple[str, ...] | None = None,
    *,
    force: bool = False,
    progress: Any = None,
) -> dict[str, Any] | None:
    """Build the store in `home` if it is missing, stale or `force`d; returns the build's metadata.

    A file at the store path that is not a uanorm store is never overwritten: that
    raises StoreError naming the path and how to recover.
    """
    path = home / BASE_STORE
    if not force:
        selection, fresh = _freshness(path, sources)
        if fresh or (path.exists() and not os.access(home, os.W_OK)):
            return None  # a read-only home keeps working from the store it has
    progress = progress if progress is not None else default_progress()
    with build_lock(home):
        selection, fresh = _freshness(path, sources)
        if fresh and not force:
            return None  # another process built it while we waited
        return build_store(path, selection, progress)


def _freshness(path: Path, sources: tuple[str, ...] | None) -> tuple[tuple[str, ...], bool]:
    """(the source selection to build, whether the store at `path` is up to date with it)."""
    if not path.exists():
        return sources or ALL_SOURCES, False
    store = BaseStore(path)  # raises StoreError for a foreign or damaged file
    try:
        stored = store.meta_value("fingerprint", "")
        selection = sources or tuple(store.meta_value("sources", list(ALL_SOURCES)))
    finally:
        store.close()
    return selection, stored == fingerprint(selection)
