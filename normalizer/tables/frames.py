"""DataFrames: resolving columns of pandas and polars frames (the same type comes back).

`clean(df, column=...)` adds the answer fields after each column; `resolve_series(series)` and
`resolve_expr(pl.col(...))` give the fields of one column. Each distinct (value, oblast) pair is
resolved once (`pool`), and the answers are attached by a hash of the pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from gazetteer.progress import SHOW_AFTER, Progress, progress_or_default

from ..errors import ColumnError, InputFileError
from .answers import SUFFIXES, Answer, Key, output_names
from .clues import NO_CLUES, ClueColumns, clue_cell
from .pool import BatchResolver
from .review import ColumnReport

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import polars as pl

    from ..match.session import Matching

    #: What `clean` takes and gives back: the same kind of frame.
    Frame = TypeVar("Frame", pd.DataFrame, pl.DataFrame, pl.LazyFrame)

_KEY_VALUE = "__uanorm_value__"
_KEY_CLUE = "__uanorm_clue_"
_KEY_HASH = "__uanorm_key__"


# -- the declared types of the answer columns, in every engine ---------------------------------------------


def field_types() -> dict[str, type]:
    """The value type of each answer field (by suffix), from `Answer`'s own annotations: str, float or int."""
    import typing

    hints = typing.get_type_hints(Answer)
    kinds: dict[str, type] = {}
    for suffix in SUFFIXES:
        members = typing.get_args(hints[suffix]) or (hints[suffix],)
        kinds[suffix] = next((t for t in (float, int) if t in members), str)
    return kinds


def pandas_dtypes() -> dict[str, Any]:
    """The pandas dtype of each answer field (by suffix): nullable Arrow-backed strings, float64 numbers.

    Declared, never inferred: an empty frame (a Dask `meta`) and a full one agree, and Parquet, Arrow
    and polars read the columns as strings (object columns hold anything and are written as such).
    """
    import pandas as pd

    engine = {str: pd.StringDtype("pyarrow"), float: "float64", int: "Int64"}
    return {suffix: engine[kind] for suffix, kind in field_types().items()}


def polars_dtypes() -> dict[str, Any]:
    """The polars dtype of each answer field (by suffix): String, Float64 numbers (Int64 counts)."""
    import polars as pl

    engine = {str: pl.String, float: pl.Float64, int: pl.Int64}
    return {suffix: engine[kind] for suffix, kind in field_types().items()}


def _check_columns(available: Sequence[Any], columns: Sequence[Any], clues: ClueColumns, *, name: str) -> None:
    from .formats import missing_column

    if len(set(columns)) != len(columns):
        raise ColumnError(f"{name}: a column is given twice: {list(columns)}")
    reserved = [c for c in available if str(c).startswith("__uanorm_")]
    if reserved:
        raise ColumnError(f"{name}: column {reserved[0]!r} uses a name reserved for uanorm's own work; rename it")
    for column in columns:
        if column not in available:
            raise missing_column(column, [str(c) for c in available], name=name)
    for field_name, clue_column in clues.columns().items():
        if clue_column not in available:
            raise missing_column(clue_column, [str(c) for c in available], name=name, what=f"{field_name} column")
        if clue_column in columns:
            raise ColumnError(f"{name}: column {clue_column!r} cannot be both resolved and the {field_name} column")
    taken = {str(c) for c in available}
    for column in columns:
        clash = [n for n in output_names(column) if n in taken]
        if clash:
            raise ColumnError(f"{name}: cannot add {clash[0]!r} after {column!r}: a column of that name exists; "
                              "rename it first")
        taken.update(output_names(column))


def _as_text(frame_schema: Any, column: str) -> pl.Expr:
    import polars as pl

    dtype = frame_schema[column]
    if dtype == pl.String:
        return pl.col(column)
    if dtype in (pl.Categorical, pl.Enum) or isinstance(dtype, (pl.Categorical, pl.Enum)):
        return pl.col(column).cast(pl.String)
    return pl.lit(None, dtype=pl.String)


