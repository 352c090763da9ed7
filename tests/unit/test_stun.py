"""STUN codec: RFC 5769 vectors, round trips, garbage rows, authentication rows, aioice interop."""

from __future__ import annotations

import struct
from binascii import crc32

import pytest

from pymediasoup_worker.core.stun import (
    FINGERPRINT_XOR,
    Attribute,
    Authentication,
    StunClass,
    StunPacket,
    is_stun,
    parse,
)

TXID = bytes.fromhex("b7e7a701bc34d686fa87dfae")
RFC_PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt"

# RFC 5769 section 2.1, Sample Request (USERNAME "evtj:h6vY", padded with spaces as the RFC).
RFC5769_REQUEST = bytes.fromhex(
    "00010058" "2112a442" "b7e7a701" "bc34d686" "fa87dfae"
    "80220010" "5354554e" "20746573" "7420636c" "69656e74"  # SOFTWARE "STUN test client"
    "00240004" "6e0001ff"  # PRIORITY
    "80290008" "932ff9b1" "51263b36"  # ICE-CONTROLLED
    "00060009" "6576746a" "3a683676" "59202020"  # USERNAME
    "00080014" "9aeaa70c" "bfd8cb56" "781ef2b5" "b2d3f249" "c1b571a2"  # MESSAGE-INTEGRITY
    "80280004" "e57a3bcf"  # FINGERPRINT
)  # fmt: skip

# RFC 5769 section 2.2, Sample IPv4 Response: 192.0.2.1 port 32853.
RFC5769_XOR_V4 = bytes.fromhex("00200008" "0001a147" "e112a643")  # fmt: skip
RFC5769_RESPONSE_V4 = bytes.fromhex(
    "0101003c" "2112a442" "b7e7a701" "bc34d686" "fa87dfae"
    "8022000b" "74657374" "20766563" "746f7220"  # SOFTWARE "test vector"
) + RFC5769_XOR_V4 + bytes.fromhex(
    "00080014" "2b91f599" "fd9e90c3" "8c7489f9" "2af9ba53" "f06be7d7"
    "80280004" "c07d4c96"
)  # fmt: skip

# RFC 5769 section 2.3, Sample IPv6 Response: 2001:db8:1234:5678:11:2233:4455:6677 port 32853.
RFC5769_XOR_V6 = bytes.fromhex(
    "00200014" "0002a147" "0113a9fa" "a5d3f179" "bc25f4b5" "bed2b9d9"
)  # fmt: skip
RFC5769_RESPONSE_V6 = bytes.fromhex(
    "01010048" "2112a442" "b7e7a701" "bc34d686" "fa87dfae"
    "8022000b" "74657374" "20766563" "746f7220"
) + RFC5769_XOR_V6 + bytes.fromhex(
    "00080014" "a382954e" "4be67bf1" "1784c97c" "8292c275" "bfe3ed41"
    "80280004" "c8fb0b4c"
)  # fmt: skip

V6_ADDR = ("2001:db8:1234:5678:11:2233:4455:6677", 32853)


def raw(msg_type: int, attrs: list[tuple[int, bytes]], length: int | None = None) -> bytes:
    """A STUN message assembled by hand: zero padding, no MESSAGE-INTEGRITY/FINGERPRINT math."""
    body = b""
    for attr_type, value in attrs:
        body += struct.pack("!HH", attr_type, len(value)) + value + bytes(-len(value) % 4)
    if length is None:
        length = len(body)
    return struct.pack("!HHI", msg_type, length, 0x2112A442) + TXID + body


def with_fingerprint(msg: bytes, value: int | None = None) -> bytes:
    """``msg`` with a FINGERPRINT appended (correct unless ``value`` is given)."""
    grown = msg[:2] + struct.pack("!H", len(msg) - 20 + 8) + msg[4:]
    if value is None:
        value = crc32(grown) ^ FINGERPRINT_XOR
    return grown + struct.pack("!HHI", Attribute.FINGERPRINT, 4, value)


def request(
    username: str = "LOCAL:remote",
    password: str = "local-password-0123456789",
    fingerprint: bool = True,
    **attributes: object,
) -> bytes:
    attributes.setdefault("priority", 0x6E0001FF)
    packet = StunPacket(StunClass.REQUEST, transaction_id=TXID, username=username, **attributes)
    if password:
        packet.authenticate(password)
    return packet.serialize(fingerprint=fingerprint)


# --- is_stun ---------------------------------------------------------------------------------

