"""Name forms: Russian forms of Ukrainian names, inflected Cyrillic -> lemma, given names.

derive_russian("Лисичанськ") -> ["лисичанск"]: the forms a Russian text would
use, derived by the regular Ukrainian/Russian correspondences (-ськ/-ск, і/и,
final і/о/е, -івка/-овка/-евка, -е/-ое, -ове/-ово, є/е, ї/и ...), lowercase.

lemma_candidates("Лисичанську") -> ["лисичанськ", ...]: dictionary forms an
inflected word may come from (pymorphy3 for Ukrainian and Russian, plus
suffix rules for names the dictionaries lack); the index keeps only those that
are real names.
"""

from __future__ import annotations

import csv
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from itertools import product
from pathlib import Path

from gazetteer.textutil import APOSTROPHE, APOSTROPHE_LIKE

from .keys import fold, join_skeletons, skeleton

DATA_DIR = Path(__file__).resolve().parent / "data"
_ONE_APOSTROPHE = str.maketrans(dict.fromkeys(APOSTROPHE_LIKE, APOSTROPHE))

_CONSONANTS = set("бвгґджзйклмнпрстфхцчшщ")
_VOWELS = set("аеєиіїоуюяыэё")

#: Word endings: Ukrainian -> Russian alternatives (longest first).
_RU_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ївка", ("евка",)),
    ("івка", ("овка", "евка")),
    ("івці", ("овцы", "евцы")),
    ("івські", ("овские", "евские")),
    ("ські", ("ские",)),
    ("цькі", ("цкие",)),
    ("зькі", ("зкие", "жские")),
    ("івське", ("овское", "евское")),
    ("івський", ("овский", "евский")),
    ("івська", ("овская", "евская")),
    ("жжя", ("жье",)),
    ("лля", ("лье",)),
    ("ття", ("тье",)),
    ("ння", ("нье",)),
    ("сся", ("сье",)),
    ("ччя", ("чье",)),
    ("ззя", ("зье",)),
    ("ддя", ("дье",)),
    ("иця", ("ица",)),
    ("ця", ("ца",)),
    ("ці", ("цы",)),
    ("ець", ("ец",)),
    ("ське", ("ское",)),
    ("цьке", ("цкое",)),
    ("зьке", ("зкое",)),
    ("ськ", ("ск",)),
    ("цьк", ("цк",)),
    ("зьк", ("зк",)),
    ("ський", ("ский",)),
    ("цький", ("цкий",)),
    ("ська", ("ская",)),
    ("цька", ("цкая",)),
    ("ове", ("ово", "овое", "ево")),
    ("еве", ("ево", "евое")),
    ("єве", ("ево", "евое")),
    ("ине", ("ино",)),
    ("їне", ("ино",)),
    ("іне", ("ино",)),
    ("іїв", ("еев",)),
    ("ïв", ("ев",)),
    ("їв", ("ев",)),
    ("ий", ("ый", "ий", "ой")),
    ("ій", ("ий",)),
    ("іль", ("оль",)),
)


def _final_syllable_variants(word: str) -> list[str]:
    """Ukrainian і in a final closed syllable is Russian о or е (Харків -> Харков, Ріг -> Рог)."""
    match = re.search(r"і([бвгґджзклмнпрстфхцчшщ]{1,2}ь?)$", word)
    if not match:
        return [word]
    stem = word[: match.start()]
    return [stem + "о" + match.group(1), stem + "е" + match.group(1), word]


def _adjective_variants(word: str, is_last: bool) -> list[str]:
    """A feminine or neuter adjective before a noun: Нова -> Новая, Біле -> Белое."""
    if is_last:
        return [word]
    if word.endswith("а") and len(word) > 3:
        return [word[:-1] + "ая", word]
    if word.endswith("е") and len(word) > 3:
        return [word[:-1] + "ое", word]
    if word.endswith("ий") and len(word) > 3:
        return [word[:-2] + "ый", word[:-2] + "ой", word]
    return [word]


