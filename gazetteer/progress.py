"""Progress of long work, shown one way wherever uanorm runs.

Everything long reports through one `Progress` protocol (a message and, for counted work, how
much of a total is done): the store build, the matcher index build, `clean` and
`annotate --jsonl`. `Reporter` is the one display behind it:

- on a terminal (standard error is a TTY): a rich progress bar, one line, gone when the work ends;
- elsewhere (a notebook, a pipe, a log file): plain lines on standard error, the first at once,
  then at most one every `LINE_INTERVAL` seconds, and one when the work ends (a build of about
  40 seconds writes five or six);
- always: INFO records of the ``uanorm`` logger (each new stage, counts at the same rate, the
  end), so an application's own logging shows the work; when that logging already shows them,
  the plain lines are left out (the records are the display);
- nothing on standard error with ``UANORM_QUIET=1`` (the command line's ``--quiet``) or
  ``quiet=True``; the records are still logged (the application's logging decides).

Short work shows nothing: a reporter with a `delay` stays silent (no line, no record) until the
work has lasted that long. Builds use no delay: they are long, and a user should know at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import IO, Any, Protocol

#: The logger every progress record goes to (an application can configure it).
LOGGER_NAME = "uanorm"
#: The environment variable that silences the display (any value but "", "0", "false", "no").
QUIET_ENV = "UANORM_QUIET"
#: Seconds between two plain lines (or two records of counts) of one piece of work.
LINE_INTERVAL = 10.0
#: Seconds of work before work that is often quick (a `clean`, a corpus) shows its progress.
SHOW_AFTER = 1.0

log = logging.getLogger(LOGGER_NAME)


class Progress(Protocol):
    """A receiver of progress: a stage's message and, for counted work, `done` of `total`."""

    def __call__(self, message: str, done: int | None = None, total: int | None = None) -> None:
        """Report the current stage (and how far it is)."""
        ...


def silent(message: str, done: int | None = None, total: int | None = None) -> None:
    """A `Progress` that shows nothing."""


def quiet_by_env() -> bool:
    """Whether UANORM_QUIET asks for no progress display."""
    return os.environ.get(QUIET_ENV, "").strip().lower() not in ("", "0", "false", "no")


def logging_shows_progress(logger: logging.Logger = log) -> bool:
    """Whether the application's logging already shows the logger's INFO records (then they are the display)."""
    if not logger.isEnabledFor(logging.INFO):
        return False
    current: logging.Logger | None = logger
    while current is not None:
        if any(not isinstance(h, logging.NullHandler) and h.level <= logging.INFO for h in current.handlers):
            return True
        current = current.parent if current.propagate else None
    return False


def _count(done: int | None, total: int | None) -> str:
    if done is None:
        return ""
    if not total:
        return f" {done:,}"
    return f" {done:,}/{total:,} ({done / total:.0%})"


def _seconds(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"


class Reporter:
    """The progress display of one piece of work (see the module docstring); a `Progress`, closed when done.

    `title` names the work ("building the gazetteer"); `note` is added to its first line only
    ("about half a minute"). `quiet` None follows UANORM_QUIET. `stream` defaults to standard error.
    """

    def __init__(
        self,
        title: str,
        *,
        note: str = "",
        quiet: bool | None = None,
        delay: float = 0.0,
        stream: IO[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """A display for the work `title`; nothing shows before the first report (and not before `delay`)."""
        self.title = title
        self.note = note
        self.quiet = quiet_by_env() if quiet is None else quiet
        self.delay = delay
        self._stream = stream
        self._clock = clock
        self._started = clock()
        self._mode: str | None = None  # "bar", "lines" or "none", chosen when the work first shows
        self._bar: Any = None
        self._task: Any = None
        self._stage: str | None = None
        self._last_line = float("-inf")
        self._last_record = float("-inf")
        self._closed = False

    @property
    def shown(self) -> bool:
        """Whether the work has shown (its delay passed while it reported)."""
        return self._mode is not None

    def __call__(self, message: str, done: int | None = None, total: int | None = None) -> None:
        """Report the current stage (and how far it is); see `Progress`."""
        if self._closed:
            return
        now = self._clock()
        if self._mode is None:
            if now - self._started < self.delay:
                return
            self._mode = self._choose_mode()
        new_stage = message != self._stage
        self._stage = message
        finished = done is not None and total is not None and done >= total
        if new_stage or finished or now - self._last_record >= LINE_INTERVAL:
            log.info("%s: %s%s", self.title, message, _count(done, total))
            self._last_record = now
        if self._mode == "bar":
            self._update_bar(message, done, total)
        elif self._mode == "lines" and now - self._last_line >= LINE_INTERVAL:
            first = self._last_line == float("-inf")
            note = f" ({self.note})" if first and self.note else ""
            elapsed = "" if first else f" [{_seconds(now - self._started)}]"
            self._print(f"uanorm: {self.title}: {message}{_count(done, total)}{note}{elapsed}")
            self._last_line = now

    def close(self, *, ok: bool = True) -> None:
        """End the display: the bar goes, a plain line and a record say how long the work took."""
        if self._closed:
            return
        self._closed = True
        if self._mode is None:
            return
        took = _seconds(self._clock() - self._started)
        outcome = "done" if ok else "stopped"
        log.info("%s: %s in %s", self.title, outcome, took)
        if self._bar is not None:
            self._bar.stop()
        elif self._mode == "lines":
            self._print(f"uanorm: {self.title}: {outcome} in {took}")

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        self.close(ok=kind is None)

    # -- the displays ---------------------------------------------------------------------

    def _output(self) -> IO[str]:
        return self._stream if self._stream is not None else sys.stderr

    def _choose_mode(self) -> str:
        if self.quiet:
            return "none"
        stream = self._output()
        try:
            terminal = stream.isatty()
        except (AttributeError, ValueError):  # a closed or minimal stream
            terminal = False
        if terminal:
            return "bar"
        return "none" if logging_shows_progress() else "lines"

    def _print(self, line: str) -> None:
        try:
            print(line, file=self._output(), flush=True)
        except (OSError, ValueError):  # the reader went away: the work goes on without a display
            self._mode = "none"

    def _update_bar(self, message: str, done: int | None, total: int | None) -> None:
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                 TimeElapsedColumn(), console=Console(file=self._output()), transient=True)
            self._task = self._bar.add_task(self.title, total=None)
            self._bar.start()
        description = f"uanorm: {self.title}: {message}{_count(done, None) if total is None else ''}"
        self._bar.update(self._task, description=description, completed=done or 0, total=total)


@contextlib.contextmanager
def progress_or_default(progress: Progress | None, title: str, *, note: str = "",
                        delay: float = 0.0) -> Iterator[Progress]:
    """`progress` if given, else a Reporter for the work (closed when the block ends)."""
    if progress is not None:
        yield progress
        return
    with Reporter(title, note=note, delay=delay) as reporter:
        yield reporter
