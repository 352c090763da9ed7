"""The benchmark suite: one command, under 5 minutes on 2 cores (``--quick``: ~1.5 minutes).

    .venv/bin/python -m benchmarks [--quick] [--out DIR] [--nice N] [--only SECTION,...]
                                   [--reference WORKER_BIN]

Sections: startup, instructions (our packet path in process under valgrind: machine
instructions per datagram and per consumer, the one figure noise does not move),
forwarding (ours vs the raw uvloop forwarder, plain RTP and SRTP, N = 1, 10, 50, with
latency at half the max rate; with ``--reference``, that worker too, in the same run),
webrtc, pipe, memory (RSS and control plane). The worker is ours unless
PYMEDIASOUP_WORKER_BIN names another; everything else (load generator, sinks, raw
forwarder) is the same in every run. Output: a table on the terminal, DIR/results.json
and DIR/forwarding.png (default DIR: benchmarks/out).

Pinning: the worker (or raw forwarder) alone on cpu 0; the load generator, the sinks and
this controller on cpu 1. The machine is shared: the suite runs in its own session, so
in its own scheduler autogroup, and (as root) gives that group nice ``--nice`` (default
-10) so that other load takes less of its cores; ``--nice 0`` leaves priorities alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import proc
from .forwarding import LoadGenClient, max_rate, trial
from .proc import LOAD_CPU, cpu_seconds, pin, rss_bytes
from .targets import (
    LOCALHOST,
    MEDIA_CODECS,
    RawTarget,
    WorkerTarget,
    consumer_rtp_capabilities,
    producer_rtp_parameters,
    start_worker,
)

SESSION_ENV = "PYMEDIASOUP_BENCH_SESSION"
SECTIONS = ("startup", "instructions", "forwarding", "webrtc", "pipe", "memory")

TARGETS = {  # (figure, target, how it compares)
    "cpu_ratio": 1.5,
    "plain_n10_rate": 190_000,
    "srtp_n10_rate": 120_000,
    "startup_ms": 150,
    "latency_p99_us": 1000,
    "rss_per_consumer_kib": 64,
    "pipe_cpu_ratio": 1.2,
}


def log(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)


def worker_name() -> str:
    return os.environ.get("PYMEDIASOUP_WORKER_BIN") or "pymediasoup_worker (ours)"


# ---------------------------------------------------------------------------------------
# Sections


def run_startup(runs: int) -> dict[str, Any]:
    from .startup import measure

    return measure(runs)


def run_instructions(datagrams: int) -> dict[str, Any]:
    from . import instructions

    if os.environ.get("PYMEDIASOUP_WORKER_BIN"):
        return {"error": "counts pymediasoup_worker's own code in process, not another worker"}
    if not instructions.available():
        return {"error": "valgrind is not installed"}
    ns = [1, 10]
    counts = {str(n): instructions.per_datagram(n, False, datagrams) for n in ns}
    return {
        "mode": "plain",
        "datagrams": datagrams,
        "per_datagram": counts,
        "per_extra_consumer": (counts["10"] - counts["1"]) / 9,
    }


async def run_forwarding(
    loadgen: LoadGenClient,
    ns: list[int],
    duration: float,
    latency_n: int,
    reference: str | None = None,
) -> dict[str, Any]:
    """Ours (or PYMEDIASOUP_WORKER_BIN's), the raw forwarder, and with ``reference`` (a
    worker binary, e.g. mediasoup's) that worker too, one after the other per shape."""
    results: dict[str, Any] = {}
    workers = {"worker": await start_worker()}
    if reference:
        workers["reference"] = await start_worker(reference)
    try:
        for srtp in (False, True):
            mode = "srtp" if srtp else "plain"
            for n in ns:
                for name in (*workers, "raw"):
                    target: Any = WorkerTarget([workers[name]]) if name != "raw" else RawTarget()
                    started = time.monotonic()
                    try:
                        await loadgen.call(await target.setup(n, srtp, loadgen.sink_port))
                        log(f"  {name:4} {mode:5} N={n}")
                        result = await max_rate(loadgen, target.pids, n, duration, log)
                        if n == latency_n and result.get("max_forwarded_rate"):
                            half = result["max_forwarded_rate"] / 2
                            lat = await trial(loadgen, target.pids, n, half / n, duration, True)
                            result["latency"] = lat
                            log(f"    latency at {half:.0f} fwd/s: p50 {lat['lat_p50_us']:.0f} µs, "
                                f"p99 {lat['lat_p99_us']:.0f} µs ({lat['lat_samples']} samples)")  # fmt: skip
                    finally:
                        await target.close()
                    result["seconds"] = time.monotonic() - started
                    results[f"{name}/{mode}/{n}"] = result
    finally:
        for worker in workers.values():
            worker.close()
    return results


async def run_webrtc(loadgen: LoadGenClient, ns: list[int], duration: float) -> dict[str, Any]:
    results: dict[str, Any] = {}
    worker = await start_worker()
    try:
        for n in ns:
            target = WorkerTarget([worker], kind="webrtc")
            try:
                setup = await target.setup(n, True, loadgen.sink_port)
                await loadgen.call(setup)
                command = await target.webrtc_command(loadgen.hello["fingerprint"])
                connected = await loadgen.call(command, timeout=60)
                if not connected.get("ok"):
                    results[f"worker/webrtc/{n}"] = {"error": connected.get("reason")}
                    continue
                log(f"  worker webrtc N={n} (DTLS-SRTP {connected.get('suite')})")
                results[f"worker/webrtc/{n}"] = await max_rate(
                    loadgen, target.pids, n, duration, log
                )
            except Exception as exc:  # noqa: BLE001 - reported as not available
                results[f"worker/webrtc/{n}"] = {"error": f"{type(exc).__name__}: {exc}"}
                log(f"  webrtc N={n}: not available: {exc}")
            finally:
                await target.close()
    finally:
        worker.close()
    return results


async def run_pipe(loadgen: LoadGenClient, n: int, duration: float) -> dict[str, Any]:
    workers = [await start_worker(), await start_worker()]
    target = WorkerTarget(workers, kind="pipe")
    try:
        await loadgen.call(await target.setup(n, False, loadgen.sink_port))
        log(f"  two workers (pipe_to_router) plain N={n}, both on cpu {proc.WORKER_CPU}")
        return await max_rate(loadgen, target.pids, n, duration, log)
    finally:
        await target.close()
        for worker in workers:
            worker.close()


async def run_memory(count: int, concurrency: int = 50) -> dict[str, Any]:
    """RSS per WebRtcTransport and per consumer with ``count`` of each, and the control
    plane's rate (requests in flight: ``concurrency``)."""
    worker = await start_worker()
    try:
        router = await worker.create_router(media_codecs=MEDIA_CODECS)
        source = await router.create_plain_transport(listen_ip=LOCALHOST, comedia=True)
        producer = await source.produce(kind="video", rtp_parameters=producer_rtp_parameters())
        await asyncio.sleep(0.2)
        rss0, cpu0 = rss_bytes(worker.pid), cpu_seconds(worker.pid)
        transports: list[Any] = []
        started = time.perf_counter()
        for first in range(0, count, concurrency):
            transports += await asyncio.gather(*(
                router.create_webrtc_transport(listen_ips=[LOCALHOST])
                for _ in range(first, min(first + concurrency, count))
            ))  # fmt: skip
        transport_s = time.perf_counter() - started
        await asyncio.sleep(0.2)
        rss1, cpu1 = rss_bytes(worker.pid), cpu_seconds(worker.pid)
        caps = consumer_rtp_capabilities(True)
        started = time.perf_counter()
        for first in range(0, count, concurrency):
            await asyncio.gather(*(
                t.consume(producer_id=producer.id, rtp_capabilities=caps)
                for t in transports[first : first + concurrency]
            ))  # fmt: skip
        consume_s = time.perf_counter() - started
        await asyncio.sleep(0.2)
        rss2, cpu2 = rss_bytes(worker.pid), cpu_seconds(worker.pid)
        return {
            "count": count,
            "rss_before_mib": rss0 / 2**20,
            "rss_per_webrtc_transport_kib": (rss1 - rss0) / count / 1024,
            "rss_per_consumer_kib": (rss2 - rss1) / count / 1024,
            "create_webrtc_transport_per_s": count / transport_s,
            "consume_per_s": count / consume_s,
            "transport_plus_consume_per_s": 2 * count / (transport_s + consume_s),
            "worker_cpu_ms_per_create_transport": (cpu1 - cpu0) / count * 1000,
            "worker_cpu_ms_per_consume": (cpu2 - cpu1) / count * 1000,
        }
    finally:
        worker.close()


# ---------------------------------------------------------------------------------------
# Report


def fmt_rate(value: float | None) -> str:
    return f"{value:,.0f}" if value else "-"


def fmt_us(value: float | None) -> str:
    return f"{value:.2f}" if value else "-"


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "FAIL")


