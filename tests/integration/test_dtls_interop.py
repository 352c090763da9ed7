"""DtlsTransport against other DTLS stacks: plain pyOpenSSL and aiortc's RTCDtlsTransport.

* A pyOpenSSL peer (driven here, over memory BIOs) in both roles: keys checked against the
  peer's own exporter, application data, close_notify both ways.
* A ClientHello split across two datagrams, as Chromium's is: a real one re-fragmented in
  flight (the handshake must complete), and a hand-built Chromium-like one offering DTLS 1.3
  and 1.2 with an X25519MLKEM768 key share (the answer must be a DTLS 1.2 ServerHello).
* Retransmission in real time, where OpenSSL's own timer is the one that fires.
* aiortc's RTCDtlsTransport in both roles: SRTP with the derived keys both ways, SCTP-style
  application data, close both ways.
"""

from __future__ import annotations

import asyncio
import os
import struct
import time

import pytest
from OpenSSL import SSL

from pymediasoup_worker.core.dtls import (
    DTLS_MTU,
    SRTP_CRYPTO_SUITES,
    DtlsApplicationData,
    DtlsStateChanged,
    DtlsTransport,
    split_records,
)
from pymediasoup_worker.rtc.dtls_certificate import DtlsCertificate, fingerprint

SUITES = {suite.name: suite for suite in SRTP_CRYPTO_SUITES}


@pytest.fixture(scope="module")
def certs() -> tuple[DtlsCertificate, DtlsCertificate]:
    return DtlsCertificate.generate(), DtlsCertificate.generate()


def sha256(cert: DtlsCertificate) -> list[dict[str, str]]:
    return [{"algorithm": "sha-256", "value": fingerprint(cert.certificate, "sha-256")}]


# --- a plain pyOpenSSL peer ----------------------------------------------------------------


class OpenSSLPeer:
    """The other end, written directly against pyOpenSSL (its datagrams split by record)."""

    def __init__(self, cert: DtlsCertificate, role: str, mtu: int = DTLS_MTU) -> None:
        context = SSL.Context(SSL.DTLS_METHOD)
        context.use_certificate(cert.certificate)
        context.use_privatekey(cert.private_key)
        context.set_options(SSL.OP_NO_QUERY_MTU | SSL.OP_NO_TICKET)
        context.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, lambda *a: True)
        context.set_tlsext_use_srtp(b"SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80")
        self.conn = SSL.Connection(context, None)
        self.conn.set_ciphertext_mtu(mtu)
        self.role = role
        self.mtu = mtu
        self.done = False
        self.closed = False
        self.received: list[bytes] = []
        if role == "client":
            self.conn.set_connect_state()
        else:
            self.conn.set_accept_state()
        self._step()

    def _step(self) -> None:
        try:
            if not self.done:
                self.conn.do_handshake()
                self.done = True
            while True:
                self.received.append(self.conn.recv(65536))
        except SSL.WantReadError:
            pass
        except SSL.ZeroReturnError:
            self.closed = True

    def receive(self, datagram: bytes) -> None:
        self.conn.bio_write(datagram)
        self._step()

    def handle_timeout(self) -> None:
        self.conn.DTLSv1_handle_timeout()

    def datagrams(self) -> list[bytes]:
        out = b""
        while True:
            try:
                out += self.conn.bio_read(65536)
            except SSL.WantReadError:
                break
        return split_records(out, self.mtu)

    def srtp_keys(self) -> tuple[str, bytes, bytes]:
        """(suite, client master key+salt, server master key+salt), per RFC 5764 4.2."""
        name = {s.openssl_name.encode(): s.name for s in SRTP_CRYPTO_SUITES}[
            self.conn.get_selected_srtp_profile()
        ]
        k, s = SUITES[name].key_length, SUITES[name].salt_length
        m = self.conn.export_keying_material(b"EXTRACTOR-dtls_srtp", 2 * (k + s))
        return name, m[:k] + m[2 * k : 2 * k + s], m[k : 2 * k] + m[2 * k + s :]


def exchange(ours: DtlsTransport, peer: OpenSSLPeer, now_ms: int = 0, rounds: int = 10) -> None:
    for _ in range(rounds):
        moved = False
        for datagram in ours.datagrams_to_send():
            peer.receive(datagram)
            moved = True
        for datagram in peer.datagrams():
            ours.receive(datagram, now_ms)
            moved = True
        if not moved:
            return


