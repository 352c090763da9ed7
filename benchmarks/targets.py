"""What the load generator forwards through: our worker (or any worker named by
PYMEDIASOUP_WORKER_BIN) in its plain / SRTP / WebRTC / pipe shapes, or the raw forwarder.

Each target is set up for one (N, SRTP) configuration and gives the load generator's
``setup`` command (where to send, what each consumer must look like at the sink) and the
pids whose CPU the measurement reads.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
from typing import Any

import pymediasoup

from .proc import WORKER_CPU, pin, renice

LOCALHOST = "127.0.0.1"
SUITE = "AES_CM_128_HMAC_SHA1_80"
IN_SSRC = 0x1EE70001
IN_PT = 96
OUT_PT, RTX_PT = 101, 102
GEN_KEY = bytes(range(1, 31))  # the generator's SRTP key (input leg)
SINK_KEY = bytes(range(101, 131))  # the sink's SRTP key (its RTCP to the consumers)

MEDIA_CODECS: list[dict[str, Any]] = [
    {"kind": "video", "mimeType": "video/VP8", "clockRate": 90000},
    {"kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2},
]
FEEDBACK = [
    {"type": "nack"},
    {"type": "nack", "parameter": "pli"},
    {"type": "ccm", "parameter": "fir"},
]
MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
TWCC_URI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"


def srtp_parameters(key: bytes) -> dict[str, str]:
    return {"cryptoSuite": SUITE, "keyBase64": base64.b64encode(key).decode()}


def producer_rtp_parameters() -> dict[str, Any]:
    return {
        "codecs": [
            {"mimeType": "video/VP8", "payloadType": IN_PT, "clockRate": 90000,
             "rtcpFeedback": FEEDBACK},
        ],
        "headerExtensions": [],
        "encodings": [{"ssrc": IN_SSRC}],
        "rtcp": {"cname": "bench", "reducedSize": True},
    }  # fmt: skip


def consumer_rtp_capabilities(webrtc: bool = False) -> dict[str, Any]:
    feedback = FEEDBACK + ([{"type": "transport-cc"}] if webrtc else [])
    extensions = []
    if webrtc:
        extensions = [
            {"kind": "video", "uri": MID_URI, "preferredId": 1, "preferredEncrypt": False,
             "direction": "sendrecv"},
            {"kind": "video", "uri": ABS_SEND_TIME_URI, "preferredId": 4,
             "preferredEncrypt": False, "direction": "sendrecv"},
            {"kind": "video", "uri": TWCC_URI, "preferredId": 5, "preferredEncrypt": False,
             "direction": "sendrecv"},
        ]  # fmt: skip
    return {
        "codecs": [
            {"kind": "video", "mimeType": "video/VP8", "preferredPayloadType": OUT_PT,
             "clockRate": 90000, "rtcpFeedback": feedback},
            {"kind": "video", "mimeType": "video/rtx", "preferredPayloadType": RTX_PT,
             "clockRate": 90000, "parameters": {"apt": OUT_PT}, "rtcpFeedback": []},
        ],
        "headerExtensions": extensions,
    }  # fmt: skip


def sink_view(consumer: Any, key: bytes | None, rtcp_port: int | None) -> dict[str, Any]:
    """What a consumer's packets must look like at the sink."""
    params = consumer.rtp_parameters
    encoding = params["encodings"][0]
    twcc_id = next((h["id"] for h in params.get("headerExtensions", []) if h["uri"] == TWCC_URI), 0)
    return {
        "ssrc": encoding["ssrc"],
        "rtx_ssrc": encoding.get("rtx", {}).get("ssrc"),
        "pt": params["codecs"][0]["payloadType"],
        "key": key.hex() if key else None,
        "rtcp_addr": [LOCALHOST, rtcp_port] if rtcp_port else None,
        "twcc_id": twcc_id,
    }


async def start_worker(binary: str | None = None) -> Any:
    """A worker pinned to the worker core: ours, or PYMEDIASOUP_WORKER_BIN's, or ``binary``."""
    saved = os.environ.get("PYMEDIASOUP_WORKER_BIN")
    if binary:
        os.environ["PYMEDIASOUP_WORKER_BIN"] = binary
    try:
        worker = await pymediasoup.create_worker(
            log_level="error", rtc_min_port=20000, rtc_max_port=39999
        )
    finally:
        if binary:
            if saved is None:
                del os.environ["PYMEDIASOUP_WORKER_BIN"]
            else:
                os.environ["PYMEDIASOUP_WORKER_BIN"] = saved
    pin(worker.pid, WORKER_CPU)
    renice(worker.pid)
    return worker


