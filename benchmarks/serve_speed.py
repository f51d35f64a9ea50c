"""Speed of `uanorm serve`: latency per batch of 10 and of 1,000 queries, requests per second with 8 clients.

    python benchmarks/serve_speed.py [--home DIR] [--workers 1,2] [--seconds 20] [--clients 8] [--json OUT]

For each --workers value, starts `uanorm serve --workers N` on a free port (benchmarks/serve_process.py)
and measures over real HTTP on 127.0.0.1, with a light client (http.client, keep-alive):
  - batch of 10 (what OpenRefine sends): 300 batches one after another, p50/p95/p99 latency;
    "unseen" queries are names the server has not answered before (its answer cache cannot help),
    "seen" are the same batches sent again;
  - batch of 1,000: 5 batches of distinct unseen queries, then the same 5 again (seen);
  - throughput: CLIENTS threads, each sending batches of 10 unseen queries back to back for SECONDS;
    batches (requests) per second, queries per second, and the latency the clients saw.
Queries are the dev set's places and the demo events' (location, oblast) pairs (oblast as a
property), then one-edit typos of them, each used once. Client and server share the machine.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from serve_process import running_service
from speed import percentile, typo

Pair = tuple[str, str]


def base_pairs() -> list[Pair]:
    """(place, oblast) from the dev set and the demo events, distinct, in a fixed order."""
    pairs: list[Pair] = []
    with open(HERE / "data" / "dev_places.tsv", encoding="utf-8", newline="") as handle:
        pairs += [(r["input"], r["oblast"]) for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    with open(HERE.parent / "seeds" / "events_demo.csv", encoding="utf-8", newline="") as handle:
        pairs += [(r["location"], r["oblast"]) for r in csv.DictReader(handle)]
    return [p for p in dict.fromkeys(pairs) if p[0].strip()]


class Queries:
    """An endless supply of (place, oblast) pairs, each handed out once (thread-safe)."""

    def __init__(self, seed: int = 7) -> None:
        self._bases = base_pairs()
        self._seen: set[Pair] = set()
        self._pending = list(self._bases)
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def take(self, count: int) -> list[Pair]:
        """COUNT pairs never handed out before."""
        with self._lock:
            taken: list[Pair] = []
            while len(taken) < count:
                if not self._pending:
                    self._pending = [(typo(p, self._rng), o) for p, o in self._bases]
                pair = self._pending.pop()
                if pair not in self._seen:
                    self._seen.add(pair)
                    taken.append(pair)
            return taken


def batch_body(pairs: list[Pair]) -> bytes:
    """The form body of a query batch (the oblast as a property when there is one)."""
    queries = {f"q{i}": {"query": place, **({"properties": [{"pid": "oblast", "v": oblast}]} if oblast else {})}
               for i, (place, oblast) in enumerate(pairs)}
    return urlencode({"queries": json.dumps(queries, ensure_ascii=False)}).encode("ascii")


class Client:
    """One keep-alive connection posting query batches; each call returns the latency in ms."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)

    def post(self, body: bytes, expected: int) -> float:
        """POST one batch; ms until the whole answer arrived (checked to hold EXPECTED results)."""
        started = time.perf_counter()
        self.connection.request("POST", "/reconcile", body=body,
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = self.connection.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200 or len(json.loads(data)) != expected:
            raise RuntimeError(f"batch failed: {response.status} {data[:200]!r}")
        return elapsed

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def latencies(url: str, queries: Queries, size: int, batches: int) -> dict[str, dict[str, float]]:
    """p50/p95/p99 of BATCHES batches of SIZE unseen queries, then of the same batches again (seen)."""
    client = Client(url)
    bodies = [batch_body(queries.take(size)) for _ in range(batches)]
    try:
        found = {label: [client.post(body, size) for body in bodies] for label in ("unseen", "seen")}
    finally:
        client.close()
    return {label: summary(values) for label, values in found.items()}


def throughput(url: str, queries: Queries, clients: int, seconds: float, size: int = 10) -> dict[str, float]:
    """CLIENTS threads posting batches of SIZE unseen queries for SECONDS: requests/s, queries/s, latency."""
    timings: list[list[float]] = [[] for _ in range(clients)]
    bodies = [[batch_body(queries.take(size)) for _ in range(int(seconds * 400 / clients) + 50)]
              for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    deadline = [0.0]
    exhausted: list[int] = []

    def work(index: int) -> None:
        client = Client(url)
        start.wait()
        try:
            for body in bodies[index]:
                if time.perf_counter() >= deadline[0]:
                    break
                timings[index].append(client.post(body, size))
            else:
                exhausted.append(index)
        finally:
            client.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = [t for per_client in timings for t in per_client]
    if exhausted:
        print(f"  note: {len(exhausted)} client(s) ran out of prepared batches before the deadline")
    return {"requests_per_s": round(len(every) / elapsed, 1), "queries_per_s": round(len(every) * size / elapsed),
            **summary(every)}


def summary(values: list[float]) -> dict[str, float]:
    """p50, p95, p99 and mean (ms) of latencies."""
    return {"n": len(values), "p50_ms": round(percentile(values, 0.5), 1), "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1), "mean_ms": round(statistics.mean(values), 1)}


def measure(workers: int, clients: int, seconds: float, home: str | None) -> dict[str, Any]:
    """Every measurement against one server with WORKERS processes."""
    queries = Queries()
    with running_service(workers=workers, home=home) as url:
        Client(url).post(batch_body(queries.take(10)), 10)  # first answers open the SQLite pages
        report: dict[str, Any] = {"workers": workers}
        report["batch_10"] = latencies(url, queries, 10, 300)
        print(f"workers={workers} batch of 10: {report['batch_10']}", flush=True)
        report["batch_1000"] = latencies(url, queries, 1000, 5)
        print(f"workers={workers} batch of 1,000: {report['batch_1000']}", flush=True)
        report[f"{clients}_clients"] = throughput(url, queries, clients, seconds)
        print(f"workers={workers} {clients} clients x batches of 10 for {seconds:g} s: "
              f"{report[f'{clients}_clients']}", flush=True)
    return report


def main(argv: list[str] | None = None) -> int:
    """Measure and print (and write --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="gazetteer home (default: $UANORM_HOME or the user data dir)")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts to measure (default 1,2)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for throughput (default 8)")
    parser.add_argument("--seconds", type=float, default=20, help="throughput run length (default 20)")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args(argv)
    reports = [measure(int(w), args.clients, args.seconds, args.home) for w in args.workers.split(",")]
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
