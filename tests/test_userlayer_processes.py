"""The user layer under real processes: concurrent writers, SIGKILL in the middle of an import,
a rebuild of the base, a read-only home. No mocks: every case runs separate Python processes.
"""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gazetteer import Gazetteer
from normalizer import Normalizer

from .home_copies import copy_home, set_read_only

REPO = Path(__file__).resolve().parent.parent
LYSYCHANSK = "UA44120050010021900"
LYSYCHANSK_HROMADA = "UA44120050000066819"
NOVODRUZHESK = "UA44120050020047657"
HAIDAI = "person:serhii-haidai"
WRITERS = 8
PER_WRITER = 500


def python(code: str, *args: str, **options) -> subprocess.Popen:
    """Start `python -c code args...` in the repository, output piped."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "UANORM_QUIET": "1"}
    env.update(options.pop("env", {}))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options)


def letters(number: int) -> str:
    """A distinct lowercase word for each number (base 26), so variants stay pure letters."""
    word = ""
    number += 26 * 26
    while number:
        number, digit = divmod(number, 26)
        word = chr(97 + digit) + word
    return word


def layer_rows(home: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(home / "user.sqlite")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


# -- concurrency ----------------------------------------------------------------------------

WRITER = """
    import sys, time
    from pathlib import Path
    from gazetteer import Gazetteer
    home, worker, count, go = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    targets = sys.argv[5].split(",")

    def letters(number):
        word = ""
        number += 26 * 26
        while number:
            number, digit = divmod(number, 26)
            word = chr(97 + digit) + word
        return word

    gazetteer = Gazetteer.open(home, build=False)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.002)
    for i in range(count):
        text = "Zq" + letters(worker * 100000 + i) + "ivka"
        change = gazetteer.add_variant(targets[i % len(targets)], text, note=f"writer {worker}")
        assert change.status == "added", change
    gazetteer.close()
    print("done", flush=True)
"""


def test_eight_processes_adding_500_variants_each_lose_nothing(fresh_home: Path, tmp_path: Path) -> None:
    with Gazetteer.open(fresh_home, build=False) as gazetteer:
        targets = [e.id for e in gazetteer.children(LYSYCHANSK_HROMADA)][:5]
    go = tmp_path / "go"
    writers = [python(WRITER, str(fresh_home), str(w), str(PER_WRITER), str(go), ",".join(targets))
               for w in range(WRITERS)]
    for process in writers:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
    started = time.perf_counter()
    go.touch()
    for process in writers:
        out, err = process.communicate(timeout=150)
        assert process.returncode == 0 and out.strip() == "done", err
    elapsed = time.perf_counter() - started
    print(f"{WRITERS} x {PER_WRITER} concurrent add-variant ops in {elapsed:.1f}s")

    expected = {"Zq" + letters(w * 100000 + i) + "ivka" for w in range(WRITERS) for i in range(PER_WRITER)}
    stored = {row[0] for row in layer_rows(fresh_home, "SELECT text FROM variants")}
    assert stored == expected and len(stored) == WRITERS * PER_WRITER
    assert layer_rows(fresh_home, "SELECT count(*), count(DISTINCT op_id) FROM ops") == [(4000, 4000)]
    assert layer_rows(fresh_home, "PRAGMA integrity_check") == [("ok",)]

    # four processes now open a Normalizer at once: one replays the layer into the index, the others wait
    probe = """
        import sys
        from normalizer import Normalizer
        with Normalizer(sys.argv[1]) as normalizer:
            print(sum(normalizer.resolve(text).status == "matched" for text in sys.argv[2:]))
    """
    sample = sorted(expected)[:: len(expected) // 20]
    readers = [python(probe, str(fresh_home), *sample) for _ in range(4)]
    for process in readers:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert int(out) == len(sample)
    with Normalizer(fresh_home) as normalizer:
        db = sqlite3.connect(normalizer.index_path)
        assert db.execute("SELECT count(DISTINCT entity_id || key), max(n) FROM (SELECT entity_id, key, count(*) n"
                          " FROM user_form GROUP BY entity_id, key)").fetchone() == (4000, 1)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        db.close()


# -- SIGKILL in the middle of an import ------------------------------------------------------------

IMPORTER = """
    import sqlite3, sys, time
    real_connect = sqlite3.connect
    inserted = 0

    def connect(*args, **kwargs):
        connection = real_connect(*args, **kwargs)
        if str(args[0]).endswith("user.sqlite") and sys.argv[3] == "pause":
            def trace(statement):
                global inserted
                if statement.startswith("INSERT INTO variants"):
                    inserted += 1
                    if inserted == int(sys.argv[4]):
                        print("inside the import transaction", flush=True)
                        time.sleep(120)
            connection.set_trace_callback(trace)
        return connection

    sqlite3.connect = connect
    from gazetteer import Gazetteer
    gazetteer = Gazetteer.open(sys.argv[1], build=False)
    print("importing", flush=True)
    report = gazetteer.import_variants(sys.argv[2])
    print("imported", len(report.added), flush=True)
