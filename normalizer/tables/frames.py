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
from .pool import BatchResolver
from .review import ColumnReport

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import polars as pl

    from ..match.session import Matching

    #: What `clean` takes and gives back: the same kind of frame.
    Frame = TypeVar("Frame", pd.DataFrame, pl.DataFrame, pl.LazyFrame)

_KEY_VALUE = "__uanorm_value__"
_KEY_OBLAST = "__uanorm_oblast__"
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


def _check_columns(available: Sequence[Any], columns: Sequence[Any], oblast_column: Any, *, name: str) -> None:
    from .formats import missing_column

    if len(set(columns)) != len(columns):
        raise ColumnError(f"{name}: a column is given twice: {list(columns)}")
    reserved = [c for c in available if str(c).startswith("__uanorm_")]
    if reserved:
        raise ColumnError(f"{name}: column {reserved[0]!r} uses a name reserved for uanorm's own work; rename it")
    for column in columns:
        if column not in available:
            raise missing_column(column, [str(c) for c in available], name=name)
    if oblast_column is not None:
        if oblast_column not in available:
            raise missing_column(oblast_column, [str(c) for c in available], name=name, what="oblast column")
        if oblast_column in columns:
            raise ColumnError(f"{name}: column {oblast_column!r} cannot be both resolved and the oblast column")
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


def _mapping_frame(pairs: pl.DataFrame, answers: dict[Key, Answer], column: str, values: list[Any],
                   oblasts: list[Any], key_columns: Sequence[str]) -> pl.DataFrame:
    """The join table: the key column(s) of each distinct pair and its seven output columns."""
    import polars as pl

    rows = [answers[(v, o)] for v, o in zip(values, oblasts)]
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


def _pair_hash(value: pl.Expr, oblast: pl.Expr | None) -> pl.Expr:
    """A 64-bit key for the (value, oblast) of each row: joining on it is far cheaper than on strings."""
    import polars as pl

    fields = [value.alias("v")] if oblast is None else [value.alias("v"), oblast.alias("o")]
    return pl.struct(fields).hash(seed=7).alias(_KEY_HASH)


