"""Compound RTCP packets (RFC 3550 section 6.1) and the RTP/RTCP demultiplexing check.

``is_rtcp`` tells RTCP from RTP on a muxed port (RFC 5761 section 4): version 2 and a
second byte of 192..223, a range that RTP payload types avoid with the marker bit set.

``CompoundPacket.parse`` splits a datagram into packet objects. As mediasoup, parsing
stops at the first malformed packet and keeps those before it, recording the reason in
``error``; ValueError only if not a single packet could be read. Packet types not
handled here (APP, and anything outside 200..207) are skipped and counted in ``skipped``.

Building follows mediasoup's CompoundPacket: ``add_sender_report``,
``add_receiver_report``, ``add_sdes_chunk`` and ``add_receiver_reference_time`` keep an SR
(or else an RR with SSRC 0) first, with the report blocks in it, then SDES, then XR.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .bye import ByePacket
from .common import BYE, PSFB, RR, RTPFB, SDES, SR, XR
from .feedback import AnyFeedbackPacket, parse_feedback
from .rr import ReceiverReport, ReceiverReportPacket
from .sdes import SdesChunk, SdesPacket
from .sr import SenderReportPacket
from .xr import ExtendedReportPacket, ReceiverReferenceTime

RtcpPacket = (
    SenderReportPacket
    | ReceiverReportPacket
    | SdesPacket
    | ByePacket
    | ExtendedReportPacket
    | AnyFeedbackPacket
)

_PARSERS: dict[int, Callable[[memoryview], RtcpPacket]] = {
    SR: SenderReportPacket.parse,
    RR: ReceiverReportPacket.parse,
    SDES: SdesPacket.parse,
    BYE: ByePacket.parse,
    RTPFB: parse_feedback,
    PSFB: parse_feedback,
    XR: ExtendedReportPacket.parse,
}


def is_rtcp(data: bytes | bytearray | memoryview) -> bool:
    """Whether a datagram is RTCP rather than RTP (RFC 5761 section 4)."""
    return len(data) >= 4 and 127 < data[0] < 192 and 192 <= data[1] <= 223


class CompoundPacket:
    """An ordered list of RTCP packets sent or received in one datagram."""

    __slots__ = ("packets", "skipped", "error")

    def __init__(self, packets: list[RtcpPacket] | None = None) -> None:
        self.packets: list[RtcpPacket] = packets if packets is not None else []
        self.skipped = 0  # packets of types not handled here
        self.error: str | None = None  # why parsing stopped early, if it did

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> CompoundPacket:
        compound = cls()
        view = memoryview(data)
        size = len(view)
        pos = 0
        while pos < size:
            if not is_rtcp(view[pos:]):
                compound.error = f"no RTCP header at byte {pos}"
                break
            end = pos + ((view[pos + 2] << 8) | view[pos + 3]) * 4 + 4
            if end > size:
                compound.error = f"RTCP packet at byte {pos} runs past the datagram's end"
                break
            parser = _PARSERS.get(view[pos + 1])
            if parser is None:
                compound.skipped += 1
            else:
                try:
                    compound.packets.append(parser(view[pos:end]))
                except ValueError as error:
                    compound.error = f"RTCP packet at byte {pos}: {error}"
                    break
            pos = end
        if compound.error is not None and not compound.packets and not compound.skipped:
            raise ValueError(compound.error)
        return compound

    def serialize(self) -> bytes:
        return b"".join(packet.serialize() for packet in self.packets)

    __bytes__ = serialize

    def __len__(self) -> int:
        return len(self.packets)

    def __iter__(self) -> Iterator[RtcpPacket]:
        return iter(self.packets)

    def add(self, packet: RtcpPacket) -> None:
        self.packets.append(packet)

    # mediasoup's CompoundPacket builder.

    def _head(self) -> SenderReportPacket | ReceiverReportPacket:
        if self.packets and isinstance(self.packets[0], SenderReportPacket | ReceiverReportPacket):
            return self.packets[0]
        head = ReceiverReportPacket(0)
        self.packets.insert(0, head)
        return head

    def has_sender_report(self) -> bool:
        return bool(self.packets) and isinstance(self.packets[0], SenderReportPacket)

    def add_sender_report(self, report: SenderReportPacket) -> None:
        """Put ``report`` first, taking over the report blocks gathered so far."""
        if self.has_sender_report():
            raise ValueError("the compound packet already has a Sender Report")
        head = self._head()
        report.reports.extend(head.reports)
        self.packets[0] = report

    def add_receiver_report(self, report: ReceiverReport) -> None:
        self._head().reports.append(report)

    def add_sdes_chunk(self, chunk: SdesChunk) -> None:
        self._head()
        for packet in self.packets:
            if isinstance(packet, SdesPacket):
                packet.chunks.append(chunk)
                return
        index = 1
        while index < len(self.packets) and isinstance(self.packets[index], ReceiverReportPacket):
            index += 1
        self.packets.insert(index, SdesPacket([chunk]))

    def add_receiver_reference_time(self, report: ReceiverReferenceTime) -> None:
        self._head()
        for packet in self.packets:
            if isinstance(packet, ExtendedReportPacket):
                packet.reports.append(report)
                return
        self.packets.append(ExtendedReportPacket(0, [report]))

    def get_sender_report_count(self) -> int:
        return 1 if self.has_sender_report() else 0

    def get_receiver_report_count(self) -> int:
        if self.packets and isinstance(self.packets[0], SenderReportPacket | ReceiverReportPacket):
            return len(self.packets[0].reports)
        return 0

    def __repr__(self) -> str:
        return f"CompoundPacket({self.packets!r}, skipped={self.skipped}, error={self.error!r})"
