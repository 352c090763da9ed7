"""Media peers for the system tests: a worker with a VP8 + Opus router, ffmpeg and
GStreamer senders/receivers that count decoded frames, and small Python RTP peers
(a sender that keeps a history and answers NACK/PLI/FIR, a receiver that tracks
sequence numbers and sends generic NACKs).

Rules kept here so that every test keeps them:
- only 127.0.0.1; worker ports come from the worker's tuples, peer ports from
  ``free_udp_port()`` in a range the worker does not use (``PEER_PORT_RANGE``);
- every external process is started by :class:`Processes` and ended by its own pid
  (SIGINT, then SIGKILL) when the ``async with`` block ends, whatever happens;
- senders are bounded in time (``-t``/``duration=``, ``num-buffers``) and stop by
  themselves; receivers run until told to stop;
- waiting on real-time media is done with :func:`wait_for` (a condition polled with a
  timeout), never with a bare sleep standing in for protocol logic.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import random
import shutil
import signal
import socket
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import pymediasoup

FFMPEG = shutil.which("ffmpeg")
GST_LAUNCH = shutil.which("gst-launch-1.0")

LOCALHOST = "127.0.0.1"
# The worker gets 40000-49999; peers pick theirs in 50000-59999 so that the two never race.
WORKER_PORT_RANGE = (40000, 49999)
PEER_PORT_RANGE = (50000, 59998)

SRTP_SUITE = "AES_CM_128_HMAC_SHA1_80"


requires_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg not installed")
requires_gst = pytest.mark.skipif(GST_LAUNCH is None, reason="gst-launch-1.0 not installed")

# ---------------------------------------------------------------------------------------
# Codecs and parameters

VP8_PT_IN, OPUS_PT_IN, RTX_PT_IN = 96, 111, 97
VP8_PT_OUT, OPUS_PT_OUT, RTX_PT_OUT = 101, 100, 102

MEDIA_CODECS: list[dict[str, Any]] = [
    {"kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2},
    {"kind": "video", "mimeType": "video/VP8", "clockRate": 90000},
]

VIDEO_FEEDBACK = [
    {"type": "nack"},
    {"type": "nack", "parameter": "pli"},
    {"type": "ccm", "parameter": "fir"},
]


def vp8_rtp_parameters(
    ssrc: int,
    *,
    rtx_ssrc: int | None = None,
    payload_type: int = VP8_PT_IN,
    rtx_payload_type: int = RTX_PT_IN,
    cname: str = "e2e-video",
) -> dict[str, Any]:
    codecs: list[dict[str, Any]] = [
        {
            "mimeType": "video/VP8",
            "payloadType": payload_type,
            "clockRate": 90000,
            "rtcpFeedback": list(VIDEO_FEEDBACK),
        }
    ]
    encoding: dict[str, Any] = {"ssrc": ssrc}
    if rtx_ssrc is not None:
        codecs.append(
            {
                "mimeType": "video/rtx",
                "payloadType": rtx_payload_type,
                "clockRate": 90000,
                "parameters": {"apt": payload_type},
            }
        )
        encoding["rtx"] = {"ssrc": rtx_ssrc}
    return {
        "codecs": codecs,
        "headerExtensions": [],
        "encodings": [encoding],
        "rtcp": {"cname": cname, "reducedSize": True},
    }


def opus_rtp_parameters(
    ssrc: int, *, payload_type: int = OPUS_PT_IN, cname: str = "e2e-audio"
) -> dict[str, Any]:
    return {
        "codecs": [
            {
                "mimeType": "audio/opus",
                "payloadType": payload_type,
                "clockRate": 48000,
                "channels": 2,
                "rtcpFeedback": [],
            }
        ],
        "headerExtensions": [],
        "encodings": [{"ssrc": ssrc}],
        "rtcp": {"cname": cname, "reducedSize": True},
    }


def consumer_rtp_capabilities(*, rtx: bool = False, nack: bool = True) -> dict[str, Any]:
    """What a plain receiver can take: opus PT 100, VP8 PT 101 (+ RTX PT 102), no header
    extensions (ffmpeg and GStreamer ignore them anyway)."""
    feedback = list(VIDEO_FEEDBACK) if nack else [f for f in VIDEO_FEEDBACK if "parameter" in f]
    codecs: list[dict[str, Any]] = [
        {
            "kind": "audio",
            "mimeType": "audio/opus",
            "preferredPayloadType": OPUS_PT_OUT,
            "clockRate": 48000,
            "channels": 2,
            "rtcpFeedback": [],
        },
        {
            "kind": "video",
            "mimeType": "video/VP8",
            "preferredPayloadType": VP8_PT_OUT,
            "clockRate": 90000,
            "rtcpFeedback": feedback,
        },
    ]
    if rtx:
        codecs.append(
            {
                "kind": "video",
                "mimeType": "video/rtx",
                "preferredPayloadType": RTX_PT_OUT,
                "clockRate": 90000,
                "parameters": {"apt": VP8_PT_OUT},
                "rtcpFeedback": [],
            }
        )
    return {"codecs": codecs, "headerExtensions": []}


def consumer_ssrcs(consumer: Any) -> tuple[int, int | None, int, int | None]:
    """(ssrc, rtx ssrc or None, payload type, rtx payload type or None) of a consumer."""
    params = consumer.rtp_parameters
    encoding = params["encodings"][0]
    media_pt = params["codecs"][0]["payloadType"]
    rtx_pt = next(
        (c["payloadType"] for c in params["codecs"] if c["mimeType"].lower().endswith("/rtx")),
        None,
    )
    rtx_ssrc = encoding.get("rtx", {}).get("ssrc")
    return encoding["ssrc"], rtx_ssrc, media_pt, rtx_pt


# ---------------------------------------------------------------------------------------
# SRTP keys


@dataclass(frozen=True)
class SrtpKey:
    """An AES_CM_128_HMAC_SHA1_80 master key + salt (30 bytes)."""

    raw: bytes

    @classmethod
    def random(cls, rng: random.Random | None = None) -> SrtpKey:
        rng = rng or random.Random()
        return cls(bytes(rng.getrandbits(8) for _ in range(30)))

    @classmethod
    def from_base64(cls, key_base64: str) -> SrtpKey:
        return cls(base64.b64decode(key_base64))

    @property
    def base64(self) -> str:
        return base64.b64encode(self.raw).decode()

    @property
    def hex(self) -> str:
        return self.raw.hex()

    def srtp_parameters(self) -> dict[str, str]:
        return {"cryptoSuite": SRTP_SUITE, "keyBase64": self.base64}


# ---------------------------------------------------------------------------------------
# Worker, router, transports


@asynccontextmanager
async def media_worker(**settings: Any) -> AsyncIterator[tuple[Any, Any]]:
    """A worker (ports 40000-49999) with a VP8 + Opus router; closed at the end."""
    settings.setdefault("log_level", "warn")
    settings.setdefault("rtc_min_port", WORKER_PORT_RANGE[0])
    settings.setdefault("rtc_max_port", WORKER_PORT_RANGE[1])
    worker = await pymediasoup.create_worker(**settings)
    try:
        router = await worker.create_router(media_codecs=MEDIA_CODECS)  # type: ignore[arg-type]
        yield worker, router
    finally:
        worker.close()


def transport_port(transport: Any) -> int:
    return int(transport.tuple["localPort"])


def transport_rtcp_port(transport: Any) -> int:
    """The local RTCP port (the RTP port with rtcp-mux)."""
    rtcp_tuple = transport.rtcp_tuple
    return int(rtcp_tuple["localPort"]) if rtcp_tuple else transport_port(transport)


async def producer_transport(
    router: Any, *, srtp_key: SrtpKey | None = None, rtcp_mux: bool = True
) -> Any:
    """A comedia PlainTransport that learns its remote from the first packet (and, without
    rtcp-mux, its RTCP remote from the first RTCP packet); with ``srtp_key`` it decrypts
    what the sender encrypted with that key.

    ffmpeg's RTP muxer sends RTP and RTCP from two different local ports (and an SR
    before the first RTP packet), so an ffmpeg sender needs ``rtcp_mux=False``."""
    transport = await router.create_plain_transport(
        listen_ip=LOCALHOST, comedia=True, rtcp_mux=rtcp_mux, enable_srtp=srtp_key is not None
    )
    if srtp_key is not None:
        await transport.connect(srtp_parameters=srtp_key.srtp_parameters())
    return transport


async def consumer_transport(
    router: Any,
    peer_port: int,
    *,
    rtcp_port: int | None = None,
    srtp: bool = False,
    peer_ip: str = LOCALHOST,
) -> tuple[Any, SrtpKey | None]:
    """A PlainTransport connected to a receiving peer. Without ``rtcp_port`` RTCP is
    muxed on ``peer_port``. With ``srtp`` the peer must decrypt with the returned key
    (the transport's own srtpParameters); the key the peer would use for its RTCP is
    random and given in connect()."""
    transport = await router.create_plain_transport(
        listen_ip=LOCALHOST, comedia=False, rtcp_mux=rtcp_port is None, enable_srtp=srtp
    )
    kwargs: dict[str, Any] = {"ip": peer_ip, "port": peer_port}
    if rtcp_port is not None:
        kwargs["rtcp_port"] = rtcp_port
    if srtp:
        kwargs["srtp_parameters"] = SrtpKey.random().srtp_parameters()
    await transport.connect(**kwargs)
    key = SrtpKey.from_base64(transport.srtp_parameters["keyBase64"]) if srtp else None
    return transport, key


def stats_of(stats: list[dict[str, Any]], type_: str) -> dict[str, Any]:
    for entry in stats:
        if entry.get("type") == type_:
            return entry
    raise AssertionError(f"no {type_!r} entry in stats {stats!r}")


async def outbound_stats(consumer: Any) -> dict[str, Any]:
    return stats_of(await consumer.get_stats(), "outbound-rtp")


async def inbound_stats(producer: Any) -> dict[str, Any]:
    return stats_of(await producer.get_stats(), "inbound-rtp")


# ---------------------------------------------------------------------------------------
# Waiting and ports


async def wait_for(
    condition: Callable[[], bool | Awaitable[bool]],
    timeout: float,
    *,
    interval: float = 0.05,
    what: str = "condition",
) -> float:
    """Poll ``condition`` (sync or async) until true; returns the seconds it took."""
    start = time.monotonic()
    deadline = start + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result) or isinstance(result, Awaitable):
            result = await result  # type: ignore[misc]
        if result:
            return time.monotonic() - start
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.1f}s waiting for {what}")
        await asyncio.sleep(interval)


async def wait_until_stable(
    value: Callable[[], int], *, quiet: float = 0.6, timeout: float = 3.0
) -> int:
    """Wait until ``value()`` has not changed for ``quiet`` seconds (a stream's tail has
    drained), at most ``timeout`` seconds; returns the last value."""
    last = value()
    last_change = time.monotonic()
    deadline = last_change + timeout
    while time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        current = value()
        if current != last:
            last, last_change = current, time.monotonic()
        elif time.monotonic() - last_change >= quiet:
            break
    return last


_port_rng = random.Random(os.getpid() ^ int(time.time()))


def free_udp_port(*, pair: bool = False) -> int:
    """A UDP port on 127.0.0.1 in PEER_PORT_RANGE that is free now (with ``pair``, an even
    port whose successor is free too, as RTP/RTCP receivers want)."""
    for _ in range(200):
        port = _port_rng.randint(*PEER_PORT_RANGE)
        if pair:
            port &= ~1
        sockets = []
        try:
            for p in (port, port + 1) if pair else (port,):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(s)
                s.bind((LOCALHOST, p))
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
        return port
    raise RuntimeError("no free UDP port found")


def port_in_use(port: int) -> bool:
    """True once some process has bound UDP ``port`` on 127.0.0.1 (a receiver is ready)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((LOCALHOST, port))
    except OSError:
        return True
    finally:
        s.close()
    return False


# ---------------------------------------------------------------------------------------
# External processes


class ManagedProcess:
    """One external process, its stdout/stderr in files under ``workdir``."""

    def __init__(self, name: str, argv: list[str], workdir: Path) -> None:
        self.name = name
        self.argv = argv
        self.stdout_path = workdir / f"{name}.out"
        self.stderr_path = workdir / f"{name}.err"
        self.proc: asyncio.subprocess.Process | None = None
        self.started_at = 0.0
        self.ended_at: float | None = None

    async def start(self) -> None:
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = await asyncio.create_subprocess_exec(
                *self.argv, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=err
            )
        self.started_at = time.monotonic()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.returncode

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    async def wait(self, timeout: float) -> int:
        assert self.proc is not None
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        self.ended_at = self.ended_at or time.monotonic()
        return code

    async def stop(self, grace: float = 3.0) -> None:
        """SIGINT (ffmpeg and gst-launch -e then finish their output), then SIGKILL, by
        this process's own pid."""
        if self.proc is None or self.proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGINT)
        try:
            await asyncio.wait_for(self.proc.wait(), grace)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGKILL)
            await self.proc.wait()
        self.ended_at = self.ended_at or time.monotonic()

    def describe(self) -> str:
        tail = self.stderr()[-1500:]
        return (
            f"{self.name} (pid {self.proc.pid if self.proc else '-'}, rc {self.returncode}): {tail}"
        )


