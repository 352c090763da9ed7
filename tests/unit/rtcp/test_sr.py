"""Sender Reports: fields <-> bytes, report blocks, malformations, aiortc interop."""

from __future__ import annotations

import struct

import pytest

from pymediasoup_worker.core.rtp.rtcp.rr import ReceiverReport, ReceiverReportPacket
from pymediasoup_worker.core.rtp.rtcp.sr import SenderReportPacket
from tests.fixtures.make_rtp_fixtures import report_block, rtcp

SR_ROWS = [
    (dict(ssrc=1, ntp_sec=2, ntp_frac=3, rtp_ts=4, packet_count=5, octet_count=6), []),
    (dict(ssrc=0xFFFFFFFF, ntp_sec=0xFFFFFFFF, ntp_frac=0xFFFFFFFF, rtp_ts=0xFFFFFFFF,
          packet_count=0xFFFFFFFF, octet_count=0xFFFFFFFF), [(9, 1, -1, 2, 3, 4, 5)]),
    (dict(ssrc=0, ntp_sec=0, ntp_frac=0, rtp_ts=0, packet_count=0, octet_count=0),
     [(n, 0, 0, 0, 0, 0, 0) for n in range(31)]),
]  # fmt: skip


def sr_bytes(fields: dict, blocks: list[tuple]) -> bytes:
    info = struct.pack("!IIIIII", fields["ssrc"], fields["ntp_sec"], fields["ntp_frac"],
                       fields["rtp_ts"], fields["packet_count"], fields["octet_count"])  # fmt: skip
    return rtcp(200, len(blocks), info + b"".join(report_block(*b) for b in blocks))


@pytest.mark.parametrize(("fields", "blocks"), SR_ROWS)
def test_sr_rows(fields: dict, blocks: list[tuple]) -> None:
    packet = SenderReportPacket(**fields, reports=[ReceiverReport(*b) for b in blocks])
    data = sr_bytes(fields, blocks)
    assert packet.serialize() == data
    assert SenderReportPacket.parse(data) == packet


@pytest.mark.parametrize(
    ("ntp_sec", "ntp_frac", "ms"),
    [(0, 0, 0), (1, 0x80000000, 1500), (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF * 1000 + 999)],
)
def test_ntp_ms(ntp_sec: int, ntp_frac: int, ms: int) -> None:
    assert SenderReportPacket(1, ntp_sec, ntp_frac).ntp_ms == ms


def test_more_than_31_blocks_continue_in_rr_packets() -> None:
    reports = [ReceiverReport(n) for n in range(40)]
    data = SenderReportPacket(7, reports=reports).serialize()
    sr = SenderReportPacket.parse(data[: 28 + 31 * 24])
    rr = ReceiverReportPacket.parse(data[28 + 31 * 24 :])
    assert sr.reports + rr.reports == reports and rr.ssrc == 7


MALFORMED = [
    ("no sender info", rtcp(200, 0, struct.pack("!IIIII", 1, 2, 3, 4, 5))),
    ("count past the end", rtcp(200, 1, struct.pack("!IIIIII", 1, 2, 3, 4, 5, 6))),
    ("an RR", rtcp(201, 0, struct.pack("!IIIIII", 1, 2, 3, 4, 5, 6))),
    ("truncated", sr_bytes(SR_ROWS[1][0], SR_ROWS[1][1])[:-1]),
]


@pytest.mark.parametrize(("case", "data"), MALFORMED, ids=[c for c, _ in MALFORMED])
def test_malformed_sr_raises(case: str, data: bytes) -> None:
    with pytest.raises(ValueError):
        SenderReportPacket.parse(data)


def test_interop_with_aiortc() -> None:
    from aiortc import rtp as aiortc_rtp

    theirs = aiortc_rtp.RtcpSrPacket(
        ssrc=0xCAFE,
        sender_info=aiortc_rtp.RtcpSenderInfo(ntp_timestamp=(5 << 32) | 6, rtp_timestamp=0xFFFFFFFF,
                                              packet_count=10, octet_count=1200),
        reports=[aiortc_rtp.RtcpReceiverInfo(1, 2, 3, 4, 5, 6, 7)],
    )  # fmt: skip
    ours = SenderReportPacket.parse(bytes(theirs))
    assert ours == SenderReportPacket(
        0xCAFE, 5, 6, 0xFFFFFFFF, 10, 1200, [ReceiverReport(1, 2, 3, 4, 5, 6, 7)]
    )
    assert aiortc_rtp.RtcpPacket.parse(ours.serialize()) == [theirs]
