"""HTML about one entity: the view page (/entity/ID), the preview (/preview/ID) and the suggest flyout.

Every text from the gazetteer goes through `html.escape`; the pages load nothing but the
service's own stylesheet, and link out only to a map of the entity's point (sources are named as text).
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from gazetteer import Entity, Name
from gazetteer.model import ADMIN_KINDS

from .entities import LEVELS, Facts, FormerName, kind_label

STYLESHEET = "/static/uanorm.css"
#: Between the forms of one former name.
_DOT = " \u00b7 "
#: Successors listed on a former unit's page (the rest counted).
MAX_SUCCESSORS = 30
_RELATIONS = {"successor-raion": "raion", "successor-hromada": "hromada"}


def entity_url(entity_id: str) -> str:
    """The path of an entity's view page."""
    return "/entity/" + quote(entity_id, safe=":")


def map_url(lat: float, lon: float) -> str:
    """An OpenStreetMap link centred on the point."""
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=12/{lat}/{lon}"


def entity_page(facts: Facts, children: list[Entity], total_children: int) -> str:
    """The full page of an entity: names in every script, hierarchy, history, codes, the point and a map link."""
    entity = facts.entity
    sections = [_heading(entity, "h1"), f'<p class="description">{escape(facts.place.description)}</p>',
                _facts_list(facts, target=""), _history(facts)]
    sections.append(_names_table(facts.names))
    if children:
        items = "".join(f"<li>{_link(child)} <span class=\"kind\">{escape(kind_label(child))}</span></li>"
                        for child in children)
        hidden = total_children - len(children)
        more = f'<p class="more">and {hidden:,} more</p>' if hidden else ""
        sections.append(f'<h2>Units below ({total_children:,})</h2><ul class="children">{items}</ul>{more}')
    body = "\n".join(s for s in sections if s)
    nav = '<header class="top"><a href="/">uanorm lookup</a></header>'
    return _document(f"{entity.name} \u2014 uanorm", f'{nav}<main class="entity">{body}</main>')


def preview(facts: Facts) -> str:
    """A page small enough for OpenRefine's preview iframe: names, description, units, codes, point, former names."""
    entity = facts.entity
    former = "; ".join(f.label() for f in facts.former_names[:3])
    parts = [_heading(entity, "h1"), f'<p class="description">{escape(facts.place.description)}</p>',
             _facts_list(facts, target="_blank", brief=True)]
    if former:
        parts.append(f'<p class="former">formerly {escape(former)}</p>')
    return _document(f"{entity.name} \u2014 uanorm", f'<main class="preview">{"".join(parts)}</main>')


def flyout(facts: Facts) -> str:
    """A fragment for the suggest flyout (shown inside the client's page: no links, no classes it lacks)."""
    entity = facts.entity
    names = " / ".join(escape(n) for n in dict.fromkeys(filter(None, (entity.name, entity.name_uk, entity.name_ru))))
    codes = ", ".join(f"{escape(c.label)} {escape(c.code)}" for c in facts.codes)
    lines = [f"<strong>{names}</strong>", escape(facts.place.description)]
    if codes:
        lines.append(codes)
    return "<div>" + "<br>".join(lines) + "</div>"


def _heading(entity: Entity, tag: str) -> str:
    local = f' <span class="local" lang="uk">{escape(entity.name_uk)}</span>' \
        if entity.name_uk and entity.name_uk != entity.name else ""
    return f"<{tag}>{escape(entity.name)}{local}</{tag}>"


