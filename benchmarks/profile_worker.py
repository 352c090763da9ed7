"""Where our worker's time goes on the forwarding path: py-spy on the worker's pid.

    .venv/bin/pip install py-spy      # once; not a dependency of the project
    .venv/bin/python -m benchmarks.profile_worker [--n 10] [--srtp] [--rate 10000] [--seconds 4]

Sets up the forwarding benchmark's shape (1 producer -> N PlainTransport consumers), holds
``--rate`` forwarded packets/s while ``py-spy record`` samples the worker (idle excluded),
and prints the functions (idle excluded) by self time and by inclusive time, each as a share of the
samples and as µs per forwarded packet (share x the trial's /proc CPU µs per packet).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter

from .forwarding import LoadGenClient, trial, warm_up
from .proc import LOAD_CPU, pin
from .targets import WorkerTarget, start_worker


def summarize(path: str, us_per_packet: float, top: int) -> None:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    with open(path) as f:
        for line in f:
            stack, _, count_text = line.rstrip().rpartition(" ")
            if not stack:
                continue
            count = int(count_text)
            frames = stack.split(";")
            if frames[-1].startswith("run_loop "):
                continue  # idle: the loop waiting in epoll (py-spy --nonblocking sees it)
            total += count
            own[frames[-1]] += count
            for frame in set(frames):
                inclusive[frame] += count
    if not total:
        print("no samples")
        return
    for title, table in (("self", own), ("inclusive", inclusive)):
        print(f"\nby {title} time ({total} samples; µs = share x {us_per_packet:.2f} µs/pkt)")
        for frame, count in table.most_common(top):
            share = count / total
            print(f"  {share * 100:5.1f} %  {share * us_per_packet:6.2f} µs  {frame}")


async def main_async(args: argparse.Namespace) -> None:
    spy = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    if not os.path.exists(spy):
        sys.exit("py-spy not found: .venv/bin/pip install py-spy")
    pin(0, LOAD_CPU)
    loadgen = LoadGenClient()
    await loadgen.start()
    worker = await start_worker()
    target = WorkerTarget([worker])
    try:
        await loadgen.call(await target.setup(args.n, args.srtp, loadgen.sink_port))
        await warm_up(loadgen, target.pids, args.n)
        out = os.path.join(tempfile.mkdtemp(), "py-spy.txt")
        recorder = subprocess.Popen(
            [spy, "record", "-p", str(worker.pid), "-d", str(int(args.seconds + 1.5)), "-r", "400",
             "-f", "raw", "-o", out, "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        await asyncio.sleep(0.5)
        result = await trial(loadgen, target.pids, args.n, args.rate / args.n, args.seconds)
        await asyncio.get_running_loop().run_in_executor(None, recorder.wait)
        print(
            f"N={args.n} {'SRTP' if args.srtp else 'plain'}: {result['forwarded_rate']:.0f} fwd/s, "
            f"loss {result['loss'] * 100:.2f} %, {result['cpu_us_per_packet']:.2f} µs/pkt, "
            f"worker util {result['worker_util']:.2f}"
        )
        if not os.path.exists(out):
            assert recorder.stderr is not None
            sys.exit(f"py-spy failed: {recorder.stderr.read().decode()[-500:]}")
        summarize(out, result["cpu_us_per_packet"] or 0.0, args.top)
        os.unlink(out)
    finally:
        await target.close()
        worker.close()
        await loadgen.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--srtp", action="store_true")
    parser.add_argument("--rate", type=float, default=10000, help="forwarded packets/s")
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--top", type=int, default=25)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
