"""SDES: chunks and items, END and 32-bit padding, malformations, aiortc interop."""

from __future__ import annotations

import struct

import pytest

from pymediasoup_worker.core.rtp.rtcp.sdes import CNAME, NOTE, SdesChunk, SdesPacket
from tests.fixtures.make_rtp_fixtures import rtcp

# (items of one chunk, the chunk's bytes after its SSRC: items, END, padding)
CHUNK_ROWS = [
    ([], b"\x00\x00\x00\x00"),
    ([(CNAME, b"")], b"\x01\x00\x00\x00"),
    ([(CNAME, b"a")], b"\x01\x01a\x00"),
    ([(CNAME, b"ab")], b"\x01\x02ab\x00\x00\x00\x00"),  # aligned after items: a whole zero word
    ([(CNAME, b"abc")], b"\x01\x03abc\x00\x00\x00"),
    ([(CNAME, b"x" * 255)], b"\x01\xff" + b"x" * 255 + b"\x00\x00\x00"),
    ([(CNAME, b"c"), (NOTE, b"note")], b"\x01\x01c\x07\x04note\x00\x00\x00"),
]


@pytest.mark.parametrize(("items", "wire"), CHUNK_ROWS)
def test_chunk_rows(items: list, wire: bytes) -> None:
    chunk = SdesChunk(0x01020304, items)
    assert chunk.serialize() == struct.pack("!I", 0x01020304) + wire
    data = rtcp(202, 1, chunk.serialize())
    assert SdesPacket.parse(data) == SdesPacket([chunk])


def test_several_chunks_round_trip() -> None:
    packet = SdesPacket([SdesChunk(n, [(CNAME, b"c" * n)]) for n in range(31)])
    assert SdesPacket.parse(packet.serialize()) == packet


def test_cname() -> None:
    assert SdesChunk(1, [(NOTE, b"n"), (CNAME, b"abc")]).cname == "abc"
    assert SdesChunk(1, [(NOTE, b"n")]).cname is None


@pytest.mark.parametrize(("item_type", "value"), [(0, b"x"), (256, b"x"), (1, b"x" * 256)])
def test_add_item_refuses_what_cannot_be_sent(item_type: int, value: bytes) -> None:
    with pytest.raises(ValueError):
        SdesChunk(1).add_item(item_type, value)


def test_unterminated_chunk_at_the_packet_end_is_accepted_when_aligned() -> None:
    # END as the very last byte, no padding needed.
    data = rtcp(202, 1, struct.pack("!I", 1) + b"\x01\x01x\x00")
    assert SdesPacket.parse(data).chunks[0].items == [(CNAME, b"x")]


MALFORMED = [
    ("count past the end", rtcp(202, 2, struct.pack("!I", 1) + b"\x01\x01x\x00")),
    ("item past the end", rtcp(202, 1, struct.pack("!I", 1) + b"\x01\x0babcdefgh\x00\x00")),
    ("no END", rtcp(202, 1, struct.pack("!I", 1) + b"\x01\x02ab")),
    ("chunk without room for its SSRC", rtcp(202, 1, b"")),
]


@pytest.mark.parametrize(("case", "data"), MALFORMED, ids=[c for c, _ in MALFORMED])
def test_malformed_sdes_raises(case: str, data: bytes) -> None:
    with pytest.raises(ValueError):
        SdesPacket.parse(data)


@pytest.mark.parametrize("cname", [b"", b"a", b"ab", b"{abcd-efgh}"])
def test_interop_with_aiortc(cname: bytes) -> None:
    from aiortc import rtp as aiortc_rtp

    theirs = aiortc_rtp.RtcpSdesPacket(
        chunks=[aiortc_rtp.RtcpSourceInfo(ssrc=7, items=[(1, cname)])]
    )
    ours = SdesPacket.parse(bytes(theirs))
    assert ours == SdesPacket([SdesChunk(7, [(CNAME, cname)])])
    assert aiortc_rtp.RtcpPacket.parse(ours.serialize()) == [theirs]
