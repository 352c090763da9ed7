"""pymediasoup: mediasoup v3, the WebRTC SFU, in Python (the controller library).

import pymediasoup
worker = await pymediasoup.create_worker()
router = await worker.create_router(media_codecs=[...])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
version = __version__

if TYPE_CHECKING:
    from .enhanced_event_emitter import EnhancedEventEmitter
    from .types import RtpCapabilities, ScalabilityMode
    from .worker import Worker, create_worker

    #: Emits 'newworker'(worker).
    observer: EnhancedEventEmitter


def get_supported_rtp_capabilities() -> RtpCapabilities:
    from .supported_rtp_capabilities import get_supported_rtp_capabilities as get

    return get()


def parse_scalability_mode(scalability_mode: str | None = None) -> ScalabilityMode:
    from .scalability_modes import parse_scalability_mode as parse

    return parse(scalability_mode)


def __getattr__(name: str) -> Any:
    # The controller's classes load on first use, so that the worker (which shares the
    # channel codec in this package) does not pay for them at start-up.
    if name == "observer":
        from .enhanced_event_emitter import EnhancedEventEmitter

        emitter = globals().setdefault("observer", EnhancedEventEmitter())
        return emitter
    if name in ("create_worker", "Worker"):
        from . import worker

        return getattr(worker, name)
    if name in ("MediasoupError", "InvalidStateError", "UnsupportedError"):
        from . import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'pymediasoup' has no attribute {name!r}")


__all__ = [
    "InvalidStateError",
    "MediasoupError",
    "UnsupportedError",
    "Worker",
    "create_worker",
    "get_supported_rtp_capabilities",
    "observer",
    "parse_scalability_mode",
    "version",
]
