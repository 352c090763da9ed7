"""``pymediasoup-demo broadcast``: ffmpeg into a room through the broadcaster API.

The same steps as mediasoup-demo's broadcasters/ffmpeg.sh: create a broadcaster, one
PlainTransport (comedia, RTCP on its own port) for audio and one for video, a Producer on
each with fixed SSRCs and payload types, then ffmpeg's RTP muxer sends to them. The
broadcaster is deleted when ffmpeg ends or on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

AUDIO_SSRC, AUDIO_PT = 1111, 100
VIDEO_SSRC, VIDEO_PT = 2222, 101


def audio_rtp_parameters(ssrc: int = AUDIO_SSRC, payload_type: int = AUDIO_PT) -> dict[str, Any]:
    return {
        "codecs": [
            {
                "mimeType": "audio/opus",
                "payloadType": payload_type,
                "clockRate": 48000,
                "channels": 2,
                "parameters": {"sprop-stereo": 1},
            }
        ],
        "encodings": [{"ssrc": ssrc}],
    }


def video_rtp_parameters(ssrc: int = VIDEO_SSRC, payload_type: int = VIDEO_PT) -> dict[str, Any]:
    return {
        "codecs": [{"mimeType": "video/vp8", "payloadType": payload_type, "clockRate": 90000}],
        "encodings": [{"ssrc": ssrc}],
    }


def ffmpeg_command(
    audio: dict[str, Any] | None,
    video: dict[str, Any] | None,
    *,
    media_file: str | None = None,
    duration: float | None = None,
    video_bitrate: str = "1000k",
) -> list[str]:
    """ffmpeg argv sending to the PlainTransports ``audio``/``video`` ({ip, port, rtcpPort}).

    Without ``media_file``: a 640x480 test pattern and a 440 Hz tone.
    """
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re"]
    if media_file:
        cmd += ["-stream_loop", "-1", "-i", media_file]
        video_input, audio_input = "0:v:0", "0:a:0"
    else:
        cmd += ["-f", "lavfi", "-i", "testsrc=size=640x480:rate=30"]
        cmd += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
        video_input, audio_input = "0:v:0", "1:a:0"
    if duration:
        cmd += ["-t", str(duration)]
    outputs = []
    if audio:
        cmd += ["-map", audio_input, "-c:a", "libopus", "-b:a", "128k", "-ac", "2", "-ar", "48000"]
        outputs.append(
            f"[select=a:f=rtp:ssrc={AUDIO_SSRC}:payload_type={AUDIO_PT}]"
            f"rtp://{audio['ip']}:{audio['port']}?rtcpport={audio['rtcpPort']}&pkt_size=1200"
        )
    if video:
        cmd += ["-map", video_input, "-pix_fmt", "yuv420p", "-c:v", "libvpx", "-b:v", video_bitrate]
        cmd += ["-deadline", "realtime", "-cpu-used", "8", "-g", "60"]
        outputs.append(
            f"[select=v:f=rtp:ssrc={VIDEO_SSRC}:payload_type={VIDEO_PT}]"
            f"rtp://{video['ip']}:{video['port']}?rtcpport={video['rtcpPort']}&pkt_size=1200"
        )
    return [*cmd, "-f", "tee", "|".join(outputs)]


class Api:
    """The broadcaster API of one room, with urllib (no dependency)."""

    def __init__(self, server: str, room: str, broadcaster_id: str) -> None:
        self.base = f"{server.rstrip('/')}/rooms/{room}"
        self.broadcaster = f"{self.base}/broadcasters/{broadcaster_id}"

    def call(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            raise SystemExit(f"{method} {url} failed: {exc.code} {detail}") from None
        except urllib.error.URLError as exc:
            raise SystemExit(f"cannot reach the demo server at {url}: {exc.reason}") from None

    def plain_transport(self) -> dict[str, Any]:
        return self.call(
            "POST",
            f"{self.broadcaster}/transports",
            {"type": "plain", "comedia": True, "rtcpMux": False},
        )

    def produce(self, transport_id: str, kind: str, rtp_parameters: dict[str, Any]) -> str:
        url = f"{self.broadcaster}/transports/{transport_id}/producers"
        return self.call("POST", url, {"kind": kind, "rtpParameters": rtp_parameters})["id"]


def broadcast_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="pymediasoup-demo broadcast",
        description="Send a test pattern (or a media file) into a demo room with ffmpeg.",
    )
    parser.add_argument("--room", required=True, help="the room id (as in /?room=ID)")
    parser.add_argument("--server", default="http://127.0.0.1:3000", help="the demo's URL")
    parser.add_argument(
        "--file", help="a media file with audio and video (looped); default: test pattern"
    )
    parser.add_argument("--name", default="ffmpeg", help="display name in the room")
    parser.add_argument("--duration", type=float, help="stop after this many seconds")
    parser.add_argument("--no-audio", action="store_true")
    parser.add_argument("--no-video", action="store_true")
    args = parser.parse_args(argv)
    if shutil.which("ffmpeg") is None:
        print("pymediasoup-demo broadcast: ffmpeg is not on PATH", file=sys.stderr)
        return 1
    broadcaster_id = f"ffmpeg-{secrets.token_hex(4)}"
    api = Api(args.server, args.room, broadcaster_id)
    api.call(
        "POST",
        f"{api.base}/broadcasters",
        {"id": broadcaster_id, "displayName": args.name, "device": {"name": "FFmpeg"}},
    )
    process: subprocess.Popen[bytes] | None = None
    try:
        audio = video = None
        if not args.no_audio:
            audio = api.plain_transport()
            api.produce(audio["id"], "audio", audio_rtp_parameters())
        if not args.no_video:
            video = api.plain_transport()
            api.produce(video["id"], "video", video_rtp_parameters())
        cmd = ffmpeg_command(audio, video, media_file=args.file, duration=args.duration)
        print(
            f"broadcaster {broadcaster_id} in room {args.room!r}: {' '.join(cmd)}", file=sys.stderr
        )
        process = subprocess.Popen(cmd)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
        try:
            api.call("DELETE", api.broadcaster)
        except SystemExit:
            pass
