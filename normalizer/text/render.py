"""Output of `uanorm annotate`: JSON documents, inline text marks, and a self-contained HTML page."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..match.model import MATCHED
from .annotate import UNDECIDED, Mention, entity_counts

#: Highlight colour of each entity kind (background, border).
KIND_COLOURS: dict[str, tuple[str, str]] = {
    "oblast": ("#ffe0b2", "#ef6c00"),
    "raion": ("#fff3c4", "#c9a400"),
    "hromada": ("#fff8e1", "#b08900"),
    "city": ("#c8e6c9", "#2e7d32"),
    "city-district": ("#dcedc8", "#558b2f"),
    "settlement": ("#e6f4d7", "#689f38"),
    "village": ("#f1f8e9", "#7cb342"),
    "person": ("#d1c4e9", "#5e35b1"),
    "region": ("#ffccbc", "#d84315"),
    "river": ("#b3e5fc", "#0277bd"),
    "sea": ("#b2ebf2", "#00838f"),
    "reservoir": ("#b2dfdb", "#00695c"),
    "island": ("#e0f7fa", "#00acc1"),
    "facility": ("#cfd8dc", "#455a64"),
    "foreign": ("#eeeeee", "#757575"),
}
_DEFAULT_COLOUR = ("#f5f5f5", "#9e9e9e")


def document_dict(mentions: Sequence[Mention], *, source: str | None = None, lang: str | None = None,
                  chars: int | None = None) -> dict[str, Any]:
    """The JSON object of one annotated document."""
    data: dict[str, Any] = {}
    if source is not None:
        data["source"] = source
    if lang is not None:
        data["lang"] = lang
    if chars is not None:
        data["chars"] = chars
    data["mentions"] = [m.to_dict() for m in mentions]
    return data


def to_json(mentions: Sequence[Mention], *, source: str | None = None, lang: str | None = None,
            chars: int | None = None, indent: int | None = 2) -> str:
    """The document as JSON text (mentions in order, offsets into the original text)."""
    return json.dumps(document_dict(mentions, source=source, lang=lang, chars=chars), ensure_ascii=False,
                      indent=indent)


#: Candidates an undecided mention lists in the text output (then "+N more").
UNDECIDED_SHOWN = 3


def _candidates(mention: Mention) -> str:
    """An undecided mention's candidate IDs, its best guess first."""
    ids = [mention.id, *(i for i in mention.alternatives if i != mention.id)]
    shown = ", ".join(ids[:UNDECIDED_SHOWN])
    return shown + (f" +{len(ids) - UNDECIDED_SHOWN} more" if len(ids) > UNDECIDED_SHOWN else "")


def to_text(text: str, mentions: Sequence[Mention]) -> str:
    """The text with each mention replaced by `[mention|canonical name|id]`.

    A mention the context could not decide (``--undecided``) is marked as such, with its candidates:
    `[mention|best guess?|undecided: id, id, id +N more]`.
    """
    parts: list[str] = []
    position = 0
    for mention in sorted(mentions, key=lambda m: m.start):
        if mention.start < position:
            continue
        parts.append(text[position : mention.start])
        if mention.status == UNDECIDED:
            parts.append(f"[{text[mention.start : mention.end]}|{mention.name}?|undecided: {_candidates(mention)}]")
        else:
            parts.append(f"[{text[mention.start : mention.end]}|{mention.name}|{mention.id}]")
        position = mention.end
    parts.append(text[position:])
    return "".join(parts)


def _tip(mention: Mention) -> str:
    names = mention.name if not mention.name_uk or mention.name_uk == mention.name else \
        f"{mention.name} / {mention.name_uk}"
    if mention.status == UNDECIDED:
        return f"undecided: {names}? · {mention.kind} · candidates {_candidates(mention)}"
    tip = f"{names} · {mention.id} · {mention.kind}"
    if mention.status != MATCHED:
        tip += f" · {mention.status}: {mention.note}"
    return tip


def _mark_classes(mention: Mention) -> str:
    if mention.status == UNDECIDED:
        return "undecided"
    return f"k-{mention.kind}" + ("" if mention.status == MATCHED else " decided")


