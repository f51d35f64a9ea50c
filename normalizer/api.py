"""The Normalizer: one object that opens the gazetteer and its index and resolves names."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Iterable, Iterator

from gazetteer import Gazetteer
from gazetteer.build import build_lock, default_progress
from gazetteer.home import resolve_home

from .index import IndexReader, build_index, index_fingerprint
from .model import MATCHED, Result
from .resolve import Resolver

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
        from .userlayer_sync import sync_user_layer

        sync_user_layer(self.gazetteer, self.index_path, self._index)

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

    def __enter__(self) -> "Normalizer":
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
            for stale in home.glob("index-*.sqlite"):
                if stale != path:
                    stale.unlink(missing_ok=True)
    return path


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
