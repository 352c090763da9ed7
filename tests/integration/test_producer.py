"""Producers against the real worker: produce() validation, the CNAME rule, dumps, stats,
pause/resume, events, close, and RTP sent through a DirectTransport."""

from __future__ import annotations

import copy

import pytest

import pymediasoup
from pymediasoup.errors import InvalidStateError, MediasoupError, UnsupportedError

from ._helpers import (
    CONSUMER_RTP_CAPABILITIES,
    EventRecorder,
    audio_rtp_parameters,
    rtp_packet,
    settle,
    video_rtp_parameters,
    worker_router,
)


async def test_produce_audio_succeeds() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        new_producer = EventRecorder(transport.observer, "newproducer")
        given = audio_rtp_parameters()
        producer = await transport.produce(kind="audio", rtp_parameters=given, app_data={"foo": 1})
        assert isinstance(producer, pymediasoup.Producer)
        assert new_producer.calls == [(producer,)]
        assert producer.closed is False
        assert producer.kind == "audio"
        assert producer.type == "simple"
        assert producer.paused is False
        assert producer.score == []
        assert producer.app_data == {"foo": 1}
        assert producer.rtp_parameters["mid"] == "AUDIO"
        assert producer.rtp_parameters["rtcp"]["cname"] == "audio-1"
        # The caller's dict is not modified.
        assert given == audio_rtp_parameters()
        consumable = producer.consumable_rtp_parameters
        assert consumable["codecs"][0]["mimeType"] == "audio/opus"
        assert (
            consumable["codecs"][0]["payloadType"]
            == router.rtp_capabilities["codecs"][0]["preferredPayloadType"]
        )
        assert consumable["encodings"][0]["ssrc"] != 11111111
        assert consumable["rtcp"]["cname"] == "audio-1"

        router_dump = await router.dump()
        assert router_dump["mapProducerIdConsumerIds"] == {producer.id: []}
        assert router_dump["mapConsumerIdProducerId"] == {}
        transport_dump = await transport.dump()
        assert transport_dump["producerIds"] == [producer.id]
        assert transport_dump["rtpListener"]["ssrcTable"] == {"11111111": producer.id}
        assert transport_dump["rtpListener"]["midTable"] == {"AUDIO": producer.id}
        assert transport_dump["recvRtpHeaderExtensions"]["mid"] == 1


async def test_produce_video_simulcast_and_cname_rule() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        audio = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        video = await transport.produce(
            kind="video", rtp_parameters=video_rtp_parameters(), paused=True
        )
        assert video.type == "simulcast"
        assert video.paused is True
        # Every Producer of a transport takes the first Producer's CNAME.
        assert audio.rtp_parameters["rtcp"]["cname"] == "audio-1"
        assert video.rtp_parameters["rtcp"]["cname"] == "audio-1"
        assert len(video.consumable_rtp_parameters["encodings"]) == 3
        dump = await video.dump()
        assert dump["paused"] is True
        assert dump["type"] == "simulcast"
        assert dump["rtpParameters"]["rtcp"]["cname"] == "audio-1"

        # Without any CNAME, a random one of 8 characters.
        other = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        first = await other.produce(
            kind="audio", rtp_parameters=audio_rtp_parameters(cname=None, ssrc=5555, mid="A")
        )
        second = await other.produce(
            kind="video",
            rtp_parameters=video_rtp_parameters(cname="mine", base_ssrc=7777, mid="V"),
        )
        cname = first.rtp_parameters["rtcp"]["cname"]
        assert isinstance(cname, str) and len(cname) == 8
        assert second.rtp_parameters["rtcp"]["cname"] == cname


async def test_produce_dump_and_stats() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        producer = await transport.produce(kind="video", rtp_parameters=video_rtp_parameters())
        dump = await producer.dump()
        assert dump["id"] == producer.id
        assert dump["kind"] == "video"
        assert dump["type"] == "simulcast"
        assert dump["paused"] is False
        assert dump["traceEventTypes"] == ""
        assert [c["mimeType"] for c in dump["rtpParameters"]["codecs"]] == [
            "video/VP8",
            "video/rtx",
        ]
        assert [e["ssrc"] for e in dump["rtpParameters"]["encodings"]] == [
            22222222,
            22222224,
            22222226,
        ]
        assert dump["rtpParameters"]["encodings"][0]["rtx"] == {"ssrc": 22222223}
        assert dump["rtpMapping"]["codecs"][0]["payloadType"] == 96
        assert len(dump["rtpMapping"]["encodings"]) == 3
        assert [e["mappedSsrc"] for e in dump["rtpMapping"]["encodings"]] == [
            e["ssrc"] for e in producer.consumable_rtp_parameters["encodings"]
        ]
        assert isinstance(dump["rtpStreams"], list)
        assert await producer.get_stats() == []


