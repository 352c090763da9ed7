"""Exceptions raised by pymediasoup (mediasoup's ``errors.ts``).

Invalid arguments raise Python's built-in :class:`TypeError`; the classes here
cover the other failures mediasoup distinguishes.
"""

from __future__ import annotations

__all__ = ["InvalidStateError", "MediasoupError", "UnsupportedError"]


class MediasoupError(Exception):
    """Base class of pymediasoup's errors; also raised for a worker ``'Error'`` reply."""


class InvalidStateError(MediasoupError):
    """A method was called on a closed object, or once the worker is gone."""


class UnsupportedError(MediasoupError):
    """Something (a codec, a capability) is not supported."""
