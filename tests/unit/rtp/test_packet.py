"""RtpPacket: fixtures -> fields, edits -> bytes, malformations -> ValueError, aiortc interop."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest

from pymediasoup_worker.core.rtp import RtpPacket, is_rtp
from pymediasoup_worker.core.rtp.codecs import is_key_frame
from tests.fixtures.make_rtp_fixtures import (
    RTP_FIXTURES,
    one_byte_elements,
    rtp_bytes,
    rtp_fixture_bytes,
    two_byte_elements,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "rtp"


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.bin").read_bytes()


def check_fields(packet: RtpPacket, expected: dict[str, Any]) -> None:
    for key, want in expected.items():
        if key == "extensions":
            for ext_id, value in want.items():
                assert packet.get_extension(ext_id) == value, ext_id
        elif key == "key_frame":
            mime, flag = want
            end = packet.payload_offset + packet.payload_length
            assert is_key_frame(mime, packet.buffer, packet.payload_offset, end) is flag
        elif key == "frame_marking":
            ext_id, fields = want
            assert tuple(packet.read_frame_marking(ext_id)) == fields
        elif key in ("mid", "rid", "abs_send_time", "transport_wide_cc01", "ssrc_audio_level",
                     "video_orientation", "toffset"):  # fmt: skip
            ext_id, value = want
            assert getattr(packet, f"read_{key}")(ext_id) == value, key
        else:
            assert getattr(packet, key) == want, key


@pytest.mark.parametrize("name", sorted(RTP_FIXTURES))
def test_fixture_on_disk_is_current(name: str) -> None:
    assert fixture(name) == rtp_fixture_bytes(name), "run tests/fixtures/make_rtp_fixtures.py"


@pytest.mark.parametrize("name", sorted(RTP_FIXTURES))
def test_fixture_parses_to_declared_fields(name: str) -> None:
    data = fixture(name)
    packet = RtpPacket.parse(data)
    check_fields(packet, RTP_FIXTURES[name][1])
    assert packet.serialize() == data
    assert bytes(packet) == data
    assert len(packet) == len(data)


@pytest.mark.parametrize("name", sorted(RTP_FIXTURES))
def test_parse_accepts_bytearray_and_memoryview(name: str) -> None:
    data = fixture(name)
    for form in (bytearray(data), memoryview(data)):
        assert bytes(RtpPacket.parse(form)) == data


def test_parse_copies_its_input() -> None:
    data = bytearray(fixture("header_only"))
    packet = RtpPacket.parse(data)
    data[2] = 0
    packet.set_ssrc(5)
    assert packet.sequence_number == 0x8000 and data[8:12] == bytes(4)


# -- malformations ----------------------------------------------------------------------

VALID = rtp_bytes(payload_type=96, sequence_number=1, timestamp=2, ssrc=3, payload=b"abcd")


def with_first_byte(data: bytes, first: int) -> bytes:
    return bytes((first,)) + data[1:]


MALFORMED = [
    ("empty", b""),
    ("11 bytes", VALID[:11]),
    ("version 0", with_first_byte(VALID, 0x00)),
    ("version 1", with_first_byte(VALID, 0x40)),
    ("version 3", with_first_byte(VALID, 0xC0)),
    ("CSRC count past the end", with_first_byte(VALID, 0x82)),  # 2 CSRCs need 8 bytes, 4 left
    ("CSRC count 15 on a short packet", with_first_byte(VALID[:40], 0x8F)),
    ("extension bit, no room for its header", with_first_byte(VALID[:14], 0x90)),
    ("extension header only partly there", with_first_byte(VALID[:15], 0x90)),
    ("extension length past the end",
     rtp_bytes(payload_type=96, sequence_number=1, timestamp=2, ssrc=3, profile=0xBEDE,
               extension_elements=one_byte_elements((1, b"x")))[:-1]),
    ("extension length past the end (CSRC path)",
     rtp_bytes(payload_type=96, sequence_number=1, timestamp=2, ssrc=3, csrcs=(9,),
               profile=0xBEDE, extension_elements=one_byte_elements((1, b"x")))[:-2]),
    ("padding bit, no payload", with_first_byte(VALID[:12], 0xA0)),
    ("padding length 0", with_first_byte(VALID[:-1] + b"\x00", 0xA0)),
    ("padding longer than the payload", with_first_byte(VALID[:-1] + b"\x05", 0xA0)),
    ("padding eats into the extension",
     with_first_byte(rtp_bytes(payload_type=96, sequence_number=1, timestamp=2, ssrc=3,
                               profile=0xBEDE, extension_elements=one_byte_elements((1, b"x")),
                               payload=b"\x06"), 0xB0)),
]  # fmt: skip


@pytest.mark.parametrize(("case", "data"), MALFORMED, ids=[case for case, _ in MALFORMED])
def test_malformed_packets_raise_value_error(case: str, data: bytes) -> None:
    with pytest.raises(ValueError):
        RtpPacket.parse(data)


def test_padding_exactly_the_payload_is_valid() -> None:
    data = with_first_byte(VALID[:-1] + b"\x04", 0xA0)
    packet = RtpPacket.parse(data)
    assert (packet.payload_length, packet.padding_length, packet.payload) == (0, 4, b"")


def test_malformed_extension_elements_do_not_raise() -> None:
    # As mediasoup: a bad element ends the walk; the packet itself is fine.
    elements = bytes([0x10, 0x41]) + bytes([0x2F]) + b"\x00"  # id 1 "A", then id 2 len 16
    data = rtp_bytes(payload_type=96, sequence_number=1, timestamp=2, ssrc=3, profile=0xBEDE,
                     extension_elements=elements)  # fmt: skip
    packet = RtpPacket.parse(data)
    assert packet.get_extension(1) == b"A"
    assert packet.get_extension(2) is None


# -- header setters -----------------------------------------------------------------------

HEADER = rtp_bytes(payload_type=96, sequence_number=1, timestamp=2, ssrc=3, marker=True,
                   payload=b"xy")  # fmt: skip

EDITS = [
    ("set_payload_type", (0,), {1: 0x80}),
    ("set_payload_type", (127,), {1: 0xFF}),
    ("set_marker", (False,), {1: 0x60}),
    ("set_marker", (True,), {1: 0xE0}),
    ("set_sequence_number", (0xFFFF,), {2: 0xFF, 3: 0xFF}),
    ("set_sequence_number", (0,), {2: 0, 3: 0}),
    ("set_sequence_number", (0x1234,), {2: 0x12, 3: 0x34}),
    ("set_timestamp", (0xFFFFFFFF,), {4: 0xFF, 5: 0xFF, 6: 0xFF, 7: 0xFF}),
    ("set_timestamp", (0,), {7: 0}),
    ("set_ssrc", (0xFFFFFFFF,), {8: 0xFF, 9: 0xFF, 10: 0xFF, 11: 0xFF}),
    ("set_ssrc", (0x01020304,), {8: 1, 9: 2, 10: 3, 11: 4}),
    ("rewrite", (0, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF), {1: 0x80, **{i: 0xFF for i in range(2, 12)}}),
]


@pytest.mark.parametrize(("method", "args", "changed"), EDITS)
def test_header_edits_rewrite_bytes_in_place(
    method: str, args: tuple, changed: dict[int, int]
) -> None:
    packet = RtpPacket.parse(HEADER)
    buffer = packet.buffer
    getattr(packet, method)(*args)
    assert packet.buffer is buffer
    expected = bytearray(HEADER)
    for index, value in changed.items():
        expected[index] = value
    assert packet.serialize() == bytes(expected)
    again = RtpPacket.parse(packet.serialize())
    for name in ("payload_type", "marker", "sequence_number", "timestamp", "ssrc"):
        assert getattr(again, name) == getattr(packet, name)


@pytest.mark.parametrize(
    ("method", "value"),
    [("set_payload_type", 128), ("set_payload_type", -1), ("set_sequence_number", 0x10000),
     ("set_timestamp", 1 << 32), ("set_ssrc", -1)],
)  # fmt: skip
def test_out_of_range_header_values_raise(method: str, value: int) -> None:
    packet = RtpPacket.parse(HEADER)
    with pytest.raises((ValueError, struct.error)):
        getattr(packet, method)(value)


def test_rewrite_keeps_the_marker() -> None:
    packet = RtpPacket.parse(HEADER)
    packet.rewrite(100, 5, 6, 7)
    assert packet.marker is True and packet.payload_type == 100


def test_clone_is_independent() -> None:
    packet = RtpPacket.parse(fixture("vp8_key_frame_3_extensions"))
    copy = packet.clone()
    copy.set_sequence_number(1)
    copy.set_extension_ids({1: 2, 4: 3, 5: 4})
    assert packet.sequence_number == 0xFFFF and packet.get_extension(1) == b"v0"
    assert copy.get_extension(2) == b"v0" and copy.sequence_number == 1
    assert bytes(packet) == fixture("vp8_key_frame_3_extensions")


def test_create_builds_what_parse_reads() -> None:
    packet = RtpPacket.create(
        96, 0xFFFF, 0xFFFFFFFF, 42, b"payload", marker=True, csrcs=[7, 8],
        extensions=[(1, b"0"), (5, b"\x00\x01")], padding_length=3,
    )  # fmt: skip
    expected = rtp_bytes(
        payload_type=96, sequence_number=0xFFFF, timestamp=0xFFFFFFFF, ssrc=42, marker=True,
        csrcs=(7, 8), profile=0xBEDE, extension_elements=one_byte_elements((1, b"0"), (5, b"\x00\x01")),
        payload=b"payload", padding=3,
    )  # fmt: skip
    assert bytes(packet) == expected
    assert packet.csrcs == [7, 8]


# -- header extensions --------------------------------------------------------------------

ONE_BYTE = rtp_bytes(
    payload_type=96, sequence_number=1, timestamp=2, ssrc=3, profile=0xBEDE,
    extension_elements=one_byte_elements((1, b"mid"), (3, b"\x00\x01"), (9, b"\x7f")),
    payload=b"PAYLOAD",
)  # fmt: skip
TWO_BYTES = rtp_bytes(
    payload_type=96, sequence_number=1, timestamp=2, ssrc=3, profile=0x1000,
    extension_elements=two_byte_elements((1, b"mid"), (30, b"\x00\x01"), (9, b"")),
    payload=b"PAYLOAD",
)  # fmt: skip

ELEMENT_WALKS = [
    # (elements area, id -> expected value)
    ("padding between elements", bytes([0x10, 0x41, 0, 0, 0x20, 0x42, 0, 0]), {1: b"A", 2: b"B"}),
    ("id 15 stops the walk", bytes([0x10, 0x41, 0xF0, 0x00, 0x20, 0x42, 0, 0]), {1: b"A", 2: None}),
    ("16-byte value", bytes([0x1F]) + bytes(range(16)) + bytes(3), {1: bytes(range(16))}),
    ("element past the block end", bytes([0x10, 0x41, 0x23, 0x00]), {1: b"A", 2: None}),
    ("repeated id: the last wins", bytes([0x10, 0x41, 0x10, 0x42]), {1: b"B"}),
    ("all padding", bytes(8), {1: None}),
]


@pytest.mark.parametrize(("case", "elements", "expected"), ELEMENT_WALKS,
                         ids=[case for case, *_ in ELEMENT_WALKS])  # fmt: skip
def test_one_byte_element_walk(
    case: str, elements: bytes, expected: dict[int, bytes | None]
) -> None:
    data = rtp_bytes(payload_type=96, sequence_number=1, timestamp=2, ssrc=3, profile=0xBEDE,
                     extension_elements=elements)  # fmt: skip
    packet = RtpPacket.parse(data)
    for ext_id, value in expected.items():
        assert packet.get_extension(ext_id) == value
        assert packet.has_extension(ext_id) is (value is not None)


def test_two_byte_element_walk() -> None:
    packet = RtpPacket.parse(TWO_BYTES)
    assert packet.has_two_bytes_extensions and not packet.has_one_byte_extensions
    assert packet.get_extension(1) == b"mid"
    assert packet.get_extension(30) == b"\x00\x01"
    assert packet.get_extension(9) is None and not packet.has_extension(9)  # zero length
    assert packet.get_extensions() == [(1, b"mid"), (30, b"\x00\x01"), (9, b"")]


def test_unknown_extension_profile_has_no_elements() -> None:
    data = rtp_bytes(payload_type=96, sequence_number=1, timestamp=2, ssrc=3, profile=0xABAC,
                     extension_elements=bytes([0x10, 0x41, 0, 0]), payload=b"p")  # fmt: skip
    packet = RtpPacket.parse(data)
    assert packet.has_header_extension and packet.header_extension_id == 0xABAC
    assert packet.get_extension(1) is None
    assert packet.payload == b"p"


@pytest.mark.parametrize("data", [ONE_BYTE, TWO_BYTES], ids=["one-byte", "two-byte"])
@pytest.mark.parametrize(
    ("mapping", "keep_unmapped", "expected"),
    [
        ({1: 2, 3: 4, 9: 10}, False, {2: b"mid", 4: b"\x00\x01", 10: b"\x7f", 1: None}),
        ({1: 3, 3: 1}, False, {3: b"mid", 1: b"\x00\x01", 9: None}),  # swap, drop 9
        ({3: 5}, True, {1: b"mid", 5: b"\x00\x01", 9: b"\x7f"}),
        ({}, False, {1: None, 3: None, 9: None}),
    ],
)
def test_set_extension_ids(data: bytes, mapping: dict[int, int], keep_unmapped: bool,
                           expected: dict[int, bytes | None]) -> None:  # fmt: skip
    if data is TWO_BYTES:
        mapping = {30 if k == 3 else k: v for k, v in mapping.items()}
        expected = {k: (None if v == b"\x7f" else v) for k, v in expected.items()}
    packet = RtpPacket.parse(data)
    size = packet.size
    packet.set_extension_ids(mapping, keep_unmapped=keep_unmapped)
    assert packet.size == size and packet.payload == b"PAYLOAD"
    reparsed = RtpPacket.parse(bytes(packet))
    for ext_id, value in expected.items():
        assert packet.get_extension(ext_id) == value, ext_id
        assert reparsed.get_extension(ext_id) == value, ext_id


def test_set_extension_ids_dropped_elements_become_padding() -> None:
    packet = RtpPacket.parse(ONE_BYTE)
    packet.set_extension_ids({3: 4})
    start = packet.payload_offset - packet.header_extension_length
    assert bytes(packet.buffer[start : packet.payload_offset]) == bytes(
        4
    ) + b"\x41\x00\x01" + bytes(5)


@pytest.mark.parametrize(
    ("data", "mapping", "keep_unmapped"),
    [
        (ONE_BYTE, {1: 15}, False),  # one-byte ids stop at 14
        (ONE_BYTE, {1: 0}, False),
        (ONE_BYTE, {1: 4, 3: 4}, False),  # two elements, one id
        (ONE_BYTE, {1: 9}, True),  # collides with the kept 9
        (TWO_BYTES, {1: 256}, False),
    ],
)
def test_set_extension_ids_refuses_and_changes_nothing(
    data: bytes, mapping: dict[int, int], keep_unmapped: bool
) -> None:
    packet = RtpPacket.parse(data)
    with pytest.raises(ValueError):
        packet.set_extension_ids(mapping, keep_unmapped=keep_unmapped)
    assert bytes(packet) == data


@pytest.mark.parametrize(
    ("ext_id", "value", "ok"),
    [(3, b"\xff\xfe", True), (3, b"\xff", False), (1, b"MID", True), (1, b"MIDS", False),
     (7, b"\x00", False), (9, b"\x00", True)],
)  # fmt: skip
def test_update_extension_in_place(ext_id: int, value: bytes, ok: bool) -> None:
    packet = RtpPacket.parse(ONE_BYTE)
    assert packet.update_extension(ext_id, value) is ok
    assert RtpPacket.parse(bytes(packet)).get_extension(ext_id) == (
        value if ok else packet.get_extension(ext_id)
    )
    if not ok:
        assert bytes(packet) == ONE_BYTE


@pytest.mark.parametrize(
    ("ms", "expected"),
    [(0, 0), (1000, 0x040000), (500, 0x020000), (64_000, 0), (63_999, 0xFFFEFA), (1, 262)],
)
def test_update_abs_send_time(ms: int, expected: int) -> None:
    data = rtp_bytes(payload_type=96, sequence_number=1, timestamp=2, ssrc=3, profile=0xBEDE,
                     extension_elements=one_byte_elements((4, b"\xff\xff\xff")))  # fmt: skip
    packet = RtpPacket.parse(data)
    assert packet.update_abs_send_time(4, ms)
    assert packet.read_abs_send_time(4) == expected
    assert not packet.update_abs_send_time(5, ms)


@pytest.mark.parametrize("wide_seq", [0, 1, 0x7FFF, 0x8000, 0xFFFF])
def test_update_transport_wide_cc01(wide_seq: int) -> None:
    packet = RtpPacket.parse(ONE_BYTE)
    assert packet.update_transport_wide_cc01(3, wide_seq)
    assert RtpPacket.parse(bytes(packet)).read_transport_wide_cc01(3) == wide_seq
    assert packet.read_transport_wide_cc01(9) is None  # 1-byte value: not a wide seq


@pytest.mark.parametrize(
    ("reader", "value", "expected"),
    [
        ("read_ssrc_audio_level", b"\x00", (0, False)),
        ("read_ssrc_audio_level", b"\xff", (127, True)),
        ("read_ssrc_audio_level", b"\x7f\x00", None),
        ("read_video_orientation", b"\x00", (False, False, 0)),
        ("read_video_orientation", b"\x01", (False, False, 90)),
        ("read_video_orientation", b"\x06", (False, True, 180)),
        ("read_video_orientation", b"\x0f", (True, True, 270)),
        ("read_toffset", b"\x00\x00\x05", 5),
        ("read_toffset", b"\x80\x00\x00", -0x800000),
        ("read_toffset", b"\x00\x05", None),
        ("read_abs_send_time", b"\xff\xff\xff", 0xFFFFFF),
        ("read_abs_send_time", b"\xff\xff", None),
        ("read_transport_wide_cc01", b"\xff\xff", 0xFFFF),
        ("read_mid", b"probator", "probator"),
        ("read_rid", b"hi", "hi"),
        ("read_rrid", b"lo", "lo"),
        ("read_mid", b"\xff", "\ufffd"),  # remote garbage is replaced, never raised
    ],
)
def test_typed_readers(reader: str, value: bytes, expected: object) -> None:
    for two_bytes in (False, True):
        packet = RtpPacket.create(
            96, 1, 2, 3, b"p", extensions=[(6, value)], two_bytes_extensions=two_bytes
        )
        assert getattr(packet, reader)(6) == expected
        assert getattr(packet, reader)(7) is None


def test_read_rid_falls_back_to_the_repaired_rid() -> None:
    packet = RtpPacket.create(96, 1, 2, 3, extensions=[(3, b"r1")])
    assert packet.read_rid(2, 3) == "r1"
    assert packet.read_rid(2) is None


@pytest.mark.parametrize(
    ("mid", "ok", "value"),
    [
        ("1", True, b"1"),
        ("12345678", True, b"12345678"),
        ("123456789", False, b"0"),
        ("", False, b"0"),
    ],
)
def test_update_mid_uses_the_reserved_room(mid: str, ok: bool, value: bytes) -> None:
    # As mediasoup's Producer: the MID value is written with MID_MAX_LENGTH bytes of room.
    packet = RtpPacket.create(
        96, 1, 2, 3, b"x", extensions=[(1, b"0" + bytes(7)), (5, b"\x00\x01")]
    )
    packet.set_extension_length(1, 1)
    assert packet.get_extension(1) == b"0"
    assert packet.update_mid(1, mid) is ok
    reparsed = RtpPacket.parse(bytes(packet))
    assert reparsed.get_extension(1) == value
    assert reparsed.get_extension(5) == b"\x00\x01"


def test_set_extension_length_cannot_grow_over_other_elements() -> None:
    packet = RtpPacket.parse(ONE_BYTE)
    assert not packet.set_extension_length(1, 4)
    assert packet.set_extension_length(1, 2)
    assert packet.get_extension(1) == b"mi"
    assert packet.set_extension_length(1, 3)  # the freed byte is zero padding now
    assert packet.get_extension(1) == b"mi\x00"


@pytest.mark.parametrize("two_bytes", [False, True])
@pytest.mark.parametrize(
    "base",
    [
        rtp_bytes(payload_type=96, sequence_number=1, timestamp=2, ssrc=3, payload=b"PAYLOAD"),
        ONE_BYTE,
        TWO_BYTES,
        rtp_bytes(payload_type=96, sequence_number=1, timestamp=2, ssrc=3, csrcs=(1, 2),
                  payload=b"PAYLOAD", padding=2),
    ],
    ids=["none", "one-byte", "two-byte", "csrcs+padding"],
)  # fmt: skip
def test_set_extensions_rebuilds_the_block(base: bytes, two_bytes: bool) -> None:
    packet = RtpPacket.parse(base)
    padding = packet.padding_length
    elements = [(1, b"12345678"), (4, b"\x00\x00\x00"), (5, b"\x00\x00")]
    packet.set_extensions(elements, two_bytes=two_bytes)
    assert packet.get_extensions() == elements
    reparsed = RtpPacket.parse(bytes(packet))
    assert reparsed.get_extensions() == elements
    assert reparsed.payload == b"PAYLOAD" and reparsed.padding_length == padding
    assert reparsed.csrcs == packet.csrcs
    packet.set_extensions([])
    assert not packet.has_header_extension and packet.get_extension(1) is None
    assert RtpPacket.parse(bytes(packet)).payload == b"PAYLOAD"


@pytest.mark.parametrize(
    ("elements", "two_bytes"),
    [([(15, b"x")], False), ([(0, b"x")], False), ([(1, b"")], False), ([(1, bytes(17))], False),
     ([(1, b"a"), (1, b"b")], False), ([(256, b"x")], True), ([(1, bytes(256))], True)],
)  # fmt: skip
def test_set_extensions_refuses_invalid_elements(elements: list, two_bytes: bool) -> None:
    packet = RtpPacket.parse(ONE_BYTE)
    with pytest.raises(ValueError):
        packet.set_extensions(elements, two_bytes=two_bytes)
    assert bytes(packet) == ONE_BYTE


@pytest.mark.parametrize(
    ("offset", "shift", "expand", "payload"),
    [(0, 2, True, b"\x00\x00PAYLOAD"), (2, 1, True, b"PA\x00YLOAD"), (7, 1, True, b"PAYLOAD\x00"),
     (0, 2, False, b"YLOAD"), (5, 2, False, b"PAYLO"), (3, 0, True, b"PAYLOAD")],
)  # fmt: skip
def test_shift_payload(offset: int, shift: int, expand: bool, payload: bytes) -> None:
    packet = RtpPacket.parse(ONE_BYTE)
    packet.shift_payload(offset, shift, expand)
    assert packet.payload == payload
    assert RtpPacket.parse(bytes(packet)).payload == payload


@pytest.mark.parametrize(
    ("offset", "shift", "expand"), [(8, 1, True), (6, 2, False), (-1, 1, True)]
)
def test_shift_payload_out_of_range_raises(offset: int, shift: int, expand: bool) -> None:
    with pytest.raises(ValueError):
        RtpPacket.parse(ONE_BYTE).shift_payload(offset, shift, expand)


def test_remove_padding() -> None:
    packet = RtpPacket.parse(fixture("csrcs_and_padding"))
    packet.remove_padding()
    reparsed = RtpPacket.parse(bytes(packet))
    assert (reparsed.padding_length, reparsed.payload_length, reparsed.size) == (0, 160, 180)


# -- interop: bytes from aiortc ------------------------------------------------------------

AIORTC_ROWS = [
    # (aiortc RtpPacket kwargs, extensions as {uri: value}, extmap {uri: id})
    (dict(payload_type=96, marker=1, sequence_number=0xFFFF, timestamp=0xFFFFFFFF, ssrc=0xFFFFFFFF,
          payload=b"\x90\xe0\x80\x01\x00\x10" + bytes(1194)),
     {"mid": "v0", "abs_send_time": 0x123456, "transport_sequence_number": 4242}),
    (dict(payload_type=111, marker=0, sequence_number=0, timestamp=0, ssrc=1, payload=b"\x78\x00"),
     {"mid": "audio", "audio_level": (True, 33)}),
    (dict(payload_type=0, marker=0, sequence_number=12345, timestamp=8000, ssrc=2, payload=bytes(160)),
     {}),
    (dict(payload_type=100, marker=1, sequence_number=7, timestamp=7, ssrc=7, payload=b"\x7c\x87\x00"),
     {"rtp_stream_id": "hi", "repaired_rtp_stream_id": "lo"}),
]  # fmt: skip

EXTMAP = {
    "urn:ietf:params:rtp-hdrext:sdes:mid": 1,
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id": 2,
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id": 3,
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time": 4,
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01": 5,
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level": 10,
}


@pytest.mark.parametrize(("fields", "extensions"), AIORTC_ROWS)
def test_bytes_from_aiortc_parse_to_the_same_fields(fields: dict, extensions: dict) -> None:
    from aiortc import rtp as aiortc_rtp
    from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters

    extensions_map = aiortc_rtp.HeaderExtensionsMap()
    extensions_map.configure(
        RTCRtpParameters(
            headerExtensions=[
                RTCRtpHeaderExtensionParameters(id=i, uri=u) for u, i in EXTMAP.items()
            ]
        )
    )
    theirs = aiortc_rtp.RtpPacket(**fields)
    for name, value in extensions.items():
        setattr(theirs.extensions, name, value)
    data = theirs.serialize(extensions_map)

    ours = RtpPacket.parse(data)
    assert (ours.payload_type, ours.marker, ours.sequence_number, ours.timestamp, ours.ssrc) == (
        fields["payload_type"], bool(fields["marker"]), fields["sequence_number"],
        fields["timestamp"], fields["ssrc"],
    )  # fmt: skip
    assert ours.payload == fields["payload"]
    assert ours.read_mid(1) == extensions.get("mid")
    assert ours.read_rid(2) == extensions.get("rtp_stream_id")
    assert ours.read_rrid(3) == extensions.get("repaired_rtp_stream_id")
    assert ours.read_abs_send_time(4) == extensions.get("abs_send_time")
    assert ours.read_transport_wide_cc01(5) == extensions.get("transport_sequence_number")
    if "audio_level" in extensions:
        voice, level = extensions["audio_level"]
        assert ours.read_ssrc_audio_level(10) == (level, voice)
    assert ours.serialize() == data

    # And back: aiortc reads what we rewrote.
    ours.rewrite(97, 1, 2, 3)
    ours.set_marker(not ours.marker)
    back = aiortc_rtp.RtpPacket.parse(ours.serialize(), extensions_map)
    assert (back.payload_type, back.sequence_number, back.timestamp, back.ssrc) == (97, 1, 2, 3)
    assert back.marker == (0 if fields["marker"] else 1)
    assert back.extensions.mid == extensions.get("mid")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (VALID, True),
        (VALID[:12], True),
        (VALID[:11], False),
        (with_first_byte(VALID, 0xBF), True),
        (with_first_byte(VALID, 0x40), False),
        (with_first_byte(VALID, 0xC0), False),
        (b"\x00\x01" + bytes(18), False),  # STUN
        (b"\x16\xfe\xfd" + bytes(20), False),  # DTLS
    ],
)
def test_is_rtp(data: bytes, expected: bool) -> None:
    assert is_rtp(data) is expected
