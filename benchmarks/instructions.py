"""Machine instructions per forwarded datagram, counted by valgrind: an A/B that noise
cannot move.

    python -m benchmarks.instructions [--consumers 1,10] [--srtp] [--datagrams 2000]

The timed benchmarks move by ±20 % from run to run on a shared VM; an instruction count
moves by well under 1 %. This runs the in-process forwarding shape of
``transport_packet_path`` (a real Router, Producer and SimpleConsumers on PlainTransports
over socket stubs, VP8 1200-byte packets, a fake clock advancing 1 ms every 8 datagrams)
under ``valgrind --tool=cachegrind`` twice, forwarding ``D`` and ``2 D`` datagrams after
the same warm-up; the difference divided by ``D`` is the cost of one datagram, without
start-up and set-up. With two consumer counts it also prints the cost per extra consumer.

It counts work, not time: cache misses, syscalls and the CPU's state after a syscall are
not in it (in the worker the same code takes 2-3 times longer than its instruction count
suggests). Use it to tell whether a change to the packet path does less, then the timed
suite to tell whether that shows in the worker. Needs valgrind (Debian: ``valgrind``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from typing import Any

WARM_UP = 500


def child(consumers: int, srtp: bool, datagrams: int, total: int) -> None:
    """Set up, warm up, then forward ``datagrams`` of a pool of ``total`` (made up front,
    so that the pool's cost is the same in both runs)."""
    from . import transport_packet_path as t

    router, sockets = t.make_router()
    t.plain(router, "in", srtp)
    t.request(router, "transport.produce", {"transportId": "in", "producerId": "p"}, t.PRODUCE)
    for n in range(consumers):
        t.plain(router, f"out{n}", srtp)
        t.request(
            router,
            "transport.consume",
            {"transportId": f"out{n}", "consumerId": f"c{n}", "producerId": "p"},
            t.consume(n),
        )
    transport: Any = router.transports["in"]
    peer = t.SrtpSessionPair(t.SUITE, t.REMOTE_KEY, transport.srtp_key) if srtp else None
    pool = t.vp8_datagrams(WARM_UP + total, peer)
    clock = [8 * 10_000_000]
    router.shared.now_ms = lambda: clock[0] >> 3  # 1 ms every 8 datagrams
    sock = sockets[0]
    on_packet = sock.on_packet
    for data in pool[: WARM_UP + datagrams]:
        clock[0] += 1
        on_packet(sock, data, t.PEER)


def count(consumers: int, srtp: bool, datagrams: int, total: int) -> int:
    """Instructions of one child run (the whole process)."""
    command = [
        "valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
        sys.executable, "-m", "benchmarks.instructions", "--child",
        str(consumers), "srtp" if srtp else "plain", str(datagrams), str(total),
    ]  # fmt: skip
    env = dict(os.environ, PYTHONHASHSEED="0")
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    for line in result.stderr.splitlines():
        if "I" in line and "refs:" in line:
            return int(line.rsplit(":", 1)[1].replace(",", "").strip())
    raise RuntimeError(f"no instruction count in valgrind's output:\n{result.stderr[-2000:]}")


def available() -> bool:
    return shutil.which("valgrind") is not None


def per_datagram(consumers: int, srtp: bool, datagrams: int) -> float:
    total = 2 * datagrams
    once = count(consumers, srtp, datagrams, total)
    twice = count(consumers, srtp, total, total)
    return (twice - once) / datagrams


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--consumers", default="1,10")
    parser.add_argument("--srtp", action="store_true")
    parser.add_argument("--datagrams", type=int, default=2000)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        consumers, mode, datagrams, total = args.child
        child(int(consumers), mode == "srtp", int(datagrams), int(total))
        return
    if not available():
        print("not available: valgrind is not installed")
        return
    mode = "srtp" if args.srtp else "plain"
    counts = [int(n) for n in args.consumers.split(",")]
    results = {n: per_datagram(n, args.srtp, args.datagrams) for n in counts}
    for n, value in results.items():
        print(f"{mode} N={n:<3} {value:10,.0f} instructions per datagram")
    if len(counts) >= 2:
        low, high = min(counts), max(counts)
        extra = (results[high] - results[low]) / (high - low)
        print(f"{mode}       {extra:10,.0f} instructions per extra consumer")
        print(f"{mode}       {results[low] - low * extra:10,.0f} instructions per datagram besides")


if __name__ == "__main__":
    main()
