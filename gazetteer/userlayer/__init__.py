"""The user layer: variants, entities and hidings a user adds, kept apart from the compiled base.

It lives in `user.sqlite` beside `base.sqlite` in the home; a rebuild of the base or
a package upgrade never touches it. It is an operation log with materialized state:

- ``ops``: one row per change (add-variant, add-entity, remove-variant,
  remove-entity, hide-entity, import, undo) with when, who, source (user, review,
  import), an optional note and the exact primitive changes it made (JSON);
- ``variants``, ``entities``, ``hidden``: the current state those ops produced.

Every op is one SQLite transaction (WAL mode, ``BEGIN IMMEDIATE``, synchronous
FULL), so concurrent writers serialize, a crash leaves each op applied entirely or
not at all, and an import of any size is a single op. ``undo N`` applies the
inverse of op N's changes as a new op. The matcher's index follows the log
incrementally (see ``normalizer.match.sync``): it only needs the op IDs and the
keys each op touched, which ``changes_since`` gives.

The rooms: `records` (limits, errors, values), `validation` (what is accepted),
`db` (the file and its rows), `oplog` (record, apply, undo), `importing` (sorting an
import's rows), `exchange` (the files read and written), `layer` (the UserLayer).
"""

from __future__ import annotations

from .exchange import read_import_file, write_export
from .layer import UserLayer
from .records import (
    EXPORT_COLUMNS,
    LAYER_FORMAT,
    MAX_NOTE_LENGTH,
    MAX_TEXT_LENGTH,
    ROW_ACTIONS,
    SOURCES,
    VARIANT_TYPE,
    Change,
    ConflictCheck,
    HiddenEntityError,
    ImportReport,
    ImportRow,
    Op,
    RowOutcome,
    UnknownOpError,
    UnknownVariantError,
    UserDecision,
    UserLayerError,
    UserVariant,
)
from .validation import check_entity_id, check_lang, check_note, check_text, entity_names, slugify

__all__ = [
    "EXPORT_COLUMNS",
    "LAYER_FORMAT",
    "MAX_NOTE_LENGTH",
    "MAX_TEXT_LENGTH",
    "ROW_ACTIONS",
    "SOURCES",
    "VARIANT_TYPE",
    "Change",
    "ConflictCheck",
    "HiddenEntityError",
    "ImportReport",
    "ImportRow",
    "Op",
    "RowOutcome",
    "UnknownOpError",
    "UnknownVariantError",
    "UserDecision",
    "UserLayer",
    "UserLayerError",
    "UserVariant",
    "check_entity_id",
    "check_lang",
    "check_note",
    "check_text",
    "entity_names",
    "read_import_file",
    "slugify",
    "write_export",
]