@lru_cache(maxsize=1)
def russian_stems() -> tuple[tuple[str, str, bool], ...]:
    """(Ukrainian stem, Russian stem, only at the start of a word) from data/russian_stems.tsv, longest first:
    the correspondences the letters do not give (Підгірне -> Подгорное, Кам'янка -> Каменка)."""
    rows = []
    with open(DATA_DIR / "russian_stems.tsv", encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
            uk, ru, position = row["uk"].translate(_ONE_APOSTROPHE), row["ru"], row["position"]
            if not uk or not ru or position not in ("start", "any") or not row["source"]:
                raise ValueError(f"russian_stems.tsv:{line}: needs uk, ru, a position (start or any) and a source")
            rows.append((uk, ru, position == "start"))
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


def _with_russian_stems(word: str) -> str:
    """The word with every Ukrainian stem of the table that it holds written the Russian way."""
    for uk, ru, at_start in russian_stems():
        if word.startswith(uk) if at_start else uk in word:
            word = ru + word[len(uk):] if at_start else word.replace(uk, ru)
    return word


def _word_russian(word: str, is_last: bool) -> list[str]:
    """Russian candidates for one lowercase Ukrainian word (the table's stems first, as the letters give next)."""
    results: list[str] = []
    bases: list[str] = []
    for base in _adjective_variants(word, is_last):
        stemmed = _with_russian_stems(base)
        bases.extend((stemmed, base) if stemmed != base else (base,))
    for base in bases:
        ending_variants = [base]
        for ending, replacements in _RU_ENDINGS:
            if base.endswith(ending) and len(base) > len(ending) + 1:
                ending_variants = [base[: -len(ending)] + r for r in replacements]
                break
        else:
            if is_last and len(base) > 4 and base[-1] == "е" and base[-2] in _CONSONANTS:
                ending_variants = [base[:-1] + "ое", base[:-1] + "о"]
        for variant in ending_variants:
            for syllable in _final_syllable_variants(variant):
                # the rest of the word: і -> и (most often) or е (from the old ѣ)
                results.append(_letters_to_russian(syllable, "и"))
                results.append(_letters_to_russian(syllable, "е"))
    seen: dict[str, None] = {}
    for item in results:
        seen.setdefault(item, None)
    return list(seen)


def _letters_to_russian(word: str, i_as: str) -> str:
    """Letter correspondences: і and ї -> и or е (the old ѣ), є -> е, apostrophe -> ь, ґ -> г."""
    word = _LABIAL_APOSTROPHE.sub("", word)
    head, rest = word[:1], word[1:]
    head = head.replace("і", "и").replace("ї", "и")
    word = (head + rest.replace("і", i_as).replace("ї", i_as)).translate(_RU_LETTERS)
    word = re.sub(r"([сцз])ь(к)", r"\1\2", word)
    if word.startswith("микол"):  # Микола- is Russian Никола- (Миколаїв -> Николаев)
        word = "н" + word[1:].replace("ы", "и")
    word = word.replace("олекс", "алекс")  # Олександрівка -> Александровка
    return word.replace("вовч", "волч")


_RU_LETTERS = str.maketrans({"ї": "и", "є": "е", "'": "ь", "ґ": "г"})
#: After a labial the Ukrainian apostrophe has no Russian letter (Прип'ять -> Припять).
_LABIAL_APOSTROPHE = re.compile(r"(?<=[бпвмф])'")


@lru_cache(maxsize=100_000)
def derive_russian(name_uk: str, limit: int = 6) -> tuple[str, ...]:
    """Russian forms of a Ukrainian name (lowercase), most likely first, at most `limit`."""
    text = name_uk.lower().translate(_ONE_APOSTROPHE)
    words = re.split(r"(\s+|-)", text)
    tokens = [w for w in words if w and not w.isspace() and w != "-"]
    if not tokens:
        return ()
    # a word before a hyphen stands alone (Слобідка-Мушкатівська: a noun, not an adjective before a noun)
    hyphenated = [words[i + 1] == "-" for i in range(0, len(words) - 1) if words[i] and not words[i].isspace()
                  and words[i] != "-"]
    per_word = []
    for index, word in enumerate(tokens):
        alone = index == len(tokens) - 1 or (index < len(hyphenated) and hyphenated[index])
        per_word.append(_word_russian(word, alone)[:4])
    combos = []
    for combination in product(*per_word):
        it = iter(combination)
        rebuilt = "".join(next(it) if (w and not w.isspace() and w != "-") else w for w in words)
        if rebuilt != text:
            combos.append(rebuilt)
        if len(combos) >= limit * 3:
            break
    seen: dict[str, None] = {}
    for item in combos:
        seen.setdefault(item, None)
    return tuple(list(seen)[:limit])


def russian_adjective(noun: str) -> str | None:
    """The Russian adjective of a place name, as raions are named: Запорожье -> Запорожский."""
    word = noun.strip().lower()
    if len(word) < 3 or " " in word:
        return None
    if word.endswith(("ье", "ие")):
        return word[:-2] + "ский"
    if word.endswith(("ск", "цк")):
        return word + "ий"
    if word.endswith(("ь",)):
        return word + "ский"
    if word[-1] in "аяоеыи":
        return word[:-1] + "ский"
    if word[-1] in _CONSONANTS:
        return word + "ский"
    return None


# -- inflection -------------------------------------------------------------------------

#: Case endings -> dictionary endings, for names the dictionaries do not know (lowercase).
_LEMMA_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Ukrainian
    ("ові", ("ів", "ов", "")),
    ("еві", ("ів", "ев", "")),
    ("єві", ("їв", "єв")),
    ("ськом", ("ськ",)),
    ("ську", ("ськ",)),
    ("ська", ("ськ", "ська")),
    ("ському", ("ськ", "ське", "ський")),
    ("ськім", ("ськ", "ське", "ський")),
    ("ського", ("ське", "ський", "ськ")),
    ("ської", ("ська",)),
    ("ській", ("ська", "ський")),
    ("ською", ("ська",)),
    ("ному", ("не", "ний")),
    ("ньому", ("нє", "ній")),
    ("ого", ("е", "ий", "ое", "ый")),
    ("ому", ("е", "ий", "ое", "ый")),
    ("ім", ("е", "ий")),
    ("ої", ("а",)),
    ("ій", ("а", "ий")),
    ("ою", ("а",)),
    ("ею", ("я", "а")),
    ("ці", ("ка", "ця", "к")),
    ("озі", ("іг", "ога")),
    ("зі", ("га", "г")),
    ("сі", ("ха", "х")),
    ("ки", ("ка",)),
    ("ні", ("на", "ня", "ни")),
    ("щині", ("щина",)),
    ("щини", ("щина",)),
    ("щину", ("щина",)),
    ("щиною", ("щина",)),
    ("ччині", ("ччина",)),
    ("ччини", ("ччина",)),
    ("ем", ("",)),
    ("ям", ("ь", "я")),
    ("у", ("",)),
    ("ю", ("ь", "я")),
    ("а", ("",)),
    ("я", ("ь",)),
    ("і", ("а", "", "я", "ь")),
    ("и", ("а", "")),
    # Russian
    ("щины", ("щина",)),
    ("щине", ("щина",)),
    ("щину", ("щина",)),
    ("щиной", ("щина",)),
    ("ы", ("а", "ы")),
    ("ске", ("ск",)),
    ("цке", ("цк",)),
    ("ове", ("ов",)),
    ("еве", ("ев",)),
    ("ке", ("ка",)),
    ("ой", ("а", "ый", "ой")),
    ("ым", ("ый", "ое")),
    ("ом", ("", "о")),
    ("ого", ("ое", "ый", "ий")),
    ("ому", ("ое", "ый", "ий")),
    ("ем", ("", "е")),
    ("е", ("", "а", "о", "ь")),
)

