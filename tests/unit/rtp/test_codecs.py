"""Payload descriptors: rows of payload bytes -> parsed fields, and the VP8 rewrites."""

from __future__ import annotations

from typing import Any

import pytest

from pymediasoup_worker.core.rtp import RtpPacket
from pymediasoup_worker.core.rtp.codecs import (
    can_be_key_frame,
    h264,
    is_key_frame,
    opus,
    process_rtp_packet,
    vp8,
    vp9,
)
from pymediasoup_worker.core.rtp.header_extensions import FrameMarking


def check(descriptor: Any, expected: dict[str, Any] | None) -> None:
    if expected is None:
        assert descriptor is None
        return
    assert descriptor is not None
    for key, value in expected.items():
        assert getattr(descriptor, key) == value, key


# -- VP8 -----------------------------------------------------------------------------------

VP8_ROWS = [
    ("no X byte, key frame", [0x10, 0x00],
     dict(extended=False, start=True, is_key_frame=True, has_picture_id=False, size=1)),
    ("no X byte, not a start", [0x00, 0x00], dict(is_key_frame=False, size=1)),
    ("one-byte picture id, L, T", [0x90, 0xE0, 0x2A, 0x05, 0x60, 0x00],
     dict(picture_id=42, has_one_byte_picture_id=True, tl0_picture_index=5, tl_index=1, y=True,
          temporal_layer=1, spatial_layer=0, is_key_frame=True, size=5)),
    ("two-byte picture id, interframe", [0x90, 0x80, 0xFF, 0xFF, 0x01],
     dict(picture_id=0x7FFF, has_two_bytes_picture_id=True, has_tl0_picture_index=False,
          has_tl_index=False, temporal_layer=0, is_key_frame=False, size=4)),
    ("K only", [0x80, 0x10, 0x1F, 0x00],
     dict(k=True, t=False, has_tl_index=True, tl_index=0, key_index=31, is_key_frame=False)),
    ("non-reference, partition 1", [0xB1, 0x00, 0x00],
     dict(non_reference=True, partition_index=1, is_key_frame=False)),
    ("descriptor only", [0x90, 0x00], dict(is_key_frame=False, size=2)),
    ("tl index 3", [0x90, 0x20, 0xC0, 0x00], dict(tl_index=3, y=False, is_key_frame=True)),
    ("empty", [], None),
    ("X but no X byte", [0x80], None),
    ("I but no picture id", [0x80, 0x80], None),
    ("M but no second picture id byte", [0x80, 0x80, 0x80], None),
    ("L but no TL0PICIDX", [0x80, 0x40], None),
    ("T but no TID byte", [0x80, 0x20], None),
]  # fmt: skip


@pytest.mark.parametrize(("case", "payload", "expected"), VP8_ROWS, ids=[r[0] for r in VP8_ROWS])
def test_vp8_parse(case: str, payload: list[int], expected: dict | None) -> None:
    check(vp8.parse(bytes(payload)), expected)
    # The same payload inside a larger buffer, read in place.
    buffer = b"\xff" * 5 + bytes(payload) + b"\xff" * 3
    check(vp8.parse(buffer, 5, 5 + len(payload)), expected)
    assert vp8.is_key_frame(bytes(payload)) is bool(expected and expected.get("is_key_frame"))


VP8_ENCODE_ROWS = [
    # (descriptor bytes, picture id, tl0, expected bytes)
    ([0x90, 0xC0, 0x80, 0x01, 0x05], 0x1234, 0x77, [0x90, 0xC0, 0x92, 0x34, 0x77]),
    ([0x90, 0xC0, 0x80, 0x01, 0x05], 0x7FFF, 0xFF, [0x90, 0xC0, 0xFF, 0xFF, 0xFF]),
    ([0x90, 0xC0, 0x80, 0x01, 0x05], 0x8000, 0x100, [0x90, 0xC0, 0x80, 0x00, 0x00]),  # wraps
    ([0x90, 0xC0, 0x2A, 0x05], 200, 6, [0x90, 0xC0, 200 & 0x7F, 0x06]),  # 7 bits kept
    ([0x90, 0x80, 0x2A], 3, 6, [0x90, 0x80, 0x03]),  # no TL0PICIDX: not written
    ([0x90, 0x40, 0x05], 3, 6, [0x90, 0x40, 0x06]),  # no picture id: not written
    ([0x10, 0x00], 3, 6, [0x10, 0x00]),  # no X: nothing to write
]  # fmt: skip


@pytest.mark.parametrize(("payload", "picture_id", "tl0", "expected"), VP8_ENCODE_ROWS)
def test_vp8_encode_and_restore(
    payload: list[int], picture_id: int, tl0: int, expected: list[int]
) -> None:
    buffer = bytearray(b"\xee" * 3 + bytes(payload) + b"\x00\xaa")
    descriptor = vp8.parse(buffer, 3)
    assert descriptor is not None
    descriptor.encode(buffer, 3, picture_id, tl0)
    assert buffer == b"\xee" * 3 + bytes(expected) + b"\x00\xaa"
    descriptor.restore(buffer, 3)
    assert buffer == b"\xee" * 3 + bytes(payload) + b"\x00\xaa"


