"""Run inside a fresh network namespace by test_browser.py: the demo server (one worker) on
127.0.0.1 plus demo_driver.js (two Chromium pages); prints ONE ``RESULT {json}`` line: the
driver's result plus a ``server`` section (rooms, and a router dump taken mid-call).

    tests/browser/run_in_netns.sh .venv/bin/python -m tests.demo.browser_run [--screenshot F]

The browser bundle must be built before (the namespace has no network for npm).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.browser import harness
from tests.demo.client import running_demo

DRIVER = Path(__file__).resolve().parent / "demo_driver.js"


async def main(args: argparse.Namespace) -> dict[str, Any]:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
    async with running_demo(num_workers=1) as (server, url):
        server_info: dict[str, Any] = {"dumps": []}

        async def watch() -> None:
            # Router dumps while the call runs (the last one with both pages in).
            while True:
                await asyncio.sleep(1)
                for room in list(server.rooms.values()):
                    if room.router is not None and len(room.peers) == 2:
                        dump = await room.router.dump()
                        server_info["dumps"] = [dump]

        ready_file = os.path.join(tempfile.mkdtemp(), "kill-now")

        async def kill_when_ready() -> None:
            # The driver writes ready_file mid-call: kill -9 the room's worker then.
            while not os.path.exists(ready_file):
                await asyncio.sleep(0.1)
            room = next(iter(server.rooms.values()))
            server_info["killedPid"] = room.worker.pid  # type: ignore[union-attr]
            os.kill(room.worker.pid, signal.SIGKILL)  # type: ignore[union-attr]
            while room.moves < 1 and not room.closed:
                await asyncio.sleep(0.1)
            server_info["afterMove"] = room.info()

        watcher = asyncio.get_running_loop().create_task(watch())
        killer = asyncio.get_running_loop().create_task(kill_when_ready())
        try:
            extra = ["--ready-file", ready_file]
            extra += ["--screenshot", args.screenshot] if args.screenshot else []
            result = await harness.run_driver(
                url,
                scenario="call",
                duration=args.duration,
                timeout=args.timeout,
                driver=DRIVER,
                extra_args=extra,
                stderr_prefix="",
            )
        finally:
            watcher.cancel()
            killer.cancel()
        server_info["rooms"] = [room.info() for room in server.rooms.values()]
        result["server"] = server_info
        return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--screenshot")
    result = asyncio.run(main(parser.parse_args()))
    print("RESULT " + json.dumps(result), flush=True)