class Processes:
    """Starts processes and ends every one of them (by pid) at the end of the block."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.items: list[ManagedProcess] = []

    async def start(self, name: str, argv: list[str]) -> ManagedProcess:
        process = ManagedProcess(name, argv, self.workdir)
        self.items.append(process)
        await process.start()
        return process

    async def stop_all(self) -> None:
        for process in self.items:
            await process.stop()

    async def __aenter__(self) -> Processes:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop_all()

    def describe(self) -> str:
        return "\n".join(p.describe() for p in self.items)


# ---------------------------------------------------------------------------------------
# ffmpeg


def ffmpeg_sender_argv(
    *,
    video_port: int | None,
    audio_port: int | None,
    video_ssrc: int,
    audio_ssrc: int,
    duration: float,
    video_rtcp_port: int | None = None,
    audio_rtcp_port: int | None = None,
    fps: int = 30,
    gop: int = 15,
    srtp_key: SrtpKey | None = None,
    audio_srtp_key: SrtpKey | None = None,
) -> list[str]:
    """ffmpeg sending lavfi testsrc as VP8 (PT 96) and sine as Opus (PT 111) over RTP to
    the given worker ports (RTCP to the ``*_rtcp_port``, by default the same port), in
    real time, for ``duration``
    seconds; SRTP with ``srtp_key`` (video) / ``audio_srtp_key`` (audio)."""
    assert FFMPEG is not None
    argv = [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "warning"]
    if video_port is not None:
        argv += ["-re", "-f", "lavfi", "-i", f"testsrc=size=320x240:rate={fps}:duration={duration}"]
    if audio_port is not None:
        argv += [
            "-re",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:sample_rate=48000:duration={duration}",
        ]
    index = 0

    def url(port: int, rtcp_port: int | None, key: SrtpKey | None) -> list[str]:
        scheme = "srtp" if key is not None else "rtp"
        opts = (
            [] if key is None else ["-srtp_out_suite", SRTP_SUITE, "-srtp_out_params", key.base64]
        )
        return opts + [f"{scheme}://{LOCALHOST}:{port}?rtcpport={rtcp_port or port}&pkt_size=1200"]

    if video_port is not None:
        argv += [
            "-map", f"{index}:v:0", "-an",
            "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "400k",
            "-g", str(gop), "-keyint_min", str(gop), "-pix_fmt", "yuv420p",
            "-ssrc", str(video_ssrc), "-payload_type", str(VP8_PT_IN), "-f", "rtp",
        ]  # fmt: skip
        argv += url(video_port, video_rtcp_port, srtp_key)
        index += 1
    if audio_port is not None:
        argv += [
            "-map", f"{index}:a:0", "-vn",
            "-c:a", "libopus", "-ar", "48000", "-ac", "2", "-b:a", "48k",
            "-ssrc", str(audio_ssrc), "-payload_type", str(OPUS_PT_IN), "-f", "rtp",
        ]  # fmt: skip
        argv += url(
            audio_port, audio_rtcp_port, audio_srtp_key if audio_srtp_key is not None else srtp_key
        )
    return argv


def receiver_sdp(
    *,
    video_port: int | None,
    audio_port: int | None,
    video_key: SrtpKey | None = None,
    audio_key: SrtpKey | None = None,
) -> str:
    lines = [
        "v=0",
        f"o=- 0 0 IN IP4 {LOCALHOST}",
        "s=pymediasoup e2e",
        f"c=IN IP4 {LOCALHOST}",
        "t=0 0",
    ]
    if video_port is not None:
        profile = "RTP/SAVP" if video_key else "RTP/AVP"
        lines += [
            f"m=video {video_port} {profile} {VP8_PT_OUT}",
            f"a=rtpmap:{VP8_PT_OUT} VP8/90000",
        ]
        if video_key:
            lines.append(f"a=crypto:1 {SRTP_SUITE} inline:{video_key.base64}")
        lines.append("a=recvonly")
    if audio_port is not None:
        profile = "RTP/SAVP" if audio_key else "RTP/AVP"
        lines += [
            f"m=audio {audio_port} {profile} {OPUS_PT_OUT}",
            f"a=rtpmap:{OPUS_PT_OUT} opus/48000/2",
        ]
        if audio_key:
            lines.append(f"a=crypto:1 {SRTP_SUITE} inline:{audio_key.base64}")
        lines.append("a=recvonly")
    return "\r\n".join(lines) + "\r\n"


class FfmpegReceiver:
    """ffmpeg reading an SDP file, decoding, and writing one framemd5 file per stream
    (one line per decoded frame). RTP on each port, RTCP on port + 1."""

    def __init__(
        self,
        workdir: Path,
        *,
        video_port: int | None,
        audio_port: int | None,
        video_key: SrtpKey | None = None,
        audio_key: SrtpKey | None = None,
        name: str = "ffmpeg-recv",
    ) -> None:
        self.workdir = workdir
        self.name = name
        self.video_port = video_port
        self.audio_port = audio_port
        self.sdp_path = workdir / f"{name}.sdp"
        self.sdp_path.write_text(
            receiver_sdp(
                video_port=video_port,
                audio_port=audio_port,
                video_key=video_key,
                audio_key=audio_key,
            )
        )
        self.video_md5 = workdir / f"{name}.video.framemd5"
        self.audio_md5 = workdir / f"{name}.audio.framemd5"
        self.process: ManagedProcess | None = None

    def argv(self) -> list[str]:
        assert FFMPEG is not None
        argv = [
            FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "warning", "-y",
            "-protocol_whitelist", "file,udp,rtp,srtp,crypto",
            "-analyzeduration", "5000000", "-probesize", "5000000",
            "-reorder_queue_size", "100",
            "-i", str(self.sdp_path),
        ]  # fmt: skip
        index = 0
        if self.video_port is not None:
            argv += ["-map", "0:v:0", "-fps_mode", "passthrough", "-flush_packets", "1"]
            argv += ["-f", "framemd5", str(self.video_md5)]
            index += 1
        if self.audio_port is not None:
            argv += ["-map", "0:a:0", "-flush_packets", "1", "-f", "framemd5", str(self.audio_md5)]
        return argv

    async def start(self, processes: Processes) -> None:
        self.process = await processes.start(self.name, self.argv())

    @staticmethod
    def _count(path: Path) -> int:
        if not path.exists():
            return 0
        with open(path, errors="replace") as f:
            return sum(1 for line in f if line.strip() and not line.startswith("#"))

    @property
    def video_frames(self) -> int:
        return self._count(self.video_md5)

    @property
    def audio_frames(self) -> int:
        return self._count(self.audio_md5)


# ---------------------------------------------------------------------------------------
# GStreamer

GST_SRTP_CAPS = (
    "srtp-cipher=(string)aes-128-icm,srtp-auth=(string)hmac-sha1-80,"
    "srtcp-cipher=(string)aes-128-icm,srtcp-auth=(string)hmac-sha1-80,roc=(uint)0"
)


def gst_sender_argv(
    *,
    video_port: int | None,
    audio_port: int | None,
    video_ssrc: int,
    audio_ssrc: int,
    video_frames: int,
    audio_buffers: int,
    fps: int = 30,
    gop: int = 15,
    video_key: SrtpKey | None = None,
    audio_key: SrtpKey | None = None,
) -> list[str]:
    """gst-launch: videotestsrc (``video_frames`` frames) as VP8 PT 96 and audiotestsrc
    (``audio_buffers`` 20 ms buffers) as Opus PT 111, live, each to its worker port;
    SRTP through srtpenc with the given keys. Exits at EOS."""
    assert GST_LAUNCH is not None
    argv = [GST_LAUNCH, "-q", "-e"]

    def srtp(key: SrtpKey | None, enc: str, port: int) -> str:
        sink = f"udpsink host={LOCALHOST} port={port} sync=false async=false"
        if key is None:
            return f"! {sink}"
        cipher = "rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80"
        return (
            f"! {enc}.rtp_sink_0 srtpenc name={enc} key={key.hex} {cipher} {enc}.rtp_src_0 ! {sink}"
        )

    pipeline = ""
    if video_port is not None:
        pipeline += (
            f" videotestsrc is-live=true num-buffers={video_frames} pattern=ball"
            f" ! video/x-raw,width=320,height=240,framerate={fps}/1"
            f" ! vp8enc deadline=1 cpu-used=8 keyframe-max-dist={gop} target-bitrate=400000 end-usage=cbr"
            f" ! rtpvp8pay pt={VP8_PT_IN} ssrc={video_ssrc} mtu=1200 picture-id-mode=15-bit "
            + srtp(video_key, "venc", video_port)
        )
    if audio_port is not None:
        pipeline += (
            f" audiotestsrc is-live=true num-buffers={audio_buffers} samplesperbuffer=960 wave=sine"
            " ! audio/x-raw,rate=48000,channels=2 ! audioconvert ! opusenc frame-size=20"
            f" ! rtpopuspay pt={OPUS_PT_IN} ssrc={audio_ssrc} "
            + srtp(audio_key, "aenc", audio_port)
        )
    return argv + pipeline.split()


GST_VIDEO_FRAME_BYTES = 320 * 240 * 3 // 2  # one decoded I420 320x240 frame
GST_AUDIO_FRAME_BYTES = 960 * 2 * 2  # one decoded 20 ms S16LE stereo 48 kHz frame


def gst_receiver_argv(
    *,
    video_port: int | None,
    audio_port: int | None,
    video_file: Path | None = None,
    audio_file: Path | None = None,
    video_ssrc: int | None = None,
    audio_ssrc: int | None = None,
    video_key: SrtpKey | None = None,
    audio_key: SrtpKey | None = None,
) -> list[str]:
    """gst-launch: udpsrc ! (srtpdec) ! rtpjitterbuffer ! depay ! decoder ! filesink, one
    branch per stream, writing raw decoded frames of a fixed size (I420 320x240, 20 ms
    of S16LE stereo) so that a file's size counts the decoded frames exactly (see
    :func:`gst_frames`). RTCP goes to port + 1 (a second udpsrc into a fakesink)."""
    assert GST_LAUNCH is not None
    argv = [GST_LAUNCH, "-q", "-e"]

    def source(
        port: int, media: str, clock: int, name: str, pt: int, ssrc: int | None, key: SrtpKey | None
    ) -> str:
        if key is None:
            caps = f"application/x-rtp,media=(string){media},clock-rate=(int){clock},encoding-name=(string){name},payload=(int){pt}"
            return f'udpsrc address={LOCALHOST} port={port} caps="{caps}"'
        assert ssrc is not None
        caps = (
            f"application/x-srtp,media=(string){media},clock-rate=(int){clock},encoding-name=(string){name},"
            f"payload=(int){pt},ssrc=(uint){ssrc},srtp-key=(buffer){key.hex},{GST_SRTP_CAPS}"
        )
        return f'udpsrc address={LOCALHOST} port={port} caps="{caps}" ! srtpdec'

    parts: list[str] = []
    if video_port is not None:
        assert video_file is not None
        parts.append(
            source(video_port, "video", 90000, "VP8", VP8_PT_OUT, video_ssrc, video_key)
            + " ! rtpjitterbuffer latency=100 ! rtpvp8depay ! vp8dec"
            " ! video/x-raw,format=I420,width=320,height=240"
            f" ! filesink location={video_file} buffer-mode=2 sync=false async=false"
        )
        parts.append(
            f"udpsrc address={LOCALHOST} port={video_port + 1} ! fakesink sync=false async=false"
        )
    if audio_port is not None:
        assert audio_file is not None
        parts.append(
            source(audio_port, "audio", 48000, "OPUS", OPUS_PT_OUT, audio_ssrc, audio_key)
            + " ! rtpjitterbuffer latency=100 ! rtpopusdepay ! opusdec plc=false"
            " ! audio/x-raw,format=S16LE,rate=48000,channels=2"
            f" ! filesink location={audio_file} buffer-mode=2 sync=false async=false"
        )
        parts.append(
            f"udpsrc address={LOCALHOST} port={audio_port + 1} ! fakesink sync=false async=false"
        )
    import shlex

    return argv + shlex.split("  ".join(parts))


def gst_frames(path: Path, frame_bytes: int) -> int:
    """Decoded frames in a raw file written by :func:`gst_receiver_argv`."""
    return path.stat().st_size // frame_bytes if path.exists() else 0


# ---------------------------------------------------------------------------------------
# RTP / RTCP in Python


@dataclass
class Rtp:
    payload_type: int
    seq: int
    timestamp: int
    ssrc: int
    marker: bool
    payload: bytes
    header_size: int
    raw: bytes


def parse_rtp(data: bytes) -> Rtp | None:
    if len(data) < 12 or data[0] >> 6 != 2:
        return None
    first, second, seq, ts, ssrc = struct.unpack_from("!BBHII", data)
    if 192 <= second <= 223:  # RTCP (RFC 5761 payload types 64-95 with marker)
        return None
    offset = 12 + 4 * (first & 0x0F)
    if first & 0x10:
        if len(data) < offset + 4:
            return None
        (ext_words,) = struct.unpack_from("!H", data, offset + 2)
        offset += 4 + 4 * ext_words
    end = len(data)
    if first & 0x20:
        end -= data[-1]
    if offset > end:
        return None
    return Rtp(second & 0x7F, seq, ts, ssrc, bool(second & 0x80), data[offset:end], offset, data)


def build_rtp(
    *, payload_type: int, seq: int, timestamp: int, ssrc: int, payload: bytes, marker: bool = False
) -> bytes:
    header = struct.pack(
        "!BBHII",
        0x80,
        (0x80 if marker else 0) | payload_type,
        seq & 0xFFFF,
        timestamp & 0xFFFFFFFF,
        ssrc,
    )
    return header + payload


def is_rtcp(data: bytes) -> bool:
    return len(data) >= 8 and data[0] >> 6 == 2 and 192 <= data[1] <= 223


@dataclass
class RtcpItem:
    packet_type: int
    fmt: int
    sender_ssrc: int
    media_ssrc: int
    body: bytes


def parse_rtcp(data: bytes) -> list[RtcpItem]:
    """The packets of a compound RTCP packet (garbage ends the walk)."""
    items = []
    offset = 0
    while offset + 4 <= len(data):
        first, pt, length = struct.unpack_from("!BBH", data, offset)
        size = 4 * (length + 1)
        if first >> 6 != 2 or offset + size > len(data):
            break
        chunk = data[offset : offset + size]
        sender = struct.unpack_from("!I", chunk, 4)[0] if size >= 8 else 0
        media = struct.unpack_from("!I", chunk, 8)[0] if size >= 12 else 0
        items.append(RtcpItem(pt, first & 0x1F, sender, media, chunk[12:]))
        offset += size
    return items


def nack_seqs(item: RtcpItem) -> list[int]:
    seqs = []
    for i in range(0, len(item.body) - 3, 4):
        pid, blp = struct.unpack_from("!HH", item.body, i)
        seqs.append(pid)
        seqs.extend((pid + b + 1) & 0xFFFF for b in range(16) if blp & (1 << b))
    return seqs


def build_nack(sender_ssrc: int, media_ssrc: int, seqs: list[int]) -> bytes:
    """RFC 4585 generic NACK (PT 205, FMT 1), seqs packed into PID/BLP pairs."""
    fcis = []
    # Walk in the given order (callers pass unwrapped ascending seqs), wrap-aware.
    pending = list(dict.fromkeys(s & 0xFFFF for s in seqs))
    while pending:
        pid = pending.pop(0)
        blp = 0
        rest = []
        for s in pending:
            diff = (s - pid) & 0xFFFF
            if 1 <= diff <= 16:
                blp |= 1 << (diff - 1)
            else:
                rest.append(s)
        pending = rest
        fcis.append(struct.pack("!HH", pid, blp))
    body = struct.pack("!II", sender_ssrc, media_ssrc) + b"".join(fcis)
    return struct.pack("!BBH", 0x81, 205, len(body) // 4) + body


def build_pli(sender_ssrc: int, media_ssrc: int) -> bytes:
    return struct.pack("!BBHII", 0x81, 206, 2, sender_ssrc, media_ssrc)


def build_receiver_report(sender_ssrc: int) -> bytes:
    return struct.pack("!BBHI", 0x80, 201, 1, sender_ssrc)


# VP8 payload descriptor (RFC 7741) ---------------------------------------------------


def vp8_descriptor(*, picture_id: int, tl0: int, start: bool) -> bytes:
    """X=1, S, PID=0; I (15-bit picture id), L (TL0PICIDX), T (TID 0, Y=1)."""
    return bytes(
        [
            0x80 | (0x10 if start else 0),
            0xE0,  # I L T
            0x80 | ((picture_id >> 8) & 0x7F),
            picture_id & 0xFF,
            tl0 & 0xFF,
            0x20,  # TID=0, Y=1, KEYIDX=0
        ]
    )


def vp8_frame_header(key: bool, width: int = 320, height: int = 240) -> bytes:
    """The first bytes of a VP8 frame: the 3-byte frame tag (P bit 0 for a key frame),
    and for a key frame the start code and dimensions."""
    first_part_size = 100
    tag = (0 if key else 1) | (0 << 1) | (1 << 4) | (first_part_size << 5)
    header = struct.pack("<I", tag)[:3]
    if key:
        header += b"\x9d\x01\x2a" + struct.pack("<HH", width, height)
    return header


@dataclass
class Vp8Info:
    start: bool
    partition_index: int
    picture_id: int | None
    tl0: int | None
    descriptor_size: int
    key_frame: bool


def parse_vp8(payload: bytes) -> Vp8Info | None:
    if not payload:
        return None
    b0 = payload[0]
    offset = 1
    picture_id = tl0 = None
    if b0 & 0x80:
        if len(payload) < 2:
            return None
        x = payload[1]
        offset = 2
        if x & 0x80:
            if payload[offset] & 0x80:
                picture_id = ((payload[offset] & 0x7F) << 8) | payload[offset + 1]
                offset += 2
            else:
                picture_id = payload[offset] & 0x7F
                offset += 1
        if x & 0x40:
            tl0 = payload[offset]
            offset += 1
        if x & 0x30:
            offset += 1
    if offset >= len(payload):
        return None
    start = bool(b0 & 0x10)
    pid = b0 & 0x07
    key = start and pid == 0 and not (payload[offset] & 0x01)
    return Vp8Info(start, pid, picture_id, tl0, offset, key)


# ---------------------------------------------------------------------------------------
# UDP endpoints


class UdpEndpoint(asyncio.DatagramProtocol):
    """A UDP socket on 127.0.0.1 that hands every datagram to ``on_datagram``."""

    def __init__(self, on_datagram: Callable[[bytes, tuple[str, int]], None]) -> None:
        self.on_datagram = on_datagram
        self.transport: asyncio.DatagramTransport | None = None

    @classmethod
    async def open(
        cls, on_datagram: Callable[[bytes, tuple[str, int]], None], port: int = 0
    ) -> UdpEndpoint:
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_datagram_endpoint(
            lambda: cls(on_datagram), local_addr=(LOCALHOST, port)
        )
        sock = protocol.transport.get_extra_info("socket")  # type: ignore[union-attr]
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
        return protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.on_datagram(data, addr)

    def error_received(self, exc: Exception) -> None:  # ICMP port unreachable and such
        pass

    @property
    def port(self) -> int:
        assert self.transport is not None
        return self.transport.get_extra_info("sockname")[1]

    def sendto(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(data, addr)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


@dataclass
class SentPacket:
    seq: int
    timestamp: int
    marker: bool
    key_frame: bool
    frame_start: bool
    payload: bytes
    raw: bytes
    sent_at: float


class Vp8Sender:
    """A real-time VP8 RTP sender (Python): ``fps`` frames of ``packets_per_frame``
    packets with real VP8 payload descriptors. Key frames at the start (optional) and
    when a PLI or FIR arrives. Keeps every packet for NACKs, and answers them with RTX
    (when ``rtx_ssrc`` is set) or the same packet again."""

    def __init__(
        self,
        *,
        ssrc: int,
        payload_type: int = VP8_PT_IN,
        rtx_ssrc: int | None = None,
        rtx_payload_type: int = RTX_PT_IN,
        fps: int = 30,
        packets_per_frame: int = 2,
        payload_size: int = 600,
        key_frame_at_start: bool = True,
        seed: int = 1,
        on_rtcp: Callable[[bytes], None] | None = None,
    ) -> None:
        self.ssrc = ssrc
        self.payload_type = payload_type
        self.rtx_ssrc = rtx_ssrc
        self.rtx_payload_type = rtx_payload_type
        self.fps = fps
        self.packets_per_frame = packets_per_frame
        self.payload_size = payload_size
        self.rng = random.Random(seed)
        self.seq = self.rng.randint(0, 0xFFFF)
        self.rtx_seq = self.rng.randint(0, 0xFFFF)
        self.timestamp = self.rng.randint(0, 0xFFFFFFFF)
        self.picture_id = self.rng.randint(0, 0x7FFF)
        self.tl0 = self.rng.randint(0, 0xFF)
        self.key_frame_pending = key_frame_at_start
        self.on_rtcp = on_rtcp
        self.endpoint: UdpEndpoint | None = None
        self.remote: tuple[str, int] | None = None
        self.sent: list[SentPacket] = []
        self.history: dict[int, SentPacket] = {}
        self.frames_sent = 0
        self.key_frames_sent: list[tuple[float, int]] = []  # (time, rtp timestamp)
        self.plis: list[float] = []
        self.firs: list[float] = []
        self.nack_packets = 0
        self.nacked_seqs: list[int] = []
        self.retransmitted: list[int] = []
        self.rtcp_received = 0
        self.other_datagrams = 0
        self._task: asyncio.Task[None] | None = None
        self.srtp_protect: Callable[[bytes], bytes] | None = None

    async def open(self, remote: tuple[str, int]) -> None:
        self.remote = remote
        self.endpoint = await UdpEndpoint.open(self._on_datagram)

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self.endpoint is not None:
            self.endpoint.close()

    def _send(self, data: bytes) -> None:
        assert self.endpoint is not None and self.remote is not None
        if self.srtp_protect is not None:
            data = self.srtp_protect(data)
        self.endpoint.sendto(data, self.remote)

    def _on_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        if not is_rtcp(data):
            self.other_datagrams += 1
            return
        self.rtcp_received += 1
        if self.on_rtcp is not None:
            self.on_rtcp(data)
        now = time.monotonic()
        for item in parse_rtcp(data):
            if item.packet_type == 206 and item.fmt == 1 and item.media_ssrc == self.ssrc:
                self.plis.append(now)
                self.key_frame_pending = True
            elif item.packet_type == 206 and item.fmt == 4:
                body = item.body
                for i in range(0, len(body) - 7, 8):
                    if struct.unpack_from("!I", body, i)[0] == self.ssrc:
                        self.firs.append(now)
                        self.key_frame_pending = True
            elif item.packet_type == 205 and item.fmt == 1 and item.media_ssrc == self.ssrc:
                self.nack_packets += 1
                for seq in nack_seqs(item):
                    self.nacked_seqs.append(seq)
                    self._retransmit(seq)

    def _retransmit(self, seq: int) -> None:
        packet = self.history.get(seq)
        if packet is None:
            return
        if self.rtx_ssrc is not None:
            data = build_rtp(
                payload_type=self.rtx_payload_type,
                seq=self.rtx_seq,
                timestamp=packet.timestamp,
                ssrc=self.rtx_ssrc,
                payload=struct.pack("!H", seq) + packet.payload,
                marker=packet.marker,
            )
            self.rtx_seq = (self.rtx_seq + 1) & 0xFFFF
        else:
            data = packet.raw
        self.retransmitted.append(seq)
        self._send(data)

    def send_frame(self) -> None:
        key = self.key_frame_pending
        self.key_frame_pending = False
        now = time.monotonic()
        if key:
            self.key_frames_sent.append((now, self.timestamp))
        self.picture_id = (self.picture_id + 1) & 0x7FFF
        body = vp8_frame_header(key) + bytes(
            self.rng.getrandbits(8) for _ in range(self.payload_size * self.packets_per_frame)
        )
        chunk = -(-len(body) // self.packets_per_frame)
        for i in range(self.packets_per_frame):
            part = body[i * chunk : (i + 1) * chunk]
            payload = vp8_descriptor(picture_id=self.picture_id, tl0=self.tl0, start=i == 0) + part
            marker = i == self.packets_per_frame - 1
            raw = build_rtp(
                payload_type=self.payload_type,
                seq=self.seq,
                timestamp=self.timestamp,
                ssrc=self.ssrc,
                payload=payload,
                marker=marker,
            )
            packet = SentPacket(
                self.seq, self.timestamp, marker, key and i == 0, i == 0, payload, raw, now
            )
            self.sent.append(packet)
            self.history[self.seq] = packet
            self.seq = (self.seq + 1) & 0xFFFF
            self._send(raw)
        self.tl0 = (self.tl0 + 1) & 0xFF
        self.timestamp = (self.timestamp + 90000 // self.fps) & 0xFFFFFFFF
        self.frames_sent += 1

    async def run(self, duration: float) -> None:
        """Send frames in real time for ``duration`` seconds (absolute schedule)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        frames = int(duration * self.fps)
        for n in range(frames):
            delay = start + n / self.fps - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.send_frame()

    def start(self, duration: float) -> asyncio.Task[None]:
        self._task = asyncio.get_running_loop().create_task(self.run(duration))
        return self._task