def report(results: dict[str, Any], ns: list[int]) -> tuple[str, list[dict[str, Any]]]:
    lines: list[str] = []
    targets: list[dict[str, Any]] = []

    def target(name: str, value: Any, limit: str, ok: bool | None) -> None:
        targets.append({"target": name, "value": value, "limit": limit, "ok": ok})

    meta = results["meta"]
    lines.append(f"worker: {meta['worker']}   python {meta['python']}   cpus {meta['cpus']}   "
                 f"loadavg at start {meta['loadavg_start']:.1f}   autogroup nice {meta['nice']}")  # fmt: skip
    if "startup" in results:
        s = results["startup"]
        lines.append("")
        lines.append(f"Start-up (median of {s['runs']}): spawn -> running {s['spawn_to_running_ms_median']:.1f} ms, "
                     f"first reply {s['spawn_to_first_reply_ms_median']:.1f} ms; "
                     f"import pymediasoup_worker {s['worker_import_ms_median']:.1f} ms "
                     f"(bare python {s['python_bare_start_ms_median']:.1f} ms)")  # fmt: skip
        ms = s["spawn_to_running_ms_median"]
        target("3. start-up median <= 150 ms", round(ms, 1), "150 ms", ms <= 150)
    ins = results.get("instructions")
    if ins:
        lines.append("")
        if ins.get("error"):
            lines.append(f"Instructions per datagram: not available: {ins['error']}")
        else:
            counts = ins["per_datagram"]
            lines.append("Instructions (valgrind, in process, plain RTP, socket stubs): "
                         f"{counts['1']:,.0f} per datagram at N=1, {counts['10']:,.0f} at N=10, "
                         f"{ins['per_extra_consumer']:,.0f} per extra consumer")  # fmt: skip
    fwd = results.get("forwarding")
    if fwd:
        lines.append("")
        lines.append(
            "Forwarding: 1 producer (PlainTransport, VP8 1200 B) -> N consumers; max forwarded pkt/s with < 1 % loss;"
        )
        lines.append(
            "worker CPU µs per forwarded packet (/proc utime+stime over the trial / packets at the sink)"
        )
        head = f"{'mode':6}{'N':>4} | {'wkr pkt/s':>10} {'µs/pkt':>7} {'1 core':>9} | {'raw pkt/s':>10} {'µs/pkt':>7} | {'wkr/raw':>8} | {'errors/checked':>16}"
        lines.append(head)
        lines.append("-" * len(head))
        for mode in ("plain", "srtp"):
            for n in ns:
                ours = fwd.get(f"worker/{mode}/{n}", {})
                raw = fwd.get(f"raw/{mode}/{n}", {})
                ratio = (ours["cpu_us_per_packet"] / raw["cpu_us_per_packet"]
                         if ours.get("cpu_us_per_packet") and raw.get("cpu_us_per_packet") else None)  # fmt: skip
                core = 1e6 / ours["cpu_us_per_packet"] if ours.get("cpu_us_per_packet") else None
                errors = ours.get("rewrite_errors_total", 0) + raw.get("rewrite_errors_total", 0)
                checked = ours.get("packets_checked", 0) + raw.get("packets_checked", 0)
                flag = "*" if ours.get("generator_bound") else " "
                lines.append(
                    f"{mode:6}{n:>4} | {fmt_rate(ours.get('max_forwarded_rate')):>10}{flag}{fmt_us(ours.get('cpu_us_per_packet')):>7} "
                    f"{fmt_rate(core):>9} | {fmt_rate(raw.get('max_forwarded_rate')):>10} "
                    f"{fmt_us(raw.get('cpu_us_per_packet')):>7} | {(f'{ratio:.2f}x' if ratio else '-'):>8} | "
                    f"{errors:>6}/{checked:<9}"
                )  # fmt: skip
                if n in (10, 50):
                    target(f"1. CPU/pkt worker/raw <= 1.5, {mode} N={n}",
                           round(ratio, 2) if ratio else None, "1.5x",
                           ratio <= TARGETS["cpu_ratio"] if ratio else None)  # fmt: skip
                if n == 10:
                    rate = ours.get("max_forwarded_rate") or 0
                    limit = TARGETS["srtp_n10_rate" if mode == "srtp" else "plain_n10_rate"]
                    target(f"2. {mode} N=10 forwarded pkt/s per worker core", round(rate),
                           f">= {limit:,}", rate >= limit)  # fmt: skip
                if ours.get("error") or raw.get("error"):
                    lines.append(f"        ! {ours.get('error') or ''} {raw.get('error') or ''}")
        lines.append(
            "  wkr = the worker under test; raw = benchmarks/raw_forwarder.py (the Python limit)"
        )
        lines.append("  '1 core' = 1e6 / µs per packet: what one core would carry at that cost; "
                     "* = the load generator, not the worker, was the limit")  # fmt: skip
        if any(key.startswith("reference/") for key in fwd):
            lines.append("")
            lines.append(
                f"Reference worker, measured in the same run: {results['meta'].get('reference')}"
            )
            for mode in ("plain", "srtp"):
                for n in ns:
                    ours = fwd.get(f"worker/{mode}/{n}", {}).get("cpu_us_per_packet")
                    ref = fwd.get(f"reference/{mode}/{n}", {})
                    raw = fwd.get(f"raw/{mode}/{n}", {}).get("cpu_us_per_packet")
                    ref_us = ref.get("cpu_us_per_packet")
                    lines.append(
                        f"  {mode:6}{n:>4} | {fmt_rate(ref.get('max_forwarded_rate')):>10} pkt/s "
                        f"{fmt_us(ref_us):>7} µs/pkt | ref/raw {(f'{ref_us / raw:.2f}x' if ref_us and raw else '-'):>6} "
                        f"| wkr/ref {(f'{ours / ref_us:.2f}x' if ours and ref_us else '-'):>6} "
                        f"| errors {ref.get('rewrite_errors_total', 0)}/{ref.get('packets_checked', 0)}"
                    )  # fmt: skip
        lat_rows = [(k, v["latency"]) for k, v in fwd.items() if "latency" in v]
        if lat_rows:
            lines.append("")
            lines.append(
                "Latency through the forwarder at half its max rate (send -> sink, incl. 2 loopback hops)"
            )
            for key, lat in lat_rows:
                lines.append(f"  {key:16} at {lat['forwarded_rate']:>9,.0f} fwd/s: p50 {lat['lat_p50_us']:7.0f} µs   "
                             f"p99 {lat['lat_p99_us']:7.0f} µs   loss {lat['loss'] * 100:.2f} %")  # fmt: skip
                if key.startswith("worker"):
                    p99 = lat["lat_p99_us"]
                    target(
                        f"4. latency p99 at half max, {key}", round(p99), "<= 1000 µs", p99 <= 1000
                    )
    web = results.get("webrtc")
    if web:
        lines.append("")
        lines.append(
            "WebRTC path: N consumers on WebRtcTransports (ICE-lite, DTLS-SRTP, RTCP RR, transport-cc feedback every 50 ms)"
        )
        for key, r in web.items():
            if r.get("error") and not r.get("cpu_us_per_packet"):
                lines.append(f"  {key}: not available: {r['error']}")
                continue
            n = r["n"]
            plain_srtp = (fwd or {}).get(f"worker/srtp/{n}", {}).get("cpu_us_per_packet")
            raw_srtp = (fwd or {}).get(f"raw/srtp/{n}", {}).get("cpu_us_per_packet")
            extra = ""
            if plain_srtp:
                extra += f"  vs PlainTransport SRTP {r['cpu_us_per_packet'] / plain_srtp:.2f}x"
            if raw_srtp:
                extra += f"  vs raw SRTP {r['cpu_us_per_packet'] / raw_srtp:.2f}x"
            lines.append(f"  N={n:<3} max {fmt_rate(r.get('max_forwarded_rate'))} pkt/s, "
                         f"{fmt_us(r.get('cpu_us_per_packet'))} µs/pkt{extra}; "
                         f"errors {r.get('rewrite_errors_total', 0)}/{r.get('packets_checked', 0)}")  # fmt: skip
    pipe = results.get("pipe")
    if pipe:
        lines.append("")
        n = pipe.get("n", 10)
        one = (fwd or {}).get(f"worker/plain/{n}", {}).get("cpu_us_per_packet")
        ratio = pipe["cpu_us_per_packet"] / one if one and pipe.get("cpu_us_per_packet") else None
        one_rate = (fwd or {}).get(f"worker/plain/{n}", {}).get("max_forwarded_rate")
        lines.append(f"Two workers joined by pipe_to_router (plain, N={n} split between them, both on cpu 0): "
                     f"{fmt_rate(pipe.get('max_forwarded_rate'))} pkt/s aggregate vs one worker {fmt_rate(one_rate)}; "
                     f"CPU {fmt_us(pipe.get('cpu_us_per_packet'))} µs/pkt summed over both"
                     + (f" = {ratio:.2f}x one worker's" if ratio else ""))  # fmt: skip
        target("6. pipe: CPU/pkt both workers <= 1.2x one", round(ratio, 2) if ratio else None,
               "1.2x", ratio <= TARGETS["pipe_cpu_ratio"] if ratio else None)  # fmt: skip
    mem = results.get("memory")
    if mem:
        lines.append("")
        lines.append(f"Memory and control plane ({mem['count']} WebRtcTransports, one consumer on each, "
                     f"50 requests in flight): RSS {mem['rss_per_webrtc_transport_kib']:.1f} KiB per transport, "
                     f"{mem['rss_per_consumer_kib']:.1f} KiB per consumer; "
                     f"{mem['create_webrtc_transport_per_s']:.0f} createWebRtcTransport/s, "
                     f"{mem['consume_per_s']:.0f} consume/s "
                     f"(worker CPU {mem['worker_cpu_ms_per_create_transport']:.2f} / {mem['worker_cpu_ms_per_consume']:.2f} ms each)")  # fmt: skip
        kib = mem["rss_per_consumer_kib"]
        target("5. RSS per consumer <= 64 KiB", round(kib, 1), "64 KiB", kib <= 64)
    lines.append("")
    lines.append("Targets")
    for t in targets:
        lines.append(
            f"  {verdict(t['ok']):4}  {t['target']:48} {str(t['value']):>10}  (target {t['limit']})"
        )
    return "\n".join(lines), targets


