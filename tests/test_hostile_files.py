"""Files in hostile places: spaces and Unicode in paths, a directory where a file should be, a file that
disappears mid-read, a full disk on write, symlinks in UANORM_HOME and a read-only home.

Every case ends in a defined result: the command works, or exit status 1 with one line
`uanorm: error: ...`; never a traceback, never a partial output file or a leftover temporary file.
(The same cases were also run against a real full tmpfs; see SECURITY.md.)
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from .cli_contract import run
from .home_copies import copy_home, set_read_only

KYIV = "UA80000000000093317"
LYSYCHANSK = "UA44120050010021900"
UNICODE_DIR = "дані з пробілами ї ğ 😀"


def leftovers(directory: Path) -> list[str]:
    """Temporary or partial files a failed write must not leave."""
    return [p.name for p in directory.iterdir() if p.name.endswith((".part", ".tmp")) or p.name.startswith(".")]


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# -- spaces and Unicode ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx", ".parquet", ".jsonl"])
def test_clean_with_unicode_paths(env_home, capsys, tmp_path, suffix) -> None:
    import polars as pl

    folder = tmp_path / UNICODE_DIR
    folder.mkdir()
    source = folder / f"події {suffix[1:]} ї{suffix}"
    frame = pl.DataFrame({"location": ["Kyiv", "у Лисичанську", "=HYPERLINK(\"x\")"]})
    if suffix == ".csv":
        frame.write_csv(source)
    elif suffix == ".tsv":
        frame.write_csv(source, separator="\t")
    elif suffix == ".xlsx":
        frame.write_excel(source)
    elif suffix == ".parquet":
        frame.write_parquet(source)
    else:
        frame.write_ndjson(source)
    status, _out, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1"])
    assert status == 0, err
    cleaned = folder / f"{source.stem}.clean{suffix}"
    assert cleaned.exists() and (folder / f"{source.stem}.review.csv").exists()
    assert not leftovers(folder)


def test_annotate_and_import_with_unicode_paths(fresh_home, capsys, tmp_path) -> None:
    folder = tmp_path / UNICODE_DIR
    folder.mkdir()
    text = folder / "стаття ї.txt"
    text.write_text("Вибухи у Лисичанську та в Києві.", encoding="utf-8")
    out_file = folder / "мітки ї.json"
    assert run(capsys, ["annotate", str(text), "-o", str(out_file)])[0] == 0
    assert [m["id"] for m in json.loads(out_file.read_text(encoding="utf-8"))["mentions"]] == [LYSYCHANSK, KYIV]
    corpus = folder / "корпус"
    corpus.mkdir()
    (corpus / "а б.txt").write_text("Kyiv", encoding="utf-8")
    assert run(capsys, ["annotate", "--jsonl", str(corpus), "-o", str(folder / "out ї.jsonl")])[0] == 0
    review = folder / "огляд ї.csv"
    review.write_text(f"text,id\nKyivograd,{KYIV}\n", encoding="utf-8")
    assert run(capsys, ["gazetteer", "import-variants", str(review)])[0] == 0
    export = folder / "експорт ї.tsv"
    assert run(capsys, ["gazetteer", "export", "-o", str(export)])[0] == 0
    assert "Kyivograd" in export.read_text(encoding="utf-8")
    assert not leftovers(folder)


def test_a_home_with_spaces_and_unicode(home, capsys, tmp_path, monkeypatch) -> None:
    target = copy_home(home, tmp_path / UNICODE_DIR / "uanorm home")
    monkeypatch.setenv("UANORM_HOME", str(target))
    assert run(capsys, ["gazetteer", "add-variant", KYIV, "Kyivograd"])[0] == 0
    _status, out, _ = run(capsys, ["match", "--json", "Kyivograd"])
    assert json.loads(out)["id"] == KYIV
    assert (target / "user.sqlite").exists()


# -- a directory where a file should be -------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["clean", "{dir}", "--column", "location"],
    ["clean", "{file}", "--column", "location", "-o", "{dir}"],
    ["clean", "{file}", "--column", "location", "--review", "{dir}"],
    ["annotate", "{dir}"],
    ["annotate", "{file}", "-o", "{dir}"],
    ["annotate", "--jsonl", "{dir}", "-o", "{dir}"],
    ["gazetteer", "import-variants", "{dir}"],
    ["gazetteer", "export", "-o", "{dir}"],
], ids=lambda a: " ".join(a))
def test_a_directory_given_as_a_file(fresh_home, capsys, tmp_path, argv) -> None:
    folder = tmp_path / "a folder.csv"
    folder.mkdir()
    (folder / "inside.txt").write_text("Kyiv", encoding="utf-8")
    source = tmp_path / "t.csv"
    source.write_text("location\nKyiv\n", encoding="utf-8")
    if argv[:2] == ["gazetteer", "export"]:
        run(capsys, ["gazetteer", "add-variant", KYIV, "Kyivograd"])
    argv = [a.format(dir=folder, file=source) for a in argv]
    status, _out, err = run(capsys, argv)
    assert status == 1 and "director" in err.lower(), err
    assert sorted(p.name for p in folder.iterdir()) == ["inside.txt"]
    assert not leftovers(tmp_path)


# -- a file that disappears mid-read ------------------------------------------------------------


def test_annotate_input_vanishing_mid_read(env_home, capsys, tmp_path, monkeypatch) -> None:
    source = tmp_path / "article.txt"
    source.write_text("Kyiv", encoding="utf-8")

    def stale(self):  # what a network share answers when the file went away under the reader
        raise OSError(errno.ESTALE, os.strerror(errno.ESTALE), str(self))

    monkeypatch.setattr(Path, "read_bytes", stale)
    out_file = tmp_path / "out.json"
    status, _out, err = run(capsys, ["annotate", str(source), "-o", str(out_file)])
    assert status == 1 and str(source) in err and not out_file.exists()


def test_clean_input_deleted_after_the_check(env_home, capsys, tmp_path, monkeypatch) -> None:
    from normalizer.tables import formats as io_formats

    source = tmp_path / "events.csv"
    source.write_text("location\nKyiv\nLviv\n", encoding="utf-8")
    original = io_formats.check_input

    def check_then_vanish(path):
        checked = original(path)
        Path(path).unlink()  # deleted by someone else between the check and the read
        return checked

    monkeypatch.setattr(io_formats, "check_input", check_then_vanish)
    status, _out, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1"])
    assert status == 1, err
    assert list(tmp_path.iterdir()) == []  # no output, no review, no temporary file


def test_import_file_vanishing_mid_read(fresh_home, capsys, tmp_path, monkeypatch) -> None:
    from gazetteer.userlayer import exchange

    source = tmp_path / "review.csv"
    source.write_text(f"text,id\nKyivograd,{KYIV}\n", encoding="utf-8")

    def vanished(path, *args, **kwargs):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))

    with monkeypatch.context() as patch:  # undoing only this patch: the home stays UANORM_HOME
        patch.setattr(exchange, "open", vanished, raising=False)
        status, _out, err = run(capsys, ["gazetteer", "import-variants", str(source)])
    assert status == 1 and "review.csv" in err
    assert run(capsys, ["gazetteer", "history"])[1].strip() == "the user layer has no changes yet"


def test_corpus_file_vanishing_leaves_no_output(env_home, capsys, tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(3):
        (corpus / f"{number}.txt").write_text("Kyiv", encoding="utf-8")
    (corpus / "9.txt").symlink_to(tmp_path / "gone.txt")  # listed, but not there when read
    out_file = tmp_path / "out.jsonl"
    status, _out, _err = run(capsys, ["annotate", "--jsonl", str(corpus), "-o", str(out_file)])
    if status == 1:
        assert not out_file.exists() and not leftovers(tmp_path)
    else:  # a dangling link is not a file: skipped
        assert len(out_file.read_text(encoding="utf-8").splitlines()) == 3


# -- a full disk on write -------------------------------------------------------------------------


def test_clean_on_a_full_disk(env_home, capsys, tmp_path, monkeypatch) -> None:
    from normalizer.tables import formats as io_formats

    source = tmp_path / "events.csv"
    source.write_text("location\nKyiv\nLviv\n", encoding="utf-8")
    original = io_formats.write_frame

    def half_then_full(frame, target, fmt, layout):
        original(frame.head(1), target, fmt, layout)  # some bytes made it ...
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))  # ... then the disk was full

    monkeypatch.setattr(io_formats, "write_frame", half_then_full)
    status, _out, err = run(capsys, ["clean", str(source), "--column", "location", "-q", "--workers", "1"])
    assert status == 1 and "No space left" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv"]


@pytest.mark.parametrize("corpus", [False, True], ids=["file", "corpus"])
def test_annotate_on_a_full_disk(env_home, capsys, tmp_path, monkeypatch, corpus) -> None:
    """Regression: annotate -o wrote in place: a full disk left a truncated JSON file."""
    from gazetteer import files

    source = tmp_path / "in.txt"
    source.write_text("Kyiv and Lysychansk. " * 100, encoding="utf-8")
    if corpus:
        source = tmp_path / "in.jsonl"
        source.write_text("\n".join(json.dumps({"id": i, "text": "Kyiv"}) for i in range(5)), encoding="utf-8")
    out_file = tmp_path / "out.json"
    out_file.write_text("the previous output", encoding="utf-8")
    monkeypatch.setattr(files.os, "fsync", no_space)
    argv = ["annotate", *(["--jsonl"] if corpus else []), str(source), "-o", str(out_file)]
    status, _out, err = run(capsys, argv)
    assert status == 1 and "No space left" in err and str(out_file) in err
    assert out_file.read_text(encoding="utf-8") == "the previous output"
    assert not leftovers(tmp_path)


def test_export_on_a_full_disk(fresh_home, capsys, tmp_path, monkeypatch) -> None:
    from gazetteer import files

    run(capsys, ["gazetteer", "add-variant", KYIV, "Kyivograd"])
    target = tmp_path / "export.tsv"
    monkeypatch.setattr(files.os, "fsync", no_space)
    status, _out, err = run(capsys, ["gazetteer", "export", "-o", str(target)])
    assert status == 1 and "No space left" in err and str(target) in err
    assert not target.exists() and not leftovers(tmp_path)


def test_user_layer_on_a_full_disk(fresh_home, capsys, monkeypatch) -> None:
    """Regression: a full disk made every command fail, calling the user layer 'damaged' (move it aside!).
    Now reads and matching go on; a write says the disk may be full and changes nothing."""
    from gazetteer.userlayer import UserLayer

    run(capsys, ["gazetteer", "add-variant", KYIV, "Kyivograd"])

    def full(self):
        raise self._damaged(sqlite3.OperationalError("disk I/O error")) from sqlite3.OperationalError("disk I/O error")

    with monkeypatch.context() as patch:  # undoing only this patch: the home stays UANORM_HOME
        patch.setattr(UserLayer, "_open_writable", full)
        status, out, err = run(capsys, ["match", "--json", "Kyivograd"])
        assert status == 0 and json.loads(out)["id"] == KYIV
        assert "Kyivograd" in run(capsys, ["gazetteer", "history"])[1]
        status, out, err = run(capsys, ["gazetteer", "add-variant", KYIV, "Kyivogradsk"])
        assert status == 1 and "disk full" in err and "damaged" not in err
    exported = run(capsys, ["gazetteer", "export"])[1]
    assert "Kyivograd" in exported and "Kyivogradsk" not in exported


def test_store_build_on_a_full_disk(tmp_path, monkeypatch) -> None:
    """Regression: a full disk while writing the store was a raw sqlite3.OperationalError."""
    from gazetteer import files, store
    from gazetteer.errors import StoreError

    path = tmp_path / "base.sqlite"
    path.write_bytes(b"the old store")
    monkeypatch.setattr(files.os, "fsync", no_space)
    with pytest.raises(StoreError, match="disk"):
        store.write_store(path, [], {"fingerprint": "x"})
    assert path.read_bytes() == b"the old store" and sorted(p.name for p in tmp_path.iterdir()) == ["base.sqlite"]


# -- symlinks in UANORM_HOME --------------------------------------------------------------------


def _stat(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def test_home_is_a_symlink(home, capsys, tmp_path, monkeypatch) -> None:
    real = copy_home(home, tmp_path / "real home")
    link = tmp_path / "link to home"
    link.symlink_to(real, target_is_directory=True)
    monkeypatch.setenv("UANORM_HOME", str(link))
    assert run(capsys, ["gazetteer", "add-variant", KYIV, "Kyivograd"])[0] == 0
    assert json.loads(run(capsys, ["match", "--json", "Kyivograd"])[1])["id"] == KYIV
    assert (real / "user.sqlite").exists()


def test_store_files_are_symlinks_to_a_shared_home(home, capsys, tmp_path, monkeypatch) -> None:
    """A home whose store and index link to a shared (read-only use) home: matching works, user additions
    go to the private home, and the shared files are never written."""
    shared_home = copy_home(home, tmp_path / "shared")  # never the session home itself: it would be written
    private = tmp_path / "private"
    private.mkdir()
    shared = sorted(shared_home.glob("*.sqlite"))
    before = {p.name: _stat(p) for p in shared}
    for item in shared:
        (private / item.name).symlink_to(item)
    monkeypatch.setenv("UANORM_HOME", str(private))
    assert json.loads(run(capsys, ["match", "--json", "Lisichansk"])[1])["id"] == LYSYCHANSK
    assert run(capsys, ["gazetteer", "add-variant", KYIV, "Kyivograd"])[0] == 0
    assert json.loads(run(capsys, ["match", "--json", "Kyivograd"])[1])["id"] == KYIV
    assert (private / "user.sqlite").exists() and not (private / "user.sqlite").is_symlink()
    # the store is only read; the index follows the user layer by writing into its file, so a linked index
    # is updated in the shared home (SECURITY.md: link the store, or share the whole home read-only)
    changed = [name for name, stat in before.items() if _stat(shared_home / name) != stat]
    assert all(name.startswith("index-") for name in changed), changed


def test_user_layer_is_a_symlink(home, capsys, tmp_path, monkeypatch) -> None:
    target = copy_home(home, tmp_path / "home")
    elsewhere = tmp_path / "synced folder"
    elsewhere.mkdir()
    (target / "user.sqlite").symlink_to(elsewhere / "my-layer.sqlite")  # dangling until the first write
    monkeypatch.setenv("UANORM_HOME", str(target))
    assert run(capsys, ["match", "Kyiv"])[0] == 0
    status, _out, err = run(capsys, ["gazetteer", "add-variant", KYIV, "Kyivograd"])
    assert status == 0, err
    assert (elsewhere / "my-layer.sqlite").exists()
    assert json.loads(run(capsys, ["match", "--json", "Kyivograd"])[1])["id"] == KYIV


# -- a read-only home -------------------------------------------------------------------------------


@pytest.fixture
def read_only_home(home, tmp_path, monkeypatch):
    shared = copy_home(home, tmp_path / "shared home")
    monkeypatch.setenv("UANORM_HOME", str(shared))
    paths = [*sorted(shared.iterdir()), shared]
    set_read_only(paths, True)
    yield shared
    set_read_only(paths, False)


def test_read_only_home_matches_annotates_and_cleans(read_only_home, capsys, tmp_path) -> None:
    assert not os.access(read_only_home, os.W_OK)
    assert json.loads(run(capsys, ["match", "--json", "Lisichansk"])[1])["id"] == LYSYCHANSK
    text = tmp_path / "t.txt"
    text.write_text("Вибухи у Лисичанську.", encoding="utf-8")
    assert json.loads(run(capsys, ["annotate", str(text)])[1])["mentions"][0]["id"] == LYSYCHANSK
    table = tmp_path / "t.csv"
    table.write_text("location\nKyiv\n", encoding="utf-8")
    assert run(capsys, ["clean", str(table), "--column", "location", "-q", "--workers", "1"])[0] == 0
    assert run(capsys, ["gazetteer", "history"])[0] == 0
    assert run(capsys, ["gazetteer", "export"])[0] == 0


@pytest.mark.parametrize("argv", [
    ["gazetteer", "add-variant", KYIV, "Kyivograd"], ["gazetteer", "add-entity", "--kind", "village", "--name-uk",
                                                      "Нововигадане"],
    ["gazetteer", "remove-entity", KYIV], ["gazetteer", "undo", "1"], ["gazetteer", "build"],
], ids=lambda a: a[1])
def test_read_only_home_refuses_writes_clearly(read_only_home, capsys, argv) -> None:
    status, _out, err = run(capsys, argv)
    assert status == 1 and ("read-only" in err or "cannot write" in err or "no op" in err), err
    assert sorted(p.name for p in read_only_home.iterdir()) == sorted(
        p.name for p in read_only_home.iterdir() if p.suffix == ".sqlite")


def test_read_only_home_without_an_index(home, capsys, tmp_path, monkeypatch) -> None:
    """No index and no way to build one: one line saying so (not a build attempt)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy2(home / "base.sqlite", shared / "base.sqlite")
    monkeypatch.setenv("UANORM_HOME", str(shared))
    paths = [*sorted(shared.iterdir()), shared]
    set_read_only(paths, True)
    try:
        status, _out, err = run(capsys, ["match", "Kyiv"])
    finally:
        set_read_only(paths, False)
    assert status == 1 and "not writable" in err and "index" in err
