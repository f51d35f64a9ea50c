"""Run `uanorm serve` as its own process on 127.0.0.1 for the serve benchmarks and checks.

    with running_service(workers=2) as url:   # "http://127.0.0.1:PORT"
        ...

The process gets the current UANORM_HOME (or HOME given), a free port, and is stopped with
SIGINT (as Ctrl-C would) when the block ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen | None = None, seconds: float = 180) -> None:
    """Poll URL until it answers 200; RuntimeError if PROCESS exits first or time runs out."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process serving {url} exited with status {process.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


@contextlib.contextmanager
def running_service(*, workers: int = 1, home: str | os.PathLike[str] | None = None,
                    log: Any = subprocess.DEVNULL, options: tuple[str, ...] = ()) -> Iterator[str]:
    """`python -m normalizer serve [OPTIONS]` on a free port, stderr to LOG; yields its base URL; interrupted after."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    if home is not None:
        env["UANORM_HOME"] = str(home)
    command = [sys.executable, "-m", "normalizer", "serve", "--port", str(port), "--workers", str(workers), *options]
    process = subprocess.Popen(command, env=env, cwd="/", stderr=log, stdout=log)  # uvicorn logs requests to stdout
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/reconcile", process)
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
