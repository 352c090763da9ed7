"""The browser tests' SFU server: static page + WebSocket signaling, driving pymediasoup.

One worker, one router (opus + VP8), a WebRtcTransport per page per direction on
127.0.0.1; mediasoup-client's parameters are passed through unchanged. Built on aiohttp (a
test and demo dependency of the project).

Run by the tests inside a fresh network namespace, together with the node driver::

    tests/browser/run_in_netns.sh .venv/bin/python tests/browser/server.py --scenario sfu

It serves on 127.0.0.1 (a free port), bundles client.js, runs ``driver.js`` with the given
scenario, then prints ONE ``RESULT {json}`` line on stdout: the driver's result plus a
``server`` section (the worker's transport events — ICE and DTLS states — with times, and a
dump and stats of every transport, producer and consumer taken when its page left).
``--serve`` only serves (for a person with a browser, or another driver).

Signaling (JSON over /ws, one socket per page)::

    {"id": n, "method": "...", "data": {...}}  ->  {"id": n, "ok": true, "data": ...}
                                                   {"id": n, "ok": false, "error": "..."}
    server push: {"notification": "transportstate", "data": {...}}

methods: getRouterRtpCapabilities, createWebRtcTransport {direction},
connectWebRtcTransport {transportId, dtlsParameters}, produce {transportId, kind,
rtpParameters, appData}, consume {transportId, producerId, rtpCapabilities} (created paused),
resume {consumerId}, getProducers, getStats {transportId|producerId|consumerId}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

import pymediasoup

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import harness  # type: ignore[no-redef]
else:
    from . import harness

logger = logging.getLogger("tests.browser.server")

MEDIA_CODECS: list[dict[str, Any]] = [
    {"kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2},
    {"kind": "video", "mimeType": "video/VP8", "clockRate": 90000},
]
LISTEN_IP = "127.0.0.1"


class SfuServer:
    """The state of one test run: a worker, a router and what the pages created."""

    def __init__(self, *, log_level: str = "warn") -> None:
        self.log_level = log_level
        self.worker: pymediasoup.Worker | None = None
        self.router: Any = None
        self.transports: dict[str, Any] = {}
        self.producers: dict[str, Any] = {}
        self.consumers: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.snapshots: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.started = time.monotonic()
        self._router_lock = asyncio.Lock()

    def _t(self) -> int:
        return round((time.monotonic() - self.started) * 1000)

    def event(self, source: str, name: str, **data: Any) -> dict[str, Any]:
        entry = {"t": self._t(), "source": source, "event": name, **data}
        self.events.append(entry)
        logger.info("%s %s %s", source, name, data)
        return entry

    async def get_router(self) -> Any:
        async with self._router_lock:
            if self.router is None:
                self.worker = await pymediasoup.create_worker(
                    log_level=self.log_level, rtc_min_port=40000, rtc_max_port=49999
                )
                self.worker.on("died", lambda error: self.event("worker", "died", error=str(error)))
                self.router = await self.worker.create_router(media_codecs=MEDIA_CODECS)
                self.event("worker", "ready", pid=self.worker.pid)
        return self.router

    async def close(self) -> None:
        if self.worker is not None:
            self.worker.close()

    # ------------------------------------------------------------ one page's session

    async def handle_ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=4 * 1024 * 1024)
        await ws.prepare(request)
        peer = f"peer{len([e for e in self.events if e['event'] == 'wsopen']) + 1}"
        self.event(peer, "wsopen")
        owned: list[Any] = []  # this page's transports (closing one closes its children)

        def push(name: str, data: dict[str, Any]) -> None:
            if not ws.closed:
                task = asyncio.ensure_future(ws.send_json({"notification": name, "data": data}))
                pending.add(task)
                task.add_done_callback(pending.discard)

        pending: set[asyncio.Future[Any]] = set()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    req = json.loads(msg.data)
                    req_id, method, data = req.get("id"), req["method"], req.get("data") or {}
                except (ValueError, KeyError, AttributeError) as error:
                    self.errors.append(f"{peer}: bad message {msg.data[:200]!r}: {error}")
                    continue
                try:
                    result = await self.handle_request(peer, method, data, owned, push)
                    await ws.send_json({"id": req_id, "ok": True, "data": result})
                except Exception as error:  # reported to the page and in the result
                    text = f"{type(error).__name__}: {error}"
                    self.errors.append(f"{peer} {method}: {text}")
                    self.event(peer, "requesterror", method=method, error=text)
                    logger.debug("%s", traceback.format_exc())
                    await ws.send_json({"id": req_id, "ok": False, "error": text})
        finally:
            self.event(peer, "wsclose")
            for transport in owned:
                await self.snapshot(peer, transport)
                transport.close()
        return ws

    async def snapshot(self, peer: str, transport: Any) -> None:
        """Dump and stats of a transport and its producers/consumers, before closing it."""
        entry: dict[str, Any] = {"t": self._t(), "peer": peer, "transportId": transport.id}
        if transport.closed:
            entry["closed"] = True
            self.snapshots.append(entry)
            return
        try:
            entry["transportStats"] = await transport.get_stats()
            dump = await transport.dump()
            entry["transportDump"] = {
                k: dump.get(k)
                for k in (
                    "iceState",
                    "iceRole",
                    "iceSelectedTuple",
                    "dtlsState",
                    "dtlsParameters",
                    "producerIds",
                    "consumerIds",
                    "recvRtpHeaderExtensions",
                    "rtpListener",
                )
                if k in dump
            }
            entry["producers"] = []
            for producer in list(self.producers.values()):
                if producer.app_data.get("transportId") == transport.id and not producer.closed:
                    entry["producers"].append(
                        {
                            "id": producer.id,
                            "kind": producer.kind,
                            "score": producer.score,
                            "stats": await producer.get_stats(),
                        }
                    )
            entry["consumers"] = []
            for consumer in list(self.consumers.values()):
                if consumer.app_data.get("transportId") == transport.id and not consumer.closed:
                    entry["consumers"].append(
                        {
                            "id": consumer.id,
                            "kind": consumer.kind,
                            "paused": consumer.paused,
                            "producerPaused": consumer.producer_paused,
                            "score": consumer.score,
                            "stats": await consumer.get_stats(),
                        }
                    )
        except Exception as error:
            entry["error"] = f"{type(error).__name__}: {error}"
        self.snapshots.append(entry)

    async def handle_request(
        self, peer: str, method: str, data: dict[str, Any], owned: list[Any], push: Any
    ) -> Any:
        router = await self.get_router()
        if method == "getRouterRtpCapabilities":
            return router.rtp_capabilities
        if method == "createWebRtcTransport":
            direction = data.get("direction", "send")
            transport = await router.create_webrtc_transport(
                listen_ips=[{"ip": LISTEN_IP, "announcedIp": None}],
                enable_udp=True,
                enable_tcp=False,
                prefer_udp=True,
                app_data={"peer": peer, "direction": direction},
            )
            self.transports[transport.id] = transport
            owned.append(transport)
            self._watch_transport(peer, direction, transport, push)
            self.event(
                f"{peer}.{direction}",
                "created",
                transportId=transport.id,
                iceCandidates=transport.ice_candidates,
            )
            return {
                "id": transport.id,
                "iceParameters": transport.ice_parameters,
                "iceCandidates": transport.ice_candidates,
                "dtlsParameters": transport.dtls_parameters,
                "sctpParameters": transport.sctp_parameters,
            }
        if method == "connectWebRtcTransport":
            transport = self.transports[data["transportId"]]
            await transport.connect(dtls_parameters=data["dtlsParameters"])
            self.event(
                f"{peer}.{transport.app_data['direction']}",
                "connected-request",
                remoteRole=data["dtlsParameters"].get("role"),
                localRole=transport.dtls_parameters.get("role"),
            )
            return {}
        if method == "produce":
            transport = self.transports[data["transportId"]]
            app_data = dict(data.get("appData") or {})
            app_data["transportId"] = transport.id
            producer = await transport.produce(
                kind=data["kind"], rtp_parameters=data["rtpParameters"], app_data=app_data
            )
            self.producers[producer.id] = producer
            producer.on(
                "score",
                lambda score, p=producer: self.event(
                    f"{peer}.producer.{p.kind}", "score", score=score
                ),
            )
            self.event(f"{peer}.producer.{producer.kind}", "created", producerId=producer.id)
            return {"id": producer.id}
        if method == "consume":
            transport = self.transports[data["transportId"]]
            producer_id = data["producerId"]
            if not router.can_consume(
                producer_id=producer_id, rtp_capabilities=data["rtpCapabilities"]
            ):
                raise RuntimeError(f"cannot consume producer {producer_id}")
            consumer = await transport.consume(
                producer_id=producer_id,
                rtp_capabilities=data["rtpCapabilities"],
                paused=True,
                app_data={"transportId": transport.id},
            )
            self.consumers[consumer.id] = consumer
            consumer.on(
                "score",
                lambda score, c=consumer: self.event(
                    f"{peer}.consumer.{c.kind}", "score", score=score
                ),
            )
            self.event(f"{peer}.consumer.{consumer.kind}", "created", consumerId=consumer.id)
            return {
                "id": consumer.id,
                "producerId": consumer.producer_id,
                "kind": consumer.kind,
                "rtpParameters": consumer.rtp_parameters,
                "type": consumer.type,
                "producerPaused": consumer.producer_paused,
            }
        if method == "resume":
            consumer = self.consumers[data["consumerId"]]
            await consumer.resume()
            return {}
        if method == "getProducers":
            return [{"id": p.id, "kind": p.kind} for p in self.producers.values() if not p.closed]
        if method == "getStats":
            for key, table in (
                ("transportId", self.transports),
                ("producerId", self.producers),
                ("consumerId", self.consumers),
            ):
                if key in data:
                    return await table[data[key]].get_stats()
            raise TypeError("getStats needs transportId, producerId or consumerId")
        raise TypeError(f"unknown method {method!r}")

    def _watch_transport(self, peer: str, direction: str, transport: Any, push: Any) -> None:
        source = f"{peer}.{direction}"

        def on(name: str, key: str) -> None:
            def handler(value: Any) -> None:
                entry = self.event(source, name, **{key: value})
                push("transportstate", entry)

            transport.on(name, handler)

        on("icestatechange", "iceState")
        on("iceselectedtuplechange", "iceSelectedTuple")
        on("dtlsstatechange", "dtlsState")
        on("sctpstatechange", "sctpState")


def make_app(server: SfuServer) -> web.Application:
    app = web.Application()

    async def index(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(harness.HERE / "index.html")

    async def no_content(_request: web.Request) -> web.Response:
        return web.Response(status=204)

    app.router.add_get("/", index)
    app.router.add_get("/favicon.ico", no_content)  # keeps a 404 out of the console
    app.router.add_get("/index.html", index)
    app.router.add_get("/ws", server.handle_ws)
    app.router.add_static("/build/", harness.BUILD_DIR)
    return app


async def start(
    server: SfuServer, host: str = LISTEN_IP, port: int = 0
) -> tuple[web.AppRunner, str]:
    """Start serving; returns the runner (``await runner.cleanup()``) and the page's URL."""
    runner = web.AppRunner(make_app(server), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    sockets = site._server.sockets if site._server else []  # type: ignore[union-attr]
    bound = sockets[0].getsockname()[1] if sockets else port
    return runner, f"http://{host}:{bound}/"


def _trim_server_report(server: SfuServer) -> dict[str, Any]:
    return {
        "events": server.events,
        "errors": server.errors,
        "snapshots": server.snapshots,
        "workerDied": bool(server.worker and server.worker.died),
    }


async def amain(args: argparse.Namespace) -> int:
    started = time.monotonic()
    bundle_started = time.monotonic()
    harness.bundle()
    bundle_ms = round((time.monotonic() - bundle_started) * 1000)
    server = SfuServer(log_level=args.worker_log_level)
    runner, url = await start(server, port=args.port)
    print(f"serving {url}", file=sys.stderr, flush=True)
    if args.serve:
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
            await server.close()
    try:
        result = await harness.run_driver(
            url,
            scenario=args.scenario,
            duration=args.duration,
            timeout=args.timeout,
            extra_args=args.driver_arg or [],
            stderr_prefix="",
        )
    finally:
        await runner.cleanup()
        report = _trim_server_report(server)
        await server.close()
    result["server"] = report
    result.setdefault("timings", {})["bundleMs"] = bundle_ms
    result["timings"]["serverTotalMs"] = round((time.monotonic() - started) * 1000)
    print(harness.RESULT_PREFIX + json.dumps(result, default=str), flush=True)
    return 0 if result.get("ok") else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="sfu", choices=["launch", "loopback", "sfu"])
    parser.add_argument("--duration", type=float, default=10, help="seconds of media to measure")
    parser.add_argument("--timeout", type=float, default=60, help="the driver's hard timeout (s)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--serve", action="store_true", help="only serve (no driver)")
    parser.add_argument("--worker-log-level", default="warn")
    parser.add_argument(
        "--driver-arg", action="append", help="extra argument for driver.js (repeatable)"
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="[server] %(message)s",
    )
    sys.exit(asyncio.run(amain(args)))


if __name__ == "__main__":
    main()
