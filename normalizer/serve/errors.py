"""Typed errors of the HTTP service: each becomes a 4xx answer with a one-line JSON message."""

from __future__ import annotations

from normalizer import NormalizerError


class RequestError(NormalizerError, ValueError):
    """A request the service cannot answer as asked: 400 unless a subclass says otherwise."""

    status = 400


class NotFoundError(RequestError, LookupError):
    """An entity ID (or a path) the service does not know: 404."""

    status = 404


class PayloadTooLargeError(RequestError):
    """A batch or a body over the declared limits: 413."""

    status = 413


class UnsupportedMediaTypeError(RequestError):
    """A POST body in an encoding the service does not read: 415."""

    status = 415


def shorten(text: str, size: int = 80) -> str:
    """TEXT cut to SIZE characters (an ellipsis marks the cut), for one-line messages."""
    return text if len(text) <= size else text[: size - 1] + "\u2026"
