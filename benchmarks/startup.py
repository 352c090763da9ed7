"""Worker start-up: spawn -> `running`, spawn -> first reply, and the worker's import time.

    python -m benchmarks.startup [--runs 20] [--json OUT]

The worker is ours unless PYMEDIASOUP_WORKER_BIN names another (e.g. mediasoup-worker),
so the same run can measure either. Each figure is the median of --runs spawns.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import statistics
import subprocess
import sys
import time

import pymediasoup
import pymediasoup_worker


async def spawn_once() -> tuple[float, float]:
    start = time.perf_counter()
    worker = await pymediasoup.create_worker()
    running = time.perf_counter() - start
    await worker.dump()
    first_reply = time.perf_counter() - start
    worker.close()
    return running, first_reply


async def spawns(runs: int) -> tuple[list[float], list[float]]:
    results = [await spawn_once() for _ in range(runs)]
    await asyncio.sleep(0.2)
    return [r for r, _ in results], [f for _, f in results]


def interpreter_time(code: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compile_packages() -> None:
    """Byte-compile our packages as an install does: an editable checkout run with
    PYTHONDONTWRITEBYTECODE would otherwise compile every module in every spawn."""
    for package in (pymediasoup, pymediasoup_worker):
        compileall.compile_dir(os.path.dirname(package.__file__ or ""), quiet=1)


def measure(runs: int) -> dict[str, float]:
    compile_packages()
    running, first_reply = asyncio.run(spawns(runs))
    bare = interpreter_time("pass", runs)
    with_worker = interpreter_time("import pymediasoup_worker.loop", runs)
    return {
        "runs": runs,
        "spawn_to_running_ms_median": statistics.median(running) * 1000,
        "spawn_to_first_reply_ms_median": statistics.median(first_reply) * 1000,
        "python_bare_start_ms_median": bare * 1000,
        "worker_import_ms_median": (with_worker - bare) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args()
    result = measure(args.runs)
    print(f"worker start-up, median of {args.runs} spawns")
    print(
        f"  spawn -> running         {result['spawn_to_running_ms_median']:7.1f} ms   (target <= 150 ms)"
    )
    print(f"  spawn -> first reply     {result['spawn_to_first_reply_ms_median']:7.1f} ms")
    print(f"  python start, bare       {result['python_bare_start_ms_median']:7.1f} ms")
    print(
        f"  import pymediasoup_worker{result['worker_import_ms_median']:7.1f} ms   (above bare start)"
    )
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)


if __name__ == "__main__":
    main()
