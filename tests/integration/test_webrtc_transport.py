"""WebRtcTransport against the real worker, with a remote peer built from our own sans-IO
cores (core.stun for the ICE checks, core.dtls as the client DTLS, core.srtp), over real
sockets on 127.0.0.1.

* the happy path: ICE completed, DTLS connected (with the peer's certificate in
  ``dtlsRemoteCert``), SRTP RTP from the peer reaching a consumer on a PlainTransport,
  transport-cc feedback back to the peer, restartIce keeping the media, close_notify on
  close; the send side (abs-send-time and transport-wide sequence numbers in the RTP a
  WebRtcTransport consumer sends);
* ICE over TCP (RFC 4571), and a closed TCP connection taking its tuple away
  ('disconnected'), then a new connection bringing the transport back;
* failures, each a test: a wrong ICE password and an unknown username fragment (401, no
  state change), a peer certificate that does not match the fingerprint given to connect()
  ('failed', no media), RTP before DTLS (dropped and counted), a peer that goes silent
  (consent expires: 'disconnected', then recovery on a new tuple), a remote close_notify
  ('closed').

Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import logging
import os
import struct
import time
from collections.abc import Callable
from typing import Any

import pytest

from pymediasoup_worker.core.dtls import DtlsStateChanged, DtlsTransport
from pymediasoup_worker.core.rtp.packet import RtpPacket
from pymediasoup_worker.core.rtp.rtcp import CompoundPacket
from pymediasoup_worker.core.rtp.rtcp.twcc import FeedbackRtpTransportPacket
from pymediasoup_worker.core.srtp import SrtpSessionPair
from pymediasoup_worker.core.stun import StunClass, StunPacket, parse
from pymediasoup_worker.rtc.dtls_certificate import DtlsCertificate, fingerprint

from ._helpers import (
    CONSUMER_RTP_CAPABILITIES,
    MID_URI,
    EventRecorder,
    rtp_packet,
    worker_router,
)

LOCALHOST = "127.0.0.1"
TIMEOUT = 5.0
TCC_URI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
AUDIO_SSRC = 41110001
OPUS_PT = 111
MID_ID, TCC_ID = 1, 5


def now_ms() -> int:
    return time.monotonic_ns() // 1_000_000


@pytest.fixture(scope="module")
def cert() -> DtlsCertificate:
    return DtlsCertificate.generate()


@pytest.fixture(scope="module")
def other_cert() -> DtlsCertificate:
    return DtlsCertificate.generate()


def dtls_parameters(cert: DtlsCertificate, role: str = "client") -> dict[str, Any]:
    return {
        "role": role,
        "fingerprints": [
            {"algorithm": "sha-256", "value": fingerprint(cert.certificate, "sha-256")}
        ],
    }


# --- The remote peer -------------------------------------------------------------------


class UdpLink(asyncio.DatagramProtocol):
    """One UDP socket of the peer, sending to the transport's UDP candidate."""

    def __init__(self, peer: Peer, remote: tuple[str, int]) -> None:
        self.peer = peer
        self.remote = remote
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.peer.on_data(self, data)

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def send(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.sendto(data, self.remote)

    async def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class TcpLink:
    """One TCP connection of the peer to the transport's TCP candidate (RFC 4571 frames)."""

    def __init__(self, peer: Peer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.peer = peer
        self.reader = reader
        self.writer = writer
        self.port = int(writer.get_extra_info("sockname")[1])
        self.task = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            while True:
                size = struct.unpack("!H", await self.reader.readexactly(2))[0]
                self.peer.on_data(self, await self.reader.readexactly(size))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass

    def send(self, data: bytes) -> None:
        self.writer.write(struct.pack("!H", len(data)) + data)

    async def close(self) -> None:
        self.writer.close()
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass


Link = UdpLink | TcpLink


class Peer:
    """The other end of a WebRtcTransport: ICE controlling agent, DTLS, SRTP."""

    def __init__(self, transport: Any, cert: DtlsCertificate) -> None:
        self.transport = transport
        self.cert = cert
        self.ufrag = "peerufrag"
        self.dtls = DtlsTransport(cert.certificate, cert.private_key)
        self.dtls_link: Link | None = None
        self.dtls_states: list[str] = []
        self.srtp: SrtpSessionPair | None = None
        self.stun: asyncio.Queue[StunPacket] = asyncio.Queue()
        self.media: asyncio.Queue[bytes] = asyncio.Queue()
        self.links: list[Link] = []

    def candidate(self, protocol: str) -> tuple[str, int]:
        candidate = next(c for c in self.transport.ice_candidates if c["protocol"] == protocol)
        return candidate["ip"], candidate["port"]

    async def open_udp(self) -> UdpLink:
        link = UdpLink(self, self.candidate("udp"))
        await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: link, local_addr=(LOCALHOST, 0)
        )
        self.links.append(link)
        return link

    async def open_tcp(self) -> TcpLink:
        reader, writer = await asyncio.open_connection(*self.candidate("tcp"))
        link = TcpLink(self, reader, writer)
        self.links.append(link)
        return link

    async def close(self) -> None:
        for link in self.links:
            await link.close()

    # Input, dispatched as RFC 7983 says.
    def on_data(self, link: Link, data: bytes) -> None:
        first = data[0] if data else 255
        if first < 4:
            self.stun.put_nowait(parse(data))
        elif 19 < first < 64:
            self.dtls.receive(data, now_ms())
            self._flush_dtls()
        elif 127 < first < 192:
            self.media.put_nowait(data)

    # ICE.
    def stun_request(
        self, *, use_candidate: bool = True, ufrag: str | None = None, password: str | None = None
    ) -> StunPacket:
        ice = self.transport.ice_parameters
        request = StunPacket(
            StunClass.REQUEST,
            transaction_id=os.urandom(12),
            username=f"{ufrag or ice['usernameFragment']}:{self.ufrag}",
            priority=1853817087,
            ice_controlling=0x1122334455667788,
            use_candidate=use_candidate,
        )
        request.authenticate(password or ice["password"])
        return request

    async def check(self, link: Link, **options: Any) -> StunPacket:
        """One connectivity check on ``link``: its response (success or error)."""
        request = self.stun_request(**options)
        link.send(bytes(request))
        deadline = time.monotonic() + TIMEOUT
        while True:
            response = await asyncio.wait_for(self.stun.get(), deadline - time.monotonic())
            if response.transaction_id == request.transaction_id:
                return response

    # DTLS.
    def _flush_dtls(self) -> None:
        for datagram in self.dtls.datagrams_to_send():
            assert self.dtls_link is not None
            self.dtls_link.send(datagram)
        while (event := self.dtls.next_event()) is not None:
            if isinstance(event, DtlsStateChanged):
                self.dtls_states.append(event.state)
                if event.state == "connected":
                    assert event.srtp_crypto_suite and event.srtp_local_key
                    assert event.srtp_remote_key
                    self.srtp = SrtpSessionPair(
                        event.srtp_crypto_suite, event.srtp_local_key, event.srtp_remote_key
                    )

    async def handshake(self, link: Link, want: str = "connected") -> None:
        """Run DTLS as the client toward the transport's fingerprint on ``link``."""
        self.dtls_link = link
        self.dtls.run("client", self.transport.dtls_parameters["fingerprints"][0], now_ms())
        self._flush_dtls()
        await self.wait_dtls(want)

    async def wait_dtls(self, want: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while want not in self.dtls_states:
            if time.monotonic() > deadline:
                raise TimeoutError(f"DTLS states {self.dtls_states}, wanted {want!r}")
            self.dtls.handle_timer(now_ms())
            self._flush_dtls()
            await asyncio.sleep(0.01)

    # Media.
    def send_rtp(self, link: Link, data: bytes) -> None:
        assert self.srtp is not None
        protected = self.srtp.send.protect_rtp(data)
        assert protected is not None
        link.send(protected)

    async def recv_media(
        self, want: Callable[[bytes], bool], count: int = 1, timeout: float = TIMEOUT
    ) -> list[bytes]:
        """Decrypted RTP / RTCP for which ``want`` holds, until ``count`` of them."""
        assert self.srtp is not None
        found: list[bytes] = []
        deadline = time.monotonic() + timeout
        while len(found) < count:
            data = await asyncio.wait_for(self.media.get(), deadline - time.monotonic())
            if is_rtcp(data):
                plain = self.srtp.recv.unprotect_rtcp(data)
            else:
                plain = self.srtp.recv.unprotect_rtp(data)
            if plain is not None and want(plain):
                found.append(plain)
        return found

    async def connect(self, link: Link, *, use_candidate: bool = True) -> None:
        """ICE check, connect() (we are the DTLS client), handshake."""
        response = await self.check(link, use_candidate=use_candidate)
        assert response.klass == StunClass.SUCCESS_RESPONSE
        await self.transport.connect(dtls_parameters=dtls_parameters(self.cert))
        await self.handshake(link)


class Receiver(asyncio.DatagramProtocol):
    """The plain RTP endpoint of a consumer's PlainTransport."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    @classmethod
    async def open(cls) -> Receiver:
        receiver = cls()
        await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: receiver, local_addr=(LOCALHOST, 0)
        )
        return receiver

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if not is_rtcp(data):
            self.queue.put_nowait(data)

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    async def payloads(self, count: int, timeout: float = TIMEOUT) -> list[bytes]:
        out: list[bytes] = []
        deadline = time.monotonic() + timeout
        while len(out) < count:
            data = await asyncio.wait_for(self.queue.get(), deadline - time.monotonic())
            out.append(RtpPacket.parse(data).payload)
        return out

    def drain(self) -> list[bytes]:
        out = []
        while not self.queue.empty():
            out.append(RtpPacket.parse(self.queue.get_nowait()).payload)
        return out


def is_rtcp(data: bytes) -> bool:
    return len(data) >= 4 and 192 <= data[1] <= 223


def opus(seq: int, wide_seq: int | None = None) -> bytes:
    extensions = {MID_ID: b"0"}
    if wide_seq is not None:
        extensions[TCC_ID] = struct.pack("!H", wide_seq & 0xFFFF)
    return rtp_packet(
        payload_type=OPUS_PT,
        sequence_number=seq,
        timestamp=seq * 960,
        ssrc=AUDIO_SSRC,
        payload=b"\xfc" + seq.to_bytes(4, "big") + b"\x00" * 20,
        extensions=extensions,
    )


def opus_seq(payload: bytes) -> int:
    return int.from_bytes(payload[1:5], "big")


def audio_rtp_parameters() -> dict[str, Any]:
    return {
        "mid": "0",
        "codecs": [
            {
                "mimeType": "audio/opus",
                "payloadType": OPUS_PT,
                "clockRate": 48000,
                "channels": 2,
                "rtcpFeedback": [{"type": "transport-cc"}],
            }
        ],
        "headerExtensions": [{"uri": MID_URI, "id": MID_ID}, {"uri": TCC_URI, "id": TCC_ID}],
        "encodings": [{"ssrc": AUDIO_SSRC}],
        "rtcp": {"cname": "peer-audio", "reducedSize": True},
    }


async def media_path(router: Any, transport: Any) -> tuple[Any, Any, Receiver]:
    """An audio Producer on ``transport``, consumed on a PlainTransport toward a Receiver."""
    producer = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
    receiver = await Receiver.open()
    plain = await router.create_plain_transport(listen_ip=LOCALHOST, rtcp_mux=True)
    await plain.connect(ip=LOCALHOST, port=receiver.port)
    consumer = await plain.consume(
        producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
    )
    return producer, consumer, receiver


async def settle(seconds: float = 0.2) -> None:
    await asyncio.sleep(seconds)


class WorkerLog(logging.Handler):
    """The worker's log lines, as the controller receives them."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self._logger = logging.getLogger("pymediasoup.worker")
        self._level = self._logger.level

    def __enter__(self) -> WorkerLog:
        self._logger.addHandler(self)
        self._logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


# --- The happy path ----------------------------------------------------------------------


async def test_ice_dtls_srtp_to_a_plain_consumer(cert: DtlsCertificate) -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=[LOCALHOST])
        ice = EventRecorder(transport, "icestatechange")
        tuples = EventRecorder(transport, "iceselectedtuplechange")
        dtls = EventRecorder(transport, "dtlsstatechange")
        _producer, consumer, receiver = await media_path(router, transport)
        peer = Peer(transport, cert)
        try:
            link = await peer.open_udp()
            response = await peer.check(link)
            assert response.klass == StunClass.SUCCESS_RESPONSE
            assert response.xor_mapped_address == (LOCALHOST, link.port)
            assert response.check_message_integrity(transport.ice_parameters["password"])
            await ice.wait(1)
            assert ice.calls == [("completed",)]
            await tuples.wait(1)
            selected = tuples.calls[0][0]
            assert selected["remotePort"] == link.port and selected["protocol"] == "udp"
            assert selected["localPort"] == peer.candidate("udp")[1]

            local_role = await transport.connect(dtls_parameters=dtls_parameters(cert))
            assert local_role is None
            assert transport.dtls_parameters["role"] == "server"
            await peer.handshake(link)
            await dtls.wait(2)
            assert [c[0] for c in dtls.calls] == ["connecting", "connected"]
            assert transport.dtls_remote_cert == cert.certificate_pem().decode()

            for seq in range(1, 21):
                peer.send_rtp(link, opus(seq, wide_seq=seq))
            payloads = await receiver.payloads(20)
            assert [opus_seq(p) for p in payloads] == list(range(1, 21))

            # transport-cc feedback comes back as SRTCP, about the wide sequence numbers.
            def transport_cc(data: bytes) -> bool:
                return is_rtcp(data) and any(
                    isinstance(p, FeedbackRtpTransportPacket) for p in CompoundPacket.parse(data)
                )

            feedback = await peer.recv_media(transport_cc)
            packet = next(
                p
                for p in CompoundPacket.parse(feedback[0])
                if isinstance(p, FeedbackRtpTransportPacket)
            )
            assert packet.media_ssrc == AUDIO_SSRC
            reported = [r.sequence_number for r in packet.get_packet_results() if r.received]
            assert reported and set(reported) <= set(range(2, 21))

            stats = (await transport.get_stats())[0]
            assert stats["iceState"] == "completed" and stats["dtlsState"] == "connected"
            assert stats["iceSelectedTuple"] == selected
            assert stats["rtpBytesReceived"] > 0 and stats["bytesSent"] > 0
            assert (await consumer.get_stats())[0]["packetCount"] == 20

            # restartIce: media goes on on the current tuple; the new credentials work.
            await transport.restart_ice()
            for seq in range(21, 26):
                peer.send_rtp(link, opus(seq, wide_seq=seq))
            assert [opus_seq(p) for p in await receiver.payloads(5)] == list(range(21, 26))
            response = await peer.check(link)
            assert response.klass == StunClass.SUCCESS_RESPONSE
            assert ice.calls == [("completed",)]

            # Closing the transport says close_notify.
            transport.close()
            await peer.wait_dtls("closed")
        finally:
            await peer.close()
            receiver.close()


async def test_outgoing_rtp_carries_abs_send_time_and_wide_seq(cert: DtlsCertificate) -> None:
    """A video consumer on a WebRtcTransport: the RTP it sends has abs-send-time and
    consecutive transport-wide sequence numbers under the consumer's extension ids."""
    async with worker_router() as (_worker, router):
        sender = await Receiver.open()  # a plain UDP socket, used here to send
        plain = await router.create_plain_transport(listen_ip=LOCALHOST, comedia=True)
        producer = await plain.produce(
            kind="video",
            rtp_parameters={
                "codecs": [
                    {
                        "mimeType": "video/VP8",
                        "payloadType": 96,
                        "clockRate": 90000,
                        "rtcpFeedback": [{"type": "nack", "parameter": "pli"}],
                    }
                ],
                "headerExtensions": [],
                "encodings": [{"ssrc": 51110001}],
                "rtcp": {"cname": "plain-video", "reducedSize": True},
            },
        )
        transport = await router.create_webrtc_transport(listen_ips=[LOCALHOST])
        capabilities = {
            **CONSUMER_RTP_CAPABILITIES,
            "headerExtensions": [
                *CONSUMER_RTP_CAPABILITIES["headerExtensions"],
                {"kind": "video", "uri": ABS_SEND_TIME_URI, "preferredId": 4},
            ],
        }
        consumer = await transport.consume(producer_id=producer.id, rtp_capabilities=capabilities)
        ids = {e["uri"]: e["id"] for e in consumer.rtp_parameters["headerExtensions"]}
        ssrc = consumer.rtp_parameters["encodings"][0]["ssrc"]
        peer = Peer(transport, cert)
        try:
            link = await peer.open_udp()
            await peer.connect(link)
            port = plain.tuple["localPort"]
            assert sender.transport is not None
            for seq in range(1, 41):
                key_frame = seq % 10 == 1
                payload = b"\x10" + (b"\x00" if key_frame else b"\x01") + bytes(60)
                data = RtpPacket.create(96, seq, seq * 3000, 51110001, payload, marker=True)
                sender.transport.sendto(data.serialize(), (LOCALHOST, port))
                await asyncio.sleep(0.005)

            def of_consumer(data: bytes) -> bool:
                return not is_rtcp(data) and RtpPacket.parse(data).ssrc == ssrc

            packets = [RtpPacket.parse(d) for d in await peer.recv_media(of_consumer, 10)]
            wide = [p.read_transport_wide_cc01(ids[TCC_URI]) or 0 for p in packets]
            assert all(p.read_transport_wide_cc01(ids[TCC_URI]) is not None for p in packets)
            assert all((b - a) & 0xFFFF == 1 for a, b in zip(wide, wide[1:], strict=False))
            abs_send_times = [p.read_abs_send_time(ids[ABS_SEND_TIME_URI]) for p in packets]
            assert None not in abs_send_times and len(set(abs_send_times)) > 1
        finally:
            await peer.close()
            sender.close()


async def test_ice_over_tcp_and_a_closed_connection(cert: DtlsCertificate) -> None:
    """ICE, DTLS and media over a TCP candidate; closing the connection removes its tuple
    ('disconnected'); a new connection brings everything back."""
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(
            listen_ips=[LOCALHOST], enable_udp=True, enable_tcp=True, prefer_tcp=True
        )
        priorities = {c["protocol"]: c["priority"] for c in transport.ice_candidates}
        assert priorities["tcp"] > priorities["udp"]
        ice = EventRecorder(transport, "icestatechange")
        tuples = EventRecorder(transport, "iceselectedtuplechange")
        _producer, _consumer, receiver = await media_path(router, transport)
        peer = Peer(transport, cert)
        try:
            link = await peer.open_tcp()
            await peer.connect(link)
            assert tuples.calls[-1][0]["protocol"] == "tcp"
            for seq in range(1, 6):
                peer.send_rtp(link, opus(seq))
            assert [opus_seq(p) for p in await receiver.payloads(5)] == [1, 2, 3, 4, 5]

            await link.close()
            await ice.wait(2)
            assert ice.calls == [("completed",), ("disconnected",)]
            assert (await transport.dump()).get("iceSelectedTuple") is None

            link2 = await peer.open_tcp()
            response = await peer.check(link2)
            assert response.klass == StunClass.SUCCESS_RESPONSE
            await ice.wait(3)
            assert ice.calls[-1] == ("completed",)
            assert tuples.calls[-1][0]["remotePort"] == link2.port
            # DTLS stayed connected: media on the new connection at once.
            for seq in range(6, 11):
                peer.send_rtp(link2, opus(seq))
            assert [opus_seq(p) for p in await receiver.payloads(5)] == [6, 7, 8, 9, 10]
            assert transport.dtls_state == "connected"
        finally:
            await peer.close()
            receiver.close()


async def test_media_on_a_second_tuple_selects_it(cert: DtlsCertificate) -> None:
    """Several valid tuples: media arriving on another one makes it the selected tuple."""
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=[LOCALHOST])
        tuples = EventRecorder(transport, "iceselectedtuplechange")
        _producer, _consumer, receiver = await media_path(router, transport)
        peer = Peer(transport, cert)
        try:
            link = await peer.open_udp()
            await peer.connect(link)
            link2 = await peer.open_udp()
            response = await peer.check(link2, use_candidate=False)
            assert response.klass == StunClass.SUCCESS_RESPONSE
            await settle(0.1)
            assert [c[0]["remotePort"] for c in tuples.calls] == [link.port]
            for seq in range(1, 4):
                peer.send_rtp(link2, opus(seq))
            assert [opus_seq(p) for p in await receiver.payloads(3)] == [1, 2, 3]
            await tuples.wait(2)
            assert tuples.calls[-1][0]["remotePort"] == link2.port
        finally:
            await peer.close()
            receiver.close()


