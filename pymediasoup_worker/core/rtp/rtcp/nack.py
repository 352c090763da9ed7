"""Generic NACK (RFC 4585 section 6.2.1): RTPFB, FMT 1.

Each FCI item is ``PID`` (a lost sequence number) and ``BLP``, a bitmask whose bit i
(least significant first) reports ``PID + i + 1`` lost too.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass, field

from .common import RTPFB, pack_feedback, parse_feedback_header

FMT = 1
_ITEM = struct.Struct("!HH")


@dataclass(slots=True)
class FeedbackRtpNackPacket:
    packet_type = RTPFB
    fmt = FMT

    sender_ssrc: int
    media_ssrc: int
    items: list[tuple[int, int]] = field(default_factory=list)  # (pid, blp)

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> FeedbackRtpNackPacket:
        sender_ssrc, media_ssrc, end = parse_feedback_header(data, RTPFB, FMT)
        if (end - 12) % 4:
            raise ValueError("NACK FCI is not a whole number of 4-byte items")
        items = [_ITEM.unpack_from(data, pos) for pos in range(12, end, 4)]
        return cls(sender_ssrc, media_ssrc, items)

    @classmethod
    def from_sequence_numbers(
        cls, sender_ssrc: int, media_ssrc: int, sequence_numbers: Iterable[int]
    ) -> FeedbackRtpNackPacket:
        """Pack lost sequence numbers, given in increasing order (modulo 2^16), into items."""
        items: list[tuple[int, int]] = []
        pid = blp = -1
        for seq in sequence_numbers:
            distance = (seq - pid) & 0xFFFF
            if pid >= 0 and 1 <= distance <= 16:
                blp |= 1 << (distance - 1)
                continue
            if pid >= 0:
                items.append((pid, blp))
            pid, blp = seq & 0xFFFF, 0
        if pid >= 0:
            items.append((pid, blp))
        return cls(sender_ssrc, media_ssrc, items)

    def sequence_numbers(self) -> list[int]:
        """Every sequence number reported lost, item by item."""
        lost: list[int] = []
        for pid, blp in self.items:
            lost.append(pid)
            bit = 0
            while blp:
                if blp & 1:
                    lost.append((pid + bit + 1) & 0xFFFF)
                blp >>= 1
                bit += 1
        return lost

    def serialize(self) -> bytes:
        fci = b"".join(_ITEM.pack(pid, blp) for pid, blp in self.items)
        return pack_feedback(RTPFB, FMT, self.sender_ssrc, self.media_ssrc, fci)

    __bytes__ = serialize