@dataclass
class ReceivedPacket:
    rtp: Rtp
    arrived_at: float
    original_seq: int  # the media seq (the OSN for RTX)
    rtx: bool


class RtpReceiver:
    """A Python RTP receiver for one media SSRC (and its RTX SSRC): records every packet,
    and with ``nack=True`` sends generic NACKs (RFC 4585) for gaps, once at once and
    again every ``renack_ms`` while still missing, up to ``max_nacks`` times."""

    def __init__(
        self,
        *,
        media_ssrc: int | None = None,
        rtx_ssrc: int | None = None,
        rtx_payload_type: int | None = None,
        nack: bool = False,
        renack_ms: float = 150.0,
        max_nacks: int = 8,
        sender_ssrc: int = 0x5EC0DE,
        srtp_unprotect: Callable[[bytes], bytes] | None = None,
    ) -> None:
        self.media_ssrc = media_ssrc
        self.rtx_ssrc = rtx_ssrc
        self.rtx_payload_type = rtx_payload_type
        self.nack = nack
        self.renack_ms = renack_ms
        self.max_nacks = max_nacks
        self.sender_ssrc = sender_ssrc
        self.srtp_unprotect = srtp_unprotect
        self.endpoint: UdpEndpoint | None = None
        self.remote: tuple[str, int] | None = None
        self.packets: list[ReceivedPacket] = []
        self.seqs: set[int] = set()  # extended seqs of media packets (original or repaired)
        self.duplicates = 0
        self.highest: int | None = None
        self.missing: dict[int, tuple[float, int]] = {}  # ext seq -> (last nack time, count)
        self.repaired: set[int] = set()
        self.repaired_by_rtx: set[int] = set()
        self.nacks_sent = 0
        self.nacked: set[int] = set()
        self.nack_items_sent = 0
        self.rtcp: list[bytes] = []
        self.other_ssrcs: dict[int, int] = {}
        self.undecodable = 0
        self._timer: asyncio.Task[None] | None = None

    async def open(self, port: int = 0) -> None:
        self.endpoint = await UdpEndpoint.open(self._on_datagram, port)
        if self.nack:
            self._timer = asyncio.get_running_loop().create_task(self._renack_loop())

    @property
    def port(self) -> int:
        assert self.endpoint is not None
        return self.endpoint.port

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.endpoint is not None:
            self.endpoint.close()

    def _extend(self, seq: int) -> int:
        if self.highest is None:
            return seq + (1 << 16)  # room to go back a little without going negative
        base = self.highest & ~0xFFFF
        candidates = (base - 0x10000 + seq, base + seq, base + 0x10000 + seq)
        return min(candidates, key=lambda c: abs(c - self.highest))  # type: ignore[operator]

    def _on_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        self.remote = self.remote or addr
        if self.srtp_unprotect is not None:
            try:
                data = self.srtp_unprotect(data)
            except Exception:
                self.undecodable += 1
                return
        if is_rtcp(data):
            self.rtcp.append(data)
            return
        rtp = parse_rtp(data)
        if rtp is None:
            self.undecodable += 1
            return
        now = time.monotonic()
        is_rtx = self.rtx_ssrc is not None and rtp.ssrc == self.rtx_ssrc
        if is_rtx:
            if len(rtp.payload) < 2:
                self.undecodable += 1
                return
            seq = struct.unpack_from("!H", rtp.payload)[0]
        elif self.media_ssrc is None or rtp.ssrc == self.media_ssrc:
            seq = rtp.seq
        else:
            self.other_ssrcs[rtp.ssrc] = self.other_ssrcs.get(rtp.ssrc, 0) + 1
            return
        self.packets.append(ReceivedPacket(rtp, now, seq, is_rtx))
        ext = self._extend(seq)
        if ext in self.seqs:
            self.duplicates += 1
            return
        self.seqs.add(ext)
        if ext in self.missing:
            del self.missing[ext]
            self.repaired.add(ext)
            if is_rtx:
                self.repaired_by_rtx.add(ext)
        if self.highest is None or ext > self.highest:
            if self.highest is not None and ext > self.highest + 1:
                new = list(range(self.highest + 1, ext))
                for s in new:
                    self.missing[s] = (now, 1)
                if self.nack:
                    self._send_nack(new)
            self.highest = ext

    def _send_nack(self, ext_seqs: list[int]) -> None:
        if not ext_seqs or self.endpoint is None or self.remote is None or self.media_ssrc is None:
            return
        data = build_nack(self.sender_ssrc, self.media_ssrc, [s & 0xFFFF for s in ext_seqs])
        self.nacks_sent += 1
        self.nack_items_sent += len(ext_seqs)
        self.nacked.update(ext_seqs)
        self.endpoint.sendto(data, self.remote)

    async def _renack_loop(self) -> None:
        while True:
            await asyncio.sleep(0.04)
            now = time.monotonic()
            due = []
            for ext, (last, count) in list(self.missing.items()):
                if (now - last) * 1000 >= self.renack_ms and count < self.max_nacks:
                    self.missing[ext] = (now, count + 1)
                    due.append(ext)
            if due:
                self._send_nack(due)

    def send_rtcp(self, data: bytes) -> None:
        assert self.endpoint is not None and self.remote is not None
        self.endpoint.sendto(data, self.remote)

    @property
    def media_count(self) -> int:
        return len(self.seqs)

    def contiguous(self) -> bool:
        return bool(self.seqs) and len(self.seqs) == max(self.seqs) - min(self.seqs) + 1