def clean_polars(
    frame: pl.DataFrame | pl.LazyFrame,
    columns: Sequence[str],
    resolver: BatchResolver,
    *,
    oblast_column: str | None = None,
    oblast: str | None = None,
    name: str = "data",
) -> tuple[pl.DataFrame | pl.LazyFrame, list[ColumnReport]]:
    """Add the output columns to a polars frame (a LazyFrame stays lazy: only distinct pairs are collected).

    Rows are matched to their pair's answer by a hash of (value, oblast); the distinct
    pairs are checked to have distinct hashes (else the join falls back to the strings),
    so every row gets exactly its own pair's answer.
    """
    import polars as pl

    lazy = isinstance(frame, pl.LazyFrame)
    schema = frame.collect_schema() if lazy else frame.schema
    available = list(schema.names())
    _check_columns(available, columns, oblast_column, name=name)
    hint = _as_text(schema, oblast_column) if oblast_column is not None else None
    group_keys = [_KEY_VALUE] if hint is None else [_KEY_VALUE, _KEY_OBLAST]
    queries = []
    for column in columns:
        keys = [_as_text(schema, column).alias(_KEY_VALUE)] + ([] if hint is None else [hint.alias(_KEY_OBLAST)])
        queries.append(frame.lazy().group_by(keys).agg(pl.len().alias("__count__"))
                       .with_columns(_pair_hash(pl.col(_KEY_VALUE), None if hint is None else pl.col(_KEY_OBLAST))))
    try:
        distinct = pl.collect_all(queries, **(streaming() if lazy else {}))
    except pl.exceptions.PolarsError as exc:
        raise InputFileError(f"{name}: {str(exc).strip().splitlines()[0]}") from None
    result = frame.lazy()
    reports: list[ColumnReport] = []
    for column, pairs in zip(columns, distinct):
        values = pairs[_KEY_VALUE].to_list()
        oblasts = pairs[_KEY_OBLAST].to_list() if hint is not None else [oblast] * len(values)
        answers = resolver.answers(zip(values, oblasts))
        report = ColumnReport(str(column))
        for value, region, count in zip(values, oblasts, pairs["__count__"].to_list()):
            report.add(value, region, count, answers[(value, region)])
        reports.append(report)
        value_expr = _as_text(schema, column)
        if pairs[_KEY_HASH].n_unique() == pairs.height:
            mapping = _mapping_frame(pairs, answers, column, values, oblasts, [_KEY_HASH])
            result = _attach_by_hash(result.with_columns(_pair_hash(value_expr, hint)), mapping)
        else:  # a hash collision among the distinct pairs: join on the strings themselves
            mapping = _mapping_frame(pairs, answers, column, values, oblasts, group_keys)
            extra = [value_expr.alias(_KEY_VALUE)] + ([] if hint is None else [hint.alias(_KEY_OBLAST)])
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
    oblast_column: Any = None,
    oblast: str | None = None,
) -> pd.DataFrame:
    """A copy of a pandas DataFrame with the output columns added after each resolved column."""
    import pandas as pd

    if frame.columns.has_duplicates:
        raise ColumnError("the DataFrame has duplicate column names; they cannot be told apart")
    _check_columns(list(frame.columns), columns, oblast_column, name="DataFrame")
    hints = [hashable(h) for h in frame[oblast_column].tolist()] if oblast_column is not None else None
    added: dict[Any, pd.DataFrame] = {}
    for column in columns:
        values = [hashable(v) for v in frame[column].tolist()]
        keys = list(zip(values, hints)) if hints is not None else [(v, oblast) for v in values]
        answers = resolver.answers(set(keys))
        added[column] = _answer_frame([answers[k] for k in keys], output_names(column), frame.index)
    pieces = []
    for column in frame.columns:
        pieces.append(frame[[column]])
        if column in added:
            pieces.append(added[column])
    return pd.concat(pieces, axis=1) if pieces else frame.copy()


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
    oblast: str | None = None,
    kind: str | None = None,
    min_score: float | None = None,
    normalizer: Matching | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> Frame:
    """Resolve one or more columns of a pandas or polars DataFrame; returns the same type with columns added.

    For each resolved column COL, the columns COL_id, COL_name, COL_name_uk, COL_oblast_id, COL_kind,
    COL_status (strings: pandas ``string[pyarrow]``, polars ``String``) and COL_score (``float64`` /
    ``Float64``) follow it. `oblast_column` names a column of per-row oblast hints, `oblast` gives one
    hint for all rows (not both); `kind` limits the entity kinds; matches scoring below `min_score` are
    reported as ambiguous. `normalizer` defaults to the process-wide one on the default home;
    `workers` > 1 resolves in that many processes. `progress` receives the work's progress (default:
    shown once the work has lasted a second, as `gazetteer.progress` describes; none with
    UANORM_QUIET=1). A polars LazyFrame stays lazy.
    """
    if oblast_column is not None and oblast is not None:
        raise ValueError("give oblast_column or oblast, not both")
    columns = [column] if isinstance(column, str) or not isinstance(column, (list, tuple)) else list(column)
    if not columns:
        raise ValueError("no column to resolve")
    with progress_or_default(progress, "clean", delay=SHOW_AFTER) as report, \
            BatchResolver(normalizer, kind=kind, min_score=min_score, workers=workers, progress=report) as resolver:
        if kind is not None or oblast is not None:
            resolver.check(oblast)
        kind_of = _frame_kind(df)
        if kind_of == "polars":
            result, _ = clean_polars(df, [str(c) for c in columns], resolver, oblast_column=oblast_column,
                                     oblast=oblast, name="DataFrame")
            return cast("Frame", result)
        return cast("Frame", clean_pandas(df, columns, resolver, oblast_column=oblast_column, oblast=oblast))


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
    kind: str | None = None,
    min_score: float | None = None,
    normalizer: Matching | None = None,
) -> Any:
    """The seven answer fields (id, name, name_uk, oblast_id, kind, status, score) for each cell of a Series.

    A pandas Series gives a pandas DataFrame with the same index; a polars Series a polars
    DataFrame. `oblast` is one hint for all cells or a sequence/Series of hints, cell by cell.
    """
    hints: list[Any]
    values = series.to_list() if hasattr(series, "to_list") else list(series)
    if oblast is None or isinstance(oblast, str):
        hints = [oblast] * len(values)
    else:
        hints = oblast.to_list() if hasattr(oblast, "to_list") else list(oblast)
        if len(hints) != len(values):
            raise ValueError(f"oblast has {len(hints)} hints for {len(values)} values")
    resolver = BatchResolver(normalizer, kind=kind, min_score=min_score)
    keys = [(hashable(v), hashable(h)) for v, h in zip(values, hints)]
    answers = resolver.answers(set(keys))
    rows = [answers[k] for k in keys]
    if type(series).__module__.split(".")[0] == "polars":
        return _polars_answer_frame(rows)
    import pandas as pd

    index = series.index if isinstance(series, pd.Series) else None
    return _answer_frame(rows, list(SUFFIXES), index if index is not None else pd.RangeIndex(len(rows)))


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
    kind: str | None = None,
    min_score: float | None = None,
    normalizer: Matching | None = None,
) -> pl.Expr:
    """A polars expression giving a struct (id, name, name_uk, oblast_id, kind, status, score) per cell.

        df.with_columns(resolve_expr(pl.col("place"), oblast=pl.col("region")).alias("m")).unnest("m")
    """
    import polars as pl

    resolver = BatchResolver(normalizer, kind=kind, min_score=min_score)
    dtype = _answer_struct_dtype()

    def run(values: pl.Series, hints: list[Any]) -> pl.Series:
        items = values.to_list() if values.dtype in (pl.String, pl.Categorical) else [None] * len(values)
        keys = [(hashable(v), hashable(h)) for v, h in zip(items, hints)]
        answers = resolver.answers(set(keys))
        return _polars_answer_frame([answers[k] for k in keys]).to_struct(values.name)

    if isinstance(oblast, pl.Expr):
        def with_hints(batch: pl.Series) -> pl.Series:
            parts = batch.struct.unnest()
            hints = parts["h"].cast(pl.String).to_list()
            return run(parts["v"], hints)

        return pl.struct(expr.alias("v"), oblast.alias("h")).map_batches(
            with_hints, return_dtype=dtype, is_elementwise=True)
    return expr.map_batches(lambda batch: run(batch, [oblast] * len(batch)), return_dtype=dtype,
                            is_elementwise=True)