# --- Failures ----------------------------------------------------------------------------


async def test_wrong_ice_password_gets_401_and_no_state_change(cert: DtlsCertificate) -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=[LOCALHOST])
        ice = EventRecorder(transport, "icestatechange")
        peer = Peer(transport, cert)
        try:
            link = await peer.open_udp()
            response = await peer.check(link, password="not-the-password-0123456789abcdef")
            assert response.klass == StunClass.ERROR_RESPONSE
            assert response.error_code == 401
            await settle()
            assert ice.count == 0
            dump = await transport.dump()
            assert dump["iceState"] == "new" and "iceSelectedTuple" not in dump
        finally:
            await peer.close()


async def test_unknown_username_fragment_gets_401(cert: DtlsCertificate) -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=[LOCALHOST])
        ice = EventRecorder(transport, "icestatechange")
        peer = Peer(transport, cert)
        try:
            link = await peer.open_udp()
            response = await peer.check(link, ufrag="someoneelse12345")
            assert response.klass == StunClass.ERROR_RESPONSE
            assert response.error_code == 401
            await settle()
            assert ice.count == 0
            assert (await transport.dump())["iceState"] == "new"
        finally:
            await peer.close()


async def test_certificate_not_matching_the_fingerprint_fails(
    cert: DtlsCertificate, other_cert: DtlsCertificate
) -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=[LOCALHOST])
        dtls = EventRecorder(transport, "dtlsstatechange")
        producer, _consumer, receiver = await media_path(router, transport)
        peer = Peer(transport, cert)
        try:
            link = await peer.open_udp()
            assert (await peer.check(link)).klass == StunClass.SUCCESS_RESPONSE
            # connect() announces another certificate than the one the peer uses.
            await transport.connect(dtls_parameters=dtls_parameters(other_cert))
            # The peer's own handshake completes (it checks our real fingerprint) ...
            await peer.handshake(link)
            await dtls.wait(2)
            assert [c[0] for c in dtls.calls] == ["connecting", "failed"]
            assert transport.dtls_state == "failed"
            # ... but its media goes nowhere.
            for seq in range(1, 11):
                peer.send_rtp(link, opus(seq))
            await settle()
            assert receiver.drain() == []
            assert await producer.get_stats() == []
            assert (await transport.get_stats())[0]["rtpBytesReceived"] == 0
        finally:
            await peer.close()
            receiver.close()


