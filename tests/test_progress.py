"""The one progress display: plain lines at a sensible rate in a pipe or a notebook, a bar on a terminal,
INFO records of the "uanorm" logger always, nothing with UANORM_QUIET or --quiet."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gazetteer import progress as progress_module
from gazetteer.progress import LINE_INTERVAL, Reporter, logging_shows_progress, quiet_by_env

from .conftest import REPO

#: The stages a full build reports (store, then index), as gazetteer.build and match.session send them.
BUILD_STAGES = [
    "reading the KATOTTG codifier", "checking curated tables", "reading GeoNames cities",
    "linking GeoNames places to KATOTTG units", "selecting foreign places",
    "adding curated names, persons and features",
    "adding KOATUU codes, former names and old raions", "placing every unit", "writing the store",
    "building the matcher index", "romanizing 150,616 names of 45,000 entities",
]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class NotATerminal(io.StringIO):
    def isatty(self) -> bool:
        return False


def simulated_build(reporter: Reporter, clock: Clock, seconds: float = 45.0) -> None:
    """A build as long as a real one: 11 stages, then 38 counted chunks of the index (49 reports)."""
    for stage in BUILD_STAGES:
        reporter(stage)
        clock.now += seconds * 0.4 / len(BUILD_STAGES)
    total = 150_616
    for done in range(4000, total + 4000, 4000):
        reporter("indexing names", min(done, total), total)
        clock.now += seconds * 0.6 / 38
    reporter("writing the index")
    reporter.close()


@pytest.fixture
def no_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UANORM_QUIET", raising=False)


def test_a_build_in_a_pipe_is_a_few_lines_not_one_per_report(no_quiet) -> None:
    clock, stream = Clock(), NotATerminal()
    reporter = Reporter("building the gazetteer", note="about half a minute", stream=stream, clock=clock)
    simulated_build(reporter, clock)
    lines = stream.getvalue().splitlines()
    assert 3 <= len(lines) <= 45 / LINE_INTERVAL + 2, lines
    assert lines[0] == ("uanorm: building the gazetteer: reading the KATOTTG codifier (about half a minute)")
    assert all(line.startswith("uanorm: building the gazetteer: ") for line in lines)
    assert any("indexing names" in line and "%" in line for line in lines)
    assert lines[-1] == "uanorm: building the gazetteer: done in 45 s"


def test_quiet_shows_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    for value, quiet in (("1", True), ("yes", True), ("0", False), ("", False)):
        monkeypatch.setenv("UANORM_QUIET", value)
        assert quiet_by_env() is quiet
    monkeypatch.setenv("UANORM_QUIET", "1")
    clock, stream = Clock(), NotATerminal()
    simulated_build(Reporter("building the gazetteer", stream=stream, clock=clock), clock)
    assert stream.getvalue() == ""
    monkeypatch.delenv("UANORM_QUIET")
    simulated_build(Reporter("building the gazetteer", quiet=True, stream=stream, clock=clock), clock)
    assert stream.getvalue() == ""


def test_quick_work_shows_nothing(no_quiet) -> None:
    clock, stream = Clock(), NotATerminal()
    with Reporter("clean", delay=1.0, stream=stream, clock=clock) as reporter:
        for done in range(1, 101):
            reporter("resolving distinct values", done, 100)
            clock.now += 0.005
    assert stream.getvalue() == "" and not reporter.shown
    with Reporter("clean", delay=1.0, stream=stream, clock=clock) as reporter:
        for done in range(1, 101):
            reporter("resolving distinct values", done, 100)
            clock.now += 0.05
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("uanorm: clean: resolving distinct values ") and lines[-1].startswith(
        "uanorm: clean: done in")


def test_records_of_the_uanorm_logger_always(no_quiet, caplog: pytest.LogCaptureFixture) -> None:
    """INFO records for each stage, counts at the line rate and the end: even when the display is quiet."""
    caplog.set_level(logging.INFO, logger="uanorm")
    clock, stream = Clock(), NotATerminal()
    simulated_build(Reporter("building the gazetteer", quiet=True, stream=stream, clock=clock), clock)
    messages = [r.getMessage() for r in caplog.records if r.name == "uanorm"]
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "uanorm")
    for stage in BUILD_STAGES:
        assert f"building the gazetteer: {stage}" in messages
    counts = [m for m in messages if "indexing names" in m]
    assert 2 <= len(counts) <= 6 and counts[-1].endswith("150,616/150,616 (100%)")
    assert messages[-1] == "building the gazetteer: done in 45 s"
    assert stream.getvalue() == ""


def test_under_logging_the_records_are_the_display(no_quiet, caplog: pytest.LogCaptureFixture) -> None:
    """An application whose logging shows uanorm's INFO records gets them, not plain lines besides."""
    logger = logging.getLogger("uanorm")
    caplog.set_level(logging.INFO, logger="uanorm")
    assert logging_shows_progress(logger)
    clock, stream = Clock(), NotATerminal()
    simulated_build(Reporter("building the gazetteer", stream=stream, clock=clock), clock)
    assert stream.getvalue() == ""
    assert any(r.name == "uanorm" and "indexing names" in r.getMessage() for r in caplog.records)


