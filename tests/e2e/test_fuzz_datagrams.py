"""100,000 random or malformed datagrams at one PlainTransport (random bytes, truncated
RTP, RTP with bogus header extensions, RTCP with wrong lengths, SRTP-looking garbage,
STUN- and DTLS-looking bytes, RTP with broken VP8 descriptors) while another transport
pair keeps forwarding a steady VP8 stream. The worker must stay up, the other stream
must keep flowing during and after, and the fuzzed transport's stats must count the
bytes it received and dropped."""

from __future__ import annotations

import asyncio
import random
import socket
import struct
import time

import pytest

from .media_peers import (
    LOCALHOST,
    RtpReceiver,
    Vp8Sender,
    build_rtp,
    consumer_rtp_capabilities,
    consumer_ssrcs,
    media_worker,
    producer_transport,
    stats_of,
    transport_port,
    vp8_descriptor,
    vp8_frame_header,
    vp8_rtp_parameters,
    wait_for,
)

pytestmark = pytest.mark.e2e

TOTAL = 100_000
BATCH = 500
RATE = 8_000  # datagrams per second: 100,000 in 12.5 s
STEADY_SSRC = 88880000
FUZZ_SSRC = 99990000


def _udp_rcvbuf_errors() -> int | None:
    """The kernel's count of UDP datagrams dropped for a full receive buffer (all sockets)."""
    try:
        lines = open("/proc/net/snmp").read().splitlines()
    except OSError:
        return None
    udp = [line.split() for line in lines if line.startswith("Udp:")]
    if len(udp) < 2 or "RcvbufErrors" not in udp[0]:
        return None
    return int(udp[1][udp[0].index("RcvbufErrors")])


