"""Cleaning a Dask DataFrame partition by partition, each worker process with its own matcher.

On an existing cluster::

    import dask.dataframe as dd
    from dask.distributed import Client
    import normalizer.dask

    client = Client("tcp://scheduler:8786")
    client.run(normalizer.dask.prepare)             # optional: build/open each worker's gazetteer now
    ddf = dd.read_csv("events-*.csv", dtype=str, keep_default_na=False)
    cleaned = normalizer.dask.clean(ddf, column="location", oblast_column="oblast")
    cleaned.to_parquet("events-clean/")

Every worker needs uanorm installed (the same version as the client) and a gazetteer
home: its own UANORM_HOME by default (built on first use there, about a minute per machine;
`client.run(normalizer.dask.prepare)` does it up front), or a path all workers can read,
given as ``home=...``. Each worker process opens one Normalizer on first use and keeps it;
within a partition every distinct (value, oblast) pair is resolved once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .tables.clues import ClueColumns
from .tables.frames import clean_pandas
from .tables.pool import BatchResolver, process_normalizer

if TYPE_CHECKING:  # pragma: no cover
    import dask.dataframe as dd
    import pandas as pd


def clean(
    ddf: dd.DataFrame,
    column: str | Sequence[str],
    *,
    oblast_column: str | None = None,
    raion_column: str | None = None,
    hromada_column: str | None = None,
    lat_column: str | None = None,
    lon_column: str | None = None,
    oblast: str | None = None,
    kind: str | None = None,
    min_score: float | None = None,
    home: str | os.PathLike[str] | None = None,
) -> dd.DataFrame:
    """A Dask DataFrame with COL_id ... COL_method added after each resolved column (lazy, like Dask).

    The clue columns say where each row's name is, as in `normalizer.clean`.
    """
    clues = ClueColumns(oblast_column, raion_column, hromada_column, lat_column, lon_column, oblast)
    columns = [column] if isinstance(column, str) else list(column)
    if not columns:
        raise ValueError("no column to resolve")
    options = {"columns": columns, "clues": clues, "kind": kind, "min_score": min_score,
               "home": None if home is None else os.fspath(home)}
    meta = clean_pandas(ddf._meta, columns, BatchResolver(), clues=clues)
    return ddf.map_partitions(clean_partition, meta=meta, **options)


def clean_partition(
    part: pd.DataFrame,
    *,
    columns: list[str],
    clues: ClueColumns,
    kind: str | None,
    min_score: float | None,
    home: str | None,
) -> pd.DataFrame:
    """Clean one pandas partition with this process's Normalizer (opened on first use)."""
    normalizer = process_normalizer(home) if len(part) else None
    resolver = BatchResolver(normalizer, kind=kind, min_score=min_score)
    return clean_pandas(part, columns, resolver, clues=clues)


def prepare(home: str | os.PathLike[str] | None = None) -> str:
    """Open (building if needed) this process's gazetteer and index; returns the home used."""
    normalizer = process_normalizer(home)
    normalizer.resolve("Харкові")  # loads the Cyrillic morphology too
    return str(normalizer.home)
