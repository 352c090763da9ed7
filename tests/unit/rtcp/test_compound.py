"""Compound packets: RFC 5761 demux, splitting (skips, early stops), mediasoup's builder."""

from __future__ import annotations

import struct

import pytest

from pymediasoup_worker.core.rtp.rtcp import (
    ByePacket,
    CompoundPacket,
    FeedbackPsPliPacket,
    FeedbackRtpNackPacket,
    ReceiverReferenceTime,
    ReceiverReport,
    ReceiverReportPacket,
    SdesChunk,
    SdesPacket,
    SenderReportPacket,
    is_rtcp,
)
from pymediasoup_worker.core.rtp.rtcp.xr import ExtendedReportPacket
from tests.fixtures.make_rtp_fixtures import APP, PLI, RR_NO_BLOCK, SDES_2_CHUNKS, SR_2_BLOCKS, rtcp

IS_RTCP_ROWS = [
    (b"\x80\xc8\x00\x06", True),  # SR
    (b"\x81\xcd\x00\x02", True),  # RTPFB
    (b"\x80\xc0\x00\x00", True),  # 192: lowest of the range
    (b"\x80\xdf\x00\x00", True),  # 223: highest
    (b"\x80\xbf\x00\x00", False),  # 191: RTP, PT 63 with marker
    (b"\x80\xe0\x00\x00", False),  # 224: RTP, PT 96 with marker
    (b"\x80\x60\x00\x00", False),  # RTP, PT 96
    (b"\x40\xc8\x00\x00", False),  # version 1
    (b"\xc0\xc8\x00\x00", False),  # version 3
    (b"\x00\x01\x00\x00", False),  # STUN
    (b"\x16\xfe\xfd\x00", False),  # DTLS
    (b"\x80\xc8\x00", False),  # too short
    (b"", False),
]


@pytest.mark.parametrize(("data", "expected"), IS_RTCP_ROWS)
def test_is_rtcp(data: bytes, expected: bool) -> None:
    assert is_rtcp(data) is expected


def test_parse_keeps_order_and_counts_skipped() -> None:
    unknown = rtcp(195, 0, b"\x00\x00\x00\x01")  # IJ: in the RTCP range, not handled here
    compound = CompoundPacket.parse(RR_NO_BLOCK + APP + SDES_2_CHUNKS + unknown + PLI)
    assert [type(p) for p in compound] == [ReceiverReportPacket, SdesPacket, FeedbackPsPliPacket]
    assert compound.skipped == 2 and compound.error is None and len(compound) == 3


@pytest.mark.parametrize(
    ("tail", "kept", "error"),
    [
        (b"", 2, None),
        (PLI[:-1], 2, "runs past"),  # last packet truncated
        (PLI[:3], 2, "no RTCP header"),  # not even a header
        (b"\x80\x60\x00\x00", 2, "no RTCP header"),  # RTP behind RTCP
        (rtcp(201, 3, struct.pack("!I", 1)), 2, "report blocks"),  # a malformed RR
        (rtcp(203, 0, b"\x09abc") + PLI, 2, "BYE"),  # stops at the bad one: the PLI is lost
    ],
)
def test_parse_stops_at_the_first_malformed_packet(
    tail: bytes, kept: int, error: str | None
) -> None:
    compound = CompoundPacket.parse(SR_2_BLOCKS + PLI + tail)
    assert len(compound) == kept
    if error is None:
        assert compound.error is None
    else:
        assert compound.error is not None and error in compound.error


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x80",
        b"\x80\x60\x00\x00" + bytes(8),
        SR_2_BLOCKS[:-4],
        rtcp(201, 5, struct.pack("!I", 1)),
    ],
)
def test_parse_raises_when_nothing_is_usable(data: bytes) -> None:
    if data == b"":
        assert len(CompoundPacket.parse(data)) == 0  # empty: nothing wrong, nothing there
        return
    with pytest.raises(ValueError):
        CompoundPacket.parse(data)


def test_only_unknown_packets_is_not_an_error() -> None:
    compound = CompoundPacket.parse(APP + APP)
    assert len(compound) == 0 and compound.skipped == 2