_morph_lock = threading.Lock()


@lru_cache(maxsize=2)
def morph_analyzer(lang: str):
    """A pymorphy3 analyzer for 'uk' or 'ru' (loaded once, lazily)."""
    import logging

    logging.getLogger("pymorphy3").setLevel(logging.ERROR)
    import pymorphy3

    with _morph_lock:
        return pymorphy3.MorphAnalyzer(lang=lang)


def _morph_lemmas(word: str) -> list[str]:
    """Dictionary forms of a word by pymorphy3 (both languages), adjectives in all genders."""
    lemmas: list[str] = []
    for lang in ("uk", "ru"):
        try:
            analyzer = morph_analyzer(lang)
        except (ImportError, OSError, ValueError):  # dictionaries missing or unreadable: suffix rules still work
            continue
        if not analyzer.word_is_known(word):
            continue  # its guesses for unknown words are what the suffix rules give, at many times the cost
        for parse in analyzer.parse(word)[:4]:
            lemmas.append(parse.normal_form)
            if "ADJF" in parse.tag:
                for gender in ("femn", "neut"):
                    inflected = parse.inflect({gender, "nomn", "sing"})
                    if inflected is not None:
                        lemmas.append(inflected.word)
    return lemmas


def _rule_lemmas(word: str) -> list[str]:
    """Dictionary forms by stripping case endings (for names no dictionary has)."""
    results = []
    for ending, replacements in _LEMMA_RULES:
        if word.endswith(ending) and len(word) - len(ending) >= (1 if len(ending) >= 3 else 3):
            stem = word[: -len(ending)]
            for replacement in replacements:
                candidate = stem + replacement
                results.append(candidate)
                # vowel alternation in the last syllable: Харкова -> Харків, Львова -> Львів
                altered = re.sub(r"о([бвгджзклмнпрстфхцчшщ])$", r"і\1", candidate)
                if altered != candidate:
                    results.append(altered)
                altered = re.sub(r"є([бвгджзклмнпрстфхцчшщ])$", r"ї\1", candidate)
                if altered != candidate:
                    results.append(altered)
                altered = re.sub(r"е([бвгджзклмнпрстфхцчшщ])$", r"і\1", candidate)
                if altered != candidate:
                    results.append(altered)
    return results


