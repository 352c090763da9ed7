"""XR: receiver reference time, DLRR, unknown blocks kept raw, malformations."""

from __future__ import annotations

import struct

import pytest

from pymediasoup_worker.core.rtp.rtcp.xr import (
    DelaySinceLastRr,
    ExtendedReportBlock,
    ExtendedReportPacket,
    ReceiverReferenceTime,
)
from tests.fixtures.make_rtp_fixtures import rtcp

ROWS = [
    ([], b""),
    ([ReceiverReferenceTime(0xFFFFFFFF, 0xFFFFFFFF)], struct.pack("!BBHII", 4, 0, 2, 0xFFFFFFFF, 0xFFFFFFFF)),
    ([DelaySinceLastRr([])], struct.pack("!BBH", 5, 0, 0)),
    ([DelaySinceLastRr([(1, 0x12345678, 65536)])], struct.pack("!BBHIII", 5, 0, 3, 1, 0x12345678, 65536)),
    ([ExtendedReportBlock(6, 1, b"")], struct.pack("!BBH", 6, 1, 0)),
    ([ReceiverReferenceTime(1, 2), DelaySinceLastRr([(3, 4, 5), (6, 7, 8)])],
     struct.pack("!BBHII", 4, 0, 2, 1, 2) + struct.pack("!BBH6I", 5, 0, 6, 3, 4, 5, 6, 7, 8)),
]  # fmt: skip


@pytest.mark.parametrize(("blocks", "wire"), ROWS)
def test_xr_rows(blocks: list, wire: bytes) -> None:
    packet = ExtendedReportPacket(0xABCDEF01, blocks)
    data = rtcp(207, 0, struct.pack("!I", 0xABCDEF01) + wire)
    assert packet.serialize() == data
    assert ExtendedReportPacket.parse(data) == packet


def test_add_ssrc_info() -> None:
    block = DelaySinceLastRr()
    block.add_ssrc_info(1, 2, 3)
    assert block.ssrc_infos == [(1, 2, 3)]


MALFORMED = [
    ("no SSRC", rtcp(207, 0, b"")),
    ("block past the end", rtcp(207, 0, struct.pack("!IBBH", 1, 4, 0, 2))),
    ("RRT of the wrong length", rtcp(207, 0, struct.pack("!IBBHI", 1, 4, 0, 1, 0))),
    ("RRT of no length", rtcp(207, 0, struct.pack("!IBBH", 1, 4, 0, 0))),
    ("DLRR not in 3-word entries", rtcp(207, 0, struct.pack("!IBBHII", 1, 5, 0, 2, 0, 0))),
    ("not an XR", rtcp(201, 0, struct.pack("!I", 1))),
]


@pytest.mark.parametrize(("case", "data"), MALFORMED, ids=[c for c, _ in MALFORMED])
def test_malformed_xr_raises(case: str, data: bytes) -> None:
    with pytest.raises(ValueError):
        ExtendedReportPacket.parse(data)


def test_unknown_block_body_must_be_whole_words() -> None:
    with pytest.raises(ValueError):
        ExtendedReportBlock(9, 0, b"abc").serialize()
