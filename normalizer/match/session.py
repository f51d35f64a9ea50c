"""A matching session: one home's gazetteer and index opened, a resolver over them, answers cached.

`Matcher` is what the layers above need to resolve names (`tables`, `text`, the facade's
`Normalizer` builds on it); `Matching` is the small protocol they type against. One
process keeps one default matcher and, for worker processes, one matcher per home.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from gazetteer import Gazetteer
from gazetteer.build import BUILD_NOTE, BUILD_TITLE, build_lock
from gazetteer.home import BASE_STORE, prepare_home, resolve_home
from gazetteer.progress import Progress, progress_or_default

from .decisions import DecisionBook
from .index import IndexReader
from .indexing import build_index, index_fingerprint
from .model import AMBIGUOUS, MATCHED, Result
from .resolver import Resolver, check_point
from .sync import index_head, sync, sync_user_layer

if TYPE_CHECKING:
    from .sync import SyncResult

#: How many of the places that claim a variant's text a refusal names.
CLAIMS_LISTED = 4
#: How many distinct (input, hints) answers a matcher remembers.
CACHE_SIZE = 100_000


class Matching(Protocol):
    """What resolving names takes: a home, its gazetteer and index file, a resolver and `resolve`."""

    home: Path
    gazetteer: Gazetteer
    index_path: Path

    @property
    def resolver(self) -> Resolver:
        """The resolver behind `resolve`."""
        ...

    def resolve(self, text: str, *, oblast: str | None = None, raion: str | None = None,
                hromada: str | None = None, near: tuple[float, float] | None = None,
                kind: str | Iterable[str] | None = None, limit: int = 5) -> Result:
        """Resolve one name."""
        ...


class Matcher:
    """Resolve names against one home: its gazetteer, its index and the user layer's additions."""

    def __init__(self, home: str | os.PathLike[str] | None = None, *, progress: Progress | None = None) -> None:
        """Open the matcher on `home` (default: UANORM_HOME, else the per-user data directory).

        The first use of a home (or of a new uanorm version) builds its gazetteer and matcher
        index, about a minute; `progress` receives that work (default: a bar on a terminal,
        plain lines elsewhere, INFO records of the "uanorm" logger; none with UANORM_QUIET=1).
        A home that cannot be used raises StoreError (a ValueError) naming it.
        """
        self.home: Path = resolve_home(home)
        self._progress = progress
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[Any, ...], Result] = OrderedDict()
        self._open()

    def _open(self) -> None:
        with progress_or_default(self._progress, BUILD_TITLE, note=BUILD_NOTE) as progress:
            self.gazetteer = Gazetteer.open(self.home, progress=progress)
            self.index_path = ensure_index(self.gazetteer, progress=progress)
        self._index = IndexReader(self.index_path)
        sync_user_layer(self.gazetteer, self.index_path, self._index)
        self._resolver = Resolver(self._index, DecisionBook(self.gazetteer.decisions()))
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

    def __enter__(self) -> Matcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def resolver(self) -> Resolver:
        """The resolver behind this matcher (for batch and annotate)."""
        return self._resolver

    def resolve(
        self,
        text: str,
        *,
        oblast: str | None = None,
        raion: str | None = None,
        hromada: str | None = None,
        near: tuple[float, float] | None = None,
        kind: str | Iterable[str] | None = None,
        limit: int = 5,
    ) -> Result:
        """Resolve one name: status (matched/ambiguous/unmatched), best candidate, candidates, explanation.

        The hints are what a row says beside the name: `oblast`, `raion` (today's or one of before 2020) and
        `hromada` as names in any spelling or as IDs, `near` a (lat, lon) point; `kind` allows only some kinds.
        """
        if not isinstance(text, str):
            raise TypeError(f"resolve() needs a str, not {type(text).__name__}")
        for name, value in (("oblast", oblast), ("raion", raion), ("hromada", hromada)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a str, not {type(value).__name__}")
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValueError(f"limit must be a positive int, not {limit!r}")
        point = check_point(near)
        kind_key = kind if isinstance(kind, (str, type(None))) else tuple(kind)
        key = (text, oblast, raion, hromada, point, kind_key, limit)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            result = self._resolver.resolve(text, oblast=oblast, raion=raion, hromada=hromada, near=point,
                                            kind=kind, limit=limit)
            self._cache[key] = result
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return result

    def resolve_many(
        self,
        texts: Iterable[str],
        *,
        oblast: str | None = None,
        raion: str | None = None,
        hromada: str | None = None,
        near: tuple[float, float] | None = None,
        kind: str | Iterable[str] | None = None,
        limit: int = 5,
    ) -> Iterator[Result]:
        """Resolve many names lazily, in order, with the same hints (repeated names come from the cache)."""
        for text in texts:
            yield self.resolve(text, oblast=oblast, raion=raion, hromada=hromada, near=near, kind=kind, limit=limit)

    def sync(self) -> SyncResult:
        """Pick up user-layer changes (this process's or others'): the index is updated incrementally
        and the caches dropped when anything changed. Cheaper than reload()."""
        with self._lock:
            result = sync(self.gazetteer, self.index_path, self._index)
            if result.ops or index_head(self._index) != self._user_head:
                self._index.close()
                self._index = IndexReader(self.index_path)
                self._resolver = Resolver(self._index, DecisionBook(self.gazetteer.decisions()))
                self._cache.clear()
                self._user_head = index_head(self._index)
            return result

    def confident_match(self, text: str) -> tuple[str, str] | None:
        """(ID, description) of an entity that already claims TEXT: the one it resolves to with status matched,
        or the first of the places whose current name it is exactly (Vesele: over a hundred villages), else None."""
        with self._lock:
            result = self._resolver.resolve(text, limit=CLAIMS_LISTED)
        best = result.best
        if best is None:
            return None
        if result.status == MATCHED:
            return best.id, f"{best.name} ({best.kind})"
        exact = [c for c in result.candidates if c.score >= 0.99 and c.method == "exact"]
        if result.status == AMBIGUOUS and exact:
            others = ", ".join(c.id for c in exact[1:])
            more = f" and other places of that name ({others} ...)" if others else ""
            return exact[0].id, f"{exact[0].name} ({exact[0].kind}){more}"
        return None


def ensure_index(gazetteer: Gazetteer, *, progress: Progress | None = None) -> Path:
    """The index file for this gazetteer build, built (once, under a lock) if missing.

    A new index replaces the indexes that no uanorm can use any more (see `prune_indexes`).
    """
    home = gazetteer.home
    path = home / f"index-{index_fingerprint(gazetteer)}.sqlite"
    if path.exists():
        return path
    task = f"build the matcher index {path.name}"
    prepare_home(home, task=task)
    with progress_or_default(progress, "building the matcher index", note=BUILD_NOTE) as report, \
            build_lock(home, task=task):
        if not path.exists():
            report("building the matcher index")
            build_index(gazetteer, path, progress=report)
            prune_indexes(home, keep=path)
    return path


def prune_indexes(home: Path, keep: Path) -> list[Path]:
    """Delete the index files no uanorm can use any more; returns them.

    An index is derived from one build of the home's one base store. Every index older than
    that store was derived from a store that is gone, so it is deleted; an index of another
    matcher version built from this same store (a second installed version sharing the home)
    is kept. Leftovers of interrupted builds (``.index-*.tmp``, ``.base.sqlite.*.tmp``) go too:
    this runs under the home's build lock, so no build is writing them.
    """
    base = home / BASE_STORE
    try:
        base_time = base.stat().st_mtime
    except OSError:
        base_time = float("inf")  # no store: no index can be current
    removed = []
    for candidate in sorted(home.glob("index-*.sqlite")):
        if candidate == keep:
            continue
        try:
            stale = candidate.stat().st_mtime < base_time
        except OSError:
            continue
        if stale:
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    for leftover in [*home.glob(".index-*.sqlite.*.tmp"), *home.glob(f".{BASE_STORE}.*.tmp")]:
        leftover.unlink(missing_ok=True)
        removed.append(leftover)
    return removed


_default: Matcher | None = None
_default_class: type[Matcher] = Matcher
_default_lock = threading.Lock()
_process_matchers: dict[str, Matcher] = {}


def use_as_default(cls: type[Matcher]) -> None:
    """Make `cls` (the facade's Normalizer) the class `default_matcher` and `process_matcher` create."""
    global _default_class
    _default_class = cls


def default_matcher() -> Matcher:
    """A process-wide matcher on the default home, created on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = _default_class()
        return _default


def process_matcher(home: str | os.PathLike[str] | None = None) -> Matcher:
    """A matcher for this process and home, created on first use (for pool and Dask workers)."""
    path = str(resolve_home(home))
    key = f"{os.getpid()}:{path}"  # a forked child never reuses its parent's SQLite connections
    with _default_lock:
        matcher = _process_matchers.get(key)
        if matcher is None:
            matcher = _process_matchers[key] = _default_class(path)
        return matcher