def _as_clue(frame_schema: Any, column: str) -> pl.Expr:
    """A clue column as text: strings as they are, numbers (coordinates, KOATUU codes) written out."""
    import polars as pl

    dtype = frame_schema[column]
    if dtype.is_numeric():
        return pl.col(column).cast(pl.String)
    return _as_text(frame_schema, column)


def _mapping_frame(pairs: pl.DataFrame, answers: dict[Key, Answer], column: str, values: list[Any],
                   hints: list[Any], key_columns: Sequence[str]) -> pl.DataFrame:
    """The join table: the key column(s) of each distinct pair and its output columns."""
    import polars as pl

    rows = [answers[(v, h)] for v, h in zip(values, hints)]
    data: dict[str, Any] = {key: pairs[key] for key in key_columns}
    answer_frame = _polars_answer_frame(rows)
    for suffix, name in zip(SUFFIXES, output_names(column)):
        data[name] = answer_frame[suffix].alias(name)
    return pl.DataFrame(data)


def _attach_by_hash(frame: pl.LazyFrame, mapping: pl.DataFrame) -> pl.LazyFrame:
    """Each row's output columns looked up by its pair hash, row by row (order kept, streamable).

    An order-keeping join does the same, but polars' takes seconds and gigabytes when a few
    values fill millions of rows (2 distinct values in 2M rows: up to 35 s and 20 GB).
    """
    import polars as pl

    keys = mapping[_KEY_HASH]
    lookups = [pl.col(_KEY_HASH).replace_strict(keys, mapping[name], default=None, return_dtype=mapping[name].dtype)
               .alias(name) for name in mapping.columns if name != _KEY_HASH]
    return frame.with_columns(lookups).drop(_KEY_HASH)


def _join_kwargs() -> dict[str, Any]:
    import polars as pl

    from .formats import accepts

    options: dict[str, Any] = {"how": "left", "maintain_order": "left"}
    options["nulls_equal" if accepts(pl.LazyFrame.join, "nulls_equal") else "join_nulls"] = True
    return options


def streaming() -> dict[str, Any]:
    """collect() options for polars' streaming engine (named differently before polars 1.23)."""
    import polars as pl

    from .formats import accepts

    return {"engine": "streaming"} if accepts(pl.LazyFrame.collect, "engine") else {"streaming": True}


def _pair_hash(value: pl.Expr, clues: Sequence[pl.Expr]) -> pl.Expr:
    """A 64-bit key for the (value, clues) of each row: joining on it is far cheaper than on strings."""
    import polars as pl

    fields = [value.alias("v"), *(clue.alias(f"c{i}") for i, clue in enumerate(clues))]
    return pl.struct(fields).hash(seed=7).alias(_KEY_HASH)


