"""Sender Report (RFC 3550 section 6.4.1).

::

    |V=2|P|   RC    |   PT=SR=200   |             length            |
    |                         SSRC of sender                        |
    |              NTP timestamp, most significant word             |
    |             NTP timestamp, least significant word             |
    |                         RTP timestamp                         |
    |                     sender's packet count                     |
    |                      sender's octet count                     |
    then RC report blocks (see rr.py)

mediasoup splits this into a SenderReport and a ReceiverReportPacket; here one object
holds the sender info and its report blocks.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .common import SR, parse_common_header
from .rr import ReceiverReport, parse_report_blocks, serialize_report_packets

_SENDER_INFO = struct.Struct("!IIIIII")
SENDER_INFO_END = 4 + _SENDER_INFO.size  # 28: where the report blocks start


@dataclass(slots=True)
class SenderReportPacket:
    packet_type = SR

    ssrc: int
    ntp_sec: int = 0
    ntp_frac: int = 0
    rtp_ts: int = 0
    packet_count: int = 0
    octet_count: int = 0
    reports: list[ReceiverReport] = field(default_factory=list)

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> SenderReportPacket:
        count, end = parse_common_header(data, SR)
        if end < SENDER_INFO_END:
            raise ValueError("SR packet too short for the sender info")
        ssrc, ntp_sec, ntp_frac, rtp_ts, packet_count, octet_count = _SENDER_INFO.unpack_from(
            data, 4
        )
        reports = parse_report_blocks(data, SENDER_INFO_END, end, count)
        return cls(ssrc, ntp_sec, ntp_frac, rtp_ts, packet_count, octet_count, reports)

    @property
    def ntp_ms(self) -> int:
        """The NTP timestamp in milliseconds."""
        return self.ntp_sec * 1000 + (self.ntp_frac * 1000 >> 32)

    def add_report(self, report: ReceiverReport) -> None:
        self.reports.append(report)

    def serialize(self) -> bytes:
        sender_info = _SENDER_INFO.pack(
            self.ssrc, self.ntp_sec, self.ntp_frac, self.rtp_ts, self.packet_count,
            self.octet_count,
        )  # fmt: skip
        return serialize_report_packets(sender_info, SR, self.ssrc, self.reports)

    __bytes__ = serialize
