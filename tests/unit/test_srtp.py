"""core.srtp: SRTP/SRTCP sessions over pylibsrtp, row by row per crypto suite.

Each suite: protect -> unprotect round trips (RTP and RTCP), and the failures that must
give None and be counted, never raise: a tampered packet, a replayed one, one too long
for pylibsrtp's buffer, one too short to carry a tag, and a packet that is not bytes.
"""

from __future__ import annotations

import struct

import pytest

from pymediasoup_worker.core.srtp import (
    AEAD_AES_128_GCM,
    AEAD_AES_256_GCM,
    AES_CM_128_HMAC_SHA1_32,
    AES_CM_128_HMAC_SHA1_80,
    INBOUND,
    MASTER_LENGTHS,
    OUTBOUND,
    SrtpSession,
    SrtpSessionPair,
)

# (suite, master key+salt length, SRTP tag length, SRTCP overhead: index + tag)
SUITES = [
    (AES_CM_128_HMAC_SHA1_80, 30, 10, 4 + 10),
    (AES_CM_128_HMAC_SHA1_32, 30, 4, 4 + 10),  # RTCP keeps the 80-bit tag
    (AEAD_AES_128_GCM, 28, 16, 4 + 16),
    (AEAD_AES_256_GCM, 44, 16, 4 + 16),
]
SUITE_IDS = [row[0] for row in SUITES]


def key(length: int, seed: int) -> bytes:
    return bytes((seed + i * 7) & 0xFF for i in range(length))


def rtp(seq: int, ssrc: int = 0x11223344, payload_size: int = 160) -> bytes:
    return struct.pack("!BBHII", 0x80, 111, seq, seq * 960, ssrc) + bytes(
        i & 0xFF for i in range(payload_size)
    )


def rtcp_rr(ssrc: int = 0x55667788) -> bytes:
    return struct.pack("!BBHI", 0x80, 201, 1, ssrc)


def pair(suite: str, length: int) -> tuple[SrtpSessionPair, SrtpSessionPair]:
    """Two ends: ``a`` sends with key A and receives with key B, ``b`` the other way."""
    key_a, key_b = key(length, 1), key(length, 2)
    return SrtpSessionPair(suite, key_a, key_b), SrtpSessionPair(suite, key_b, key_a)


def test_master_lengths() -> None:
    assert {suite: length for suite, length, _, _ in SUITES} == MASTER_LENGTHS


@pytest.mark.parametrize(("suite", "length", "tag", "rtcp_overhead"), SUITES, ids=SUITE_IDS)
def test_rtp_round_trip(suite: str, length: int, tag: int, rtcp_overhead: int) -> None:
    a, b = pair(suite, length)
    for seq in (1, 2, 3, 65535, 0):  # across the sequence number wrap
        plain = rtp(seq)
        protected = a.send.protect_rtp(plain)
        assert protected is not None and len(protected) == len(plain) + tag
        assert protected[:12] == plain[:12]  # the header stays in the clear
        assert protected[12 : len(plain)] != plain[12:]  # the payload does not
        assert b.recv.unprotect_rtp(protected) == plain
    assert a.errors == b.errors == 0


@pytest.mark.parametrize(("suite", "length", "tag", "rtcp_overhead"), SUITES, ids=SUITE_IDS)
def test_rtcp_round_trip(suite: str, length: int, tag: int, rtcp_overhead: int) -> None:
    a, b = pair(suite, length)
    for _ in range(3):
        plain = rtcp_rr()
        protected = a.send.protect_rtcp(plain)
        assert protected is not None and len(protected) == len(plain) + rtcp_overhead
        assert b.recv.unprotect_rtcp(protected) == plain
    assert a.errors == b.errors == 0


@pytest.mark.parametrize(("suite", "length", "tag", "rtcp_overhead"), SUITES, ids=SUITE_IDS)
def test_several_ssrcs_in_one_session(
    suite: str, length: int, tag: int, rtcp_overhead: int
) -> None:
    a, b = pair(suite, length)
    for seq in range(10):
        for ssrc in (1, 2, 0xFFFFFFFF):
            plain = rtp(seq, ssrc)
            assert b.recv.unprotect_rtp(a.send.protect_rtp(plain)) == plain  # type: ignore[arg-type]


@pytest.mark.parametrize(("suite", "length", "tag", "rtcp_overhead"), SUITES, ids=SUITE_IDS)
@pytest.mark.parametrize("where", ["tag", "payload", "header"])
def test_tampered_is_none_and_counted(
    suite: str, length: int, tag: int, rtcp_overhead: int, where: str
) -> None:
    a, b = pair(suite, length)
    protected = a.send.protect_rtp(rtp(7))
    assert protected is not None
    index = {"tag": len(protected) - 1, "payload": 20, "header": 1}[where]
    tampered = bytearray(protected)
    tampered[index] ^= 0x01
    assert b.recv.unprotect_rtp(bytes(tampered)) is None
    assert b.recv.auth_failures == 1 and b.recv.errors == 1
    # The genuine packet still goes through afterwards.
    assert b.recv.unprotect_rtp(protected) == rtp(7)


@pytest.mark.parametrize(("suite", "length", "tag", "rtcp_overhead"), SUITES, ids=SUITE_IDS)
def test_tampered_rtcp_is_none_and_counted(
    suite: str, length: int, tag: int, rtcp_overhead: int
) -> None:
    a, b = pair(suite, length)
    protected = a.send.protect_rtcp(rtcp_rr())
    assert protected is not None
    tampered = bytearray(protected)
    tampered[5] ^= 0x80
    assert b.recv.unprotect_rtcp(bytes(tampered)) is None
    assert b.recv.auth_failures == 1


