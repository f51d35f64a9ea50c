"""A home that cannot be used is a StoreError (a ValueError) naming the path and what to do, never a bare OSError:
from Normalizer, Gazetteer.open and the command line alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from gazetteer import Gazetteer, StoreError
from gazetteer.home import prepare_home, resolve_home
from normalizer import Normalizer
from normalizer.cli import main

from .home_copies import set_read_only


def unusable_homes(tmp_path: Path) -> dict[str, Path]:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory", encoding="utf-8")
    homes = {"a file": a_file, "below a file": a_file / "home"}
    if Path("/proc/self").is_dir():
        homes["under /proc"] = Path("/proc/nope/home")
        homes["/proc itself"] = Path("/proc/nope")
    return homes


@pytest.mark.parametrize("case", ["a file", "below a file", "under /proc", "/proc itself"])
@pytest.mark.parametrize("opener", ["Normalizer", "Gazetteer.open", "Gazetteer.open(build=False)"])
def test_an_unusable_home_is_a_store_error_naming_it(tmp_path: Path, case: str, opener: str) -> None:
    homes = unusable_homes(tmp_path)
    if case not in homes:
        pytest.skip("no /proc here")
    home = homes[case]
    with pytest.raises(StoreError) as caught:
        if opener == "Normalizer":
            Normalizer(home=home)
        elif opener == "Gazetteer.open":
            Gazetteer.open(home)
        else:
            Gazetteer.open(home, build=False)
    message = str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert str(home) in message, message
    if opener != "Gazetteer.open(build=False)":
        assert "UANORM_HOME" in message  # what to do


def test_messages_say_what_is_wrong(tmp_path: Path) -> None:
    homes = unusable_homes(tmp_path)
    with pytest.raises(StoreError, match="is not a directory"):
        Normalizer(home=homes["a file"])
    with pytest.raises(StoreError, match="a part of the path is a file"):
        Normalizer(home=homes["below a file"])
    with pytest.raises(StoreError, match="empty path"):
        resolve_home("")


def test_a_read_only_home_with_nothing_built(tmp_path: Path) -> None:
    empty = tmp_path / "shared"
    empty.mkdir()
    set_read_only([empty], True)
    try:
        with pytest.raises(StoreError) as caught:
            Normalizer(home=empty)
        with pytest.raises(StoreError):
            Gazetteer.open(empty)
        with pytest.raises(StoreError):
            Normalizer(home=empty / "below")  # cannot be created
    finally:
        set_read_only([empty], False)
    assert str(empty) in str(caught.value) and "not writable" in str(caught.value)
    assert list(empty.iterdir()) == []


def test_a_missing_home_is_created_with_its_parents(tmp_path: Path) -> None:
    """The default home's parents (~/.local/share) may not exist yet: a missing home is created, parents too."""
    home = tmp_path / "not" / "yet" / "home"
    prepare_home(home, task="build the gazetteer")
    assert home.is_dir()


def test_the_command_line_says_it_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for home in unusable_homes(tmp_path).values():
        monkeypatch.setenv("UANORM_HOME", str(tmp_path / "unused"))  # --home sets it; undone after the test
        assert main(["--home", str(home), "match", "Kyiv"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("uanorm: error: ") and err.count("\n") == 1 and str(home) in err, err
        assert "unexpected" not in err


def test_a_new_index_removes_the_superseded_ones(tmp_path: Path) -> None:
    """Indexes derived from an older base store (no uanorm can use them) go, with leftovers of interrupted
    builds; an index another matcher version built from this same store stays (it may share the home)."""
    import os

    from normalizer.match.session import prune_indexes

    home = tmp_path / "home"
    home.mkdir()
    base = home / "base.sqlite"
    base.write_bytes(b"store")
    built = base.stat().st_mtime
    files = {name: home / name for name in ("index-current.sqlite", "index-old-1.sqlite", "index-old-2.sqlite",
                                            "index-other-version.sqlite", ".index-x.sqlite.123.tmp",
                                            ".base.sqlite.77.tmp", "user.sqlite")}
    for path in files.values():
        path.write_bytes(b"x")
    for name, offset in (("index-old-1.sqlite", -3600), ("index-old-2.sqlite", -60), ("index-current.sqlite", 5),
                         ("index-other-version.sqlite", 10)):
        os.utime(files[name], (built + offset, built + offset))
    removed = prune_indexes(home, keep=files["index-current.sqlite"])
    assert sorted(p.name for p in removed) == [".base.sqlite.77.tmp", ".index-x.sqlite.123.tmp",
                                                "index-old-1.sqlite", "index-old-2.sqlite"]
    assert sorted(p.name for p in home.iterdir()) == ["base.sqlite", "index-current.sqlite",
                                                       "index-other-version.sqlite", "user.sqlite"]
