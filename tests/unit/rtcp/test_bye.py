"""BYE: SSRC lists and reasons, malformations, aiortc interop."""

from __future__ import annotations

import struct

import pytest

from pymediasoup_worker.core.rtp.rtcp.bye import ByePacket
from tests.fixtures.make_rtp_fixtures import rtcp

ROWS = [
    ([], "", rtcp(203, 0, b"")),
    ([0xFFFFFFFF], "", rtcp(203, 1, b"\xff\xff\xff\xff")),
    ([1, 2], "bye", rtcp(203, 2, struct.pack("!II", 1, 2) + b"\x03bye")),
    ([1], "", rtcp(203, 1, struct.pack("!I", 1))),
    ([1], "four", rtcp(203, 1, struct.pack("!I", 1) + b"\x04four\x00\x00\x00")),
    ([], "é", rtcp(203, 0, b"\x02\xc3\xa9\x00")),
]


@pytest.mark.parametrize(("ssrcs", "reason", "wire"), ROWS)
def test_bye_rows(ssrcs: list[int], reason: str, wire: bytes) -> None:
    packet = ByePacket(ssrcs, reason)
    assert packet.serialize() == wire
    assert ByePacket.parse(wire) == packet


MALFORMED = [
    ("count past the end", rtcp(203, 2, struct.pack("!I", 1))),
    ("reason past the end", rtcp(203, 1, struct.pack("!I", 1) + b"\x09abc")),
    ("not a BYE", rtcp(202, 0, b"")),
]


@pytest.mark.parametrize(("case", "data"), MALFORMED, ids=[c for c, _ in MALFORMED])
def test_malformed_bye_raises(case: str, data: bytes) -> None:
    with pytest.raises(ValueError):
        ByePacket.parse(data)


def test_reason_longer_than_255_bytes_raises() -> None:
    with pytest.raises(ValueError):
        ByePacket([1], "x" * 256).serialize()


def test_interop_with_aiortc() -> None:
    from aiortc import rtp as aiortc_rtp

    theirs = aiortc_rtp.RtcpByePacket(sources=[1, 0xFFFFFFFF])
    ours = ByePacket.parse(bytes(theirs))
    assert ours == ByePacket([1, 0xFFFFFFFF])
    assert aiortc_rtp.RtcpPacket.parse(ours.serialize()) == [theirs]