@pytest.mark.parametrize(
    ("payload", "widened"),
    [
        ([0x90, 0xC0, 0x2A, 0x05, 0x00, 0x11], [0x90, 0xC0, 0x80, 0x2A, 0x05, 0x00, 0x11]),
        ([0x90, 0xC0, 0x80, 0x2A, 0x05, 0x00], [0x90, 0xC0, 0x80, 0x2A, 0x05, 0x00]),  # already 2
        ([0x10, 0x00], [0x10, 0x00]),
    ],
)
def test_vp8_process_rtp_packet_widens_the_picture_id(
    payload: list[int], widened: list[int]
) -> None:
    packet = RtpPacket.create(96, 1, 2, 3, bytes(payload), extensions=[(1, b"m")])
    descriptor = vp8.process_rtp_packet(packet)
    assert descriptor is not None
    assert packet.payload_descriptor is descriptor
    assert packet.is_key_frame is descriptor.is_key_frame
    assert packet.payload == bytes(widened)
    assert RtpPacket.parse(bytes(packet)).payload == bytes(widened)
    if descriptor.has_picture_id:
        assert descriptor.has_two_bytes_picture_id and not descriptor.has_one_byte_picture_id
        again = vp8.parse(packet.payload)
        assert again is not None and again.picture_id == descriptor.picture_id
        descriptor.encode(packet.buffer, packet.payload_offset, 300, 9)
        again = vp8.parse(packet.payload)
        assert again is not None and (again.picture_id, again.tl0_picture_index) == (300, 9)


def test_vp8_process_rtp_packet_without_descriptor() -> None:
    packet = RtpPacket.create(96, 1, 2, 3, b"")
    packet.is_key_frame = True  # left from an earlier processing: cleared
    assert vp8.process_rtp_packet(packet) is None
    assert packet.payload_descriptor is None and packet.is_key_frame is False


# -- VP9 -----------------------------------------------------------------------------------

VP9_ROWS = [
    ("key frame, no optional fields", [0x08], dict(b=True, is_key_frame=True, has_picture_id=False)),
    ("predicted", [0x48], dict(p=True, is_key_frame=False)),
    ("not a layer frame start", [0x04], dict(e=True, is_key_frame=False)),
    ("I, L, two-byte picture id, spatial layer 1", [0xA8, 0x81, 0x02, 0x22, 0x07],
     dict(picture_id=0x0102, has_two_bytes_picture_id=True, tl_index=1, sl_index=1,
          switching_up_point=False, inter_layer_dependency=False, tl0_picture_index=7,
          has_tl0_picture_index=True, spatial_layer=1, temporal_layer=1, is_key_frame=False)),
    ("flexible mode: no TL0PICIDX", [0xB8, 0x05, 0x51, 0x00],
     dict(picture_id=5, has_one_byte_picture_id=True, f=True, tl_index=2, switching_up_point=True,
          sl_index=0, inter_layer_dependency=True, has_tl0_picture_index=False, is_key_frame=True)),
    ("V flag", [0x0A], dict(v=True, is_key_frame=True)),
    ("layer 7/7", [0x28, 0xEE, 0x00], dict(tl_index=7, sl_index=7, is_key_frame=False)),
    ("empty", [], None),
    ("I but no picture id", [0x80], None),
    ("M but no second byte", [0x80, 0x80], None),
    ("L but no layer byte", [0x20], None),
    ("L but nothing after the layer byte", [0x20, 0x00], None),
]  # fmt: skip


@pytest.mark.parametrize(("case", "payload", "expected"), VP9_ROWS, ids=[r[0] for r in VP9_ROWS])
def test_vp9_parse(case: str, payload: list[int], expected: dict | None) -> None:
    check(vp9.parse(bytes(payload)), expected)
    buffer = b"\x00" * 4 + bytes(payload) + b"\xff"
    check(vp9.parse(buffer, 4, 4 + len(payload)), expected)
    assert vp9.is_key_frame(bytes(payload)) is bool(expected and expected.get("is_key_frame"))


# -- H264 ----------------------------------------------------------------------------------

H264_ROWS = [
    ("SPS", [0x67, 0x42], True),
    ("IDR alone (mediasoup waits for the SPS)", [0x65, 0x88], False),
    ("non-IDR slice", [0x41, 0x9A], False),
    ("STAP-A with SPS second", [0x18, 0x00, 0x02, 0x09, 0xF0, 0x00, 0x04, 0x67, 0x42, 0x00, 0x1F], True),
    ("STAP-A with SPS first", [0x18, 0x00, 0x02, 0x67, 0x42], True),
    ("STAP-A without SPS", [0x18, 0x00, 0x02, 0x09, 0xF0, 0x00, 0x02, 0x68, 0xCE], False),
    ("STAP-A size past the end", [0x18, 0x00, 0xFF, 0x09, 0x00, 0x00, 0x67], False),
    ("STAP-A too short for a unit", [0x18, 0x00, 0x01], False),
    ("FU-A start of SPS", [0x7C, 0x87], True),
    ("FU-A middle of SPS", [0x7C, 0x07], False),
    ("FU-A start of IDR", [0x7C, 0x85], False),
    ("FU-B start of SPS", [0x7D, 0x87, 0x00, 0x01], True),
    ("one byte", [0x67], False),
    ("empty", [], False),
]  # fmt: skip


