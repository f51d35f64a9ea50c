"""Typed exceptions of the matcher and its interfaces."""

from __future__ import annotations

from gazetteer.errors import GazetteerError
from gazetteer.errors import OutputError as _OutputError


class NormalizerError(GazetteerError):
    """Base class of every error the normalizer raises on purpose."""


class IndexError_(NormalizerError, ValueError):
    """The derived index cannot be built or read."""


class HintError(NormalizerError, ValueError):
    """An oblast or kind hint that names nothing known."""


class InputFileError(NormalizerError, ValueError):
    """An input file that cannot be read as asked (missing, unreadable, wrong encoding, bad format)."""


class ColumnError(NormalizerError, LookupError):
    """A column that is missing from the data, or whose output names collide with existing ones."""


class OutputError(NormalizerError, _OutputError):
    """An output that cannot be written (directory missing, disk full, permission)."""
