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


# Class name -> module, imported on first use of the name.
_LAZY_CLASSES = {
    "Router": "router",
    "PipeToRouterResult": "router",
    "Transport": "transport",
    "WebRtcTransport": "webrtc_transport",
    "PlainTransport": "plain_transport",
    "PipeTransport": "pipe_transport",
    "DirectTransport": "direct_transport",
    "Producer": "producer",
    "Consumer": "consumer",
    "DataProducer": "data_producer",
    "DataConsumer": "data_consumer",
    "RtpObserver": "rtp_observer",
    "AudioLevelObserver": "audio_level_observer",
    "ActiveSpeakerObserver": "active_speaker_observer",
}


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
    module_name = _LAZY_CLASSES.get(name)
    if module_name is not None:
        import importlib

        return getattr(importlib.import_module(f".{module_name}", __name__), name)
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