def connected_event(events) -> DtlsStateChanged:
    (event,) = [e for e in events if isinstance(e, DtlsStateChanged) and e.state == "connected"]
    return event


@pytest.mark.parametrize("our_role", ["client", "server"])
def test_openssl_peer(certs, our_role):
    mine, theirs = certs
    ours = DtlsTransport(mine.certificate, mine.private_key)
    peer_role = "server" if our_role == "client" else "client"
    peer = OpenSSLPeer(theirs, peer_role)
    ours.run(our_role, sha256(theirs), 0)
    exchange(ours, peer)
    assert peer.done and ours.state == "connected"
    events = ours.events()
    event = connected_event(events)
    suite, client_key, server_key = peer.srtp_keys()
    # The peer offers AES-128-GCM and SHA1_80; our order prefers GCM.
    assert event.srtp_crypto_suite == suite == "AEAD_AES_128_GCM"
    if our_role == "client":
        assert (event.srtp_local_key, event.srtp_remote_key) == (client_key, server_key)
    else:
        assert (event.srtp_local_key, event.srtp_remote_key) == (server_key, client_key)
    assert event.remote_cert == theirs.certificate_pem().decode()

    # Application data both ways.
    assert ours.send_application_data(b"ping")
    exchange(ours, peer)
    assert peer.received == [b"ping"]
    peer.conn.send(b"pong")
    exchange(ours, peer)
    assert [e.data for e in ours.events() if isinstance(e, DtlsApplicationData)] == [b"pong"]

    # The peer's close_notify closes us.
    peer.conn.shutdown()
    exchange(ours, peer)
    assert ours.state == "closed"
    assert ours.events() == [DtlsStateChanged("closed")]


@pytest.mark.parametrize("our_role", ["client", "server"])
def test_openssl_peer_sees_our_close_notify(certs, our_role):
    mine, theirs = certs
    ours = DtlsTransport(mine.certificate, mine.private_key)
    peer = OpenSSLPeer(theirs, "server" if our_role == "client" else "client")
    ours.run(our_role, sha256(theirs), 0)
    exchange(ours, peer)
    ours.close()
    exchange(ours, peer)
    assert peer.closed


def test_openssl_peer_with_wrong_fingerprint_fails(certs):
    mine, theirs = certs
    ours = DtlsTransport(mine.certificate, mine.private_key)
    peer = OpenSSLPeer(theirs, "client")
    ours.run("server", sha256(mine), 0)  # not the peer's certificate
    exchange(ours, peer)
    assert ours.state == "failed"


# --- a ClientHello split across two datagrams ----------------------------------------------


class Refragmenter:
    """Between a client and a server: cuts the client's ClientHello (one record) into two
    handshake fragments sent in two records and two datagrams, as Chromium's large
    ClientHello arrives, and renumbers the client's later epoch-0 records to match."""

    def __init__(self, reverse: bool = False) -> None:
        self.reverse = reverse
        self.split_done = False

    def __call__(self, datagram: bytes) -> list[bytes]:
        if not self.split_done:
            self.split_done = True
            return self._split_client_hello(datagram)
        return [self._renumber(datagram)]

    def _split_client_hello(self, datagram: bytes) -> list[bytes]:
        header, body = datagram[:13], datagram[13:]
        assert header[0] == 22 and body[0] == 1  # a handshake record holding a ClientHello
        assert len(datagram) == 13 + int.from_bytes(header[11:13])  # exactly one record
        msg_type, length, message_seq = body[0], body[1:4], body[4:6]
        payload = body[12:]
        assert int.from_bytes(body[9:12]) == len(payload) == int.from_bytes(length)
        half = len(payload) // 2
        datagrams = []
        for seq, (offset, fragment) in enumerate([(0, payload[:half]), (half, payload[half:])]):
            handshake = (
                bytes([msg_type])
                + length
                + message_seq
                + offset.to_bytes(3, "big")
                + len(fragment).to_bytes(3, "big")
                + fragment
            )
            record = (
                header[:3]
                + b"\x00\x00"
                + seq.to_bytes(6, "big")
                + len(handshake).to_bytes(2, "big")
                + handshake
            )
            datagrams.append(record)
        return datagrams[::-1] if self.reverse else datagrams

    @staticmethod
    def _renumber(datagram: bytes) -> bytes:
        out = bytearray(datagram)
        pos = 0
        while pos + 13 <= len(out):
            if out[pos + 3 : pos + 5] == b"\x00\x00":  # epoch 0: one more record came before
                seq = int.from_bytes(out[pos + 5 : pos + 11]) + 1
                out[pos + 5 : pos + 11] = seq.to_bytes(6, "big")
            pos += 13 + int.from_bytes(out[pos + 11 : pos + 13])
        return bytes(out)


