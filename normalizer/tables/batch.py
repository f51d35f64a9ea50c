"""Cleaning tables: each distinct (value, oblast) resolved once, ID/name/status columns added.

For every resolved column COL the output gains, right after COL:

    COL_id, COL_name, COL_name_uk, COL_oblast_id, COL_kind, COL_status, COL_score

A `matched` value fills them all. An `ambiguous` or `unmatched` value leaves the entity
fields empty (a guess in an ID column is worse than a gap) and gives its status and the
best candidate's score; the review file lists its top candidates. Empty cells, missing
values and non-text cells are `unmatched` with score 0 and never go to review.
With `min_score`, matches scoring below it are reported as `ambiguous`.

Python entry points: `clean(df, column=...)` for pandas and polars DataFrames (the
same type comes back), `resolve_series(series)` and `resolve_expr(pl.col(...))`.
`uanorm clean` runs `clean_file()`.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    NamedTuple,
)

from gazetteer.files import atomic_outputs

from ..errors import ColumnError, HintError, InputFileError, NormalizerError, OutputError
from ..match.model import AMBIGUOUS, MATCHED, UNMATCHED
from ..match.session import default_matcher, process_matcher

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import polars as pl

    from ..match.session import Matching

#: The fields added for each resolved column, in order (COL_id, COL_name, ...).
SUFFIXES = ("id", "name", "name_uk", "oblast_id", "kind", "status", "score")
#: Candidates listed per row of the review file.
REVIEW_CANDIDATES = 3
#: The review file's columns; `uanorm gazetteer import-variants` reads value and chosen_id.
REVIEW_COLUMNS = (
    "column", "value", "oblast", "count", "status",
    *(f"candidate_{i}_{part}" for i in range(1, REVIEW_CANDIDATES + 1) for part in ("id", "name", "oblast", "score")),
    "chosen_id",
)
#: Below this many distinct values a worker pool costs more than it saves.
POOL_MIN = 1500
#: Distinct values a worker resolves per task (at most).
CHUNK_MAX = 200
#: CSV/TSV files larger than this are streamed, not loaded whole (UANORM_STREAM_BYTES overrides);
#: Parquet is always scanned lazily (its compressed size says little), JSON Lines always read in chunks.
STREAM_BYTES = 64 << 20
_KEY_VALUE = "__uanorm_value__"
_KEY_OBLAST = "__uanorm_oblast__"
_KEY_HASH = "__uanorm_key__"


class Answer(NamedTuple):
    """What a cleaned row gets for one (value, oblast): the fields, status, score, candidates."""

    id: str | None
    name: str | None
    name_uk: str | None
    oblast_id: str | None
    kind: str | None
    status: str
    score: float
    candidates: tuple[tuple[str, str, str | None, float], ...] = ()


#: The answer for an empty, missing or non-text cell.
BLANK = Answer(None, None, None, None, None, UNMATCHED, 0.0)

Key = tuple[Any, Any]
Progress = Callable[[int, int], None]


def output_names(column: Any) -> list[str]:
    """The names of the columns added after `column`."""
    return [f"{column}_{suffix}" for suffix in SUFFIXES]


def is_text(value: object) -> bool:
    """Whether a cell holds text worth resolving (a non-blank, encodable string)."""
    if not isinstance(value, str) or not value.strip():
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a badly decoded source
        return False
    return True


# -- resolving distinct values ---------------------------------------------------------------


def answer_for(normalizer: Matching, value: object, hint: str | None, kind: str | None) -> Answer:
    """The answer for one value (no min-score applied): resolves only real text."""
    if not is_text(value):
        return BLANK
    result = normalizer.resolve(value, oblast=hint, kind=kind)  # type: ignore[arg-type]
    candidates = tuple((c.id, c.name, c.oblast_id, round(c.score, 4))
                       for c in result.candidates[:REVIEW_CANDIDATES])
    score = round(result.score, 4)
    best = result.best
    if result.status == MATCHED and best is not None:
        return Answer(best.id, best.name, best.name_uk, best.oblast_id, best.kind, MATCHED, score, candidates)
    return Answer(None, None, None, None, None, result.status, score, candidates)


def process_normalizer(home: str | os.PathLike[str] | None = None) -> Matching:
    """The matcher of this process for `home`, created on first use (for pool and Dask workers)."""
    return process_matcher(home)


def _ignore_interrupts() -> None:
    """Pool initializer: Ctrl-C is the parent's to handle (it stops the pool), not each helper's."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _warm_worker(home: str) -> int:
    """Open the worker's normalizer and load the Cyrillic morphology (a pool's first task)."""
    process_normalizer(home).resolve("Харкові")
    return os.getpid()


