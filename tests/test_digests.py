"""Digests remembered by the metadata of their inputs: reused while the files are unchanged, computed afresh
when one changes, and a home that cannot keep them still answers."""

from __future__ import annotations

import os
from pathlib import Path

from gazetteer.digests import MEMO_FILE, remembered, stat_key


def test_a_digest_is_remembered_until_an_input_changes(tmp_path: Path) -> None:
    data = tmp_path / "table.tsv"
    data.write_text("a\tb\n", encoding="utf-8")
    calls: list[str] = []

    def compute() -> str:
        calls.append("x")
        return f"digest-{len(calls)}"

    first = remembered(tmp_path, stat_key([data], "v1"), compute)
    again = remembered(tmp_path, stat_key([data], "v1"), compute)
    assert first == again == "digest-1" and len(calls) == 1 and (tmp_path / MEMO_FILE).exists()
    data.write_text("a\tb\nc\td\n", encoding="utf-8")  # a change of size
    assert remembered(tmp_path, stat_key([data], "v1"), compute) == "digest-2"
    stat = data.stat()
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # of time alone
    assert remembered(tmp_path, stat_key([data], "v1"), compute) == "digest-3"
    assert remembered(tmp_path, stat_key([data], "v2"), compute) == "digest-4"  # of what else the key holds


def test_a_damaged_or_unwritable_memo_is_only_recomputed(tmp_path: Path) -> None:
    (tmp_path / MEMO_FILE).write_text("{not json", encoding="utf-8")
    assert remembered(tmp_path, "k", lambda: "fresh") == "fresh"
    assert remembered(tmp_path / "missing-dir", "k", lambda: "also fresh") == "also fresh"


def test_opening_a_home_twice_reads_the_inputs_once(home: Path) -> None:
    """The store's and the index's fingerprints are remembered in the home after its first open."""
    import json

    memo = json.loads((home / MEMO_FILE).read_text(encoding="utf-8"))
    assert len(memo) >= 2  # the store's fingerprint and the index's