@pytest.mark.parametrize("reverse", [False, True], ids=["in order", "reordered"])
def test_client_hello_split_in_two_datagrams(certs, reverse):
    mine, theirs = certs
    ours = DtlsTransport(mine.certificate, mine.private_key)
    ours.run("server", sha256(theirs), 0)
    peer = OpenSSLPeer(theirs, "client")
    relay = Refragmenter(reverse)
    first = True
    for _ in range(10):
        moved = False
        for datagram in peer.datagrams():
            pieces = relay(datagram)
            if first:
                first = False
                assert len(pieces) == 2
                ours.receive(pieces[0], 0)
                assert ours.datagrams_to_send() == []  # half a ClientHello: nothing yet
                ours.receive(pieces[1], 0)
            else:
                for piece in pieces:
                    ours.receive(piece, 0)
            moved = True
        for datagram in ours.datagrams_to_send():
            peer.receive(datagram)
            moved = True
        if not moved:
            break
    assert peer.done
    assert ours.state == "connected"
    suite, client_key, server_key = peer.srtp_keys()
    event = connected_event(ours.events())
    assert (event.srtp_local_key, event.srtp_remote_key) == (server_key, client_key)


def _vector(data: bytes, length_size: int) -> bytes:
    return len(data).to_bytes(length_size, "big") + data


def _extension(kind: int, data: bytes) -> bytes:
    return kind.to_bytes(2, "big") + _vector(data, 2)


def chromium_like_client_hello() -> bytes:
    """A ClientHello body like Chromium's for DTLS: 1.3 and 1.2 offered, GREASE, and key
    shares for X25519MLKEM768 (1216 bytes) and x25519."""

    def u16s(*values: int) -> bytes:
        return b"".join(v.to_bytes(2, "big") for v in values)

    ciphers = u16s(0x4A4A, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xCCA9, 0xCCA8, 0xC009)
    ciphers += u16s(0xC013, 0xC00A, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035)
    key_shares = (
        u16s(0x11EC) + _vector(os.urandom(1216), 2) + u16s(0x001D) + _vector(os.urandom(32), 2)
    )
    extensions = b"".join(
        [
            _extension(0x3A3A, b""),  # GREASE
            _extension(0x0017, b""),  # extended_master_secret
            _extension(0xFF01, b"\x00"),  # renegotiation_info
            _extension(0x000A, _vector(u16s(0x5A5A, 0x11EC, 0x001D, 0x0017, 0x0018), 2)),
            _extension(0x000B, _vector(b"\x00", 1)),  # ec_point_formats
            _extension(0x000D, _vector(u16s(0x0403, 0x0804, 0x0401, 0x0503, 0x0805), 2)),
            _extension(0x000E, _vector(u16s(0x0008, 0x0007, 0x0001, 0x0002), 2) + b"\x00"),
            _extension(0x0033, _vector(key_shares, 2)),  # key_share
            _extension(0x002D, _vector(b"\x01", 1)),  # psk_key_exchange_modes
            _extension(0x002B, _vector(u16s(0x6A6A, 0xFEFC, 0xFEFD), 1)),  # supported_versions
            _extension(0x7A7A, b"\x00"),  # GREASE
        ]
    )
    return (
        b"\xfe\xfd"  # legacy_version: DTLS 1.2
        + os.urandom(32)
        + _vector(b"", 1)  # legacy_session_id
        + _vector(b"", 1)  # legacy_cookie
        + _vector(ciphers, 2)
        + _vector(b"\x00", 1)
        + _vector(extensions, 2)
    )


