"""Consumers against the real worker: consume() validation, MIDs, dumps, stats, pause and
resume, layers, priority, events, close cascades, and 'rtp' on a DirectTransport."""

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
    video_rtp_parameters,
    worker_router,
)


async def _setup(router: pymediasoup.Router) -> tuple:
    send = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
    recv = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
    audio = await send.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
    video = await send.produce(kind="video", rtp_parameters=video_rtp_parameters())
    return send, recv, audio, video


async def test_consume_succeeds() -> None:
    async with worker_router() as (_worker, router):
        _send, recv, audio, video = await _setup(router)
        new_consumer = EventRecorder(recv.observer, "newconsumer")
        assert router.can_consume(producer_id=audio.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES)
        caps = copy.deepcopy(CONSUMER_RTP_CAPABILITIES)
        audio_consumer = await recv.consume(
            producer_id=audio.id, rtp_capabilities=caps, app_data={"baz": "LOL"}
        )
        assert caps == CONSUMER_RTP_CAPABILITIES  # not modified
        video_consumer = await recv.consume(
            producer_id=video.id,
            rtp_capabilities=CONSUMER_RTP_CAPABILITIES,
            paused=True,
            preferred_layers={"spatialLayer": 1, "temporalLayer": 0},
        )
        assert isinstance(audio_consumer, pymediasoup.Consumer)
        assert new_consumer.calls == [(audio_consumer,), (video_consumer,)]

        assert audio_consumer.producer_id == audio.id
        assert audio_consumer.kind == "audio"
        assert audio_consumer.type == "simple"
        assert audio_consumer.paused is False
        assert audio_consumer.producer_paused is False
        assert audio_consumer.priority == 1
        assert audio_consumer.score == {"score": 10, "producerScore": 0, "producerScores": [0]}
        assert audio_consumer.preferred_layers is None
        assert audio_consumer.current_layers is None
        assert audio_consumer.app_data == {"baz": "LOL"}
        params = audio_consumer.rtp_parameters
        assert params["mid"] == "0"
        assert params["codecs"][0]["mimeType"] == "audio/opus"
        assert params["codecs"][0]["payloadType"] == 100
        assert len(params["encodings"]) == 1
        assert isinstance(params["encodings"][0]["ssrc"], int)
        assert params["rtcp"]["cname"] == "audio-1"

        assert video_consumer.type == "simulcast"
        assert video_consumer.paused is True
        assert video_consumer.rtp_parameters["mid"] == "1"
        assert video_consumer.preferred_layers == {"spatialLayer": 1, "temporalLayer": 0}
        assert [c["mimeType"] for c in video_consumer.rtp_parameters["codecs"]] == [
            "video/VP8",
            "video/rtx",
        ]
        encoding = video_consumer.rtp_parameters["encodings"][0]
        assert encoding["rtx"]["ssrc"] == encoding["ssrc"] + 1
        assert encoding["scalabilityMode"] == "S3T1"
        assert encoding["maxBitrate"] == 900000

        router_dump = await router.dump()
        assert set(router_dump["mapProducerIdConsumerIds"][audio.id]) == {audio_consumer.id}
        assert router_dump["mapConsumerIdProducerId"][video_consumer.id] == video.id
        recv_dump = await recv.dump()
        assert set(recv_dump["consumerIds"]) == {audio_consumer.id, video_consumer.id}


