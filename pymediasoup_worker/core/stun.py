"""STUN messages as mediasoup's RTC::StunPacket needs them (RFC 5389, ICE attributes of RFC 8445).

Sans-IO: ``parse(data)`` turns one datagram (or one RFC 4571 frame) into a ``StunPacket`` or
raises ``ValueError`` for anything malformed (the caller counts and drops it);
``bytes(packet)`` serializes one. ``is_stun(data)`` is the cheap first-byte + magic-cookie test
used to demultiplex (RFC 7983).

Behaviour follows mediasoup 3.7:

* parsing rejects a length field that does not match the datagram, attributes that overrun
  the message, anything after FINGERPRINT, anything but FINGERPRINT after MESSAGE-INTEGRITY,
  wrongly sized ICE attributes, and a FINGERPRINT whose CRC32 does not match (such a datagram
  is, per RFC 5389 section 8, not STUN at all); unknown attributes are skipped;
* ``check_authentication(local_ufrag, local_password)`` answers OK / UNAUTHORIZED /
  BAD_REQUEST: USERNAME must begin with ``<local ufrag>:``, MESSAGE-INTEGRITY must be the
  HMAC-SHA1 of the message with our password (short-term credentials);
* a success response to a Binding request carries XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and
  FINGERPRINT; an error response carries ERROR-CODE (no reason phrase) and FINGERPRINT only.

``hmac`` (with ``hashlib``/OpenSSL, ~20 ms) and ``ipaddress`` (~8 ms) are imported on first
use, not at module import: the worker's transports import this module at start-up, and a
worker sees its first STUN packet long after that (if ever).
"""

from __future__ import annotations

from binascii import crc32
from enum import IntEnum
from struct import pack, pack_into, unpack_from
from typing import Any

MAGIC_COOKIE = 0x2112A442
MAGIC_COOKIE_BYTES = b"\x21\x12\xa4\x42"
FINGERPRINT_XOR = 0x5354554E
HEADER_LENGTH = 20


class StunClass(IntEnum):
    REQUEST = 0
    INDICATION = 1
    SUCCESS_RESPONSE = 2
    ERROR_RESPONSE = 3


class StunMethod(IntEnum):
    BINDING = 1


class Attribute(IntEnum):
    MAPPED_ADDRESS = 0x0001
    USERNAME = 0x0006
    MESSAGE_INTEGRITY = 0x0008
    ERROR_CODE = 0x0009
    UNKNOWN_ATTRIBUTES = 0x000A
    REALM = 0x0014
    NONCE = 0x0015
    XOR_MAPPED_ADDRESS = 0x0020
    PRIORITY = 0x0024
    USE_CANDIDATE = 0x0025
    SOFTWARE = 0x8022
    ALTERNATE_SERVER = 0x8023
    FINGERPRINT = 0x8028
    ICE_CONTROLLED = 0x8029
    ICE_CONTROLLING = 0x802A
    # draft-thatcher-ice-renomination: sent by libwebrtc when renomination is negotiated.
    NOMINATION = 0xC001


class Authentication(IntEnum):
    OK = 0
    UNAUTHORIZED = 1
    BAD_REQUEST = 2


# Fixed value sizes; a received attribute of another size makes the message garbage.
_FIXED_SIZES: dict[int, int] = {
    Attribute.PRIORITY: 4,
    Attribute.ICE_CONTROLLING: 8,
    Attribute.ICE_CONTROLLED: 8,
    Attribute.USE_CANDIDATE: 0,
    Attribute.MESSAGE_INTEGRITY: 20,
    Attribute.FINGERPRINT: 4,
    Attribute.NOMINATION: 4,
}

# Plain ints for the parse loop (comparing with IntEnum members is several times slower).
_USERNAME = int(Attribute.USERNAME)
_PRIORITY = int(Attribute.PRIORITY)
_ICE_CONTROLLING = int(Attribute.ICE_CONTROLLING)
_ICE_CONTROLLED = int(Attribute.ICE_CONTROLLED)
_USE_CANDIDATE = int(Attribute.USE_CANDIDATE)
_NOMINATION = int(Attribute.NOMINATION)
_MESSAGE_INTEGRITY = int(Attribute.MESSAGE_INTEGRITY)
_FINGERPRINT = int(Attribute.FINGERPRINT)
_ERROR_CODE = int(Attribute.ERROR_CODE)
_XOR_MAPPED_ADDRESS = int(Attribute.XOR_MAPPED_ADDRESS)


_FAMILY_IPV4 = 0x01
_FAMILY_IPV6 = 0x02


