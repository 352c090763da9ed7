"""DTLS-SRTP over memory BIOs, as mediasoup's RTC::DtlsTransport (sans-IO).

Entry points take bytes and ``now_ms``; what comes out is polled:

* ``run(role, remote_fingerprints, now_ms)`` starts the handshake as ``"client"`` or
  ``"server"`` (``local_role_for_remote()`` turns the remote role of ``transport.connect``
  into ours: remote ``"client"`` makes us the server, ``"server"`` or ``"auto"`` the client).
* ``receive(data, now_ms)`` takes one datagram (it may hold several DTLS records).
* ``datagrams_to_send()`` returns the datagrams to send, each at most ``mtu`` bytes unless a
  single record is larger: OpenSSL's output is drained fully and split on record boundaries.
* ``next_deadline()`` / ``handle_timer(now_ms)``: handshake retransmission.
* ``next_event()`` / ``events()``: ``DtlsStateChanged`` ("connecting", "connected",
  "failed", "closed"; "connected" carries the SRTP crypto suite, the local and remote SRTP
  master keys (key + salt) and the remote certificate in PEM) and ``DtlsApplicationData``.
* ``send_application_data(data)`` (SCTP over DTLS) and ``close()`` (sends close_notify).

As mediasoup: one SSL context per certificate (shared by the transports), no session cache
or tickets, the peer certificate required but not verified (WebRTC certificates are
self-signed; the fingerprint given by signalling is what is checked, once the handshake is
done, against the first remote fingerprint, in its own algorithm), SRTP profiles offered in
mediasoup's order, and the EXTRACTOR-dtls_srtp exporter split per RFC 5764. A remote
close_notify or fatal alert ends a connected transport as "closed", a connecting one as
"failed"; a handshake whose retransmission timeout would reach 30 s fails.

Differences forced by pyOpenSSL, or chosen:

* Versions: DTLS 1.2 only (OpenSSL here has no DTLS 1.3; mediasoup also accepts 1.0). A
  browser ClientHello offering DTLS 1.3 and 1.2 with a post-quantum hybrid key share (and
  split across two datagrams) is answered with DTLS 1.2 and an ECDHE group both support.
* MTU: 1200 bytes of ciphertext (mediasoup: 1350), with ``OP_NO_QUERY_MTU``.
* Timer: pyOpenSSL cannot set mediasoup's DTLS timer callback (100 ms doubling up to 4 s),
  so OpenSSL's own applies (1 s doubling). OpenSSL reads the wall clock, not ``now_ms``:
  when ``handle_timer`` is due by the caller's clock but OpenSSL's timer has not expired
  (virtual time in tests, or a stepped wall clock), the core resends the last flight as it
  was sent and backs off itself (doubling, failing at 30 s like mediasoup). A timer woken a
  little early (by at most ``EARLY_WAKE_SLACK_MS``) is re-armed, once, for OpenSSL's
  remaining time. Resent as they were, records keep their sequence numbers: a peer that
  already has them drops them, so a lost *last* flight (which only a retransmitted
  Finished with a new sequence number brings back) is recovered with OpenSSL's timer only,
  that is in real time.
* Received records of a content type DTLS 1.2 does not define are discarded before OpenSSL
  sees them (OpenSSL would fail the handshake on one; RFC 6347 says to discard invalid
  records); a datagram shorter than a record header is dropped (mediasoup's IsDtls()).
* Fingerprints are compared without regard to case (mediasoup: exact, uppercase).
* Application data read before the remote fingerprint is checked is dropped (mediasoup
  passes it on once the handshake is done).
* ``close()`` sends close_notify and emits no event (the owner is closing it).

pyOpenSSL and cryptography are imported on first use, never when this module is imported.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..log import logger

# Largest datagram we send (DTLS record bytes, no UDP/IP headers).
DTLS_MTU = 1200
# mediasoup fails a handshake whose next retransmission timeout would be this long (ms).
DTLS_MAX_TIMEOUT_MS = 30000
# If OpenSSL's own timer has at most this left (ms) when ours fires, ours fired early.
EARLY_WAKE_SLACK_MS = 100
# mediasoup's cipher list, less PSK and SRP key exchange (never negotiable here: no
# callbacks for them; mediasoup's "!aPSK" leaves RSA-PSK in).
CIPHER_LIST = b"DEFAULT:!NULL:!aNULL:!SHA256:!SHA384:!aECDH:!AESGCM+AES256:!aPSK:!PSK:!SRP"
SRTP_EXPORTER_LABEL = b"EXTRACTOR-dtls_srtp"

_DTLS1_2_VERSION = 0xFEFD
_RECORD_HEADER_LENGTH = 13
_READ_SIZE = 65536
# change_cipher_spec, alert, handshake, application_data
_CONTENT_TYPES = frozenset((20, 21, 22, 23))


class SrtpCryptoSuite(NamedTuple):
    name: str  # mediasoup's name
    openssl_name: str  # the use_srtp profile name in OpenSSL
    key_length: int
    salt_length: int


# mediasoup's list, in its order of preference.
SRTP_CRYPTO_SUITES: tuple[SrtpCryptoSuite, ...] = (
    SrtpCryptoSuite("AEAD_AES_256_GCM", "SRTP_AEAD_AES_256_GCM", 32, 12),
    SrtpCryptoSuite("AEAD_AES_128_GCM", "SRTP_AEAD_AES_128_GCM", 16, 12),
    SrtpCryptoSuite("AES_CM_128_HMAC_SHA1_80", "SRTP_AES128_CM_SHA1_80", 16, 14),
    SrtpCryptoSuite("AES_CM_128_HMAC_SHA1_32", "SRTP_AES128_CM_SHA1_32", 16, 14),
)
_SUITES_BY_NAME = {suite.name: suite for suite in SRTP_CRYPTO_SUITES}
_SUITES_BY_OPENSSL_NAME = {suite.openssl_name.encode(): suite for suite in SRTP_CRYPTO_SUITES}

# As rtc/dtls_certificate.py (not imported: core/ does not depend on rtc/).
FINGERPRINT_ALGORITHMS = ("sha-1", "sha-224", "sha-256", "sha-384", "sha-512")
ROLES = ("client", "server")


@dataclass(frozen=True, slots=True)
class DtlsStateChanged:
    """The DTLS state changed; "connected" carries what SRTP needs and ``dtlsRemoteCert``."""

    state: str  # "connecting" | "connected" | "failed" | "closed"
    srtp_crypto_suite: str | None = None
    srtp_local_key: bytes | None = None  # master key + master salt
    srtp_remote_key: bytes | None = None
    remote_cert: str | None = None  # PEM


@dataclass(frozen=True, slots=True)
class DtlsApplicationData:
    data: bytes


DtlsEvent = DtlsStateChanged | DtlsApplicationData


def local_role_for_remote(remote_role: str) -> str:
    """Our DTLS role from the remote one (we are ICE controlled, as mediasoup)."""
    if remote_role == "client":
        return "server"
    if remote_role in ("server", "auto"):
        return "client"
    raise ValueError(f"invalid remote DTLS role {remote_role!r}")


def split_records(buffer: bytes, mtu: int) -> list[bytes]:
    """Pack the DTLS records in ``buffer`` into datagrams of at most ``mtu`` bytes.

    Records are never cut: one larger than ``mtu`` goes alone. A truncated trailing record
    (never produced by OpenSSL) goes out as it is.
    """
    datagrams: list[bytes] = []
    total = len(buffer)
    start = pos = 0
    while pos < total:
        if total - pos < _RECORD_HEADER_LENGTH:
            end = total
        else:
            end = min(
                total, pos + _RECORD_HEADER_LENGTH + int.from_bytes(buffer[pos + 11 : pos + 13])
            )
        if end - start > mtu and pos > start:
            datagrams.append(buffer[start:pos])
            start = pos
        pos = end
    if start < total:
        datagrams.append(buffer[start:])
    return datagrams


def _known_records(data: bytes) -> bytes | None:
    """``data`` without the records of a content type DTLS 1.2 does not know (OpenSSL would
    fail the handshake on one; RFC 6347 says to discard invalid records), or None if nothing
    is left or it is shorter than a record header (mediasoup's IsDtls())."""
    total = len(data)
    if total < _RECORD_HEADER_LENGTH:
        return None
    pos = 0
    kept: list[bytes] | None = None  # built only once a record is left out
    while pos < total:
        end = total
        if total - pos >= _RECORD_HEADER_LENGTH:
            end = min(
                total, pos + _RECORD_HEADER_LENGTH + int.from_bytes(data[pos + 11 : pos + 13])
            )
        if data[pos] in _CONTENT_TYPES:
            if kept is not None:
                kept.append(data[pos:end])
        elif kept is None:
            kept = [data[:pos]]
        pos = end
    if kept is None:
        return data
    return b"".join(kept) or None


def _check_fingerprints(fingerprints: Any) -> dict[str, str]:
    """The fingerprint to check (the first one, as mediasoup); raises ValueError if malformed."""
    if isinstance(fingerprints, Mapping):
        fingerprints = [fingerprints]
    if not isinstance(fingerprints, Sequence) or isinstance(fingerprints, str | bytes):
        raise ValueError("remote fingerprints must be a list of {algorithm, value}")
    if not fingerprints:
        raise ValueError("no remote fingerprints")
    for entry in fingerprints:
        if not isinstance(entry, Mapping):
            raise ValueError(f"invalid remote fingerprint {entry!r}")
        algorithm, value = entry.get("algorithm"), entry.get("value")
        if algorithm not in FINGERPRINT_ALGORITHMS:
            raise ValueError(f"invalid fingerprint algorithm {algorithm!r}")
        if not isinstance(value, str):
            raise ValueError(f"invalid fingerprint value {value!r}")
    first = fingerprints[0]
    return {"algorithm": first["algorithm"], "value": first["value"]}


_SSL: Any = None


def _openssl() -> Any:
    """pyOpenSSL's SSL module, imported on first use (not on the worker's start-up path)."""
    global _SSL
    if _SSL is None:
        from OpenSSL import SSL

        _SSL = SSL
    return _SSL


# One SSL context per (certificate, key, SRTP suites), as mediasoup's global SSL_CTX. The
# worker has one certificate; tests make several.
_contexts: dict[tuple[int, int, tuple[str, ...]], tuple[Any, Any, Any]] = {}
_MAX_CONTEXTS = 8


def _ssl_context(certificate: Any, private_key: Any, suites: tuple[str, ...]) -> Any:
    key = (id(certificate), id(private_key), suites)
    cached = _contexts.get(key)
    # The cached entry holds the certificate and key, so their ids cannot be reused.
    if cached is not None and cached[0] is certificate and cached[1] is private_key:
        return cached[2]

    SSL = _openssl()
    context = SSL.Context(SSL.DTLS_METHOD)
    context.use_certificate(certificate)
    context.use_privatekey(private_key)
    context.check_privatekey()
    context.set_options(
        SSL.OP_CIPHER_SERVER_PREFERENCE
        | SSL.OP_NO_TICKET
        | SSL.OP_SINGLE_ECDH_USE
        | SSL.OP_NO_QUERY_MTU
        | SSL.OP_NO_RENEGOTIATION
    )
    context.set_session_cache_mode(SSL.SESS_CACHE_OFF)
    context.set_min_proto_version(_DTLS1_2_VERSION)
    context.set_verify_depth(4)
    # A certificate is required from the peer; it is self-signed, so always "valid": the
    # fingerprint from signalling is what authenticates it.
    context.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, _accept_certificate)
    context.set_cipher_list(CIPHER_LIST)
    # ECDH groups: OpenSSL's defaults (automatic since 1.1.0).
    context.set_tlsext_use_srtp(":".join(_SUITES_BY_NAME[s].openssl_name for s in suites).encode())
    if len(_contexts) >= _MAX_CONTEXTS:
        _contexts.clear()
    _contexts[key] = (certificate, private_key, context)
    return context


