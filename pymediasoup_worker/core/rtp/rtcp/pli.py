"""Picture Loss Indication (RFC 4585 section 6.3.1): PSFB, FMT 1, no FCI."""

from __future__ import annotations

from dataclasses import dataclass

from .common import PSFB, pack_feedback, parse_feedback_header

FMT = 1


@dataclass(slots=True)
class FeedbackPsPliPacket:
    packet_type = PSFB
    fmt = FMT

    sender_ssrc: int
    media_ssrc: int

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> FeedbackPsPliPacket:
        sender_ssrc, media_ssrc, _ = parse_feedback_header(data, PSFB, FMT)
        return cls(sender_ssrc, media_ssrc)

    def serialize(self) -> bytes:
        return pack_feedback(PSFB, FMT, self.sender_ssrc, self.media_ssrc, b"")

    __bytes__ = serialize