def make_srtp_session(key: SrtpKey, *, outbound: bool) -> Any:
    """A pylibsrtp session (test-side SRTP for Python peers)."""
    import pylibsrtp

    policy = pylibsrtp.Policy(
        key=key.raw,
        ssrc_type=pylibsrtp.Policy.SSRC_ANY_OUTBOUND
        if outbound
        else pylibsrtp.Policy.SSRC_ANY_INBOUND,
        srtp_profile=pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    )
    return pylibsrtp.Session(policy=policy)


def srtp_unprotector(key: SrtpKey) -> Callable[[bytes], bytes]:
    session = make_srtp_session(key, outbound=False)

    def unprotect(data: bytes) -> bytes:
        if is_rtcp(data):
            return session.unprotect_rtcp(data)
        return session.unprotect(data)

    return unprotect


def srtp_protector(key: SrtpKey) -> Callable[[bytes], bytes]:
    session = make_srtp_session(key, outbound=True)

    def protect(data: bytes) -> bytes:
        if is_rtcp(data):
            return session.protect_rtcp(data)
        return session.protect(data)

    return protect


@dataclass
class StreamCheck:
    """Collected numbers of one media test, printed on failure."""

    values: dict[str, Any] = field(default_factory=dict)

    def __setitem__(self, key: str, value: Any) -> None:
        self.values[key] = value

    def __str__(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.values.items())


