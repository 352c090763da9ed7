"""The demo's settings: one frozen dataclass, filled from the command line by __main__."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

# What mediasoup-demo's routers offer: opus, VP8, VP9 and H264 (baseline and high).
MEDIA_CODECS: list[dict[str, Any]] = [
    {"kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2},
    {
        "kind": "video",
        "mimeType": "video/VP8",
        "clockRate": 90000,
        "parameters": {"x-google-start-bitrate": 1000},
    },
    {
        "kind": "video",
        "mimeType": "video/VP9",
        "clockRate": 90000,
        "parameters": {"profile-id": 2, "x-google-start-bitrate": 1000},
    },
    {
        "kind": "video",
        "mimeType": "video/h264",
        "clockRate": 90000,
        "parameters": {
            "packetization-mode": 1,
            "profile-level-id": "4d0032",
            "level-asymmetry-allowed": 1,
            "x-google-start-bitrate": 1000,
        },
    },
    {
        "kind": "video",
        "mimeType": "video/h264",
        "clockRate": 90000,
        "parameters": {
            "packetization-mode": 1,
            "profile-level-id": "42e01f",
            "level-asymmetry-allowed": 1,
            "x-google-start-bitrate": 1000,
        },
    },
]


def default_num_workers() -> int:
    """One worker per core (the cores this process may run on)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class DemoConfig:
    #: HTTP and WebSocket listening address.
    host: str = "127.0.0.1"
    port: int = 3000
    #: TLS for the HTTP server; browsers allow camera access only on https or localhost.
    cert_file: str | None = None
    key_file: str | None = None
    #: Worker processes; rooms are spread over them (the least loaded one gets a new room).
    num_workers: int = field(default_factory=default_num_workers)
    worker_log_level: str = "warn"
    worker_log_tags: tuple[str, ...] = ("info", "ice", "dtls", "rtp", "srtp", "rtcp")
    rtc_min_port: int = 40000
    rtc_max_port: int = 49999
    #: The address the worker's sockets bind to, and the one written into ICE candidates
    #: and PlainTransport tuples (None: the bind address itself).
    rtc_listen_ip: str = "127.0.0.1"
    announced_ip: str | None = None
    dtls_certificate_file: str | None = None
    dtls_private_key_file: str | None = None
    #: WebRtcTransport options, as in mediasoup-demo's config.js.
    initial_available_outgoing_bitrate: int = 1_000_000
    max_incoming_bitrate: int = 1_500_000
    media_codecs: tuple[dict[str, Any], ...] = tuple(MEDIA_CODECS)

    @property
    def listen_ip(self) -> dict[str, Any]:
        """mediasoup's TransportListenIp for every transport the demo creates."""
        return {"ip": self.rtc_listen_ip, "announcedIp": self.announced_ip}

    @property
    def public_ip(self) -> str:
        """The address remote endpoints send media to."""
        return self.announced_ip or self.rtc_listen_ip
