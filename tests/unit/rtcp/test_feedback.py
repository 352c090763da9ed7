"""Feedback messages: NACK, PLI, FIR, REMB and the generic fallback; dispatch by FMT."""

from __future__ import annotations

import struct

import pytest

from pymediasoup_worker.core.rtp.rtcp.feedback import (
    FeedbackPacket,
    FeedbackPsFirPacket,
    FeedbackPsPliPacket,
    FeedbackPsRembPacket,
    FeedbackRtpNackPacket,
    FeedbackRtpTransportPacket,
    parse_feedback,
)
from tests.fixtures.make_rtp_fixtures import rtcp


def fb(packet_type: int, fmt: int, fci: bytes, sender: int = 1, media: int = 2) -> bytes:
    return rtcp(packet_type, fmt, struct.pack("!II", sender, media) + fci)


# -- NACK ------------------------------------------------------------------------------------

NACK_ROWS = [
    # (lost sequence numbers in order, items)
    ([], []),
    ([5], [(5, 0)]),
    ([1, 2, 3], [(1, 0b11)]),
    ([100, 116], [(100, 0x8000)]),
    ([100, 117], [(100, 0), (117, 0)]),
    ([65534, 65535, 0, 1], [(65534, 0b111)]),
    ([65535, 15], [(65535, 0x8000)]),
    ([65535, 16, 17], [(65535, 0), (16, 0b1)]),
    (list(range(0, 40)), [(0, 0xFFFF), (17, 0xFFFF), (34, 0b11111)]),
]


@pytest.mark.parametrize(("lost", "items"), NACK_ROWS)
def test_nack_rows(lost: list[int], items: list[tuple[int, int]]) -> None:
    packet = FeedbackRtpNackPacket.from_sequence_numbers(1, 2, lost)
    assert packet.items == items
    assert packet.sequence_numbers() == lost
    wire = fb(205, 1, b"".join(struct.pack("!HH", *item) for item in items))
    assert packet.serialize() == wire
    assert FeedbackRtpNackPacket.parse(wire) == packet
    assert parse_feedback(wire) == packet


def test_nack_interop_with_aiortc() -> None:
    from aiortc import rtp as aiortc_rtp

    lost = [10, 11, 20, 26, 27, 50, 1000]
    theirs = aiortc_rtp.RtcpRtpfbPacket(fmt=1, ssrc=3, media_ssrc=4, lost=lost)
    ours = FeedbackRtpNackPacket.parse(bytes(theirs))
    assert (ours.sender_ssrc, ours.media_ssrc, ours.sequence_numbers()) == (3, 4, lost)
    assert FeedbackRtpNackPacket.from_sequence_numbers(3, 4, lost).serialize() == bytes(theirs)
    assert aiortc_rtp.RtcpPacket.parse(ours.serialize()) == [theirs]


# -- PLI and FIR --------------------------------------------------------------------------------


@pytest.mark.parametrize(("sender", "media"), [(0, 0), (1, 0xFFFFFFFF), (0xFFFFFFFF, 7)])
def test_pli_rows(sender: int, media: int) -> None:
    wire = fb(206, 1, b"", sender, media)
    packet = FeedbackPsPliPacket(sender, media)
    assert packet.serialize() == wire
    assert parse_feedback(wire) == packet


def test_pli_interop_with_aiortc() -> None:
    from aiortc import rtp as aiortc_rtp

    theirs = aiortc_rtp.RtcpPsfbPacket(fmt=1, ssrc=5, media_ssrc=6)
    assert parse_feedback(bytes(theirs)) == FeedbackPsPliPacket(5, 6)
    assert aiortc_rtp.RtcpPacket.parse(FeedbackPsPliPacket(5, 6).serialize()) == [theirs]


@pytest.mark.parametrize("items", [[], [(0xCAFEBABE, 0)], [(1, 255), (2, 0), (3, 128)]])
def test_fir_rows(items: list[tuple[int, int]]) -> None:
    wire = fb(206, 4, b"".join(struct.pack("!IB3x", *item) for item in items), 9, 0)
    packet = FeedbackPsFirPacket(9, 0, items)
    assert packet.serialize() == wire
    assert parse_feedback(wire) == packet


def test_fir_add_item_wraps_the_sequence_number() -> None:
    packet = FeedbackPsFirPacket(1)
    packet.add_item(5, 256)
    assert packet.items == [(5, 0)]


# -- REMB ---------------------------------------------------------------------------------------

REMB_ROWS = [
    # (bitrate, exponent, mantissa, bitrate read back)
    (0, 0, 0, 0),
    (0x3FFFF, 0, 0x3FFFF, 0x3FFFF),
    (0x40000, 1, 0x20000, 0x40000),
    (0x40001, 1, 0x20000, 0x40000),  # precision lost
    (1_500_000, 3, 187500, 1_500_000),
    (10**9, 12, 244140, 999_997_440),
    ((1 << 64) - 1, 46, 0x3FFFF, 0x3FFFF << 46),
]


