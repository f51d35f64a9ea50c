"""The official Latin name of a Ukrainian name: the KMU 2010 national romanization."""

from __future__ import annotations

from functools import cache


@cache
def _kmu():
    from translitua import UkrainianKMU, translit

    return translit, UkrainianKMU


def official_latin(text_uk: str) -> str:
    """Romanize Ukrainian text by the national system (Resolution of the Cabinet of Ministers No. 55, 2010)."""
    translit, system = _kmu()
    return translit(text_uk, system)