def handshake_datagrams(body: bytes, msg_type: int, cut: int) -> list[bytes]:
    """``body`` as two handshake fragments, each in its own record and datagram."""
    datagrams = []
    for seq, (offset, fragment) in enumerate([(0, body[:cut]), (cut, body[cut:])]):
        handshake = struct.pack("!B", msg_type) + len(body).to_bytes(3, "big") + b"\x00\x00"
        handshake += offset.to_bytes(3, "big") + len(fragment).to_bytes(3, "big") + fragment
        # Chromium's first records carry version DTLS 1.0, as RFC 9147 asks.
        record = b"\x16\xfe\xff\x00\x00" + seq.to_bytes(6, "big") + _vector(handshake, 2)
        datagrams.append(record)
    return datagrams


def parse_handshake_messages(datagrams: list[bytes]) -> list[tuple[int, bytes]]:
    """(msg_type, body) of each whole, unfragmented epoch-0 handshake message."""
    messages = []
    for datagram in datagrams:
        pos = 0
        while pos + 13 <= len(datagram):
            end = pos + 13 + int.from_bytes(datagram[pos + 11 : pos + 13])
            if datagram[pos] == 22 and datagram[pos + 3 : pos + 5] == b"\x00\x00":
                hs = datagram[pos + 13 : end]
                length = int.from_bytes(hs[1:4])
                assert int.from_bytes(hs[6:9]) == 0 and int.from_bytes(hs[9:12]) == length
                messages.append((hs[0], hs[12 : 12 + length]))
            pos = end
    return messages


def test_chromium_like_client_hello_gets_dtls_1_2(certs):
    mine, theirs = certs
    ours = DtlsTransport(mine.certificate, mine.private_key)
    ours.run("server", sha256(theirs), 0)
    body = chromium_like_client_hello()
    assert len(body) > DTLS_MTU  # too big for one datagram, as with the hybrid key share
    first, second = handshake_datagrams(body, 1, 1100)
    assert len(first) <= DTLS_MTU and len(second) <= DTLS_MTU
    ours.receive(first, 0)
    assert ours.datagrams_to_send() == []
    ours.receive(second, 0)
    answer = ours.datagrams_to_send()
    assert ours.state == "connecting"
    assert all(len(d) <= DTLS_MTU for d in answer)
    messages = dict(parse_handshake_messages(answer))
    # ServerHello, Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone.
    assert sorted(messages) == [2, 11, 12, 13, 14]
    server_hello = messages[2]
    assert server_hello[:2] == b"\xfe\xfd"  # DTLS 1.2
    # Its extensions: no supported_versions (that would mean DTLS 1.3) but use_srtp.
    pos = 2 + 32
    pos += 1 + server_hello[pos]  # session_id
    cipher = int.from_bytes(server_hello[pos : pos + 2])
    pos += 3  # cipher suite, compression
    extensions = {}
    end = pos + 2 + int.from_bytes(server_hello[pos : pos + 2])
    pos += 2
    while pos < end:
        kind, size = struct.unpack_from("!HH", server_hello, pos)
        extensions[kind] = server_hello[pos + 4 : pos + 4 + size]
        pos += 4 + size
    assert 0x002B not in extensions and 0x0033 not in extensions
    assert extensions[0x000E][:4] == b"\x00\x02\x00\x08"  # use_srtp: AEAD_AES_256_GCM
    assert cipher in (0xC02B, 0xCCA9, 0xC009, 0xC00A)  # an ECDHE-ECDSA suite
    # ECDHE over a classic group offered by the client, not the hybrid one.
    server_key_exchange = messages[12]
    assert server_key_exchange[0] == 3  # named_curve
    assert int.from_bytes(server_key_exchange[1:3]) in (0x001D, 0x0017, 0x0018)


# --- retransmission in real time -----------------------------------------------------------


def _now_ms(start: float) -> int:
    return int((time.monotonic() - start) * 1000)


