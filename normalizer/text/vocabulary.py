"""The in-memory prefilter of annotate: which words can begin, continue or end an indexed name.

Running text has thousands of words and only a few dozen names; asking the resolver
about every n-gram would be slow. A Vocabulary, loaded once per index from its SQLite
file, answers in a set look-up whether a word (its skeleton) is

- a whole indexed name (``names``: every skeleton key of the index),
- the first word or any word of a multi-word name (``first_words``, ``words``),
- the surname of an indexed person (``surnames``: skeleton -> the persons and the
  skeletons of their given names).

Only spans that pass it reach the resolver.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gazetteer.sqlite import connect_read_only

from ..spelling.keys import skeleton


@dataclass(frozen=True, slots=True)
class PersonKey:
    """A person an indexed surname skeleton belongs to, with the skeleton of one of its given names."""

    id: str
    given: str | None


@dataclass(frozen=True)
class Vocabulary:
    """Skeleton sets of an index, for the annotate prefilter."""

    names: frozenset[str]
    first_words: frozenset[str]
    words: frozenset[str]
    surnames: Mapping[str, tuple[PersonKey, ...]]
    person_surnames: Mapping[str, frozenset[str]] = field(default_factory=dict)
    load_seconds: float = 0.0

    def is_name(self, key: str) -> bool:
        """True if `key` is the skeleton of a whole indexed spelling."""
        return key in self.names

    def may_start(self, key: str) -> bool:
        """True if `key` is the skeleton of a one-word name or of the first word of a longer one."""
        return key in self.names or key in self.first_words

    def persons_with_surname(self, key: str) -> tuple[PersonKey, ...]:
        """The persons whose surname has this skeleton."""
        return self.surnames.get(key, ())


def load_vocabulary(index_path: Path) -> Vocabulary:
    """Read the skeleton sets of the index file at `index_path` (a few hundred ms, once per index)."""
    started = time.perf_counter()
    db = connect_read_only(index_path)
    try:
        names = frozenset(row[0] for row in db.execute("SELECT s FROM skeleton"))
        first: set[str] = set()
        words: set[str] = set()
        for (text,) in db.execute("SELECT DISTINCT fold FROM spelling WHERE instr(fold, ' ') > 0"):
            parts = text.split()
            first.add(parts[0])
            words.update(parts)
        surnames: dict[str, list[PersonKey]] = {}
        person_surnames: dict[str, set[str]] = {}
        query = ("SELECT sk.s, e.id, su.given_skel FROM surname su JOIN skeleton sk ON sk.sid = su.sid "
                 "JOIN entity e ON e.eid = su.eid")
        for key, entity_id, given in db.execute(query):
            person = PersonKey(entity_id, given)
            bucket = surnames.setdefault(key, [])
            if person not in bucket:
                bucket.append(person)
            person_surnames.setdefault(entity_id, set()).add(key)
    finally:
        db.close()
    first_keys = frozenset(k for k in map(skeleton, first) if k)
    word_keys = frozenset(k for k in map(skeleton, words) if k)
    return Vocabulary(
        names=names,
        first_words=first_keys,
        words=word_keys,
        surnames={k: tuple(v) for k, v in surnames.items()},
        person_surnames={k: frozenset(v) for k, v in person_surnames.items()},
        load_seconds=round(time.perf_counter() - started, 3),
    )


_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int], Vocabulary]] = {}


def vocabulary_for(index_path: Path) -> Vocabulary:
    """The Vocabulary of an index file, loaded on first use and again whenever the file changes (lock-guarded)."""
    path = Path(index_path)
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    key = str(path)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached[0] != stamp:
            for stale in [k for k in _cache if not Path(k).exists()]:
                del _cache[stale]
            cached = (stamp, load_vocabulary(path))
            _cache[key] = cached
        return cached[1]