def clean_polars(
    frame: pl.DataFrame | pl.LazyFrame,
    columns: Sequence[str],
    resolver: BatchResolver,
    *,
    clues: ClueColumns = NO_CLUES,
    name: str = "data",
) -> tuple[pl.DataFrame | pl.LazyFrame, list[ColumnReport]]:
    """Add the output columns to a polars frame (a LazyFrame stays lazy: only distinct pairs are collected).

    Rows are matched to their pair's answer by a hash of (value, clue columns); the distinct
    pairs are checked to have distinct hashes (else the join falls back to the strings),
    so every row gets exactly its own pair's answer.
    """
    import polars as pl

    lazy = isinstance(frame, pl.LazyFrame)
    schema = frame.collect_schema() if lazy else frame.schema
    available = list(schema.names())
    _check_columns(available, columns, clues, name=name)
    clue_names = [f"{_KEY_CLUE}{field_name}" for field_name in clues.columns()]
    clue_exprs = [_as_clue(schema, column) for column in clues.columns().values()]
    group_keys = [_KEY_VALUE, *clue_names]
    queries = []
    for column in columns:
        keys = [_as_text(schema, column).alias(_KEY_VALUE)] + [e.alias(n) for e, n in zip(clue_exprs, clue_names)]
        queries.append(frame.lazy().group_by(keys).agg(pl.len().alias("__count__"))
                       .with_columns(_pair_hash(pl.col(_KEY_VALUE), [pl.col(n) for n in clue_names])))
    try:
        distinct = pl.collect_all(queries, **(streaming() if lazy else {}))
    except pl.exceptions.PolarsError as exc:
        raise InputFileError(f"{name}: {str(exc).strip().splitlines()[0]}") from None
    result = frame.lazy()
    reports: list[ColumnReport] = []
    for column, pairs in zip(columns, distinct):
        values = pairs[_KEY_VALUE].to_list()
        cells = list(zip(*(pairs[n].to_list() for n in clue_names))) if clue_names else [()] * len(values)
        hints = [clues.hint(row) for row in cells]
        answers = resolver.answers(zip(values, hints))
        report = ColumnReport(str(column), resolver.hint_key)
        for value, hint, count in zip(values, hints, pairs["__count__"].to_list()):
            report.add(value, hint, count, answers[(value, hint)])
        reports.append(report)
        value_expr = _as_text(schema, column)
        if pairs[_KEY_HASH].n_unique() == pairs.height:
            mapping = _mapping_frame(pairs, answers, column, values, hints, [_KEY_HASH])
            result = _attach_by_hash(result.with_columns(_pair_hash(value_expr, clue_exprs)), mapping)
        else:  # a hash collision among the distinct pairs: join on the strings themselves
            mapping = _mapping_frame(pairs, answers, column, values, hints, group_keys)
            extra = [value_expr.alias(_KEY_VALUE)] + [e.alias(n) for e, n in zip(clue_exprs, clue_names)]
            result = (result.with_columns(extra).join(mapping.lazy(), on=group_keys, **_join_kwargs())
                      .drop(group_keys))
    order: list[str] = []
    for column in available:
        order.append(column)
        if column in columns:
            order.extend(output_names(column))
    result = result.select(order)
    return (result if lazy else result.collect()), reports


# -- pandas frames -------------------------------------------------------------------------------


def clean_pandas(
    frame: pd.DataFrame,
    columns: Sequence[Any],
    resolver: BatchResolver,
    *,
    clues: ClueColumns = NO_CLUES,
) -> pd.DataFrame:
    """A copy of a pandas DataFrame with the output columns added after each resolved column."""
    import pandas as pd

    if frame.columns.has_duplicates:
        raise ColumnError("the DataFrame has duplicate column names; they cannot be told apart")
    _check_columns(list(frame.columns), columns, clues, name="DataFrame")
    hints = row_hints(clues, [frame[c].tolist() for c in clues.columns().values()], len(frame))
    added: dict[Any, pd.DataFrame] = {}
    for column in columns:
        values = [hashable(v) for v in frame[column].tolist()]
        keys = list(zip(values, hints))
        answers = resolver.answers(set(keys))
        added[column] = _answer_frame([answers[k] for k in keys], output_names(column), frame.index)
    pieces = []
    for column in frame.columns:
        pieces.append(frame[[column]])
        if column in added:
            pieces.append(added[column])
    return pd.concat(pieces, axis=1) if pieces else frame.copy()


def row_hints(clues: ClueColumns, cells: Sequence[Sequence[Any]], rows: int) -> list[Any]:
    """Each row's hint from the cells of its clue columns (one list per column, in `clues.columns()` order)."""
    if not cells:
        return [clues.hint(())] * rows
    return [clues.hint(row) for row in zip(*([clue_cell(v) for v in column] for column in cells))]


def hashable(value: object) -> object:
    """A value usable as a key (lists and dicts from JSON as their repr)."""
    return value if isinstance(value, str) else None