class Fuzzer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seq = 0
        self.kinds: dict[str, int] = {}
        self.makers = [
            self.random_bytes,
            self.truncated_rtp,
            self.rtp_bogus_extension,
            self.rtcp_wrong_length,
            self.srtp_garbage,
            self.stun_like,
            self.dtls_like,
            self.rtp_broken_vp8,
            self.rtcp_feedback_garbage,
        ]

    def _bytes(self, n: int) -> bytes:
        return self.rng.randbytes(n)

    def _header(self, *, first: int = 0x80, pt: int = 96, ssrc: int = FUZZ_SSRC) -> bytes:
        self.seq = (self.seq + 1) & 0xFFFF
        return struct.pack("!BBHII", first, pt, self.seq, self.rng.getrandbits(32), ssrc)

    def random_bytes(self) -> bytes:
        return self._bytes(self.rng.choice([0, 1, 2, 3, 4, 11, 12, 13, self.rng.randint(0, 1400)]))

    def truncated_rtp(self) -> bytes:
        first = 0x80 | self.rng.choice([0, 0x0F, 0x10, 0x20, 0x3F])  # CSRCs, X, P
        data = self._header(
            first=first, pt=self.rng.choice([96, 97, 111, 0x80 | 96])
        ) + self._bytes(self.rng.randint(0, 64))
        return data[: self.rng.randint(1, len(data))]

    def rtp_bogus_extension(self) -> bytes:
        profile = self.rng.choice([0xBEDE, 0x1000, 0x1001, self.rng.getrandbits(16)])
        words = self.rng.choice([0, 1, 2, 0xFFFF, self.rng.getrandbits(16)])
        body_len = self.rng.randint(0, 40)
        body = bytearray(self._bytes(body_len))
        if body and profile == 0xBEDE:
            body[0] = self.rng.choice([0xF0, 0x0F, 0xFF, 0x10, 0xEF])  # id 15, len 16, ...
        data = self._header(first=0x90) + struct.pack("!HH", profile, words) + bytes(body)
        if self.rng.random() < 0.3:  # padding byte larger than the packet
            data = bytes([data[0] | 0x20]) + data[1:] + bytes([255])
        return data

    def rtcp_wrong_length(self) -> bytes:
        pt = self.rng.choice([200, 201, 202, 203, 204, 205, 206, 207, 192, 195])
        count = self.rng.randint(0, 31)
        body = self._bytes(self.rng.choice([0, 4, 8, 20, self.rng.randint(0, 200)]))
        length = self.rng.choice([0, 1, 0xFFFF, len(body) // 4 + 5, self.rng.getrandbits(16)])
        data = struct.pack("!BBH", 0x80 | count, pt, length) + body
        if self.rng.random() < 0.3:  # a valid first packet, a broken second one
            data = struct.pack("!BBHI", 0x80, 201, 1, 1234) + data
        return data

    def srtp_garbage(self) -> bytes:
        ssrc = self.rng.choice([FUZZ_SSRC, STEADY_SSRC, self.rng.getrandbits(32)])
        pt = self.rng.choice([96, 111, 200 | 0, 97])
        return (
            self._header(pt=pt, ssrc=ssrc)
            + self._bytes(self.rng.randint(0, 1200))
            + self._bytes(10)
        )

    def stun_like(self) -> bytes:
        msg_type = self.rng.choice([0x0001, 0x0101, 0x0111, 0x0003, self.rng.getrandbits(14)])
        attrs = self._bytes(self.rng.randint(0, 120))
        length = self.rng.choice([len(attrs), 0, 0xFFFF, len(attrs) + 4])
        data = struct.pack("!HHI", msg_type, length, 0x2112A442) + self._bytes(12) + attrs
        if self.rng.random() < 0.5:  # a USERNAME/INTEGRITY-looking attribute header
            data += struct.pack(
                "!HH", self.rng.choice([0x0006, 0x0008, 0x8028]), self.rng.getrandbits(16)
            )
        return data[: self.rng.randint(1, len(data))] if self.rng.random() < 0.3 else data

    def dtls_like(self) -> bytes:
        content_type = self.rng.randint(20, 63)
        body = self._bytes(self.rng.randint(0, 300))
        return struct.pack("!BHHIHH", content_type, 0xFEFD, 0, 0, 0, len(body) + 3) + body

    def rtp_broken_vp8(self) -> bytes:
        key = self.rng.random() < 0.3
        descriptor = vp8_descriptor(picture_id=self.rng.getrandbits(15), tl0=0, start=True)
        cut = self.rng.randint(0, len(descriptor))
        payload = descriptor[:cut] if self.rng.random() < 0.5 else bytes([0xFF]) * cut
        payload += vp8_frame_header(key)[: self.rng.randint(0, 10)]
        pt = self.rng.choice([96, 97])  # media, RTX (its OSN may be missing)
        return build_rtp(
            payload_type=pt,
            seq=self.rng.getrandbits(16),
            timestamp=self.rng.getrandbits(32),
            ssrc=self.rng.choice([FUZZ_SSRC, FUZZ_SSRC + 1]),
            payload=payload,
            marker=self.rng.random() < 0.5,
        )

    def rtcp_feedback_garbage(self) -> bytes:
        """Well-formed feedback with hostile contents: NACK storms, FIR/PLI for unknown SSRCs,
        REMB with absurd values, an SR claiming 31 report blocks."""
        choice = self.rng.randint(0, 3)
        media = self.rng.choice([FUZZ_SSRC, STEADY_SSRC, 0, self.rng.getrandbits(32)])
        if choice == 0:
            fcis = b"".join(
                struct.pack("!HH", self.rng.getrandbits(16), 0xFFFF)
                for _ in range(self.rng.randint(1, 50))
            )
            body = struct.pack("!II", 1, media) + fcis
            return struct.pack("!BBH", 0x81, 205, len(body) // 4) + body
        if choice == 1:
            return struct.pack("!BBHII", 0x80 | self.rng.choice([1, 4]), 206, 2, 1, media)
        if choice == 2:
            body = (
                struct.pack("!II", 1, 0)
                + b"REMB"
                + struct.pack("!BBH", 1, 0xFF, 0xFFFF)
                + struct.pack("!I", media)
            )
            return struct.pack("!BBH", 0x8F, 206, len(body) // 4) + body
        body = struct.pack("!I", media) + self._bytes(20) + self._bytes(24 * 2)
        return struct.pack("!BBH", 0x9F, 200, len(body) // 4) + body

    def next(self) -> bytes:
        maker = self.rng.choice(self.makers)
        self.kinds[maker.__name__] = self.kinds.get(maker.__name__, 0) + 1
        return maker()


async def test_fuzzed_transport_does_not_disturb_another_stream() -> None:
    started = time.monotonic()
    async with media_worker() as (worker, router):
        # The steady stream: sender -> transport P -> consumer on transport C -> receiver.
        steady_in = await producer_transport(router)
        steady_producer = await steady_in.produce(
            kind="video", rtp_parameters=vp8_rtp_parameters(STEADY_SSRC)
        )
        receiver = RtpReceiver()
        await receiver.open()
        steady_out = await router.create_plain_transport(listen_ip=LOCALHOST, comedia=False)
        await steady_out.connect(ip=LOCALHOST, port=receiver.port)
        consumer = await steady_out.consume(
            producer_id=steady_producer.id, rtp_capabilities=consumer_rtp_capabilities()
        )
        receiver.media_ssrc = consumer_ssrcs(consumer)[0]

        # The fuzzed transport: comedia, with a VP8 producer (+RTX) so that RTP with its
        # SSRCs goes all the way into the producer.
        fuzzed = await producer_transport(router)
        await fuzzed.produce(
            kind="video", rtp_parameters=vp8_rtp_parameters(FUZZ_SSRC, rtx_ssrc=FUZZ_SSRC + 1)
        )
        fuzz_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        fuzz_sock.setblocking(False)
        fuzz_sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
        fuzz_sock.bind((LOCALHOST, 0))
        fuzz_addr = (LOCALHOST, transport_port(fuzzed))

        sender = Vp8Sender(ssrc=STEADY_SSRC, fps=30, packets_per_frame=2, seed=17)
        await sender.open((LOCALHOST, transport_port(steady_in)))
        fuzzer = Fuzzer(seed=20240601)
        sent_bytes = sent_count = send_errors = 0
        checkpoints: list[tuple[str, int]] = []
        try:
            sender_task = sender.start(18.0)
            await wait_for(lambda: receiver.media_count >= 30, 5, what="the steady stream to flow")
            checkpoints.append(("before", receiver.media_count))
            # One valid RTP packet first, so that comedia takes the fuzzer as its remote and
            # what follows reaches the RTP/RTCP parsers instead of the unknown-source check.
            fuzz_sock.sendto(
                build_rtp(
                    payload_type=96,
                    seq=1,
                    timestamp=1,
                    ssrc=FUZZ_SSRC,
                    payload=b"\x10\x00" + bytes(20),
                ),
                fuzz_addr,
            )
            await wait_for(
                lambda: fuzzed.tuple.get("remotePort") is not None, 3, what="comedia tuple"
            )
            rcvbuf_before = _udp_rcvbuf_errors()
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            next_checkpoint = TOTAL // 4
            while sent_count < TOTAL:
                for _ in range(min(BATCH, TOTAL - sent_count)):
                    data = fuzzer.next()
                    try:
                        fuzz_sock.sendto(data, fuzz_addr)
                        sent_bytes += len(data)
                    except BlockingIOError:
                        send_errors += 1
                    sent_count += 1
                delay = t0 + sent_count / RATE - loop.time()
                await asyncio.sleep(max(delay, 0))
                if sent_count >= next_checkpoint:
                    checkpoints.append((f"during@{sent_count}", receiver.media_count))
                    next_checkpoint += TOTAL // 4
            fuzz_seconds = loop.time() - t0
            assert not worker.died
            await worker.dump()  # the worker still answers
            after = receiver.media_count
            await wait_for(
                lambda: receiver.media_count >= after + 30, 5, what="the stream after the fuzz"
            )
            checkpoints.append(("after", receiver.media_count))
            rcvbuf_after = _udp_rcvbuf_errors()
            stats = stats_of(await fuzzed.get_stats(), "plain-rtp-transport")
            steady_stats = stats_of(await consumer.get_stats(), "outbound-rtp")
            kernel_drops = (
                None
                if rcvbuf_before is None or rcvbuf_after is None
                else rcvbuf_after - rcvbuf_before
            )
            detail = (
                f"sent {sent_count} datagrams / {sent_bytes} bytes in {fuzz_seconds:.1f}s "
                f"(send errors {send_errors}, kinds {fuzzer.kinds}); kernel rcvbuf drops {kernel_drops}; "
                f"fuzzed transport stats {stats}; steady checkpoints {checkpoints}; "
                f"steady consumer {steady_stats}; steady sent {len(sender.sent)}"
            )
            print(detail)
            assert fuzz_seconds < 20, detail
            # The other stream kept flowing: its count grew between every two checkpoints.
            counts = [c for _, c in checkpoints]
            assert all(b > a for a, b in zip(counts, counts[1:], strict=False)), detail
            # The fuzzed transport counted what reached it (garbage included): all of it,
            # unless the kernel dropped some for a full socket buffer.
            assert stats["bytesReceived"] > 0, detail
            assert stats["bytesReceived"] <= sent_bytes + 100, detail
            assert stats["bytesReceived"] >= 0.5 * sent_bytes, detail
            if kernel_drops == 0:
                assert stats["bytesReceived"] >= sent_bytes, detail
            assert not worker.died, detail
            sender_task.cancel()
        finally:
            fuzz_sock.close()
            sender.close()
            receiver.close()
    assert time.monotonic() - started < 45
