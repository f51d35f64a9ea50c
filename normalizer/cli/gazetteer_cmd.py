"""`uanorm gazetteer ...`: build, inspect and grow the gazetteer."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gazetteer import Gazetteer
from gazetteer.build import BUILD_NOTE, BUILD_TITLE, parse_sources
from gazetteer.progress import Reporter

#: Entities `gazetteer search` shows unless --limit says otherwise.
SEARCH_LIMIT = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `gazetteer` command group."""
    parser = subparsers.add_parser("gazetteer", help="build, inspect and grow the gazetteer")
    commands = parser.add_subparsers(dest="gazetteer_command", metavar="SUBCOMMAND")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])

    build = commands.add_parser("build", help="compile the sources into the store")
    build.add_argument("--sources", default=None,
                       help="comma-separated: katottg,geonames,curated,history,coordinates (default: all)")
    build.set_defaults(handler=run_build)

    stats = commands.add_parser("stats", help="counts by kind and source, link rate, versions")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=run_stats)

    show = commands.add_parser("show", help="one entity with all its names")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)

    search = commands.add_parser("search", help="plain lookup by name, for browsing")
    search.add_argument("text")
    search.add_argument("--limit", type=int, default=SEARCH_LIMIT, metavar="N",
                        help=f"show at most N entities (default {SEARCH_LIMIT}); a line on stderr says when more match")
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=run_search)

    import importlib.util

    if importlib.util.find_spec(f"{__package__}.userlayer_cmd") is not None:
        from . import userlayer_cmd

        userlayer_cmd.register(commands)


def run_build(args: argparse.Namespace) -> int:
    """Build (or rebuild) the store and the matcher index."""
    from gazetteer.api import ensure_store
    from gazetteer.home import default_home

    from ..match.session import ensure_index

    sources = parse_sources(args.sources)
    home = default_home()
    with Reporter(BUILD_TITLE, note=BUILD_NOTE) as progress:
        meta = ensure_store(home, sources, force=True, progress=progress)
        assert meta is not None  # a forced build always builds
        with Gazetteer.open(home, build=False) as gazetteer:
            ensure_index(gazetteer, progress=progress)
            stats = gazetteer.stats()
    print(f"built {stats['entities']:,} entities from {', '.join(sources)} in {meta['build_seconds']}s "
          f"into {stats['store']}")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    """Print the build statistics."""
    with Gazetteer.open() as gazetteer:
        stats = gazetteer.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
    link = stats.get("geonames_link") or {}
    lines = [
        f"store           {stats['store']} ({stats['store_bytes'] / 1e6:.1f} MB)",
        f"built           {stats['built_at']} in {stats['build_seconds']}s from {', '.join(stats['sources'])}",
        (f"entities        {stats['entities']:,} (KATOTTG units {stats['katottg_units']:,}, "
         f"top-level {stats['top_level_units']})"),
        "by kind         " + ", ".join(f"{k} {v:,}" for k, v in stats["by_kind"].items()),
        "by source       " + ", ".join(f"{k} {v:,}" for k, v in stats["by_source"].items()),
        f"names           {stats['names']:,} (former names {stats['former_names']:,})",
        f"persons         {stats['persons']:,}",
        f"foreign places  {stats['foreign_places']:,}",
    ]
    if link:
        lines.append(f"GeoNames link   {link['katottg_cities_linked']}/{link['katottg_cities']} cities "
                     f"({link['city_link_rate']:.1%}), {link['linked']:,} places linked")
    for source, version in (stats.get("source_versions") or {}).items():
        lines.append(f"source          {source}: {version}")
    layer = stats.get("user_layer") or {}
    if layer.get("exists"):
        lines.append(f"user layer      {layer['path']}: {layer['variants']:,} variants, "
                     f"{layer['entities']:,} entities, {layer['hidden']:,} hidden, {layer['ops']:,} changes")
        for problem in layer.get("problems", []):
            lines.append(f"  problem       {problem}")
    else:
        lines.append("user layer      none yet (uanorm gazetteer add-variant ... creates it)")
    print("\n".join(lines))
    return 0


