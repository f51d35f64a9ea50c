"""The Normalizer: one object that opens the gazetteer and its index and resolves names."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gazetteer import Gazetteer
from gazetteer.build import build_lock, default_progress
from gazetteer.home import resolve_home

from .index import IndexReader, build_index, index_fingerprint
from .model import MATCHED, Result
from .resolve import Resolver

if TYPE_CHECKING:
    from gazetteer.model import Entity
    from gazetteer.userlayer import Change, ImportReport

    from .userlayer_sync import SyncResult

#: How many distinct (input, hints) answers the normalizer remembers.
CACHE_SIZE = 100_000


class Normalizer:
    """Resolve any spelling of a Ukrainian place, person or feature to its canonical entity.

    >>> n = Normalizer()                      # doctest: +SKIP
    >>> n.resolve("Lisichansk").best.id       # doctest: +SKIP
    'UA44120050010021900'
    """

    def __init__(self, home: str | os.PathLike[str] | None = None, *, progress: Any = None) -> None:
        self.home: Path = resolve_home(home)
        self._progress = progress
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[Any, ...], Result] = OrderedDict()
        self._open()

    def _open(self) -> None:
        self.gazetteer = Gazetteer.open(self.home, progress=self._progress)
        self.index_path = ensure_index(self.gazetteer, progress=self._progress)
        self._index = IndexReader(self.index_path)
        self._resolver = Resolver(self._index)
        from .userlayer_sync import index_head, sync_user_layer

        sync_user_layer(self.gazetteer, self.index_path, self._index)
        self._user_head = index_head(self._index)

    def reload(self) -> None:
        """Re-read the gazetteer and its user layer (after additions by other processes)."""
        with self._lock:
            self._index.close()
            self.gazetteer.close()
            self._cache.clear()
            self._open()

    def close(self) -> None:
        """Release the files."""
        self._index.close()
        self.gazetteer.close()

    def __enter__(self) -> Normalizer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def resolver(self) -> Resolver:
        """The resolver behind this normalizer (for batch and annotate)."""
        return self._resolver

    def resolve(
        self,
        text: str,
        *,
        oblast: str | None = None,
        kind: str | Iterable[str] | None = None,
        limit: int = 5,
    ) -> Result:
        """Resolve one name: status (matched/ambiguous/unmatched), best candidate, candidates, explanation."""
        if not isinstance(text, str):
            raise TypeError(f"resolve() needs a str, not {type(text).__name__}")
        if oblast is not None and not isinstance(oblast, str):
            raise TypeError(f"oblast must be a str, not {type(oblast).__name__}")
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValueError(f"limit must be a positive int, not {limit!r}")
        kind_key = kind if isinstance(kind, (str, type(None))) else tuple(kind)
        key = (text, oblast, kind_key, limit)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            result = self._resolver.resolve(text, oblast=oblast, kind=kind, limit=limit)
            self._cache[key] = result
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return result

    def resolve_many(
        self,
        texts: Iterable[str],
        *,
        oblast: str | None = None,
        kind: str | Iterable[str] | None = None,
        limit: int = 5,
    ) -> Iterator[Result]:
        """Resolve many names lazily, in order (repeated names are answered from the cache)."""
        for text in texts:
            yield self.resolve(text, oblast=oblast, kind=kind, limit=limit)

    def normalize(self, text: str, **hints: Any) -> str | None:
        """The ID of a confident match, else None."""
        result = self.resolve(text, **hints)
        return result.best.id if result.status == MATCHED and result.best else None

    # -- growing the gazetteer: the user layer ---------------------------------------------

    def sync(self) -> SyncResult:
        """Pick up user-layer changes (this process's or others'): the index is updated incrementally
        and the caches dropped when anything changed. Cheaper than reload()."""
        from .userlayer_sync import index_head, sync

        with self._lock:
            result = sync(self.gazetteer, self.index_path, self._index)
            if result.ops or index_head(self._index) != self._user_head:
                self._index.close()
                self._index = IndexReader(self.index_path)
                self._resolver = Resolver(self._index)
                self._cache.clear()
                self._user_head = index_head(self._index)
            return result

    def confident_match(self, text: str) -> tuple[str, str] | None:
        """(ID, 'name (kind)') of the entity TEXT resolves to with status matched, else None."""
        with self._lock:
            result = self._resolver.resolve(text, limit=2)
        if result.status == MATCHED and result.best is not None:
            return result.best.id, f"{result.best.name} ({result.best.kind})"
        return None

    def add_variant(self, entity_id: str, text: str, *, lang: str | None = None, note: str | None = None,
                    force: bool = False) -> Change:
        """Make TEXT a spelling of the entity, refusing (VariantConflictError) a text that already
        resolves confidently to another entity unless `force`; matching sees it at once."""
        self.sync()
        change = self.gazetteer.add_variant(entity_id, text, lang=lang, note=note, force=force,
                                            conflict_check=self.confident_match)
        self.sync()
        return change

    def add_entity(self, **fields: Any) -> Entity:
        """Add a new entity (see Gazetteer.add_entity); matching sees it at once."""
        entity = self.gazetteer.add_entity(**fields)
        self.sync()
        return entity

    def remove_variant(self, entity_id: str, text: str, *, note: str | None = None) -> Change:
        """Remove a user-added variant; matching forgets it at once."""
        change = self.gazetteer.remove_variant(entity_id, text, note=note)
        self.sync()
        return change

    def remove_entity(self, entity_id: str, *, note: str | None = None) -> Change:
        """Delete a user entity or hide a built-in one; matching forgets it at once."""
        change = self.gazetteer.remove_entity(entity_id, note=note)
        self.sync()
        return change

    def import_variants(self, path: str | os.PathLike[str], *, skip_invalid: bool = False, force: bool = False,
                        dry_run: bool = False, note: str | None = None) -> ImportReport:
        """Import a review file or a text,id CSV/TSV as one op, conflicts checked by this matcher."""
        self.sync()
        report = self.gazetteer.import_variants(path, skip_invalid=skip_invalid, force=force, dry_run=dry_run,
                                                note=note, conflict_check=self.confident_match)
        self.sync()
        return report

    def undo(self, op_id: int, *, note: str | None = None) -> Change:
        """Revert user-layer op N (as a new op); matching follows at once."""
        change = self.gazetteer.undo(op_id, note=note)
        self.sync()
        return change

    def annotate(self, text: str, **options: Any) -> list[Any]:
        """Find and link the place, person and feature mentions of a text."""
        from .annotate import annotate

        return annotate(self, text, **options)


def ensure_index(gazetteer: Gazetteer, *, progress: Any = None) -> Path:
    """The index file for this gazetteer build, built (once, under a lock) if missing."""
    home = gazetteer.home
    path = home / f"index-{index_fingerprint(gazetteer)}.sqlite"
    if path.exists():
        return path
    if not os.access(home, os.W_OK):
        from .errors import IndexError_

        raise IndexError_(f"the matcher index {path.name} is missing and {home} is not writable; "
                          "run uanorm once with a writable UANORM_HOME")
    progress = progress if progress is not None else default_progress()
    with build_lock(home):
        if not path.exists():
            progress("building the matcher index (once per gazetteer version)")
            build_index(gazetteer, path, progress=progress)
            _prune_indexes(home, keep=path)
    return path


#: Indexes of other gazetteer or matcher versions kept beside the current one (another
#: installed version may share the home); older ones are deleted.
KEEP_OTHER_INDEXES = 2


def _prune_indexes(home: Path, keep: Path) -> None:
    """Delete stale index files, keeping the newest few of other versions."""
    others = sorted((p for p in home.glob("index-*.sqlite") if p != keep),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in others[KEEP_OTHER_INDEXES:]:
        stale.unlink(missing_ok=True)


_default: Normalizer | None = None
_default_lock = threading.Lock()


def default_normalizer() -> Normalizer:
    """A process-wide Normalizer on the default home, created on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Normalizer()
        return _default


def normalize(text: str, **hints: Any) -> str | None:
    """The ID of a confident match for `text` (default home), else None."""
    return default_normalizer().normalize(text, **hints)