IS_STUN_ROWS = {
    "RFC 5769 request": (RFC5769_REQUEST, True),
    "RFC 5769 response": (RFC5769_RESPONSE_V4, True),
    "bare header": (raw(0x0001, []), True),
    "first byte 3 (RFC 7983 range)": (b"\x03" + raw(0x0001, [])[1:], True),
    "first byte 4": (b"\x04" + raw(0x0001, [])[1:], False),
    "DTLS record": (b"\x16\xfe\xfd" + bytes(30), False),
    "RTP": (b"\x80\x60" + bytes(30), False),
    "wrong cookie": (raw(0x0001, [])[:4] + b"\x21\x12\xa4\x43" + raw(0x0001, [])[8:], False),
    "19 bytes": (raw(0x0001, [])[:19], False),
    "empty": (b"", False),
}


@pytest.mark.parametrize("data, expected", IS_STUN_ROWS.values(), ids=IS_STUN_ROWS.keys())
def test_is_stun(data: bytes, expected: bool) -> None:
    assert is_stun(data) is expected


# --- RFC 5769 test vectors -------------------------------------------------------------------


def test_rfc5769_request() -> None:
    packet = parse(RFC5769_REQUEST)
    assert packet.klass == StunClass.REQUEST
    assert packet.method == 1
    assert packet.transaction_id == TXID
    assert packet.username == "evtj:h6vY"
    assert packet.priority == 0x6E0001FF
    assert packet.ice_controlled == 0x932FF9B151263B36
    assert packet.ice_controlling is None
    assert packet.has_fingerprint and packet.fingerprint_valid
    assert packet.check_message_integrity(RFC_PASSWORD)
    assert not packet.check_message_integrity(RFC_PASSWORD + "x")
    assert packet.check_authentication("evtj", RFC_PASSWORD) == Authentication.OK
    assert packet.check_authentication("h6vY", RFC_PASSWORD) == Authentication.UNAUTHORIZED


@pytest.mark.parametrize(
    "data, addr, xor_attr",
    [
        (RFC5769_RESPONSE_V4, ("192.0.2.1", 32853), RFC5769_XOR_V4),
        (RFC5769_RESPONSE_V6, V6_ADDR, RFC5769_XOR_V6),
    ],
    ids=["IPv4", "IPv6"],
)
def test_rfc5769_responses(data: bytes, addr: tuple[str, int], xor_attr: bytes) -> None:
    packet = parse(data)
    assert packet.klass == StunClass.SUCCESS_RESPONSE
    assert packet.xor_mapped_address == addr
    assert packet.fingerprint_valid
    assert packet.check_message_integrity(RFC_PASSWORD)
    # Responses cannot be authenticated as requests (mediasoup).
    assert packet.check_authentication("evtj", RFC_PASSWORD) == Authentication.BAD_REQUEST

    # Our own success response for the same transaction: the XOR-MAPPED-ADDRESS attribute is
    # byte for byte the RFC's, and MESSAGE-INTEGRITY and FINGERPRINT verify.
    ours = StunPacket(StunClass.SUCCESS_RESPONSE, transaction_id=TXID, xor_mapped_address=addr)
    ours.authenticate(RFC_PASSWORD)
    out = bytes(ours)
    assert out[20 : 20 + len(xor_attr)] == xor_attr
    again = parse(out)
    assert again.xor_mapped_address == addr
    assert again.check_message_integrity(RFC_PASSWORD)
    assert len(out) == 20 + len(xor_attr) + 24 + 8


def test_rfc5769_request_tampered() -> None:
    # A flipped padding byte is covered by both MESSAGE-INTEGRITY and FINGERPRINT.
    tampered = bytearray(RFC5769_REQUEST)
    tampered[75] ^= 0x01
    with pytest.raises(ValueError, match="FINGERPRINT"):
        parse(bytes(tampered))
    packet = parse(bytes(tampered), check_fingerprint=False)
    assert not packet.fingerprint_valid
    assert not packet.check_message_integrity(RFC_PASSWORD)
    assert packet.check_authentication("evtj", RFC_PASSWORD) == Authentication.BAD_REQUEST


# --- round trips -----------------------------------------------------------------------------

FIELDS = (
    "klass", "method", "transaction_id", "username", "priority", "ice_controlling",
    "ice_controlled", "use_candidate", "nomination", "xor_mapped_address", "error_code",
    "error_reason",
)  # fmt: skip