# ---------------------------------------------------------------------------------------
# A VP8 + Opus session through PlainTransports: two producers (one comedia transport
# each, fed by an external sender) and their two consumers (one transport each,
# connected to an external receiver: RTP on port, RTCP on port + 1).

VIDEO_SSRC = 11112222
AUDIO_SSRC = 33334444


@dataclass
class PlainSession:
    router: Any
    video_in: Any
    audio_in: Any
    video_producer: Any
    audio_producer: Any
    video_out: Any
    audio_out: Any
    video_consumer: Any
    audio_consumer: Any
    video_port: int
    audio_port: int
    send_video_key: SrtpKey | None
    send_audio_key: SrtpKey | None
    recv_video_key: SrtpKey | None
    recv_audio_key: SrtpKey | None

    async def stats(self) -> dict[str, Any]:
        """Everything a failure message needs."""
        return {
            "video_producer": await self.video_producer.get_stats(),
            "audio_producer": await self.audio_producer.get_stats(),
            "video_consumer": await self.video_consumer.get_stats(),
            "audio_consumer": await self.audio_consumer.get_stats(),
            "video_in": await self.video_in.get_stats(),
            "audio_in": await self.audio_in.get_stats(),
            "video_out": await self.video_out.get_stats(),
            "audio_out": await self.audio_out.get_stats(),
        }


