"""Every number the matcher decides with, in one place, each with the reason it has its value.

Scores live in [0, 1]: a hit's score says how well the spelling matched (1.0: the same fold),
the form weight how much the matched kind of name is trusted, context multiplies a score it
contradicts and adds a little to one it confirms. They were set on the dev sets of
`benchmarks/data/` and are checked by `benchmarks/quality.py` (never by the held-out sets).
"""

from __future__ import annotations

from types import MappingProxyType

# -- deciding -------------------------------------------------------------------------------

#: Below this score nothing is a match: a fuzzy hit of two edits on a short name scores under it.
ACCEPT = 0.80
#: Candidates within this distance of the best are in a near-tie: a prior or context must settle it.
NEAR_TIE = 0.025
#: Namesakes (one official name) the clues do not tell apart are rivals within this window: a Russian name from
#: GeoNames (0.99) and a derived Russian form (0.95) do not make one village more likely than another.
NAMESAKE_WINDOW = 0.05
#: A place settles a near-tie by population only when it has this many times the people of all its namesakes
#: together: a town of 19,000 does not dwarf ten villages (a settlement list names each of them), a city of
#: 200,000 does.
DWARFS = 10
#: Without a confirming clue, fuzzy, read-back and derived spellings are trusted only for places this large
#: (a typo of Kramatorsk is Kramatorsk; "Toshivka" is not Nosivka, 552 km away).
TRUSTED_POPULATION = 50_000
#: ... and only when the input, as written, is this similar to the spelling matched (rapidfuzz ratio / 100):
#: "qwerty" is a skeleton edit away from "Kertj", but nothing like it.
FUZZY_TRUSTED_SIMILARITY = 0.75
#: A fuzzy spelling of a small place confirmed only by its oblast must be this similar as written (an oblast has
#: a thousand villages: "Saltivka, Kharkiv" is a district of the city, not the village of Shativka).
FUZZY_OBLAST_SIMILARITY = 0.85
#: A namesake in another country counts for this many times fewer people (data about Ukraine names it less).
ABROAD_DISCOUNT = 10
#: Populations under this count as this much in the ratios above (villages without census figures)...
POPULATION_FLOOR = 1000
#: ... and urban-type settlements without one count as this much.
SETTLEMENT_FLOOR = 5000

# -- how a spelling matched: a hit's own score ------------------------------------------------

#: The input's fold is the spelling's fold.
EXACT = 1.0
#: An inflected Cyrillic word whose lemma is a spelling (у Лисичанську): as good as exact, a shade less.
INFLECTION = 0.975
#: The same skeleton (only transliteration differs): the base, plus a share of the plain similarity.
SKELETON_BASE, SKELETON_SPAN = 0.885, 0.08
#: The skeleton of a lemma of an inflected word: weaker than the word's own skeleton.
LEMMA_SKELETON_BASE, LEMMA_SKELETON_SPAN = 0.87, 0.06
#: A Russian form read back as Ukrainian (Kurakhovka -> Kurakhivka): as weak as a lemma's skeleton.
READING_BASE, READING_SPAN = 0.87, 0.06
#: A foreign declension ending dropped (Bachmutas): tried last, the weakest of the keyed hits.
FOREIGN_ENDING_BASE, FOREIGN_ENDING_SPAN = 0.85, 0.05
#: Foreign endings are tried only when every other hit scored under this.
FOREIGN_ENDING_WHEN_BELOW = 0.86
#: A fuzzy skeleton within `distance` edits: FUZZY_TOP - FUZZY_PER_EDIT * d - FUZZY_LENGTH * d / (len + 4),
#: so that longer names tolerate an edit better than short ones.
FUZZY_TOP, FUZZY_PER_EDIT, FUZZY_LENGTH = 0.95, 0.045, 0.5
#: ... times FUZZY_FLOOR + FUZZY_SIMILARITY * plain similarity of the input and the spelling.
FUZZY_FLOOR, FUZZY_SIMILARITY = 0.94, 0.06

# -- persons ------------------------------------------------------------------------------------

#: A surname alone (Haidai): below a current place name matched exactly, so it never ties one.
SURNAME_ALONE = 0.955
#: The given name's skeleton is the person's.
GIVEN_SAME = 1.0
#: An equivalent form of the given name (Sergei for Serhii).
GIVEN_EQUIVALENT = 0.98
#: An initial of one of the given name's forms (S. Haidai).
INITIAL_OF_GROUP = 0.95
#: A given name within one edit.
GIVEN_ONE_EDIT = 0.94
#: An initial that only agrees with the given name's skeleton.
INITIAL_OF_SKELETON = 0.93
#: The surname found within one edit.
SURNAME_FUZZY = 0.93
#: The surname found through a dictionary form of an inflected word (Зеленського).
SURNAME_INFLECTED = 0.97