def is_stun(data: bytes) -> bool:
    """A STUN message by RFC 7983's first-byte range [0..3] and the magic cookie.

    mediasoup 3.7 takes only [0..2]; a first byte of 3 (a method above 0x37F, never Binding)
    then reaches ``parse()`` and, for a request, a 400 instead of being silently ignored.
    """
    return len(data) >= HEADER_LENGTH and data[0] < 4 and data[4:8] == MAGIC_COOKIE_BYTES


def _pad4(n: int) -> int:
    return (n + 3) & ~3


def _hmac_sha1(key: bytes, data: bytes) -> bytes:
    import hmac  # first use only: see the module docstring

    return hmac.digest(key, data, "sha1")


def _integrity_of(data: bytes, mi_offset: int, key: bytes) -> bytes:
    """HMAC-SHA1 of ``data`` up to the MESSAGE-INTEGRITY attribute at ``mi_offset``, the
    header's length field counting up to the end of that attribute (RFC 5389 15.4)."""
    head = data[:2] + pack("!H", mi_offset - HEADER_LENGTH + 24) + data[4:mi_offset]
    return _hmac_sha1(key, head)


def _xor_address(ip: str, port: int, transaction_id: bytes) -> bytes:
    """XOR-MAPPED-ADDRESS value for ``(ip, port)`` (RFC 5389 15.2)."""
    xport = port ^ (MAGIC_COOKIE >> 16)
    if ":" in ip:
        import ipaddress  # first use only

        raw = ipaddress.IPv6Address(ip).packed
        pad = MAGIC_COOKIE_BYTES + transaction_id
        xored = bytes(a ^ b for a, b in zip(raw, pad, strict=True))
        return pack("!BBH", 0, _FAMILY_IPV6, xport) + xored
    parts = ip.split(".")
    if len(parts) != 4:
        raise ValueError(f"not an IP address: {ip!r}")
    (addr,) = unpack_from("!I", bytes(int(p) for p in parts))
    return pack("!BBHI", 0, _FAMILY_IPV4, xport, addr ^ MAGIC_COOKIE)


def _parse_xor_address(value: bytes, transaction_id: bytes) -> tuple[str, int]:
    if len(value) < 4:
        raise ValueError("XOR-MAPPED-ADDRESS too short")
    family = value[1]
    port = unpack_from("!H", value, 2)[0] ^ (MAGIC_COOKIE >> 16)
    if family == _FAMILY_IPV4 and len(value) == 8:
        (addr,) = unpack_from("!I", value, 4)
        addr ^= MAGIC_COOKIE
        return f"{addr >> 24}.{(addr >> 16) & 0xFF}.{(addr >> 8) & 0xFF}.{addr & 0xFF}", port
    if family == _FAMILY_IPV6 and len(value) == 20:
        import ipaddress  # first use only

        pad = MAGIC_COOKIE_BYTES + transaction_id
        raw = bytes(a ^ b for a, b in zip(value[4:20], pad, strict=True))
        return str(ipaddress.IPv6Address(raw)), port
    raise ValueError(f"XOR-MAPPED-ADDRESS with family {family} and length {len(value)}")


