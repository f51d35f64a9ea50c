"""HTML of `uanorm serve`: the entity page, the preview, the lookup page and its JSON; escaping."""

from __future__ import annotations

import html.parser
from typing import Any

import pytest

from gazetteer import Entity, Name
from gazetteer.timeline import EntityHistory, Successor
from normalizer.serve import pages
from normalizer.serve.entities import Code, Facts, Place

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
                     "KATOTTG", BAKHMUT, "KOATUU", "1410300000", "editions 2015, 2016, 2019, 2020",  # codes
                     "P-code", "UA1402001001", "Raion before 2020", "Bakhmut (miska rada)",
                     "48.59522, 38.00197", "OCHA", "80,500"):  # OCHA's point
        assert expected in text, expected
    hrefs = [r[2] for r in links.refs if r[0] == "a"]
    assert "/entity/UA14020010000088496" in hrefs and "/entity/UA14020000000013572" in hrefs  # hromada, raion
    assert "/entity/koatuu:1410300000" in hrefs  # the city council of before 2020
    assert any(h.startswith("https://www.openstreetmap.org/?mlat=48.59522&mlon=38.00197") for h in hrefs)
    assert loads_nothing_from_outside(links)


def test_the_page_of_a_former_raion_shows_its_years_successor_and_where_its_settlements_are(client,
                                                                                            gazetteer) -> None:
    links = parse(client.get("/entity/koatuu:0120400000").text)  # Bakhchysaraiskyi raion of before 2020
    text = " ".join(links.text)
    for expected in ("former raion", "Until", "2020", "KOATUU", "0120400000", "Its settlements are now in",
                     "85 settlements", "centroid of its settlements"):
        assert expected in text, expected
    hrefs = [r[2] for r in links.refs if r[0] == "a"]
    successors = gazetteer.successors("koatuu:0120400000")
    assert len(successors) > 10 and all(f"/entity/{s.entity.id}" in hrefs for s in successors[:pages.MAX_SUCCESSORS])
    assert "/entity/UA01020000000022387" in hrefs  # today's Bakhchysaraiskyi raion, the successor
    assert "/entity/UA01000000000013043" in hrefs  # Crimea


def test_the_page_of_a_renamed_village_lists_register_spellings(client, gazetteer) -> None:
    history = gazetteer.history_of("UA14160230090056993")  # Yuriivka, Воровське until 2016
    text = " ".join(parse(client.get("/entity/UA14160230090056993").text).text)
    assert "Воровське" in text and "until 2016" in text and "KOATUU 15.07.2015->30.11.2016" in text
    assert "Spellings in earlier register editions" in text
    assert all(v.text in text for v in history.variants)


def test_entity_page_of_a_unit_lists_the_units_below(client) -> None:
    links = parse(client.get("/entity/UA44120050000066819").text)  # Lysychanska hromada
    text = " ".join(links.text)
    assert "Units below" in text and "Centre" in text
    assert ("a", "href", f"/entity/{LYSYCHANSK}") in links.refs


def test_preview_is_small_and_has_the_essentials(client) -> None:
    page = client.get(f"/preview/{LYSYCHANSK}").text
    text = " ".join(parse(page).text)
    assert len(page) < 4000
    for expected in ("Lysychansk", "Лисичанськ", "Siverskodonetskyi raion", "UA4412005001", "4411800000",
                     "Lysychansk (miska rada)", "48.90468, 38.44290", "map"):
        assert expected in text, expected


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


def test_lookup_api_says_which_values_were_no_clue(client, normalizer) -> None:
    answer = client.get("/api/lookup", params={"q": "Іванівка", "raion": "Chuhuivskyi", "coordinates": "here"}).json()
    assert answer["ignored"] == ["coordinates: 'here' is not 'lat,lon' in degrees"]
    expected = normalizer.resolve("Іванівка", raion="Chuhuivskyi")  # the raion went to resolve, the point did not
    assert (answer["status"], answer["explanation"]) == (expected.status, expected.explanation)
    assert [c["id"] for c in answer["candidates"]] == [c.id for c in expected.candidates]


HOSTILE = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>'


def hostile_facts() -> Facts:
    """Facts whose every text tries to break out of the HTML."""
    entity = Entity('user:x"><script>', "village", HOSTILE, name_uk=HOSTILE, name_ru=HOSTILE, oblast_id=None,
                    population=5, lat=1.0, lon=2.0, role=HOSTILE, country="X<Y", year_to=2000)
    unit = Entity('UA" onclick="alert(3)', "hromada", HOSTILE)
    place = Place(entity, unit, None, None, HOSTILE, unit, unit)
    names = (Name(HOSTILE, 'uk" onmouseover="x', "Cyrl", "official", HOSTILE),)
    former = Name(HOSTILE, "uk", "Cyrl", "former", HOSTILE, 1900, 2000, HOSTILE)
    variant = Name(HOSTILE, "uk", "Cyrl", "variant", "history", None, None, HOSTILE)
    history = EntityHistory(entity, (former,), (variant,), (("koatuu", HOSTILE, HOSTILE),), unit, unit,
                            (Successor(unit, HOSTILE, 3),))
    return Facts(place, names, history, (Code("koatuu", HOSTILE, HOSTILE), Code(HOSTILE, HOSTILE)), unit)


@pytest.mark.parametrize("render", [lambda f: pages.entity_page(f, [f.place.hromada], 2), pages.preview, pages.flyout])
def test_every_text_is_escaped(render: Any) -> None:
    page = render(hostile_facts())
    assert "<script" not in page and "<img" not in page and 'onclick="' not in page and 'onmouseover="' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