def test_a_terminal_gets_one_bar(no_quiet) -> None:
    class Terminal(NotATerminal):
        def isatty(self) -> bool:
            return True

    clock, stream = Clock(), Terminal()
    reporter = Reporter("building the gazetteer", stream=stream, clock=clock)
    simulated_build(reporter, clock)
    assert reporter._bar is not None  # one rich bar carried every report
    shown = stream.getvalue()
    assert "building the gazetteer" in shown  # drawn (and redrawn in place)
    assert "done in" not in shown and "\nuanorm: " not in shown  # no plain lines beside the bar


def test_progress_protocol_is_shared() -> None:
    """One Progress type for the store build, the index build, clean and annotate (one of each shared thing)."""
    import inspect

    from gazetteer import build
    from normalizer.match import indexing
    from normalizer.tables import files, frames, pool

    for function in (build.build_store, indexing.build_index, files.clean_file, frames.clean):
        annotation = inspect.signature(function).parameters["progress"].annotation
        assert annotation.replace(" ", "") == "Progress|None", function
    assert pool.Progress is progress_module.Progress and files.Progress is progress_module.Progress
    assert not hasattr(build, "default_progress")


def run_cli(args: list[str], home: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "UANORM_QUIET"}
    env.update(PYTHONPATH=str(REPO), UANORM_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "normalizer", *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


def corpus(tmp_path: Path, documents: int) -> Path:
    text = ("Обстріли у Лисичанську та Сіверськодонецьку, Луганська область; Kharkiv, Odesa, Kyiv and Zaporizhzhia. "
            * 40)
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps({"id": n, "text": text}) + "\n" for n in range(documents)), encoding="utf-8")
    return path


def test_annotate_corpus_in_a_pipe_shows_plain_lines(home, tmp_path) -> None:
    """A real run whose standard error is a pipe: a few plain lines (and a last one), JSON lines on stdout."""
    source = corpus(tmp_path, 250)
    done = run_cli(["annotate", "--jsonl", str(source)], home)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 250
    lines = done.stderr.splitlines()
    if not lines:
        pytest.skip("the corpus took less than a second here: nothing to show")
    assert lines[0].startswith("uanorm: annotate: annotating documents ") and "/250 (" in lines[0]
    assert lines[-1].startswith("uanorm: annotate: done in ")
    assert all("[" in line for line in lines[1:-1]), lines  # later lines say how long it has taken
    quiet = run_cli(["annotate", "--jsonl", str(source), "--quiet"], home)
    assert quiet.returncode == 0 and quiet.stderr == "" and len(quiet.stdout.splitlines()) == 250
    assert run_cli(["--quiet", "annotate", "--jsonl", str(source)], home).stderr == ""
