"""Extended Reports (RFC 3611): the receiver-side RTT blocks mediasoup uses.

::

    |V=2|P|reserved |   PT=XR=207   |             length            |
    |                              SSRC                             |
    report blocks, each:
    |      BT       | type-specific |         block length          |
    :             block contents (block length 32-bit words)        :

- Receiver Reference Time (BT=4, length 2): the NTP time the receiver sent it.
- DLRR (BT=5, length 3n): per source, ``(ssrc, last RR, delay since last RR)`` with
  the last RR as the middle 32 bits of the RRT's NTP time and the delay in 1/65536 s.

Other block types are kept as raw ``ExtendedReportBlock`` so the packet serializes back.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .common import COMMON_HEADER_SIZE, XR, pack_common_header, parse_common_header

RRT = 4
DLRR = 5

_BLOCK_HEADER = struct.Struct("!BBH")
_RRT_BODY = struct.Struct("!II")
_SSRC_INFO = struct.Struct("!III")
_SSRC = struct.Struct("!I")


@dataclass(slots=True)
class ReceiverReferenceTime:
    block_type = RRT

    ntp_sec: int = 0
    ntp_frac: int = 0

    def serialize(self) -> bytes:
        return _BLOCK_HEADER.pack(RRT, 0, 2) + _RRT_BODY.pack(self.ntp_sec, self.ntp_frac)


@dataclass(slots=True)
class DelaySinceLastRr:
    block_type = DLRR

    ssrc_infos: list[tuple[int, int, int]] = field(default_factory=list)  # (ssrc, lrr, dlrr)

    def add_ssrc_info(self, ssrc: int, last_rr: int, delay_since_last_rr: int) -> None:
        self.ssrc_infos.append((ssrc, last_rr, delay_since_last_rr))

    def serialize(self) -> bytes:
        body = b"".join(_SSRC_INFO.pack(*info) for info in self.ssrc_infos)
        return _BLOCK_HEADER.pack(DLRR, 0, len(body) // 4) + body


@dataclass(slots=True)
class ExtendedReportBlock:
    """A block of a type not interpreted here, kept as is."""

    block_type: int
    type_specific: int = 0
    body: bytes = b""

    def serialize(self) -> bytes:
        if len(self.body) % 4:
            raise ValueError("XR block body must be a multiple of 4 bytes")
        return (
            _BLOCK_HEADER.pack(self.block_type, self.type_specific, len(self.body) // 4) + self.body
        )


XrBlock = ReceiverReferenceTime | DelaySinceLastRr | ExtendedReportBlock


def _parse_block(data: bytes | bytearray | memoryview, pos: int, end: int) -> tuple[XrBlock, int]:
    if pos + 4 > end:
        raise ValueError("not enough bytes for an XR block header")
    block_type, type_specific, words = _BLOCK_HEADER.unpack_from(data, pos)
    body_start = pos + 4
    block_end = body_start + 4 * words
    if block_end > end:
        raise ValueError(f"XR block of type {block_type} runs past the end of the packet")
    block: XrBlock
    if block_type == RRT:
        if words != 2:
            raise ValueError(f"XR RRT block of {words} words, not 2")
        block = ReceiverReferenceTime(*_RRT_BODY.unpack_from(data, body_start))
    elif block_type == DLRR:
        if words % 3:
            raise ValueError(f"XR DLRR block of {words} words, not a multiple of 3")
        block = DelaySinceLastRr(
            [_SSRC_INFO.unpack_from(data, at) for at in range(body_start, block_end, 12)]
        )
    else:
        block = ExtendedReportBlock(block_type, type_specific, bytes(data[body_start:block_end]))
    return block, block_end


@dataclass(slots=True)
class ExtendedReportPacket:
    packet_type = XR

    ssrc: int = 0
    reports: list[XrBlock] = field(default_factory=list)

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> ExtendedReportPacket:
        _, end = parse_common_header(data, XR)
        if end < 8:
            raise ValueError("XR packet without the SSRC")
        packet = cls(_SSRC.unpack_from(data, COMMON_HEADER_SIZE)[0])
        pos = 8
        while pos < end:
            block, pos = _parse_block(data, pos, end)
            packet.reports.append(block)
        return packet

    def add_report(self, report: XrBlock) -> None:
        self.reports.append(report)

    def serialize(self) -> bytes:
        body = _SSRC.pack(self.ssrc) + b"".join(report.serialize() for report in self.reports)
        return pack_common_header(0, XR, COMMON_HEADER_SIZE + len(body)) + body

    __bytes__ = serialize