async def test_produce_wrong_arguments() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        with pytest.raises(TypeError, match="kind"):
            await transport.produce(kind="chicken", rtp_parameters=audio_rtp_parameters())
        with pytest.raises(TypeError, match="rtpParameters"):
            await transport.produce(kind="audio", rtp_parameters=None)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="appData"):
            await transport.produce(
                kind="audio",
                rtp_parameters=audio_rtp_parameters(),
                app_data="x",  # type: ignore[arg-type]
            )
        bad_codec = audio_rtp_parameters()
        bad_codec["codecs"][0]["mimeType"] = "chicken"
        with pytest.raises(TypeError, match="mimeType"):
            await transport.produce(kind="audio", rtp_parameters=bad_codec)
        no_codecs = audio_rtp_parameters()
        del no_codecs["codecs"]
        with pytest.raises(TypeError, match="codecs"):
            await transport.produce(kind="audio", rtp_parameters=no_codecs)
        # An RTX codec whose apt points nowhere.
        bad_rtx = video_rtp_parameters()
        bad_rtx["codecs"][1]["parameters"]["apt"] = 111
        with pytest.raises(TypeError):
            await transport.produce(kind="video", rtp_parameters=bad_rtx)
        with pytest.raises(TypeError, match="paused"):
            await transport.produce(
                kind="audio",
                rtp_parameters=audio_rtp_parameters(),
                paused="no",  # type: ignore[arg-type]
            )
        producer = await transport.produce(
            kind="audio", rtp_parameters=audio_rtp_parameters(), id="my-own-id"
        )
        assert producer.id == "my-own-id"
        with pytest.raises(TypeError, match="my-own-id"):
            await transport.produce(
                kind="audio",
                rtp_parameters=audio_rtp_parameters(ssrc=3333, mid="other"),
                id="my-own-id",
            )
        assert (await transport.dump())["producerIds"] == ["my-own-id"]


async def test_produce_unsupported_codec() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        pcmu = audio_rtp_parameters()
        pcmu["codecs"] = [
            {"mimeType": "audio/PCMU", "payloadType": 0, "clockRate": 8000, "rtcpFeedback": []}
        ]
        with pytest.raises(UnsupportedError):
            await transport.produce(kind="audio", rtp_parameters=pcmu)
        # H264 with a profile the Router does not have.
        h264 = video_rtp_parameters()
        h264["codecs"] = [
            {
                "mimeType": "video/H264",
                "payloadType": 112,
                "clockRate": 90000,
                "parameters": {"packetization-mode": 1, "profile-level-id": "640032"},
            }
        ]
        with pytest.raises(UnsupportedError):
            await transport.produce(kind="video", rtp_parameters=h264)


async def test_produce_duplicated_mid_or_ssrc_fails_in_the_worker() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        with pytest.raises(MediasoupError):
            await transport.produce(
                kind="audio", rtp_parameters=audio_rtp_parameters(ssrc=99999999)
            )  # same MID
        with pytest.raises(MediasoupError):
            await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters(mid="NEW"))
        # Neither MID nor SSRC nor RID: nothing to route packets with (a worker TypeError).
        nothing = audio_rtp_parameters(mid=None)
        nothing["encodings"] = [{}]
        with pytest.raises(TypeError, match="rtpMapping.encodings"):
            await transport.produce(kind="audio", rtp_parameters=nothing)
        assert len((await transport.dump())["producerIds"]) == 1


