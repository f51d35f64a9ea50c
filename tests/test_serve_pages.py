"""HTML of `uanorm serve`: the entity page, the preview, the lookup page and its JSON; escaping."""

from __future__ import annotations

import html.parser
from typing import Any

import pytest

from gazetteer import Entity, Name
from normalizer.serve import clues, pages
from normalizer.serve.entities import Facts, FormerName, Place

from . import test_serve as served

base_url, client = served.base_url, served.client  # the service's fixtures
BAKHMUT, LYSYCHANSK = served.BAKHMUT, served.LYSYCHANSK


class Links(html.parser.HTMLParser):
    """Every src/href of a page, its text, and the rows of its tables."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("src", "href"):
                self.refs.append((tag, key, value or ""))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Links:
    """The page's references and text."""
    links = Links()
    links.feed(page)
    return links


def loads_nothing_from_outside(links: Links) -> bool:
    """No script, style or image from another origin (links to a map are fine)."""
    return not [r for r in links.refs if r[0] != "a" and r[2].startswith(("http:", "https:", "//"))]


def test_entity_page_shows_names_hierarchy_former_names_codes_and_map(client) -> None:
    response = client.get(f"/entity/{BAKHMUT}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    links = parse(response.text)
    text = " ".join(links.text)
    for expected in ("Bakhmut", "Бахмут", "Bachmut",  # names in Latin and Cyrillic, alternates
                     "Артемівськ", "Артёмовск", "Artemivsk", "1924\u20132016",  # the former name with its years
                     "KATOTTG", BAKHMUT, "P-code", "UA1402001001", "48.59419, 37.99886", "80,500"):
        assert expected in text, expected
    hrefs = [r[2] for r in links.refs if r[0] == "a"]
    assert "/entity/UA14020010000088496" in hrefs and "/entity/UA14020000000013572" in hrefs  # hromada, raion
    assert any(h.startswith("https://www.openstreetmap.org/?mlat=48.59419&mlon=37.99886") for h in hrefs)
    assert loads_nothing_from_outside(links)


def test_entity_page_of_a_unit_lists_the_units_below(client) -> None:
    links = parse(client.get("/entity/UA44120050000066819").text)  # Lysychanska hromada
    text = " ".join(links.text)
    assert "Units below" in text and "Centre" in text
    assert ("a", "href", f"/entity/{LYSYCHANSK}") in links.refs


def test_preview_is_small_and_has_the_essentials(client) -> None:
    page = client.get(f"/preview/{LYSYCHANSK}").text
    text = " ".join(parse(page).text)
    assert len(page) < 4000
    for expected in ("Lysychansk", "Лисичанськ", "Siverskodonetskyi raion", "UA4412005001", "map"):
        assert expected in text


def test_lookup_page_and_its_files_are_served_from_the_package(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    links = parse(page.text)
    assert ("script", "src", "/static/lookup.js") in links.refs and ("link", "href", "/static/uanorm.css") in links.refs
    assert loads_nothing_from_outside(links) and "<script>" not in page.text  # no inline script (the CSP forbids it)
    script = client.get("/static/lookup.js")
    assert script.headers["content-type"].startswith("text/javascript") and "textContent" in script.text
    assert ".innerHTML" not in script.text
    assert client.get("/static/uanorm.css").headers["content-type"].startswith("text/css")


def test_lookup_api_gives_status_candidates_and_explanation(client, normalizer) -> None:
    answer = client.get("/api/lookup", params={"q": "Lisichansk"}).json()
    assert answer["status"] == "matched" and answer["explanation"] == normalizer.resolve("Lisichansk").explanation
    best = answer["candidates"][0]
    assert best["id"] == LYSYCHANSK and best["match"] and best["url"] == f"/entity/{LYSYCHANSK}"
    assert best["kind"] == "city" and best["name_uk"] == "Лисичанськ"
    ambiguous = client.get("/api/lookup", params={"q": "Іванівка", "oblast": "Kharkiv", "limit": "3"}).json()
    assert ambiguous["status"] == "ambiguous" and len(ambiguous["candidates"]) == 3
    assert not any(c["match"] for c in ambiguous["candidates"])
    assert all("Kharkivska oblast" in c["description"] for c in ambiguous["candidates"])
    oblast = client.get("/api/lookup", params={"q": "Kharkiv", "type": "oblast"}).json()
    assert oblast["candidates"][0]["kind"] == "oblast"


def test_lookup_api_says_which_clues_were_not_used(client, normalizer) -> None:
    answer = client.get("/api/lookup", params={"q": "Іванівка", "raion": "Chuhuivskyi", "coordinates": "here"}).json()
    notes = answer["ignored"]
    assert any(n.startswith("coordinates: 'here' is not") for n in notes)
    assert any(n.startswith("raion:") for n in notes) == ("raion" not in clues.accepted_clues(normalizer))


HOSTILE = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>'


def hostile_facts() -> Facts:
    """Facts whose every text tries to break out of the HTML."""
    entity = Entity('user:x"><script>', "village", HOSTILE, name_uk=HOSTILE, name_ru=HOSTILE, oblast_id=None,
                    population=5, lat=1.0, lon=2.0, role=HOSTILE, country="X<Y")
    unit = Entity('UA" onclick="alert(3)', "hromada", HOSTILE)
    place = Place(entity, unit, None, None, HOSTILE)
    names = (Name(HOSTILE, 'uk" onmouseover="x', "Cyrl", "official", HOSTILE),)
    return Facts(place, names, (FormerName((HOSTILE,), 1900, 2000),), {"koatuu": HOSTILE}, unit, (HOSTILE,))


@pytest.mark.parametrize("render", [lambda f: pages.entity_page(f, [f.place.hromada], 2), pages.preview, pages.flyout])
def test_every_text_is_escaped(render: Any) -> None:
    page = render(hostile_facts())
    assert "<script" not in page and "<img" not in page and 'onclick="' not in page and 'onmouseover="' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
