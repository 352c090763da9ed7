"""The transport side of the packet path, in process: µs per packet.

    python -m benchmarks.transport_packet_path [--number 20000] [--json OUT]

- receive: PlainTransport's per-datagram entry up to the Producer hand-off (demux, tuple
  check, [SRTP unprotect], RtpPacket.parse once, RtpListener, counters); the Producer is a
  stub that answers MEDIA, so this is the transport's own cost.
- send: Transport.on_consumer_send_rtp_packet for one consumer (counters, serialize,
  [SRTP protect], the socket's send): with a socket stub, then with a real UDP socket
  sending to a local sink (one sendto syscall).
- forward: a real Router, Producer and N SimpleConsumers on PlainTransports (socket stubs):
  one datagram in, N out; per datagram and per consumer.

1200-byte RTP packets (the size of STYLE.md's measured costs); best of 5 repeats.
"""

from __future__ import annotations

import argparse
import base64
import json
import socket
import time
import timeit
from typing import Any

from pymediasoup_worker.channel.channel_request import ChannelRequest
from pymediasoup_worker.core.rtp.packet import RtpPacket
from pymediasoup_worker.core.srtp import SrtpSessionPair
from pymediasoup_worker.rtc.producer import ReceiveRtpPacketResult
from pymediasoup_worker.rtc.router import Router
from pymediasoup_worker.rtc.shared import Shared

PEER = ("127.0.0.1", 9)
PAYLOAD = 1200 - 12
SUITE = "AES_CM_128_HMAC_SHA1_80"
REMOTE_KEY = bytes(range(30))


class Sink:
    def send(self, message: Any) -> None:
        pass

    def notify(self, *args: Any) -> None:
        pass


class StubSocket:
    local_ip, local_port = "127.0.0.1", 40000

    def __init__(self, on_packet: Any) -> None:
        self.on_packet = on_packet

    def send(self, data: bytes, addr: Any) -> bool:
        return True

    def send_connected(self, data: bytes) -> bool:
        return True

    def peer_sender(self, addr: Any) -> Any:
        return self.send_connected

    def close(self) -> None:
        pass


class RealSocket(StubSocket):
    """A connected-less UDP socket sending to a local sink socket (a real sendto)."""

    def __init__(self, on_packet: Any) -> None:
        super().__init__(on_packet)
        self.sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sink.bind(("127.0.0.1", 0))
        self.sink.setblocking(False)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sendto = self.sock.sendto
        self.sent = 0

    def peer_sender(self, addr: Any) -> Any:
        return lambda data: self.send(data, addr)

    def send(self, data: bytes, addr: Any) -> bool:
        self.sendto(data, self.sink.getsockname())
        self.sent += 1
        if self.sent % 64 == 0:  # keep the sink's buffer from filling up
            try:
                while True:
                    self.sink.recv(2048)
            except BlockingIOError:
                pass
        return True


def make_router(socket_class: type = StubSocket) -> tuple[Router, list[StubSocket]]:
    sockets: list[StubSocket] = []

    def bind_udp(ip: str, on_packet: Any) -> StubSocket:
        sock = socket_class(on_packet)
        sockets.append(sock)
        return sock

    shared = Shared(
        channel=Sink(),  # type: ignore[arg-type]
        payload_channel=Sink(),  # type: ignore[arg-type]
        settings=None,  # type: ignore[arg-type]
        now_ms=lambda: time.monotonic_ns() // 1_000_000,
        spawn=lambda coro: None,
        bind_udp=bind_udp,
        set_timer=None,
    )
    return Router("r", shared), sockets


_ids = [0]


def request(router: Router, method: str, internal: dict[str, Any], data: dict[str, Any]) -> None:
    _ids[0] += 1
    channel: Any = Sink()
    router.handle_request(
        ChannelRequest(channel, _ids[0], method, {"routerId": "r", **internal}, data)
    )


def plain(router: Router, tid: str, srtp: bool) -> None:
    data: dict[str, Any] = {"listenIp": {"ip": "127.0.0.1"}, "rtcpMux": True, "comedia": False}
    if srtp:
        data.update(enableSrtp=True, srtpCryptoSuite=SUITE)
    request(router, "router.createPlainTransport", {"transportId": tid}, data)
    connect: dict[str, Any] = {"ip": PEER[0], "port": PEER[1]}
    if srtp:
        connect["srtpParameters"] = {
            "cryptoSuite": SUITE,
            "keyBase64": base64.b64encode(REMOTE_KEY).decode(),
        }
    request(router, "transport.connect", {"transportId": tid}, connect)


PRODUCE = {
    "kind": "video",
    "rtpParameters": {
        "codecs": [
            {
                "mimeType": "video/VP8",
                "payloadType": 96,
                "clockRate": 90000,
                "rtcpFeedback": [{"type": "nack"}, {"type": "nack", "parameter": "pli"}],
            }
        ],
        "encodings": [{"ssrc": 1111}],
        "rtcp": {"cname": "x"},
    },
    "rtpMapping": {
        "codecs": [{"payloadType": 96, "mappedPayloadType": 101}],
        "encodings": [{"ssrc": 1111, "mappedSsrc": 5555}],
    },
}