async def plain_session(router: Any, *, srtp: bool, sender_rtcp_mux: bool = True) -> PlainSession:
    send_video_key = SrtpKey.random() if srtp else None
    send_audio_key = SrtpKey.random() if srtp else None
    video_in = await producer_transport(router, srtp_key=send_video_key, rtcp_mux=sender_rtcp_mux)
    audio_in = await producer_transport(router, srtp_key=send_audio_key, rtcp_mux=sender_rtcp_mux)
    video_producer = await video_in.produce(
        kind="video", rtp_parameters=vp8_rtp_parameters(VIDEO_SSRC)
    )
    audio_producer = await audio_in.produce(
        kind="audio", rtp_parameters=opus_rtp_parameters(AUDIO_SSRC)
    )
    video_port = free_udp_port(pair=True)
    audio_port = free_udp_port(pair=True)
    while abs(audio_port - video_port) < 2:
        audio_port = free_udp_port(pair=True)
    video_out, recv_video_key = await consumer_transport(
        router, video_port, rtcp_port=video_port + 1, srtp=srtp
    )
    audio_out, recv_audio_key = await consumer_transport(
        router, audio_port, rtcp_port=audio_port + 1, srtp=srtp
    )
    caps = consumer_rtp_capabilities()
    video_consumer = await video_out.consume(producer_id=video_producer.id, rtp_capabilities=caps)
    audio_consumer = await audio_out.consume(producer_id=audio_producer.id, rtp_capabilities=caps)
    return PlainSession(
        router, video_in, audio_in, video_producer, audio_producer, video_out, audio_out,
        video_consumer, audio_consumer, video_port, audio_port,
        send_video_key, send_audio_key, recv_video_key, recv_audio_key,
    )  # fmt: skip
