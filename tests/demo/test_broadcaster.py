"""The broadcaster API (mediasoup-demo's), with a real ffmpeg sending RTP into a room."""

from __future__ import annotations

import asyncio
import shutil
import sys

import aiohttp
import pytest

from pymediasoup.demo.ffmpeg import (
    audio_rtp_parameters,
    ffmpeg_command,
    video_rtp_parameters,
)

from .client import clients, eventually, running_demo

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")


async def _call(session: aiohttp.ClientSession, method: str, url: str, body=None, status=200):
    async with session.request(method, url, json=body) as response:
        data = await response.json()
        assert response.status == status, data
        return data


async def _producer_packets(producer) -> int:
    stats = await producer.get_stats()
    return sum(s.get("packetCount", 0) for s in stats if s.get("type") == "inbound-rtp")


async def test_broadcaster_api_shapes_and_errors() -> None:
    async with running_demo() as (server, url), aiohttp.ClientSession() as session:
        base = url + "rooms/bx"
        caps = await _call(session, "GET", base)
        assert {c["mimeType"] for c in caps["codecs"]} >= {"audio/opus", "video/VP8"}
        await _call(session, "POST", base + "/broadcasters", {"id": "b1"}, status=400)
        body = {"id": "b1", "displayName": "Cam", "device": {"name": "FFmpeg"}}
        assert await _call(session, "POST", base + "/broadcasters", body) == {"peers": []}
        await _call(session, "POST", base + "/broadcasters", body, status=400)  # same id
        b1 = base + "/broadcasters/b1"
        await _call(session, "POST", base + "/broadcasters/nope/transports", {}, status=404)
        await _call(session, "POST", b1 + "/transports", {"type": "carrier-pigeon"}, status=400)
        plain = await _call(
            session,
            "POST",
            b1 + "/transports",
            {"type": "plain", "comedia": True, "rtcpMux": False},
        )
        assert plain["ip"] == "127.0.0.1"
        assert 40000 <= plain["port"] <= 49999 and 40000 <= plain["rtcpPort"] <= 49999
        webrtc = await _call(session, "POST", b1 + "/transports", {"type": "webrtc"})
        assert webrtc["iceCandidates"] and webrtc["dtlsParameters"]["fingerprints"]
        producers = b1 + f"/transports/{plain['id']}/producers"
        await _call(session, "POST", producers, {"kind": "video"}, status=400)
        produced = await _call(
            session, "POST", producers, {"kind": "video", "rtpParameters": video_rtp_parameters()}
        )
        room = server.rooms["bx"]
        dump = await room.router.dump()
        assert set(dump["transportIds"]) == {plain["id"], webrtc["id"]}
        assert produced["id"] in dump["mapProducerIdConsumerIds"]

        await _call(session, "DELETE", b1)
        await _call(session, "DELETE", b1, status=404)
        await eventually(lambda: "bx" not in server.rooms)  # the last member left


@needs_ffmpeg
async def test_ffmpeg_broadcast_reaches_the_room() -> None:
    async with running_demo() as (server, url), clients(url, "live", "Viewer") as (viewer,):
        await viewer.join()
        async with aiohttp.ClientSession() as session:
            base = url + "rooms/live"
            await _call(
                session,
                "POST",
                base + "/broadcasters",
                {"id": "ff", "displayName": "FFmpeg cam", "device": {"name": "FFmpeg"}},
            )
            assert (await viewer.wait_for("newPeer"))[0]["displayName"] == "FFmpeg cam"
            ports = {}
            for kind, parameters in (
                ("audio", audio_rtp_parameters()),
                ("video", video_rtp_parameters()),
            ):
                transport = await _call(
                    session,
                    "POST",
                    base + "/broadcasters/ff/transports",
                    {"type": "plain", "comedia": True, "rtcpMux": False},
                )
                await _call(
                    session,
                    "POST",
                    base + f"/broadcasters/ff/transports/{transport['id']}/producers",
                    {"kind": kind, "rtpParameters": parameters},
                )
                ports[kind] = transport
            offers = await viewer.wait_for("newConsumer", count=2)
            assert {o["kind"] for o in offers} == {"audio", "video"}
            assert all(o["peerId"] == "ff" for o in offers)

            cmd = ffmpeg_command(ports["audio"], ports["video"], duration=3, video_bitrate="300k")
            ffmpeg = await asyncio.create_subprocess_exec(
                *cmd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
            )
            try:
                _, stderr = await asyncio.wait_for(ffmpeg.communicate(), 30)
            finally:
                if ffmpeg.returncode is None:
                    ffmpeg.kill()
                    await ffmpeg.wait()
            assert ffmpeg.returncode == 0, stderr.decode(errors="replace")[-2000:]

            broadcaster = server.rooms["live"].broadcasters["ff"]
            # comedia: the transports learnt ffmpeg's address from its first packets.
            for transport in broadcaster.transports.values():
                assert transport.tuple.get("remotePort"), transport.tuple
            for producer in broadcaster.producers.values():
                assert await _producer_packets(producer) > 10, producer.kind

            await _call(session, "DELETE", base + "/broadcasters/ff")
            assert (await viewer.wait_for("peerClosed"))[0]["peerId"] == "ff"
            await viewer.wait_for("consumerClosed", count=2)


@needs_ffmpeg
async def test_broadcast_command() -> None:
    """`pymediasoup-demo broadcast` does the HTTP steps, runs ffmpeg, deletes itself."""
    async with running_demo() as (server, url), clients(url, "cli", "Viewer") as (viewer,):
        await viewer.join()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pymediasoup.demo", "broadcast",
            "--room", "cli", "--server", url, "--duration", "2", "--name", "CLI",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            offers = await viewer.wait_for("newConsumer", count=2, timeout=20)
            assert {o["kind"] for o in offers} == {"audio", "video"}
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.returncode == 0, stderr.decode(errors="replace")
        closed = await viewer.wait_for("peerClosed")
        assert closed[0]["peerId"].startswith("ffmpeg-")
        assert not server.rooms["cli"].broadcasters
