"""Receiver Report (RFC 3550 section 6.4.2) and its report blocks, also carried by SRs.

::

    |V=2|P|   RC    |   PT=RR=201   |             length            |
    |                     SSRC of packet sender                     |
    report block, RC times (24 bytes):
    |                 SSRC_n (source identifier)                    |
    | fraction lost |       cumulative number of packets lost       |
    |           extended highest sequence number received           |
    |                      interarrival jitter                      |
    |                         last SR (LSR)                         |
    |                   delay since last SR (DLSR)                  |

Bytes after the last block (profile-specific extensions) are ignored. More than 31
blocks are serialized as several RR packets with the same sender SSRC.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .common import COMMON_HEADER_SIZE, MAX_COUNT, RR, pack_common_header, parse_common_header

REPORT_BLOCK_SIZE = 24
_BLOCK = struct.Struct("!IIIIII")
_SSRC = struct.Struct("!I")

# Cumulative packets lost is a signed 24-bit number (two's complement, as RFC 3550 and
# libwebrtc; mediasoup 3.7 uses sign and magnitude instead).
MAX_TOTAL_LOST = 0x7FFFFF
MIN_TOTAL_LOST = -0x800000


@dataclass(slots=True)
class ReceiverReport:
    """One report block: reception statistics for the source ``ssrc``."""

    ssrc: int
    fraction_lost: int = 0
    total_lost: int = 0
    last_seq: int = 0
    jitter: int = 0
    last_sender_report: int = 0
    delay_since_last_sender_report: int = 0

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview, offset: int = 0) -> ReceiverReport:
        if len(data) - offset < REPORT_BLOCK_SIZE:
            raise ValueError("not enough bytes for an RTCP report block")
        ssrc, lost_word, last_seq, jitter, lsr, dlsr = _BLOCK.unpack_from(data, offset)
        total_lost = lost_word & 0xFFFFFF
        if total_lost & 0x800000:
            total_lost -= 0x1000000
        return cls(ssrc, lost_word >> 24, total_lost, last_seq, jitter, lsr, dlsr)

    def serialize(self) -> bytes:
        total_lost = min(max(self.total_lost, MIN_TOTAL_LOST), MAX_TOTAL_LOST) & 0xFFFFFF
        return _BLOCK.pack(
            self.ssrc,
            ((self.fraction_lost & 0xFF) << 24) | total_lost,
            self.last_seq,
            self.jitter,
            self.last_sender_report,
            self.delay_since_last_sender_report,
        )

    __bytes__ = serialize


def parse_report_blocks(
    data: bytes | bytearray | memoryview, offset: int, end: int, count: int
) -> list[ReceiverReport]:
    if offset + count * REPORT_BLOCK_SIZE > end:
        raise ValueError(f"{count} report blocks announced, not enough bytes for them")
    return [ReceiverReport.parse(data, offset + n * REPORT_BLOCK_SIZE) for n in range(count)]


def serialize_report_packets(first: bytes, first_type: int, ssrc: int,
                             reports: list[ReceiverReport]) -> bytes:  # fmt: skip
    """``first`` (the body before any block: the SSRC, plus sender info for an SR) with up
    to 31 blocks, then RR packets from ``ssrc`` for the remaining blocks."""
    head = reports[:MAX_COUNT]
    body = first + b"".join(report.serialize() for report in head)
    out = [pack_common_header(len(head), first_type, COMMON_HEADER_SIZE + len(body)), body]
    for start in range(MAX_COUNT, len(reports), MAX_COUNT):
        chunk = reports[start : start + MAX_COUNT]
        body = _SSRC.pack(ssrc) + b"".join(report.serialize() for report in chunk)
        out += [pack_common_header(len(chunk), RR, COMMON_HEADER_SIZE + len(body)), body]
    return b"".join(out)


@dataclass(slots=True)
class ReceiverReportPacket:
    """An RR packet: the sender's SSRC and its report blocks."""

    packet_type = RR

    ssrc: int = 0
    reports: list[ReceiverReport] = field(default_factory=list)

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> ReceiverReportPacket:
        count, end = parse_common_header(data, RR)
        if end < 8:
            raise ValueError("RR packet without the sender SSRC")
        (ssrc,) = _SSRC.unpack_from(data, 4)
        return cls(ssrc, parse_report_blocks(data, 8, end, count))

    def add_report(self, report: ReceiverReport) -> None:
        self.reports.append(report)

    def serialize(self) -> bytes:
        return serialize_report_packets(_SSRC.pack(self.ssrc), RR, self.ssrc, self.reports)

    __bytes__ = serialize
