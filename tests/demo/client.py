"""A signaling client for the demo server, in Python (aiohttp), shaped as the browser's app.js:
it sends what mediasoup-client would send (RTP capabilities, DTLS parameters, RTP parameters
of Chrome's opus and VP8) and answers the server's ``newConsumer`` requests.

No media flows: the transports never see ICE. The server-side objects are real (a real
worker behind them), which is what these tests check.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
from aiohttp import web

from pymediasoup.demo.config import DemoConfig
from pymediasoup.demo.server import DemoServer

_HEADER_EXTENSIONS = [
    ("audio", "urn:ietf:params:rtp-hdrext:sdes:mid", 1),
    ("video", "urn:ietf:params:rtp-hdrext:sdes:mid", 1),
    ("video", "urn:ietf:params:rtp-hdrext:toffset", 12),
    ("audio", "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", 4),
    ("video", "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", 4),
    ("video", "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", 5),
    ("audio", "urn:ietf:params:rtp-hdrext:ssrc-audio-level", 10),
    ("video", "urn:3gpp:video-orientation", 11),
]

#: What mediasoup-client's Device.rtpCapabilities looks like in Chrome against the demo's
#: router (opus, VP8 + RTX, H264 + RTX; router payload types and extension ids).
BROWSER_RTP_CAPABILITIES: dict[str, Any] = {
    "codecs": [
        {
            "kind": "audio",
            "mimeType": "audio/opus",
            "preferredPayloadType": 100,
            "clockRate": 48000,
            "channels": 2,
            "parameters": {"minptime": 10, "useinbandfec": 1},
            "rtcpFeedback": [{"type": "transport-cc", "parameter": ""}],
        },
        {
            "kind": "video",
            "mimeType": "video/VP8",
            "preferredPayloadType": 101,
            "clockRate": 90000,
            "parameters": {},
            "rtcpFeedback": [
                {"type": "goog-remb", "parameter": ""},
                {"type": "transport-cc", "parameter": ""},
                {"type": "ccm", "parameter": "fir"},
                {"type": "nack", "parameter": ""},
                {"type": "nack", "parameter": "pli"},
            ],
        },
        {
            "kind": "video",
            "mimeType": "video/rtx",
            "preferredPayloadType": 102,
            "clockRate": 90000,
            "parameters": {"apt": 101},
            "rtcpFeedback": [],
        },
    ],
    "headerExtensions": [
        {
            "kind": kind,
            "uri": uri,
            "preferredId": preferred_id,
            "preferredEncrypt": False,
            "direction": "sendrecv",
        }
        for kind, uri, preferred_id in _HEADER_EXTENSIONS
    ],
}

#: Chrome's DTLS parameters as mediasoup-client sends them in connectWebRtcTransport.
BROWSER_DTLS_PARAMETERS: dict[str, Any] = {
    "role": "client",
    "fingerprints": [
        {
            "algorithm": "sha-256",
            "value": ":".join(f"{b:02X}" for b in random.Random(7).randbytes(32)),
        }
    ],
}


def browser_rtp_parameters(kind: str, mid: str, ssrc: int, cname: str) -> dict[str, Any]:
    """The rtpParameters of mediasoup-client's 'produce' event for Chrome (no simulcast)."""
    extensions = [
        {"uri": uri, "id": preferred_id, "encrypt": False, "parameters": {}}
        for k, uri, preferred_id in _HEADER_EXTENSIONS
        if k == kind
    ]
    if kind == "audio":
        codecs = [
            {
                "mimeType": "audio/opus",
                "payloadType": 111,
                "clockRate": 48000,
                "channels": 2,
                "parameters": {"minptime": 10, "useinbandfec": 1, "usedtx": 1},
                "rtcpFeedback": [{"type": "transport-cc", "parameter": ""}],
            }
        ]
        encodings = [{"ssrc": ssrc, "dtx": True}]
    else:
        codecs = [
            {
                "mimeType": "video/VP8",
                "payloadType": 96,
                "clockRate": 90000,
                "parameters": {},
                "rtcpFeedback": [
                    {"type": "goog-remb", "parameter": ""},
                    {"type": "transport-cc", "parameter": ""},
                    {"type": "ccm", "parameter": "fir"},
                    {"type": "nack", "parameter": ""},
                    {"type": "nack", "parameter": "pli"},
                ],
            },
            {
                "mimeType": "video/rtx",
                "payloadType": 97,
                "clockRate": 90000,
                "parameters": {"apt": 96},
                "rtcpFeedback": [],
            },
        ]
        encodings = [
            {"active": True, "ssrc": ssrc, "rtx": {"ssrc": ssrc + 1}, "scalabilityMode": "L1T1"}
        ]
    return {
        "mid": mid,
        "codecs": codecs,
        "headerExtensions": extensions,
        "encodings": encodings,
        "rtcp": {"cname": cname, "reducedSize": True},
    }


class SignalingError(Exception):
    pass


