"""End to end with a real OpenRefine: reconcile a place column against `uanorm serve`, extend, read back.

    python benchmarks/openrefine_e2e.py [--home DIR] [--csv seeds/events_demo.csv] [--rows N]
                                        [--workers N] [--openrefine openrefine] [--keep] [--json OUT]

Needs OpenRefine (Debian: `apt-get install openrefine`, 3.6.2); exits 0 with a note when it
is missing. Everything goes through OpenRefine's own HTTP API, as its web UI would:
1. `uanorm serve` on a free port; OpenRefine headless on another
   (`openrefine -i 127.0.0.1 -p PORT -d WORKSPACE -x refine.headless=true`, a fresh workspace);
2. create a project from the CSV (a place column `location`, an oblast column `oblast`);
3. reconcile `location` against the service (no particular type, the oblast column as the
   property `oblast`, auto-match on): OpenRefine sends batches of 10;
4. extend the reconciled column with `raion` and `coordinates` (data extension);
5. read every row back with its judgment, match and candidates, and check them against
   `normalizer.clean` on the same CSV: OpenRefine must have matched exactly the rows clean
   calls matched, to the same IDs; the raion and coordinates it added must be the matched
   entities' own.
Prints a report (and writes it as JSON with --json); exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from serve_process import free_port, running_service, wait_until_up

ENGINE = json.dumps({"facets": [], "mode": "row-based"})


@contextlib.contextmanager
def running_openrefine(command: str, workspace: Path) -> Iterator[str]:
    """OpenRefine headless on 127.0.0.1 and a free port, in WORKSPACE; yields its URL; stopped afterwards."""
    port = free_port()
    log = open(workspace / "openrefine.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen([command, "-i", "127.0.0.1", "-p", str(port), "-d", str(workspace),
                                "-x", "refine.headless=true"], stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/command/core/get-version", process, seconds=180)
        yield url
    finally:
        stop_group(process)
        log.close()


def stop_group(process: subprocess.Popen, seconds: float = 60) -> None:
    """SIGTERM the process group we started (the launcher script and its java), SIGKILL what outlives SECONDS."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)  # anyone left in the group?
        except ProcessLookupError:
            break
        process.poll()
        time.sleep(0.2)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class Refine:
    """The few OpenRefine commands the run needs (CSRF token included)."""

    def __init__(self, url: str) -> None:
        import httpx

        self.http = httpx.Client(base_url=url, timeout=300)
        self.token = self.http.get("/command/core/get-csrf-token").json()["token"]

    def create_project(self, name: str, csv_bytes: bytes) -> str:
        """Upload a CSV as a new project; its ID."""
        options = {"separator": ",", "headerLines": 1, "encoding": "UTF-8", "guessCellValueTypes": False,
                   "processQuotes": True, "storeBlankCellsAsNulls": True, "ignoreLines": -1, "skipDataLines": 0,
                   "limit": -1, "includeFileSources": False}
        answer = self.http.post("/command/core/create-project-from-upload", params={"csrf_token": self.token},
                                files={"project-file": (f"{name}.csv", csv_bytes, "text/csv")},
                                data={"project-name": name, "format": "text/line-based/*sv",
                                      "options": json.dumps(options)})
        location = answer.headers.get("location", "")
        if answer.status_code != 302 or "project=" not in location:
            raise RuntimeError(f"OpenRefine did not create the project ({answer.status_code}): {answer.text[:300]}")
        return location.split("project=")[1]

    def run(self, project: str, command: str, **fields: Any) -> float:
        """POST a long-running command and wait until the project has no process left; seconds taken."""
        started = time.perf_counter()
        answer = self.http.post(f"/command/core/{command}", params={"project": project, "csrf_token": self.token},
                                data={**fields, "engine": ENGINE}).json()
        if answer.get("code") not in ("ok", "pending"):
            raise RuntimeError(f"OpenRefine {command}: {answer}")
        while self.http.get("/command/core/get-processes", params={"project": project}).json().get("processes"):
            time.sleep(0.2)
        return time.perf_counter() - started

    def columns(self, project: str) -> dict[str, int]:
        """The project's column names, in display order, with their cell indexes."""
        model = self.http.get("/command/core/get-models", params={"project": project}).json()["columnModel"]
        return {c["name"]: c["cellIndex"] for c in model["columns"]}

    def rows(self, project: str) -> tuple[list[str], list[dict[str, Any]]]:
        """(column names, rows as {column: cell}) with each reconciled cell's recon inlined."""
        index = self.columns(project)
        rows: list[dict[str, Any]] = []
        while True:
            page = self.http.get("/command/core/get-rows", params={"project": project, "start": len(rows),
                                                                    "limit": 1000}).json()
            recons = page.get("pool", {}).get("recons", {})
            for row in page["rows"]:
                cells = row["cells"]
                record = {}
                for name, at in index.items():
                    cell = cells[at] if at < len(cells) else None
                    if cell and "r" in cell:
                        cell = {**cell, "r": recons[str(cell["r"])]}
                    record[name] = cell
                rows.append(record)
            if not page["rows"] or len(rows) >= page["total"]:
                return list(index), rows


def expected_answers(csv_path: Path, rows: int | None) -> tuple[bytes, list[dict[str, Any]]]:
    """The CSV to upload (first ROWS rows) and `normalizer.clean`'s answer for each of its rows."""
    import pandas as pd

    import normalizer

    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    if rows:
        frame = frame.head(rows)
    cleaned = normalizer.clean(frame, column="location", oblast_column="oblast")
    return frame.to_csv(index=False).encode("utf-8"), cleaned.to_dict("records")