@pytest.mark.parametrize(("case", "payload", "key"), H264_ROWS, ids=[r[0] for r in H264_ROWS])
def test_h264_key_frames(case: str, payload: list[int], key: bool) -> None:
    data = bytes(payload)
    assert h264.is_key_frame(data) is key
    assert h264.is_key_frame(b"\x67\x67" + data, 2) is key
    descriptor = h264.parse(data)
    if len(data) < 2:
        assert descriptor is None
    else:
        assert descriptor is not None and descriptor.is_key_frame is key and not descriptor.has_tid


@pytest.mark.parametrize(
    ("marking", "payload", "expected"),
    [
        (FrameMarking(True, False, True, False, False, 2, None, None), [0x41, 0x00],
         dict(is_key_frame=True, tid=2, temporal_layer=2, has_tid=True, has_lid=False)),
        (FrameMarking(True, True, False, True, True, 1, 3, 200), [0x41, 0x00],
         dict(is_key_frame=False, tid=1, lid=3, tl0picidx=200, has_lid=True, has_tl0picidx=True,
              d=True, b=True, e=True)),
        # Wrong marking (no I) from hardware encoders: the NAL units still say key frame.
        (FrameMarking(True, False, False, False, False, 0, None, None), [0x67, 0x00],
         dict(is_key_frame=True, tid=0)),
    ],
)  # fmt: skip
def test_h264_frame_marking(marking: FrameMarking, payload: list[int], expected: dict) -> None:
    check(h264.parse(bytes(payload), frame_marking=marking), expected)


# -- Opus and dispatch ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "toc"),
    [([0x78, 0x01], (15, False, 0)), ([0xFC], (31, True, 0)), ([0x0B], (1, False, 3)), ([], None)],
)
def test_opus_toc(payload: list[int], toc: tuple | None) -> None:
    result = opus.parse_toc(bytes(payload))
    assert (tuple(result) if result else None) == toc
    assert opus.is_key_frame(bytes(payload)) is False


KEY_VP8 = bytes([0x90, 0x80, 0x80, 0x01, 0x00])
KEY_VP9 = bytes([0x08])
KEY_H264 = bytes([0x67, 0x42])


@pytest.mark.parametrize(
    ("mime_type", "payload", "key"),
    [
        ("video/VP8", KEY_VP8, True),
        ("VIDEO/vp8", KEY_VP8, True),
        ("video/VP8", bytes([0x90, 0x80, 0x80, 0x01, 0x01]), False),
        ("video/VP9", KEY_VP9, True),
        ("video/H264", KEY_H264, True),
        ("video/h264", bytes([0x41, 0x00]), False),
        ("audio/opus", KEY_H264, False),
        ("audio/PCMU", KEY_H264, False),
        ("video/AV1", KEY_VP8, False),
        ("video/VP8", b"", False),
    ],
)
def test_is_key_frame_dispatch(mime_type: str, payload: bytes, key: bool) -> None:
    assert is_key_frame(mime_type, payload) is key
    packet = RtpPacket.create(96, 1, 2, 3, payload, extensions=[(1, b"x")])
    end = packet.payload_offset + packet.payload_length
    assert is_key_frame(mime_type, packet.buffer, packet.payload_offset, end) is key


@pytest.mark.parametrize(
    ("mime_type", "can"),
    [("video/VP8", True), ("video/vp9", True), ("video/H264", True), ("audio/opus", False),
     ("video/rtx", False)],
)  # fmt: skip
def test_can_be_key_frame(mime_type: str, can: bool) -> None:
    assert can_be_key_frame(mime_type) is can


@pytest.mark.parametrize(
    ("mime_type", "payload", "marking", "kind", "key", "temporal_layer"),
    [
        ("video/VP8", [0x90, 0xA0, 0x05, 0x40, 0x00], None, "VP8", True, 1),
        ("video/VP9", [0x28, 0x42, 0x01], None, "VP9", False, 2),
        ("video/H264", [0x41, 0x00], FrameMarking(True, False, True, False, False, 1, None, None),
         "H264", True, 1),
        ("audio/opus", [0x78], None, None, False, 0),
    ],
)  # fmt: skip
def test_process_rtp_packet_dispatch(
    mime_type: str,
    payload: list[int],
    marking: FrameMarking | None,
    kind: str | None,
    key: bool,
    temporal_layer: int,
) -> None:
    packet = RtpPacket.create(96, 1, 2, 3, bytes(payload), extensions=[(1, b"x")])
    descriptor = process_rtp_packet(packet, mime_type, marking)
    if kind is None:
        assert descriptor is None
        return
    assert descriptor is not None and repr(descriptor).startswith(kind)
    assert descriptor.is_key_frame is key and descriptor.temporal_layer == temporal_layer
