"""RTCP feedback messages (RFC 4585): RTPFB (205) and PSFB (206), by FMT.

``parse_feedback`` picks the class for a packet's type and FMT: generic NACK and
transport-cc (RTPFB 1 and 15), PLI, FIR and REMB (PSFB 1, 4, and 15 with "REMB"). Any
other FMT (TMMBR, SLI, RPSI, other application layer feedback...) parses into a
``FeedbackPacket`` that keeps its FCI as bytes and serializes back unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from .common import FEEDBACK_HEADER_SIZE, PSFB, RTPFB, pack_feedback, parse_feedback_header
from .fir import FeedbackPsFirPacket
from .nack import FeedbackRtpNackPacket
from .pli import FeedbackPsPliPacket
from .remb import FeedbackPsRembPacket, is_remb
from .twcc import FeedbackRtpTransportPacket

# RTPFB message types.
RTPFB_NACK = 1
RTPFB_TMMBR = 3
RTPFB_TMMBN = 4
RTPFB_SR_REQ = 5
RTPFB_TCC = 15
# PSFB message types.
PSFB_PLI = 1
PSFB_SLI = 2
PSFB_RPSI = 3
PSFB_FIR = 4
PSFB_AFB = 15


@dataclass(slots=True)
class FeedbackPacket:
    """A feedback message of a type not interpreted here."""

    packet_type: int
    fmt: int
    sender_ssrc: int
    media_ssrc: int
    fci: bytes = b""

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> FeedbackPacket:
        if len(data) < 2 or data[1] not in (RTPFB, PSFB):
            raise ValueError("not an RTPFB or PSFB packet")
        packet_type, fmt = data[1], data[0] & 0x1F
        sender_ssrc, media_ssrc, end = parse_feedback_header(data, packet_type, fmt)
        return cls(packet_type, fmt, sender_ssrc, media_ssrc, bytes(data[FEEDBACK_HEADER_SIZE:end]))

    def serialize(self) -> bytes:
        return pack_feedback(
            self.packet_type, self.fmt, self.sender_ssrc, self.media_ssrc, self.fci
        )

    __bytes__ = serialize


AnyFeedbackPacket = (
    FeedbackRtpNackPacket
    | FeedbackRtpTransportPacket
    | FeedbackPsPliPacket
    | FeedbackPsFirPacket
    | FeedbackPsRembPacket
    | FeedbackPacket
)


def parse_feedback(data: bytes | bytearray | memoryview) -> AnyFeedbackPacket:
    """Parse one RTPFB or PSFB packet into the class for its FMT; ValueError on garbage."""
    if len(data) < 4:
        raise ValueError("feedback packet too short")
    packet_type, fmt = data[1], data[0] & 0x1F
    if packet_type == RTPFB:
        if fmt == RTPFB_NACK:
            return FeedbackRtpNackPacket.parse(data)
        if fmt == RTPFB_TCC:
            return FeedbackRtpTransportPacket.parse(data)
    elif packet_type == PSFB:
        if fmt == PSFB_PLI:
            return FeedbackPsPliPacket.parse(data)
        if fmt == PSFB_FIR:
            return FeedbackPsFirPacket.parse(data)
        if fmt == PSFB_AFB and is_remb(data):
            return FeedbackPsRembPacket.parse(data)
    return FeedbackPacket.parse(data)


__all__ = [
    "AnyFeedbackPacket",
    "FeedbackPacket",
    "FeedbackPsFirPacket",
    "FeedbackPsPliPacket",
    "FeedbackPsRembPacket",
    "FeedbackRtpNackPacket",
    "FeedbackRtpTransportPacket",
    "parse_feedback",
]
