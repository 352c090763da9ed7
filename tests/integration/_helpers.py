"""Shared pieces of the controller's integration tests: a worker with a Router, media
codecs, RTP parameters and capabilities of test endpoints, and small async helpers."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pymediasoup

AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"

MEDIA_CODECS: list[dict[str, Any]] = [
    {"kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2},
    {"kind": "video", "mimeType": "video/VP8", "clockRate": 90000},
    {
        "kind": "video",
        "mimeType": "video/H264",
        "clockRate": 90000,
        "parameters": {
            "packetization-mode": 1,
            "profile-level-id": "42e01f",
            "level-asymmetry-allowed": 1,
        },
    },
]

# What a browser might offer to receive: opus, VP8 (+RTX), the usual header extensions.
CONSUMER_RTP_CAPABILITIES: dict[str, Any] = {
    "codecs": [
        {
            "kind": "audio",
            "mimeType": "audio/opus",
            "preferredPayloadType": 100,
            "clockRate": 48000,
            "channels": 2,
            "rtcpFeedback": [{"type": "transport-cc"}],
        },
        {
            "kind": "video",
            "mimeType": "video/VP8",
            "preferredPayloadType": 101,
            "clockRate": 90000,
            "rtcpFeedback": [
                {"type": "nack"},
                {"type": "nack", "parameter": "pli"},
                {"type": "ccm", "parameter": "fir"},
                {"type": "transport-cc"},
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
        {"kind": "audio", "uri": MID_URI, "preferredId": 1, "direction": "sendrecv"},
        {"kind": "video", "uri": MID_URI, "preferredId": 1, "direction": "sendrecv"},
        {
            "kind": "video",
            "uri": "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            "preferredId": 5,
            "direction": "sendrecv",
        },
        {"kind": "audio", "uri": AUDIO_LEVEL_URI, "preferredId": 10, "direction": "sendrecv"},
    ],
}


def audio_rtp_parameters(
    *, mid: str | None = "AUDIO", ssrc: int = 11111111, cname: str | None = "audio-1"
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "codecs": [
            {
                "mimeType": "audio/opus",
                "payloadType": 111,
                "clockRate": 48000,
                "channels": 2,
                "parameters": {"useinbandfec": 1, "usedtx": 1},
                "rtcpFeedback": [],
            }
        ],
        "headerExtensions": [
            {"uri": MID_URI, "id": 1},
            {"uri": AUDIO_LEVEL_URI, "id": 10},
        ],
        "encodings": [{"ssrc": ssrc}],
        "rtcp": {"reducedSize": True},
    }
    if mid is not None:
        params["mid"] = mid
    if cname is not None:
        params["rtcp"]["cname"] = cname
    return params


def video_rtp_parameters(
    *, mid: str | None = "VIDEO", base_ssrc: int = 22222222, cname: str | None = "video-1"
) -> dict[str, Any]:
    """VP8 simulcast with three SSRC encodings, each with RTX."""
    params: dict[str, Any] = {
        "codecs": [
            {
                "mimeType": "video/VP8",
                "payloadType": 96,
                "clockRate": 90000,
                "rtcpFeedback": [
                    {"type": "nack"},
                    {"type": "nack", "parameter": "pli"},
                    {"type": "goog-remb"},
                ],
            },
            {
                "mimeType": "video/rtx",
                "payloadType": 97,
                "clockRate": 90000,
                "parameters": {"apt": 96},
            },
        ],
        "headerExtensions": [{"uri": MID_URI, "id": 1}],
        "encodings": [
            {"ssrc": base_ssrc + 2 * i, "rtx": {"ssrc": base_ssrc + 2 * i + 1}, "maxBitrate": b}
            for i, b in enumerate((100000, 300000, 900000))
        ],
        "rtcp": {"reducedSize": True},
    }
    if mid is not None:
        params["mid"] = mid
    if cname is not None:
        params["rtcp"]["cname"] = cname
    return params


@asynccontextmanager
async def worker_router(**worker_settings: Any) -> AsyncIterator[tuple[Any, Any]]:
    worker = await pymediasoup.create_worker(**worker_settings)
    try:
        router = await worker.create_router(media_codecs=MEDIA_CODECS)
        yield worker, router
    finally:
        worker.close()


class EventRecorder:
    """Records the calls of an event, and lets a test await the n-th one."""

    def __init__(self, emitter: Any, event: str) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        emitter.on(event, self._on_event)

    def _on_event(self, *args: Any) -> None:
        self.calls.append(args)
        for count, future in list(self._waiters):
            if len(self.calls) >= count and not future.done():
                future.set_result(None)

    @property
    def count(self) -> int:
        return len(self.calls)

    async def wait(self, count: int = 1, timeout: float = 5.0) -> list[tuple[Any, ...]]:
        if len(self.calls) < count:
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append((count, future))
            await asyncio.wait_for(future, timeout)
        return self.calls


async def settle(seconds: float = 0.05) -> None:
    """Let pending replies and notifications arrive."""
    await asyncio.sleep(seconds)


def rtp_packet(
    *,
    payload_type: int,
    sequence_number: int,
    timestamp: int,
    ssrc: int,
    payload: bytes = b"\x00" * 20,
    marker: bool = False,
    extensions: dict[int, bytes] | None = None,
) -> bytes:
    """An RTP packet, with one-byte header extensions (RFC 8285) if given."""
    first = 0x80
    ext = b""
    if extensions:
        first |= 0x10
        body = b"".join(
            bytes([(ext_id << 4) | (len(v) - 1)]) + v for ext_id, v in extensions.items()
        )
        body += b"\x00" * (-len(body) % 4)
        ext = struct.pack("!HH", 0xBEDE, len(body) // 4) + body
    second = (0x80 if marker else 0) | payload_type
    header = struct.pack("!BBHII", first, second, sequence_number & 0xFFFF, timestamp, ssrc)
    return header + ext + payload