def compare(rows: list[dict[str, Any]], cleaned: list[dict[str, Any]], catalog: Any) -> tuple[dict[str, Any],
                                                                                               list[str]]:
    """Counts of what OpenRefine shows, and the rows where it disagrees with clean or the gazetteer."""
    counts: Counter[str] = Counter()
    problems: list[str] = []
    for number, (row, clean) in enumerate(zip(rows, cleaned), start=1):
        recon = (row["location"] or {}).get("r") or {}
        matched = recon.get("j") == "matched"
        counts["matched" if matched else "candidates only" if recon.get("c") else "no candidate"] += 1
        counts[f"clean {clean['location_status']}"] += 1
        match_id = recon.get("m", {}).get("id") if matched else None
        wanted = clean["location_id"] if clean["location_status"] == "matched" else None
        if match_id != (wanted or None):
            problems.append(f"row {number} {clean['location']!r} / {clean['oblast']!r}: OpenRefine {match_id}, "
                            f"clean {wanted}")
        if not matched:
            continue
        place = catalog.place(match_id)
        raion = (row.get("raion") or {}).get("v")
        point = (row.get("coordinates") or {}).get("v")
        counts["raion filled"] += raion is not None
        counts["coordinates filled"] += point is not None
        entity = place.entity
        want_point = f"{entity.lat},{entity.lon}" if entity.lat is not None else None
        if raion != (place.raion.name if place.raion else None) or point != want_point:
            problems.append(f"row {number} {match_id}: raion {raion!r}, coordinates {point!r}")
    return dict(counts), problems


def run(csv_path: Path, *, rows: int | None, workers: int, openrefine: str, keep: bool) -> dict[str, Any]:
    """The whole run; its report (with 'problems')."""
    from normalizer import Normalizer
    from normalizer.serve.entities import Catalog
    from normalizer.serve.protocol import IDENTIFIER_SPACE, SCHEMA_SPACE

    csv_bytes, cleaned = expected_answers(csv_path, rows)
    workspace = Path(tempfile.mkdtemp(prefix="uanorm-openrefine-"))
    report: dict[str, Any] = {"csv": str(csv_path), "rows": len(cleaned),
                              "distinct (location, oblast)": len({(r["location"], r["oblast"]) for r in cleaned})}
    requests = workspace / "serve-access.log"
    try:
        with open(requests, "wb") as log, running_service(workers=workers, log=log, options=("--access-log",)) \
                as service, running_openrefine(openrefine, workspace) as refine_url:
            refine = Refine(refine_url)
            report["openrefine"] = refine.http.get("/command/core/get-version").json()["full_name"]
            project = refine.create_project("uanorm-e2e", csv_bytes)
            endpoint = service + "/reconcile"
            spaces = {"identifierSpace": IDENTIFIER_SPACE, "schemaSpace": SCHEMA_SPACE}
            config = {"mode": "standard-service", "service": endpoint, **spaces, "type": None, "autoMatch": True,
                      "columnDetails": [{"column": "oblast", "property": {"id": "oblast", "name": "oblast"}}],
                      "limit": 0}
            report["reconcile seconds"] = round(refine.run(project, "reconcile", columnName="location",
                                                           config=json.dumps(config)), 2)
            report["reconcile requests"] = _posts(requests)
            extension = {"properties": [{"id": "raion", "name": "raion"}, {"id": "coordinates", "name": "coordinates"}]}
            report["extend seconds"] = round(refine.run(
                project, "extend-data", baseColumnName="location", endpoint=endpoint,
                columnInsertIndex=list(refine.columns(project)).index("location") + 1,
                extension=json.dumps(extension), **spaces), 2)
            report["extend requests"] = _posts(requests) - report["reconcile requests"]
            columns, read_back = refine.rows(project)
        report["columns read back"] = columns
        with Normalizer() as matcher:
            counts, problems = compare(read_back, cleaned, Catalog(matcher.gazetteer))
        report.update(counts)
        report["sample"] = [{name: (cell or {}).get("v") for name, cell in row.items()} for row in read_back[:5]]
        report["problems"] = problems if len(read_back) == len(cleaned) else \
            [f"{len(read_back)} rows read back, {len(cleaned)} uploaded", *problems]
    finally:
        if keep:
            print(f"OpenRefine workspace kept: {workspace}")
        else:
            shutil.rmtree(workspace, ignore_errors=True)
    return report


def _posts(access_log: Path) -> int:
    """POSTs to /reconcile the service has logged so far."""
    return access_log.read_text(encoding="utf-8", errors="replace").count('"POST /reconcile HTTP')


def main(argv: list[str] | None = None) -> int:
    """Run OpenRefine against `uanorm serve`, if OpenRefine is installed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="gazetteer home (default: $UANORM_HOME or the user data dir)")
    parser.add_argument("--csv", default=str(ROOT / "seeds" / "events_demo.csv"),
                        help="a CSV with columns location and oblast")
    parser.add_argument("--rows", type=int, help="only the first N rows")
    parser.add_argument("--workers", type=int, default=1, help="uanorm serve --workers")
    parser.add_argument("--openrefine", default="openrefine", help="the OpenRefine launcher")
    parser.add_argument("--keep", action="store_true", help="keep OpenRefine's workspace")
    parser.add_argument("--json", help="also write the report here")
    args = parser.parse_args(argv)
    if args.home:
        os.environ["UANORM_HOME"] = args.home
    if shutil.which(args.openrefine) is None:
        print(f"{args.openrefine} not found: OpenRefine run skipped (apt-get install -y openrefine)")
        return 0
    report = run(Path(args.csv), rows=args.rows, workers=args.workers, openrefine=args.openrefine, keep=args.keep)
    for key, value in report.items():
        if key != "problems":
            print(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    for problem in report["problems"][:20]:
        print(f"FAIL: {problem}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print("OpenRefine end to end:", "failed" if report["problems"] else "passed")
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