def test_serialize_joins_the_packets() -> None:
    packets = [SenderReportPacket(1), SdesPacket([SdesChunk(1, [(1, b"c")])]), ByePacket([1])]
    compound = CompoundPacket(packets)
    data = compound.serialize()
    assert data == b"".join(p.serialize() for p in packets)
    assert CompoundPacket.parse(data).packets == packets


# -- the builder, as mediasoup's Transport uses it ------------------------------------------


def test_receiver_reports_only() -> None:
    compound = CompoundPacket()
    compound.add_receiver_report(ReceiverReport(5))
    compound.add_sdes_chunk(SdesChunk(9, [(1, b"cname")]))
    compound.add_receiver_reference_time(ReceiverReferenceTime(1, 2))
    compound.add_receiver_report(ReceiverReport(6))
    assert compound.packets == [
        ReceiverReportPacket(0, [ReceiverReport(5), ReceiverReport(6)]),
        SdesPacket([SdesChunk(9, [(1, b"cname")])]),
        ExtendedReportPacket(0, [ReceiverReferenceTime(1, 2)]),
    ]
    assert not compound.has_sender_report()
    assert (compound.get_sender_report_count(), compound.get_receiver_report_count()) == (0, 2)


def test_sender_report_takes_the_report_blocks() -> None:
    compound = CompoundPacket()
    compound.add_receiver_report(ReceiverReport(5))
    compound.add_sender_report(SenderReportPacket(1, 2, 3, 4, 5, 6))
    compound.add_receiver_report(ReceiverReport(6))
    compound.add_sdes_chunk(SdesChunk(1, [(1, b"a")]))
    compound.add_sdes_chunk(SdesChunk(2, [(1, b"b")]))
    assert compound.packets == [
        SenderReportPacket(1, 2, 3, 4, 5, 6, [ReceiverReport(5), ReceiverReport(6)]),
        SdesPacket([SdesChunk(1, [(1, b"a")]), SdesChunk(2, [(1, b"b")])]),
    ]
    assert compound.has_sender_report() and compound.get_receiver_report_count() == 2
    with pytest.raises(ValueError):
        compound.add_sender_report(SenderReportPacket(7))
    parsed = CompoundPacket.parse(compound.serialize())
    assert parsed.packets == compound.packets


def test_empty_head_report_for_sdes_alone() -> None:
    compound = CompoundPacket()
    compound.add_sdes_chunk(SdesChunk(1))
    assert compound.serialize()[:8] == RR_NO_BLOCK[:4] + bytes(4)
    assert compound.get_receiver_report_count() == 0


def test_feedback_after_reports_round_trip() -> None:
    compound = CompoundPacket()
    compound.add_receiver_report(ReceiverReport(1, 2, 3, 4, 5, 6, 7))
    compound.add(FeedbackRtpNackPacket.from_sequence_numbers(1, 2, [65535, 0, 1]))
    compound.add_sdes_chunk(SdesChunk(1, [(1, b"x")]))
    assert [type(p) for p in compound] == [ReceiverReportPacket, SdesPacket, FeedbackRtpNackPacket]
    assert CompoundPacket.parse(bytes(compound)).packets == compound.packets


def test_interop_with_aiortc() -> None:
    from aiortc import rtp as aiortc_rtp

    compound = CompoundPacket.parse(SR_2_BLOCKS + SDES_2_CHUNKS + PLI)
    theirs = aiortc_rtp.RtcpPacket.parse(compound.serialize())
    assert [type(p).__name__ for p in theirs] == [
        "RtcpSrPacket",
        "RtcpSdesPacket",
        "RtcpPsfbPacket",
    ]
    assert theirs[0].ssrc == 0xDEADBEEF and theirs[0].reports[0].packets_lost == -1
    assert [chunk.ssrc for chunk in theirs[1].chunks] == [0x01020304, 0x05060708]
    back = b"".join(bytes(p) for p in theirs)
    assert CompoundPacket.parse(back).packets[0] == compound.packets[0]
