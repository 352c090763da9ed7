"""Run inside a fresh network namespace by test_browser.py: the demo server (one worker) on
127.0.0.1 plus demo_driver.js (two Chromium pages); prints ONE ``RESULT {json}`` line: the
driver's result plus a ``server`` section (rooms, a router dump taken mid-call, the worker
kill, and the ffmpeg broadcaster's record).

Two hand-offs with the driver, by files in a temporary directory:

- ``--ready-file``: the driver writes it mid-call; this runner kill -9s the room's worker.
- ``--broadcast-file``: the driver writes it (``{id, displayName}``) once Bob is alone in the
  room; this runner then does what docs/guide.md's broadcaster section does, over HTTP
  (create the broadcaster, two PlainTransports with comedia, an Opus and a VP8 Producer)
  and starts ffmpeg (pymediasoup.demo.ffmpeg.ffmpeg_command: test pattern + tone, ``-t``
  bounded) sending to the transports' tuples. When the driver writes ``<file>.delete`` (it
  has measured Bob's decoding), the broadcaster is DELETEd and ffmpeg is killed by its pid.

    tests/browser/run_in_netns.sh .venv/bin/python -m tests.demo.browser_run [--screenshot F]

The browser bundle must be built before (the namespace has no network for npm).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

from pymediasoup.demo.ffmpeg import audio_rtp_parameters, ffmpeg_command, video_rtp_parameters
from tests.browser import harness
from tests.demo.client import running_demo

DRIVER = Path(__file__).resolve().parent / "demo_driver.js"
FFMPEG_SECONDS = 40  # ffmpeg's own bound (-t); it is killed by pid well before, when asked
DELETE_WAIT = 45  # the longest the broadcaster stays up waiting for the driver's go


async def _wait_file(path: str, timeout: float | None = None) -> bool:
    loop = asyncio.get_running_loop()
    end = None if timeout is None else loop.time() + timeout
    while not os.path.exists(path):
        if end is not None and loop.time() > end:
            return False
        await asyncio.sleep(0.1)
    return True


async def _stop(process: asyncio.subprocess.Process) -> str:
    """Stop ffmpeg by its own pid: SIGTERM, then SIGKILL after 3 s. Returns how it ended."""
    if process.returncode is not None:
        return f"exited by itself ({process.returncode})"
    os.kill(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 3)
        return f"SIGTERM to pid {process.pid} ({process.returncode})"
    except TimeoutError:
        os.kill(process.pid, signal.SIGKILL)
        await process.wait()
        return f"SIGKILL to pid {process.pid} ({process.returncode})"


async def broadcast(server: Any, url: str, request_file: str, info: dict[str, Any]) -> None:
    """The broadcaster side of the driver's broadcast step (see the module docstring)."""
    await _wait_file(request_file)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    at = lambda: round((loop.time() - t0) * 1000)  # noqa: E731
    with open(request_file) as f:
        asked = json.load(f)
    bid, room_id = asked["id"], asked["room"]
    base = f"{url}rooms/{room_id}"
    process: asyncio.subprocess.Process | None = None
    progress_reader: asyncio.Task[None] | None = None

    async def read_progress(ffmpeg: asyncio.subprocess.Process) -> None:
        assert ffmpeg.stdout is not None
        async for line in ffmpeg.stdout:
            key, _, value = line.decode(errors="replace").strip().partition("=")
            if key in ("frame", "speed", "out_time"):
                info.setdefault("ffmpegProgress", {})[key] = value

    async def call(session: aiohttp.ClientSession, method: str, path: str, body=None) -> Any:
        async with session.request(method, base + path, json=body) as response:
            data = await response.json()
            if response.status != 200:
                raise RuntimeError(f"{method} {path}: {response.status} {data}")
            return data

    async with aiohttp.ClientSession() as session:
        try:
            device = {"name": "FFmpeg"}
            body = {"id": bid, "displayName": asked["displayName"], "device": device}
            info["peersAtCreate"] = (await call(session, "POST", "/broadcasters", body))["peers"]
            tuples: dict[str, Any] = {}
            for kind, parameters in (
                ("audio", audio_rtp_parameters()),
                ("video", video_rtp_parameters()),
            ):
                transport = await call(
                    session,
                    "POST",
                    f"/broadcasters/{bid}/transports",
                    {"type": "plain", "comedia": True, "rtcpMux": False},
                )
                produced = await call(
                    session,
                    "POST",
                    f"/broadcasters/{bid}/transports/{transport['id']}/producers",
                    {"kind": kind, "rtpParameters": parameters},
                )
                tuples[kind] = {**transport, "producerId": produced["id"]}
            info["transports"] = tuples
            info["createdMs"] = at()
            cmd = ffmpeg_command(
                tuples["audio"], tuples["video"], duration=FFMPEG_SECONDS, video_bitrate="500k"
            )
            # ffmpeg's progress (frames encoded, speed) on its stdout, to tell a slow ffmpeg
            # (a busy machine) from packets lost on the way.
            cmd = [cmd[0], "-progress", "pipe:1", "-stats_period", "0.5", *cmd[1:]]
            process = await asyncio.create_subprocess_exec(
                *cmd, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            info["ffmpegPid"] = process.pid
            progress_reader = loop.create_task(read_progress(process))
            info["ffmpegStartedMs"] = at()
            go = await _wait_file(request_file + ".delete", DELETE_WAIT)
            info["deleteAsked"] = go
            info["ffmpegRunningAtDelete"] = process.returncode is None
            info["ffmpegProgressAtDelete"] = dict(info.get("ffmpegProgress", {}))
            room = server.rooms.get(room_id)
            broadcaster = room.broadcasters.get(bid) if room else None
            if broadcaster is not None:
                info["producerPackets"] = {
                    p.kind: sum(
                        s.get("packetCount", 0)
                        for s in await p.get_stats()
                        if s.get("type") == "inbound-rtp"
                    )
                    for p in broadcaster.producers.values()
                }
                info["comediaRemotePorts"] = sorted(
                    t.tuple.get("remotePort") or 0 for t in broadcaster.transports.values()
                )
            await call(session, "DELETE", f"/broadcasters/{bid}")
            info["deletedMs"] = at()
            info["inRoomAfterDelete"] = bool(room and bid in room.broadcasters)
        except Exception as exc:  # noqa: BLE001 - reported in the result
            info["error"] = repr(exc)
        finally:
            if process is not None:
                info["ffmpegStop"] = await _stop(process)
                if progress_reader is not None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(progress_reader, 2)
                assert process.stderr is not None
                stderr = await process.stderr.read()
                info["ffmpegStderr"] = stderr.decode(errors="replace")[-1500:]
                info["ffmpegStoppedMs"] = at()


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

        tmp = tempfile.mkdtemp()
        ready_file = os.path.join(tmp, "kill-now")
        broadcast_file = os.path.join(tmp, "broadcast")
        server_info["broadcast"] = {}

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
        broadcaster = asyncio.get_running_loop().create_task(
            broadcast(server, url, broadcast_file, server_info["broadcast"])
        )
        try:
            extra = ["--ready-file", ready_file]
            if shutil.which("ffmpeg"):
                extra += ["--broadcast-file", broadcast_file]
            else:
                server_info["broadcast"]["skipped"] = "ffmpeg is not installed"
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
            if not broadcaster.done() and os.path.exists(broadcast_file):
                # The driver ended without its go: delete now (and kill ffmpeg).
                with open(broadcast_file + ".delete", "w") as f:
                    f.write("runner")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(broadcaster), 15)
            if not broadcaster.done():
                broadcaster.cancel()  # its finally still stops ffmpeg by pid
                with contextlib.suppress(asyncio.CancelledError):
                    await broadcaster
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
