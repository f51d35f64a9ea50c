"""Romanization systems: a registry read from data files, one file per system.

Each file in normalizer/spelling/data/romanization/ names a system, the language whose
Cyrillic it reads (uk or ru), its engine, and samples from the standard that a
test checks. Engines:

- ``translitua:<Class>``: a system of the translitua package;
- ``iuliia:<SCHEMA>``: a schema of the iuliia package;
- ``table``: a mapping table in the file itself (letters, word-initial and
  after-vowel variants, multi-letter sequences, word endings).

Library output is post-corrected in one place, the file's ``fix`` mapping
(iuliia leaves ``ё`` untransliterated in several schemas, for instance).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from gazetteer.textutil import APOSTROPHES

SYSTEMS_DIR = Path(__file__).resolve().parent / "data" / "romanization"

_CYRILLIC_VOWELS = set("аеєиіїоуюяыэёАЕЄИІЇОУЮЯЫЭЁ")
_SOFTENERS = set("ьъЬЪ" + APOSTROPHES)


@dataclass(frozen=True, eq=False)
class TableRules:
    """The mapping tables of a `table` system (all keys lowercase Cyrillic)."""

    letters: dict[str, str]
    initial: dict[str, str] = field(default_factory=dict)
    after_vowel: dict[str, str] = field(default_factory=dict)
    between_vowels: dict[str, str] = field(default_factory=dict)
    after_consonant: dict[str, str] = field(default_factory=dict)
    before_soft: dict[str, str] = field(default_factory=dict)
    soft_vowels: str = "ьеёиюяієї"
    sequences: dict[str, str] = field(default_factory=dict)
    endings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class System:
    """One romanization system: identity, language, engine, samples."""

    id: str
    title: str
    language: str
    engine: str
    priority: int
    reference: str
    samples: tuple[tuple[str, str], ...]
    fix: dict[str, str]
    rules: TableRules | None = None

    def romanize(self, text: str) -> str:
        """Romanize Cyrillic `text` by this system."""
        return _romanizer(self)(text)


def _apply_fix(text: str, fix: dict[str, str]) -> str:
    for wrong, right in fix.items():
        text = text.replace(wrong, right)
    return text


def _match_case(source: str, output: str) -> str:
    """Carry the case of a Cyrillic match over to its Latin output."""
    if not output or not source[0].isupper():
        return output
    if len(source) > 1 and source.isupper():
        return output.upper()
    return output[0].upper() + output[1:]


class TableEngine:
    """Romanize by context-sensitive mapping tables (longest match first)."""

    def __init__(self, rules: TableRules) -> None:
        self.rules = rules
        self._sequences = _by_length(rules.sequences)
        self._endings = _by_length(rules.endings)

    def __call__(self, text: str) -> str:
        rules = self.rules
        lower_text = text.lower()
        length = len(text)
        out: list[str] = []
        word_end = 0
        i = 0
        while i < length:
            char = text[i]
            lower = lower_text[i]
            previous = text[i - 1] if i else ""
            word_start = not previous or not (previous.isalpha() or previous in _SOFTENERS)
            if i >= word_end:
                word_end = i
                while word_end < length and (text[word_end].isalpha() or text[word_end] in _SOFTENERS):
                    word_end += 1
            value = None
            if not word_start:
                rest = word_end - i
                for size, table in self._endings:
                    if size == rest and lower_text[i:word_end] in table:
                        value, step = table[lower_text[i:word_end]], size
                        break
            if value is None:
                for size, table in self._sequences:
                    chunk = lower_text[i : i + size]
                    if len(chunk) == size and chunk in table:
                        value, step = table[chunk], size
                        break
            if value is not None:
                out.append(_match_case(text[i : i + step], value))
                i += step
                continue
            following = text[i + 1] if i + 1 < length else ""
            if word_start and lower in rules.initial:
                value = rules.initial[lower]
            elif previous in _CYRILLIC_VOWELS and following in _CYRILLIC_VOWELS and lower in rules.between_vowels:
                value = rules.between_vowels[lower]
            elif (previous in _CYRILLIC_VOWELS or previous in _SOFTENERS) and lower in rules.after_vowel:
                value = rules.after_vowel[lower]
            elif previous.isalpha() and lower in rules.after_consonant:
                value = rules.after_consonant[lower]
            elif following and following.lower() in rules.soft_vowels and lower in rules.before_soft:
                value = rules.before_soft[lower]
            elif lower in rules.letters:
                value = rules.letters[lower]
            else:
                value = char if not char.isalpha() else lower
            out.append(_match_case(char, value))
            i += 1
        return "".join(out)


def _by_length(table: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    """A mapping split by key length, longest first (for longest-match lookups)."""
    sizes: dict[int, dict[str, str]] = {}
    for key, value in table.items():
        sizes.setdefault(len(key), {})[key] = value
    return sorted(sizes.items(), reverse=True)


_engine_lock = threading.Lock()


@cache
def _romanizer(system: System) -> Callable[[str], str]:
    """The callable that romanizes by `system` (library or table), fixes applied."""
    engine = system.engine
    if engine == "table":
        assert system.rules is not None
        table = TableEngine(system.rules)
        return lambda text: _apply_fix(table(text), system.fix)
    package, _, name = engine.partition(":")
    with _engine_lock:
        if package == "translitua":
            import translitua

            table_class = getattr(translitua, name)
            translit = translitua.translit
            return lambda text: _apply_fix(translit(text, table_class), system.fix)
        if package == "iuliia":
            import iuliia

            schema = getattr(iuliia, name)
            return lambda text: _apply_fix(schema.translate(text), system.fix)
    raise ValueError(f"system {system.id}: unknown engine {engine!r}")


def _load_system(path: Path) -> System:
    """Read and validate one system file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    missing = {"id", "title", "language", "engine", "reference", "samples"} - set(data)
    if missing:
        raise ValueError(f"{path.name}: missing {sorted(missing)}")
    if data["language"] not in ("uk", "ru"):
        raise ValueError(f"{path.name}: language must be uk or ru")
    rules = None
    if data["engine"] == "table":
        table = data.get("table") or {}
        rules = TableRules(
            letters=dict(table.get("letters", {})),
            initial=dict(table.get("initial", {})),
            after_vowel=dict(table.get("after_vowel", {})),
            between_vowels=dict(table.get("between_vowels", {})),
            after_consonant=dict(table.get("after_consonant", {})),
            before_soft=dict(table.get("before_soft", {})),
            soft_vowels=str(table.get("soft_vowels", "ьеёиюяієї")),
            sequences=dict(table.get("sequences", {})),
            endings=dict(table.get("endings", {})),
        )
        if not rules.letters:
            raise ValueError(f"{path.name}: a table system needs letters")
    samples = tuple((str(a), str(b)) for a, b in data["samples"])
    return System(
        id=data["id"],
        priority=int(data.get("priority", 100)),
        title=data["title"],
        language=data["language"],
        engine=data["engine"],
        reference=data["reference"],
        samples=samples,
        fix=dict(data.get("fix", {})),
        rules=rules,
    )


@lru_cache(maxsize=1)
def systems() -> tuple[System, ...]:
    """Every registered system, most widely used first (the order explanations prefer)."""
    loaded = tuple(sorted((_load_system(path) for path in SYSTEMS_DIR.glob("*.json")), key=lambda s: s.priority))
    ids = [system.id for system in loaded]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate romanization system IDs")
    return loaded


def systems_for(language: str) -> tuple[System, ...]:
    """The systems that read Cyrillic of `language` ('uk' or 'ru')."""
    return tuple(system for system in systems() if system.language == language)


def get_system(system_id: str) -> System:
    """The system with this ID; raises LookupError if there is none."""
    for system in systems():
        if system.id == system_id:
            return system
    raise LookupError(f"unknown romanization system {system_id!r}")


def romanize_all(text: str, language: str) -> dict[str, str]:
    """`text` romanized by every system of `language`: system ID -> Latin spelling."""
    return {system.id: system.romanize(text) for system in systems_for(language)}