class StunPacket:
    """One STUN message: a parsed one (``data`` holds the received bytes) or one to send.

    Absent attributes are ``None`` (``username`` is ``""``, ``use_candidate`` ``False``).
    ``password``, set by ``authenticate()``, makes ``bytes()`` add MESSAGE-INTEGRITY.
    """

    __slots__ = (
        "klass", "method", "transaction_id", "data", "username", "priority", "ice_controlling",
        "ice_controlled", "use_candidate", "nomination", "xor_mapped_address", "error_code",
        "error_reason", "message_integrity", "has_fingerprint", "fingerprint_valid", "password",
        "_mi_offset",
    )  # fmt: skip

    def __init__(
        self,
        klass: StunClass,
        method: int = StunMethod.BINDING,
        transaction_id: bytes = bytes(12),
        **attributes: Any,
    ) -> None:
        if len(transaction_id) != 12:
            raise ValueError("a STUN transaction id is 12 bytes")
        self.klass = klass
        self.method = method
        self.transaction_id = transaction_id
        self.data: bytes | None = None
        self.username = ""
        self.priority: int | None = None
        self.ice_controlling: int | None = None
        self.ice_controlled: int | None = None
        self.use_candidate = False
        self.nomination: int | None = None
        self.xor_mapped_address: tuple[str, int] | None = None
        self.error_code: int | None = None
        self.error_reason = ""
        self.message_integrity: bytes | None = None
        self.has_fingerprint = False
        self.fingerprint_valid = False
        self.password = ""
        self._mi_offset = 0
        for name, value in attributes.items():
            if name.startswith("_") or name in ("data", "klass", "method", "transaction_id"):
                raise TypeError(f"unexpected attribute {name!r}")
            setattr(self, name, value)

    def __repr__(self) -> str:
        fields = [f"{self.klass.name}", f"method={self.method:#x}", self.transaction_id.hex()]
        for name in ("username", "priority", "ice_controlling", "ice_controlled", "nomination",
                     "xor_mapped_address", "error_code"):  # fmt: skip
            value = getattr(self, name)
            if value not in (None, ""):
                fields.append(f"{name}={value!r}")
        if self.use_candidate:
            fields.append("use_candidate")
        if self.message_integrity is not None:
            fields.append("message_integrity")
        if self.has_fingerprint:
            fields.append("fingerprint")
        return f"StunPacket({', '.join(fields)})"

    # --- authentication ---

    def check_message_integrity(self, password: str) -> bool:
        """Whether the received MESSAGE-INTEGRITY is the HMAC-SHA1 with ``password``."""
        if self.message_integrity is None or self.data is None:
            return False
        import hmac  # first use only

        expected = _integrity_of(self.data, self._mi_offset, password.encode())
        return hmac.compare_digest(expected, self.message_integrity)

    def check_authentication(self, local_ufrag: str, local_password: str) -> Authentication:
        """Short-term credential check of a received request or indication, as mediasoup.

        BAD_REQUEST: a response, no USERNAME or no MESSAGE-INTEGRITY, or a FINGERPRINT that
        does not match (only reachable with ``parse(..., check_fingerprint=False)``).
        UNAUTHORIZED: USERNAME does not begin with ``<local_ufrag>:``, or the HMAC differs.
        """
        if self.klass not in (StunClass.REQUEST, StunClass.INDICATION):
            return Authentication.BAD_REQUEST
        if self.message_integrity is None or not self.username:
            return Authentication.BAD_REQUEST
        if self.has_fingerprint and not self.fingerprint_valid:
            return Authentication.BAD_REQUEST
        if not self.username.startswith(local_ufrag + ":"):
            return Authentication.UNAUTHORIZED
        if not self.check_message_integrity(local_password):
            return Authentication.UNAUTHORIZED
        return Authentication.OK

    # --- responses ---

    def create_success_response(self) -> StunPacket:
        if self.klass != StunClass.REQUEST:
            raise ValueError("a success response answers a request")
        return StunPacket(StunClass.SUCCESS_RESPONSE, self.method, self.transaction_id)

    def create_error_response(self, error_code: int) -> StunPacket:
        if self.klass != StunClass.REQUEST:
            raise ValueError("an error response answers a request")
        if not 300 <= error_code <= 699:
            raise ValueError(f"STUN error codes are 300..699, not {error_code}")
        response = StunPacket(StunClass.ERROR_RESPONSE, self.method, self.transaction_id)
        response.error_code = error_code
        return response

    def authenticate(self, password: str) -> None:
        """Have ``bytes()`` add MESSAGE-INTEGRITY keyed with ``password``."""
        if self.klass == StunClass.ERROR_RESPONSE:
            raise ValueError("mediasoup sends error responses without MESSAGE-INTEGRITY")
        self.password = password

    # --- serialization ---

    def serialize(self, fingerprint: bool = True) -> bytes:
        """The message on the wire, attributes in mediasoup's order; zero padding.

        MESSAGE-INTEGRITY is added when ``authenticate()`` gave a password, FINGERPRINT unless
        ``fingerprint`` is false (mediasoup always adds it).
        """
        body = bytearray()

        def add(attr_type: int, value: bytes) -> None:
            body.extend(pack("!HH", attr_type, len(value)))
            body.extend(value)
            body.extend(bytes(_pad4(len(value)) - len(value)))

        if self.username:
            add(Attribute.USERNAME, self.username.encode("utf-8", "surrogateescape"))
        if self.priority is not None:
            add(Attribute.PRIORITY, pack("!I", self.priority))
        if self.ice_controlling is not None:
            add(Attribute.ICE_CONTROLLING, pack("!Q", self.ice_controlling))
        if self.ice_controlled is not None:
            add(Attribute.ICE_CONTROLLED, pack("!Q", self.ice_controlled))
        if self.use_candidate:
            add(Attribute.USE_CANDIDATE, b"")
        if self.nomination is not None:
            add(Attribute.NOMINATION, pack("!I", self.nomination & 0xFFFFFF))
        if self.xor_mapped_address is not None:
            ip, port = self.xor_mapped_address
            add(Attribute.XOR_MAPPED_ADDRESS, _xor_address(ip, port, self.transaction_id))
        if self.error_code is not None:
            code = self.error_code
            reason = self.error_reason.encode()
            add(Attribute.ERROR_CODE, pack("!HBB", 0, code // 100, code % 100) + reason)

        method = int(self.method)
        klass = int(self.klass)
        msg_type = (
            ((method & 0x0F80) << 2) | ((method & 0x0070) << 1) | (method & 0x000F)
            | ((klass & 0x02) << 7) | ((klass & 0x01) << 4)
        )  # fmt: skip
        data = bytearray(pack("!HHI", msg_type, len(body), MAGIC_COOKIE))
        data += self.transaction_id
        data += body

        if self.password:
            # The length field counts up to the end of MESSAGE-INTEGRITY while hashing.
            pack_into("!H", data, 2, len(data) - HEADER_LENGTH + 24)
            mac = _hmac_sha1(self.password.encode(), bytes(data))
            data += pack("!HH", Attribute.MESSAGE_INTEGRITY, 20) + mac
        if fingerprint:
            pack_into("!H", data, 2, len(data) - HEADER_LENGTH + 8)
            value = crc32(data) ^ FINGERPRINT_XOR
            data += pack("!HHI", Attribute.FINGERPRINT, 4, value)
        pack_into("!H", data, 2, len(data) - HEADER_LENGTH)
        return bytes(data)

    def __bytes__(self) -> bytes:
        return self.serialize()


def parse(data: bytes, *, check_fingerprint: bool = True) -> StunPacket:
    """Parse one STUN message; ``ValueError`` if it is malformed.

    With ``check_fingerprint`` false a FINGERPRINT mismatch is only recorded
    (``fingerprint_valid``) instead of raising; ``check_authentication()`` then answers
    BAD_REQUEST.
    """
    data = bytes(data)
    size = len(data)
    if not is_stun(data):
        raise ValueError("not a STUN message")
    msg_type, msg_length = unpack_from("!HH", data, 0)
    if msg_length != size - HEADER_LENGTH or msg_length & 0x03:
        raise ValueError("STUN length field does not match the size or is not a multiple of 4")

    method = (msg_type & 0x000F) | ((msg_type & 0x00E0) >> 1) | ((msg_type & 0x3E00) >> 2)
    klass = StunClass(((msg_type >> 7) & 0x02) | ((msg_type >> 4) & 0x01))
    packet = StunPacket(klass, method, data[8:20])
    packet.data = data

    pos = HEADER_LENGTH
    has_mi = False
    fingerprint_pos = -1
    fingerprint = 0
    while pos + 4 <= size:
        attr_type, attr_length = unpack_from("!HH", data, pos)
        start = pos + 4
        end = start + attr_length
        if end > size:
            raise ValueError("STUN attribute overruns the message")
        if fingerprint_pos >= 0:
            raise ValueError("STUN attribute after FINGERPRINT")
        if has_mi and attr_type != _FINGERPRINT:
            raise ValueError("STUN attribute other than FINGERPRINT after MESSAGE-INTEGRITY")
        expected = _FIXED_SIZES.get(attr_type)
        if expected is not None and attr_length != expected:
            raise ValueError(f"STUN attribute {attr_type:#06x} of length {attr_length}")

        if attr_type == _USERNAME:
            packet.username = data[start:end].decode("utf-8", "surrogateescape")
        elif attr_type == _PRIORITY:
            (packet.priority,) = unpack_from("!I", data, start)
        elif attr_type == _ICE_CONTROLLING:
            (packet.ice_controlling,) = unpack_from("!Q", data, start)
        elif attr_type == _ICE_CONTROLLED:
            (packet.ice_controlled,) = unpack_from("!Q", data, start)
        elif attr_type == _USE_CANDIDATE:
            packet.use_candidate = True
        elif attr_type == _NOMINATION:
            packet.nomination = unpack_from("!I", data, start)[0] & 0xFFFFFF
        elif attr_type == _MESSAGE_INTEGRITY:
            has_mi = True
            packet.message_integrity = data[start:end]
            packet._mi_offset = pos
        elif attr_type == _FINGERPRINT:
            fingerprint_pos = pos
            (fingerprint,) = unpack_from("!I", data, start)
            packet.has_fingerprint = True
        elif attr_type == _ERROR_CODE:
            if attr_length < 4:
                raise ValueError("STUN ERROR-CODE shorter than 4 bytes")
            packet.error_code = (data[start + 2] & 0x07) * 100 + data[start + 3]
            packet.error_reason = data[start + 4 : end].decode("utf-8", "replace")
        elif attr_type == _XOR_MAPPED_ADDRESS:
            packet.xor_mapped_address = _parse_xor_address(data[start:end], packet.transaction_id)
        pos = _pad4(end)

    if pos != size:
        raise ValueError("STUN attributes do not fill the message")

    if fingerprint_pos >= 0:
        packet.fingerprint_valid = (crc32(data[:fingerprint_pos]) ^ FINGERPRINT_XOR) == fingerprint
        if check_fingerprint and not packet.fingerprint_valid:
            raise ValueError("STUN FINGERPRINT does not match")
    return packet