def _resolve_chunk(home: str, chunk: list[Key], kind: str | None) -> list[Answer]:
    """Answers for a chunk of (value, hint) keys, in a pool worker."""
    normalizer = process_normalizer(home)
    return [answer_for(normalizer, value, hint, kind) for value, hint in chunk]


class BatchResolver:
    """Answers distinct (value, oblast) pairs once each, optionally in a pool of processes.

    Oblast hints are reduced to the one top-level unit they name (so "Kharkiv Oblast",
    "Харківська область" and "UA-63" are one hint); hints naming several units stay as
    given, hints naming none count as no hint (the matcher ignores them too).
    """

    def __init__(
        self,
        normalizer: Matching | None = None,
        *,
        kind: str | None = None,
        min_score: float | None = None,
        workers: int = 1,
        progress: Progress | None = None,
    ) -> None:
        if min_score is not None and not (isinstance(min_score, (int, float)) and 0.0 <= min_score <= 1.0):
            raise ValueError(f"min_score must be a number between 0 and 1, not {min_score!r}")
        if not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be a positive int, not {workers!r}")
        self._normalizer = normalizer
        self.kind = kind
        self.min_score = min_score
        self.workers = workers
        self.progress = progress
        self._hints: dict[str, str | None] = {}
        #: Oblast hints that named no oblast (ignored, as the matcher ignores them).
        self.unknown_hints: list[str] = []
        self._answers: dict[Key, Answer] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._warming: list[Future[int]] = []

    @property
    def normalizer(self) -> Matching:
        """The normalizer answers come from (the process-wide default unless one was given)."""
        if self._normalizer is None:
            self._normalizer = default_matcher()
        return self._normalizer

    def check(self, oblast: str | None = None) -> None:
        """Raise HintError now for a kind or a fixed oblast hint that names nothing."""
        if self.kind is not None:
            self.normalizer.resolve("Kyiv", kind=self.kind)
        if oblast is not None and not self.normalizer.resolver.oblasts_for(str(oblast)):
            raise HintError(f"oblast hint {oblast!r} names no oblast (use a name in any spelling, "
                            "a KATOTTG code or an ISO 3166-2 code such as UA-63)")

    def hint_key(self, oblast: object) -> str | None:
        """The canonical form of an oblast hint: one unit's ID, the text itself, or None."""
        if not isinstance(oblast, str) or not is_text(oblast):
            return None
        if oblast not in self._hints:
            self._learn_hint(oblast, self.normalizer.resolver.oblasts_for(oblast))
        return self._hints[oblast]

    def _learn_hint(self, oblast: str, units: Collection[str]) -> None:
        self._hints[oblast] = next(iter(units)) if len(units) == 1 else (oblast if units else None)
        if not units:
            self.unknown_hints.append(oblast)

    def start(self) -> None:
        """Start the helper processes now (they load while the input is read); this process is one worker."""
        if self.workers > 1 and self._pool is None:
            import multiprocessing

            home = str(self.normalizer.home)
            helpers = self.workers - 1
            self._pool = ProcessPoolExecutor(helpers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_ignore_interrupts)
            self._warming = [self._pool.submit(_warm_worker, home) for _ in range(helpers)]

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> BatchResolver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def answers(self, pairs: Iterable[Key]) -> dict[Key, Answer]:
        """The answer for each raw (value, oblast) pair, min-score applied."""
        raw = {pair: (pair[0] if is_text(pair[0]) else None, self.hint_key(pair[1])) for pair in pairs}
        todo = [key for key in dict.fromkeys(raw.values()) if key not in self._answers]
        self._resolve(todo)
        return {pair: self._answers[key] for pair, key in raw.items()}

    def _resolve(self, todo: list[Key]) -> None:
        for key in todo:
            if key[0] is None:
                self._answers[key] = BLANK
        todo = [key for key in todo if key[0] is not None]
        if not todo:
            return
        if self.workers > 1 and len(todo) >= POOL_MIN:
            self._resolve_pooled(todo)
            return
        step = max(1, len(todo) // 100)
        for start in range(0, len(todo), step):
            self._resolve_here(todo[start : start + step])
            if self.progress is not None:
                self.progress(min(start + step, len(todo)), len(todo))

    def _resolve_here(self, chunk: list[Key]) -> None:
        normalizer = self.normalizer
        for value, hint in chunk:
            self._answers[(value, hint)] = self._finish(answer_for(normalizer, value, hint, self.kind))

    def _resolve_pooled(self, todo: list[Key]) -> None:
        """Helpers take chunks from the front of the list while this process works from the back."""
        try:
            self._run_pool(todo)
        except BrokenProcessPool:
            self.close()
            raise NormalizerError(
                "a worker process could not start or stopped unexpectedly; in a script, call with workers > 1 "
                "only under `if __name__ == \"__main__\":`, or use one worker (--workers 1)") from None

    def _run_pool(self, todo: list[Key]) -> None:
        self.start()
        assert self._pool is not None
        home = str(self.normalizer.home)
        helpers = self.workers - 1
        size = max(25, min(CHUNK_MAX, len(todo) // (self.workers * 10) or 1))
        chunks = deque(todo[i : i + size] for i in range(0, len(todo), size))
        running: dict[Future[list[Answer]], list[Key]] = {}
        done = 0
        while chunks or running:
            while chunks and len(running) < 2 * helpers:
                chunk = chunks.popleft()
                running[self._pool.submit(_resolve_chunk, home, chunk, self.kind)] = chunk
            if chunks:
                chunk = chunks.pop()
                self._resolve_here(chunk)
                done += len(chunk)
                finished = [future for future in running if future.done()]
            else:
                finished = list(wait(running, return_when=FIRST_COMPLETED).done)
            for future in finished:
                chunk = running.pop(future)
                for key, answer in zip(chunk, future.result()):
                    self._answers[key] = self._finish(answer)
                done += len(chunk)
            if self.progress is not None:
                self.progress(done, len(todo))

    def _finish(self, answer: Answer) -> Answer:
        if self.min_score is not None and answer.status == MATCHED and answer.score < self.min_score:
            return answer._replace(id=None, name=None, name_uk=None, oblast_id=None, kind=None, status=AMBIGUOUS)
        return answer


# -- statistics and the review file ----------------------------------------------------------


@dataclass
class ColumnReport:
    """What cleaning one column found: rows and distinct values by status, rows to review."""

    column: str
    rows: int = 0
    distinct: int = 0
    rows_by_status: Counter = field(default_factory=Counter)
    distinct_by_status: Counter = field(default_factory=Counter)
    blank_rows: int = 0
    review: dict[Key, list[Any]] = field(default_factory=dict)
    values: set[str] = field(default_factory=set)

    def add(self, value: object, oblast: object, count: int, answer: Answer) -> None:
        """Count `count` rows of one raw (value, oblast) pair."""
        self.rows += count
        self.rows_by_status[answer.status] += count
        if not is_text(value):
            self.blank_rows += count
            return
        self.distinct += 1
        self.values.add(value)  # type: ignore[arg-type]
        self.distinct_by_status[answer.status] += 1
        if answer.status != MATCHED:
            key = (value, oblast if isinstance(oblast, str) else None)
            entry = self.review.get(key)
            if entry is None:
                self.review[key] = [count, answer]
            else:
                entry[0] += count


def review_rows(reports: Sequence[ColumnReport], oblast_names: Callable[[str | None], str]) -> list[list[Any]]:
    """Rows of the review file: most frequent first, candidates with their oblast's name."""
    rows: list[list[Any]] = []
    for report in reports:
        for (value, oblast), (count, answer) in report.review.items():
            row: list[Any] = [report.column, value, oblast or "", count, answer.status]
            for index in range(REVIEW_CANDIDATES):
                if index < len(answer.candidates):
                    cid, name, oblast_id, score = answer.candidates[index]
                    row += [cid, name, oblast_names(oblast_id), f"{score:.3f}"]
                else:
                    row += ["", "", "", ""]
            rows.append([*row, ""])
    rows.sort(key=lambda r: (-r[3], r[0], r[1], r[2]))
    return rows


def write_review(path: Path, rows: list[list[Any]], *, escape_formulas: bool = False) -> None:
    """Write the review file (UTF-8 CSV with a BOM, for spreadsheet programs), formulas escaped if asked.

    An escaped value reads back as the same variant: the leading quote does not change its folded
    form, which is what the user layer matches on.
    """
    import csv

    from gazetteer.textutil import escape_formula

    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REVIEW_COLUMNS)
        if not escape_formulas:
            writer.writerows(rows)
            return
        for row in rows:
            writer.writerow([escape_formula(cell) if isinstance(cell, str) else cell for cell in row])


# -- polars frames ------------------------------------------------------------------------------


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
    names = output_names(column)
    data: dict[str, Any] = {key: pairs[key] for key in key_columns}
    for index, name in enumerate(names[:-1]):
        data[name] = pl.Series(name, [row[index] for row in rows], dtype=pl.String)
    data[names[-1]] = pl.Series(names[-1], [row.score for row in rows], dtype=pl.Float64)
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


def _streaming() -> dict[str, Any]:
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
        distinct = pl.collect_all(queries, **(_streaming() if lazy else {}))
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
    hints = [_hashable(h) for h in frame[oblast_column].tolist()] if oblast_column is not None else None
    added: dict[Any, pd.DataFrame] = {}
    for column in columns:
        values = [_hashable(v) for v in frame[column].tolist()]
        keys = list(zip(values, hints)) if hints is not None else [(v, oblast) for v in values]
        answers = resolver.answers(set(keys))
        added[column] = _answer_frame([answers[k] for k in keys], output_names(column), frame.index)
    pieces = []
    for column in frame.columns:
        pieces.append(frame[[column]])
        if column in added:
            pieces.append(added[column])
    return pd.concat(pieces, axis=1) if pieces else frame.copy()


def _hashable(value: object) -> object:
    return value if isinstance(value, str) else None


def _answer_frame(rows: Sequence[Answer], names: Sequence[str], index: Any) -> pd.DataFrame:
    import pandas as pd

    data: dict[str, Any] = {}
    for position, name in enumerate(names[:-1]):
        data[name] = pd.Series([row[position] for row in rows], index=index, dtype=object)
    data[names[-1]] = pd.Series([row.score for row in rows], index=index, dtype="float64")
    return pd.DataFrame(data, index=index)


# -- the Python API --------------------------------------------------------------------------------


def clean(
    df: Any,
    column: Any | Sequence[Any],
    *,
    oblast_column: Any = None,
    oblast: str | None = None,
    kind: str | None = None,
    min_score: float | None = None,
    normalizer: Matching | None = None,
    workers: int = 1,
) -> Any:
    """Resolve one or more columns of a pandas or polars DataFrame; returns the same type with columns added."""
    if oblast_column is not None and oblast is not None:
        raise ValueError("give oblast_column or oblast, not both")
    columns = [column] if isinstance(column, str) or not isinstance(column, (list, tuple)) else list(column)
    if not columns:
        raise ValueError("no column to resolve")
    with BatchResolver(normalizer, kind=kind, min_score=min_score, workers=workers) as resolver:
        if kind is not None or oblast is not None:
            resolver.check(oblast)
        kind_of = _frame_kind(df)
        if kind_of == "polars":
            result, _ = clean_polars(df, columns, resolver, oblast_column=oblast_column, oblast=oblast,
                                     name="DataFrame")
            return result
        return clean_pandas(df, columns, resolver, oblast_column=oblast_column, oblast=oblast)


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
    keys = [(_hashable(v), _hashable(h)) for v, h in zip(values, hints)]
    answers = resolver.answers(set(keys))
    rows = [answers[k] for k in keys]
    if type(series).__module__.split(".")[0] == "polars":
        return _polars_struct_frame(rows)
    import pandas as pd

    index = series.index if isinstance(series, pd.Series) else None
    return _answer_frame(rows, list(SUFFIXES), index if index is not None else pd.RangeIndex(len(rows)))


def _answer_struct_dtype() -> pl.Struct:
    import polars as pl

    return pl.Struct({**dict.fromkeys(SUFFIXES[:-1], pl.String), "score": pl.Float64})


def _polars_struct_frame(rows: Sequence[Answer]) -> pl.DataFrame:
    import polars as pl

    data: dict[str, Any] = {s: pl.Series(s, [r[i] for r in rows], dtype=pl.String)
                            for i, s in enumerate(SUFFIXES[:-1])}
    data["score"] = pl.Series("score", [r.score for r in rows], dtype=pl.Float64)
    return pl.DataFrame(data)


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
        keys = [(_hashable(v), _hashable(h)) for v, h in zip(items, hints)]
        answers = resolver.answers(set(keys))
        return _polars_struct_frame([answers[k] for k in keys]).to_struct(values.name)

    if isinstance(oblast, pl.Expr):
        def with_hints(batch: pl.Series) -> pl.Series:
            parts = batch.struct.unnest()
            hints = parts["h"].cast(pl.String).to_list()
            return run(parts["v"], hints)

        return pl.struct(expr.alias("v"), oblast.alias("h")).map_batches(
            with_hints, return_dtype=dtype, is_elementwise=True)
    return expr.map_batches(lambda batch: run(batch, [oblast] * len(batch)), return_dtype=dtype,
                            is_elementwise=True)


# -- files -------------------------------------------------------------------------------------------


@dataclass
class CleanReport:
    """The outcome of cleaning a file: what was written, row and value counts, time."""

    input: str
    output: str
    review: str | None
    rows: int
    columns: list[ColumnReport]
    review_rows: int
    seconds: float
    streamed: bool = False
    notes: list[str] = field(default_factory=list)


def stream_threshold() -> int:
    """Input size above which files are streamed rather than loaded whole."""
    configured = os.environ.get("UANORM_STREAM_BYTES")
    if configured:
        try:
            return int(configured)
        except ValueError:
            raise ValueError(f"UANORM_STREAM_BYTES must be a number of bytes, not {configured!r}") from None
    return STREAM_BYTES


def clean_file(
    input: str,
    output: str,
    *,
    columns: Sequence[str],
    review: str | None = None,
    oblast_column: str | None = None,
    oblast: str | None = None,
    kind: str | None = None,
    min_score: float | None = None,
    encoding: str | None = None,
    escape_formulas: bool = False,
    workers: int = 1,
    normalizer: Matching | None = None,
    progress: Progress | None = None,
    stream_bytes: int | None = None,
) -> CleanReport:
    """Clean a table file (or '-' for CSV on stdin/stdout): output with columns added, plus a review file."""
    from . import formats as io

    started = time.perf_counter()
    if oblast_column is not None and oblast is not None:
        raise ValueError("give --oblast-column or --oblast, not both")
    if not columns:
        raise ValueError("give at least one --column")
    in_fmt = io.table_format(input)
    out_fmt = io.table_format(output, what="output")
    if (in_fmt == "jsonl") != (out_fmt == "jsonl"):
        raise OutputError("JSON Lines input is written as JSON Lines (and only it): give an output ending in .jsonl")
    source = None if input == io.STDIO else io.check_input(input)
    targets = [Path(p) for p in (output, review) if p is not None and p != io.STDIO]
    if len({str(t.resolve()) for t in targets}) != len(targets):
        raise OutputError("the output and the review file must be different files")
    for target in targets:
        if source is not None and target.exists() and os.path.samefile(target, source):
            raise OutputError(f"{target}: would overwrite the input; the input is never modified")
    with BatchResolver(normalizer, kind=kind, min_score=min_score, workers=workers, progress=progress) as resolver:
        resolver.check(oblast)
        size = source.stat().st_size if source is not None else 0
        limit = stream_bytes if stream_bytes is not None else stream_threshold()
        streamed = source is not None and (in_fmt == "parquet" or size > limit)
        if workers > 1 and size > (8 << 20):
            resolver.start()
        job = _FileJob(input, source, output, review, in_fmt, out_fmt, list(columns), oblast_column, oblast,
                       encoding, escape_formulas, resolver, streamed)
        with atomic_outputs(targets, error=OutputError) as outputs:
            rows, reports, notes = job.run(outputs)
            review_count = 0
            if review is not None:
                names = _oblast_namer(resolver.normalizer)
                rows_out = review_rows(reports, names)
                review_count = len(rows_out)
                write_review(outputs.temp(Path(review)), rows_out, escape_formulas=escape_formulas)
    return CleanReport(input, output, review, rows, reports, review_count, time.perf_counter() - started,
                       streamed, notes)


def _oblast_namer(normalizer: Matching) -> Callable[[str | None], str]:
    cache: dict[str | None, str] = {None: ""}

    def name(oblast_id: str | None) -> str:
        if oblast_id not in cache:
            entity = normalizer.gazetteer.find(oblast_id) if oblast_id else None
            cache[oblast_id] = entity.name if entity is not None else (oblast_id or "")
        return cache[oblast_id]

    return name


@dataclass
class _FileJob:
    """One `clean_file` run: reads, cleans and writes by format."""

    input: str
    source: Path | None
    output: str
    review: str | None
    in_fmt: str
    out_fmt: str
    columns: list[str]
    oblast_column: str | None
    oblast: str | None
    encoding: str | None
    escape: bool
    resolver: BatchResolver
    streamed: bool

    def run(self, outputs: Any) -> tuple[int, list[ColumnReport], list[str]]:
        """Clean into the temporary output; returns (rows, column reports, notes)."""
        from . import formats as io

        notes: list[str] = []
        if self.escape and self.out_fmt not in ("csv", "tsv", "xlsx"):
            notes.append(f"--escape-formulas applies to CSV, TSV and XLSX outputs (and the review file); "
                         f"the {self.out_fmt} output is not escaped")
        target = outputs.temp(Path(self.output)) if self.output != io.STDIO else None
        if self.in_fmt == "jsonl":
            rows, reports, layout = self._jsonl(target)
        else:
            rows, reports, layout = self._table(target)
        if layout is not None and not layout.utf8:
            notes.append(f"input read as {layout.encoding}; output written as UTF-8 with a BOM")
        unknown = self.resolver.unknown_hints
        if unknown:
            shown = ", ".join(repr(u) for u in unknown[:5]) + (" ..." if len(unknown) > 5 else "")
            notes.append(f"{len(unknown)} oblast value(s) name no oblast and were ignored: {shown}")
        return rows, reports, notes

    def _table(self, target: Path | None) -> tuple[int, list[ColumnReport], Any]:
        from . import formats as io

        layout = io.TextLayout()
        scratch: Path | None = None
        try:
            if self.in_fmt in ("csv", "tsv"):
                frame, layout, scratch = self._read_text()
            elif self.in_fmt == "xlsx":
                frame = io.read_xlsx(self.source, name=self.input)
            else:
                frame = io.read_parquet(self.source, name=self.input, lazy=self.streamed)
            cleaned, reports = clean_polars(frame, self.columns, self.resolver, oblast_column=self.oblast_column,
                                            oblast=self.oblast, name=self.input)
            self.resolver.close()  # every answer is in: the helpers' memory goes back before the write
            rows = reports[0].rows
            if self.escape and self.out_fmt in ("csv", "tsv", "xlsx"):
                schema = cleaned.collect_schema() if hasattr(cleaned, "collect_schema") else cleaned.schema
                import polars as pl

                cleaned = io.escape_formulas(cleaned, [c for c, t in schema.items() if t == pl.String])
            self._write(cleaned, target, layout)
            return rows, reports, layout
        finally:
            if scratch is not None:
                scratch.unlink(missing_ok=True)

    def _read_text(self) -> tuple[Any, Any, Path | None]:
        from . import formats as io

        if not self.streamed:
            if self.source is None:
                data = io.read_stdin_bytes()
            else:
                with open(self.source, "rb") as handle:
                    data = handle.read(io.SNIFF_BYTES + 1)
            if not data:
                raise InputFileError(f"{self.input}: empty file (no header row)")
            complete = len(data) <= io.SNIFF_BYTES
            layout = io.detect_layout(data[: io.SNIFF_BYTES], name=self.input, fmt=self.in_fmt,
                                      encoding=self.encoding, complete=complete)
            if self.source is not None and (layout.utf8 or complete):
                source: bytes | Path = self.source if layout.utf8 else data
            else:
                source = data if self.source is None else self.source.read_bytes()
            return io.read_text_table(source, layout, name=self.input), layout, None
        assert self.source is not None
        with open(self.source, "rb") as handle:
            sample = handle.read(io.SNIFF_BYTES)
        if not sample.strip():
            raise InputFileError(f"{self.input}: empty file (no header row)")
        layout = io.detect_layout(sample, name=self.input, fmt=self.in_fmt, encoding=self.encoding, complete=False)
        head = sample[3:] if layout.bom else sample
        io.header_names(io.decode(head, layout.encoding, name=self.input, final=False), layout.delimiter,
                        name=self.input)
        path, scratch = self.source, None
        if not layout.utf8:  # polars reads UTF-8 only (a BOM it skips by itself)
            out_dir = Path(self.output).parent if self.output != io.STDIO else Path(".")
            import tempfile

            fd, name = tempfile.mkstemp(prefix=".uanorm-utf8-", suffix=".csv", dir=out_dir)
            os.close(fd)
            scratch = Path(name)
            layout = io.transcode_to_utf8(self.source, scratch, layout, name=self.input)
            path = scratch
        return io.scan_text_table(path, layout, name=self.input), layout, scratch

    def _write(self, cleaned: Any, target: Path | None, layout: Any) -> None:
        import polars as pl

        from . import formats as io

        if isinstance(cleaned, pl.LazyFrame):
            try:
                if target is not None and self.out_fmt in ("csv", "tsv"):
                    cleaned.sink_csv(target, **io.csv_write_options(layout, self.out_fmt))
                    return
                if target is not None and self.out_fmt == "parquet":
                    cleaned.sink_parquet(target)
                    return
                if target is None:
                    self._sink_to_stdout(cleaned, layout)
                    return
                cleaned = cleaned.collect(**_streaming())
            except pl.exceptions.PolarsError as exc:
                raise InputFileError(f"{self.input}: {str(exc).strip().splitlines()[0]}") from None
        if target is None:
            import io as stdio
            import sys

            buffer = stdio.BytesIO()
            io.write_frame(cleaned, buffer, self.out_fmt, layout)
            sys.stdout.buffer.write(buffer.getvalue())
            sys.stdout.buffer.flush()
            return
        io.write_frame(cleaned, target, self.out_fmt, layout)

    def _sink_to_stdout(self, cleaned: Any, layout: Any) -> None:
        """A streamed result for standard output: sunk to a scratch file, then copied out."""
        import shutil
        import sys
        import tempfile

        from . import formats as io

        with tempfile.TemporaryDirectory(prefix="uanorm-") as scratch:
            path = Path(scratch) / "out.csv"
            cleaned.sink_csv(path, **io.csv_write_options(layout, self.out_fmt))
            with open(path, "rb") as handle:
                shutil.copyfileobj(handle, sys.stdout.buffer, 16 << 20)
            sys.stdout.buffer.flush()

    def _jsonl(self, target: Path | None) -> tuple[int, list[ColumnReport], Any]:
        from . import formats as io

        assert self.source is not None and target is not None
        with open(self.source, "rb") as handle:
            sample = handle.read(io.SNIFF_BYTES)
        layout = io.detect_layout(sample, name=self.input, fmt="jsonl", encoding=self.encoding,
                                  complete=len(sample) < io.SNIFF_BYTES)
        codec = "utf-8-sig" if layout.bom else layout.encoding
        counts: list[Counter] = [Counter() for _ in self.columns]
        self._json_texts: list[dict[Answer, str]] = [{} for _ in self.columns]  # answer -> its JSON fields
        rows = 0
        gc_was_on = gc.isenabled()
        gc.disable()  # chunks are many small acyclic objects: the cycle collector would only slow them down
        try:
            with open(self.source, encoding=codec, newline="") as reader, open(target, "w", encoding="utf-8",
                                                                                newline="") as writer:
                for chunk in _numbered_chunks(reader, self.input, layout.encoding):
                    rows += self._jsonl_chunk(chunk, counts, writer, first=rows == 0)
        finally:
            if gc_was_on:
                gc.enable()
        reports = []
        for column, counter in zip(self.columns, counts):
            answers = self.resolver.answers(counter)
            report = ColumnReport(column)
            for (value, hint), count in counter.items():
                report.add(value, hint, count, answers[(value, hint)])
            reports.append(report)
        if rows == 0:
            raise InputFileError(f"{self.input}: empty file (no JSON objects)")
        return rows, reports, layout

    def _jsonl_chunk(self, chunk: list[tuple[int, str]], counts: list[Counter], writer: Any, *, first: bool) -> int:
        """Parse a chunk of lines, resolve its new pairs, write the lines with the fields spliced in."""
        from . import formats as io

        columns, oblast_column, fixed = self.columns, self.oblast_column, _hashable(self.oblast)
        taken = {n for c in columns for n in output_names(c)}
        # (body, ending, [(insert position, comma needed) per column], [pair per column]) or blank
        records: list[tuple[str, str, list[tuple[int, bool]] | None, list[Key] | None]] = []
        keys_seen: dict[str, None] = {}
        for number, line in chunk:
            body = line.rstrip("\r\n")
            ending = line[len(body):]
            if not body.strip():
                records.append((body, ending, None, None))
                continue
            try:
                members, close = io.json_members(body)
            except ValueError as exc:
                raise InputFileError(f"{self.input}: line {number}: {exc}") from None
            found: dict[str, tuple[Any, int]] = {}
            for key, value, _start, end in members:
                found.setdefault(key, (value, end))
            if first:
                keys_seen.update(dict.fromkeys(found))
            if not taken.isdisjoint(found):
                clash = min(taken.intersection(found))
                raise ColumnError(f"{self.input}: line {number} already has a field {clash!r}; rename it first")
            hint = _hashable(found[oblast_column][0]) if oblast_column in found else fixed
            spots, pairs = [], []
            for column in columns:
                entry = found.get(column)
                if entry is None:
                    spots.append((close, bool(members)))
                    pairs.append((None, hint))
                else:
                    spots.append((entry[1], True))
                    pairs.append((_hashable(entry[0]), hint))
            records.append((body, ending, spots, pairs))
        if first and keys_seen:
            for column in columns:
                if column not in keys_seen:
                    raise io.missing_column(column, list(keys_seen), name=self.input)
            if oblast_column is not None and oblast_column not in keys_seen:
                raise io.missing_column(oblast_column, list(keys_seen), name=self.input, what="oblast column")
        for record in records:
            if record[3] is not None:
                for counter, pair in zip(counts, record[3]):
                    counter[pair] += 1
        answers = self.resolver.answers({pair for r in records if r[3] is not None for pair in r[3]})
        texts = self._json_texts
        out = []
        rows = 0
        for body, ending, spots, pairs in records:
            if spots is None or pairs is None:
                out.append(body + ending)
                continue
            rows += 1
            inserts = []
            for index, (column, pair, (position, comma)) in enumerate(zip(columns, pairs, spots)):
                answer = answers[pair]
                text = texts[index].get(answer)
                if text is None:
                    text = texts[index][answer] = _json_fields(column, answer)
                inserts.append((position, ", " + text if comma else text))
            if len(inserts) > 1:
                inserts.sort(key=lambda item: item[0], reverse=True)
            for position, text in inserts:
                body = body[:position] + text + body[position:]
            out.append(body + ending)
        writer.write("".join(out))
        return rows


def _numbered_chunks(reader: Any, name: str, encoding: str, size: int = 50_000) -> Iterator[list[tuple[int, str]]]:
    number = 0
    chunk: list[tuple[int, str]] = []
    try:
        for line in reader:
            number += 1
            chunk.append((number, line))
            if len(chunk) >= size:
                yield chunk
                chunk = []
    except UnicodeDecodeError:
        raise InputFileError(f"{name}: line {number + 1} is not valid {encoding}; give --encoding") from None
    if chunk:
        yield chunk


def _json_fields(column: str, answer: Answer) -> str:
    values = [*answer[:6], answer.score]
    return ", ".join(f"{json.dumps(name, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
                     for name, value in zip(output_names(column), values))
