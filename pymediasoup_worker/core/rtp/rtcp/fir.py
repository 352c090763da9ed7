"""Full Intra Request (RFC 5104 section 4.3.1): PSFB, FMT 4.

The media SSRC of the header is unused (0); each 8-byte FCI item names the source that
should send a key frame and a command sequence number::

    |                              SSRC                             |
    | Seq nr.       |    Reserved                                   |
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .common import PSFB, pack_feedback, parse_feedback_header

FMT = 4
_ITEM = struct.Struct("!IB3x")


@dataclass(slots=True)
class FeedbackPsFirPacket:
    packet_type = PSFB
    fmt = FMT

    sender_ssrc: int
    media_ssrc: int = 0
    items: list[tuple[int, int]] = field(default_factory=list)  # (ssrc, sequence number)

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> FeedbackPsFirPacket:
        sender_ssrc, media_ssrc, end = parse_feedback_header(data, PSFB, FMT)
        if (end - 12) % 8:
            raise ValueError("FIR FCI is not a whole number of 8-byte items")
        items = [_ITEM.unpack_from(data, pos) for pos in range(12, end, 8)]
        return cls(sender_ssrc, media_ssrc, items)

    def add_item(self, ssrc: int, sequence_number: int) -> None:
        self.items.append((ssrc, sequence_number & 0xFF))

    def serialize(self) -> bytes:
        fci = b"".join(_ITEM.pack(ssrc, seq) for ssrc, seq in self.items)
        return pack_feedback(PSFB, FMT, self.sender_ssrc, self.media_ssrc, fci)

    __bytes__ = serialize
