"""Building the matcher's index from the gazetteer store: every name's forms, spellings and keys.

`prepare_name` is the costly, pure part (a name, its derived Russian forms, each romanized
under every system of its language, folded and reduced to skeletons); `IndexWriter` writes
prepared forms into an index connection (a full build, or the user layer's incremental
updates); `build_index` does a whole build, on every core, into a file published atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gazetteer import Gazetteer
from gazetteer.digests import remembered, stat_key
from gazetteer.files import publish, temporary_beside
from gazetteer.model import ENTITY_FIELDS, Entity, Name
from gazetteer.progress import Progress, silent
from gazetteer.sqlite import connect_new
from gazetteer.version import __version__

from ..errors import IndexError_
from ..spelling.cleanup import clean_text, strip_type_words
from ..spelling.forms import derive_russian, given_name_group, russian_adjective
from ..spelling.keys import fold, is_cyrillic, skeleton
from ..spelling.romanize import systems_for
from .index import FORM_TYPES, INDEX_FORMAT, INDEXES, SCHEMA, deletion_hash, deletions

#: Name types whose Ukrainian Cyrillic gets Russian forms derived from it.
_DERIVE_FROM = frozenset({"official", "former", "variant", "colloquial", "base", "conventional", "alternate"})
#: Skeletons shorter than this get no deletion neighbourhood (too many false friends).
MIN_FUZZY_LENGTH = 4


@dataclass(frozen=True, slots=True)
class FormSpelling:
    """One spelling of one form: its fold, skeleton and the system that produced it."""

    fold: str
    skeleton: str
    system: str


def spellings_of(
    text: str, lang: str, type_: str, kind: str | None = None
) -> tuple[list[tuple[str, str, str]], list[FormSpelling]]:
    """The derived forms of a name and all their spellings.

    Returns (forms, spellings): forms are (text, lang, origin) triples beyond the
    name itself (derived Russian forms); spellings cover the name and those forms,
    each under every romanization system of its language.
    """
    results: dict[tuple[str, str], FormSpelling] = {}

    def add(spelling: str, system: str) -> None:
        folded = fold(spelling)
        if folded and (folded, system) not in results:
            results[(folded, system)] = FormSpelling(folded, skeleton(folded), system)

    add(text, "as-written")
    extra: list[tuple[str, str, str]] = []
    if is_cyrillic(text):
        if lang in ("uk", "ru"):
            languages: tuple[str, ...] = (lang,)
        else:
            # a Cyrillic name of a place abroad is read the Russian way unless it is plainly Ukrainian
            languages = ("ru",) if kind == "foreign" else ("uk", "ru")
        for language in languages:
            for system in systems_for(language):
                add(system.romanize(text), system.id)
        if lang == "uk" and type_ in _DERIVE_FROM:
            for derived in derive_russian(text):
                extra.append((derived, "ru", "derived"))
    return extra, list(results.values())


@dataclass(frozen=True, slots=True)
class PreparedForm:
    """One form of a name with all its spellings, computed without touching the index (picklable)."""

    text: str
    lang: str
    type: str
    kind_word: str | None
    source: str
    year_to: int | None
    origin: str | None
    spellings: tuple[FormSpelling, ...]
    surname_keys: tuple[str, ...] = ()
    given_group: int | None = None
    given_key: str | None = None


def prepare_name(kind: str, name: Name, origin: str | None = None) -> list[PreparedForm]:
    """A name and its derived forms, each with every spelling (the costly, pure part of indexing)."""
    if name.type not in FORM_TYPES:
        raise IndexError_(f"name {name.text!r} has the unknown type {name.type!r}; types are {', '.join(FORM_TYPES)}")
    text = clean_text(name.text)
    core, kind_word = strip_type_words(text) if kind != "person" else (text, None)
    if not core:
        return []
    if name.type == "base" and kind_word is None:
        kind_word = kind
    extra, spellings = spellings_of(core, name.lang, name.type, kind)
    forms = [_prepared(kind, core, name.lang, name.type, kind_word, name.source, name.year_to, origin, spellings)]
    derived_type = name.type if name.type in ("former", "base") else "derived_ru"
    for derived, lang, derived_origin in extra:
        _, derived_spellings = spellings_of(derived, lang, "derived")
        forms.append(_prepared(kind, derived, lang, derived_type, kind_word, "derived", name.year_to,
                               f"{derived_origin} from {core}", derived_spellings))
    return forms


def _prepared(kind: str, text: str, lang: str, type_: str, kind_word: str | None, source: str,
              year_to: int | None, origin: str | None, spellings: list[FormSpelling]) -> PreparedForm:
    unique: dict[str, FormSpelling] = {}
    for spelling in spellings:
        unique.setdefault(spelling.fold, spelling)
    surname_keys: tuple[str, ...] = ()
    given_group = given_key = None
    if kind == "person":
        words = text.split()
        surname = words[-1]
        given = words[0] if len(words) > 1 else None
        keys = {skeleton(surname)}
        if is_cyrillic(surname):
            for language in ("uk", "ru"):
                keys.update(skeleton(system.romanize(surname)) for system in systems_for(language))
        surname_keys = tuple(sorted(k for k in keys if k))
        if given:
            given_group, given_key = given_name_group(given), skeleton(given)
    return PreparedForm(text, lang, type_, kind_word, source, year_to, origin, tuple(unique.values()),
                        surname_keys, given_group, given_key)


def _prepare_chunk(items: list[tuple[str, Name]]) -> list[list[PreparedForm]]:
    """prepare_name over a chunk (run in a worker process)."""
    return [prepare_name(kind, name) for kind, name in items]


class IndexWriter:
    """Writes forms and their keys into an index connection (a build or an incremental update)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._skeletons: dict[str, int] = {}  # keys seen by this writer; others are looked up
        self._next_sid = (db.execute("SELECT max(sid) FROM skeleton").fetchone()[0] or 0) + 1
        self._next_fid = (db.execute("SELECT max(fid) FROM form").fetchone()[0] or 0) + 1
        self._forms: list[tuple[Any, ...]] = []
        self._spellings: list[tuple[Any, ...]] = []
        self._deletions: list[tuple[int, int]] = []
        self._surnames: list[tuple[Any, ...]] = []
        self._new_skeletons: list[tuple[int, str]] = []

    def _sid(self, key: str) -> int:
        sid = self._skeletons.get(key)
        if sid is None:
            row = self.db.execute("SELECT sid FROM skeleton WHERE s = ?", (key,)).fetchone()
            if row is not None:
                self._skeletons[key] = row[0]
                return row[0]
            sid = self._next_sid
            self._next_sid += 1
            self._skeletons[key] = sid
            if len(key) >= MIN_FUZZY_LENGTH:
                self._deletions.extend((deletion_hash(d), sid) for d in deletions(key))
            self._new_skeletons.append((sid, key))
        return sid

    def add_name(self, eid: int, kind: str, name: Name, origin: str | None = None) -> list[int]:
        """Index one name of an entity (and its derived forms); returns the new form IDs."""
        return self.add_prepared(eid, prepare_name(kind, name, origin))

    def add_prepared(self, eid: int, forms: list[PreparedForm]) -> list[int]:
        """Write forms made by prepare_name for entity `eid`; returns their form IDs."""
        new = []
        for form in forms:
            fid = self._next_fid
            self._next_fid += 1
            new.append(fid)
            self._forms.append((fid, eid, form.text, form.lang, form.type, form.kind_word, form.source,
                                form.year_to, form.origin))
            for spelling in form.spellings:
                self._spellings.append((spelling.fold, self._sid(spelling.skeleton), fid, spelling.system))
            for key in form.surname_keys:
                self._surnames.append((self._sid(key), eid, fid, form.given_group, form.given_key))
        return new

    def flush(self) -> None:
        """Write the buffered rows."""
        self.db.executemany("INSERT INTO skeleton(sid, s) VALUES (?, ?)", self._new_skeletons)
        self.db.executemany("INSERT INTO form VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self._forms)
        self.db.executemany("INSERT INTO spelling(fold, sid, fid, system) VALUES (?, ?, ?, ?)", self._spellings)
        self.db.executemany("INSERT INTO deletion(h, sid) VALUES (?, ?)", self._deletions)
        self.db.executemany("INSERT INTO surname VALUES (?, ?, ?, ?, ?)", self._surnames)
        for buffer in (self._new_skeletons, self._forms, self._spellings, self._deletions, self._surnames):
            buffer.clear()


def center_base_names(entities: list[Entity], names: list[tuple[str, Name]]) -> list[tuple[str, Name]]:
    """Raions and hromadas are also called after their centre ("Pokrovsk raion"): base names."""
    official: dict[str, list[Name]] = {}
    for entity_id, name in names:
        if name.type in ("official", "russian") and name.script == "Cyrl":
            official.setdefault(entity_id, []).append(name)
    extra = []
    for entity in entities:
        if entity.kind in ("raion", "hromada") and entity.center_id:
            for name in official.get(entity.center_id, ()):
                extra.append((entity.id, Name(name.text, name.lang, "Cyrl", "base", "derived",
                                              note=f"centre {entity.center_id}")))
                adjective = russian_adjective(name.text) if name.lang == "ru" and entity.kind == "raion" else None
                if adjective:  # Запорожский район, after Запорожье
                    extra.append((entity.id, Name(f"{adjective} район", "ru", "Cyrl", "derived_ru", "derived",
                                                  note=f"Russian adjective of its centre {entity.center_id}")))
    return extra


def index_fingerprint(gazetteer: Gazetteer) -> str:
    """A digest of the gazetteer build and the matcher version: the index file's name."""
    from ..spelling import romanize

    parts = [
        f"index={INDEX_FORMAT}",
        f"matcher={__version__}",
        str(gazetteer.base.meta_value("fingerprint", "")),
        str(gazetteer.base.meta_value("built_at", "")),
    ]
    # the code and data that shape keys: any change to them means a new index
    here = Path(__file__).resolve().parent
    spelling = here.parent / "spelling"
    shaping = [here / "index.py", here / "indexing.py", *sorted(spelling.glob("*.py"))]
    shaping += sorted(romanize.SYSTEMS_DIR.glob("*.json")) + sorted((spelling / "data").glob("*.tsv"))

    def compute() -> str:
        digest = hashlib.sha256("|".join(parts).encode())
        for path in shaping:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    # remembered in the home by the files' metadata: an open reads none of them
    return remembered(gazetteer.base.path.parent, stat_key(shaping, "index", *parts), compute)


BUILD_CHUNK = 4000


def _map_chunks(chunks: list[list[tuple[str, Name]]]) -> Iterator[list[list[PreparedForm]]]:
    """prepare_name over chunks, on every core (in order); in-process when there is one core, or in a
    daemonic process (a Dask or multiprocessing worker building its home), which may not have children."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = min(len(chunks), os.cpu_count() or 1, 4)
    if workers <= 1 or multiprocessing.current_process().daemon:
        yield from map(_prepare_chunk, chunks)
        return

    try:
        context = multiprocessing.get_context("fork") if os.name == "posix" else None
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    except (OSError, ValueError):  # no process pool here (restricted sandbox): do it in-process
        yield from map(_prepare_chunk, chunks)
        return
    with pool:
        yield from pool.map(_prepare_chunk, chunks)


def build_index(gazetteer: Gazetteer, path: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Build the full index for `gazetteer` at `path` (atomically); returns its statistics."""
    progress = progress or silent
    started = time.perf_counter()
    temporary = temporary_beside(path)
    db = connect_new(temporary)
    try:
        db.executescript(SCHEMA.format(entity_columns=", ".join(ENTITY_FIELDS)))
        entities = list(gazetteer.base.entities())  # user entities come in with the user-layer sync
        kinds = {e.id: e.kind for e in entities}
        eids: dict[str, int] = {}
        rows = []
        for eid, entity in enumerate(entities, start=1):
            eids[entity.id] = eid
            rows.append((eid, *[getattr(entity, f) for f in ENTITY_FIELDS]))
        marks = ", ".join("?" for _ in range(len(ENTITY_FIELDS) + 1))
        db.executemany(f"INSERT INTO entity VALUES ({marks})", rows)
        db.executemany("INSERT INTO code(scheme, code, eid) VALUES (?, ?, ?)",
                       [(scheme, code, eids[entity_id]) for entity_id, scheme, code in gazetteer.base.all_codes()
                        if entity_id in eids])
        writer = IndexWriter(db)
        names = gazetteer.base.all_names()
        names.extend(center_base_names(entities, names))
        progress(f"romanizing {len(names):,} names of {len(entities):,} entities")
        items = [(kinds[entity_id], name) for entity_id, name in names]
        chunks = [items[i : i + BUILD_CHUNK] for i in range(0, len(items), BUILD_CHUNK)]
        done = 0
        for chunk_start, prepared in zip(range(0, len(items), BUILD_CHUNK), _map_chunks(chunks)):
            for (entity_id, _), forms in zip(names[chunk_start : chunk_start + BUILD_CHUNK], prepared):
                writer.add_prepared(eids[entity_id], forms)
            writer.flush()
            done += len(prepared)
            progress("indexing names", done, len(names))
        progress("writing the index")
        db.executescript(INDEXES)
        stats = {
            "entities": len(entities),
            "forms": db.execute("SELECT count(*) FROM form").fetchone()[0],
            "spellings": db.execute("SELECT count(*) FROM spelling").fetchone()[0],
            "skeletons": db.execute("SELECT count(*) FROM skeleton").fetchone()[0],
            "deletions": db.execute("SELECT count(*) FROM deletion").fetchone()[0],
            "build_seconds": round(time.perf_counter() - started, 2),
        }
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("stats", json.dumps(stats)), ("fingerprint", json.dumps(index_fingerprint(gazetteer))),
             ("user_applied", json.dumps(0))],
        )
        db.commit()
        db.execute("ANALYZE")
        db.commit()
    except BaseException:
        db.close()
        temporary.unlink(missing_ok=True)
        raise
    db.close()
    publish(temporary, path)
    return stats