def _facts_list(facts: Facts, *, target: str, brief: bool = False) -> str:
    """A <dl> of the entity's ID, kind, units today and before 2020, codes, point, population, role
    (labels are text, values HTML)."""
    entity = facts.entity
    rows: list[tuple[str, str]] = [] if facts.codes_of("katottg") else [("ID", f"<code>{escape(entity.id)}</code>")]
    rows.append(("Kind", escape(kind_label(entity))))
    units = [facts.place.unit(level) for level in LEVELS]
    chain = [_link(unit, target) for unit in units if unit is not None]
    if chain:
        rows.append(("In", " \u203a ".join(chain)))
    if facts.former_raion is not None:
        rows.append(("Raion before 2020", _link(facts.former_raion, target)))
    if entity.year_to:
        now = f", now {_link(facts.successor, target)}" if facts.successor is not None else ""
        rows.append(("Until", f"{entity.year_to}{now}"))
    if facts.centre is not None and facts.centre.id != entity.id:
        rows.append(("Centre", _link(facts.centre, target)))
    rows += [(code.label, f"<code>{escape(code.code)}</code>{'' if brief else _note(code.note)}")
             for code in facts.codes]
    if entity.lat is not None and entity.lon is not None:
        link = f'<a href="{escape(map_url(entity.lat, entity.lon))}" target="_blank" rel="noopener noreferrer">map</a>'
        source = "" if brief else _note(_point_source(entity))
        rows.append(("Point", f"{entity.lat:.5f}, {entity.lon:.5f} {link}{source}"))
    if entity.population:
        rows.append(("Population", f"{entity.population:,}"))
    if entity.role and entity.kind != "former-raion":  # a former raion's role (raion, city council) is its kind
        rows.append(("Role", escape(entity.role)))
    if entity.country and entity.country != "UA":
        rows.append(("Country", escape(entity.country)))
    if not brief and entity.name_ru:
        rows.append(("Russian name", f'<span lang="ru">{escape(entity.name_ru)}</span>'))
    items = "".join(f"<dt>{escape(label)}</dt><dd>{value}</dd>" for label, value in rows)
    return f'<dl class="facts">{items}</dl>'


def _point_source(entity: Entity) -> str:
    if entity.kind in ADMIN_KINDS:
        return "OCHA (COD-AB)"
    return "centroid of its settlements" if entity.kind == "former-raion" else ""


def _history(facts: Facts) -> str:
    """The entity through time (`Gazetteer.history_of`): former names with their years, register spellings,
    where a former unit's settlements are now."""
    parts = []
    if facts.former_names:
        items = "".join(f"<li>{_former(f)}</li>" for f in facts.former_names)
        parts.append(f'<h3>Former names</h3><ul class="former">{items}</ul>')
    variants = facts.history.variants
    if variants:
        items = "".join(f"<li>{escape(v.text)}{_note(v.note)}</li>" for v in variants)
        parts.append(f'<h3>Spellings in earlier register editions</h3><ul class="variants">{items}</ul>')
    successors = facts.successors
    if successors:
        items = "".join(
            f"<li>{_link(s.entity)} <span class=\"kind\">{escape(_RELATIONS.get(s.relation, s.relation))}"
            f"{_settlements(s.settlements)}</span></li>" for s in successors[:MAX_SUCCESSORS])
        hidden = len(successors) - MAX_SUCCESSORS
        more = f'<p class="more">and {hidden:,} more</p>' if hidden > 0 else ""
        parts.append(f'<h3>Its settlements are now in</h3><ul class="successors">{items}</ul>{more}')
    return '<section class="history"><h2>History</h2>' + "".join(parts) + "</section>" if parts else ""


def _former(name: FormerName) -> str:
    notes = "; ".join(name.notes)
    return f"{escape(_DOT.join(name.texts))}{_years(name.years)}{_note(notes)}"


def _settlements(count: int | None) -> str:
    if not count:
        return ""
    return f", {count:,} settlement{'s' if count != 1 else ''}"


def _note(note: str | None) -> str:
    return f' <span class="note">{escape(note)}</span>' if note else ""


def _names_table(names: tuple[Name, ...]) -> str:
    rows = "".join(
        f'<tr><td lang="{escape(n.lang)}">{escape(n.text)}</td><td>{escape(n.lang)}</td><td>{escape(n.script)}</td>'
        f"<td>{escape(n.type.replace('_', ' '))}</td><td>{escape(n.source)}</td>"
        f"<td>{escape(_span(n.year_from, n.year_to))}</td></tr>"
        for n in names)
    head = "<tr><th>Name</th><th>Language</th><th>Script</th><th>Type</th><th>Source</th><th>Years</th></tr>"
    return f'<h2>Names ({len(names)})</h2><table class="names"><thead>{head}</thead><tbody>{rows}</tbody></table>'


def _span(year_from: int | None, year_to: int | None) -> str:
    if year_from or year_to:
        return f"{year_from or ''}\u2013{year_to or ''}"
    return ""


def _years(years: str) -> str:
    return f' <span class="years">({escape(years)})</span>' if years else ""


def _link(entity: Entity, target: str = "") -> str:
    attributes = f' target="{target}" rel="noopener"' if target else ""
    return f'<a href="{escape(entity_url(entity.id))}"{attributes}>{escape(entity.name)}</a>'


def _document(title: str, body: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="{STYLESHEET}"></head>'
            f"<body>{body}</body></html>\n")