class Client:
    """One browser tab's signaling, on an aiohttp WebSocket."""

    def __init__(self, base_url: str, room_id: str, peer_id: str, display_name: str) -> None:
        self.base_url = base_url
        self.room_id = room_id
        self.peer_id = peer_id
        self.display_name = display_name
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = iter(range(1, 1 << 30))
        self._pending: dict[int, asyncio.Future[Any]] = {}
        #: (method, data) of every notification and server request, in order.
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self._arrived = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self.send_transport_id: str | None = None
        self.recv_transport_id: str | None = None
        self.producers: dict[str, str] = {}  # kind -> producer id
        #: What to answer to a server request: None accepts, a str refuses with that reason.
        self.refuse: Callable[[str, dict[str, Any]], str | None] = lambda method, data: None
        self._next_mid = 0
        self._ssrc = random.Random(peer_id).randrange(1 << 20, 1 << 30)

    async def connect(self) -> None:
        self.session = aiohttp.ClientSession()
        ws_url = self.base_url.replace("http", "ws", 1) + "ws"
        self.ws = await self.session.ws_connect(
            ws_url, params={"roomId": self.room_id, "peerId": self.peer_id}
        )
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if data.get("response"):
                future = self._pending.pop(data["id"], None)
                if future is None or future.done():
                    continue
                if data["ok"]:
                    future.set_result(data.get("data"))
                else:
                    future.set_exception(SignalingError(data.get("errorReason")))
            elif data.get("request"):
                self.messages.append((data["method"], data["data"]))
                self._arrived.set()
                reason = self.refuse(data["method"], data["data"])
                answer: dict[str, Any] = {"response": True, "id": data["id"], "ok": reason is None}
                if reason is None:
                    answer["data"] = {}
                else:
                    answer["errorReason"] = reason
                await self.ws.send_str(json.dumps(answer))
            elif data.get("notification"):
                self.messages.append((data["method"], data["data"]))
                self._arrived.set()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(SignalingError("socket closed"))

    async def request(self, method: str, data: dict[str, Any] | None = None) -> Any:
        assert self.ws is not None
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        message = {"request": True, "id": request_id, "method": method, "data": data or {}}
        await self.ws.send_str(json.dumps(message))
        return await asyncio.wait_for(future, 15)

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] = lambda data: True,
        *,
        count: int = 1,
        timeout: float = 10,
    ) -> list[dict[str, Any]]:
        """Wait until ``count`` messages ``method`` matching ``predicate`` have arrived."""

        def found() -> list[dict[str, Any]]:
            return [d for m, d in self.messages if m == method and predicate(d)]

        async with asyncio.timeout(timeout):
            while len(found()) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return found()

    def received(self, method: str) -> list[dict[str, Any]]:
        return [d for m, d in self.messages if m == method]

    # --- what app.js does ----------------------------------------------------------

    async def create_transports(self) -> None:
        send = await self.request("createWebRtcTransport", {"producing": True, "consuming": False})
        recv = await self.request("createWebRtcTransport", {"producing": False, "consuming": True})
        for info in (send, recv):
            assert info["iceParameters"]["usernameFragment"]
            assert info["iceCandidates"] and info["dtlsParameters"]["fingerprints"]
        self.send_transport_id, self.recv_transport_id = send["id"], recv["id"]

    async def join(self, rtp_capabilities: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        caps = await self.request("getRouterRtpCapabilities")
        assert caps["codecs"]
        await self.create_transports()
        result = await self.request(
            "join",
            {
                "displayName": self.display_name,
                "device": {"flag": "test", "name": "python"},
                "rtpCapabilities": rtp_capabilities or copy.deepcopy(BROWSER_RTP_CAPABILITIES),
            },
        )
        return result["peers"]

    async def produce(self, kind: str) -> str:
        if not self.producers:
            # mediasoup-client connects the transport before its first 'produce'.
            await self.request(
                "connectWebRtcTransport",
                {"transportId": self.send_transport_id, "dtlsParameters": BROWSER_DTLS_PARAMETERS},
            )
        mid = str(self._next_mid)
        self._next_mid += 1
        self._ssrc += 2
        result = await self.request(
            "produce",
            {
                "transportId": self.send_transport_id,
                "kind": kind,
                "rtpParameters": browser_rtp_parameters(kind, mid, self._ssrc, self.peer_id),
                "appData": {"source": "mic" if kind == "audio" else "cam"},
            },
        )
        self.producers[kind] = result["id"]
        return result["id"]

    async def rebuild_after_move(self) -> None:
        """What app.js does on ``roomMoved``: new transports, rejoin, produce again."""
        kinds = list(self.producers)
        self.producers.clear()
        self._next_mid = 0
        await self.create_transports()
        await self.request("rejoin")
        for kind in kinds:
            await self.produce(kind)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)
        if self.session is not None:
            await self.session.close()


@contextlib.asynccontextmanager
async def running_demo(**options: Any) -> AsyncIterator[tuple[DemoServer, str]]:
    """A DemoServer on 127.0.0.1 and a free port, with ``options`` for DemoConfig."""
    options.setdefault("num_workers", 1)
    options.setdefault("port", 0)
    config = DemoConfig(**options)
    server = DemoServer(config)
    runner = web.AppRunner(server.app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        yield server, f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def clients(base_url: str, room_id: str, *names: str) -> AsyncIterator[list[Client]]:
    """Connected (not joined) clients, closed at the end."""
    made = [Client(base_url, room_id, f"peer-{name.lower()}", name) for name in names]
    try:
        for client in made:
            await client.connect()
        yield made
    finally:
        for client in made:
            await client.close()


async def eventually(check: Callable[[], Any], timeout: float = 10, interval: float = 0.05) -> Any:
    """Poll ``check`` (sync or async) until it returns a truthy value."""
    async with asyncio.timeout(timeout):
        while True:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return result
            await asyncio.sleep(interval)
