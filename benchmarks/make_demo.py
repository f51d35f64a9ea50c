"""Regenerate seeds/events_demo.csv: a messy conflict-events table for `uanorm clean` to work on.

    python benchmarks/make_demo.py [--rows 3000] [--seed 2022] [--out seeds/events_demo.csv]

The locations are real-world spellings: the dev set's inputs (benchmarks/data/dev_places.tsv:
English press and KMU romanizations, Russian-based spellings, exonyms, Ukrainian and Russian
Cyrillic, inflected forms, former names, slugs, typos, homoglyphs), cross-border places
(dev_foreign.tsv), and villages of the gazetteer romanized by the registered systems, some
with typos. The oblast column writes each place's oblast the way sources do: KMU Latin,
English, Ukrainian or Russian Cyrillic, abbreviated, ISO code, or empty. A few rows carry
what real exports carry: empty cells, "N/A", a formula. The same seed and gazetteer give
the same file, byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

EVENT_TYPES = ("shelling", "shelling", "drone strike", "missile strike", "airstrike", "clashes",
               "evacuation", "infrastructure damage", "humanitarian aid delivery")
SOURCES = ("Suspilne", "regional military administration", "Ukrainska Pravda", "Telegram channel",
           "OCHA flash update", "local council", "ISW", "RIA (Russian state media)")
NOTES = ("", "", "", "2 injured", "power outage reported", 'residents told to "stay in shelters"',
         "school damaged; no casualties", "according to the head of the hromada", "unconfirmed",
         "пошкоджено житловий будинок", "обстрел, данные уточняются", "aid convoy, 12 t of food")
ODDITIES = ("", "N/A", "unknown", "=HYPERLINK(\"http://example.com\",\"map\")", "-", "see notes")


def read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a dev-set file."""
    with open(HERE / "data" / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def oblast_spelling(oblast, rnd: random.Random) -> str:
    """An oblast written the way one source or another writes it."""
    if oblast is None:
        return ""
    if not oblast.name.endswith(" oblast"):  # Crimea, Kyiv, Sevastopol: their own names
        return rnd.choice([oblast.name, oblast.name_uk or oblast.name, oblast.name_ru or oblast.name, ""])
    latin = oblast.name.replace(" oblast", "")
    uk = (oblast.name_uk or "").replace(" область", "")
    ru = (oblast.name_ru or "").replace(" область", "")
    choices = [f"{latin} oblast", f"{latin} Oblast", latin, f"{uk} область", f"{uk} обл.", f"{ru} область",
               oblast.iso3166_2 or latin, ""]
    return rnd.choice(choices)


def locations(home: str | None, rnd: random.Random) -> list[tuple[str, str | None, str | None]]:
    """(spelling, oblast hint given by the dev set, ID it denotes) for every candidate location."""
    from benchmarks.clean_speed import typo
    from normalizer import Normalizer
    from normalizer.spelling.romanize import systems_for

    found = [(r["input"], r["oblast"] or None, r["expected_id"]) for r in read_tsv("dev_places.tsv")]
    found += [(r["input"], None, None) for r in read_tsv("dev_foreign.tsv")]
    with Normalizer(home) as normalizer:
        villages = sorted(normalizer.gazetteer.entities("village"), key=lambda e: e.id)
    systems = systems_for("uk") + systems_for("ru")
    for entity in rnd.sample(villages, 400):
        system = rnd.choice(systems)
        source = entity.name_uk if system.language == "uk" else (entity.name_ru or entity.name_uk)
        text = system.romanize(source or entity.name)
        if rnd.random() < 0.2:
            text = typo(text, rnd)
        found.append((text, None, entity.id))
    return found


def make(home: str | None, rows: int, seed: int) -> list[list[str]]:
    """The demo table, header first."""
    from normalizer import Normalizer

    rnd = random.Random(seed)
    places = locations(home, rnd)
    rnd.shuffle(places)
    weights = [1.0 / (rank + 8) for rank in range(len(places))]
    table = [["event_id", "event_date", "event_type", "location", "oblast", "fatalities", "source", "notes"]]
    with Normalizer(home) as normalizer:
        gazetteer = normalizer.gazetteer
        oblast_of: dict[str, object] = {}
        for number in range(1, rows + 1):
            spelling, hint, entity_id = rnd.choices(places, weights)[0]
            if rnd.random() < 0.01:
                spelling, hint, entity_id = rnd.choice(ODDITIES), None, None
            region = hint or ""
            if not hint and entity_id:
                if entity_id not in oblast_of:
                    entity = gazetteer.find(entity_id)
                    oblast_of[entity_id] = gazetteer.find(entity.oblast_id) if entity and entity.oblast_id else None
                region = oblast_spelling(oblast_of[entity_id], rnd)
            day = rnd.randrange(0, 1000)
            date = f"{2022 + day // 365}-{(day % 365) // 31 + 1:02d}-{day % 28 + 1:02d}"
            killed = str(rnd.choice((0, 0, 0, 0, 1, 1, 2, 3, 5))) if rnd.random() > 0.05 else ""
            table.append([f"UA-EV-{number:05d}", date, rnd.choice(EVENT_TYPES), spelling, region, killed,
                          rnd.choice(SOURCES), rnd.choice(NOTES)])
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--home", help="UANORM_HOME (default: the usual one)")
    parser.add_argument("--out", default=str(REPO / "seeds" / "events_demo.csv"))
    args = parser.parse_args()
    table = make(args.home, args.rows, args.seed)
    with open(args.out, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)
    print(f"wrote {args.out}: {len(table) - 1} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
