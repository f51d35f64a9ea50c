"""uanorm's version, read once from the installed package's metadata (pyproject.toml is the one place it is written).

The metadata file is found on sys.path directly (`uanorm-*.dist-info/METADATA`), as importlib.metadata
would find it, without importing importlib.metadata and what it brings (email, zipfile, csv): a
cold start of `uanorm match` spends its time on matching, not on reading its own version.
"""

from __future__ import annotations

import os
import sys


def _from_dist_info() -> str | None:
    """The Version field of the first uanorm dist-info on sys.path, or None."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith("uanorm-") and name.endswith(".dist-info"):
                try:
                    with open(os.path.join(entry or ".", name, "METADATA"), encoding="utf-8") as handle:
                        for line in handle:
                            if line.startswith("Version:"):
                                return line.split(":", 1)[1].strip()
                            if not line.strip():
                                break  # the headers end at the first blank line
                except OSError:
                    continue
    return None


def _version() -> str:
    found = _from_dist_info()
    if found:
        return found
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("uanorm")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree that was never installed
        return "0+unknown"


__version__ = _version()