def plot(results: dict[str, Any], ns: list[int], path: Path) -> None:
    from .png import line_chart

    fwd = results.get("forwarding", {})
    series = []
    for name, label in (("worker", "WORKER"), ("raw", "RAW PY")):
        for mode in ("plain", "srtp"):
            ys = [fwd.get(f"{name}/{mode}/{n}", {}).get("max_forwarded_rate") for n in ns]
            if any(ys):
                series.append((f"{label} {mode}", ys))
    web = results.get("webrtc", {})
    ys = [web.get(f"worker/webrtc/{n}", {}).get("max_forwarded_rate") for n in ns]
    if any(ys):
        series.append(("WORKER WEBRTC", ys))
    worker = "C++ WORKER" if os.environ.get("PYMEDIASOUP_WORKER_BIN") else "PYMEDIASOUP"
    line_chart(str(path), f"FORWARDED PKT/S (<1% LOSS), {worker}", [str(n) for n in ns], series,
               "PKT/S")  # fmt: skip


# ---------------------------------------------------------------------------------------


async def run_async(args: argparse.Namespace, results: dict[str, Any], ns: list[int]) -> None:
    sections = args.only
    duration = 0.4 if args.quick else 1.0
    loadgen = LoadGenClient()
    await loadgen.start()
    try:
        if "forwarding" in sections:
            log("forwarding")
            results["forwarding"] = await run_forwarding(loadgen, ns, duration, 10, args.reference)
        if "webrtc" in sections:
            log("webrtc")
            results["webrtc"] = await run_webrtc(loadgen, [10] if args.quick else [1, 10], duration)
        if "pipe" in sections:
            log("pipe")
            results["pipe"] = await run_pipe(loadgen, 10, duration)
    finally:
        await loadgen.close()
    if "memory" in sections:
        log("memory and control plane")
        results["memory"] = await run_memory(200 if args.quick else 1000)


