"""Spelling: what a name looks like, before any lookup.

Input cleanup (`cleanup`: Unicode, apostrophes, look-alike letters, type words, context),
transliteration-invariant keys (`keys`: fold and skeleton), romanization systems
(`romanize`, one data file per system in `data/romanization/`) and Ukrainian/Russian
name forms and inflection (`forms`). Nothing here reads the gazetteer or the index.
"""
