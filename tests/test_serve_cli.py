"""`uanorm serve` as a command: a real process on 127.0.0.1 (one worker and two), errors in one line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from normalizer.cli import main

from .conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from serve_process import free_port, wait_until_up


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_over_http_and_stops_on_interrupt(home: Path, workers: int) -> None:
    pytest.importorskip("starlette")
    pytest.importorskip("uvicorn")
    httpx = pytest.importorskip("httpx")
    port = free_port()
    env = {**os.environ, "UANORM_HOME": str(home), "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "normalizer", "serve", "--port", str(port),
                                "--workers", str(workers)], env=env, cwd="/", stderr=subprocess.PIPE, text=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/reconcile", process)
        queries = {f"q{i}": {"query": name} for i, name in enumerate(["Lisichansk", "Kharkov", "Одеса"] * 4)}
        answer = httpx.post(f"http://127.0.0.1:{port}/reconcile", data={"queries": json.dumps(queries)}, timeout=30)
        assert answer.status_code == 200
        assert [answer.json()[f"q{i}"]["result"][0]["name"] for i in range(3)] == ["Lysychansk", "Kharkiv", "Odesa"]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert f"reconciliation service http://127.0.0.1:{port}/reconcile" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_a_port_in_use_is_one_line(home: Path, workers: int) -> None:
    pytest.importorskip("starlette")
    pytest.importorskip("uvicorn")
    env = {**os.environ, "UANORM_HOME": str(home), "PYTHONPATH": str(REPO)}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = subprocess.run([sys.executable, "-m", "normalizer", "serve", "--port", str(taken.getsockname()[1]),
                               "--workers", str(workers)], env=env, cwd="/", capture_output=True, text=True,
                              timeout=120, check=False)
    lines = done.stderr.splitlines()
    assert done.returncode == 1, done.stderr
    assert lines[0].startswith("uanorm serve: lookup page") and len(lines) == 2, lines
    assert lines[1].startswith("uanorm serve: ERROR: ") and "ddress already in use" in lines[1]


@pytest.mark.parametrize(("argv", "message"), [
    (["serve", "--port", "0"], "--port must be between 1 and 65535"),
    (["serve", "--port", "70000"], "--port must be between 1 and 65535"),
    (["serve", "--workers", "0"], "--workers must be at least 1"),
])
def test_bad_options_are_one_line(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 1
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


def test_without_the_serve_extra_it_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "starlette", None)  # as if it were not installed: importing it fails
    assert main(["serve"]) == 1
    assert "pip install 'uanorm[serve]'" in capsys.readouterr().err