@pytest.mark.parametrize(
    ("our_role", "drop"),
    [
        ("client", "client hello"),  # ours, lost: our timer resends it
        ("client", "server final flight"),  # the peer's, lost: our resent flight asks again
        ("server", "our final flight"),  # ours, lost: the peer's resent flight asks again
    ],
)
def test_retransmission_in_real_time(certs, our_role, drop):
    """OpenSSL's timer (wall clock) is the one that fires: retransmitted records carry new
    sequence numbers, which recovers even a lost last flight."""
    mine, theirs = certs
    start = time.monotonic()
    ours = DtlsTransport(mine.certificate, mine.private_key)
    peer = OpenSSLPeer(theirs, "server" if our_role == "client" else "client")
    ours.run(our_role, sha256(theirs), _now_ms(start))
    sent: list[bytes] = []
    dropped = False
    while ours.state == "connecting" or not peer.done:
        assert time.monotonic() - start < 5, "handshake did not complete"
        moved = False
        for datagram in ours.datagrams_to_send():
            moved = True
            sent.append(datagram)
            lose = (drop == "client hello" and len(sent) == 1) or (
                drop == "our final flight" and ours.handshake_done and not dropped
            )
            if lose:
                dropped = True
                continue
            peer.receive(datagram)
        for datagram in peer.datagrams():
            moved = True
            if drop == "server final flight" and peer.done and not dropped:
                dropped = True
                continue
            ours.receive(datagram, _now_ms(start))
        if moved:
            continue
        # Idle: sleep until the earlier of the two timers.
        waits = [0.5]
        deadline = ours.next_deadline()
        if deadline is not None:
            waits.append(max(0.0, (deadline - _now_ms(start)) / 1000))
        timeout = peer.conn.DTLSv1_get_timeout()
        if timeout is not None:
            waits.append(timeout)
        time.sleep(min(waits) + 0.002)
        ours.handle_timer(_now_ms(start))
        peer.handle_timeout()
    assert dropped
    assert ours.state == "connected" and peer.done
    if drop == "client hello":
        # OpenSSL resent it itself: the same message in a record with a new sequence number.
        assert sent[1] != sent[0] and sent[1][13:] == sent[0][13:]
    assert 900 <= _now_ms(start) <= 3000


# --- aiortc --------------------------------------------------------------------------------


class FakeIceTransport:
    """What aiortc's RTCDtlsTransport uses of an RTCIceTransport: role, _recv and _send."""

    def __init__(self, role: str, on_send) -> None:
        self.role = role
        self.inbox: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.on_send = on_send

    async def _recv(self) -> bytes:
        data = await self.inbox.get()
        if data is None:
            raise ConnectionError
        return data

    async def _send(self, data: bytes) -> None:
        self.on_send(data)


class AiortcLink:
    """Our transport driven by the event loop's clock, against aiortc's."""

    def __init__(self, ours: DtlsTransport, aiortc_role: str) -> None:
        from aiortc import RTCCertificate, RTCDtlsTransport

        self.loop = asyncio.get_running_loop()
        self.ours = ours
        self.events: list = []
        # aiortc: ICE controlling -> DTLS server.
        ice_role = "controlling" if aiortc_role == "server" else "controlled"
        self.ice = FakeIceTransport(ice_role, self._from_aiortc)
        self.certificate = RTCCertificate.generateCertificate()
        self.dtls = RTCDtlsTransport(self.ice, [self.certificate])
        self.timer = self.loop.create_task(self._run_timer())

    def now(self) -> int:
        return int(self.loop.time() * 1000)

    def _from_aiortc(self, data: bytes) -> None:
        self.ours.receive(data, self.now())
        self.flush()

    def flush(self) -> None:
        for datagram in self.ours.datagrams_to_send():
            self.ice.inbox.put_nowait(datagram)
        self.events.extend(self.ours.events())

    async def _run_timer(self) -> None:
        while True:
            deadline = self.ours.next_deadline()
            delay = 0.05 if deadline is None else (deadline - self.now()) / 1000
            await asyncio.sleep(min(max(delay, 0), 0.05))
            self.ours.handle_timer(self.now())
            self.flush()

    def their_fingerprints(self) -> list[dict[str, str]]:
        return [
            {"algorithm": f.algorithm, "value": f.value}
            for f in self.certificate.getFingerprints()
            if f.algorithm == "sha-256"
        ]

    async def stop(self) -> None:
        self.timer.cancel()
        self.ice.inbox.put_nowait(None)
        await self.dtls.stop()
        await asyncio.sleep(0)