"""


def write_import(path: Path, targets: list[str], count: int, prefix: str) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(["text", "id"])
        for i in range(count):
            writer.writerow([f"{prefix}{letters(i)}ivka", targets[i % len(targets)]])
    return path


def test_sigkill_during_an_import_leaves_all_or_nothing(fresh_home: Path, tmp_path: Path) -> None:
    with Gazetteer.open(fresh_home, build=False) as gazetteer:
        gazetteer.add_variant(LYSYCHANSK, "Zqbeforeivka")
        targets = [e.id for e in gazetteer.children(LYSYCHANSK_HROMADA)][:5]
    rows = 3000
    path = write_import(tmp_path / "big.tsv", targets, rows, "Zqk")

    # 1. killed while the import's transaction has written half of its rows
    process = python(IMPORTER, str(fresh_home), str(path), "pause", str(rows // 2))
    assert process.stdout.readline().strip() == "importing"
    assert process.stdout.readline().strip() == "inside the import transaction", process.stderr.read()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert layer_rows(fresh_home, "SELECT count(*) FROM variants") == [(1,)]
    assert layer_rows(fresh_home, "SELECT count(*) FROM ops") == [(1,)]
    assert layer_rows(fresh_home, "PRAGMA integrity_check") == [("ok",)]

    # 2. killed at random moments: each time the layer holds the import entirely or not at all
    rng = random.Random(5)
    outcomes = set()
    for attempt in range(4):
        path = write_import(tmp_path / f"run{attempt}.tsv", targets, rows, f"Zq{letters(attempt)}x")
        before = layer_rows(fresh_home, "SELECT count(*) FROM variants")[0][0]
        process = python(IMPORTER, str(fresh_home), str(path), "run", "0")
        assert process.stdout.readline().strip() == "importing"
        time.sleep(rng.uniform(0.0, 0.25))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        after = layer_rows(fresh_home, "SELECT count(*) FROM variants")[0][0]
        assert after in (before, before + rows), (before, after)
        outcomes.add(after - before)
        assert layer_rows(fresh_home, "PRAGMA integrity_check") == [("ok",)]

    # 3. the layer still works: an import runs to the end and matching sees it
    process = python(IMPORTER, str(fresh_home), str(path), "run", "0")
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    with Normalizer(fresh_home) as normalizer:
        assert normalizer.resolve(f"Zq{letters(3)}x{letters(7)}ivka").id == targets[7 % len(targets)]
        assert normalizer.resolve("Zqbeforeivka").id == LYSYCHANSK


# -- a rebuild of the base -----------------------------------------------------------------------


@pytest.mark.slow
def test_a_rebuild_of_the_base_keeps_every_user_addition(fresh_home: Path) -> None:
    with Normalizer(fresh_home) as normalizer:
        normalizer.add_variant(LYSYCHANSK, "Xylqvarnetsk")
        village = normalizer.add_entity(kind="village", name_uk="Нововигадане", parent_id=LYSYCHANSK_HROMADA)
        normalizer.add_variant(village.id, "Pryvydobrodsk")
        normalizer.add_variant(HAIDAI, "Serhiy Haydayevych")  # curated: gone from a katottg-only build
        normalizer.remove_entity(NOVODRUZHESK)
        exported = normalizer.gazetteer.export()
    layer_before = (fresh_home / "user.sqlite").stat().st_ino

    # a real rebuild, by the command line, with a different source selection
    build = python("from normalizer.cli import main; raise SystemExit(main())",
                   "gazetteer", "build", "--sources", "katottg", env={"UANORM_HOME": str(fresh_home)})
    out, err = build.communicate(timeout=300)
    assert build.returncode == 0, err
    assert "cannot honour 1 user addition" in err and HAIDAI in err

    assert (fresh_home / "user.sqlite").stat().st_ino == layer_before
    with Gazetteer.open(fresh_home, build=False) as gazetteer:
        assert gazetteer.sources() == ("katottg",)
        assert gazetteer.export() == exported
        problems = gazetteer.stats()["user_layer"]["problems"]
        assert len(problems) == 1 and HAIDAI in problems[0]

    match = python("from normalizer.cli import main; raise SystemExit(main())",
                   "match", "--json", "Xylqvarnetsk", "Pryvydobrodsk", "Нововигадане", "Novodruzhesk",
                   env={"UANORM_HOME": str(fresh_home)})
    out, err = match.communicate(timeout=120)
    assert match.returncode == 0, err
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["id"] for a in answers[:3]] == [LYSYCHANSK, village.id, village.id]
    assert answers[3]["id"] != NOVODRUZHESK
    assert HAIDAI in err and "kept in" in err  # the replay names what it could not apply


# -- a read-only home ---------------------------------------------------------------------------------


def test_a_read_only_home_matches_but_refuses_writes(home: Path, tmp_path: Path) -> None:
    """A home the user cannot write (a shared install): matching works, writes fail with a clear message."""
    shared = copy_home(home, tmp_path / "shared")
    with Normalizer(shared) as normalizer:
        normalizer.add_variant(LYSYCHANSK, "Xylqvarnetsk")
    paths = [*sorted(shared.iterdir()), shared]
    cli = "from normalizer.cli import main; raise SystemExit(main())"
    env = {"UANORM_HOME": str(shared)}
    try:
        set_read_only(paths, True)
        assert not os.access(shared, os.W_OK)
        match = python(cli, "match", "--json", "Xylqvarnetsk", "Lisichansk", env=env)
        out, err = match.communicate(timeout=120)
        assert match.returncode == 0, err
        assert [json.loads(line)["id"] for line in out.splitlines()] == [LYSYCHANSK, LYSYCHANSK]

        history = python(cli, "gazetteer", "history", env=env)
        out, err = history.communicate(timeout=60)
        assert history.returncode == 0 and "Xylqvarnetsk" in out, err

        add = python(cli, "gazetteer", "add-variant", LYSYCHANSK, "Pryvydobrodsk", env=env)
        out, err = add.communicate(timeout=60)
        assert add.returncode == 1
        assert "read-only" in err and str(shared) in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
    finally:
        set_read_only(paths, False)
