"""The one atomic file writer: temporary files beside their targets, renamed into place together.

Every file uanorm writes for a user (cleaned tables, review files, exports, annotations) and
every store it compiles goes through here, so a full disk, a crash or an interrupt leaves
either the old file or the complete new one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError


@dataclass
class Outputs:
    """Temporary files standing in for the outputs until all are complete."""

    targets: list[Path]
    temps: list[Path]

    def temp(self, target: Path) -> Path:
        """The temporary path that becomes `target`."""
        return self.temps[self.targets.index(target)]


@contextmanager
def atomic_outputs(targets: Sequence[Path], *, error: type[OutputError] = OutputError) -> Iterator[Outputs]:
    """Temp files beside each target; all renamed into place when the block succeeds, else removed.

    A failure to write is raised as `error` (an OutputError subclass) naming the file.
    """
    temps: list[Path] = []
    try:
        for target in targets:
            directory = target.parent if str(target.parent) else Path(".")
            if not directory.is_dir():
                raise error(f"{target}: directory {directory} does not exist")
            if target.is_dir():
                raise error(f"{target}: is a directory")
            try:
                fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
            except OSError as exc:
                raise error(f"{target}: cannot write in {directory}: {exc.strerror}") from None
            os.close(fd)
            temps.append(Path(name))
        yield Outputs(list(targets), temps)
        mask = _umask()
        for temp, target in zip(temps, targets):
            os.chmod(temp, target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~mask)
            fsync_file(temp)
        for temp, target in zip(temps, targets):
            os.replace(temp, target)
        for directory in {t.parent for t in targets}:
            _fsync_dir(directory)
    except OSError as exc:
        _remove(temps)
        if isinstance(exc, OutputError):
            raise
        raise error(f"cannot write {exc.filename or targets[0]}: {exc.strerror or exc}") from None
    except BaseException:
        _remove(temps)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    """Write `text` as UTF-8 to `path` atomically; OutputError names `path` (nothing partial is left)."""
    with atomic_outputs([path]) as outputs, open(outputs.temp(path), "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def temporary_beside(path: Path) -> Path:
    """A fresh temporary path in `path`'s directory, for a file built in place and then published."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    return temporary


def publish(temporary: Path, path: Path) -> None:
    """Make a complete temporary file the real one: fsync it, rename it over `path`, fsync the directory."""
    fsync_file(temporary)
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def fsync_file(path: Path) -> None:
    """Flush a file's content to the disk."""
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove(paths: Sequence[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