@pytest.mark.parametrize(("suite", "length", "tag", "rtcp_overhead"), SUITES, ids=SUITE_IDS)
def test_replayed_is_none_and_counted(
    suite: str, length: int, tag: int, rtcp_overhead: int
) -> None:
    a, b = pair(suite, length)
    protected = a.send.protect_rtp(rtp(100))
    rtcp = a.send.protect_rtcp(rtcp_rr())
    assert protected is not None and rtcp is not None
    assert b.recv.unprotect_rtp(protected) == rtp(100)
    assert b.recv.unprotect_rtp(protected) is None
    assert b.recv.unprotect_rtcp(rtcp) == rtcp_rr()
    assert b.recv.unprotect_rtcp(rtcp) is None
    assert b.recv.replay_failures == 2 and b.recv.errors == 2


@pytest.mark.parametrize(("suite", "length", "tag", "rtcp_overhead"), SUITES, ids=SUITE_IDS)
def test_too_old_is_none(suite: str, length: int, tag: int, rtcp_overhead: int) -> None:
    a, b = pair(suite, length)
    old = a.send.protect_rtp(rtp(1))
    for seq in range(2, 1100):  # beyond the 1024-packet replay window
        a.send.protect_rtp(rtp(seq))
    newest = a.send.protect_rtp(rtp(1100))
    assert b.recv.unprotect_rtp(newest) == rtp(1100)  # type: ignore[arg-type]
    assert b.recv.unprotect_rtp(old) is None  # type: ignore[arg-type]
    assert b.recv.replay_failures == 1


@pytest.mark.parametrize(("suite", "length", "tag", "rtcp_overhead"), SUITES, ids=SUITE_IDS)
def test_retransmission_allowed_on_send(
    suite: str, length: int, tag: int, rtcp_overhead: int
) -> None:
    # mediasoup's allow_repeat_tx: a packet sent again with the same sequence number.
    a, _b = pair(suite, length)
    assert a.send.protect_rtp(rtp(5)) == a.send.protect_rtp(rtp(5))
    assert a.send.errors == 0


@pytest.mark.parametrize(("suite", "length", "tag", "rtcp_overhead"), SUITES, ids=SUITE_IDS)
def test_oversize_is_none_and_counted(
    suite: str, length: int, tag: int, rtcp_overhead: int
) -> None:
    a, b = pair(suite, length)
    assert a.send.protect_rtp(rtp(1, payload_size=1300)) is not None  # 1312 bytes: fine
    assert a.send.protect_rtp(rtp(2, payload_size=1400)) is None
    assert a.send.protect_rtcp(rtcp_rr() + bytes(1400)) is None
    assert a.send.too_long == 2
    assert b.recv.unprotect_rtp(rtp(3, payload_size=1600)) is None
    assert b.recv.too_long == 1


@pytest.mark.parametrize(("suite", "length", "tag", "rtcp_overhead"), SUITES, ids=SUITE_IDS)
@pytest.mark.parametrize("data", [b"", b"\x80", b"\x80\x6f\x00\x01", rtp(1)[:12]])
def test_short_garbage_is_none(
    suite: str, length: int, tag: int, rtcp_overhead: int, data: bytes
) -> None:
    _a, b = pair(suite, length)
    assert b.recv.unprotect_rtp(data) is None
    assert b.recv.unprotect_rtcp(data) is None
    assert b.recv.errors == 2


def test_not_bytes_is_none_and_counted() -> None:
    a, _b = pair(AES_CM_128_HMAC_SHA1_80, 30)
    assert a.send.protect_rtp(bytearray(rtp(1))) is None  # type: ignore[arg-type]
    assert a.send.other_failures == 1


def test_wrong_key_fails_authentication() -> None:
    sender = SrtpSession(OUTBOUND, AES_CM_128_HMAC_SHA1_80, key(30, 1))
    receiver = SrtpSession(INBOUND, AES_CM_128_HMAC_SHA1_80, key(30, 9))
    assert receiver.unprotect_rtp(sender.protect_rtp(rtp(1))) is None  # type: ignore[arg-type]
    assert receiver.auth_failures == 1


def test_suite_mismatch_fails() -> None:
    sender = SrtpSession(OUTBOUND, AES_CM_128_HMAC_SHA1_80, key(30, 1))
    receiver = SrtpSession(INBOUND, AES_CM_128_HMAC_SHA1_32, key(30, 1))
    assert receiver.unprotect_rtp(sender.protect_rtp(rtp(1))) is None  # type: ignore[arg-type]
    assert receiver.errors == 1


def test_remove_stream_resets_the_replay_state() -> None:
    a, b = pair(AES_CM_128_HMAC_SHA1_80, 30)
    protected = a.send.protect_rtp(rtp(1))
    assert protected is not None
    assert b.recv.unprotect_rtp(protected) == rtp(1)
    b.recv.remove_stream(0x11223344)
    assert b.recv.unprotect_rtp(protected) == rtp(1)  # a new stream: not a replay any more
    b.recv.remove_stream(0xDEADBEEF)  # unknown SSRC: nothing happens
    a.send.remove_stream(0x11223344)
    assert b.recv.errors == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((OUTBOUND, "AES_CM_256_HMAC_SHA1_80", bytes(30)), "unsupported SRTP crypto suite"),
        ((OUTBOUND, AES_CM_128_HMAC_SHA1_80, bytes(29)), "needs a 30-byte"),
        ((OUTBOUND, AEAD_AES_128_GCM, bytes(30)), "needs a 28-byte"),
        ((INBOUND, AEAD_AES_256_GCM, bytes(30)), "needs a 44-byte"),
        (("both", AES_CM_128_HMAC_SHA1_80, bytes(30)), "session type"),
    ],
)
def test_local_misuse_raises(args: tuple[str, str, bytes], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SrtpSession(*args)