async def test_producer_pause_resume() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        producer = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        consumer = await transport.consume(
            producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        observer_pause = EventRecorder(producer.observer, "pause")
        observer_resume = EventRecorder(producer.observer, "resume")
        producer_pause = EventRecorder(consumer, "producerpause")
        producer_resume = EventRecorder(consumer, "producerresume")

        await producer.pause()
        assert producer.paused is True
        assert (await producer.dump())["paused"] is True
        await producer.pause()
        assert observer_pause.count == 1
        await producer_pause.wait(1)
        assert consumer.producer_paused is True

        await producer.resume()
        assert producer.paused is False
        assert (await producer.dump())["paused"] is False
        assert observer_resume.count == 1
        await producer_resume.wait(1)
        assert consumer.producer_paused is False


async def test_producer_enable_trace_event() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        producer = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        await producer.enable_trace_event(["rtp", "pli"])
        assert (await producer.dump())["traceEventTypes"] == "rtp,pli"
        await producer.enable_trace_event()
        assert (await producer.dump())["traceEventTypes"] == ""
        with pytest.raises(TypeError):
            await producer.enable_trace_event("rtp")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await producer.enable_trace_event([1])  # type: ignore[list-item]


async def test_producer_events() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        producer = await transport.produce(kind="video", rtp_parameters=video_rtp_parameters())
        channel = producer._channel  # private: inject what the worker would send

        scores = EventRecorder(producer, "score")
        observer_scores = EventRecorder(producer.observer, "score")
        score = [{"encodingIdx": 0, "ssrc": 22222222, "score": 9}]
        channel.emit(producer.id, "score", score)
        assert scores.calls == [(score,)] and observer_scores.calls == [(score,)]
        assert producer.score == score

        orientation = EventRecorder(producer, "videoorientationchange")
        value = {"camera": True, "flip": False, "rotation": 90}
        channel.emit(producer.id, "videoorientationchange", value)
        assert orientation.calls == [(value,)]

        trace = EventRecorder(producer, "trace")
        info = {"type": "pli", "timestamp": 1, "direction": "out", "info": {"ssrc": 1}}
        channel.emit(producer.id, "trace", info)
        assert trace.calls == [(info,)]


async def test_producer_close() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        producer = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        observer_close = EventRecorder(producer.observer, "close")
        transport_close = EventRecorder(producer, "transportclose")
        producer.close()
        producer.close()
        assert producer.closed is True
        assert observer_close.count == 1
        assert transport_close.count == 0
        assert (await transport.dump())["producerIds"] == []
        assert (await router.dump())["mapProducerIdConsumerIds"] == {}
        assert not router.can_consume(
            producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        for call in (
            producer.dump(),
            producer.get_stats(),
            producer.pause(),
            producer.resume(),
            producer.enable_trace_event(["rtp"]),
        ):
            with pytest.raises(InvalidStateError):
                await call
        with pytest.raises(InvalidStateError):
            producer.send(b"\x80")
        # Its id can be reused.
        again = await transport.produce(
            kind="audio", rtp_parameters=audio_rtp_parameters(), id=producer.id
        )
        assert again.id == producer.id


async def test_producer_transportclose() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_plain_transport(listen_ip="127.0.0.1")
        producer = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        transport_close = EventRecorder(producer, "transportclose")
        observer_close = EventRecorder(producer.observer, "close")
        router.close()
        assert producer.closed is True
        assert transport_close.count == 1
        assert observer_close.count == 1


async def test_producer_send_on_direct_transport() -> None:
    """RTP injected with Producer.send() comes out of a Consumer on a DirectTransport."""
    async with worker_router() as (_worker, router):
        transport = await router.create_direct_transport()
        params = audio_rtp_parameters(mid=None, ssrc=1234)
        params["headerExtensions"] = []
        producer = await transport.produce(kind="audio", rtp_parameters=params)
        consumer = await transport.consume(
            producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        received = EventRecorder(consumer, "rtp")
        consumer_ssrc = consumer.rtp_parameters["encodings"][0]["ssrc"]
        consumer_pt = consumer.rtp_parameters["codecs"][0]["payloadType"]

        for seq in range(40):
            producer.send(
                rtp_packet(payload_type=111, sequence_number=seq, timestamp=seq * 960, ssrc=1234)
            )
        with pytest.raises(TypeError):
            producer.send("not bytes")  # type: ignore[arg-type]
        await received.wait(40)
        await settle(0.1)
        assert received.count == 40
        for (packet,) in received.calls:
            assert isinstance(packet, bytes)
            assert packet[1] & 0x7F == consumer_pt
            assert int.from_bytes(packet[8:12], "big") == consumer_ssrc

        stats = await producer.get_stats()
        assert len(stats) == 1
        assert stats[0]["type"] == "inbound-rtp"
        assert stats[0]["packetCount"] == 40
        assert stats[0]["ssrc"] == 1234


async def test_produce_keeps_given_parameters_untouched() -> None:
    async with worker_router() as (_worker, router):
        transport = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
        params = audio_rtp_parameters(cname=None)
        snapshot = copy.deepcopy(params)
        producer = await transport.produce(kind="audio", rtp_parameters=params)
        assert params == snapshot
        assert producer.rtp_parameters is not params
