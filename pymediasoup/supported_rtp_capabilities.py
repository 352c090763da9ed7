"""The RTP capabilities mediasoup 3.7.11 supports (``supportedRtpCapabilities.ts``).

The data is kept in mediasoup's raw form: optional keys it leaves out (``channels``
for mono audio, ``parameters``, ``rtcpFeedback`` of CN and telephone-event,
``parameter`` of a feedback entry) are absent here too. ``ortc`` normalises a copy
of it when it builds a router's capabilities; this module never changes.
RTX codecs are not listed: routers add them.
"""

from __future__ import annotations

import copy
from typing import Any, cast

from .types import RtpCapabilities

__all__ = ["SUPPORTED_RTP_CAPABILITIES", "get_supported_rtp_capabilities"]

_TRANSPORT_WIDE_CC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"


def _audio(
    mime_type: str,
    clock_rate: int,
    *,
    payload_type: int | None = None,
    channels: int | None = None,
    transport_cc: bool = True,
) -> dict[str, Any]:
    codec: dict[str, Any] = {"kind": "audio", "mimeType": mime_type}
    if payload_type is not None:
        codec["preferredPayloadType"] = payload_type
    codec["clockRate"] = clock_rate
    if channels is not None:
        codec["channels"] = channels
    if transport_cc:
        codec["rtcpFeedback"] = [{"type": "transport-cc"}]
    return codec


def _video(mime_type: str, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    codec: dict[str, Any] = {"kind": "video", "mimeType": mime_type, "clockRate": 90000}
    if parameters is not None:
        codec["parameters"] = parameters
    codec["rtcpFeedback"] = [
        {"type": "nack"},
        {"type": "nack", "parameter": "pli"},
        {"type": "ccm", "parameter": "fir"},
        {"type": "goog-remb"},
        {"type": "transport-cc"},
    ]
    return codec


def _ext(kind: str, uri: str, preferred_id: int, direction: str = "sendrecv") -> dict[str, Any]:
    return {
        "kind": kind,
        "uri": uri,
        "preferredId": preferred_id,
        "preferredEncrypt": False,
        "direction": direction,
    }


SUPPORTED_RTP_CAPABILITIES: RtpCapabilities = cast(
    RtpCapabilities,
    {
        "codecs": [
            _audio("audio/opus", 48000, channels=2),
            _audio("audio/PCMU", 8000, payload_type=0),
            _audio("audio/PCMA", 8000, payload_type=8),
            _audio("audio/ISAC", 32000),
            _audio("audio/ISAC", 16000),
            _audio("audio/G722", 8000, payload_type=9),
            _audio("audio/iLBC", 8000),
            *(_audio("audio/SILK", rate) for rate in (24000, 16000, 12000, 8000)),
            *(
                _audio("audio/CN", rate, payload_type=13, transport_cc=False)
                for rate in (32000, 16000, 8000)
            ),
            *(
                _audio("audio/telephone-event", rate, transport_cc=False)
                for rate in (48000, 32000, 16000, 8000)
            ),
            _video("video/VP8"),
            _video("video/VP9"),
            _video("video/H264", {"packetization-mode": 1, "level-asymmetry-allowed": 1}),
            _video("video/H264", {"packetization-mode": 0, "level-asymmetry-allowed": 1}),
            _video("video/H265", {"packetization-mode": 1, "level-asymmetry-allowed": 1}),
            _video("video/H265", {"packetization-mode": 0, "level-asymmetry-allowed": 1}),
        ],
        "headerExtensions": [
            _ext("audio", "urn:ietf:params:rtp-hdrext:sdes:mid", 1),
            _ext("video", "urn:ietf:params:rtp-hdrext:sdes:mid", 1),
            _ext("video", "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", 2, "recvonly"),
            _ext("video", "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", 3, "recvonly"),
            _ext("audio", "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", 4),
            _ext("video", "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", 4),
            # Audio only receives transport-wide-cc: mediasoup does not send it for audio.
            _ext("audio", _TRANSPORT_WIDE_CC, 5, "recvonly"),
            _ext("video", _TRANSPORT_WIDE_CC, 5),
            _ext("video", "http://tools.ietf.org/html/draft-ietf-avtext-framemarking-07", 6),
            _ext("video", "urn:ietf:params:rtp-hdrext:framemarking", 7),
            _ext("audio", "urn:ietf:params:rtp-hdrext:ssrc-audio-level", 10),
            _ext("video", "urn:3gpp:video-orientation", 11),
            _ext("video", "urn:ietf:params:rtp-hdrext:toffset", 12),
        ],
    },
)


def get_supported_rtp_capabilities() -> RtpCapabilities:
    """A deep copy of :data:`SUPPORTED_RTP_CAPABILITIES` that the caller may change."""
    return copy.deepcopy(SUPPORTED_RTP_CAPABILITIES)
