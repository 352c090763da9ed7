"""Forwarding measurements: the highest forwarded packets/s with < 1 % loss, and the
forwarder's CPU µs per forwarded packet, for one target and one (N, SRTP) shape.

The search: a short warm-up (every consumer synced on a key frame), then trials from
5,000 forwarded packets/s upward, each offering what the last one's CPU per packet says
one core could carry, until the first trial with 1 % loss or more (see max_rate). CPU is read from /proc (utime + stime of every pid of the target) around each trial
and divided by the packets the sink received in it, so it holds whoever the bottleneck
is (the generator included).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from . import proc
from .proc import LOAD_CPU, cpu_seconds, udp_drops

MAX_LOSS = 0.01
MAX_TRIALS = 10


class LoadGenClient:
    """The load generator subprocess (benchmarks.loadgen), pinned to the load core."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.hello: dict[str, Any] = {}

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.loadgen", "--cpu", str(LOAD_CPU), "--nice", str(proc.NICE),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        )  # fmt: skip
        assert self.process.stdout is not None
        self.hello = json.loads(await self.process.stdout.readline())

    @property
    def sink_port(self) -> int:
        return int(self.hello["sink_port"])

    async def call(self, command: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
        assert self.process is not None and self.process.stdin and self.process.stdout
        self.process.stdin.write((json.dumps(command) + "\n").encode())
        await self.process.stdin.drain()
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not line:
            raise RuntimeError("load generator exited")
        reply: dict[str, Any] = json.loads(line)
        if reply.get("ok") is False and "error" in reply:
            raise RuntimeError(f"load generator: {reply['error']}")
        return reply

    async def close(self) -> None:
        if self.process is None:
            return
        try:
            await self.call({"cmd": "quit"}, timeout=5)
        except Exception:  # noqa: BLE001
            pass
        try:
            await asyncio.wait_for(self.process.wait(), 5)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        self.process = None


async def trial(
    loadgen: LoadGenClient, pids: list[int], n: int, rate_in: float, duration: float,
    latency: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """One measurement window: offered ``rate_in`` packets/s into the forwarder."""
    cpu0 = sum(cpu_seconds(p) for p in pids)
    drops0 = udp_drops()[0]
    result = await loadgen.call({
        "cmd": "run", "rate": rate_in, "duration": duration, "latency": latency,
        "batch": 1 if latency else 32,
    })  # fmt: skip
    cpu = sum(cpu_seconds(p) for p in pids) - cpu0
    result["kernel_rcvbuf_drops"] = udp_drops()[0] - drops0
    received = result["received"]
    result["worker_cpu_s"] = cpu
    result["worker_util"] = cpu / result["elapsed"]
    result["cpu_us_per_packet"] = cpu / received * 1e6 if received else None
    result["forwarded_rate"] = received / result["duration"]
    result["rewrite_errors"] = (
        result["bad_ssrc"] + result["bad_pt"] + result["seq_errors"]
        + result["offset_errors"] + result["decrypt_fail"]
    )  # fmt: skip
    result["n"] = n
    return result


async def warm_up(loadgen: LoadGenClient, pids: list[int], n: int) -> dict[str, Any]:
    """Until every consumer gets packets (its first key frame went through)."""
    for _ in range(5):
        result = await trial(loadgen, pids, n, max(100.0, 3000.0 / n), 0.5)
        if result["min_per_consumer"] > 0 and result["loss"] < 0.2:
            return result
    return result


async def max_rate(
    loadgen: LoadGenClient, pids: list[int], n: int, duration: float, log: Any = None
) -> dict[str, Any]:
    """The highest forwarded rate with < 1 % loss, found from below, and its trial's figures.

    From below, because a trial with heavy loss would take the producer's stream score to
    0 and mediasoup's SimpleConsumer stops forwarding until the score recovers (seconds):
    every trial after it would then be wrong. Each passing trial's CPU per packet tells
    what one core could carry; the next trial offers up to 95 % of that (at least 8 % and
    at most 60 % more than the last one). The first failing trial ends the search."""
    warm = await warm_up(loadgen, pids, n)
    if warm["min_per_consumer"] == 0:
        return {"n": n, "error": "some consumers got nothing", "warm": warm,
                "max_forwarded_rate": 0.0, "cpu_us_per_packet": None}  # fmt: skip
    rate = 5000.0
    trials: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    stop = ""
    for _ in range(MAX_TRIALS):
        result = await trial(loadgen, pids, n, rate / n, duration)
        trials.append(result)
        cpu_us = result["cpu_us_per_packet"] or 1e9
        if log:
            log(
                f"    offered {rate:9.0f} fwd/s -> {result['forwarded_rate']:9.0f} fwd/s, "
                f"loss {result['loss'] * 100:5.2f} %, cpu {result['cpu_us_per_packet'] or 0:6.2f} µs/pkt, "
                f"util {result['worker_util']:.2f}, gen {result['loadgen_cpu_s'] / result['elapsed']:.2f}"
            )
        generator_short = result["achieved_rate"] < 0.97 * rate / n
        if result["loss"] >= MAX_LOSS:
            stop = "loss"
            break
        best = result
        if generator_short:
            stop = "generator"
            break
        core_rate = 1e6 / cpu_us
        rate = min(max(0.95 * core_rate, 1.08 * rate), 1.6 * rate)
    else:
        stop = "trials"
    errors = sum(t["rewrite_errors"] for t in [warm, *trials])
    checked = sum(t["received"] for t in [warm, *trials])
    out: dict[str, Any] = {
        "n": n,
        "trials": trials,
        "stopped_by": stop,
        "rewrite_errors_total": errors,
        "packets_checked": checked,
    }
    if best is None:
        out["error"] = "no trial under 1 % loss"
        best = min(trials, key=lambda t: t["loss"])
        out["max_forwarded_rate"] = 0.0
    else:
        out["max_forwarded_rate"] = best["forwarded_rate"]
    out["best"] = best
    out["cpu_us_per_packet"] = best["cpu_us_per_packet"]
    # Generator-bound: the forwarder had CPU to spare when the generator could give no more.
    out["generator_bound"] = stop == "generator" and best["worker_util"] < 0.85
    return out
