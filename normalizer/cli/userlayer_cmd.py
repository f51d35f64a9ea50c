"""`uanorm gazetteer add-variant | add-entity | remove-variant | remove-entity | import-variants | export |
history | undo`: grow the gazetteer through its user layer (user.sqlite in the home).

Every command that changes the layer records one op and then brings the matcher's
index up to date, so the next `uanorm match` sees the change at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gazetteer import KINDS, Gazetteer


def register(commands: argparse._SubParsersAction) -> None:
    """Add the user-layer subcommands to the `gazetteer` group."""
    add = commands.add_parser("add-variant", help="make TEXT resolve to entity ID (a user variant)")
    add.add_argument("id", help="the entity ID (UA... code, person:slug ...)")
    add.add_argument("text", help="the spelling to add")
    add.add_argument("--lang", help="language of TEXT: uk, ru, en, ... (default: und)")
    add.add_argument("--note", help="why; kept in the history")
    add.add_argument("--force", action="store_true",
                     help="add even if TEXT already resolves to another entity (both become candidates)")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=run_add_variant)

    entity = commands.add_parser("add-entity", help="add an entity the gazetteer lacks")
    entity.add_argument("--kind", required=True, choices=KINDS)
    entity.add_argument("--name-uk", help="the Ukrainian name (Cyrillic)")
    entity.add_argument("--name", help="the Latin name (default: KMU 2010 romanization of --name-uk)")
    entity.add_argument("--name-ru", help="the Russian name (Cyrillic)")
    entity.add_argument("--parent", help="ID of the unit it lies in (must exist)")
    entity.add_argument("--id", help="namespace:slug (default: generated from the name)")
    entity.add_argument("--country", help="ISO 3166-1 alpha-2 (default UA; none for kind foreign)")
    entity.add_argument("--role", help="a person's role")
    entity.add_argument("--note")
    entity.add_argument("--json", action="store_true")
    entity.set_defaults(handler=run_add_entity)

    remove = commands.add_parser("remove-variant", help="remove a user-added variant")
    remove.add_argument("id")
    remove.add_argument("text")
    remove.add_argument("--note")
    remove.set_defaults(handler=run_remove_variant)

    remove_entity = commands.add_parser("remove-entity",
                                        help="delete a user-added entity, or hide a built-in one")
    remove_entity.add_argument("id")
    remove_entity.add_argument("--note")
    remove_entity.set_defaults(handler=run_remove_entity)

    load = commands.add_parser("import-variants",
                               help="import a review file of `uanorm clean` or a text,id CSV/TSV as one op")
    load.add_argument("file", help="the review file of `uanorm clean` (rows with chosen_id filled), a CSV/TSV with "
                                   "text,id columns (optional lang, note), or a file written by export")
    load.add_argument("--skip-invalid", action="store_true", help="apply the valid rows even if some are invalid")
    load.add_argument("--force", action="store_true", help="apply rows that conflict with other entities too")
    load.add_argument("--dry-run", action="store_true", help="validate and report, change nothing")
    load.add_argument("--note")
    load.add_argument("--json", action="store_true")
    load.set_defaults(handler=run_import)

    export = commands.add_parser("export", help="the user layer as TSV that import-variants reads back")
    export.add_argument("--layer", choices=("user",), default="user", help="which layer (only: user)")
    export.add_argument("-o", "--output", help="file to write (atomically); default or '-': standard output")
    export.set_defaults(handler=run_export)

    history = commands.add_parser("history", help="the user layer's changes, oldest first")
    history.add_argument("--limit", type=int, help="only the last N")
    history.add_argument("--json", action="store_true")
    history.set_defaults(handler=run_history)

    undo = commands.add_parser("undo", help="revert op N of the history (as a new op)")
    undo.add_argument("op", type=int)
    undo.add_argument("--note")
    undo.set_defaults(handler=run_undo)


def _normalizer() -> Any:
    from normalizer.api import Normalizer

    return Normalizer()


def run_add_variant(args: argparse.Namespace) -> int:
    """Add one variant (conflicts checked by the matcher)."""
    from gazetteer.userlayer import check_lang, check_note, check_text

    check_text(args.text), check_lang(args.lang), check_note(args.note)  # refuse bad input before any build
    with _normalizer() as normalizer:
        change = normalizer.add_variant(args.id, args.text, lang=args.lang, note=args.note, force=args.force)
    print(json.dumps(change.to_dict(), ensure_ascii=False) if args.json else change.message)
    return 0


def run_add_entity(args: argparse.Namespace) -> int:
    """Add one entity."""
    with _normalizer() as normalizer:
        entity = normalizer.add_entity(kind=args.kind, name_uk=args.name_uk, name=args.name, name_ru=args.name_ru,
                                       parent_id=args.parent, entity_id=args.id, country=args.country,
                                       role=args.role, note=args.note)
    if args.json:
        print(json.dumps(entity.to_dict(), ensure_ascii=False))
    else:
        where = f", in {entity.parent_id}" if entity.parent_id else ""
        print(f"added {entity.id} {entity.name_uk or ''} / {entity.name} ({entity.kind}{where})")
    return 0


def run_remove_variant(args: argparse.Namespace) -> int:
    """Remove one user variant."""
    with _normalizer() as normalizer:
        print(normalizer.remove_variant(args.id, args.text, note=args.note).message)
    return 0


def run_remove_entity(args: argparse.Namespace) -> int:
    """Delete a user entity or hide a built-in one."""
    with _normalizer() as normalizer:
        print(normalizer.remove_entity(args.id, note=args.note).message)
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Import a file as one op and print the report."""
    from gazetteer.errors import ImportRejectedError
    from gazetteer.userlayer import ImportReport

    with _normalizer() as normalizer:
        try:
            report = normalizer.import_variants(args.file, skip_invalid=args.skip_invalid, force=args.force,
                                                dry_run=args.dry_run, note=args.note)
        except ImportRejectedError as exc:
            if not args.json and isinstance(exc.report, ImportReport):
                _print_rows("invalid", exc.report.invalid, sys.stderr)
            raise
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(("dry run, nothing applied: " if args.dry_run else "") + report.summary())
    _print_rows("conflict", report.conflicts, sys.stdout)
    _print_rows("invalid (skipped)", report.invalid, sys.stdout)
    return 0


