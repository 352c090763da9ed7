"""VP8 + Opus from ffmpeg into PlainTransports, out again over PlainTransports to an
ffmpeg that decodes them (plain RTP and SRTP); decoded frames are counted from
framemd5 output, one line per decoded frame."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .media_peers import (
    AUDIO_SSRC,
    VIDEO_SSRC,
    FfmpegReceiver,
    Processes,
    ffmpeg_sender_argv,
    inbound_stats,
    media_worker,
    outbound_stats,
    plain_session,
    port_in_use,
    requires_ffmpeg,
    transport_port,
    transport_rtcp_port,
    wait_for,
    wait_until_stable,
)

pytestmark = [pytest.mark.e2e, requires_ffmpeg]

DURATION = 4.0
FPS = 30
SENT_VIDEO_FRAMES = int(DURATION * FPS)  # 120
SENT_AUDIO_FRAMES = int(DURATION * 50)  # 20 ms Opus frames: 200
MIN_FRACTION = 0.6


async def _run(tmp_path: Path, *, srtp: bool) -> None:
    started = time.monotonic()
    async with media_worker() as (_worker, router), Processes(tmp_path) as processes:
        session = await plain_session(router, srtp=srtp, sender_rtcp_mux=False)
        receiver = FfmpegReceiver(
            tmp_path,
            video_port=session.video_port,
            audio_port=session.audio_port,
            video_key=session.recv_video_key,
            audio_key=session.recv_audio_key,
        )
        await receiver.start(processes)
        await wait_for(
            lambda: port_in_use(session.video_port) and port_in_use(session.audio_port),
            10,
            what="the ffmpeg receiver to bind its ports",
        )
        sender = await processes.start(
            "ffmpeg-send",
            ffmpeg_sender_argv(
                video_port=transport_port(session.video_in),
                audio_port=transport_port(session.audio_in),
                video_rtcp_port=transport_rtcp_port(session.video_in),
                audio_rtcp_port=transport_rtcp_port(session.audio_in),
                video_ssrc=VIDEO_SSRC,
                audio_ssrc=AUDIO_SSRC,
                duration=DURATION,
                fps=FPS,
                srtp_key=session.send_video_key,
                audio_srtp_key=session.send_audio_key,
            ),
        )
        rc = await sender.wait(DURATION + 15)
        assert rc == 0, f"ffmpeg sender failed: {sender.describe()}"
        # Let the tail drain (until the counts stop growing; at most 3 s).
        await wait_until_stable(lambda: receiver.video_frames + receiver.audio_frames)
        stats = await session.stats()
        video_out = await outbound_stats(session.video_consumer)
        audio_out = await outbound_stats(session.audio_consumer)
        video_in = await inbound_stats(session.video_producer)
        audio_in = await inbound_stats(session.audio_producer)
        assert receiver.process is not None
        await receiver.process.stop()
        video_frames, audio_frames = receiver.video_frames, receiver.audio_frames
        detail = (
            f"decoded video={video_frames}/{SENT_VIDEO_FRAMES} audio={audio_frames}/"
            f"{SENT_AUDIO_FRAMES}\nstats={stats}\n{processes.describe()}"
        )
        print(detail.splitlines()[0])
        assert video_in["packetCount"] > 0, detail
        assert audio_in["packetCount"] > 0, detail
        assert video_out["packetCount"] > 0, detail
        assert audio_out["packetCount"] > 0, detail
        assert video_frames >= MIN_FRACTION * SENT_VIDEO_FRAMES, detail
        assert audio_frames >= MIN_FRACTION * SENT_AUDIO_FRAMES, detail
        # Nothing was lost on loopback: the consumer sent what the producer received.
        assert video_out["packetCount"] >= 0.95 * video_in["packetCount"], detail
        assert audio_out["packetCount"] >= 0.95 * audio_in["packetCount"], detail
    assert time.monotonic() - started < 30


async def test_ffmpeg_vp8_opus_plain_rtp(tmp_path: Path) -> None:
    await _run(tmp_path, srtp=False)


async def test_ffmpeg_vp8_opus_srtp(tmp_path: Path) -> None:
    await _run(tmp_path, srtp=True)