def _answer_frame(rows: Sequence[Answer], names: Sequence[str], index: Any) -> pd.DataFrame:
    """The answer fields of `rows` as columns `names` (one per suffix), with their declared dtypes."""
    import pandas as pd

    dtypes = pandas_dtypes()
    data = {name: pd.Series([_field(row, suffix) for row in rows], index=index, dtype=dtypes[suffix])
            for suffix, name in zip(SUFFIXES, names)}
    return pd.DataFrame(data, index=index)


def _field(row: Answer, suffix: str) -> Any:
    return getattr(row, suffix)


# -- the Python API --------------------------------------------------------------------------------


def clean(
    df: Frame,
    column: Any | Sequence[Any],
    *,
    oblast_column: Any = None,
    raion_column: Any = None,
    hromada_column: Any = None,
    lat_column: Any = None,
    lon_column: Any = None,
    oblast: str | None = None,
    kind: str | None = None,
    min_score: float | None = None,
    normalizer: Matching | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> Frame:
    """Resolve one or more columns of a pandas or polars DataFrame; returns the same type with columns added.

    For each resolved column COL, the fields of `answers.SUFFIXES` follow it as COL_id, COL_name, ...
    (strings: pandas ``string[pyarrow]``, polars ``String``; score, lat and lon ``float64`` / ``Float64``).
    The row's own columns may say where its name is: `oblast_column`, `raion_column` (today's raion or
    one of before 2020), `hromada_column` (any spelling or an ID), `lat_column` and `lon_column` (a
    point, decimal degrees); `oblast` gives one oblast for all rows instead of `oblast_column`. `kind`
    limits the entity kinds; matches scoring below `min_score` are reported as ambiguous.
    `normalizer` defaults to the process-wide one on the default home; `workers` > 1 resolves in that
    many processes. `progress` receives the work's progress (default: shown once the work has lasted
    a second, as `gazetteer.progress` describes; none with UANORM_QUIET=1). A LazyFrame stays lazy.
    """
    clues = ClueColumns(oblast_column, raion_column, hromada_column, lat_column, lon_column, oblast)
    columns = [column] if isinstance(column, str) or not isinstance(column, (list, tuple)) else list(column)
    if not columns:
        raise ValueError("no column to resolve")
    with progress_or_default(progress, "clean", delay=SHOW_AFTER) as report, \
            BatchResolver(normalizer, kind=kind, min_score=min_score, workers=workers, progress=report) as resolver:
        if kind is not None or oblast is not None:
            resolver.check(oblast)
        kind_of = _frame_kind(df)
        if kind_of == "polars":
            result, _ = clean_polars(df, [str(c) for c in columns], resolver, clues=clues, name="DataFrame")
            return cast("Frame", result)
        return cast("Frame", clean_pandas(df, columns, resolver, clues=clues))


def _frame_kind(df: Any) -> str:
    module = type(df).__module__.split(".")[0]
    if module == "polars" and type(df).__name__ in ("DataFrame", "LazyFrame"):
        return "polars"
    if module == "pandas" and type(df).__name__ == "DataFrame":
        return "pandas"
    raise TypeError(f"clean() takes a pandas or polars DataFrame, not {type(df).__name__}")


def resolve_series(
    series: Any,
    *,
    oblast: Any = None,
    raion: Any = None,
    hromada: Any = None,
    lat: Any = None,
    lon: Any = None,
    kind: str | None = None,
    min_score: float | None = None,
    normalizer: Matching | None = None,
) -> Any:
    """The answer fields (`answers.SUFFIXES`: id, name, ..., lat, lon, method) for each cell of a Series.

    A pandas Series gives a pandas DataFrame with the same index; a polars Series a polars
    DataFrame. Each clue (`oblast`, `raion`, `hromada`, `lat`, `lon`) is one value for all cells or a
    sequence/Series of values, cell by cell.
    """
    values = series.to_list() if hasattr(series, "to_list") else list(series)
    given = {"oblast": oblast, "raion": raion, "hromada": hromada, "lat": lat, "lon": lon}
    per_cell = {name: _cells(name, clue, len(values)) for name, clue in given.items() if clue is not None}
    clues = ClueColumns(*(name if name in per_cell else None for name in given))
    hints = row_hints(clues, list(per_cell.values()), len(values))
    resolver = BatchResolver(normalizer, kind=kind, min_score=min_score)
    keys = [(hashable(v), h) for v, h in zip(values, hints)]
    answers = resolver.answers(set(keys))
    rows = [answers[k] for k in keys]
    if type(series).__module__.split(".")[0] == "polars":
        return _polars_answer_frame(rows)
    import pandas as pd

    index = series.index if isinstance(series, pd.Series) else None
    return _answer_frame(rows, list(SUFFIXES), index if index is not None else pd.RangeIndex(len(rows)))


def _cells(name: str, clue: Any, count: int) -> list[Any]:
    """A clue given once for all cells, or cell by cell (its length checked)."""
    if isinstance(clue, (str, int, float)):
        return [clue] * count
    cells = clue.to_list() if hasattr(clue, "to_list") else list(clue)
    if len(cells) != count:
        raise ValueError(f"{name} has {len(cells)} values for {count} cells")
    return cells


def _answer_struct_dtype() -> pl.Struct:
    import polars as pl

    return pl.Struct(polars_dtypes())


def _polars_answer_frame(rows: Sequence[Answer]) -> pl.DataFrame:
    """The answer fields of `rows`, one column per suffix, with their declared dtypes."""
    import polars as pl

    dtypes = polars_dtypes()
    return pl.DataFrame({suffix: pl.Series(suffix, [_field(r, suffix) for r in rows], dtype=dtypes[suffix])
                         for suffix in SUFFIXES})


def resolve_expr(
    expr: pl.Expr,
    *,
    oblast: str | pl.Expr | None = None,
    raion: str | pl.Expr | None = None,
    hromada: str | pl.Expr | None = None,
    lat: float | pl.Expr | None = None,
    lon: float | pl.Expr | None = None,
    kind: str | None = None,
    min_score: float | None = None,
    normalizer: Matching | None = None,
) -> pl.Expr:
    """A polars expression giving a struct of the answer fields (id, name, ..., method) per cell.

        df.with_columns(resolve_expr(pl.col("place"), oblast=pl.col("region")).struct.unnest().name.prefix("place_"))

    Each clue is one value for all cells or an expression (another column, cell by cell).
    """
    import polars as pl

    resolver = BatchResolver(normalizer, kind=kind, min_score=min_score)
    dtype = _answer_struct_dtype()
    given = {"oblast": oblast, "raion": raion, "hromada": hromada, "lat": lat, "lon": lon}
    given = {name: clue for name, clue in given.items() if clue is not None}
    clues = ClueColumns(*(name if name in given else None for name in ("oblast", "raion", "hromada", "lat", "lon")))

    def with_clues(batch: pl.Series) -> pl.Series:
        parts = batch.struct.unnest()
        values = parts.to_series(0)
        items = values.to_list() if values.dtype in (pl.String, pl.Categorical) else [None] * len(values)
        hints = row_hints(clues, [parts[_KEY_CLUE + name].to_list() for name in given], len(items))
        keys = [(hashable(v), h) for v, h in zip(items, hints)]
        answers = resolver.answers(set(keys))
        return _polars_answer_frame([answers[k] for k in keys]).to_struct(batch.name)

    # the value first, under its own name: the struct (and so the answer) is named as the expression is
    fields = [expr, *((clue if isinstance(clue, pl.Expr) else pl.lit(clue)).alias(_KEY_CLUE + name)
                      for name, clue in given.items())]
    return pl.struct(fields).map_batches(with_clues, return_dtype=dtype, is_elementwise=True)
