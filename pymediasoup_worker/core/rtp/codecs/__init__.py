"""Payload descriptors by codec, as mediasoup's RTC::Codecs::Tools.

``is_key_frame(mime_type, payload)`` dispatches on the MIME type (case-insensitive, e.g.
``video/VP8``); codecs without key frames (Opus and all audio) answer False. The codec
modules take ``(data, offset, end)`` so that they can read a packet's buffer in place:
``is_key_frame(mime, packet.buffer, packet.payload_offset, packet.payload_offset +
packet.payload_length)``.
"""

from __future__ import annotations

from collections.abc import Callable

from . import h264, opus, vp8, vp9

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


__all__ = ["can_be_key_frame", "h264", "is_key_frame", "opus", "vp8", "vp9"]
