"""Every RTCP .bin fixture: current on disk, parses to its declared fields, serializes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pymediasoup_worker.core.rtp.rtcp import CompoundPacket, ReceiverReport, parse_feedback
from pymediasoup_worker.core.rtp.rtcp.bye import ByePacket
from pymediasoup_worker.core.rtp.rtcp.rr import ReceiverReportPacket
from pymediasoup_worker.core.rtp.rtcp.sdes import SdesChunk, SdesPacket
from pymediasoup_worker.core.rtp.rtcp.sr import SenderReportPacket
from pymediasoup_worker.core.rtp.rtcp.xr import (
    DelaySinceLastRr,
    ExtendedReportBlock,
    ExtendedReportPacket,
    ReceiverReferenceTime,
)
from tests.fixtures.make_rtp_fixtures import APP, RTCP_FIXTURES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "rtcp"

PARSERS = {
    "SenderReportPacket": SenderReportPacket.parse,
    "ReceiverReportPacket": ReceiverReportPacket.parse,
    "SdesPacket": SdesPacket.parse,
    "ByePacket": ByePacket.parse,
    "ExtendedReportPacket": ExtendedReportPacket.parse,
    "CompoundPacket": CompoundPacket.parse,
}


def parse(cls_name: str, data: bytes) -> Any:
    return PARSERS.get(cls_name, parse_feedback)(data)


@pytest.mark.parametrize("name", sorted(RTCP_FIXTURES))
def test_fixture_on_disk_is_current(name: str) -> None:
    data, _ = RTCP_FIXTURES[name]
    assert (FIXTURES / f"{name}.bin").read_bytes() == data, (
        "run tests/fixtures/make_rtp_fixtures.py"
    )


@pytest.mark.parametrize("name", sorted(RTCP_FIXTURES))
def test_fixture_parses_to_declared_fields_and_back(name: str) -> None:
    data = (FIXTURES / f"{name}.bin").read_bytes()
    expected = dict(RTCP_FIXTURES[name][1])
    cls_name = expected.pop("cls")
    packet = parse(cls_name, data)
    assert type(packet).__name__ == cls_name
    for key, want in expected.items():
        if key == "reports" and cls_name != "ExtendedReportPacket":
            assert packet.reports == [ReceiverReport(*block) for block in want]
        elif key == "chunks" and cls_name == "SdesPacket":
            assert packet.chunks == [SdesChunk(ssrc, items) for ssrc, items in want]
        elif key == "lost":
            assert packet.sequence_numbers() == want
        elif key == "types":
            assert [type(p).__name__ for p in packet.packets] == want
        else:
            assert getattr(packet, key) == want, key
    if cls_name == "CompoundPacket":
        # The skipped APP packet is not kept: the rest serializes back in order.
        assert packet.serialize() == data.replace(APP, b"")
    else:
        assert packet.serialize() == data
        assert parse(cls_name, packet.serialize()) == packet


def test_xr_fixture_blocks() -> None:
    packet = ExtendedReportPacket.parse((FIXTURES / "xr_rrt_dlrr.bin").read_bytes())
    assert packet.reports == [
        ReceiverReferenceTime(0xE0000000, 0x40000000),
        DelaySinceLastRr([(1, 2, 3), (4, 5, 6)]),
        ExtendedReportBlock(42, 7, b"\xfe\xed\xfa\xce"),
    ]