async def test_rtp_before_dtls_is_dropped_and_counted(cert: DtlsCertificate) -> None:
    with WorkerLog() as log:
        async with worker_router(log_level="debug", log_tags=["rtp"]) as (_worker, router):
            transport = await router.create_webrtc_transport(listen_ips=[LOCALHOST])
            _producer, _consumer, receiver = await media_path(router, transport)
            peer = Peer(transport, cert)
            try:
                link = await peer.open_udp()
                assert (await peer.check(link)).klass == StunClass.SUCCESS_RESPONSE
                # Plain RTP (no keys exist yet) before DTLS: dropped, each one counted.
                for seq in range(1, 6):
                    link.send(opus(seq))
                await settle()
                dropped = [line for line in log.lines if "while DTLS not connected" in line]
                assert len(dropped) == 5 and dropped[-1].endswith("[dropped:5]")
                assert receiver.drain() == []

                await transport.connect(dtls_parameters=dtls_parameters(cert))
                await peer.handshake(link)
                for seq in range(6, 9):
                    peer.send_rtp(link, opus(seq))
                assert [opus_seq(p) for p in await receiver.payloads(3)] == [6, 7, 8]
            finally:
                await peer.close()
                receiver.close()


async def test_silent_peer_disconnects_then_recovers_on_a_new_tuple(
    cert: DtlsCertificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Test-only knob read by the worker: ICE consent expires after 600 ms of silence.
    monkeypatch.setenv("PYMEDIASOUP_TEST_ICE_CONSENT_TIMEOUT_MS", "600")
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=[LOCALHOST])
        ice = EventRecorder(transport, "icestatechange")
        tuples = EventRecorder(transport, "iceselectedtuplechange")
        _producer, consumer, receiver = await media_path(router, transport)
        peer = Peer(transport, cert)
        try:
            link = await peer.open_udp()
            await peer.connect(link)
            for seq in range(1, 4):
                peer.send_rtp(link, opus(seq))
            assert [opus_seq(p) for p in await receiver.payloads(3)] == [1, 2, 3]

            # The peer goes silent (media does not refresh consent, only STUN does).
            await ice.wait(2, timeout=3.0)
            assert ice.calls == [("completed",), ("disconnected",)]
            assert transport.dtls_state == "connected"  # DTLS itself is not torn down
            # Its packets are not accepted any more (the tuple is no longer valid).
            peer.send_rtp(link, opus(4))
            await settle()
            assert receiver.drain() == []

            # The peer comes back from another address: consent again, media again.
            link2 = await peer.open_udp()
            assert (await peer.check(link2)).klass == StunClass.SUCCESS_RESPONSE
            await ice.wait(3)
            assert ice.calls[-1] == ("completed",)
            assert tuples.calls[-1][0]["remotePort"] == link2.port
            for seq in range(5, 8):
                peer.send_rtp(link2, opus(seq))
            assert [opus_seq(p) for p in await receiver.payloads(3)] == [5, 6, 7]
            assert (await consumer.get_stats())[0]["packetCount"] == 6
        finally:
            await peer.close()
            receiver.close()


async def test_remote_close_notify_closes_dtls(cert: DtlsCertificate) -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=[LOCALHOST])
        dtls = EventRecorder(transport, "dtlsstatechange")
        _producer, _consumer, receiver = await media_path(router, transport)
        peer = Peer(transport, cert)
        try:
            link = await peer.open_udp()
            await peer.connect(link)
            peer.dtls.close()
            peer._flush_dtls()
            await dtls.wait(3)
            assert [c[0] for c in dtls.calls] == ["connecting", "connected", "closed"]
            peer.send_rtp(link, opus(1))
            await settle()
            assert receiver.drain() == []
        finally:
            await peer.close()
            receiver.close()