def main_in_session(args: argparse.Namespace) -> int:
    if args.nice:
        try:
            with open("/proc/self/autogroup", "w") as f:
                f.write(str(args.nice))
        except OSError:
            args.nice = 0
    proc.NICE = args.nice
    pin(0, LOAD_CPU)
    ns = [1, 10] if args.quick else [1, 10, 50]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results: dict[str, Any] = {
        "meta": {
            "worker": worker_name(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "loadavg_start": proc.loadavg(),
            "nice": args.nice,
            "quick": args.quick,
            "reference": args.reference,
            "time": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
    }
    if "startup" in args.only:
        log("startup")
        results["startup"] = run_startup(5 if args.quick else 20)
    if "instructions" in args.only:
        log("instructions")
        results["instructions"] = run_instructions(500 if args.quick else 1000)
    asyncio.run(run_async(args, results, ns))
    results["meta"]["seconds"] = time.monotonic() - started
    results["meta"]["loadavg_end"] = proc.loadavg()
    table, targets = report(results, ns)
    results["targets"] = targets
    print(table)
    print(f"\n{results['meta']['seconds']:.0f} s; JSON: {out / 'results.json'}", end="")
    with open(out / "results.json", "w") as f:
        json.dump(results, f, indent=1, default=str)
    if "forwarding" in results:
        plot(results, ns, out / "forwarding.png")
        print(f"; plot: {out / 'forwarding.png'}", end="")
    print()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~1.5 minute smoke run")
    parser.add_argument("--out", default=str(Path(__file__).parent / "out"))
    parser.add_argument("--nice", type=int, default=-10, help="autogroup nice (root); 0: none")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument(
        "--reference",
        metavar="WORKER_BIN",
        help="also forward through this worker (e.g. mediasoup's) in the same run",
    )
    args = parser.parse_args()
    args.only = set(args.only.split(","))
    unknown = args.only - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}")
    if os.environ.get(SESSION_ENV):
        return main_in_session(args)
    # Run in a new session (its own scheduler autogroup), and end it if we are interrupted.
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, **{SESSION_ENV: "1"})
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    child = subprocess.Popen([sys.executable, "-m", "benchmarks", *sys.argv[1:]], env=env,
                             cwd=root, start_new_session=True)  # fmt: skip
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.send_signal(signal.SIGINT)
        try:
            return child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            return child.wait()