async def test_consume_pipe_option() -> None:
    async with worker_router() as (_worker, router):
        _send, recv, _audio, video = await _setup(router)
        consumer = await recv.consume(
            producer_id=video.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES, pipe=True
        )
        assert consumer.type == "pipe"
        assert "mid" not in consumer.rtp_parameters
        assert len(consumer.rtp_parameters["encodings"]) == 3
        # MIDs are only used by non-pipe consumers.
        audio_consumer = await recv.consume(
            producer_id=_audio.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        assert audio_consumer.rtp_parameters["mid"] == "0"


async def test_consume_incompatible_or_wrong_arguments() -> None:
    async with worker_router() as (_worker, router):
        _send, recv, audio, video = await _setup(router)
        only_h264 = {
            "codecs": [
                {
                    "kind": "video",
                    "mimeType": "video/H264",
                    "preferredPayloadType": 112,
                    "clockRate": 90000,
                    "parameters": {"packetization-mode": 1, "profile-level-id": "42e01f"},
                    "rtcpFeedback": [],
                }
            ],
            "headerExtensions": [],
        }
        assert not router.can_consume(producer_id=video.id, rtp_capabilities=only_h264)
        with pytest.raises(UnsupportedError):
            await recv.consume(producer_id=video.id, rtp_capabilities=only_h264)
        with pytest.raises(TypeError, match="producerId"):
            await recv.consume(producer_id="", rtp_capabilities=CONSUMER_RTP_CAPABILITIES)
        with pytest.raises(TypeError, match="rtpCapabilities"):
            await recv.consume(producer_id=audio.id)
        with pytest.raises(TypeError):
            await recv.consume(
                producer_id=audio.id, rtp_capabilities={"codecs": [{"kind": "chicken"}]}
            )
        with pytest.raises(MediasoupError, match="not found"):
            await recv.consume(producer_id="unknown", rtp_capabilities=CONSUMER_RTP_CAPABILITIES)
        with pytest.raises(TypeError, match="appData"):
            await recv.consume(
                producer_id=audio.id,
                rtp_capabilities=CONSUMER_RTP_CAPABILITIES,
                app_data=[1],  # type: ignore[arg-type]
            )
        with pytest.raises(TypeError, match="preferredLayers"):
            await recv.consume(
                producer_id=video.id,
                rtp_capabilities=CONSUMER_RTP_CAPABILITIES,
                preferred_layers={"temporalLayer": 1},
            )
        assert (await recv.dump())["consumerIds"] == []


async def test_consumer_dump_and_stats() -> None:
    async with worker_router() as (_worker, router):
        _send, recv, audio, video = await _setup(router)
        audio_consumer = await recv.consume(
            producer_id=audio.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        video_consumer = await recv.consume(
            producer_id=video.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES, paused=True
        )
        dump = await audio_consumer.dump()
        assert dump["id"] == audio_consumer.id
        assert dump["producerId"] == audio.id
        assert dump["kind"] == "audio"
        assert dump["type"] == "simple"
        assert dump["paused"] is False
        assert dump["producerPaused"] is False
        assert dump["priority"] == 1
        assert dump["traceEventTypes"] == ""
        assert dump["rtpParameters"]["codecs"] == audio_consumer.rtp_parameters["codecs"]
        assert (
            dump["consumableRtpEncodings"][0]["ssrc"]
            == (audio.consumable_rtp_parameters["encodings"][0]["ssrc"])
        )
        assert dump["supportedCodecPayloadTypes"] == [100]
        assert "rtpStream" in dump

        video_dump = await video_consumer.dump()
        assert video_dump["type"] == "simulcast"
        assert video_dump["paused"] is True
        assert len(video_dump["consumableRtpEncodings"]) == 3
        assert video_dump["supportedCodecPayloadTypes"] == [101]
        assert video_dump["preferredSpatialLayer"] == 2
        assert video_dump["currentSpatialLayer"] == -1

        stats = await audio_consumer.get_stats()
        assert isinstance(stats, list) and len(stats) >= 1
        assert stats[0]["type"] == "outbound-rtp"
        assert stats[0]["kind"] == "audio"
        assert stats[0]["mimeType"] == "audio/opus"
        assert stats[0]["ssrc"] == audio_consumer.rtp_parameters["encodings"][0]["ssrc"]
        assert stats[0]["packetCount"] == 0


async def test_consumer_pause_resume_and_producer_events() -> None:
    async with worker_router() as (_worker, router):
        _send, recv, audio, _video = await _setup(router)
        consumer = await recv.consume(
            producer_id=audio.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        observer_pause = EventRecorder(consumer.observer, "pause")
        observer_resume = EventRecorder(consumer.observer, "resume")

        await consumer.pause()
        assert consumer.paused is True
        assert (await consumer.dump())["paused"] is True
        assert observer_pause.count == 1

        # The producer pauses too: no new observer 'pause' (already paused).
        producer_pause = EventRecorder(consumer, "producerpause")
        await audio.pause()
        await producer_pause.wait(1)
        assert consumer.producer_paused is True
        assert observer_pause.count == 1

        await consumer.resume()
        assert consumer.paused is False
        assert observer_resume.count == 0  # the producer is still paused

        producer_resume = EventRecorder(consumer, "producerresume")
        await audio.resume()
        await producer_resume.wait(1)
        assert consumer.producer_paused is False
        assert observer_resume.count == 1
        assert (await consumer.dump())["producerPaused"] is False

        # A consumer created while its producer is paused starts producer-paused.
        await audio.pause()
        late = await recv.consume(producer_id=audio.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES)
        assert late.producer_paused is True


async def test_consumer_preferred_layers_priority_and_key_frame() -> None:
    async with worker_router() as (_worker, router):
        _send, recv, audio, video = await _setup(router)
        audio_consumer = await recv.consume(
            producer_id=audio.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        video_consumer = await recv.consume(
            producer_id=video.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        assert video_consumer.preferred_layers == {"spatialLayer": 2, "temporalLayer": 0}

        await video_consumer.set_preferred_layers(spatial_layer=1, temporal_layer=0)
        assert video_consumer.preferred_layers == {"spatialLayer": 1, "temporalLayer": 0}
        # Clamped by the worker to what the producer has.
        await video_consumer.set_preferred_layers(spatial_layer=7, temporal_layer=5)
        assert video_consumer.preferred_layers == {"spatialLayer": 2, "temporalLayer": 0}
        dump = await video_consumer.dump()
        assert dump["preferredSpatialLayer"] == 2
        assert dump["preferredTemporalLayer"] == 0
        # A simple consumer has no layers.
        await audio_consumer.set_preferred_layers(spatial_layer=1)
        assert audio_consumer.preferred_layers is None

        with pytest.raises(TypeError):
            await video_consumer.set_preferred_layers()  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="spatial_layer"):
            await video_consumer.set_preferred_layers(spatial_layer="1")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="temporal_layer"):
            await video_consumer.set_preferred_layers(spatial_layer=1, temporal_layer=1.5)  # type: ignore[arg-type]

        await video_consumer.set_priority(2)
        assert video_consumer.priority == 2
        assert (await video_consumer.dump())["priority"] == 2
        await video_consumer.unset_priority()
        assert video_consumer.priority == 1
        with pytest.raises(TypeError):
            await video_consumer.set_priority(0)
        with pytest.raises(TypeError):
            await video_consumer.set_priority("high")  # type: ignore[arg-type]

        assert await video_consumer.request_key_frame() is None
        assert await audio_consumer.request_key_frame() is None


async def test_consumer_enable_trace_event() -> None:
    async with worker_router() as (_worker, router):
        _send, recv, audio, _video = await _setup(router)
        consumer = await recv.consume(
            producer_id=audio.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        await consumer.enable_trace_event(["rtp", "pli", "fir"])
        assert (await consumer.dump())["traceEventTypes"] == "rtp,pli,fir"
        await consumer.enable_trace_event()
        assert (await consumer.dump())["traceEventTypes"] == ""
        with pytest.raises(TypeError):
            await consumer.enable_trace_event(123)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await consumer.enable_trace_event(["rtp", 1])  # type: ignore[list-item]


async def test_consumer_events() -> None:
    async with worker_router() as (_worker, router):
        _send, recv, _audio, video = await _setup(router)
        consumer = await recv.consume(
            producer_id=video.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        channel = consumer._channel  # private: inject what the worker would send

        scores = EventRecorder(consumer, "score")
        observer_scores = EventRecorder(consumer.observer, "score")
        score = {"score": 6, "producerScore": 8, "producerScores": [8, 7, 0]}
        channel.emit(consumer.id, "score", score)
        assert scores.calls == [(score,)] and observer_scores.calls == [(score,)]
        assert consumer.score == score

        layers = EventRecorder(consumer, "layerschange")
        channel.emit(consumer.id, "layerschange", {"spatialLayer": 1, "temporalLayer": 0})
        assert consumer.current_layers == {"spatialLayer": 1, "temporalLayer": 0}
        channel.emit(consumer.id, "layerschange", None)
        assert consumer.current_layers is None
        assert layers.calls == [({"spatialLayer": 1, "temporalLayer": 0},), (None,)]

        trace = EventRecorder(consumer, "trace")
        info = {"type": "keyframe", "timestamp": 1, "direction": "out", "info": {}}
        channel.emit(consumer.id, "trace", info)
        assert trace.calls == [(info,)]


async def test_consumer_close_and_closed_state() -> None:
    async with worker_router() as (_worker, router):
        _send, recv, audio, _video = await _setup(router)
        consumer = await recv.consume(
            producer_id=audio.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        observer_close = EventRecorder(consumer.observer, "close")
        consumer.close()
        consumer.close()
        assert consumer.closed is True
        assert observer_close.count == 1
        assert (await recv.dump())["consumerIds"] == []
        assert (await router.dump())["mapProducerIdConsumerIds"][audio.id] == []
        for call in (
            consumer.dump(),
            consumer.get_stats(),
            consumer.pause(),
            consumer.resume(),
            consumer.set_preferred_layers(spatial_layer=1),
            consumer.set_priority(2),
            consumer.unset_priority(),
            consumer.request_key_frame(),
            consumer.enable_trace_event(["rtp"]),
        ):
            with pytest.raises(InvalidStateError):
                await call


async def test_consumer_producerclose_and_transportclose() -> None:
    async with worker_router() as (_worker, router):
        _send, recv, audio, video = await _setup(router)
        audio_consumer = await recv.consume(
            producer_id=audio.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        video_consumer = await recv.consume(
            producer_id=video.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        producer_close = EventRecorder(audio_consumer, "producerclose")
        observer_close = EventRecorder(audio_consumer.observer, "close")
        transport_close = EventRecorder(audio_consumer, "transportclose")
        audio.close()
        await producer_close.wait(1)
        assert audio_consumer.closed is True
        assert observer_close.count == 1
        assert transport_close.count == 0
        assert (await recv.dump())["consumerIds"] == [video_consumer.id]

        video_transport_close = EventRecorder(video_consumer, "transportclose")
        video_producer_close = EventRecorder(video_consumer, "producerclose")
        recv.close()
        assert video_consumer.closed is True
        assert video_transport_close.count == 1
        assert video_producer_close.count == 0
        # The video producer lives on, without consumers.
        assert (await router.dump())["mapProducerIdConsumerIds"] == {video.id: []}


async def test_consumer_rtp_event_on_direct_transport() -> None:
    async with worker_router() as (_worker, router):
        send = await router.create_plain_transport(listen_ip="127.0.0.1")
        direct = await router.create_direct_transport()
        producer = await direct.produce(
            kind="audio", rtp_parameters=audio_rtp_parameters(mid=None, ssrc=4321)
        )
        assert send is not None
        consumer = await direct.consume(
            producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        packets = EventRecorder(consumer, "rtp")
        for seq in range(10):
            producer.send(
                rtp_packet(payload_type=111, sequence_number=1000 + seq, timestamp=seq, ssrc=4321)
            )
        await packets.wait(10)
        sequence_numbers = [int.from_bytes(p[2:4], "big") for (p,) in packets.calls]
        # Rewritten for the consumer, but consecutive.
        assert sequence_numbers == list(range(sequence_numbers[0], sequence_numbers[0] + 10))
        stats = await consumer.get_stats()
        assert stats[0]["type"] == "outbound-rtp"
        assert stats[0]["packetCount"] == 10
