"""Media through the transports, against the real worker (controller API, real sockets).

A Python UDP peer on 127.0.0.1 plays the remote end of each transport:
- PlainTransport in: RTP to a producer (comedia or connect, rtcpMux on or off, plain or
  SRTP with AES_CM_128_HMAC_SHA1_80/32 and AEAD_AES_128/256_GCM), back out rewritten
  on a consumer's PlainTransport;
- RTCP both ways: an SR in reaches the producer (the worker's RR carries its LSR, and an
  XR DLRR answer gives the producer a roundTripTime), the worker's SR for a consumer
  answered with an RR reaches the consumer (roundTripTime, packetsLost in its stats), a
  PLI from the consumer side turns into a PLI to the producer's sender, a NACK into a
  retransmission (RTX);
- DirectTransport: ``producer.send`` to consumers (``rtp`` events), ``send_rtcp`` in,
  ``rtcp`` events out;
- a peer's garbage (junk, bad RTCP, failing SRTP, unknown SSRCs) is dropped and the
  worker carries on.

Every wait is bounded (``recv_until``, ``wait_for``); counts are small.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
import time
from collections.abc import Callable
from typing import Any

import pytest

from pymediasoup_worker.core.rtp.packet import RtpPacket
from pymediasoup_worker.core.rtp.rtcp import (
    CompoundPacket,
    DelaySinceLastRr,
    ExtendedReportPacket,
    FeedbackPsPliPacket,
    FeedbackRtpNackPacket,
    ReceiverReferenceTime,
    ReceiverReport,
    ReceiverReportPacket,
    SdesChunk,
    SdesPacket,
    SenderReportPacket,
)
from pymediasoup_worker.core.srtp import MASTER_LENGTHS, SrtpSessionPair

from ._helpers import CONSUMER_RTP_CAPABILITIES, EventRecorder, audio_rtp_parameters, worker_router

LOCALHOST = "127.0.0.1"
AUDIO_SSRC = 31110001
VIDEO_SSRC = 32220002
OPUS_PT_IN, OPUS_PT_OUT = 111, 100
VP8_PT_IN, VP8_PT_OUT, RTX_PT_OUT = 96, 101, 102
TIMEOUT = 5.0


# --- A UDP peer -----------------------------------------------------------------------


class Peer(asyncio.DatagramProtocol):
    """A UDP socket on 127.0.0.1 that queues what it receives (optionally SRTP)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None
        self.srtp: SrtpSessionPair | None = None

    @classmethod
    async def open(cls) -> Peer:
        peer = cls()
        await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: peer, local_addr=(LOCALHOST, 0)
        )
        return peer

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.queue.put_nowait(data)

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def send(self, data: bytes, port: int) -> None:
        assert self.transport is not None
        self.transport.sendto(data, (LOCALHOST, port))

    def send_rtp(self, data: bytes, port: int) -> None:
        if self.srtp is not None:
            protected = self.srtp.send.protect_rtp(data)
            assert protected is not None
            data = protected
        self.send(data, port)

    def send_rtcp(self, data: bytes, port: int) -> None:
        if self.srtp is not None:
            protected = self.srtp.send.protect_rtcp(data)
            assert protected is not None
            data = protected
        self.send(data, port)

    async def recv_until(
        self, want: Callable[[bytes], bool], count: int = 1, timeout: float = TIMEOUT
    ) -> list[bytes]:
        """Datagrams (decrypted if SRTP) for which ``want`` holds, until ``count`` of them."""
        found: list[bytes] = []
        deadline = time.monotonic() + timeout
        while len(found) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"got {len(found)} of {count} wanted datagrams")
            received = await asyncio.wait_for(self.queue.get(), left)
            data = self._decrypt(received)
            if data is not None and want(data):
                found.append(data)
        return found

    def pending_rtp(self, ssrc: int) -> list[bytes]:
        """RTP of ``ssrc`` received and not read yet (RTCP, e.g. the worker's SRs, skipped)."""
        found = []
        while not self.queue.empty():
            data = self._decrypt(self.queue.get_nowait())
            if data is not None and is_rtp_of(ssrc)(data):
                found.append(data)
        return found

    def _decrypt(self, data: bytes) -> bytes | None:
        if self.srtp is None:
            return data
        if is_rtcp(data):
            return self.srtp.recv.unprotect_rtcp(data)
        return self.srtp.recv.unprotect_rtp(data)