def _print_rows(label: str, rows: list[Any], stream: Any, limit: int = 20) -> None:
    for outcome in rows[:limit]:
        print(f"  line {outcome.line}: {label}: {outcome.text!r} -> {outcome.entity_id}: {outcome.detail}",
              file=stream)
    if len(rows) > limit:
        print(f"  ... and {len(rows) - limit} more {label} rows (--json lists all)", file=stream)


def run_export(args: argparse.Namespace) -> int:
    """Write the user layer as TSV."""
    destination = None if args.output in (None, "-") else args.output
    with Gazetteer.open() as gazetteer:
        text = gazetteer.export(destination)
        counts = gazetteer.user_layer.counts()
    if destination:
        print(f"exported {counts['variants']:,} variants, {counts['entities']:,} entities, "
              f"{counts['hidden']:,} hidden to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def run_history(args: argparse.Namespace) -> int:
    """List the ops."""
    if args.limit is not None and args.limit < 1:
        raise ValueError("--limit must be a positive number")
    with Gazetteer.open() as gazetteer:
        ops = gazetteer.history(limit=args.limit)
    if args.json:
        print(json.dumps([op.to_dict() for op in ops], ensure_ascii=False, indent=2))
        return 0
    if not ops:
        print("the user layer has no changes yet")
    for op in ops:
        undone = f"  [undone by op {op.undone_by}]" if op.undone_by else ""
        note = f"  ({op.note})" if op.note else ""
        print(f"{op.op_id:>5}  {op.at}  {op.who}  {op.source:<6}  {op.action:<14}  {op.summary}{note}{undone}")
    return 0


def run_undo(args: argparse.Namespace) -> int:
    """Revert one op."""
    with _normalizer() as normalizer:
        print(normalizer.undo(args.op, note=args.note).message)
    return 0