def _entity_json(gazetteer: Gazetteer, entity_id: str) -> dict[str, Any]:
    entity = gazetteer.get(entity_id)
    data = entity.to_dict()
    data["hidden"] = gazetteer.is_hidden(entity_id)
    data["parents"] = [{"id": p.id, "kind": p.kind, "name": p.name, "name_uk": p.name_uk}
                       for p in gazetteer.parents(entity_id)]
    data["names"] = [n.to_dict() for n in gazetteer.names(entity_id)]
    history = gazetteer.history_of(entity_id)
    data["history"] = history.to_dict()
    data["history"]["former_raion_name"] = history.former_raion.name if history.former_raion else None
    data["history"]["successor_name"] = history.successor.name if history.successor else None
    return data


def run_show(args: argparse.Namespace) -> int:
    """Print one entity."""
    with Gazetteer.open() as gazetteer:
        data = _entity_json(gazetteer, args.id.strip())
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    hidden = "  [hidden by the user layer]" if data.get("hidden") else ""
    print(f"{data['id']}  {data['name_uk'] or ''} / {data['name']}  ({data['kind']}){hidden}")
    if data["parents"]:
        print("  in: " + " < ".join(f"{p['name']} ({p['id']})" for p in data["parents"]))
    for key in ("name_ru", "oblast_id", "country", "population", "lat", "lon", "geonames_id", "iso3166_2",
                "category", "center_id", "role", "source"):
        if data.get(key) not in (None, ""):
            print(f"  {key}: {data[key]}")
    print("  names:")
    for name in data["names"]:
        years = ""
        if name["year_from"] or name["year_to"]:
            years = f" [{name['year_from'] or ''}-{name['year_to'] or ''}]"
        print(f"    {name['text']}  ({name['type']}, {name['lang']}, {name['source']}){years}")
    for line in _history_lines(data["history"]):
        print(line)
    return 0


def _history_lines(history: dict[str, Any]) -> list[str]:
    """The history part of `gazetteer show`: codes, the raion before 2020, former names, successors."""
    lines: list[str] = []
    if history["year_to"]:
        successor = history["successor"]
        now = f", now {history['successor_name']} ({successor})" if successor else ""
        lines.append(f"  existed until: {history['year_to']}{now}")
    if history["codes"]:
        lines.append("  codes:")
        for code in history["codes"]:
            lines.append(f"    {code['scheme']} {code['code']}" + (f"  ({code['note']})" if code["note"] else ""))
    if history["former_raion"]:
        lines.append(f"  raion before 2020: {history['former_raion_name']} ({history['former_raion']})")
    if history["former_names"]:
        lines.append("  former names:")
        for name in history["former_names"]:
            years = f"{name['year_from'] or ''}-{name['year_to'] or ''}"
            lines.append(f"    {name['text']}  [{years}]  ({name['lang']}, {name['source']})")
    if history["successors"]:
        lines.append("  its settlements are now in:")
        for unit in history["successors"]:
            count = f": {unit['settlements']} settlement(s)" if unit["settlements"] else ""
            lines.append(f"    {unit['name']} ({unit['id']}, {unit['relation']}){count}")
    return lines


def run_search(args: argparse.Namespace) -> int:
    """Plain name lookup: at most --limit entities, and a line on stderr when more match."""
    if args.limit < 1:
        raise ValueError(f"--limit must be at least 1, not {args.limit}")
    with Gazetteer.open() as gazetteer:
        found = gazetteer.search(args.text, limit=args.limit + 1)
        more = len(found) > args.limit
        found = found[: args.limit]
        if args.json:
            print(json.dumps([e.to_dict() for e in found], ensure_ascii=False, indent=2))
        else:
            for entity in found:
                oblast = gazetteer.find(entity.oblast_id) if entity.oblast_id and entity.oblast_id != entity.id \
                    else None
                where = f", {oblast.name}" if oblast else ""
                print(f"{entity.id}\t{entity.name_uk or ''}\t{entity.name}\t{entity.kind}{where}")
    if more:
        print(f"uanorm: more results: these are the first {args.limit}; --limit N shows more",
              file=sys.stderr)
    elif not found and not args.json:
        print(f"no entity is named {args.text!r}")
    return 0