def is_rtcp(data: bytes) -> bool:
    return len(data) >= 4 and 192 <= data[1] <= 223


def is_rtp_of(ssrc: int) -> Callable[[bytes], bool]:
    return lambda data: not is_rtcp(data) and struct.unpack_from("!I", data, 8)[0] == ssrc


def rtcp_with(
    kind: type, predicate: Callable[[Any], bool] = lambda _p: True
) -> Callable[[bytes], bool]:
    def want(data: bytes) -> bool:
        if not is_rtcp(data):
            return False
        return any(isinstance(p, kind) and predicate(p) for p in CompoundPacket.parse(data))

    return want


def rtcp_packets(data: bytes, kind: type) -> list[Any]:
    return [p for p in CompoundPacket.parse(data) if isinstance(p, kind)]


async def wait_for(condition: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
    """Poll an async (or sync) condition until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.05)


# --- Packets --------------------------------------------------------------------------


def opus(seq: int, ssrc: int = AUDIO_SSRC) -> bytes:
    payload = bytes([0xFC]) + bytes((seq + i) & 0xFF for i in range(59))
    return RtpPacket.create(OPUS_PT_IN, seq & 0xFFFF, seq * 960, ssrc, payload).serialize()


def vp8(seq: int, *, key_frame: bool, ssrc: int = VIDEO_SSRC) -> bytes:
    # VP8 payload descriptor (S=1, partition 0), then the frame tag (bit 0 clear: key frame).
    payload = (
        b"\x10" + (b"\x00" if key_frame else b"\x01") + bytes((seq + i) & 0xFF for i in range(98))
    )
    return RtpPacket.create(
        VP8_PT_IN, seq & 0xFFFF, seq * 3000, ssrc, payload, marker=True
    ).serialize()


def sender_report(ssrc: int, ntp_sec: int, ntp_frac: int, packets: int, octets: int) -> bytes:
    compound = CompoundPacket(
        [
            SenderReportPacket(ssrc, ntp_sec, ntp_frac, 12345, packets, octets),
            SdesPacket([SdesChunk(ssrc, [(1, b"peer-cname")])]),
        ]
    )
    return compound.serialize()


def middle_ntp(ntp_sec: int, ntp_frac: int) -> int:
    return ((ntp_sec & 0xFFFF) << 16) | (ntp_frac >> 16)


def vp8_rtp_parameters(ssrc: int = VIDEO_SSRC) -> dict[str, Any]:
    return {
        "codecs": [
            {
                "mimeType": "video/VP8",
                "payloadType": VP8_PT_IN,
                "clockRate": 90000,
                "rtcpFeedback": [
                    {"type": "nack"},
                    {"type": "nack", "parameter": "pli"},
                    {"type": "ccm", "parameter": "fir"},
                ],
            }
        ],
        "headerExtensions": [],
        "encodings": [{"ssrc": ssrc}],
        "rtcp": {"cname": "video-peer", "reducedSize": True},
    }


def producer_port(transport: Any) -> int:
    return int(transport.tuple["localPort"])


def consumer_ssrcs(consumer: Any) -> tuple[int, int | None]:
    encoding = consumer.rtp_parameters["encodings"][0]
    rtx = encoding.get("rtx")
    return int(encoding["ssrc"]), (int(rtx["ssrc"]) if rtx else None)


def random_key(suite: str) -> dict[str, str]:
    return {
        "cryptoSuite": suite,
        "keyBase64": base64.b64encode(os.urandom(MASTER_LENGTHS[suite])).decode(),
    }


async def transport_stats(transport: Any) -> dict[str, Any]:
    return (await transport.get_stats())[0]


async def outbound(consumer: Any) -> dict[str, Any]:
    return next(s for s in await consumer.get_stats() if s["type"] == "outbound-rtp")


async def inbound(producer: Any) -> dict[str, Any] | None:
    stats = await producer.get_stats()
    return stats[0] if stats else None


async def consumer_transport(router: Any, peer: Peer, **options: Any) -> Any:
    """A PlainTransport connected to ``peer`` (same port for RTCP without rtcpMux)."""
    rtcp_mux = options.pop("rtcp_mux", True)
    transport = await router.create_plain_transport(
        listen_ip=LOCALHOST, rtcp_mux=rtcp_mux, **options
    )
    await transport.connect(ip=LOCALHOST, port=peer.port, rtcp_port=None if rtcp_mux else peer.port)
    return transport


# --- PlainTransport: RTP in, RTP out --------------------------------------------------


@pytest.mark.parametrize("rtcp_mux", [True, False], ids=["rtcpMux", "no-rtcpMux"])
@pytest.mark.parametrize("comedia", [True, False], ids=["comedia", "connect"])
async def test_plain_rtp_through_the_router(comedia: bool, rtcp_mux: bool) -> None:
    async with worker_router() as (_worker, router):
        sender, rtcp_sender, receiver = await Peer.open(), await Peer.open(), await Peer.open()
        try:
            send_transport = await router.create_plain_transport(
                listen_ip=LOCALHOST, comedia=comedia, rtcp_mux=rtcp_mux
            )
            tuples = EventRecorder(send_transport, "tuple")
            rtcp_tuples = EventRecorder(send_transport, "rtcptuple")
            if not comedia:
                await send_transport.connect(
                    ip=LOCALHOST,
                    port=sender.port,
                    rtcp_port=None if rtcp_mux else rtcp_sender.port,
                )
            producer = await send_transport.produce(
                kind="audio", rtp_parameters=audio_rtp_parameters(mid=None, ssrc=AUDIO_SSRC)
            )
            recv_transport = await consumer_transport(router, receiver, rtcp_mux=rtcp_mux)
            consumer = await recv_transport.consume(
                producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
            )
            ssrc, _ = consumer_ssrcs(consumer)

            sent = [opus(1000 + i) for i in range(20)]
            for data in sent:
                sender.send_rtp(data, producer_port(send_transport))
                await asyncio.sleep(0.002)
            got = await receiver.recv_until(is_rtp_of(ssrc), count=len(sent))

            packets = [RtpPacket.parse(data) for data in got]
            assert {p.payload_type for p in packets} == {OPUS_PT_OUT}
            seqs = [p.sequence_number for p in packets]
            assert seqs == [(seqs[0] + i) & 0xFFFF for i in range(len(sent))]
            assert [p.payload for p in packets] == [RtpPacket.parse(d).payload for d in sent]

            if comedia:
                await tuples.wait(1)
                assert tuples.calls[0][0]["remotePort"] == sender.port
                assert send_transport.tuple["remotePort"] == sender.port
            else:
                assert tuples.count == 0

            # RTCP on the RTCP port without rtcpMux (comedia learns the rtcpTuple from it).
            rtcp_port = (
                producer_port(send_transport)
                if rtcp_mux
                else int(send_transport.rtcp_tuple["localPort"])
            )
            rtcp_sender_peer = sender if rtcp_mux else rtcp_sender
            rtcp_sender_peer.send_rtcp(
                sender_report(AUDIO_SSRC, 3_900_000_000, 1 << 31, 20, 1200), rtcp_port
            )
            if comedia and not rtcp_mux:
                await rtcp_tuples.wait(1)
                assert rtcp_tuples.calls[0][0]["remotePort"] == rtcp_sender.port

            stats = await transport_stats(send_transport)
            assert stats["rtpBytesReceived"] == sum(len(d) for d in sent)
            assert stats["bytesReceived"] >= stats["rtpBytesReceived"]
            assert stats["rtpRecvBitrate"] > 0
            out_stats = await transport_stats(recv_transport)
            assert out_stats["rtpBytesSent"] >= sum(len(d) for d in got)
            assert out_stats["bytesSent"] >= sum(len(d) for d in got)
            assert (await inbound(producer) or {}).get("packetCount") == len(sent)
            assert (await outbound(consumer))["packetCount"] == len(sent)
        finally:
            for peer in (sender, rtcp_sender, receiver):
                peer.close()


async def test_plain_ignores_a_stranger_and_learns_only_once() -> None:
    async with worker_router() as (_worker, router):
        sender, stranger, receiver = await Peer.open(), await Peer.open(), await Peer.open()
        try:
            send_transport = await router.create_plain_transport(listen_ip=LOCALHOST, comedia=True)
            producer = await send_transport.produce(
                kind="audio", rtp_parameters=audio_rtp_parameters(mid=None, ssrc=AUDIO_SSRC)
            )
            recv_transport = await consumer_transport(router, receiver)
            consumer = await recv_transport.consume(
                producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
            )
            ssrc, _ = consumer_ssrcs(consumer)
            port = producer_port(send_transport)
            sender.send_rtp(opus(1), port)
            await receiver.recv_until(is_rtp_of(ssrc))
            # Same SSRC from another address: ignored, the tuple stays the first sender's.
            for seq in range(2, 6):
                stranger.send_rtp(opus(seq), port)
            sender.send_rtp(opus(6), port)
            (last,) = await receiver.recv_until(is_rtp_of(ssrc))
            assert RtpPacket.parse(last).payload == RtpPacket.parse(opus(6)).payload
            assert receiver.pending_rtp(ssrc) == []
            assert send_transport.tuple["remotePort"] == sender.port
            assert (await inbound(producer) or {}).get("packetCount") == 2
        finally:
            for peer in (sender, stranger, receiver):
                peer.close()


# --- PlainTransport with SRTP -----------------------------------------------------------


SRTP_CASES = [
    # (suite asked at creation, suite given at connect)
    ("AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80"),
    ("AES_CM_128_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_32"),
    # The controller creates AES_CM only (as mediasoup 3.7); the worker takes the remote's
    # GCM suite at connect and answers a local key of the GCM length.
    ("AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"),
    ("AES_CM_128_HMAC_SHA1_80", "AEAD_AES_256_GCM"),
]


@pytest.mark.parametrize(
    ("create_suite", "suite"), SRTP_CASES, ids=[case[1] for case in SRTP_CASES]
)
@pytest.mark.parametrize("comedia", [True, False], ids=["comedia", "connect"])
async def test_plain_srtp_both_ways(create_suite: str, suite: str, comedia: bool) -> None:
    async with worker_router() as (_worker, router):
        sender, receiver = await Peer.open(), await Peer.open()
        try:
            send_transport = await router.create_plain_transport(
                listen_ip=LOCALHOST,
                comedia=comedia,
                enable_srtp=True,
                srtp_crypto_suite=create_suite,
            )
            sender_key = random_key(suite)
            await send_transport.connect(
                **({} if comedia else {"ip": LOCALHOST, "port": sender.port}),
                srtp_parameters=sender_key,
            )
            local = send_transport.srtp_parameters
            assert local["cryptoSuite"] == suite
            assert len(base64.b64decode(local["keyBase64"])) == MASTER_LENGTHS[suite]
            sender.srtp = SrtpSessionPair(
                suite,
                base64.b64decode(sender_key["keyBase64"]),
                base64.b64decode(local["keyBase64"]),
            )
            producer = await send_transport.produce(
                kind="audio", rtp_parameters=audio_rtp_parameters(mid=None, ssrc=AUDIO_SSRC)
            )

            recv_transport = await router.create_plain_transport(
                listen_ip=LOCALHOST, enable_srtp=True, srtp_crypto_suite=create_suite
            )
            receiver_key = random_key(suite)
            await recv_transport.connect(
                ip=LOCALHOST, port=receiver.port, srtp_parameters=receiver_key
            )
            receiver.srtp = SrtpSessionPair(
                suite,
                base64.b64decode(receiver_key["keyBase64"]),
                base64.b64decode(recv_transport.srtp_parameters["keyBase64"]),
            )
            consumer = await recv_transport.consume(
                producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
            )
            ssrc, _ = consumer_ssrcs(consumer)
            port = producer_port(send_transport)

            # Before anything that decrypts: plain RTP and RTP under a wrong key are dropped
            # (and, with comedia, teach nothing).
            intruder = SrtpSessionPair(
                suite, os.urandom(MASTER_LENGTHS[suite]), os.urandom(MASTER_LENGTHS[suite])
            )
            sender.send(opus(1), port)
            sender.send(intruder.send.protect_rtp(opus(2)) or b"", port)
            await asyncio.sleep(0.1)
            if comedia:
                assert "remotePort" not in send_transport.tuple

            sent = [opus(10 + i) for i in range(10)]
            for data in sent:
                sender.send_rtp(data, port)
                await asyncio.sleep(0.002)
            got = await receiver.recv_until(is_rtp_of(ssrc), count=len(sent))
            assert [RtpPacket.parse(d).payload for d in got] == [
                RtpPacket.parse(d).payload for d in sent
            ]
            # A replayed packet is dropped.
            protected = sender.srtp.send.protect_rtp(sent[-1])
            assert protected is not None
            sender.send(protected, port)
            await asyncio.sleep(0.1)
            assert receiver.pending_rtp(ssrc) == []
            assert (await inbound(producer) or {}).get("packetCount") == len(sent)
            if comedia:
                assert send_transport.tuple["remotePort"] == sender.port

            # SRTCP in: the worker's RR for the producer comes back encrypted.
            sender.send_rtcp(sender_report(AUDIO_SSRC, 3_900_000_001, 0, 10, 600), port)
            stats = await transport_stats(send_transport)
            assert stats["rtpBytesReceived"] == sum(len(d) for d in sent)
        finally:
            sender.close()
            receiver.close()


# --- RTCP ------------------------------------------------------------------------------


async def _video_setup(router: Any, sender: Peer, receiver: Peer) -> tuple[Any, Any, Any, Any]:
    send_transport = await router.create_plain_transport(listen_ip=LOCALHOST)
    await send_transport.connect(ip=LOCALHOST, port=sender.port)
    producer = await send_transport.produce(kind="video", rtp_parameters=vp8_rtp_parameters())
    recv_transport = await consumer_transport(router, receiver)
    consumer = await recv_transport.consume(
        producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
    )
    return send_transport, producer, recv_transport, consumer


async def test_rtcp_sender_report_reaches_the_producer() -> None:
    async with worker_router() as (_worker, router):
        sender, receiver = await Peer.open(), await Peer.open()
        try:
            send_transport, producer, _recv, _consumer = await _video_setup(
                router, sender, receiver
            )
            port = producer_port(send_transport)
            for seq in range(10):
                sender.send_rtp(vp8(seq, key_frame=seq == 0), port)
            ntp_sec, ntp_frac = 3_900_000_123, 0x12345678
            sender.send_rtcp(sender_report(VIDEO_SSRC, ntp_sec, ntp_frac, 10, 1000), port)
            lsr = middle_ntp(ntp_sec, ntp_frac)

            # The worker's periodic RR for the producer's stream carries the SR's time.
            def reports_lsr(packet: Any) -> bool:
                return any(
                    r.ssrc == VIDEO_SSRC and r.last_sender_report == lsr for r in packet.reports
                )

            (data,) = await sender.recv_until(rtcp_with(ReceiverReportPacket, reports_lsr))
            got_rr_at = time.monotonic()
            xrs = rtcp_packets(data, ExtendedReportPacket)
            rrt = next(b for x in xrs for b in x.reports if isinstance(b, ReceiverReferenceTime))
            # Answer the receiver reference time with a DLRR (a ~20 ms round trip, as a
            # DLRR of 0 means "none"): the producer gets an RTT.
            await asyncio.sleep(0.05)
            delay = int((time.monotonic() - got_rr_at - 0.02) * 65536)
            dlrr = DelaySinceLastRr([(VIDEO_SSRC, middle_ntp(rrt.ntp_sec, rrt.ntp_frac), delay)])
            sender.send_rtcp(ExtendedReportPacket(VIDEO_SSRC, [dlrr]).serialize(), port)

            async def has_rtt() -> bool:
                stats = await inbound(producer)
                return bool(stats and stats.get("roundTripTime", 0) > 0)

            await wait_for(has_rtt)
            stats = await inbound(producer)
            assert stats is not None and stats["packetCount"] == 10
        finally:
            sender.close()
            receiver.close()


async def test_rtcp_receiver_report_pli_and_nack_reach_the_consumer() -> None:
    async with worker_router() as (_worker, router):
        sender, receiver = await Peer.open(), await Peer.open()
        try:
            send_transport, producer, recv_transport, consumer = await _video_setup(
                router, sender, receiver
            )
            ssrc, rtx_ssrc = consumer_ssrcs(consumer)
            assert rtx_ssrc is not None
            port = producer_port(send_transport)
            recv_port = producer_port(recv_transport)
            for seq in range(20):
                sender.send_rtp(vp8(seq, key_frame=seq == 0), port)
                await asyncio.sleep(0.002)
            got = await receiver.recv_until(is_rtp_of(ssrc), count=20)
            seqs = [RtpPacket.parse(d).sequence_number for d in got]

            # The worker's SR for the consumer, answered with an RR.
            def is_consumer_sr(packet: Any) -> bool:
                return packet.ssrc == ssrc

            (data,) = await receiver.recv_until(rtcp_with(SenderReportPacket, is_consumer_sr))
            got_sr_at = time.monotonic()
            sr = rtcp_packets(data, SenderReportPacket)[0]
            assert sr.packet_count == 20
            await asyncio.sleep(0.05)
            delay = max(time.monotonic() - got_sr_at - 0.02, 0.0)  # a ~20 ms round trip
            report = ReceiverReport(
                ssrc,
                fraction_lost=25,
                total_lost=3,
                last_seq=seqs[-1],
                jitter=10,
                last_sender_report=middle_ntp(sr.ntp_sec, sr.ntp_frac),
                delay_since_last_sender_report=int(delay * 65536),
            )
            receiver.send_rtcp(ReceiverReportPacket(4242, [report]).serialize(), recv_port)

            async def rtt_known() -> dict[str, Any] | None:
                stats = await outbound(consumer)
                return stats if stats.get("roundTripTime", 0) > 0 else None

            stats = await wait_for(rtt_known)
            assert stats["packetsLost"] == 3
            assert stats["fractionLost"] == 25
            assert 0 <= stats["score"] <= 10

            # PLI from the consumer's side: a PLI to the producer's sender.
            receiver.send_rtcp(FeedbackPsPliPacket(4242, ssrc).serialize(), recv_port)
            await sender.recv_until(
                rtcp_with(FeedbackPsPliPacket, lambda p: p.media_ssrc == VIDEO_SSRC)
            )
            assert (await outbound(consumer))["pliCount"] == 1

            # NACK of two packets: retransmitted as RTX.
            nack = FeedbackRtpNackPacket.from_sequence_numbers(4242, ssrc, seqs[5:7])
            receiver.send_rtcp(nack.serialize(), recv_port)
            rtx = await receiver.recv_until(is_rtp_of(rtx_ssrc), count=2)
            originals = [struct.unpack_from("!H", RtpPacket.parse(d).payload)[0] for d in rtx]
            assert originals == seqs[5:7]
            assert {RtpPacket.parse(d).payload_type for d in rtx} == {RTX_PT_OUT}
            stats = await outbound(consumer)
            assert stats["nackCount"] == 1 and stats["packetsRetransmitted"] == 2
            assert (await transport_stats(recv_transport))["rtxBytesSent"] > 0
        finally:
            sender.close()
            receiver.close()


# --- Garbage ---------------------------------------------------------------------------


async def test_garbage_is_dropped_and_media_goes_on() -> None:
    async with worker_router() as (worker, router):
        sender, receiver = await Peer.open(), await Peer.open()
        try:
            send_transport, producer, recv_transport, consumer = await _video_setup(
                router, sender, receiver
            )
            ssrc, _ = consumer_ssrcs(consumer)
            port, recv_port = producer_port(send_transport), producer_port(recv_transport)
            junk = [
                b"",
                b"\x00",
                b"\xff" * 30,
                b"\x80" * 11,  # too short for RTP
                b"\x80\xc8\x00\x10" + bytes(8),  # SR whose length runs past the datagram
                b"\x80\xc9\x00\x01" + bytes(4) + b"\x81\xcd\x00\x09",  # RR + truncated NACK
                b"\x8f\x60" + bytes(10),  # 15 CSRCs announced, none there
                b"\xb0\x60" + bytes(10) + b"\xff",  # padding longer than the packet
                RtpPacket.create(VP8_PT_IN, 1, 1, 999999, b"unknown ssrc").serialize(),
                os.urandom(1400),
            ]
            for data in junk:
                sender.send(data, port)
                receiver.send(data, recv_port)
            for seq in range(5):
                sender.send_rtp(vp8(seq, key_frame=seq == 0), port)
            await receiver.recv_until(is_rtp_of(ssrc), count=5)
            assert (await worker.dump())["routerIds"] == [router.id]
            assert (await inbound(producer) or {}).get("packetCount") == 5
        finally:
            sender.close()
            receiver.close()


# --- PipeTransport -----------------------------------------------------------------------


@pytest.mark.parametrize("enable_srtp", [False, True], ids=["plain", "srtp"])
async def test_pipe_transport_carries_rtp(enable_srtp: bool) -> None:
    async with worker_router() as (_worker, router):
        peer, receiver = await Peer.open(), await Peer.open()
        try:
            pipe = await router.create_pipe_transport(listen_ip=LOCALHOST, enable_srtp=enable_srtp)
            peer_key = random_key("AES_CM_128_HMAC_SHA1_80")
            await pipe.connect(
                ip=LOCALHOST,
                port=peer.port,
                **({"srtp_parameters": peer_key} if enable_srtp else {}),
            )
            if enable_srtp:
                peer.srtp = SrtpSessionPair(
                    "AES_CM_128_HMAC_SHA1_80",
                    base64.b64decode(peer_key["keyBase64"]),
                    base64.b64decode(pipe.srtp_parameters["keyBase64"]),
                )
            producer = await pipe.produce(
                kind="audio", rtp_parameters=audio_rtp_parameters(mid=None, ssrc=AUDIO_SSRC)
            )
            recv_transport = await consumer_transport(router, receiver)
            consumer = await recv_transport.consume(
                producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
            )
            ssrc, _ = consumer_ssrcs(consumer)
            sent = [opus(500 + i) for i in range(10)]
            for data in sent:
                peer.send_rtp(data, producer_port(pipe))
            await receiver.recv_until(is_rtp_of(ssrc), count=len(sent))
            stats = await transport_stats(pipe)
            assert stats["rtpBytesReceived"] == sum(len(d) for d in sent)

            # And out: a pipe consumer of that producer sends to the peer.
            pipe_consumer = await pipe.consume(producer_id=producer.id)
            pipe_ssrc = int(pipe_consumer.rtp_parameters["encodings"][0]["ssrc"])
            for data in [opus(600 + i) for i in range(5)]:
                peer.send_rtp(data, producer_port(pipe))
            await peer.recv_until(is_rtp_of(pipe_ssrc), count=5)
            assert (await transport_stats(pipe))["rtpBytesSent"] > 0
        finally:
            peer.close()
            receiver.close()


# --- DirectTransport ---------------------------------------------------------------------


async def test_direct_producer_send_and_rtp_events() -> None:
    async with worker_router() as (_worker, router):
        receiver = await Peer.open()
        try:
            direct = await router.create_direct_transport()
            producer = await direct.produce(
                kind="audio", rtp_parameters=audio_rtp_parameters(mid=None, ssrc=AUDIO_SSRC)
            )
            direct_consumer = await direct.consume(
                producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
            )
            recv_transport = await consumer_transport(router, receiver)
            plain_consumer = await recv_transport.consume(
                producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
            )
            events = EventRecorder(direct_consumer, "rtp")
            direct_ssrc, _ = consumer_ssrcs(direct_consumer)
            plain_ssrc, _ = consumer_ssrcs(plain_consumer)

            sent = [opus(2000 + i) for i in range(10)]
            for data in sent:
                producer.send(data)
            producer.send(opus(3000) + bytes(1700))  # over MTU + 100: dropped
            await events.wait(len(sent))
            await receiver.recv_until(is_rtp_of(plain_ssrc), count=len(sent))
            packets = [RtpPacket.parse(payload) for (payload,) in events.calls]
            assert {p.ssrc for p in packets} == {direct_ssrc}
            assert {p.payload_type for p in packets} == {OPUS_PT_OUT}
            assert [p.payload for p in packets] == [RtpPacket.parse(d).payload for d in sent]
            stats = await transport_stats(direct)
            assert stats["rtpBytesReceived"] == sum(len(d) for d in sent)
            assert stats["bytesReceived"] == stats["rtpBytesReceived"] + len(opus(3000)) + 1700
            assert stats["rtpBytesSent"] == sum(len(p) for (p,) in events.calls)
        finally:
            receiver.close()


async def test_direct_send_rtcp_and_rtcp_events() -> None:
    async with worker_router() as (_worker, router):
        sender, receiver = await Peer.open(), await Peer.open()
        try:
            # A video producer on a DirectTransport, consumed on a PlainTransport: a PLI from
            # the plain consumer's side comes out of the DirectTransport as an 'rtcp' event.
            direct = await router.create_direct_transport()
            rtcp_events = EventRecorder(direct, "rtcp")
            producer = await direct.produce(kind="video", rtp_parameters=vp8_rtp_parameters())
            recv_transport = await consumer_transport(router, receiver)
            consumer = await recv_transport.consume(
                producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
            )
            ssrc, _ = consumer_ssrcs(consumer)
            for seq in range(5):
                producer.send(vp8(seq, key_frame=seq == 0))
            await receiver.recv_until(is_rtp_of(ssrc), count=5)
            receiver.send_rtcp(
                FeedbackPsPliPacket(4242, ssrc).serialize(), producer_port(recv_transport)
            )

            def got_pli() -> bool:
                return any(
                    p.media_ssrc == VIDEO_SSRC
                    for (payload,) in rtcp_events.calls
                    for p in rtcp_packets(payload, FeedbackPsPliPacket)
                )

            await wait_for(got_pli)

            # And in: RTCP given with send_rtcp reaches the transport's consumers. A direct
            # consumer of a plain producer gets a PLI that way, and the plain sender sees it.
            send_transport = await router.create_plain_transport(listen_ip=LOCALHOST)
            await send_transport.connect(ip=LOCALHOST, port=sender.port)
            plain_producer = await send_transport.produce(
                kind="video", rtp_parameters=vp8_rtp_parameters(VIDEO_SSRC + 10)
            )
            direct_consumer = await direct.consume(
                producer_id=plain_producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
            )
            direct_ssrc, _ = consumer_ssrcs(direct_consumer)
            rtp_events = EventRecorder(direct_consumer, "rtp")
            for seq in range(5):
                sender.send_rtp(
                    vp8(seq, key_frame=seq == 0, ssrc=VIDEO_SSRC + 10),
                    producer_port(send_transport),
                )
            await rtp_events.wait(5)
            direct.send_rtcp(FeedbackPsPliPacket(4242, direct_ssrc).serialize())
            await sender.recv_until(
                rtcp_with(FeedbackPsPliPacket, lambda p: p.media_ssrc == VIDEO_SSRC + 10)
            )
            direct.send_rtcp(b"\x80\xc9\x00\x07garbage")  # dropped, nothing else happens
            assert (await outbound(direct_consumer))["pliCount"] == 1
        finally:
            sender.close()
            receiver.close()