@lru_cache(maxsize=50_000)
def word_lemmas(word: str, use_dictionary: bool = True) -> tuple[str, ...]:
    """Candidate dictionary forms of one lowercase Cyrillic word (the word itself first)."""
    candidates = [word]
    if use_dictionary:
        candidates.extend(_morph_lemmas(word))
    candidates.extend(_rule_lemmas(word))
    seen: dict[str, None] = {}
    for candidate in candidates:
        if candidate:
            seen.setdefault(candidate.replace("ё", "е"), None)
    return tuple(seen)


def lemma_candidates(phrase: str, limit: int = 40, use_dictionary: bool = True) -> list[str]:
    """Candidate dictionary forms of a (multi-word) lowercase Cyrillic phrase."""
    words = phrase.split()
    if not words or len(words) > 4:
        return [phrase] if words else []
    options = [word_lemmas(word, use_dictionary)[:8] for word in words]
    results: list[str] = []
    for combination in product(*options):
        results.append(" ".join(combination))
        if len(results) >= limit:
            break
    return results


# -- given names ----------------------------------------------------------------------

#: Endings of patronymics, Cyrillic and romanized (Сергійович, Oleksandrivna, Illichna): not surnames.
PATRONYMIC = re.compile(r"(ович|евич|йович|івна|ївна|овна|евна|ichna|ovych|ovich|evich|yevych|ivna|ovna|evna)$")


@lru_cache(maxsize=1)
def given_name_groups() -> dict[str, int]:
    """Given-name spelling (skeleton) -> group number; one group per name (Сергій/Сергей/Serhii ...)."""
    path = DATA_DIR / "given_names.tsv"
    groups: dict[str, int] = {}
    if not path.exists():
        return groups
    with open(path, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter="\t")):
            spellings: list[str] = []
            for column in ("uk", "ru", "be", "latin"):
                spellings.extend(part for part in (row.get(column) or "").split("|") if part.strip())
            for spelling in spellings:
                key = skeleton(spelling)
                if key:
                    groups.setdefault(key, number)
            for column in ("uk", "ru"):
                for spelling in (row.get(column) or "").split("|"):
                    if spelling.strip():
                        for romanized in _romanize_given(spelling.strip(), column):
                            groups.setdefault(skeleton(romanized), number)
    return groups


def _romanize_given(name: str, lang: str) -> list[str]:
    """A given name under every romanization system of its language (Юлія: Yuliia, Julija, Joelija ...),
    the national or wire system first: a spelling two names share goes to the name it is most used for."""
    from .romanize import romanize_all

    return list(romanize_all(name, lang).values())


@lru_cache(maxsize=1)
def _group_initials() -> dict[int, frozenset[str]]:
    """Given-name group -> the first letters (folded, Latin and Cyrillic) of its spellings."""
    path = DATA_DIR / "given_names.tsv"
    initials: dict[int, set[str]] = {}
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter="\t")):
            for column in ("uk", "ru", "be", "latin"):
                for spelling in (row.get(column) or "").split("|"):
                    folded = fold(spelling.strip())
                    if folded:
                        initials.setdefault(number, set()).add(folded[0])
    return {number: frozenset(letters) for number, letters in initials.items()}


def given_name_initials(group: int) -> frozenset[str]:
    """The initials a given name of this group may be abbreviated to (В., V., W. for Володимир)."""
    return _group_initials().get(group, frozenset())


def given_name_group(token: str) -> int | None:
    """The group of a given-name spelling, or None if it is not a known given name."""
    return given_name_groups().get(skeleton(token))


# -- Russian forms read back as Ukrainian (query side) ---------------------------------

#: Regular Russian -> Ukrainian correspondences on skeleton keys (see keys.skeleton), tried at
#: query time when a name is not found as written: Kurakhovka -> Kurakhivka, Rubezhnoye -> Rubizhne.
_READINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"ovka$", "ivka"), (r"evka$", "ivka"), (r"ovo$", "ove"), (r"evo$", "eve"), (r"ino$", "ine"),
        (r"noe$", "ne"), (r"oe$", "e"), (r"aia$", "a"), (r"oi$", "i"), (r"^pod", "pid"),
        (r"o([^aeiou]{1,2})$", r"i\1"), (r"e([^aeiou]{1,2})$", r"i\1"), (r"ovsk", "ivsk"), (r"ovc", "ivc"),
        (r"([rlntdsz])e$", r"\1ia"), (r"o([^aeiou])ia$", r"i\1ia"),
    )
)


