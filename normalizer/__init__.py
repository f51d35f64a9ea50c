"""uanorm's matcher: any spelling of a Ukrainian place or person to its canonical entity.

    >>> from normalizer import Normalizer
    >>> n = Normalizer()                              # doctest: +SKIP
    >>> n.resolve("Lisichansk").best.id               # doctest: +SKIP
    'UA44120050010021900'
"""

from __future__ import annotations

from .api import Normalizer, normalize
from .errors import ColumnError, HintError, InputFileError, NormalizerError, OutputError
from .match.model import AMBIGUOUS, MATCHED, UNMATCHED, Candidate, Result

__version__ = "0.1.0"


def clean(*args, **kwargs):
    """Resolve one or more columns of a pandas or polars DataFrame (see normalizer.tables.batch.clean)."""
    from .tables.batch import clean as _clean

    return _clean(*args, **kwargs)


__all__ = [
    "AMBIGUOUS",
    "MATCHED",
    "UNMATCHED",
    "Candidate",
    "ColumnError",
    "HintError",
    "InputFileError",
    "Normalizer",
    "NormalizerError",
    "OutputError",
    "Result",
    "clean",
    "normalize",
]
