"""Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb): PSFB, FMT 15
(application layer feedback) whose FCI starts with the ASCII identifier "REMB".

::

    |  Unique identifier 'R' 'E' 'M' 'B'                            |
    |  Num SSRC     | BR Exp    |  BR Mantissa                      |
    |   SSRC feedback (Num SSRC times)                              |

The bitrate is ``mantissa (18 bits) << exponent (6 bits)`` bits per second.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .common import PSFB, pack_feedback, parse_feedback_header

FMT = 15  # AFB
UNIQUE_IDENTIFIER = b"REMB"
_MAX_MANTISSA = 0x3FFFF


def is_remb(data: bytes | bytearray | memoryview) -> bool:
    """Whether an application layer feedback packet carries a REMB."""
    return len(data) >= 16 and bytes(data[12:16]) == UNIQUE_IDENTIFIER


@dataclass(slots=True)
class FeedbackPsRembPacket:
    packet_type = PSFB
    fmt = FMT

    sender_ssrc: int
    media_ssrc: int = 0
    bitrate: int = 0
    ssrcs: list[int] = field(default_factory=list)

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> FeedbackPsRembPacket:
        sender_ssrc, media_ssrc, end = parse_feedback_header(data, PSFB, FMT)
        if end < 20:
            raise ValueError("REMB packet too short")
        if not is_remb(data):
            raise ValueError("application layer feedback without the REMB identifier")
        num_ssrcs = data[16]
        if 20 + 4 * num_ssrcs != end:
            raise ValueError(f"REMB announces {num_ssrcs} SSRCs but has {end - 20} bytes for them")
        exponent = data[17] >> 2
        mantissa = ((data[17] & 0x03) << 16) | (data[18] << 8) | data[19]
        bitrate = mantissa << exponent
        if bitrate >= 1 << 64:
            raise ValueError(f"REMB bitrate {mantissa} * 2^{exponent} does not fit 64 bits")
        ssrcs = list(struct.unpack_from(f"!{num_ssrcs}I", data, 20))
        return cls(sender_ssrc, media_ssrc, bitrate, ssrcs)

    def serialize(self) -> bytes:
        if len(self.ssrcs) > 255:
            raise ValueError("a REMB carries at most 255 SSRCs")
        mantissa = self.bitrate
        exponent = 0
        while mantissa > _MAX_MANTISSA:
            mantissa >>= 1
            exponent += 1
        fci = (
            UNIQUE_IDENTIFIER
            + bytes(
                (
                    len(self.ssrcs),
                    (exponent << 2) | (mantissa >> 16),
                    (mantissa >> 8) & 0xFF,
                    mantissa & 0xFF,
                )
            )  # fmt: skip
            + struct.pack(f"!{len(self.ssrcs)}I", *self.ssrcs)
        )
        return pack_feedback(PSFB, FMT, self.sender_ssrc, self.media_ssrc, fci)

    __bytes__ = serialize
