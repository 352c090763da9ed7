"""SRTP/SRTCP sessions over pylibsrtp (RFC 3711, RFC 7714), as mediasoup's RTC::SrtpSession.

Sans-IO: bytes in, bytes (or None) out. One ``SrtpSession`` per direction: an OUTBOUND
session protects what we send (with our local key), an INBOUND one unprotects what we
receive (with the remote key). ``SrtpSessionPair`` holds both for a transport.

Like mediasoup, a session matches any SSRC (libsrtp's ``ssrc_any_*`` templates: a
stream is made per SSRC on its first packet), uses a replay window of 1024 packets and
allows repeated sequence numbers on send (retransmissions). AES_CM_128_HMAC_SHA1_32
uses a 32-bit tag on RTP and the 80-bit one on RTCP (libsrtp's profile does the same).

A packet that cannot be processed (authentication or replay failure, too long for
pylibsrtp's 1500-byte buffer: more than ~1356 bytes to protect, or not bytes at all)
gives None and is counted in the session's counters; nothing raises into the packet
path. Bad suites or key lengths at construction are local misuse: ValueError.
"""

from __future__ import annotations

from typing import Final

from pylibsrtp import Error as _LibError
from pylibsrtp import Policy as _Policy
from pylibsrtp import Session as _Session

AES_CM_128_HMAC_SHA1_80: Final = "AES_CM_128_HMAC_SHA1_80"
AES_CM_128_HMAC_SHA1_32: Final = "AES_CM_128_HMAC_SHA1_32"
AEAD_AES_128_GCM: Final = "AEAD_AES_128_GCM"
AEAD_AES_256_GCM: Final = "AEAD_AES_256_GCM"

# Master key + master salt, in bytes (RFC 3711: 16 + 14; RFC 7714: 16 + 12, 32 + 12).
MASTER_LENGTHS: Final[dict[str, int]] = {
    AES_CM_128_HMAC_SHA1_80: 30,
    AES_CM_128_HMAC_SHA1_32: 30,
    AEAD_AES_128_GCM: 28,
    AEAD_AES_256_GCM: 44,
}

_PROFILES: Final[dict[str, int]] = {
    AES_CM_128_HMAC_SHA1_80: _Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    AES_CM_128_HMAC_SHA1_32: _Policy.SRTP_PROFILE_AES128_CM_SHA1_32,
    AEAD_AES_128_GCM: _Policy.SRTP_PROFILE_AEAD_AES_128_GCM,
    AEAD_AES_256_GCM: _Policy.SRTP_PROFILE_AEAD_AES_256_GCM,
}

REPLAY_WINDOW_SIZE: Final = 1024

INBOUND: Final = "inbound"
OUTBOUND: Final = "outbound"


class SrtpSession:
    """One direction of SRTP for every SSRC of a transport.

    Counters: ``auth_failures`` (bad tag), ``replay_failures`` (replayed or too old),
    ``too_long`` (over pylibsrtp's buffer), ``other_failures`` (any other libsrtp error,
    e.g. a packet too short to carry a tag), ``errors`` (their sum).
    """

    __slots__ = (
        "type",
        "crypto_suite",
        "_session",
        "_protect_rtp",
        "_protect_rtcp",
        "_unprotect_rtp",
        "_unprotect_rtcp",
        "auth_failures",
        "replay_failures",
        "too_long",
        "other_failures",
    )

    def __init__(self, session_type: str, crypto_suite: str, key: bytes) -> None:
        profile = _PROFILES.get(crypto_suite)
        if profile is None:
            raise ValueError(f"unsupported SRTP crypto suite {crypto_suite!r}")
        if session_type not in (INBOUND, OUTBOUND):
            raise ValueError(f"SRTP session type must be {INBOUND!r} or {OUTBOUND!r}")
        expected = MASTER_LENGTHS[crypto_suite]
        if len(key) != expected:
            raise ValueError(
                f"{crypto_suite} needs a {expected}-byte master key+salt, got {len(key)} bytes"
            )
        policy = _Policy(
            key=bytes(key),
            ssrc_type=_Policy.SSRC_ANY_INBOUND
            if session_type == INBOUND
            else _Policy.SSRC_ANY_OUTBOUND,
            srtp_profile=profile,
        )
        policy.allow_repeat_tx = True
        policy.window_size = REPLAY_WINDOW_SIZE
        self.type = session_type
        self.crypto_suite = crypto_suite
        self._session = session = _Session(policy)
        self._protect_rtp = session.protect
        self._protect_rtcp = session.protect_rtcp
        self._unprotect_rtp = session.unprotect
        self._unprotect_rtcp = session.unprotect_rtcp
        self.auth_failures = 0
        self.replay_failures = 0
        self.too_long = 0
        self.other_failures = 0

    @property
    def errors(self) -> int:
        return self.auth_failures + self.replay_failures + self.too_long + self.other_failures

    # The four operations (mediasoup's EncryptRtp, EncryptRtcp, DecryptSrtp, DecryptSrtcp).
    # Each is one C call on success; only a failure takes the slow path.

    def protect_rtp(self, data: bytes) -> bytes | None:
        """SRTP of a plain RTP packet, or None (counted)."""
        try:
            return self._protect_rtp(data)
        except Exception as error:  # noqa: BLE001 - counted, never raised into the packet path
            self._failed(error)
            return None

    def protect_rtcp(self, data: bytes) -> bytes | None:
        """SRTCP of a plain RTCP (compound) packet, or None (counted)."""
        try:
            return self._protect_rtcp(data)
        except Exception as error:  # noqa: BLE001
            self._failed(error)
            return None

    def unprotect_rtp(self, data: bytes) -> bytes | None:
        """The plain RTP packet inside an SRTP one, or None (counted)."""
        try:
            return self._unprotect_rtp(data)
        except Exception as error:  # noqa: BLE001
            self._failed(error)
            return None

    def unprotect_rtcp(self, data: bytes) -> bytes | None:
        """The plain RTCP packet inside an SRTCP one, or None (counted)."""
        try:
            return self._unprotect_rtcp(data)
        except Exception as error:  # noqa: BLE001
            self._failed(error)
            return None

    def remove_stream(self, ssrc: int) -> None:
        """Forget the stream of ``ssrc`` (its replay window, its rollover counter), if any."""
        try:
            self._session.remove_stream(ssrc)
        except (_LibError, OverflowError):
            pass  # no such stream yet: nothing to forget

    def _failed(self, error: Exception) -> None:
        if isinstance(error, _LibError):
            text = str(error)
            if text == "authentication failure":
                self.auth_failures += 1
            elif text.startswith("replay check failed"):
                self.replay_failures += 1
            else:
                self.other_failures += 1
        elif isinstance(error, ValueError):
            self.too_long += 1  # pylibsrtp: "packet is too long"
        else:
            self.other_failures += 1  # e.g. TypeError: not bytes


class SrtpSessionPair:
    """A transport's two sessions: ``send`` (local key) and ``recv`` (remote key)."""

    __slots__ = ("crypto_suite", "send", "recv")

    def __init__(self, crypto_suite: str, local_key: bytes, remote_key: bytes) -> None:
        self.crypto_suite = crypto_suite
        self.send = SrtpSession(OUTBOUND, crypto_suite, local_key)
        self.recv = SrtpSession(INBOUND, crypto_suite, remote_key)

    @property
    def errors(self) -> int:
        return self.send.errors + self.recv.errors