def consume(n: int) -> dict[str, Any]:
    return {
        "kind": "video",
        "type": "simple",
        "rtpParameters": {
            "codecs": [{"mimeType": "video/VP8", "payloadType": 101, "clockRate": 90000,
                        "rtcpFeedback": [{"type": "nack"}, {"type": "nack", "parameter": "pli"}]}],
            "encodings": [{"ssrc": 7000 + n}],
            "rtcp": {"cname": "x"},
        },
        "consumableRtpEncodings": [{"ssrc": 5555}],
    }  # fmt: skip


def vp8_datagrams(count: int, srtp: SrtpSessionPair | None) -> list[bytes]:
    out = []
    for seq in range(count):
        payload = (b"\x10\x00" if seq == 0 else b"\x10\x01") + bytes(PAYLOAD - 2)
        data = RtpPacket.create(96, seq & 0xFFFF, seq * 3000, 1111, payload).serialize()
        if srtp is not None:
            protected = srtp.send.protect_rtp(data)
            assert protected is not None
            data = protected
        out.append(data)
    return out


def best_us(func: Any, number: int) -> float:
    return min(timeit.repeat(func, number=number, repeat=5)) / number * 1e6


def bench_receive(number: int, srtp: bool) -> float:
    router, sockets = make_router()
    plain(router, "t1", srtp)
    transport = router.transports["t1"]

    class StubProducer:
        id = "p"
        kind = "video"

        def receive_rtp_packet(self, packet: Any, now_ms: Any = None) -> Any:
            return ReceiveRtpPacketResult.MEDIA

    transport.rtp_listener.ssrc_table[1111] = StubProducer()
    peer = SrtpSessionPair(SUITE, REMOTE_KEY, transport.srtp_key) if srtp else None
    datagrams = vp8_datagrams(number * 5 + 10, peer)
    on_packet = sockets[0].on_packet
    sock = sockets[0]
    it = iter(datagrams)

    def step() -> None:
        on_packet(sock, next(it), PEER)

    return best_us(step, number)


def bench_send(number: int, srtp: bool, socket_class: type) -> float:
    router, _sockets = make_router(socket_class)
    plain(router, "t1", srtp)
    transport = router.transports["t1"]

    class StubConsumer:
        id = "c"
        rtp_header_extension_ids = {"absSendTime": 0}
        abs_send_time_id = 0

    consumer = StubConsumer()
    packet = RtpPacket.parse(vp8_datagrams(1, None)[0])
    send = transport.on_consumer_send_rtp_packet
    seq = [0]

    def step() -> None:
        seq[0] += 1
        packet.set_sequence_number(seq[0] & 0xFFFF)  # a new index for SRTP each time
        send(consumer, packet)

    return best_us(step, number)


def bench_forward(number: int, consumers: int, srtp: bool) -> float:
    router, sockets = make_router()
    plain(router, "in", srtp)
    request(router, "transport.produce", {"transportId": "in", "producerId": "p"}, PRODUCE)
    for n in range(consumers):
        plain(router, f"out{n}", srtp)
        request(
            router,
            "transport.consume",
            {"transportId": f"out{n}", "consumerId": f"c{n}", "producerId": "p"},
            consume(n),
        )
    transport = router.transports["in"]
    peer = SrtpSessionPair(SUITE, REMOTE_KEY, transport.srtp_key) if srtp else None
    datagrams = vp8_datagrams(number * 5 + 10, peer)
    sock = sockets[0]
    on_packet = sock.on_packet
    for data in datagrams[:5]:  # the stream exists, the key frame went through
        on_packet(sock, data, PEER)
    it = iter(datagrams[5:])

    def step() -> None:
        on_packet(sock, next(it), PEER)

    return best_us(step, number)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--number", type=int, default=20000)
    parser.add_argument("--json")
    args = parser.parse_args()
    n = args.number
    results = {
        "receive (plain RTP)": bench_receive(n, False),
        "receive (SRTP)": bench_receive(n, True),
        "send, 1 consumer, socket stub (plain)": bench_send(n, False, StubSocket),
        "send, 1 consumer, socket stub (SRTP)": bench_send(n, True, StubSocket),
        "send, 1 consumer, real sendto (plain)": bench_send(n, False, RealSocket),
        "send, 1 consumer, real sendto (SRTP)": bench_send(n, True, RealSocket),
    }
    for consumers in (1, 10):
        for srtp in (False, True):
            us = bench_forward(n // consumers, consumers, srtp)
            kind = "SRTP" if srtp else "plain"
            results[f"forward, {consumers} consumer(s), {kind}: per datagram"] = us
            results[f"forward, {consumers} consumer(s), {kind}: per consumer"] = us / consumers
    width = max(map(len, results))
    for name, us in results.items():
        print(f"{name:<{width}}  {us:7.2f} µs")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