# -- which kind of name matched: form weights -----------------------------------------------------

#: How much each kind of name is trusted (multiplies the hit's score); current names most.
FORM_WEIGHT = MappingProxyType({
    "official": 1.0, "official_latin": 1.0, "base": 1.0, "conventional": 0.995, "colloquial": 0.995,
    "user": 1.0, "russian": 0.99, "variant": 0.99, "alternate": 0.97, "former": 0.98,
    "derived_ru": 0.95, "occupation": 0.97,
})
#: Former names dropped before 1920 (Ekaterinoslav), before 1990 (Soviet renamings), before the 2014
#: wave (names still in wide use are weighted as FORM_WEIGHT says).
FORMER_BEFORE_1920 = 0.9
FORMER_BEFORE_1990 = 0.96
FORMER_BEFORE_2014 = 0.97
#: A form that needs its type word ("Bakhmutskyi" is the raion's adjective) met without one.
FORM_WITHOUT_ITS_TYPE_WORD = 0.9
#: Places outside Ukraine win only what Ukrainian entities do not claim as well.
FOREIGN = 0.99
#: Units that no longer exist (raions of before 2020, vanished villages) win only what no unit of today claims
#: about as well: their own Russian name ties with a unit's derived one (0.99 x 0.96 = 0.95).
FORMER_ENTITY = 0.96

# -- context: what a row or the input says around the name -----------------------------------------

#: A kind word that fits the entity adds a little; one that does not multiplies: an oblast, raion or
#: hromada word is a strong statement ("Kharkiv oblast" is not the city), a settlement word less so.
KIND_WORD_FITS = 0.02
KIND_WORD_CONTRADICTS_UNIT = 0.78
KIND_WORD_CONTRADICTS_PLACE = 0.9
#: In the oblast the row names / not in it.
OBLAST_FITS, OBLAST_CONTRADICTS = 0.03, 0.72
#: In the country the context names / not ("Primorsk, Leningrad Oblast" is not Prymorsk in Zaporizhzhia).
COUNTRY_FITS, COUNTRY_CONTRADICTS = 0.03, 0.6
#: In the raion the context names / not.
RAION_FITS, RAION_CONTRADICTS = 0.02, 0.8
#: In the hromada the row names / not in it.
HROMADA_FITS, HROMADA_CONTRADICTS = 0.02, 0.8
#: A point within a unit's reach of it fits (it is in or at the place); beyond FAR_REACHES times the reach it
#: contradicts. Reaches by kind approximate the size of the place (no outlines: points only).
REACH_KM = MappingProxyType({
    "village": 8.0, "settlement": 10.0, "city": 20.0, "city-district": 10.0, "hromada": 25.0, "raion": 70.0,
    "oblast": 200.0, "former-raion": 40.0, "former-settlement": 8.0, "country": 1000.0, "foreign": 20.0,
    "region": 300.0, "river": 400.0, "sea": 400.0, "reservoir": 60.0, "island": 20.0, "facility": 10.0,
    "person": 0.0,
})
NEAR_FITS = 0.03
FAR_REACHES = 3.0
FAR_CONTRADICTS = 0.8
#: An oblast hint names every top-level unit scoring within this of the best (Kyiv: city and oblast).
OBLAST_HINT_TOLERANCE = 0.06
#: A raion in the context names the raions scoring within this of the best (at most two).
RAION_HINT_TOLERANCE = 0.01
#: A parenthesized alternate that reaches the same entity confirms it by this much.
ALTERNATE_AGREES = 0.02

# -- priors: what settles a near-tie when context does not ----------------------------------------

#: Prior rank of kinds (higher wins a near-tie it can settle).
KIND_RANK = MappingProxyType({
    "country": 8, "oblast": 7, "city": 6, "foreign": 5, "region": 5, "person": 5, "river": 5, "sea": 5,
    "reservoir": 4, "island": 4, "facility": 4, "settlement": 3, "village": 2, "raion": 2, "former-raion": 2,
    "hromada": 1, "city-district": 1, "former-settlement": 1,
})
#: Kyiv and Sevastopol rank above other cities.
SPECIAL_STATUS_CITY = 0.5
#: A village or settlement that is the centre of a raion (2) or a hromada (1) ranks this much higher per step.
CENTRE_STEP = 0.3
#: A place abroad smaller than this ties with a Ukrainian village of the same name (rank 2).
SMALL_FOREIGN_POPULATION = 20_000
#: A large foreign city competes with a Ukrainian village or settlement within this distance.
FOREIGN_CITY_WINDOW = 0.05
FOREIGN_CITY_POPULATION = 50_000
