"""VP8 + Opus from GStreamer (videotestsrc ! vp8enc ! rtpvp8pay, audiotestsrc ! opusenc !
rtpopuspay, through srtpenc for SRTP) into PlainTransports, out again over
PlainTransports to a GStreamer pipeline that decodes them (udpsrc ! srtpdec !
rtpjitterbuffer ! depay ! decoder ! filesink); decoded frames are counted from the
size of the raw decoded output (fixed-size I420 frames and 20 ms audio frames)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .media_peers import (
    AUDIO_SSRC,
    GST_AUDIO_FRAME_BYTES,
    GST_VIDEO_FRAME_BYTES,
    VIDEO_SSRC,
    Processes,
    consumer_ssrcs,
    gst_frames,
    gst_receiver_argv,
    gst_sender_argv,
    inbound_stats,
    media_worker,
    outbound_stats,
    plain_session,
    port_in_use,
    requires_gst,
    transport_port,
    wait_for,
    wait_until_stable,
)

pytestmark = [pytest.mark.e2e, requires_gst]

DURATION = 4.0
FPS = 30
SENT_VIDEO_FRAMES = int(DURATION * FPS)  # 120
SENT_AUDIO_FRAMES = int(DURATION * 50)  # 20 ms buffers: 200
MIN_FRACTION = 0.6


async def _run(tmp_path: Path, *, srtp: bool) -> None:
    started = time.monotonic()
    async with media_worker() as (_worker, router), Processes(tmp_path) as processes:
        session = await plain_session(router, srtp=srtp)
        video_file, audio_file = tmp_path / "video.i420", tmp_path / "audio.s16"
        receiver = await processes.start(
            "gst-recv",
            gst_receiver_argv(
                video_port=session.video_port,
                audio_port=session.audio_port,
                video_file=video_file,
                audio_file=audio_file,
                video_ssrc=consumer_ssrcs(session.video_consumer)[0],
                audio_ssrc=consumer_ssrcs(session.audio_consumer)[0],
                video_key=session.recv_video_key,
                audio_key=session.recv_audio_key,
            ),
        )

        def frames() -> tuple[int, int]:
            return (
                gst_frames(video_file, GST_VIDEO_FRAME_BYTES),
                gst_frames(audio_file, GST_AUDIO_FRAME_BYTES),
            )

        await wait_for(
            lambda: port_in_use(session.video_port) and port_in_use(session.audio_port),
            10,
            what="the GStreamer receiver to bind its ports",
        )
        sender = await processes.start(
            "gst-send",
            gst_sender_argv(
                video_port=transport_port(session.video_in),
                audio_port=transport_port(session.audio_in),
                video_ssrc=VIDEO_SSRC,
                audio_ssrc=AUDIO_SSRC,
                video_frames=SENT_VIDEO_FRAMES,
                audio_buffers=SENT_AUDIO_FRAMES,
                fps=FPS,
                video_key=session.send_video_key,
                audio_key=session.send_audio_key,
            ),
        )
        rc = await sender.wait(DURATION + 15)
        assert rc == 0, f"GStreamer sender failed: {sender.describe()}"
        # Let the tail drain (until the counts stop growing; at most 3 s).
        await wait_until_stable(lambda: sum(frames()))
        stats = await session.stats()
        video_out = await outbound_stats(session.video_consumer)
        audio_out = await outbound_stats(session.audio_consumer)
        video_in = await inbound_stats(session.video_producer)
        audio_in = await inbound_stats(session.audio_producer)
        await receiver.stop()
        video_frames, audio_frames = frames()
        detail = (
            f"decoded video={video_frames}/{SENT_VIDEO_FRAMES} audio={audio_frames}/"
            f"{SENT_AUDIO_FRAMES}\nstats={stats}\n{processes.describe()}"
        )
        print(
            detail.splitlines()[0],
            "in",
            video_in["packetCount"],
            audio_in["packetCount"],
            "out",
            video_out["packetCount"],
            audio_out["packetCount"],
        )
        assert video_in["packetCount"] > 0, detail
        assert audio_in["packetCount"] > 0, detail
        assert video_out["packetCount"] > 0, detail
        assert audio_out["packetCount"] > 0, detail
        assert video_frames >= MIN_FRACTION * SENT_VIDEO_FRAMES, detail
        assert audio_frames >= MIN_FRACTION * SENT_AUDIO_FRAMES, detail
        assert video_out["packetCount"] >= 0.95 * video_in["packetCount"], detail
        assert audio_out["packetCount"] >= 0.95 * audio_in["packetCount"], detail
    assert time.monotonic() - started < 30


async def test_gstreamer_vp8_opus_plain_rtp(tmp_path: Path) -> None:
    await _run(tmp_path, srtp=False)


async def test_gstreamer_vp8_opus_srtp(tmp_path: Path) -> None:
    await _run(tmp_path, srtp=True)