ROUND_TRIP_ROWS: dict[str, tuple[StunClass, dict[str, object], str]] = {
    "empty request": (StunClass.REQUEST, {}, ""),
    "ICE check, controlling, nominating": (
        StunClass.REQUEST,
        {"username": "abcd:efgh", "priority": 1853824767,
         "ice_controlling": 0x0123456789ABCDEF, "use_candidate": True},
        "pw",
    ),  # fmt: skip
    "ICE check, controlled": (
        StunClass.REQUEST,
        {"username": "a:b", "priority": 1, "ice_controlled": 2**64 - 1},
        "pw",
    ),
    "tie breaker 0": (StunClass.REQUEST, {"username": "a:b", "ice_controlling": 0}, ""),
    "renomination": (StunClass.REQUEST, {"username": "a:b", "nomination": 0xABCDEF}, "pw"),
    "username needing padding": (StunClass.REQUEST, {"username": "x" * 13}, "pw"),
    "non-UTF-8 username kept": (StunClass.REQUEST, {"username": "ab\udcff:c"}, ""),
    "indication": (StunClass.INDICATION, {}, ""),
    "success IPv4": (
        StunClass.SUCCESS_RESPONSE, {"xor_mapped_address": ("203.0.113.9", 65535)}, "pw"
    ),
    "success IPv6": (StunClass.SUCCESS_RESPONSE, {"xor_mapped_address": ("::1", 1)}, "pw"),
    "success IPv4 port 0": (
        StunClass.SUCCESS_RESPONSE, {"xor_mapped_address": ("0.0.0.0", 0)}, ""
    ),
    "error 400": (StunClass.ERROR_RESPONSE, {"error_code": 400}, ""),
    "error 487 with reason": (
        StunClass.ERROR_RESPONSE, {"error_code": 487, "error_reason": "Role Conflict"}, ""
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    "klass, attrs, password", ROUND_TRIP_ROWS.values(), ids=ROUND_TRIP_ROWS.keys()
)
def test_round_trip(klass: StunClass, attrs: dict[str, object], password: str) -> None:
    packet = StunPacket(klass, transaction_id=TXID, **attrs)
    if password:
        packet.authenticate(password)
    data = bytes(packet)
    assert len(data) % 4 == 0
    parsed = parse(data)
    for name in FIELDS:
        assert getattr(parsed, name) == getattr(packet, name), name
    assert parsed.has_fingerprint and parsed.fingerprint_valid
    assert (parsed.message_integrity is not None) == bool(password)
    if password:
        assert parsed.check_message_integrity(password)
    # Serializing what was parsed gives the same bytes.
    if password:
        parsed.authenticate(password)
    assert bytes(parsed) == data


def test_unknown_attributes_are_skipped() -> None:
    data = with_fingerprint(
        raw(0x0001, [(Attribute.SOFTWARE, b"pion"), (0x7FFF, b"\x01\x02\x03"),
                     (Attribute.USERNAME, b"a:b"), (Attribute.PRIORITY, b"\x00\x00\x00\x07")])
    )  # fmt: skip
    packet = parse(data)
    assert (packet.username, packet.priority) == ("a:b", 7)


# --- error responses as mediasoup sends them -------------------------------------------------

ERROR_ROWS = {"400": (400, 4, 0), "401": (401, 4, 1), "487": (487, 4, 87)}


@pytest.mark.parametrize("code, klass, number", ERROR_ROWS.values(), ids=ERROR_ROWS.keys())
def test_error_response_bytes(code: int, klass: int, number: int) -> None:
    req = parse(request())
    data = bytes(req.create_error_response(code))
    # Binding error response, ERROR-CODE without reason phrase, FINGERPRINT, no MI.
    expected = with_fingerprint(raw(0x0111, [(Attribute.ERROR_CODE, bytes([0, 0, klass, number]))]))
    assert data == expected
    assert parse(data).error_code == code


def test_success_response_bytes() -> None:
    req = parse(request())
    response = req.create_success_response()
    response.xor_mapped_address = ("192.0.2.1", 32853)
    response.authenticate("pw")
    data = bytes(response)
    assert data[:2] == b"\x01\x01" and data[8:20] == TXID
    assert data[20:32] == RFC5769_XOR_V4
    assert data[32:36] == b"\x00\x08\x00\x14" and data[56:60] == b"\x80\x28\x00\x04"
    assert parse(data).check_message_integrity("pw")


LOCAL_MISUSE_ROWS = {
    "success response to a response": (
        lambda: StunPacket(StunClass.SUCCESS_RESPONSE).create_success_response()
    ),
    "error response to an indication": (
        lambda: StunPacket(StunClass.INDICATION).create_error_response(400)
    ),
    "error code out of range": lambda: StunPacket(StunClass.REQUEST).create_error_response(200),
    "authenticated error response": (
        lambda: StunPacket(StunClass.ERROR_RESPONSE).authenticate("pw")
    ),
    "short transaction id": lambda: StunPacket(StunClass.REQUEST, transaction_id=b"abc"),
    "bad IPv4 address": (
        lambda: bytes(StunPacket(StunClass.SUCCESS_RESPONSE, xor_mapped_address=("1.2.3", 1)))
    ),
}


@pytest.mark.parametrize("call", LOCAL_MISUSE_ROWS.values(), ids=LOCAL_MISUSE_ROWS.keys())
def test_local_misuse_raises(call) -> None:
    with pytest.raises(ValueError):
        call()


# --- garbage ---------------------------------------------------------------------------------

GOOD = raw(0x0001, [(Attribute.USERNAME, b"a:b")])
PRIO = (Attribute.PRIORITY, b"\x00\x00\x00\x01")
MI = (Attribute.MESSAGE_INTEGRITY, bytes(20))
FP = (Attribute.FINGERPRINT, bytes(4))

GARBAGE_ROWS = {
    "empty": b"",
    "header cut": GOOD[:19],
    "first byte 0x40": b"\x40" + GOOD[1:],
    "wrong cookie": GOOD[:4] + b"\x00\x00\x00\x00" + GOOD[8:],
    "length field too long": raw(0x0001, [PRIO], length=12),
    "length field too short": raw(0x0001, [PRIO], length=4),
    "length not a multiple of 4": raw(0x0001, [], length=2) + b"\x00\x00",
    "attribute overruns": raw(0x0001, [])[:2] + b"\x00\x04" + raw(0x0001, [])[4:] + b"\x00\x06\x00\x09",
    "PRIORITY of 3 bytes": raw(0x0001, [(Attribute.PRIORITY, b"\x00\x00\x01")]),
    "ICE-CONTROLLING of 4 bytes": raw(0x0001, [(Attribute.ICE_CONTROLLING, bytes(4))]),
    "ICE-CONTROLLED of 12 bytes": raw(0x0001, [(Attribute.ICE_CONTROLLED, bytes(12))]),
    "USE-CANDIDATE with a value": raw(0x0001, [(Attribute.USE_CANDIDATE, bytes(4))]),
    "MESSAGE-INTEGRITY of 16 bytes": raw(0x0001, [(Attribute.MESSAGE_INTEGRITY, bytes(16))]),
    "FINGERPRINT of 8 bytes": raw(0x0001, [(Attribute.FINGERPRINT, bytes(8))]),
    "NOMINATION of 2 bytes": raw(0x0001, [(Attribute.NOMINATION, bytes(2))]),
    "ERROR-CODE of 2 bytes": raw(0x0111, [(Attribute.ERROR_CODE, bytes(2))]),
    "XOR-MAPPED-ADDRESS family 3": raw(0x0101, [(Attribute.XOR_MAPPED_ADDRESS, b"\x00\x03" + bytes(6))]),
    "XOR-MAPPED-ADDRESS IPv4 of 20 bytes": raw(
        0x0101, [(Attribute.XOR_MAPPED_ADDRESS, b"\x00\x01" + bytes(18))]
    ),
    "XOR-MAPPED-ADDRESS IPv6 of 8 bytes": raw(
        0x0101, [(Attribute.XOR_MAPPED_ADDRESS, b"\x00\x02" + bytes(6))]
    ),
    "XOR-MAPPED-ADDRESS of 2 bytes": raw(0x0101, [(Attribute.XOR_MAPPED_ADDRESS, b"\x00\x01")]),
    "attribute after MESSAGE-INTEGRITY": raw(0x0001, [MI, PRIO]),
    "attribute after FINGERPRINT": raw(0x0001, [FP, PRIO]),
    "two FINGERPRINTs": raw(0x0001, [FP, FP]),
    "bad FINGERPRINT": with_fingerprint(GOOD, value=0x12345678),
    "RFC 5769 request cut": RFC5769_REQUEST[:-8],
}  # fmt: skip


@pytest.mark.parametrize("data", GARBAGE_ROWS.values(), ids=GARBAGE_ROWS.keys())
def test_garbage_raises_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        parse(data)


def test_fingerprint_after_message_integrity_is_allowed() -> None:
    packet = parse(with_fingerprint(raw(0x0001, [MI])))
    assert packet.message_integrity == bytes(20) and packet.fingerprint_valid


# --- authentication --------------------------------------------------------------------------

PW = "local-password-0123456789"

AUTH_ROWS: dict[str, tuple[bytes, Authentication]] = {
    "good": (request(), Authentication.OK),
    "good, no FINGERPRINT": (request(fingerprint=False), Authentication.OK),
    "good, empty remote ufrag (mediasoup only needs the colon)": (
        request(username="LOCAL:"), Authentication.OK
    ),
    "good indication": (
        (lambda p: (p.authenticate(PW), bytes(p))[1])(
            StunPacket(StunClass.INDICATION, transaction_id=TXID, username="LOCAL:r")
        ),
        Authentication.OK,
    ),
    "wrong password": (request(password="not-the-password"), Authentication.UNAUTHORIZED),
    "wrong ufrag": (request(username="OTHER:remote"), Authentication.UNAUTHORIZED),
    "ufrag is only a prefix": (request(username="LOCALX:remote"), Authentication.UNAUTHORIZED),
    "no colon": (request(username="LOCAL"), Authentication.UNAUTHORIZED),
    "remote:local order": (request(username="remote:LOCAL"), Authentication.UNAUTHORIZED),
    "missing USERNAME": (request(username=""), Authentication.BAD_REQUEST),
    "missing MESSAGE-INTEGRITY": (request(password=""), Authentication.BAD_REQUEST),
    "bad FINGERPRINT": (
        with_fingerprint(request(fingerprint=False), value=0xDEADBEEF), Authentication.BAD_REQUEST
    ),
    "a response": (
        (lambda p: (p.authenticate(PW), bytes(p))[1])(
            StunPacket(StunClass.SUCCESS_RESPONSE, transaction_id=TXID, username="LOCAL:r")
        ),
        Authentication.BAD_REQUEST,
    ),
}  # fmt: skip


@pytest.mark.parametrize("data, expected", AUTH_ROWS.values(), ids=AUTH_ROWS.keys())
def test_check_authentication(data: bytes, expected: Authentication) -> None:
    packet = parse(data, check_fingerprint=False)
    assert packet.check_authentication("LOCAL", PW) == expected


# --- interop with aioice's codec (tests only: aioice is never imported by the worker) --------

stun_lib = pytest.importorskip("aioice.stun")


def test_aioice_request_parses_and_authenticates() -> None:
    msg = stun_lib.Message(stun_lib.Method.BINDING, stun_lib.Class.REQUEST, transaction_id=TXID)
    msg.attributes["USERNAME"] = "LOCAL:remote"
    msg.attributes["PRIORITY"] = 1853824767
    msg.attributes["ICE-CONTROLLING"] = 0x1122334455667788
    msg.attributes["USE-CANDIDATE"] = None
    msg.add_message_integrity(PW.encode())
    packet = parse(bytes(msg))
    assert packet.check_authentication("LOCAL", PW) == Authentication.OK
    assert (packet.priority, packet.ice_controlling, packet.use_candidate) == (
        1853824767, 0x1122334455667788, True,
    )  # fmt: skip


@pytest.mark.parametrize("addr", [("198.51.100.20", 50000), V6_ADDR], ids=["IPv4", "IPv6"])
def test_our_success_response_is_aioice_byte_identical(addr: tuple[str, int]) -> None:
    ours = parse(request()).create_success_response()
    ours.xor_mapped_address = addr
    ours.authenticate(PW)
    theirs = stun_lib.Message(stun_lib.Method.BINDING, stun_lib.Class.RESPONSE, transaction_id=TXID)
    theirs.attributes["XOR-MAPPED-ADDRESS"] = addr
    theirs.add_message_integrity(PW.encode())
    assert bytes(ours) == bytes(theirs)
    decoded = stun_lib.parse_message(bytes(ours))
    assert decoded.check_message_integrity(PW.encode())
    assert decoded.attributes["XOR-MAPPED-ADDRESS"] == addr


def test_our_error_response_parses_in_aioice() -> None:
    decoded = stun_lib.parse_message(bytes(parse(request()).create_error_response(487)))
    assert decoded.message_class == stun_lib.Class.ERROR
    assert decoded.error_code == 487