@lru_cache(maxsize=1)
def _word_pairs() -> dict[str, tuple[str, ...]]:
    """Skeleton of a word -> skeletons of its counterparts in the other language (Вторая <-> Друга), and of
    a foreign word to the Ukrainian words it stands for in compounds (Dniester -> Дністровський)."""
    pairs: dict[str, list[str]] = {}
    with open(DATA_DIR / "word_pairs.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            ru, uk = skeleton(row["ru"]), skeleton(row["uk"])
            pairs.setdefault(ru, []).append(uk)
            pairs.setdefault(uk, []).append(ru)
            for word, target in ((ru, uk), (uk, ru)):
                romanized_pairs = pairs.setdefault(word, [])
                if target not in romanized_pairs:
                    romanized_pairs.append(target)
    # foreign words that stand for a Ukrainian one in compound exonyms (Belgorod-Dniester), one way
    with open(DATA_DIR / "exonym_words.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            targets = pairs.setdefault(skeleton(row["word"]), [])
            targets.extend(k for k in (skeleton(uk) for uk in row["uk"].split("|")) if k not in targets)
    return {word: tuple(targets) for word, targets in pairs.items()}


@lru_cache(maxsize=1)
def _stem_readings() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The table of Russian/Ukrainian stems read backwards, on skeleton keys (Podgornoye: pod -> pid, Hor -> Hir)."""
    rules = []
    for uk, ru, at_start in russian_stems():
        source, target = skeleton(ru), skeleton(uk)
        if source and source != target:
            rules.append((re.compile(("^" if at_start else "") + re.escape(source)), target))
    return tuple(rules)


#: Readings kept per word; the combinations of a name of up to _BEST_FIRST_WORDS words are tried best first.
_READINGS_PER_WORD = 12
_BEST_FIRST_WORDS = 3


def _word_readings(word: str, pairs: dict[str, tuple[str, ...]]) -> list[str]:
    """Ukrainian skeletons one Russian-form word may have, fewest rule applications first."""
    steps = {word: 0}
    for counterpart in pairs.get(word, ()):
        steps.setdefault(counterpart, 1)
    if word == "imeni":
        steps.setdefault("", 1)
    rules = _READINGS + _stem_readings()
    for round_ in (1, 2):  # rules combine: Rubezhnoye -> rubiZnoe -> rubiZne
        for candidate in sorted(steps):  # a snapshot: the loop adds to the dict
            if steps[candidate] != round_ - 1:
                continue
            for pattern, replacement in rules:
                changed = pattern.sub(replacement, candidate)
                if changed != candidate:
                    steps.setdefault(changed, round_)
            # the old ѣ: Russian е is Ukrainian і in the stem (Белая -> Біла, Рубежное -> Рубіжне)
            for position, char in enumerate(candidate[:-1]):
                if char == "e" and position > 0:
                    steps.setdefault(candidate[:position] + "i" + candidate[position + 1 :], round_)
    return sorted(steps, key=lambda v: (steps[v], len(v), v))[:_READINGS_PER_WORD]


def ukrainian_readings(words: list[str], limit: int = 24) -> list[str]:
    """Skeleton keys a Russian-form name may have in Ukrainian (words given as skeletons), most likely first.

    Each word is read on its own (Belgorod-Dnestrovsky: Bilhorod + Dnistrovskyi); the combinations of a
    name of several words are taken best first (fewest changes over all words), `limit` per word.
    """
    pairs = _word_pairs()
    options = [_word_readings(word, pairs) for word in words]
    combinations: Iterable[tuple[str, ...]]
    if 1 < len(options) <= _BEST_FIRST_WORDS:
        ranked = sorted(product(*(range(len(o)) for o in options)), key=lambda ranks: (sum(ranks), ranks))
        combinations = (tuple(options[i][rank] for i, rank in enumerate(ranks)) for ranks in ranked)
        limit *= len(options)
    else:  # one word, or so many that only the first combinations are tried
        combinations = product(*options)
    readings: list[str] = []
    original = join_skeletons(words)
    for combination in combinations:
        key = join_skeletons(combination)
        if key and key != original and key not in readings:
            readings.append(key)
        if len(readings) >= limit:
            break
    return readings