class WorkerTarget:
    """One router: a producer on a comedia PlainTransport, N consumers on PlainTransports
    (``kind="plain"``) or WebRtcTransports (``kind="webrtc"``) toward the sink; or two
    workers joined by pipe_to_router with the consumers split between them
    (``kind="pipe"``)."""

    def __init__(self, workers: list[Any], kind: str = "plain") -> None:
        self.workers = workers
        self.kind = kind
        self.routers: list[Any] = []
        self.pids = [w.pid for w in workers]
        self.webrtc_transports: list[Any] = []

    async def setup(self, n: int, srtp: bool, sink_port: int) -> dict[str, Any]:
        router = await self.workers[0].create_router(media_codecs=MEDIA_CODECS)
        self.routers = [router]
        producer_transport = await router.create_plain_transport(
            listen_ip=LOCALHOST, comedia=True, rtcp_mux=True, enable_srtp=srtp
        )
        if srtp:
            await producer_transport.connect(srtp_parameters=srtp_parameters(GEN_KEY))
        producer = await producer_transport.produce(
            kind="video", rtp_parameters=producer_rtp_parameters()
        )
        consumer_routers = [router] * n
        if self.kind == "pipe":
            router_b = await self.workers[1].create_router(media_codecs=MEDIA_CODECS)
            self.routers.append(router_b)
            await router.pipe_to_router(producer_id=producer.id, router=router_b)
            consumer_routers = [router if i < (n + 1) // 2 else router_b for i in range(n)]
        consumers = []
        self.webrtc_transports = []
        for i in range(n):
            r = consumer_routers[i]
            if self.kind == "webrtc":
                transport = await r.create_webrtc_transport(listen_ips=[LOCALHOST])
                consumer = await transport.consume(
                    producer_id=producer.id, rtp_capabilities=consumer_rtp_capabilities(True)
                )
                self.webrtc_transports.append(transport)
                consumers.append(sink_view(consumer, None, None))
                continue
            transport = await r.create_plain_transport(
                listen_ip=LOCALHOST, comedia=False, rtcp_mux=True, enable_srtp=srtp
            )
            await transport.connect(
                ip=LOCALHOST,
                port=sink_port,
                srtp_parameters=srtp_parameters(SINK_KEY) if srtp else None,
            )
            consumer = await transport.consume(
                producer_id=producer.id, rtp_capabilities=consumer_rtp_capabilities()
            )
            key = base64.b64decode(transport.srtp_parameters["keyBase64"]) if srtp else None
            consumers.append(sink_view(consumer, key, int(transport.tuple["localPort"])))
        return {
            "cmd": "setup",
            "target": [LOCALHOST, int(producer_transport.tuple["localPort"])],
            "ssrc": IN_SSRC,
            "pt": IN_PT,
            "in_key": GEN_KEY.hex() if srtp else None,
            "out_srtp": srtp or self.kind == "webrtc",
            "rtcp_key": SINK_KEY.hex() if srtp else None,
            "consumers": consumers,
            "webrtc": self.kind == "webrtc",
        }

    async def webrtc_command(self, fingerprint: dict[str, str]) -> dict[str, Any]:
        """Connect every WebRtcTransport (we are the DTLS client) and tell the load
        generator where and how to run ICE + DTLS."""
        transports = []
        for transport in self.webrtc_transports:
            await transport.connect(
                dtls_parameters={"role": "client", "fingerprints": [fingerprint]}
            )
            candidate = next(c for c in transport.ice_candidates if c["protocol"] == "udp")
            server_fp = next(
                f for f in transport.dtls_parameters["fingerprints"] if f["algorithm"] == "sha-256"
            )
            transports.append({
                "ip": candidate["ip"], "port": candidate["port"],
                "ufrag": transport.ice_parameters["usernameFragment"],
                "pwd": transport.ice_parameters["password"],
                "fingerprint": server_fp,
            })  # fmt: skip
        return {"cmd": "webrtc", "transports": transports}

    async def close(self) -> None:
        for router in self.routers:
            router.close()
        await asyncio.sleep(0.05)


class RawTarget:
    """The raw uvloop forwarder (benchmarks.raw_forwarder), pinned to the worker core."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.pids: list[int] = []

    async def setup(self, n: int, srtp: bool, sink_port: int) -> dict[str, Any]:
        consumers = []
        for i in range(n):
            consumers.append({
                "ssrc": 0x0C000000 + i, "pt": OUT_PT,
                "key": os.urandom(30).hex() if srtp else None,
                "dest": [LOCALHOST, sink_port],
            })  # fmt: skip
        config = {"in_key": GEN_KEY.hex() if srtp else None, "consumers": consumers}
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.raw_forwarder", json.dumps(config),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        )  # fmt: skip
        assert self.process.stdout is not None
        pin(self.process.pid, WORKER_CPU)
        renice(self.process.pid)
        port = json.loads(await self.process.stdout.readline())["port"]
        self.pids = [self.process.pid]
        return {
            "cmd": "setup",
            "target": [LOCALHOST, port],
            "ssrc": IN_SSRC,
            "pt": IN_PT,
            "in_key": GEN_KEY.hex() if srtp else None,
            "out_srtp": srtp,
            "rtcp_key": None,
            "consumers": [
                {"ssrc": c["ssrc"], "pt": c["pt"], "key": c["key"], "rtcp_addr": None}
                for c in consumers
            ],
        }

    async def close(self) -> None:
        if self.process is not None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                await asyncio.wait_for(self.process.wait(), 2)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
            self.process = None
