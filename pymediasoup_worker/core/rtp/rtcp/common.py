"""The RTCP common header (RFC 3550 section 6.4) shared by every packet type.

::

     0                   1                   2                   3
    |V=2|P|  count  |      PT       |             length            |

``count`` is the report/chunk/SSRC count, or the feedback message type (FMT); ``length``
is the packet's size in 32-bit words minus one. With P set, the last byte says how many
padding bytes end the packet.
"""

from __future__ import annotations

import struct

SR = 200
RR = 201
SDES = 202
BYE = 203
APP = 204
RTPFB = 205
PSFB = 206
XR = 207

TYPE_NAMES = {SR: "SR", RR: "RR", SDES: "SDES", BYE: "BYE", APP: "APP", RTPFB: "RTPFB",
              PSFB: "PSFB", XR: "XR"}  # fmt: skip

COMMON_HEADER_SIZE = 4
MAX_COUNT = 31

_COMMON_HEADER = struct.Struct("!BBH")


def parse_common_header(data: bytes | bytearray | memoryview, packet_type: int) -> tuple[int, int]:
    """Check the header of the single packet ``data``; return (count, end of the content).

    ValueError if the version is not 2, the type is not ``packet_type``, the length field
    does not match ``len(data)`` or the padding is impossible.
    """
    size = len(data)
    if size < COMMON_HEADER_SIZE:
        raise ValueError(f"RTCP packet too short: {size} bytes")
    first, actual_type, words = _COMMON_HEADER.unpack_from(data)
    if first >> 6 != 2:
        raise ValueError(f"RTCP version is {first >> 6}, not 2")
    if actual_type != packet_type:
        raise ValueError(f"RTCP packet type is {actual_type}, not {packet_type}")
    if (words + 1) * 4 != size:
        raise ValueError(f"RTCP length field says {(words + 1) * 4} bytes, got {size}")
    end = size
    if first & 0x20:
        padding = data[size - 1]
        if padding == 0 or padding > size - COMMON_HEADER_SIZE:
            raise ValueError(f"invalid RTCP padding length {padding}")
        end -= padding
    return first & 0x1F, end


def pack_common_header(count: int, packet_type: int, size: int) -> bytes:
    """The header of a ``size``-byte packet (a multiple of 4, header included)."""
    if not 0 <= count <= MAX_COUNT:
        raise ValueError(f"RTCP count {count} out of 0..31")
    if size % 4 or size < COMMON_HEADER_SIZE:
        raise ValueError(f"RTCP packet size {size} is not a positive multiple of 4")
    return _COMMON_HEADER.pack(0x80 | count, packet_type, size // 4 - 1)


def pad_to_words(data: bytes | bytearray) -> bytes:
    """``data`` followed by zero bytes up to a multiple of 4."""
    return bytes(data) + bytes(-len(data) & 3)


# Feedback messages (RFC 4585 section 6.1): the common header with FMT in place of count,
# then the two SSRCs, then the feedback control information (FCI).
#
#    |V=2|P|   FMT   |       PT      |          length               |
#    |                  SSRC of packet sender                        |
#    |                  SSRC of media source                         |
#    :            Feedback Control Information (FCI)                 :

FEEDBACK_HEADER_SIZE = 12
_SSRC_PAIR = struct.Struct("!II")


def parse_feedback_header(
    data: bytes | bytearray | memoryview, packet_type: int, fmt: int
) -> tuple[int, int, int]:
    """(sender SSRC, media SSRC, end of the FCI) of a feedback packet of this type and FMT."""
    actual_fmt, end = parse_common_header(data, packet_type)
    if actual_fmt != fmt:
        raise ValueError(f"feedback FMT is {actual_fmt}, not {fmt}")
    if end < FEEDBACK_HEADER_SIZE:
        raise ValueError("feedback packet too short for its two SSRCs")
    sender_ssrc, media_ssrc = _SSRC_PAIR.unpack_from(data, COMMON_HEADER_SIZE)
    return sender_ssrc, media_ssrc, end


def pack_feedback(packet_type: int, fmt: int, sender_ssrc: int, media_ssrc: int,
                  fci: bytes) -> bytes:  # fmt: skip
    """A whole feedback packet; ``fci`` must be a multiple of 4 bytes long."""
    if len(fci) % 4:
        raise ValueError("feedback FCI must be a multiple of 4 bytes")
    size = FEEDBACK_HEADER_SIZE + len(fci)
    return (
        pack_common_header(fmt, packet_type, size) + _SSRC_PAIR.pack(sender_ssrc, media_ssrc) + fci
    )