def _accept_certificate(*_args: Any) -> bool:
    return True


class DtlsTransport:
    """One DTLS association: see the module docstring."""

    __slots__ = (
        "mtu", "state", "local_role", "remote_fingerprint", "handshake_done",
        "srtp_crypto_suite", "remote_cert", "dropped_datagrams",
        "_certificate", "_private_key", "_srtp_suites", "_ssl", "_handshake_done_now",
        "_pending", "_last_flight", "_events", "_deadline", "_interval_ms", "_rearmed",
    )  # fmt: skip

    def __init__(
        self,
        certificate: Any,
        private_key: Any,
        *,
        mtu: int = DTLS_MTU,
        srtp_crypto_suites: Sequence[str] | None = None,
    ) -> None:
        """``certificate`` and ``private_key`` are ``cryptography`` objects (as held by
        ``DtlsCertificate``). ``srtp_crypto_suites`` restricts the SRTP profiles offered
        (mediasoup's four, in its order, by default)."""
        if srtp_crypto_suites is None:
            suites = tuple(suite.name for suite in SRTP_CRYPTO_SUITES)
        else:
            suites = tuple(srtp_crypto_suites)
            unknown = [name for name in suites if name not in _SUITES_BY_NAME]
            if unknown or not suites:
                raise ValueError(f"invalid SRTP crypto suites {srtp_crypto_suites!r}")
        if mtu < 256:
            raise ValueError(f"DTLS MTU too small: {mtu}")
        self.mtu = mtu
        self.state = "new"  # "new" | "connecting" | "connected" | "failed" | "closed"
        self.local_role: str | None = None  # "client" | "server" while running
        self.remote_fingerprint: dict[str, str] | None = None
        self.handshake_done = False
        self.srtp_crypto_suite: str | None = None
        self.remote_cert: str | None = None
        self.dropped_datagrams = 0  # received while not running, or holding no DTLS record
        self._certificate = certificate
        self._private_key = private_key
        self._srtp_suites = suites
        self._ssl: Any = None
        self._handshake_done_now = False
        self._pending: list[bytes] = []
        self._last_flight: list[bytes] = []
        self._events: deque[DtlsEvent] = deque()
        self._deadline: int | None = None
        self._interval_ms = 0
        self._rearmed = False  # the current timeout was already re-armed for an early wake

    # --- state ---

    def is_running(self) -> bool:
        return self.state in ("connecting", "connected")

    def dump(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "role": self.local_role or "none",
            "handshakeDone": self.handshake_done,
        }

    # --- control ---

    def run(
        self,
        role: str,
        remote_fingerprints: Sequence[Mapping[str, str]] | Mapping[str, str] | None,
        now_ms: int,
    ) -> None:
        """Start (or, with the other role, restart) the handshake: emits "connecting"."""
        if role not in ROLES:
            raise ValueError(f"local DTLS role must be 'client' or 'server', not {role!r}")
        if remote_fingerprints is not None:
            self.remote_fingerprint = _check_fingerprints(remote_fingerprints)
        if role == self.local_role and self.is_running():
            logger.debug("RTC::DtlsTransport::Run", "same local DTLS role provided", "dtls")
            if remote_fingerprints is not None and self.handshake_done:
                if self.state == "connecting":
                    self._process_handshake()
            return
        if self.is_running():
            logger.debug("RTC::DtlsTransport::Run", "resetting due to local role change", "dtls")
        self._reset()
        self.srtp_crypto_suite = None
        self.remote_cert = None
        self._ssl = self._new_connection()
        self.local_role = role
        self._set_state("connecting")
        if role == "client":
            self._ssl.set_connect_state()
        else:
            self._ssl.set_accept_state()
        self._do_handshake()
        sent = self._flush_output()
        if role == "client":
            self._update_timer(now_ms, sent)

    def set_remote_fingerprints(
        self, remote_fingerprints: Sequence[Mapping[str, str]] | Mapping[str, str]
    ) -> bool:
        """Set (or replace) the fingerprint to check; if the handshake is already done,
        check it now. Returns False if that made the transport fail."""
        self.remote_fingerprint = _check_fingerprints(remote_fingerprints)
        if self.handshake_done and self.state == "connecting":
            return self._process_handshake()
        return True

    def close(self) -> None:
        """Send close_notify if running, and stop. No event. Idempotent."""
        if self.is_running():
            SSL = _openssl()
            try:
                self._ssl.shutdown()
            except SSL.Error:
                pass  # e.g. still in the handshake: nothing to send
            self._flush_output()
            self.state = "closed"
        self._reset()

    # --- input ---

    def receive(self, data: bytes, now_ms: int) -> None:
        """Process one received datagram."""
        if not self.is_running():
            self.dropped_datagrams += 1
            logger.debug(
                "RTC::DtlsTransport::ProcessDtlsData",
                "cannot process data while not running",
                "dtls",
            )
            return
        records = _known_records(data)
        if records is None:
            self.dropped_datagrams += 1
            logger.debug(
                "RTC::DtlsTransport::ProcessDtlsData", "ignoring invalid DTLS data", "dtls"
            )
            return
        SSL = _openssl()
        ssl = self._ssl
        ssl.bio_write(records)
        received: list[bytes] = []
        closed_by_peer = False
        error: Exception | None = None
        while True:
            try:
                chunk = ssl.recv(_READ_SIZE)
            except SSL.WantReadError:
                break
            except SSL.ZeroReturnError:
                closed_by_peer = True
                break
            except SSL.Error as exc:
                error = exc
                break
            if not chunk:
                break
            received.append(chunk)
        sent = self._flush_output()
        if not self._check_status(closed_by_peer, error):
            return
        if not self._update_timer(now_ms, sent):
            return
        if received:
            if self.state == "connected":
                for chunk in received:
                    self._events.append(DtlsApplicationData(chunk))
            else:
                logger.debug(
                    "RTC::DtlsTransport::ProcessDtlsData",
                    "ignoring application data received before the remote fingerprint is checked",
                    "dtls",
                )

    def handle_timer(self, now_ms: int) -> None:
        """Retransmit the last handshake flight if ``next_deadline()`` has come."""
        if self._deadline is None or now_ms < self._deadline:
            return
        self._deadline = None
        if not self.is_running() or self.handshake_done:
            return
        SSL = _openssl()
        ssl = self._ssl
        try:
            retransmitted = ssl.DTLSv1_handle_timeout()
        except SSL.Error as exc:
            self._flush_output()
            self._fail(f"DTLS timeout handling failed: {exc}")
            return
        if retransmitted:
            self._flush_output()
            remaining = ssl.DTLSv1_get_timeout()
            if remaining is not None:
                self._start_timer(now_ms, math.ceil(remaining * 1000))
            return
        remaining = ssl.DTLSv1_get_timeout()
        if remaining is None:
            return
        remaining_ms = math.ceil(remaining * 1000)
        if remaining_ms <= EARLY_WAKE_SLACK_MS and not self._rearmed:
            # Woken a little before OpenSSL's timer: wait for it (once per timeout).
            self._rearmed = True
            self._deadline = now_ms + max(remaining_ms, 1)
            return
        # Our clock is ahead of OpenSSL's: resend the flight as it was, and back off here.
        self._pending.extend(self._last_flight)
        self._start_timer(now_ms, 2 * self._interval_ms)

    def send_application_data(self, data: bytes) -> bool:
        """Encrypt and queue ``data`` (one record); False if not connected or empty."""
        if self.state != "connected":
            logger.warn(
                "RTC::DtlsTransport::SendApplicationData",
                "cannot send application data while DTLS is not fully connected",
                "dtls",
            )
            return False
        if not data:
            return False
        SSL = _openssl()
        try:
            self._ssl.send(data)
        except SSL.Error as exc:
            self._flush_output()
            self._check_status(False, exc)
            return False
        self._flush_output()
        return True

    # --- output ---

    def datagrams_to_send(self) -> list[bytes]:
        datagrams, self._pending = self._pending, []
        return datagrams

    def next_deadline(self) -> int | None:
        return self._deadline

    def next_event(self) -> DtlsEvent | None:
        return self._events.popleft() if self._events else None

    def events(self) -> list[DtlsEvent]:
        events = list(self._events)
        self._events.clear()
        return events

    # --- internals ---

    def _new_connection(self) -> Any:
        SSL = _openssl()
        context = _ssl_context(self._certificate, self._private_key, self._srtp_suites)
        ssl = SSL.Connection(context, None)
        ssl.set_ciphertext_mtu(self.mtu)
        ssl.set_info_callback(self._on_ssl_info)
        return ssl

    def _on_ssl_info(self, _ssl: Any, where: int, ret: int) -> None:
        # Runs inside OpenSSL: only note things down.
        SSL = _openssl()
        if where & SSL.SSL_CB_HANDSHAKE_DONE:
            self._handshake_done_now = True
        elif where & SSL.SSL_CB_ALERT and logger.debug_enabled("dtls"):
            direction = "received" if where & SSL.SSL_CB_READ else "sending"
            logger.debug(
                "RTC::DtlsTransport::OnSslInfo",
                f"{direction} DTLS alert: level {ret >> 8}, description {ret & 0xFF}",
                "dtls",
            )

    def _do_handshake(self) -> None:
        SSL = _openssl()
        try:
            self._ssl.do_handshake()
        except SSL.WantReadError:
            pass

    def _flush_output(self) -> bool:
        """Move what OpenSSL wrote to the pending datagrams; True if there was any."""
        SSL = _openssl()
        ssl = self._ssl
        chunks: list[bytes] = []
        while True:
            try:
                chunk = ssl.bio_read(_READ_SIZE)
            except SSL.WantReadError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        if not chunks:
            return False
        datagrams = split_records(b"".join(chunks), self.mtu)
        self._pending.extend(datagrams)
        if not self.handshake_done:
            self._last_flight = datagrams
        return True

    def _check_status(self, closed_by_peer: bool, error: Exception | None) -> bool:
        """mediasoup's CheckStatus(): handshake completion, then close or failure."""
        if self._handshake_done_now:
            self._handshake_done_now = False
            was_done = self.handshake_done
            self.handshake_done = True
            self._deadline = None
            if not was_done and self.remote_fingerprint is not None:
                if not self._process_handshake():
                    return False
        if closed_by_peer or error is not None:
            if self.state == "connected":
                logger.debug("RTC::DtlsTransport::CheckStatus", "disconnected", "dtls")
                self._reset()
                self._set_state("closed")
            else:
                self._fail(f"connection failed: {error or 'close_notify received'}")
            return False
        return True

    def _process_handshake(self) -> bool:
        """Check the remote fingerprint and extract the SRTP keys: "connected" or "failed"."""
        remote_cert = self._check_remote_fingerprint()
        if remote_cert is None:
            self._fail("remote fingerprint mismatch")
            return False
        suite = _SUITES_BY_OPENSSL_NAME.get(self._ssl.get_selected_srtp_profile())
        if suite is None:
            self._fail("SRTP crypto suite not negotiated")
            return False
        key_length, salt_length = suite.key_length, suite.salt_length
        material = self._ssl.export_keying_material(
            SRTP_EXPORTER_LABEL, 2 * (key_length + salt_length)
        )
        # client key | server key | client salt | server salt (RFC 5764, 4.2)
        client_key = material[:key_length] + material[2 * key_length : 2 * key_length + salt_length]
        server_key = (
            material[key_length : 2 * key_length] + material[2 * key_length + salt_length :]
        )
        if self.local_role == "client":
            local_key, remote_key = client_key, server_key
        else:
            local_key, remote_key = server_key, client_key
        self.srtp_crypto_suite = suite.name
        self.remote_cert = remote_cert
        self.state = "connected"
        self._events.append(
            DtlsStateChanged("connected", suite.name, local_key, remote_key, remote_cert)
        )
        return True

    def _check_remote_fingerprint(self) -> str | None:
        """The remote certificate in PEM if it matches the remote fingerprint, else None."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.serialization import Encoding

        certificate = self._ssl.get_peer_certificate(as_cryptography=True)
        if certificate is None:
            logger.warn("RTC::DtlsTransport::CheckRemoteFingerprint", "no peer certificate", "dtls")
            return None
        assert self.remote_fingerprint is not None
        algorithm = self.remote_fingerprint["algorithm"]
        expected = self.remote_fingerprint["value"]
        hash_algorithm: hashes.HashAlgorithm = {
            "sha-1": hashes.SHA1(),
            "sha-224": hashes.SHA224(),
            "sha-256": hashes.SHA256(),
            "sha-384": hashes.SHA384(),
            "sha-512": hashes.SHA512(),
        }[algorithm]
        actual = certificate.fingerprint(hash_algorithm).hex(":").upper()
        if actual != expected.upper():
            logger.warn(
                "RTC::DtlsTransport::CheckRemoteFingerprint",
                f"fingerprint in the remote certificate ({actual}) does not match the"
                f" announced one ({expected})",
                "dtls",
            )
            return None
        return str(certificate.public_bytes(Encoding.PEM).decode("ascii"))

    def _update_timer(self, now_ms: int, sent: bool) -> bool:
        """After input: follow OpenSSL's handshake timer. Re-armed only when a flight went
        out (or none is armed), so that input alone never pushes a due retransmission back."""
        if self.handshake_done or not self.is_running():
            self._deadline = None
            return True
        remaining = self._ssl.DTLSv1_get_timeout()
        if remaining is None:
            self._deadline = None
            return True
        if sent or self._deadline is None:
            return self._start_timer(now_ms, math.ceil(remaining * 1000))
        return True

    def _start_timer(self, now_ms: int, interval_ms: int) -> bool:
        if interval_ms >= DTLS_MAX_TIMEOUT_MS:
            self._fail(f"DTLS timeout too high ({interval_ms} ms)")
            return False
        self._interval_ms = interval_ms
        self._deadline = now_ms + interval_ms
        self._rearmed = False
        return True

    def _fail(self, reason: str) -> None:
        logger.warn("RTC::DtlsTransport", reason, "dtls")
        self._reset()
        self._set_state("failed")

    def _reset(self) -> None:
        """Forget the SSL object without sending anything more (mediasoup's Reset())."""
        self._ssl = None
        self.local_role = None
        self.handshake_done = False
        self._handshake_done_now = False
        self._last_flight = []
        self._deadline = None
        self._interval_ms = 0
        self._rearmed = False  # the current timeout was already re-armed for an early wake

    def _set_state(self, state: str) -> None:
        self.state = state
        self._events.append(DtlsStateChanged(state))
