"""Builds the transport a ``router.create*Transport`` request asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import MediaSoupError

if TYPE_CHECKING:
    from .shared import Shared
    from .transport import Transport


def create_transport(
    method: str, transport_id: str, shared: Shared, listener: Any, data: dict[str, Any]
) -> Transport:
    """A new transport (its sockets bound); raises MediaSoupError / MediaSoupTypeError."""
    if method == "router.createWebRtcTransport":
        from .webrtc_transport import WebRtcTransport

        return WebRtcTransport(transport_id, shared, listener, data)
    if method == "router.createPlainTransport":
        from .plain_transport import PlainTransport

        return PlainTransport(transport_id, shared, listener, data)
    if method == "router.createPipeTransport":
        from .pipe_transport import PipeTransport

        return PipeTransport(transport_id, shared, listener, data)
    if method == "router.createDirectTransport":
        from .direct_transport import DirectTransport

        return DirectTransport(transport_id, shared, listener, data)
    raise MediaSoupError(f"unknown method '{method}'")
