"""Resolving distinct pairs, once each: in this process or in a pool of worker processes.

A row's clues are reduced to the units they name, so that "Kharkiv Oblast", "Харківська область"
and "UA-63" are one hint, and "Чугуївський р-н" and "Chuhuiv Raion" one raion; points are read as
numbers (a decimal comma too). A pool of helper processes (each with its own matcher, started while
the input is read) takes the work when there is enough of it.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Collection, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from gazetteer.progress import Progress

from ..errors import HintError, NormalizerError
from ..match.context import UNIT_SEPARATOR
from ..match.model import AMBIGUOUS, MATCHED
from ..match.resolver import check_point
from ..match.session import default_matcher, process_matcher
from .answers import BLANK, Answer, Context, Key, answer_for, is_text

if TYPE_CHECKING:  # pragma: no cover
    from ..match.session import Matching

#: Below this many distinct values a worker pool costs more than it saves.
POOL_MIN = 1500
#: Distinct values a worker resolves per task (at most).
CHUNK_MAX = 200
#: The stage progress reports while distinct values are resolved.
RESOLVING = "resolving distinct values"

#: The eras a raion column can be of.
BEFORE_2020, TODAY = "before 2020", "today"
#: A raion column is of one era when at least this many of its names exist only in that era ...
ERA_EVIDENCE = 2
#: ... and at least this many times as many as exist only in the other.
ERA_MARGIN = 5


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
    "Харківська область" and "UA-63" are one hint); hints naming none or several units stay as
    given (a region abroad makes the row foreign; other hints the matcher ignores, saying so).
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
        self._hints: dict[str, dict[str, str | None]] = {}
        #: Oblast hints that named no oblast (ignored, as the matcher ignores them).
        self.unknown_hints: list[str] = []
        #: Raion and hromada hints that named no unit, as (what, text).
        self.unknown_units: list[tuple[str, str]] = []
        self._bad_points: set[tuple[str, str]] = set()
        #: The era of the raion column (BEFORE_2020, TODAY), when its names tell; None when they do not.
        self.raion_era: str | None = None
        self._era_read = False
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

    def hint_key(self, hint: object) -> str | Context | None:
        """The canonical form of a row's hint (an oblast, or a Context of oblast, raion, hromada and point):
        each unit as one unit's ID when it names one, else as written; a point as floats; None when empty."""
        if not isinstance(hint, Context):
            return self._unit_key("oblast", hint)
        context = Context(self._unit_key("oblast", hint.oblast), self._unit_key("raion", hint.raion),
                          self._unit_key("hromada", hint.hromada), *self._point_key(hint.lat, hint.lon))
        if context.raion is None and context.hromada is None and context.point is None:
            return context.oblast
        return context

    def _unit_key(self, what: str, text: object) -> str | None:
        if not isinstance(text, str) or not is_text(text):
            return None
        hints = self._hints.setdefault(what, {})
        if text not in hints:
            self._learn_hint(what, text, self._read_units(what, text))
        return hints[text]

    def _read_units(self, what: str, text: str) -> Collection[str]:
        resolver = self.normalizer.resolver
        if what == "oblast":
            return resolver.oblasts_for(text)
        return resolver.context.units_named(text, what)  # wherever they lie: the row's oblast narrows them later

    def _read_era(self, raion_names: set[str]) -> None:
        """Whether the raion column is of before the 2020 reform or of today, from the names only one era has
        ("Тиврівський" was abolished; "Кальміуський" is new): then a name both eras have ("Вінницький", the old
        raion and the larger new one) is read as of that era. Read once, from the first rows that have raions."""
        if not raion_names:
            return
        self._era_read = True
        before = today = 0
        for name in raion_names:
            units = self._read_units("raion", name)
            of_today = any(unit.startswith("UA") for unit in units)
            of_before = any(not unit.startswith("UA") for unit in units)
            before += of_before and not of_today
            today += of_today and not of_before
        if before >= ERA_EVIDENCE and today * ERA_MARGIN <= before:
            self.raion_era = BEFORE_2020
        elif today >= ERA_EVIDENCE and before * ERA_MARGIN <= today:
            self.raion_era = TODAY
        if self.raion_era is not None:
            self._hints.pop("raion", None)  # keys learned before the era was known are read again

    def _of_era(self, units: Collection[str]) -> Collection[str]:
        """A raion name's units of the column's era, when it has one and the name names any of it."""
        if self.raion_era is None:
            return units
        kept = [unit for unit in units if unit.startswith("UA") == (self.raion_era == TODAY)]
        return kept or units

    def _learn_hint(self, what: str, text: str, units: Collection[str]) -> None:
        # the IDs of the units it names, joined (so that every spelling of them is one hint: "Чугуївський" is
        # today's raion and the one of before 2020, "Крим" Crimea and Sevastopol), which the matcher reads back
        # as those units; none: the text itself (the matcher reads a region abroad in it, or ignores it, and
        # says so)
        if what == "raion":
            units = self._of_era(units)
        self._hints[what][text] = UNIT_SEPARATOR.join(sorted(units)) if units else text
        if units:
            return
        if what == "oblast":
            self.unknown_hints.append(text)
        else:
            self.unknown_units.append((what, text))

    @property
    def bad_points(self) -> int:
        """Distinct coordinate pairs given that are not a point (ignored)."""
        return len(self._bad_points)

    def _point_key(self, lat: object, lon: object) -> tuple[float | None, float | None]:
        """A row's point as floats, or (None, None) when either is missing or not a point (counted)."""
        if _is_missing(lat) and _is_missing(lon):
            return None, None
        try:
            point = check_point((_number(lat), _number(lon)))
        except ValueError:  # HintError too: not a number, or off the globe
            point = None
        if point is None:
            self._bad_points.add((str(lat), str(lon)))
            return None, None
        return round(point[0], 6), round(point[1], 6)

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
        """The answer for each raw (value, hint) pair, min-score applied."""
        pairs = list(pairs)
        if self.raion_era is None and not self._era_read:
            self._read_era({hint.raion for _value, hint in pairs if isinstance(hint, Context)
                            and isinstance(hint.raion, str) and is_text(hint.raion)})
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
                self.progress(RESOLVING, min(start + step, len(todo)), len(todo))

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
                self.progress(RESOLVING, done, len(todo))

    def _finish(self, answer: Answer) -> Answer:
        if self.min_score is not None and answer.status == MATCHED and answer.score < self.min_score:
            return Answer(None, None, None, None, None, AMBIGUOUS, answer.score, method=answer.method,
                          candidates=answer.candidates,
                          why=f"matched {answer.id} {answer.name} with score {answer.score:.3f}, below --min-score "
                              f"{self.min_score}")
        return answer


def _is_missing(value: object) -> bool:
    """Whether a coordinate cell is empty (None, NaN, blank text)."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    return isinstance(value, str) and not value.strip()


def _number(value: object) -> float:
    """A coordinate cell as a float ("48,52" with a decimal comma too); ValueError when it is none."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a coordinate")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return float(value.strip().replace(",", ".").replace("\u2212", "-"))
    raise ValueError(f"not a coordinate: {value!r}")
