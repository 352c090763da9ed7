"""RTP header extension values: the ids mediasoup uses inside a Router and the value formats.

A Producer rewrites ("mangles") the header extension ids its endpoint negotiated into the
Router's own ids, which are the numbers of mediasoup's ``RtpHeaderExtensionUri::Type``
(below); Consumers then see only those. The functions here decode and encode extension
values; ``RtpPacket`` finds the values.
"""

from __future__ import annotations

from typing import NamedTuple

# mediasoup's RtpHeaderExtensionUri::Type: the Router-side id of each known extension.
MID = 1  # urn:ietf:params:rtp-hdrext:sdes:mid
RTP_STREAM_ID = 2  # urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
REPAIRED_RTP_STREAM_ID = 3  # urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
ABS_SEND_TIME = 4  # http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
TRANSPORT_WIDE_CC_01 = 5  # draft-holmer-rmcat-transport-wide-cc-extensions-01
FRAME_MARKING_07 = 6  # draft-ietf-avtext-framemarking-07
FRAME_MARKING = 7  # urn:ietf:params:rtp-hdrext:framemarking
SSRC_AUDIO_LEVEL = 10  # urn:ietf:params:rtp-hdrext:ssrc-audio-level
VIDEO_ORIENTATION = 11  # urn:3gpp:video-orientation
TOFFSET = 12  # urn:ietf:params:rtp-hdrext:toffset

URI_TO_TYPE: dict[str, int] = {
    "urn:ietf:params:rtp-hdrext:sdes:mid": MID,
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id": RTP_STREAM_ID,
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id": REPAIRED_RTP_STREAM_ID,
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time": ABS_SEND_TIME,
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01": (
        TRANSPORT_WIDE_CC_01
    ),
    "http://tools.ietf.org/html/draft-ietf-avtext-framemarking-07": FRAME_MARKING_07,
    "urn:ietf:params:rtp-hdrext:framemarking": FRAME_MARKING,
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level": SSRC_AUDIO_LEVEL,
    "urn:3gpp:video-orientation": VIDEO_ORIENTATION,
    "urn:ietf:params:rtp-hdrext:toffset": TOFFSET,
}

# A MID value is written with room for this many bytes so that a Consumer can put its own
# (possibly longer) MID in place (mediasoup's MidMaxLength).
MID_MAX_LENGTH = 8


class FrameMarking(NamedTuple):
    """The frame-marking extension (1 to 3 bytes): S E I D B TID, then LID, then TL0PICIDX."""

    start: bool
    end: bool
    independent: bool
    discardable: bool
    base: bool
    tid: int
    lid: int | None
    tl0picidx: int | None


def time_ms_to_abs_send_time(ms: int) -> int:
    """Milliseconds to abs-send-time: seconds in 6.18 fixed point, 24 bits, rounded."""
    return (((ms << 18) + 500) // 1000) & 0xFFFFFF


def decode_ssrc_audio_level(value: bytes) -> tuple[int, bool] | None:
    """(level in -dBov 0..127, voice activity) from a 1-byte value; None for another length."""
    if len(value) != 1:
        return None
    byte = value[0]
    return byte & 0x7F, bool(byte & 0x80)


def decode_video_orientation(value: bytes) -> tuple[bool, bool, int] | None:
    """(camera is back-facing, horizontal flip, rotation in degrees counter-clockwise)."""
    if len(value) != 1:
        return None
    byte = value[0]
    return bool(byte & 0x08), bool(byte & 0x04), (byte & 0x03) * 90


def decode_toffset(value: bytes) -> int | None:
    """The transmission time offset: a signed 24-bit number of RTP clock ticks."""
    if len(value) != 3:
        return None
    offset = (value[0] << 16) | (value[1] << 8) | value[2]
    return offset - 0x1000000 if offset & 0x800000 else offset


def decode_frame_marking(value: bytes) -> FrameMarking | None:
    """A 1-, 2- or 3-byte frame-marking value; None when empty or longer than 3 bytes."""
    length = len(value)
    if length == 0 or length > 3:
        return None
    byte = value[0]
    return FrameMarking(
        start=bool(byte & 0x80),
        end=bool(byte & 0x40),
        independent=bool(byte & 0x20),
        discardable=bool(byte & 0x10),
        base=bool(byte & 0x08),
        tid=byte & 0x07,
        lid=value[1] if length >= 2 else None,
        tl0picidx=value[2] if length == 3 else None,
    )
