"""The sources a gazetteer is built from, one module each (and their re-runnable importers, `*_import.py`)."""

#: Every source, in build order: the codifier defines the entities, the rest add to them.
ALL_SOURCES = ("katottg", "geonames", "curated", "history", "coordinates")
