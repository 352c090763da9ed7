"""Speed check of the producer/consumer media path (not a test).

Feeds pre-parsed 1200-byte VP8 packets (and Opus packets) through a real Producer, the
Router's fan-out and N SimpleConsumers whose transport does nothing with them (the send
itself, SRTP and sendto are the transport's and are not measured here), and prints µs
per packet: for the Producer alone (0 consumers) and per consumer with 1 and 10.

    .venv/bin/python benchmarks/media_path.py [--profile]

Parsing is outside the measurement (the transport does it); each packet object is fed
once, as in the worker. The clock is a constant (as the fake clock of the unit tests);
``time.monotonic_ns`` costs about 0.1 µs per call on top in the worker. Times are CPU
time of this process (process_time), so other load on the machine disturbs them less.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pymediasoup_worker.core.rtp.packet import RtpPacket  # noqa: E402
from tests.unit.media_harness import (  # noqa: E402
    AUDIO_PRODUCER,
    Harness,
    audio_consumer,
    opus_packet,
    video_consumer,
    video_producer,
    vp8_payload,
)


class NullTransport:
    """The listener that sends nothing (what is left is our own work)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def on_consumer_send_rtp_packet(self, consumer: Any, packet: Any, now_ms: Any = None) -> None:
        pass


def make_packets(kind: str, count: int) -> list[RtpPacket]:
    packets = []
    for i in range(count):
        seq = (0xFF00 + i) & 0xFFFF
        if kind == "video":
            payload = vp8_payload(i % 300 == 0, i) + bytes(1200 - 104 - 20)
            packets.append(
                RtpPacket.create(
                    96, seq, i // 10 * 3000, 2222, payload, extensions=[(9, b"VIDEO")]
                )  # fmt: skip
            )
        else:
            packets.append(opus_packet(seq, i * 960))
    return packets


def run(kind: str, consumers: int, count: int, profile: bool = False) -> float:
    harness = Harness()
    harness.transport.on_consumer_send_rtp_packet = lambda c, p, now_ms=None: None  # type: ignore[method-assign]
    if kind == "video":
        producer = harness.produce(video_producer())
        for n in range(consumers):
            harness.consume(
                producer, video_consumer(ssrc=10000 + 2 * n, rtx_ssrc=10001 + 2 * n, mid=str(n))
            )
    else:
        producer = harness.produce(AUDIO_PRODUCER)
        for n in range(consumers):
            harness.consume(producer, audio_consumer(ssrc=10000 + n, mid=str(n)))
    # Warm up: the stream exists and every consumer is synced (first packet a key frame).
    for packet in make_packets(kind, 50):
        producer.receive_rtp_packet(packet)
    packets = make_packets(kind, count)
    # Shift so the measured packets continue the warm-up ones.
    for packet in packets:
        packet.set_sequence_number((packet.sequence_number + 50) & 0xFFFF)
        packet.set_timestamp((packet.timestamp + 50 * 3000) & 0xFFFFFFFF)
    receive = producer.receive_rtp_packet
    clock = harness.clock
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
    start = time.process_time()
    for i, packet in enumerate(packets):
        if not i & 7:
            clock.now += 1
        receive(packet)
    elapsed = time.process_time() - start
    if profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
    return elapsed / count * 1e6


def calibrate() -> float:
    """µs of one RTP header ``struct.unpack_from`` here (STYLE.md measured 0.10 µs): on a
    loaded machine the results are also shown scaled to that reference."""
    import struct
    import timeit

    header = struct.Struct("!BBHII")
    data = bytes(1200)
    runs = timeit.repeat(lambda: header.unpack_from(data), number=200_000, repeat=5)
    empty = timeit.repeat(lambda: None, number=200_000, repeat=5)
    return max(min(runs) - min(empty), 1e-9) / 200_000 * 1e6 + 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--count", type=int, default=20000)
    args = parser.parse_args()
    reference = calibrate()
    scale = 0.10 / reference
    print(f"unpack_from here: {reference:.3f} µs (STYLE.md: 0.10); scale factor {scale:.2f}")
    for kind in ("video", "audio"):
        base = min(run(kind, 0, args.count) for _ in range(5))
        one = min(run(kind, 1, args.count) for _ in range(5))
        ten = min(run(kind, 10, args.count) for _ in range(5))
        print(
            f"{kind}: producer alone {base:.2f} µs/packet; "
            f"1 consumer {one:.2f} µs (+{one - base:.2f} per consumer); "
            f"10 consumers {ten:.2f} µs (+{(ten - base) / 10:.2f} per consumer)"
            f"  | scaled: {base * scale:.2f} / +{(one - base) * scale:.2f} / "
            f"+{(ten - base) / 10 * scale:.2f}"
        )
    if args.profile:
        run("video", 10, args.count, profile=True)


if __name__ == "__main__":
    main()