@pytest.mark.parametrize(("bitrate", "exponent", "mantissa", "read_back"), REMB_ROWS)
def test_remb_rows(bitrate: int, exponent: int, mantissa: int, read_back: int) -> None:
    ssrcs = [0x10, 0xFFFFFFFF]
    wire = fb(206, 15, b"REMB" + bytes((2, (exponent << 2) | (mantissa >> 16)))
              + struct.pack("!H", mantissa & 0xFFFF) + struct.pack("!II", *ssrcs), 7, 0)  # fmt: skip
    assert FeedbackPsRembPacket(7, 0, bitrate, ssrcs).serialize() == wire
    assert parse_feedback(wire) == FeedbackPsRembPacket(7, 0, read_back, ssrcs)


REMB_MALFORMED = [
    ("fewer SSRCs than announced", fb(206, 15, b"REMB\x02\x00\x00\x01" + struct.pack("!I", 1))),
    ("more SSRCs than announced", fb(206, 15, b"REMB\x00\x00\x00\x01" + struct.pack("!I", 1))),
    ("no identifier", fb(206, 15, b"BMER\x00\x00\x00\x01")),
    ("no room for the bitrate", fb(206, 15, b"REMB")),
    ("bitrate over 64 bits", fb(206, 15, b"REMB\x00\xff\xff\xff")),
]


@pytest.mark.parametrize(("case", "data"), REMB_MALFORMED, ids=[c for c, _ in REMB_MALFORMED])
def test_malformed_remb_raises(case: str, data: bytes) -> None:
    with pytest.raises(ValueError):
        FeedbackPsRembPacket.parse(data)


def test_remb_interop_with_aiortc() -> None:
    from aiortc import rtp as aiortc_rtp

    fci = aiortc_rtp.pack_remb_fci(2_000_000, [1, 2, 3])
    theirs = aiortc_rtp.RtcpPsfbPacket(fmt=15, ssrc=5, media_ssrc=0, fci=fci)
    ours = parse_feedback(bytes(theirs))
    assert isinstance(ours, FeedbackPsRembPacket)
    assert (ours.bitrate, ours.ssrcs) == aiortc_rtp.unpack_remb_fci(fci)
    assert aiortc_rtp.unpack_remb_fci(ours.serialize()[12:]) == (ours.bitrate, [1, 2, 3])


# -- dispatch and the generic fallback -------------------------------------------------------

DISPATCH_ROWS = [
    (fb(205, 1, b"\x00\x01\x00\x00"), FeedbackRtpNackPacket),
    (fb(205, 15, struct.pack("!HHI", 0, 0, 0)), FeedbackRtpTransportPacket),
    (fb(205, 3, struct.pack("!II", 1, 2)), FeedbackPacket),  # TMMBR
    (fb(205, 5, b""), FeedbackPacket),  # SR request
    (fb(206, 1, b""), FeedbackPsPliPacket),
    (fb(206, 2, b"\x00\x00\x00\x01"), FeedbackPacket),  # SLI
    (fb(206, 4, b""), FeedbackPsFirPacket),
    (fb(206, 15, b"REMB\x00\x00\x00\x00"), FeedbackPsRembPacket),
    (fb(206, 15, b"GOOG\x00\x00\x00\x00"), FeedbackPacket),  # other application feedback
    (fb(206, 31, b""), FeedbackPacket),
]


@pytest.mark.parametrize(("data", "cls"), DISPATCH_ROWS)
def test_parse_feedback_dispatch(data: bytes, cls: type) -> None:
    packet = parse_feedback(data)
    assert type(packet) is cls
    assert packet.serialize() == data


def test_generic_feedback_keeps_its_fields() -> None:
    packet = parse_feedback(fb(206, 2, b"\x00\x00\x00\x01", 3, 4))
    assert packet == FeedbackPacket(206, 2, 3, 4, b"\x00\x00\x00\x01")


FEEDBACK_MALFORMED = [
    ("empty", b""),
    ("header only", rtcp(205, 1, b"")),
    ("sender SSRC only", rtcp(206, 1, b"\x00\x00\x00\x01")),
    ("truncated", fb(205, 1, b"\x00\x01\x00\x00")[:-2]),
    ("not feedback", rtcp(200, 1, struct.pack("!II", 1, 2))),
    ("version 0", bytes((0x01,)) + fb(206, 1, b"")[1:]),
]


@pytest.mark.parametrize(
    ("case", "data"), FEEDBACK_MALFORMED, ids=[c for c, _ in FEEDBACK_MALFORMED]
)
def test_malformed_feedback_raises(case: str, data: bytes) -> None:
    with pytest.raises(ValueError):
        parse_feedback(data)


@pytest.mark.parametrize(
    ("cls", "data"),
    [(FeedbackRtpNackPacket, fb(206, 1, b"")), (FeedbackPsPliPacket, fb(206, 4, b"")),
     (FeedbackPsFirPacket, fb(205, 4, b"")), (FeedbackRtpTransportPacket, fb(205, 1, b""))],
)  # fmt: skip
def test_wrong_type_or_fmt_raises(cls: type, data: bytes) -> None:
    with pytest.raises(ValueError):
        cls.parse(data)
