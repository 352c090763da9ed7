"""Netstring codec: rows of reads (split, merged, oversize, malformed) and what comes out."""

from __future__ import annotations

import pytest

from pymediasoup.channel.codec import (
    NS_MESSAGE_MAX_LEN,
    NS_PAYLOAD_MAX_LEN,
    NetstringDecoder,
    NetstringError,
    encode,
)


def feed_all(chunks: list[bytes]) -> list[object]:
    decoder = NetstringDecoder()
    out: list[object] = []
    for chunk in chunks:
        for item in decoder.feed(chunk):
            out.append(item.kind if isinstance(item, NetstringError) else item)
    return out


@pytest.mark.parametrize(
    ("payload", "frame"),
    [
        (b"", b"0:,"),
        (b"a", b"1:a,"),
        (b"hello world", b"11:hello world,"),
        (b"{}", b"2:{},"),
        (b"\x00,:\xff", b"4:\x00,:\xff,"),
    ],
)
def test_encode(payload: bytes, frame: bytes) -> None:
    assert encode(payload) == frame
    assert feed_all([frame]) == [payload]


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        # One message, whole.
        ([b"3:abc,"], [b"abc"]),
        # Split at every possible place.
        ([b"3", b":abc,"], [b"abc"]),
        ([b"3:", b"abc,"], [b"abc"]),
        ([b"3:ab", b"c,"], [b"abc"]),
        ([b"3:abc", b","], [b"abc"]),
        ([b"1", b"0", b":0123456789,"], [b"0123456789"]),
        # Several in one read, and a tail completed later.
        ([b"1:a,2:bc,0:,"], [b"a", b"bc", b""]),
        ([b"1:a,2:b", b"c,3:de", b"f,"], [b"a", b"bc", b"def"]),
        # Payloads containing the framing characters.
        ([b"3::,,,"], [b":,,"]),
        # Malformations: each drops the buffer, later data still parses.
        ([b":abc,"], ["NO_LENGTH"]),
        ([b"3x:abc,"], ["NO_COLON"]),
        ([b"abc"], ["NO_COLON"]),
        ([b"03:abc,"], ["LEADING_ZERO"]),
        ([b"00"], ["LEADING_ZERO"]),
        ([b"3:abcd"], ["NO_COMMA"]),
        ([b"3:abcd", b"1:z,"], ["NO_COMMA", b"z"]),
        ([b"3x:abc,", b"2:ok,"], ["NO_COLON", b"ok"]),
        ([b"99999999"], ["TOO_LONG"]),
        ([b"%d:" % (NS_PAYLOAD_MAX_LEN + 1)], ["TOO_LONG"]),
        ([b"1:a,x", b"1:b,"], [b"a", "NO_COLON", b"b"]),
    ],
)
def test_decoder_rows(chunks: list[bytes], expected: list[object]) -> None:
    assert feed_all(chunks) == expected


def test_largest_payload_passes_and_one_more_byte_fails() -> None:
    payload = b"x" * NS_PAYLOAD_MAX_LEN
    frame = encode(payload)
    assert len(frame) == NS_MESSAGE_MAX_LEN  # 7 digits, colon and comma around 4 MiB
    assert feed_all([frame[:1000], frame[1000:]]) == [payload]
    assert feed_all([b"%d:" % (NS_PAYLOAD_MAX_LEN + 1) + b"x" * 10]) == ["TOO_LONG"]


def test_byte_by_byte() -> None:
    frames = encode(b"first") + encode(b"") + encode(b"third one")
    assert feed_all([frames[i : i + 1] for i in range(len(frames))]) == [
        b"first",
        b"",
        b"third one",
    ]


def test_buffer_is_released() -> None:
    decoder = NetstringDecoder()
    decoder.feed(b"5:ab")
    assert decoder.buffered == 4
    decoder.feed(b"cde,")
    assert decoder.buffered == 0
