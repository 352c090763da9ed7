"""RTX (RFC 4588) encode/decode in place: rows of original -> RTX bytes, and back."""

from __future__ import annotations

import pytest

from pymediasoup_worker.core.rtp import RtpPacket, rtx_decode, rtx_encode
from tests.fixtures.make_rtp_fixtures import one_byte_elements, rtp_bytes

EXT = dict(profile=0xBEDE, extension_elements=one_byte_elements((1, b"v0"), (5, b"\x00\x09")))

ROWS = [
    # (original fields, rtx pt, rtx ssrc, rtx seq)
    (dict(payload_type=96, sequence_number=0x1234, timestamp=9000, ssrc=1111, marker=True,
          payload=b"\x90\x80\x01media", **EXT), 97, 2222, 1),
    (dict(payload_type=96, sequence_number=0xFFFF, timestamp=0xFFFFFFFF, ssrc=0xFFFFFFFF,
          payload=b"xy"), 97, 0xFFFFFFFF, 0xFFFF),
    (dict(payload_type=100, sequence_number=0, timestamp=0, ssrc=5, csrcs=(7,), payload=b"",
          **EXT), 101, 6, 0),
    (dict(payload_type=96, sequence_number=77, timestamp=1, ssrc=2, payload=b"abc"), 127, 3, 0x8000),
]  # fmt: skip


def rtx_form(fields: dict, rtx_pt: int, rtx_ssrc: int, rtx_seq: int) -> bytes:
    osn = fields["sequence_number"].to_bytes(2, "big")
    return rtp_bytes(**{**fields, "payload_type": rtx_pt, "ssrc": rtx_ssrc,
                        "sequence_number": rtx_seq, "payload": osn + fields["payload"],
                        "padding": 0})  # fmt: skip


@pytest.mark.parametrize(("fields", "rtx_pt", "rtx_ssrc", "rtx_seq"), ROWS)
def test_encode_then_decode(fields: dict, rtx_pt: int, rtx_ssrc: int, rtx_seq: int) -> None:
    original = rtp_bytes(**fields)
    packet = RtpPacket.parse(original)
    assert rtx_encode(packet, rtx_pt, rtx_ssrc, rtx_seq) is packet
    assert packet.serialize() == rtx_form(fields, rtx_pt, rtx_ssrc, rtx_seq)
    assert packet.get_extension(1) == RtpPacket.parse(original).get_extension(1)

    decoded = rtx_decode(packet, fields["payload_type"], fields["ssrc"])
    assert decoded is packet
    assert packet.serialize() == original


@pytest.mark.parametrize(("fields", "rtx_pt", "rtx_ssrc", "rtx_seq"), ROWS)
def test_encode_drops_padding(fields: dict, rtx_pt: int, rtx_ssrc: int, rtx_seq: int) -> None:
    packet = RtpPacket.parse(rtp_bytes(**{**fields, "padding": 5}))
    rtx_encode(packet, rtx_pt, rtx_ssrc, rtx_seq)
    assert packet.serialize() == rtx_form(fields, rtx_pt, rtx_ssrc, rtx_seq)


def test_decode_drops_padding() -> None:
    fields = ROWS[0][0]
    rtx = rtx_form(fields, 97, 2222, 1)
    padded = bytes((rtx[0] | 0x20,)) + rtx[1:] + b"\x00\x00\x03"
    packet = RtpPacket.parse(padded)
    assert packet.padding_length == 3
    rtx_decode(packet, 96, 1111)
    assert packet.serialize() == rtp_bytes(**fields)


@pytest.mark.parametrize("payload", [b"", b"\x01"])
def test_decode_without_room_for_the_osn_leaves_the_packet(payload: bytes) -> None:
    data = rtp_bytes(
        payload_type=97, sequence_number=5, timestamp=6, ssrc=7, payload=payload, padding=4
    )
    packet = RtpPacket.parse(data)
    assert rtx_decode(packet, 96, 1) is None
    assert packet.serialize() == data


def test_clone_then_encode_keeps_the_original() -> None:
    fields = ROWS[0][0]
    packet = RtpPacket.parse(rtp_bytes(**fields))
    rtx_encode(packet.clone(), 97, 1, 1)
    assert packet.serialize() == rtp_bytes(**fields)


@pytest.mark.parametrize(("fields", "rtx_pt", "rtx_ssrc", "rtx_seq"), ROWS)
def test_interop_with_aiortc(fields: dict, rtx_pt: int, rtx_ssrc: int, rtx_seq: int) -> None:
    from aiortc import rtp as aiortc_rtp

    plain = {**fields, "profile": None, "extension_elements": b""}  # aiortc drops unknown ones
    original = rtp_bytes(**plain)
    theirs = aiortc_rtp.wrap_rtx(aiortc_rtp.RtpPacket.parse(original), rtx_pt, rtx_seq, rtx_ssrc)
    ours = rtx_encode(RtpPacket.parse(original), rtx_pt, rtx_ssrc, rtx_seq)
    assert ours.serialize() == theirs.serialize()

    unwrapped = aiortc_rtp.unwrap_rtx(
        aiortc_rtp.RtpPacket.parse(ours.serialize()), fields["payload_type"], fields["ssrc"]
    )
    assert unwrapped.serialize() == original
    decoded = rtx_decode(
        RtpPacket.parse(theirs.serialize()), fields["payload_type"], fields["ssrc"]
    )
    assert decoded is not None and decoded.serialize() == original
