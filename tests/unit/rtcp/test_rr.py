"""Receiver Reports and report blocks: rows of fields <-> bytes, malformations, aiortc interop."""

from __future__ import annotations

import struct

import pytest

from pymediasoup_worker.core.rtp.rtcp.rr import ReceiverReport, ReceiverReportPacket
from tests.fixtures.make_rtp_fixtures import report_block, rtcp

TOTAL_LOST_ROWS = [
    # (total_lost, the 3 bytes on the wire, what parsing the wire gives back)
    (0, b"\x00\x00\x00", 0),
    (1, b"\x00\x00\x01", 1),
    (0x7FFFFF, b"\x7f\xff\xff", 0x7FFFFF),
    (0x800000, b"\x7f\xff\xff", 0x7FFFFF),  # clamped
    (-1, b"\xff\xff\xff", -1),
    (-0x800000, b"\x80\x00\x00", -0x800000),
    (-0x900000, b"\x80\x00\x00", -0x800000),  # clamped
]


@pytest.mark.parametrize(("total_lost", "wire", "parsed"), TOTAL_LOST_ROWS)
def test_total_lost_is_signed_24_bits(total_lost: int, wire: bytes, parsed: int) -> None:
    block = ReceiverReport(1, 0, total_lost).serialize()
    assert block[5:8] == wire
    assert ReceiverReport.parse(block).total_lost == parsed


@pytest.mark.parametrize(
    "fields",
    [(0, 0, 0, 0, 0, 0, 0), (0xFFFFFFFF, 255, -1, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF),
     (0x12345678, 128, 1000, 0x0001FFFF, 50, 0xAABBCCDD, 0x00010000)],
)  # fmt: skip
def test_report_block_round_trip(fields: tuple) -> None:
    block = ReceiverReport(*fields)
    assert block.serialize() == report_block(*fields)
    assert ReceiverReport.parse(report_block(*fields)) == block


@pytest.mark.parametrize("count", [0, 1, 2, 31])
def test_rr_packet_round_trip(count: int) -> None:
    reports = [ReceiverReport(n, n, n, n, n, n, n) for n in range(count)]
    packet = ReceiverReportPacket(0xABCD, reports)
    data = packet.serialize()
    assert data == rtcp(
        201, count, struct.pack("!I", 0xABCD) + b"".join(r.serialize() for r in reports)
    )
    assert ReceiverReportPacket.parse(data) == packet


def test_more_than_31_blocks_become_several_rr_packets() -> None:
    reports = [ReceiverReport(n) for n in range(70)]
    data = ReceiverReportPacket(9, reports).serialize()
    first = ReceiverReportPacket.parse(data[: 8 + 31 * 24])
    second = ReceiverReportPacket.parse(data[8 + 31 * 24 : 16 + 62 * 24])
    third = ReceiverReportPacket.parse(data[16 + 62 * 24 :])
    assert first.reports + second.reports + third.reports == reports
    assert first.ssrc == second.ssrc == third.ssrc == 9


def test_trailing_profile_extension_is_ignored() -> None:
    data = rtcp(201, 1, struct.pack("!I", 1) + report_block(2, 0, 0, 0, 0, 0, 0) + b"EXT!")
    assert ReceiverReportPacket.parse(data).reports == [ReceiverReport(2)]


def test_padding_is_honoured() -> None:
    body = struct.pack("!I", 1) + b"\x00\x00\x00\x04"
    data = bytes((0xA0,)) + rtcp(201, 0, body)[1:]
    assert ReceiverReportPacket.parse(data) == ReceiverReportPacket(1)


GOOD = rtcp(201, 1, struct.pack("!I", 1) + report_block(2, 0, 0, 0, 0, 0, 0))

MALFORMED = [
    ("empty", b""),
    ("3 bytes", GOOD[:3]),
    ("version 1", bytes((0x41,)) + GOOD[1:]),
    ("wrong type", GOOD[:1] + b"\xc8" + GOOD[2:]),
    ("truncated", GOOD[:-4]),
    ("length field too big", GOOD[:2] + b"\x00\x08" + GOOD[4:]),
    ("length field too small", GOOD[:2] + b"\x00\x05" + GOOD[4:]),
    ("count past the end", bytes((0x82,)) + GOOD[1:]),
    ("no sender SSRC", rtcp(201, 0, b"")),
    ("padding 0", bytes((0xA0,)) + rtcp(201, 0, struct.pack("!I", 1) + b"\x00\x00\x00\x00")[1:]),
    (
        "padding past the start",
        bytes((0xA0,)) + rtcp(201, 0, struct.pack("!I", 1) + b"\x00\x00\x00\x09")[1:],
    ),
]


@pytest.mark.parametrize(("case", "data"), MALFORMED, ids=[c for c, _ in MALFORMED])
def test_malformed_rr_raises(case: str, data: bytes) -> None:
    with pytest.raises(ValueError):
        ReceiverReportPacket.parse(data)


def test_interop_with_aiortc() -> None:
    from aiortc import rtp as aiortc_rtp

    theirs = aiortc_rtp.RtcpRrPacket(
        ssrc=0x1234,
        reports=[aiortc_rtp.RtcpReceiverInfo(5, 20, -3, 0x0001FFFF, 7, 8, 9),
                 aiortc_rtp.RtcpReceiverInfo(6, 0, 0x7FFFFF, 0, 0, 0, 0)],
    )  # fmt: skip
    ours = ReceiverReportPacket.parse(bytes(theirs))
    assert ours == ReceiverReportPacket(
        0x1234, [ReceiverReport(5, 20, -3, 0x0001FFFF, 7, 8, 9), ReceiverReport(6, 0, 0x7FFFFF)]
    )
    assert ours.serialize() == bytes(theirs)
    assert aiortc_rtp.RtcpPacket.parse(ours.serialize()) == [theirs]