def rtp_packet(seq: int) -> bytes:
    return struct.pack("!BBHII", 0x80, 96, seq, seq * 960, 0x12345678) + b"payload" * 10


@pytest.mark.parametrize("our_role", ["client", "server"])
@pytest.mark.parametrize("closer", ["us", "aiortc"])
async def test_aiortc(certs, our_role, closer):
    import pylibsrtp
    from aiortc import RTCDtlsFingerprint, RTCDtlsParameters

    mine = certs[0]
    ours = DtlsTransport(mine.certificate, mine.private_key)
    link = AiortcLink(ours, "server" if our_role == "client" else "client")
    try:
        ours.run(our_role, link.their_fingerprints(), link.now())
        link.flush()
        params = RTCDtlsParameters(
            fingerprints=[RTCDtlsFingerprint(f["algorithm"], f["value"]) for f in sha256(mine)]
        )
        await asyncio.wait_for(link.dtls.start(params), 10)
        assert link.dtls.state == "connected"
        assert ours.state == "connected"
        event = connected_event(link.events)
        assert event.srtp_crypto_suite == "AEAD_AES_256_GCM"  # first in both lists

        # SRTP: aiortc protects, we unprotect with our remote key; and the other way.
        profile = pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_256_GCM
        inbound = pylibsrtp.Session(
            pylibsrtp.Policy(
                key=event.srtp_remote_key,
                ssrc_type=pylibsrtp.Policy.SSRC_ANY_INBOUND,
                srtp_profile=profile,
            )
        )
        outbound = pylibsrtp.Session(
            pylibsrtp.Policy(
                key=event.srtp_local_key,
                ssrc_type=pylibsrtp.Policy.SSRC_ANY_OUTBOUND,
                srtp_profile=profile,
            )
        )
        assert inbound.unprotect(link.dtls._tx_srtp.protect(rtp_packet(1))) == rtp_packet(1)
        assert link.dtls._rx_srtp.unprotect(outbound.protect(rtp_packet(2))) == rtp_packet(2)

        # Application data both ways (SCTP rides here).
        got: asyncio.Queue[bytes] = asyncio.Queue()

        class Receiver:
            async def _handle_data(self, data: bytes) -> None:
                got.put_nowait(data)

        link.dtls._register_data_receiver(Receiver())
        assert ours.send_application_data(b"to aiortc")
        link.flush()
        assert await asyncio.wait_for(got.get(), 5) == b"to aiortc"
        await link.dtls._send_data(b"from aiortc")
        assert [e.data for e in link.events if isinstance(e, DtlsApplicationData)] == [
            b"from aiortc"
        ]

        if closer == "us":
            ours.close()
            link.flush()
            for _ in range(100):
                if link.dtls.state == "closed":
                    break
                await asyncio.sleep(0.01)
            assert link.dtls.state == "closed"
        else:
            await link.dtls.stop()
            assert ours.state == "closed"
            assert link.events[-1] == DtlsStateChanged("closed")
    finally:
        await link.stop()


def test_timer_woken_early_waits_for_openssl(certs):
    """A timer that fires a little before OpenSSL's (as the caller's clock sees it) is
    re-armed rather than resending: OpenSSL then resends with a new sequence number."""
    mine = certs[0]
    start = time.monotonic()
    ours = DtlsTransport(mine.certificate, mine.private_key)
    ours.run("client", sha256(certs[1]), _now_ms(start))
    (hello,) = ours.datagrams_to_send()
    deadline = ours.next_deadline()
    time.sleep(max(0.0, (deadline - _now_ms(start) - 50) / 1000))
    # Our clock says the deadline has come; OpenSSL's has about 50 ms to go.
    ours.handle_timer(deadline)
    assert ours.datagrams_to_send() == []
    assert deadline < ours.next_deadline() <= deadline + 100
    time.sleep(max(0.0, (ours.next_deadline() - _now_ms(start)) / 1000) + 0.005)
    ours.handle_timer(_now_ms(start))
    (again,) = ours.datagrams_to_send()
    assert again != hello and again[13:] == hello[13:]  # OpenSSL's own retransmission
    assert ours.state == "connecting"
