"""The facade: `Normalizer` (matching plus growing the gazetteer), `normalize`, `clean`, `annotate`.

Everything a user calls lives here or is re-exported by the package; the rooms below
(`spelling`, `match`, `tables`, `text`) do the work.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .match.model import MATCHED
from .match.session import Matcher, default_matcher, use_as_default

if TYPE_CHECKING:
    from gazetteer.model import Entity
    from gazetteer.userlayer import Change, ImportReport

    from .text.annotate import Mention


class Normalizer(Matcher):
    """Resolve any spelling of a Ukrainian place, person or feature to its canonical entity.

    >>> n = Normalizer()                      # doctest: +SKIP
    >>> n.resolve("Lisichansk").best.id       # doctest: +SKIP
    'UA44120050010021900'
    """

    def __enter__(self) -> Normalizer:
        return self

    def normalize(self, text: str, *, oblast: str | None = None, raion: str | None = None,
                  hromada: str | None = None, near: tuple[float, float] | None = None,
                  kind: str | Sequence[str] | None = None) -> str | None:
        """The ID of a confident match, else None (the hints as for `resolve`)."""
        result = self.resolve(text, oblast=oblast, raion=raion, hromada=hromada, near=near, kind=kind)
        return result.best.id if result.status == MATCHED and result.best else None

    # -- growing the gazetteer: the user layer ---------------------------------------------

    def add_variant(self, entity_id: str, text: str, *, lang: str | None = None, note: str | None = None,
                    force: bool = False) -> Change:
        """Make TEXT a spelling of the entity, refusing (VariantConflictError) a text that already
        resolves confidently to another entity unless `force`; matching sees it at once."""
        self.sync()
        change = self.gazetteer.add_variant(entity_id, text, lang=lang, note=note, force=force,
                                            conflict_check=self.confident_match)
        self.sync()
        return change

    def add_entity(self, *, kind: str, name_uk: str | None = None, name: str | None = None,
                   name_ru: str | None = None, parent_id: str | None = None, entity_id: str | None = None,
                   country: str | None = None, role: str | None = None, note: str | None = None,
                   source: str = "user") -> Entity:
        """Add a new entity (see Gazetteer.add_entity); matching sees it at once."""
        entity = self.gazetteer.add_entity(kind=kind, name_uk=name_uk, name=name, name_ru=name_ru,
                                           parent_id=parent_id, entity_id=entity_id, country=country, role=role,
                                           note=note, source=source)
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

    def annotate(self, text: str, *, lang: str = "auto", undecided: bool = False) -> list[Mention]:
        """Find and link the place, person and feature mentions of a text (see `normalizer.annotate`)."""
        from .text.annotate import annotate

        return annotate(self, text, lang=lang, undecided=undecided)


use_as_default(Normalizer)


def default_normalizer() -> Normalizer:
    """A process-wide Normalizer on the default home, created on first use."""
    matcher = default_matcher()
    assert isinstance(matcher, Normalizer)
    return matcher


def normalize(text: str, *, oblast: str | None = None, raion: str | None = None, hromada: str | None = None,
              near: tuple[float, float] | None = None, kind: str | Sequence[str] | None = None) -> str | None:
    """The ID of a confident match for `text` (default home), else None (the hints as for `resolve`)."""
    return default_normalizer().normalize(text, oblast=oblast, raion=raion, hromada=hromada, near=near, kind=kind)


def annotate(text: str, *, lang: str = "auto", undecided: bool = False,
             normalizer: Normalizer | None = None) -> list[Mention]:
    """The place, person and feature mentions of a text, linked (default home unless `normalizer` is given).

    `lang` is "auto", "en", "uk" or "ru"; `undecided` also returns mentions whose entity stays ambiguous.
    """
    return (normalizer or default_normalizer()).annotate(text, lang=lang, undecided=undecided)
