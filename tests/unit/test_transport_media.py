"""The transport side of the media path, in process: no sockets, no clock, no event loop.

PlainTransport / PipeTransport / DirectTransport over fake UDP sockets (datagrams are
handed to the transport's per-datagram entry; sends are recorded), a fake clock and a
fake timer service. Producers and Consumers are stand-ins that record what the
Transport calls on them (the interface of docs/dev/worker-object-graph.md), so these
rows check the Transport alone: demultiplexing, tuples and comedia, SRTP, the RTCP
dispatch (mediasoup's HandleRtcpPacket), the RTCP timer and its interval, counters.
One test at the end wires a real UdpSocket to check that a handler's exception never
escapes the socket callback.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any

import pytest

from pymediasoup_worker.channel.channel_request import ChannelRequest
from pymediasoup_worker.core.rate_calculator import RateCalculator
from pymediasoup_worker.core.rtp.packet import RtpPacket
from pymediasoup_worker.core.rtp.rtcp import (
    ByePacket,
    CompoundPacket,
    DelaySinceLastRr,
    ExtendedReportPacket,
    FeedbackPsFirPacket,
    FeedbackPsPliPacket,
    FeedbackPsRembPacket,
    FeedbackRtpNackPacket,
    ReceiverReport,
    ReceiverReportPacket,
    SdesChunk,
    SdesPacket,
    SenderReportPacket,
)
from pymediasoup_worker.core.srtp import SrtpSessionPair
from pymediasoup_worker.rtc.direct_transport import DirectTransport
from pymediasoup_worker.rtc.pipe_transport import PipeTransport
from pymediasoup_worker.rtc.plain_transport import PlainTransport
from pymediasoup_worker.rtc.producer import ReceiveRtpPacketResult
from pymediasoup_worker.rtc.shared import Shared
from pymediasoup_worker.rtc.transport import (
    MTU_SIZE,
    RTP_PROBATION_SSRC,
    Transport,
)

PEER = ("127.0.0.1", 50000)
PRODUCER_SSRC = 1111
CONSUMER_SSRC = 2222
CONSUMER_RTX_SSRC = 2223


# --- Fakes -------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100_000

    def __call__(self) -> int:
        return self.now


class Timers:
    """One-shot timers as loop.call_later: armed (delay, callback) pairs, fired by hand."""

    def __init__(self) -> None:
        self.armed: list[list[Any]] = []

    def set_timer(self, delay_ms: int, callback: Any) -> Any:
        entry = [delay_ms, callback]
        self.armed.append(entry)
        timers = self

        class Handle:
            def cancel(self) -> None:
                if entry in timers.armed:
                    timers.armed.remove(entry)

        return Handle()

    def fire(self) -> int:
        delay, callback = self.armed.pop(0)
        callback()
        return int(delay)


class Channel:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.payloads: list[tuple[str, str, Any, bytes]] = []

    def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def notify(self, target_id: str, event: str, data: Any = None, payload: Any = None) -> None:
        if payload is None:
            self.sent.append({"targetId": target_id, "event": event, "data": data})
        else:
            self.payloads.append((target_id, event, data, payload))

    def events(self, target_id: str) -> list[tuple[str, Any]]:
        return [(m["event"], m.get("data")) for m in self.sent if m.get("targetId") == target_id]


class FakeUdpSocket:
    def __init__(self, port: int, on_packet: Any) -> None:
        self.local_ip = "127.0.0.1"
        self.local_port = port
        self.on_packet = on_packet
        self.sent: list[tuple[bytes, tuple[str, int]]] = []
        self.closed = False

    def send(self, data: bytes | bytearray, addr: tuple[str, int]) -> bool:
        # A packet's own buffer may be sent (plain RTP): a real socket has copied it by
        # the time send() returns, so this one keeps a copy too.
        assert isinstance(data, (bytes, bytearray))
        self.sent.append((bytes(data), addr))
        return True

    def peer_sender(self, addr: tuple[str, int]) -> Any:
        return lambda data: self.send(data, addr)

    def close(self) -> None:
        self.closed = True

    def deliver(self, data: bytes, addr: tuple[str, int] = PEER) -> None:
        self.on_packet(self, data, addr)


class Env:
    def __init__(self) -> None:
        self.clock = Clock()
        self.timers = Timers()
        self.channel = Channel()
        self.sockets: list[FakeUdpSocket] = []
        self.shared = Shared(
            channel=self.channel,  # type: ignore[arg-type]
            payload_channel=self.channel,  # type: ignore[arg-type]
            settings=None,  # type: ignore[arg-type]
            now_ms=self.clock,
            spawn=lambda coro: None,
            bind_udp=self.bind_udp,
            set_timer=self.timers.set_timer,
        )
        self.router = RouterStub()

    def bind_udp(self, ip: str, on_packet: Any) -> FakeUdpSocket:
        sock = FakeUdpSocket(40000 + len(self.sockets), on_packet)
        self.sockets.append(sock)
        return sock

    def plain(self, **data: Any) -> PlainTransport:
        return PlainTransport(
            "t1", self.shared, self.router, {"listenIp": {"ip": "127.0.0.1"}, **data}
        )

    def pipe(self, **data: Any) -> PipeTransport:
        return PipeTransport(
            "t1", self.shared, self.router, {"listenIp": {"ip": "127.0.0.1"}, **data}
        )

    def direct(self) -> DirectTransport:
        return DirectTransport(
            "t1", self.shared, self.router, {"direct": True, "maxMessageSize": 262144}
        )

    def request(self, transport: Transport, method: str, data: dict[str, Any]) -> dict[str, Any]:
        req = ChannelRequest(self.channel, 1, method, {"transportId": transport.id}, data)  # type: ignore[arg-type]
        try:
            transport.handle_request(req)
        except Exception as exc:  # noqa: BLE001 - as the channel does
            return {"error": type(exc).__name__, "reason": str(exc)}
        return self.channel.sent[-1]


class RouterStub:
    def __init__(self) -> None:
        self.key_frame_requests: list[tuple[Any, int]] = []

    def on_transport_producer_closed(self, t: Any, producer: Any) -> None:
        pass

    def on_transport_consumer_closed(self, t: Any, consumer: Any) -> None:
        pass

    def on_transport_consumer_key_frame_requested(self, t: Any, consumer: Any, ssrc: int) -> None:
        self.key_frame_requests.append((consumer, ssrc))


class ProducerStub:
    def __init__(self, ssrc: int = PRODUCER_SSRC, kind: str = "video", blocks: int = 1) -> None:
        self.id = f"p{ssrc}"
        self.kind = kind
        self.ssrc = ssrc
        self.blocks = blocks
        self.result: Any = ReceiveRtpPacketResult.MEDIA
        self.rtp: list[RtpPacket] = []
        self.sender_reports: list[SenderReportPacket] = []
        self.dlrr: list[tuple[int, int, int]] = []

    def receive_rtp_packet(self, packet: RtpPacket, now_ms: int | None = None) -> Any:
        self.rtp.append(packet)
        return self.result

    def receive_rtcp_sender_report(self, report: SenderReportPacket) -> None:
        self.sender_reports.append(report)

    def receive_rtcp_xr_delay_since_last_rr(self, ssrc_info: tuple[int, int, int]) -> None:
        self.dlrr.append(ssrc_info)

    def get_rtcp(self, compound: CompoundPacket, now_ms: int) -> None:
        for n in range(self.blocks):
            compound.add_receiver_report(ReceiverReport(self.ssrc + n))

    def close(self) -> None:
        pass


class ConsumerStub:
    def __init__(
        self,
        ssrc: int = CONSUMER_SSRC,
        kind: str = "video",
        rate: int = 0,
        abs_send_time_id: int = 0,
    ) -> None:
        self.id = f"c{ssrc}"
        self.kind = kind
        self.ssrc = ssrc
        self.rate = rate
        self.rtp_header_extension_ids = {"absSendTime": abs_send_time_id}
        self.abs_send_time_id = abs_send_time_id
        self.nacks: list[FeedbackRtpNackPacket] = []
        self.key_frame_requests: list[tuple[str, int]] = []
        self.receiver_reports: list[ReceiverReport] = []
        self.with_sender_report = True

    def receive_nack(self, packet: FeedbackRtpNackPacket) -> None:
        self.nacks.append(packet)

    def receive_key_frame_request(self, fmt: str, ssrc: int) -> None:
        self.key_frame_requests.append((fmt, ssrc))

    def receive_rtcp_receiver_report(self, report: ReceiverReport) -> None:
        self.receiver_reports.append(report)

    def get_rtp_streams(self) -> list[str]:
        return ["stream"]

    def get_rtcp(self, compound: CompoundPacket, rtp_stream: Any, now_ms: int) -> None:
        if self.with_sender_report:
            compound.add_sender_report(SenderReportPacket(self.ssrc, 1, 2, 3, 4, 5))
            compound.add_sdes_chunk(SdesChunk(self.ssrc, [(1, b"cname")]))

    def get_transmission_rate(self, now_ms: int) -> int:
        return self.rate

    def transport_connected(self) -> None:
        pass

    def transport_disconnected(self) -> None:
        pass

    def close(self) -> None:
        pass


def add_producer(transport: Transport, producer: ProducerStub) -> None:
    transport.producers[producer.id] = producer
    transport.rtp_listener.ssrc_table[producer.ssrc] = producer


def add_consumer(transport: Transport, consumer: ConsumerStub, rtx: int = 0) -> None:
    transport.consumers[consumer.id] = consumer
    transport.map_ssrc_consumer[consumer.ssrc] = consumer
    if rtx:
        transport.map_rtx_ssrc_consumer[rtx] = consumer


def rtp(seq: int = 1, ssrc: int = PRODUCER_SSRC, size: int = 100) -> bytes:
    return RtpPacket.create(96, seq, seq * 3000, ssrc, bytes(size)).serialize()


@pytest.fixture
def env() -> Env:
    return Env()


# --- Receiving RTP ---------------------------------------------------------------------


def connected_plain(env: Env, **data: Any) -> PlainTransport:
    transport = env.plain(**data)
    env.request(transport, "transport.connect", {"ip": PEER[0], "port": PEER[1]})
    return transport


def test_rtp_reaches_the_producer_and_is_counted_by_its_verdict(env: Env) -> None:
    transport = connected_plain(env)
    producer = ProducerStub()
    add_producer(transport, producer)
    sock = env.sockets[0]
    sock.deliver(rtp(1))
    producer.result = ReceiveRtpPacketResult.RETRANSMISSION
    sock.deliver(rtp(2, size=50))
    producer.result = ReceiveRtpPacketResult.DISCARDED
    sock.deliver(rtp(3, size=10))
    assert [p.sequence_number for p in producer.rtp] == [1, 2, 3]
    stats = transport.get_stats()[0]
    assert stats["rtpBytesReceived"] == len(rtp(1))
    assert stats["rtxBytesReceived"] == len(rtp(2, size=50))
    assert stats["bytesReceived"] == len(rtp(1)) + len(rtp(2, size=50)) + len(rtp(3, size=10))


# Gaps (ms) between datagrams: inside one rate slot, across slot ends (10 ms for all
# bytes, 25 ms for RTP), past a whole window (1 s / 2.5 s) and back.
COUNTER_GAPS = [
    [0] * 20,
    [1, 2, 3, 4, 9, 10, 11, 24, 25, 26, 0, 0, 7],
    [3] * 400,
    [0, 0, 1_000, 0, 1_001, 5, 2_500, 0, 2_501, 1, 999, 9],
    [5, 1_200, 0, 0, 30, 2_400, 0, 10, 10, 10],
]


@pytest.mark.parametrize("gaps", COUNTER_GAPS)
@pytest.mark.parametrize("read_every", [0, 1, 7])
def test_receive_and_send_counters_match_per_packet_counting(
    env: Env, gaps: list[int], read_every: int
) -> None:
    """The batched counters read as one RateCalculator update per packet would, whether
    they are read often (every packet) or rarely (only at the end)."""
    transport = connected_plain(env)
    producer = ProducerStub()
    add_producer(transport, producer)
    consumer = ConsumerStub()
    add_consumer(transport, consumer)
    sock = env.sockets[0]
    all_bytes, rtp_bytes = RateCalculator(), RateCalculator(2500)
    sent_bytes, sent_rtp = RateCalculator(), RateCalculator(2500)
    checked = 0

    def check() -> None:
        now = env.clock.now
        stats = transport.get_stats()[0]
        for bytes_key, rate_key, reference in (
            ("bytesReceived", "recvBitrate", all_bytes),
            ("rtpBytesReceived", "rtpRecvBitrate", rtp_bytes),
            ("bytesSent", "sendBitrate", sent_bytes),
            ("rtpBytesSent", "rtpSendBitrate", sent_rtp),
        ):
            expected = (reference.bytes, reference.get_rate(now))
            assert (stats[bytes_key], stats[rate_key]) == expected, bytes_key

    for i, gap in enumerate(gaps):
        env.clock.now += gap
        now = env.clock.now
        data = rtp(i + 1, size=100 + i % 50)
        sock.deliver(data)
        all_bytes.update(len(data), now)
        rtp_bytes.update(len(data), now)
        if i % 3 == 0:
            garbage = bytes([0x80 | i % 4, 0]) + bytes(i % 30)  # counted, then dropped
            sock.deliver(garbage)
            all_bytes.update(len(garbage), now)
        packet = RtpPacket.parse(rtp(i + 1, ssrc=CONSUMER_SSRC, size=200 + i % 40))
        transport.on_consumer_send_rtp_packet(consumer, packet, now)
        sent_bytes.update(len(packet), now)
        sent_rtp.update(len(packet), now)
        if read_every and i % read_every == 0:
            check()
            checked += 1
    env.clock.now += 1
    check()
    assert checked == (0 if not read_every else len(range(0, len(gaps), read_every)))


def test_rtp_without_producer_or_from_elsewhere_is_dropped(env: Env) -> None:
    transport = connected_plain(env)
    producer = ProducerStub()
    add_producer(transport, producer)
    sock = env.sockets[0]
    sock.deliver(rtp(ssrc=999))
    assert transport.rtp_packets_dropped == 1
    sock.deliver(rtp(), ("127.0.0.1", 50001))
    sock.deliver(rtp(), ("127.0.0.2", 50000))
    assert transport.datagrams_ignored == 2
    assert producer.rtp == []


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x80",
        b"\x00" * 20,  # version 0
        b"\xc0" * 20,  # version 3
        b"\x80\x60\x00\x01",  # RTP type, 4 bytes: too short for RTP
        b"\x8f\x60" + bytes(10),  # 15 CSRCs announced, none there
        b"\x90\x60" + bytes(10) + b"\x00\x00\x00\x09",  # extension longer than the packet
        b"\xa0\x60" + bytes(10) + b"\xff",  # padding longer than the packet
        b"\xa0\x60" + bytes(10) + b"\x00",  # padding of 0 bytes
    ],
)
def test_garbage_is_dropped_and_counted(env: Env, data: bytes) -> None:
    transport = connected_plain(env)
    add_producer(transport, ProducerStub())
    env.sockets[0].deliver(data)
    assert transport.datagrams_ignored + transport.rtp_packets_dropped == 1
    assert transport.get_stats()[0]["bytesReceived"] == len(data)


def test_not_connected_ignores_everything(env: Env) -> None:
    transport = env.plain()
    producer = ProducerStub()
    add_producer(transport, producer)
    env.sockets[0].deliver(rtp())
    env.sockets[0].deliver(ReceiverReportPacket(5).serialize())
    assert producer.rtp == [] and transport.datagrams_ignored == 2
    assert transport.tuple is None and env.timers.armed == []


def test_comedia_learns_from_the_first_valid_rtp_packet(env: Env) -> None:
    transport = env.plain(comedia=True)
    producer = ProducerStub()
    add_producer(transport, producer)
    sock = env.sockets[0]
    sock.deliver(b"\x80\x60" + bytes(3))  # not a valid RTP packet: learns nothing
    assert transport.tuple is None
    sock.deliver(rtp(1))
    assert transport.tuple is not None and transport.tuple.remote_addr == PEER
    assert env.channel.events("t1") == [("tuple", {"tuple": transport.tuple.dump()})]
    assert len(env.timers.armed) == 1 and env.timers.armed[0][0] == 500  # RTCP timer
    sock.deliver(rtp(2), ("127.0.0.1", 50001))  # a second source does not move it
    assert transport.tuple.remote_addr == PEER and len(producer.rtp) == 1
    # Consumers' RTP now goes to the learnt address.
    consumer = ConsumerStub()
    add_consumer(transport, consumer)
    transport.on_consumer_send_rtp_packet(consumer, RtpPacket.parse(rtp(5, ssrc=CONSUMER_SSRC)))
    assert sock.sent == [(rtp(5, ssrc=CONSUMER_SSRC), PEER)]


def test_comedia_without_rtcp_mux_learns_the_rtcp_tuple(env: Env) -> None:
    transport = env.plain(comedia=True, rtcpMux=False)
    rtp_sock, rtcp_sock = env.sockets
    rtcp_sock.deliver(ReceiverReportPacket(5).serialize(), ("127.0.0.1", 50001))
    assert transport.rtcp_tuple is not None and transport.tuple is None
    assert env.channel.events("t1")[0][0] == "rtcptuple"
    rtp_sock.deliver(rtp())
    assert transport.tuple is not None
    transport.send_rtcp_packet(ReceiverReportPacket(7))
    assert rtcp_sock.sent == [(ReceiverReportPacket(7).serialize(), ("127.0.0.1", 50001))]
    assert rtp_sock.sent == []


def test_rtcp_mux_off_sends_rtcp_on_the_rtcp_tuple(env: Env) -> None:
    transport = env.plain(rtcpMux=False)
    env.request(
        transport, "transport.connect", {"ip": "127.0.0.1", "port": 50000, "rtcpPort": 50001}
    )
    rtp_sock, rtcp_sock = env.sockets
    consumer = ConsumerStub()
    add_consumer(transport, consumer)
    transport.on_consumer_send_rtp_packet(consumer, RtpPacket.parse(rtp(ssrc=CONSUMER_SSRC)))
    transport.send_rtcp_packet(ReceiverReportPacket(7))
    assert [addr for _d, addr in rtp_sock.sent] == [("127.0.0.1", 50000)]
    assert [addr for _d, addr in rtcp_sock.sent] == [("127.0.0.1", 50001)]
    # RTCP from the RTP address on the RTCP socket is not from the rtcpTuple.
    rtcp_sock.deliver(ReceiverReportPacket(5).serialize(), ("127.0.0.1", 50000))
    assert transport.datagrams_ignored == 1


# --- SRTP ------------------------------------------------------------------------------


REMOTE_KEY = bytes(range(30))


def srtp_plain(env: Env, comedia: bool = False) -> tuple[PlainTransport, SrtpSessionPair]:
    import base64

    transport = env.plain(
        comedia=comedia, enableSrtp=True, srtpCryptoSuite="AES_CM_128_HMAC_SHA1_80"
    )
    connect: dict[str, Any] = {
        "srtpParameters": {
            "cryptoSuite": "AES_CM_128_HMAC_SHA1_80",
            "keyBase64": base64.b64encode(REMOTE_KEY).decode(),
        }
    }
    if not comedia:
        connect.update(ip=PEER[0], port=PEER[1])
    assert "error" not in env.request(transport, "transport.connect", connect)
    peer = SrtpSessionPair("AES_CM_128_HMAC_SHA1_80", REMOTE_KEY, transport.srtp_key)
    return transport, peer


def test_srtp_in_and_out(env: Env) -> None:
    transport, peer = srtp_plain(env)
    producer = ProducerStub()
    add_producer(transport, producer)
    sock = env.sockets[0]
    sock.deliver(peer.send.protect_rtp(rtp(1)))  # type: ignore[arg-type]
    assert [p.serialize() for p in producer.rtp] == [rtp(1)]
    sock.deliver(rtp(2))  # not SRTP: fails authentication
    sock.deliver(peer.send.protect_rtp(rtp(1)))  # type: ignore[arg-type]  # replayed
    assert len(producer.rtp) == 1 and transport.datagrams_ignored == 2
    assert transport.srtp is not None and transport.srtp.recv.errors == 2
    # RTCP in, decrypted.
    sock.deliver(peer.send.protect_rtcp(SenderReportPacket(PRODUCER_SSRC).serialize()))  # type: ignore[arg-type]
    assert len(producer.sender_reports) == 1
    # Out: the peer decrypts what consumers send, and the RTCP.
    consumer = ConsumerStub()
    add_consumer(transport, consumer)
    transport.on_consumer_send_rtp_packet(consumer, RtpPacket.parse(rtp(9, ssrc=CONSUMER_SSRC)))
    transport.send_rtcp_packet(ReceiverReportPacket(7))
    (srtp_data, _), (srtcp_data, _) = sock.sent
    assert peer.recv.unprotect_rtp(srtp_data) == rtp(9, ssrc=CONSUMER_SSRC)
    assert peer.recv.unprotect_rtcp(srtcp_data) == ReceiverReportPacket(7).serialize()
    stats = transport.get_stats()[0]
    assert stats["bytesSent"] == len(srtp_data) + len(srtcp_data)
    assert stats["rtpBytesSent"] == len(rtp(9))


def test_srtp_too_long_is_not_sent(env: Env) -> None:
    transport, _peer = srtp_plain(env)
    consumer = ConsumerStub()
    add_consumer(transport, consumer)
    transport.on_consumer_send_rtp_packet(
        consumer, RtpPacket.parse(rtp(ssrc=CONSUMER_SSRC, size=1400))
    )
    assert env.sockets[0].sent == []
    assert transport.srtp is not None and transport.srtp.send.too_long == 1
    stats = transport.get_stats()[0]
    assert stats["bytesSent"] == 0 and stats["rtpBytesSent"] == 1412


def test_srtp_before_connect_and_comedia_learning(env: Env) -> None:
    transport = env.plain(comedia=True, enableSrtp=True, srtpCryptoSuite="AES_CM_128_HMAC_SHA1_80")
    add_producer(transport, ProducerStub())
    env.sockets[0].deliver(rtp(1))  # SRTP not ready: dropped, learns nothing
    assert transport.tuple is None and transport.datagrams_ignored == 1


def test_srtp_comedia_learns_only_from_packets_that_decrypt(env: Env) -> None:
    transport, peer = srtp_plain(env, comedia=True)
    producer = ProducerStub()
    add_producer(transport, producer)
    sock = env.sockets[0]
    stranger = SrtpSessionPair("AES_CM_128_HMAC_SHA1_80", bytes(30), bytes(30))
    sock.deliver(stranger.send.protect_rtp(rtp(1)), ("127.0.0.1", 50009))  # type: ignore[arg-type]
    sock.deliver(rtp(2), ("127.0.0.1", 50009))
    assert transport.tuple is None
    sock.deliver(peer.send.protect_rtcp(ReceiverReportPacket(5).serialize()))  # type: ignore[arg-type]
    assert transport.tuple is not None and transport.tuple.remote_addr == PEER


def test_recv_stream_closed_resets_the_srtp_stream(env: Env) -> None:
    transport, peer = srtp_plain(env)
    producer = ProducerStub()
    add_producer(transport, producer)
    protected = peer.send.protect_rtp(rtp(1))
    assert protected is not None
    env.sockets[0].deliver(protected)
    transport.recv_stream_closed(PRODUCER_SSRC)
    env.sockets[0].deliver(protected)  # accepted again: a new SRTP stream
    assert len(producer.rtp) == 2


@pytest.mark.parametrize(
    ("create", "connect", "key_length", "same_key"),
    [
        ("AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80", 30, True),
        ("AES_CM_128_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_80", 30, True),
        ("AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM", 28, False),
        ("AES_CM_128_HMAC_SHA1_80", "AEAD_AES_256_GCM", 44, False),
        ("AEAD_AES_256_GCM", "AEAD_AES_256_GCM", 44, True),
    ],
)
def test_connect_crypto_suite_rules(
    env: Env, create: str, connect: str, key_length: int, same_key: bool
) -> None:
    import base64

    transport = env.plain(enableSrtp=True, srtpCryptoSuite=create)
    created_key = transport.srtp_key
    remote = {"cryptoSuite": connect, "keyBase64": base64.b64encode(bytes(key_length)).decode()}
    reply = env.request(
        transport, "transport.connect", {"ip": "1.2.3.4", "port": 9, "srtpParameters": remote}
    )
    params = reply["data"]["srtpParameters"]
    assert params["cryptoSuite"] == connect
    assert len(base64.b64decode(params["keyBase64"])) == key_length
    assert (transport.srtp_key == created_key) == same_key
    assert transport.srtp is not None and transport.srtp.crypto_suite == connect


def test_connect_rejects_a_key_of_the_wrong_length(env: Env) -> None:
    import base64

    transport = env.plain(enableSrtp=True, srtpCryptoSuite="AES_CM_128_HMAC_SHA1_80")
    remote = {"cryptoSuite": "AEAD_AES_128_GCM", "keyBase64": base64.b64encode(bytes(30)).decode()}
    reply = env.request(
        transport, "transport.connect", {"ip": "1.2.3.4", "port": 9, "srtpParameters": remote}
    )
    assert reply == {"error": "MediaSoupTypeError", "reason": "invalid decoded SRTP key length"}
    assert transport.srtp is None and transport.srtp_crypto_suite == "AES_CM_128_HMAC_SHA1_80"


# --- RTCP in: mediasoup's HandleRtcpPacket ---------------------------------------------


@pytest.fixture
def wired(env: Env) -> tuple[PlainTransport, ProducerStub, ConsumerStub]:
    transport = connected_plain(env)
    producer, consumer = ProducerStub(), ConsumerStub()
    add_producer(transport, producer)
    add_consumer(transport, consumer, rtx=CONSUMER_RTX_SSRC)
    return transport, producer, consumer


def test_sender_report_to_producer_and_its_blocks_to_consumers(
    wired: tuple[PlainTransport, ProducerStub, ConsumerStub],
) -> None:
    transport, producer, consumer = wired
    block = ReceiverReport(CONSUMER_SSRC, fraction_lost=5)
    sr = SenderReportPacket(PRODUCER_SSRC, 10, 20, 30, 40, 50, [block, ReceiverReport(9)])
    transport.receive_rtcp_data(sr.serialize())
    assert producer.sender_reports == [sr]
    assert consumer.receiver_reports == [block]
    transport.receive_rtcp_data(SenderReportPacket(4444).serialize())  # unknown producer
    assert len(producer.sender_reports) == 1


def test_receiver_report_blocks_by_ssrc(
    wired: tuple[PlainTransport, ProducerStub, ConsumerStub],
) -> None:
    transport, _producer, consumer = wired
    blocks = [ReceiverReport(CONSUMER_SSRC, total_lost=3), ReceiverReport(RTP_PROBATION_SSRC),
              ReceiverReport(CONSUMER_RTX_SSRC), ReceiverReport(77)]  # fmt: skip
    transport.receive_rtcp_data(ReceiverReportPacket(9, blocks).serialize())
    assert consumer.receiver_reports == [blocks[0]]


def test_feedback_to_consumers(wired: tuple[PlainTransport, ProducerStub, ConsumerStub]) -> None:
    transport, _producer, consumer = wired
    nack = FeedbackRtpNackPacket.from_sequence_numbers(9, CONSUMER_SSRC, [5, 6, 30])
    fir = FeedbackPsFirPacket(9, 0, [(CONSUMER_SSRC, 1), (RTP_PROBATION_SSRC, 2), (77, 3)])
    compound = CompoundPacket(
        [
            ReceiverReportPacket(9),
            nack,
            FeedbackRtpNackPacket(9, 77, [(1, 0)]),  # unknown consumer
            FeedbackPsPliPacket(9, CONSUMER_SSRC),
            FeedbackPsPliPacket(9, RTP_PROBATION_SSRC),
            FeedbackPsPliPacket(9, 77),
            fir,
            FeedbackPsRembPacket(9, 0, 500000, [CONSUMER_SSRC]),
            SdesPacket([SdesChunk(9, [(1, b"x")])]),
            ByePacket([9]),
        ]
    )
    transport.receive_rtcp_data(compound.serialize())
    assert consumer.nacks == [nack]
    assert consumer.key_frame_requests == [("pli", CONSUMER_SSRC), ("fir", CONSUMER_SSRC)]
    assert transport.rtcp_packets_dropped == 0


def test_xr_dlrr_to_producers(wired: tuple[PlainTransport, ProducerStub, ConsumerStub]) -> None:
    transport, producer, _consumer = wired
    xr = ExtendedReportPacket(
        PRODUCER_SSRC, [DelaySinceLastRr([(0, 100, 200), (PRODUCER_SSRC, 1, 2), (77, 3, 4)])]
    )
    transport.receive_rtcp_data(xr.serialize())
    # An SSRC of 0 in a sub-block is the XR's own.
    assert producer.dlrr == [(PRODUCER_SSRC, 100, 200), (PRODUCER_SSRC, 1, 2)]


def test_malformed_rtcp(wired: tuple[PlainTransport, ProducerStub, ConsumerStub]) -> None:
    transport, producer, _consumer = wired
    good = SenderReportPacket(PRODUCER_SSRC).serialize()
    transport.receive_rtcp_data(good + b"\x81\xcd\x00\x09" + bytes(8))  # truncated NACK
    assert len(producer.sender_reports) == 1 and transport.rtcp_packets_dropped == 1
    transport.receive_rtcp_data(b"\x80\xc8\x00\x01" + bytes(4))  # SR without sender info
    transport.receive_rtcp_data(b"\x80\xc9\xff\xff")  # length past the end
    assert transport.rtcp_packets_dropped == 3


# --- RTP out -----------------------------------------------------------------------------


def test_send_paths_and_counters(env: Env) -> None:
    transport = env.plain()
    consumer = ConsumerStub()
    add_consumer(transport, consumer)
    packet = RtpPacket.parse(rtp(ssrc=CONSUMER_SSRC))
    transport.on_consumer_send_rtp_packet(consumer, packet)  # not connected: counted only
    assert env.sockets[0].sent == []
    env.request(transport, "transport.connect", {"ip": PEER[0], "port": PEER[1]})
    transport.on_consumer_send_rtp_packet(consumer, packet)
    transport.on_consumer_retransmit_rtp_packet(consumer, packet)
    assert env.sockets[0].sent == [(packet.serialize(), PEER)] * 2
    stats = transport.get_stats()[0]
    assert stats["rtpBytesSent"] == 2 * len(packet)
    assert stats["rtxBytesSent"] == len(packet)
    assert stats["bytesSent"] == 2 * len(packet)
    assert stats["rtpSendBitrate"] > 0 and stats["sendBitrate"] > 0


def test_abs_send_time_is_rewritten(env: Env) -> None:
    transport = connected_plain(env)
    consumer = ConsumerStub(abs_send_time_id=3)
    packet = RtpPacket.create(101, 1, 1, CONSUMER_SSRC, b"x", extensions=[(3, bytes(3))])
    env.clock.now = 64_000  # 64 s: 6.18 fixed point, 24 bits
    transport.on_consumer_send_rtp_packet(consumer, packet)
    assert packet.read_abs_send_time(3) == (64 << 18) & 0xFFFFFF


def test_key_frame_request_needs_a_connection(env: Env) -> None:
    transport = env.plain()
    consumer = ConsumerStub()
    transport.on_consumer_key_frame_requested(consumer, 5555)
    assert env.router.key_frame_requests == []
    env.request(transport, "transport.connect", {"ip": PEER[0], "port": PEER[1]})
    transport.on_consumer_key_frame_requested(consumer, 5555)
    assert env.router.key_frame_requests == [(consumer, 5555)]


def test_producer_feedback_goes_out_now(env: Env) -> None:
    transport = connected_plain(env)
    transport.on_producer_send_rtcp_packet(ProducerStub(), FeedbackPsPliPacket(1, PRODUCER_SSRC))
    assert env.sockets[0].sent == [(FeedbackPsPliPacket(1, PRODUCER_SSRC).serialize(), PEER)]


# --- The RTCP timer ------------------------------------------------------------------------


class FixedRandom:
    def __init__(self, value: int) -> None:
        self.value = value

    def randint(self, low: int, high: int) -> int:
        assert (low, high) == (5, 15)
        return self.value


@pytest.mark.parametrize(
    ("kinds", "rates_bps", "tenths", "expected_ms"),
    [
        ((), (), 10, 1000),  # nothing yet: the video maximum
        (("video",), (0,), 10, 1000),
        (("video",), (0,), 5, 500),
        (("video",), (0,), 15, 1500),
        (("audio",), (0,), 10, 5000),  # audio only: 5 s
        (("audio",), (36_000,), 10, 5000),  # 360000/36 = 10 s, capped
        (("audio",), (720_000,), 10, 500),
        (("video",), (720_000,), 15, 750),
        (("video", "audio"), (700_000, 20_000), 10, 500),  # rates in whole kbps, summed
        (("video",), (1_800_000,), 5, 100),
        (("video",), (3_600_000,), 5, 100),  # 50 ms: the floor
        (("video",), (400_000_000,), 10, 100),  # mediasoup 3.7.11 would say 0 here
        (("video",), (999,), 10, 1000),  # under 1 kbps counts as 0
    ],
)
def test_rtcp_interval(
    env: Env, kinds: tuple[str, ...], rates_bps: tuple[int, ...], tenths: int, expected_ms: int
) -> None:
    transport = connected_plain(env)
    for n, (kind, rate) in enumerate(zip(kinds, rates_bps, strict=True)):
        add_consumer(transport, ConsumerStub(ssrc=5000 + n, kind=kind, rate=rate))
    transport._rtcp_random = FixedRandom(tenths)  # type: ignore[assignment]
    assert transport.get_rtcp_interval_ms(env.clock.now) == expected_ms


def test_rtcp_interval_audio_producer_only(env: Env) -> None:
    transport = connected_plain(env)
    add_producer(transport, ProducerStub(kind="audio"))
    transport._rtcp_random = FixedRandom(10)  # type: ignore[assignment]
    assert transport.get_rtcp_interval_ms(0) == 5000


def test_rtcp_timer_sends_and_rearms_and_stops(env: Env) -> None:
    transport = env.plain()
    producer, consumer = ProducerStub(), ConsumerStub(rate=720_000)
    add_producer(transport, producer)
    add_consumer(transport, consumer)
    transport._rtcp_random = FixedRandom(10)  # type: ignore[assignment]
    assert env.timers.armed == []
    env.request(transport, "transport.connect", {"ip": PEER[0], "port": PEER[1]})
    assert [t[0] for t in env.timers.armed] == [500]
    env.timers.fire()
    sent = [CompoundPacket.parse(data) for data, _addr in env.sockets[0].sent]
    # One compound per consumer stream (SR + SDES), then one with the producers' RRs.
    assert [[type(p).__name__ for p in c] for c in sent] == [
        ["SenderReportPacket", "SdesPacket"],
        ["ReceiverReportPacket"],
    ]
    assert [t[0] for t in env.timers.armed] == [500]
    transport.close()
    assert env.timers.armed == []


def test_rtcp_timer_survives_a_failing_child(env: Env) -> None:
    transport = connected_plain(env)

    class Broken(ConsumerStub):
        def get_rtcp(self, compound: CompoundPacket, rtp_stream: Any, now_ms: int) -> None:
            raise RuntimeError("bug")

    add_consumer(transport, Broken())
    env.timers.fire()
    assert len(env.timers.armed) == 1  # re-armed anyway


def test_rtcp_without_sender_report_is_not_sent(env: Env) -> None:
    transport = connected_plain(env)
    consumer = ConsumerStub()
    consumer.with_sender_report = False
    add_consumer(transport, consumer)
    transport.send_rtcp(env.clock.now)
    assert env.sockets[0].sent == []


@pytest.mark.parametrize(("producers", "blocks"), [(6, 20), (1, 120), (40, 3)])
def test_receiver_reports_split_at_the_mtu(env: Env, producers: int, blocks: int) -> None:
    transport = connected_plain(env)
    for n in range(producers):
        add_producer(transport, ProducerStub(ssrc=10_000 + 1000 * n, blocks=blocks))
    transport.send_rtcp(env.clock.now)
    sizes = [len(data) for data, _addr in env.sockets[0].sent]
    sent = [
        r.ssrc
        for data, _addr in env.sockets[0].sent
        for p in CompoundPacket.parse(data)
        if isinstance(p, ReceiverReportPacket)
        for r in p.reports
    ]
    assert len(sent) == len(set(sent)) == producers * blocks
    assert len(sizes) > 1 and all(size <= MTU_SIZE for size in sizes)


def test_direct_transport_has_no_rtcp_timer(env: Env) -> None:
    transport = env.direct()
    add_consumer(transport, ConsumerStub())
    assert env.timers.armed == []
    transport.on_consumer_send_rtp_packet(
        transport.consumers[f"c{CONSUMER_SSRC}"], RtpPacket.parse(rtp(ssrc=CONSUMER_SSRC))
    )
    transport.on_producer_send_rtcp_packet(ProducerStub(), FeedbackPsPliPacket(1, 2))
    assert [(t, e) for t, e, _d, _p in env.channel.payloads] == [
        (f"c{CONSUMER_SSRC}", "rtp"),
        ("t1", "rtcp"),
    ]
    stats = transport.get_stats()[0]
    assert stats["rtpBytesSent"] == len(rtp()) and stats["bytesSent"] == len(rtp()) + 12


# --- PipeTransport -------------------------------------------------------------------------


def test_pipe_transport_media(env: Env) -> None:
    import base64

    transport = env.pipe(enableSrtp=True)
    producer = ProducerStub()
    add_producer(transport, producer)
    sock = env.sockets[0]
    sock.deliver(rtp())
    assert transport.datagrams_ignored == 1  # not connected
    remote = {
        "cryptoSuite": "AES_CM_128_HMAC_SHA1_80",
        "keyBase64": base64.b64encode(REMOTE_KEY).decode(),
    }
    env.request(
        transport, "transport.connect", {"ip": PEER[0], "port": PEER[1], "srtpParameters": remote}
    )
    peer = SrtpSessionPair("AES_CM_128_HMAC_SHA1_80", REMOTE_KEY, transport.srtp_key)
    sock.deliver(peer.send.protect_rtp(rtp(1)))  # type: ignore[arg-type]
    sock.deliver(peer.send.protect_rtp(rtp(2)), ("127.0.0.1", 1))  # type: ignore[arg-type]
    sock.deliver(peer.send.protect_rtcp(SenderReportPacket(PRODUCER_SSRC).serialize()))  # type: ignore[arg-type]
    assert [p.sequence_number for p in producer.rtp] == [1]
    assert len(producer.sender_reports) == 1
    consumer = ConsumerStub()
    add_consumer(transport, consumer)
    transport.on_consumer_send_rtp_packet(consumer, RtpPacket.parse(rtp(7, ssrc=CONSUMER_SSRC)))
    assert peer.recv.unprotect_rtp(sock.sent[0][0]) == rtp(7, ssrc=CONSUMER_SSRC)
    assert len(env.timers.armed) == 1


# --- The socket callback never raises -------------------------------------------------------


def test_udp_socket_survives_a_raising_handler() -> None:
    from pymediasoup_worker.net.port_manager import PortManager
    from pymediasoup_worker.net.udp_socket import UdpSocket

    class Ports:
        rtc_min_port = 40000
        rtc_max_port = 49999

    async def run() -> tuple[int, list[bytes]]:
        loop = asyncio.get_running_loop()
        handled: list[bytes] = []

        def on_packet(sock: Any, data: bytes, addr: Any) -> None:
            if data == b"boom":
                raise struct.error("a bug a peer found")
            handled.append(data)

        udp = UdpSocket(loop, PortManager(Ports()), "127.0.0.1", on_packet)
        client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            for data in (b"boom", b"ok", b"boom", b"ok"):
                client.sendto(data, ("127.0.0.1", udp.local_port))
            for _ in range(100):
                if len(handled) == 2:
                    break
                await asyncio.sleep(0.01)
        finally:
            client.close()
            udp.close()
        return udp.packet_errors, handled

    errors, handled = asyncio.run(run())
    assert errors == 2 and handled == [b"ok", b"ok"]
