"""What the user layer accepts: texts, notes, language codes, IDs; and the names an entity's fields give it."""

from __future__ import annotations

import re
import unicodedata

from ..errors import InvalidTextError, UnknownEntityError
from ..model import ADMIN_KINDS, Entity, Name
from ..textutil import encodable, fold_name, script_of
from .records import MAX_NOTE_LENGTH, MAX_TEXT_LENGTH, SOURCES, UserLayerError

#: Kinds that are places: generated IDs are `user:<kind>-<slug>` (the codifier owns UA codes).
PLACE_KINDS = ADMIN_KINDS | {"foreign"}

_USER_ID = re.compile(r"^[a-z]+:[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANG = re.compile(r"^(?:[a-z]{2,3})(?:-[A-Za-z0-9]{2,8})?$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_REFUSED_CATEGORIES = {
    "Cc": "a control character", "Cf": "an invisible formatting character", "Cs": "a lone surrogate",
    "Co": "a private-use character", "Cn": "an unassigned code point", "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


def check_text(text: object, what: str = "text") -> str:
    """The text made storable (NFC, trimmed, spaces collapsed), or InvalidTextError saying why not."""
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, not {type(text).__name__}")
    cleaned = unicodedata.normalize("NFC", text).strip()
    if not cleaned:
        raise InvalidTextError(f"{what} is empty" if not text else f"{what} is blank (only whitespace)")
    _refuse_invisible(cleaned, what)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > MAX_TEXT_LENGTH:
        raise InvalidTextError(f"{what} is {len(cleaned):,} characters long; the limit is {MAX_TEXT_LENGTH}")
    if not any(char.isalnum() for char in cleaned):
        raise InvalidTextError(f"{what} {cleaned!r} has no letter or digit")
    return cleaned


def _refuse_invisible(text: str, what: str) -> None:
    for position, char in enumerate(text):
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES:
            name = unicodedata.name(char, "")
            label = f"{_REFUSED_CATEGORIES[category]}{', ' + name if name else ''}"
            raise InvalidTextError(f"{what} contains U+{ord(char):04X} ({label}) at position {position + 1}; "
                                   "names cannot hold control or invisible characters")


def check_note(note: object) -> str | None:
    """An optional free-text note, trimmed; control characters and over-long notes refused."""
    if note is None:
        return None
    if not isinstance(note, str):
        raise TypeError(f"note must be a str, not {type(note).__name__}")
    cleaned = unicodedata.normalize("NFC", note).strip()
    if not cleaned:
        return None
    _refuse_invisible(cleaned, "note")
    if len(cleaned) > MAX_NOTE_LENGTH:
        raise InvalidTextError(f"note is {len(cleaned):,} characters long; the limit is {MAX_NOTE_LENGTH}")
    return cleaned


def check_lang(lang: object) -> str:
    """A language code (uk, ru, en, ...); None or empty means 'und' (undetermined)."""
    if lang is None or (isinstance(lang, str) and not lang.strip()):
        return "und"
    if not isinstance(lang, str) or not _LANG.match(lang.strip()):
        raise InvalidTextError(f"lang must be a language code such as uk, ru, en or und, not {lang!r}")
    return lang.strip()


def check_source(source: object) -> str:
    """One of SOURCES."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    return str(source)


def check_entity_id(entity_id: object) -> str:
    """An entity ID argument, trimmed (existence is checked against the store)."""
    if not isinstance(entity_id, str):
        raise TypeError(f"entity ID must be a str, not {type(entity_id).__name__}")
    cleaned = entity_id.strip()
    if not cleaned or not encodable(cleaned):  # no ID holds a lone surrogate
        raise UnknownEntityError(entity_id)
    return cleaned


def check_scope(unit_id: object) -> str:
    """A decision's oblast or raion: a unit ID, or '' for any (None or blank)."""
    if unit_id is None:
        return ""
    if not isinstance(unit_id, str):
        raise TypeError(f"a scope must be a unit ID (str), not {type(unit_id).__name__}")
    cleaned = unit_id.strip()
    if cleaned and (not encodable(cleaned) or len(cleaned) > 100 or any(c.isspace() for c in cleaned)):
        raise UnknownEntityError(unit_id)
    return cleaned


def check_new_id(entity_id: str) -> str:
    """An ID chosen for a new user entity: lowercase `namespace:slug`."""
    cleaned = entity_id.strip()
    if not _USER_ID.match(cleaned) or len(cleaned) > 100:
        raise UserLayerError(
            f"entity ID {entity_id!r} must look like person:ivan-petrenko (lowercase namespace:slug, "
            "ASCII letters, digits and hyphens); KATOTTG codes belong to the codifier"
        )
    return cleaned


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens (a Cyrillic text is romanized by KMU 2010 first)."""
    from unidecode import unidecode

    if script_of(text) in ("Cyrl", "Mixed"):
        from ..latin import official_latin

        text = official_latin(text)
    slug = re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")
    return slug[:60].strip("-")


def id_stem(kind: str, name_uk: str | None, name: str | None) -> str:
    """The ID a new entity gets before uniqueness: person:<slug>, facility:<slug>, user:<kind>-<slug>."""
    slug = slugify(name_uk or name or "")
    if not slug:
        raise UserLayerError("cannot make an ID from this name; give one with --id namespace:slug")
    return f"user:{kind}-{slug}" if kind in PLACE_KINDS else f"{kind}:{slug}"


def entity_names(entity: Entity) -> list[Name]:
    """The names a user entity carries by its fields (official, KMU Latin, Latin, Russian)."""
    from ..latin import official_latin

    source = entity.source
    names: list[Name] = []
    if entity.name_uk:
        names.append(Name(entity.name_uk, "uk", script_of(entity.name_uk), "official", source))
        latin = official_latin(entity.name_uk)
        names.append(Name(latin, "uk", "Latn", "official_latin", source))
        if fold_name(entity.name) != fold_name(latin):
            names.append(Name(entity.name, "en", script_of(entity.name), "conventional", source))
    else:
        names.append(Name(entity.name, "und", script_of(entity.name), "official", source))
    if entity.name_ru:
        names.append(Name(entity.name_ru, "ru", script_of(entity.name_ru), "russian", source))
    return names