def _css() -> str:
    rules = [
        "body{font:16px/1.6 Georgia,'DejaVu Serif',serif;margin:0;background:#fafafa;color:#212121}",
        "main{max-width:960px;margin:0 auto;padding:24px 32px;background:#fff;box-shadow:0 0 8px #0002}",
        "h1{font:600 20px/1.3 system-ui,'DejaVu Sans',sans-serif;margin:0 0 4px}",
        "h2{font:600 17px/1.3 system-ui,'DejaVu Sans',sans-serif;margin:28px 0 8px}",
        ".meta,.legend,table{font:13px/1.5 system-ui,'DejaVu Sans',sans-serif}",
        ".meta{color:#616161;margin-bottom:12px}",
        ".legend span{display:inline-block;margin:0 8px 4px 0;padding:0 6px;border-radius:3px}",
        ".text{white-space:pre-wrap;border-top:1px solid #e0e0e0;padding-top:12px}",
        "mark{position:relative;padding:0 2px;border-radius:3px;border-bottom:2px solid;color:inherit;cursor:help}",
        "mark.decided{border-bottom-style:dashed}",
        "mark.undecided{background:#fff;border:1px dotted #757575;border-bottom-width:2px}",
        ("mark:hover::after{content:attr(data-tip);position:absolute;left:0;top:1.9em;z-index:10;"
         "white-space:nowrap;background:#263238;color:#fff;font:12px/1.4 system-ui,sans-serif;"
         "padding:3px 7px;border-radius:4px}"),
        "table{border-collapse:collapse;width:100%}",
        "th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}",
        "td.n{text-align:right}",
        "td.kind,td.id{white-space:nowrap}",
        "code{font:12px ui-monospace,'DejaVu Sans Mono',monospace}",
        ".swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;border:1px solid}",
    ]
    for kind, (background, border) in KIND_COLOURS.items():
        rules.append(f"mark.k-{kind},.legend .k-{kind}{{background:{background};border-color:{border}}}")
        rules.append(f".swatch.k-{kind}{{background:{background};border-color:{border}}}")
    return "\n".join(rules)


def _oblast_cell(oblast_id: str | None, names: Mapping[str, str]) -> str:
    """The oblast's name (its ID in the tip), or the ID when no name is known."""
    if not oblast_id:
        return ""
    name = names.get(oblast_id)
    if not name:
        return f"<code>{html.escape(oblast_id)}</code>"
    return f'<span title="{html.escape(oblast_id)}">{html.escape(name)}</span>'


def to_html(text: str, mentions: Sequence[Mention], *, title: str = "uanorm annotate", lang: str = "en",
            oblast_names: Mapping[str, str] | None = None) -> str:
    """A self-contained page: the text with highlighted mentions and the list of entities with counts.

    Mentions the context decided are underlined dashed; undecided ones (``--undecided``) are dotted
    boxes without a kind's colour, their candidates in the tip, and stay out of the entity list.
    `oblast_names` (oblast ID -> name) names the oblast column; an ID without a name is shown as is.
    """
    esc = html.escape
    names = oblast_names or {}
    body: list[str] = []
    position = 0
    for mention in sorted(mentions, key=lambda m: m.start):
        if mention.start < position:
            continue
        body.append(esc(text[position : mention.start]))
        classes = _mark_classes(mention)
        tip = esc(_tip(mention))
        body.append(f'<mark class="{esc(classes)}" data-id="{esc(mention.id)}" data-tip="{tip}" title="{tip}">'
                    f"{esc(text[mention.start : mention.end])}</mark>")
        position = mention.end
    body.append(esc(text[position:]))
    linked = [m for m in mentions if m.status != UNDECIDED]
    undecided = len(mentions) - len(linked)
    counts = entity_counts(linked)
    kinds_present = sorted({m.kind for m in linked}, key=lambda k: list(KIND_COLOURS).index(k)
                           if k in KIND_COLOURS else len(KIND_COLOURS))
    legend = "".join(f'<span class="k-{esc(k)}">{esc(k)}</span>' for k in kinds_present)
    rows = []
    for mention, count in counts:
        rows.append(
            f'<tr><td class="kind"><span class="swatch k-{esc(mention.kind)}"></span>{esc(mention.kind)}</td>'
            f"<td>{esc(mention.name)}</td><td>{esc(mention.name_uk or '')}</td>"
            f'<td class="id"><code>{esc(mention.id)}</code></td>'
            f"<td>{_oblast_cell(mention.oblast_id, names)}</td>"
            f'<td class="n">{count}</td></tr>'
        )
    table = ("<table><thead><tr><th>kind</th><th>name</th><th>name (uk)</th><th>id</th><th>oblast</th>"
             "<th>mentions</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>") if rows else \
        "<p class=\"meta\">No entities found.</p>"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>\n{_css()}\n</style></head>\n<body><main>\n"
        f"<h1>{esc(title)}</h1>\n"
        f'<div class="meta">{len(linked)} mentions of {len(counts)} entities · hover a mention for its '
        "canonical name and ID · dashed: decided by the document's context"
        + (f" · dotted: {undecided} undecided (candidates in the tip)" if undecided else "") + "</div>\n"
        f'<div class="legend">{legend}</div>\n'
        f'<article class="text">{"".join(body)}</article>\n'
        f"<h2>Entities</h2>\n{table}\n"
        "</main></body></html>\n"
    )
