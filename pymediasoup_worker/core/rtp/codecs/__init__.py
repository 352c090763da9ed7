"""Payload descriptors by codec, as mediasoup's RTC::Codecs::Tools.

``is_key_frame(mime_type, payload)`` dispatches on the MIME type (case-insensitive, e.g.
``video/VP8``); codecs without key frames (Opus and all audio) answer False. The codec
modules take ``(data, offset, end)`` so that they can read a packet's buffer in place:
``is_key_frame(mime, packet.buffer, packet.payload_offset, packet.payload_offset +
packet.payload_length)``.
"""

from __future__ import annotations

from collections.abc import Callable

from ..header_extensions import FrameMarking
from ..packet import RtpPacket
from . import h264, opus, vp8, vp9

PayloadDescriptor = vp8.PayloadDescriptor | vp9.PayloadDescriptor | h264.PayloadDescriptor

_KEY_FRAME_CHECKS: dict[str, Callable[..., bool]] = {
    "video/vp8": vp8.is_key_frame,
    "video/vp9": vp9.is_key_frame,
    "video/h264": h264.is_key_frame,
    "audio/opus": opus.is_key_frame,
}


def can_be_key_frame(mime_type: str) -> bool:
    """Whether packets of this codec can carry key frames (VP8, VP9, H264)."""
    return mime_type.lower() in ("video/vp8", "video/vp9", "video/h264")


def is_key_frame(
    mime_type: str, payload: bytes | bytearray, offset: int = 0, end: int | None = None
) -> bool:
    check = _KEY_FRAME_CHECKS.get(mime_type.lower())
    return check is not None and check(payload, offset, end)


def process_rtp_packet(
    packet: RtpPacket, mime_type: str, frame_marking: FrameMarking | None = None
) -> PayloadDescriptor | None:
    """The packet's payload descriptor, as mediasoup's Tools::ProcessRtpPacket (VP8 packets
    get a two-byte picture id in place); None for other codecs or an unreadable payload.
    ``frame_marking`` is the packet's frame-marking extension, used for H264."""
    mime = mime_type.lower()
    offset = packet.payload_offset
    end = offset + packet.payload_length
    if mime == "video/vp8":
        return vp8.process_rtp_packet(packet)
    if mime == "video/vp9":
        return vp9.parse(packet.buffer, offset, end)
    if mime == "video/h264":
        return h264.parse(packet.buffer, offset, end, frame_marking)
    return None


__all__ = [
    "PayloadDescriptor",
    "can_be_key_frame",
    "h264",
    "is_key_frame",
    "opus",
    "process_rtp_packet",
    "vp8",
    "vp9",
]
