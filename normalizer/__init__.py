"""uanorm's matcher: any spelling of a Ukrainian place or person to its canonical entity.

    >>> from normalizer import Normalizer
    >>> n = Normalizer()                              # doctest: +SKIP
    >>> n.resolve("Lisichansk").best.id               # doctest: +SKIP
    'UA44120050010021900'
"""

from __future__ import annotations

from gazetteer.version import __version__

from .api import Normalizer, annotate, normalize
from .errors import ColumnError, HintError, InputFileError, NormalizerError, OutputError
from .match.model import AMBIGUOUS, MATCHED, UNMATCHED, Candidate, Result
from .tables.frames import clean

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
    "__version__",
    "annotate",
    "clean",
    "normalize",
]
