"""Router.pipe_to_router() against the real worker: Producers and DataProducers piped to
another Router (same or other Worker), reuse of the PipeTransport pair, SRTP and RTX,
pause/resume/close propagation."""

from __future__ import annotations

import asyncio

import pytest

import pymediasoup
from pymediasoup.errors import InvalidStateError

from ._helpers import (
    CONSUMER_RTP_CAPABILITIES,
    MEDIA_CODECS,
    EventRecorder,
    audio_rtp_parameters,
    rtp_packet,
    settle,
    video_rtp_parameters,
    worker_router,
)


async def _wait_until(predicate, timeout: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


async def test_pipe_producer_to_router_in_the_same_worker() -> None:
    async with worker_router() as (worker, router1):
        router2 = await worker.create_router(media_codecs=MEDIA_CODECS)
        transport = await router1.create_webrtc_transport(listen_ips=["127.0.0.1"])
        audio = await transport.produce(
            kind="audio", rtp_parameters=audio_rtp_parameters(), app_data={"x": 1}
        )
        new_transports1 = EventRecorder(router1.observer, "newtransport")
        new_transports2 = EventRecorder(router2.observer, "newtransport")

        result = await router1.pipe_to_router(producer_id=audio.id, router=router2)
        assert isinstance(result, pymediasoup.PipeToRouterResult)
        assert result.pipe_data_consumer is None and result.pipe_data_producer is None
        pipe_consumer, pipe_producer = result.pipe_consumer, result.pipe_producer
        assert pipe_consumer is not None and pipe_producer is not None

        assert new_transports1.count == 1 and new_transports2.count == 1
        local = new_transports1.calls[0][0]
        remote = new_transports2.calls[0][0]
        assert isinstance(local, pymediasoup.PipeTransport)
        assert isinstance(remote, pymediasoup.PipeTransport)
        # Connected to each other.
        assert local.tuple["remotePort"] == remote.tuple["localPort"]
        assert remote.tuple["remotePort"] == local.tuple["localPort"]
        assert local.sctp_parameters is not None  # enable_sctp defaults to True
        assert local.srtp_parameters is None

        assert pipe_consumer.type == "pipe"
        assert pipe_consumer.kind == "audio"
        assert pipe_consumer.producer_id == audio.id
        assert pipe_consumer.paused is False and pipe_consumer.producer_paused is False
        assert pipe_consumer.score == {"score": 10, "producerScore": 10, "producerScores": []}
        assert "mid" not in pipe_consumer.rtp_parameters
        # BWE extensions and MID are removed for pipes.
        uris = {ext["uri"] for ext in pipe_consumer.rtp_parameters["headerExtensions"]}
        assert "urn:ietf:params:rtp-hdrext:sdes:mid" not in uris

        assert pipe_producer.id == audio.id
        assert pipe_producer.kind == "audio"
        assert pipe_producer.type == "simple"
        assert pipe_producer.paused is False
        assert pipe_producer.app_data == {"x": 1}
        # The CNAME travels unchanged.
        assert pipe_producer.rtp_parameters["rtcp"]["cname"] == "audio-1"

        dump1 = await router1.dump()
        assert set(dump1["transportIds"]) == {transport.id, local.id}
        assert dump1["mapProducerIdConsumerIds"][audio.id] == [pipe_consumer.id]
        dump2 = await router2.dump()
        assert dump2["transportIds"] == [remote.id]
        assert dump2["mapProducerIdConsumerIds"] == {audio.id: []}
        assert (await remote.dump())["producerIds"] == [audio.id]

        # The piped Producer can be consumed in router2.
        assert router2.can_consume(producer_id=audio.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES)
        recv = await router2.create_webrtc_transport(listen_ips=["127.0.0.1"])
        consumer = await recv.consume(
            producer_id=audio.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        assert consumer.type == "simple"
        assert consumer.rtp_parameters["codecs"][0]["mimeType"] == "audio/opus"


async def test_pipe_video_reuses_the_pipe_transport_pair() -> None:
    async with worker_router() as (worker, router1):
        router2 = await worker.create_router(media_codecs=MEDIA_CODECS)
        transport = await router1.create_webrtc_transport(listen_ips=["127.0.0.1"])
        audio = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        video = await transport.produce(
            kind="video", rtp_parameters=video_rtp_parameters(), paused=True
        )
        first = await router1.pipe_to_router(producer_id=audio.id, router=router2)
        second = await router1.pipe_to_router(producer_id=video.id, router=router2)
        assert second.pipe_consumer is not None and second.pipe_producer is not None
        assert len((await router1.dump())["transportIds"]) == 2
        assert len((await router2.dump())["transportIds"]) == 1
        assert second.pipe_consumer.type == "pipe"
        assert len(second.pipe_consumer.rtp_parameters["encodings"]) == 3
        # No RTX on pipes without enable_rtx.
        assert [c["mimeType"] for c in second.pipe_consumer.rtp_parameters["codecs"]] == [
            "video/VP8"
        ]
        assert second.pipe_producer.type == "simulcast"
        assert second.pipe_producer.paused is True  # follows the original
        assert second.pipe_consumer.producer_paused is True
        assert first.pipe_producer is not None
        # The pipe consumers live on the same local PipeTransport.
        local_ids = {t for t in (await router1.dump())["transportIds"] if t != transport.id}
        assert len(local_ids) == 1

        # Piping the same Producer twice to the same Router fails (same Producer id).
        with pytest.raises(TypeError):
            await router1.pipe_to_router(producer_id=audio.id, router=router2)
        # ... and cleans up the extra pipe Consumer it created.
        await settle()
        assert (await router1.dump())["mapProducerIdConsumerIds"][audio.id] == [
            first.pipe_consumer.id  # type: ignore[union-attr]
        ]


async def test_concurrent_pipe_to_router_calls_create_one_pair() -> None:
    async with worker_router() as (worker, router1):
        router2 = await worker.create_router(media_codecs=MEDIA_CODECS)
        transport = await router1.create_plain_transport(listen_ip="127.0.0.1")
        audio = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        video = await transport.produce(kind="video", rtp_parameters=video_rtp_parameters())
        results = await asyncio.gather(
            router1.pipe_to_router(producer_id=audio.id, router=router2),
            router1.pipe_to_router(producer_id=video.id, router=router2),
        )
        assert all(r.pipe_producer is not None for r in results)
        assert len((await router1.dump())["transportIds"]) == 2
        assert len((await router2.dump())["transportIds"]) == 1


async def test_pipe_to_router_in_another_worker_with_srtp_and_rtx() -> None:
    async with worker_router() as (_worker1, router1), worker_router() as (_worker2, router2):
        transport = await router1.create_webrtc_transport(listen_ips=["127.0.0.1"])
        video = await transport.produce(kind="video", rtp_parameters=video_rtp_parameters())
        new_transports = EventRecorder(router1.observer, "newtransport")
        result = await router1.pipe_to_router(
            producer_id=video.id, router=router2, enable_srtp=True, enable_rtx=True
        )
        local = new_transports.calls[0][0]
        assert local.srtp_parameters is not None
        assert local.srtp_parameters["cryptoSuite"] == "AES_CM_128_HMAC_SHA1_80"
        assert (await local.dump())["rtx"] is True
        assert result.pipe_consumer is not None
        codecs = result.pipe_consumer.rtp_parameters["codecs"]
        assert [c["mimeType"] for c in codecs] == ["video/VP8", "video/rtx"]
        assert all("rtx" in e for e in result.pipe_consumer.rtp_parameters["encodings"])
        assert result.pipe_producer is not None
        assert result.pipe_producer.id == video.id


async def test_pipe_to_router_wrong_arguments() -> None:
    async with worker_router() as (worker, router1):
        router2 = await worker.create_router(media_codecs=MEDIA_CODECS)
        transport = await router1.create_webrtc_transport(
            listen_ips=["127.0.0.1"], enable_sctp=True
        )
        audio = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        data_producer = await transport.produce_data(sctp_stream_parameters={"streamId": 1})
        with pytest.raises(TypeError, match="producerId"):
            await router1.pipe_to_router(router=router2)
        with pytest.raises(TypeError):
            await router1.pipe_to_router(
                producer_id=audio.id, data_producer_id=data_producer.id, router=router2
            )
        with pytest.raises(TypeError, match="Router"):
            await router1.pipe_to_router(producer_id=audio.id)
        with pytest.raises(TypeError, match="Router"):
            await router1.pipe_to_router(producer_id=audio.id, router="router2")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="destination"):
            await router1.pipe_to_router(producer_id=audio.id, router=router1)
        with pytest.raises(TypeError, match="Producer not found"):
            await router1.pipe_to_router(producer_id="nope", router=router2)
        with pytest.raises(TypeError, match="DataProducer not found"):
            await router1.pipe_to_router(data_producer_id="nope", router=router2)
        # Nothing was created.
        assert (await router2.dump())["transportIds"] == []
        router1.close()
        with pytest.raises(InvalidStateError):
            await router1.pipe_to_router(producer_id=audio.id, router=router2)


async def test_pipe_data_producer_to_router() -> None:
    async with worker_router() as (worker, router1):
        router2 = await worker.create_router(media_codecs=MEDIA_CODECS)
        transport = await router1.create_webrtc_transport(
            listen_ips=["127.0.0.1"], enable_sctp=True
        )
        data_producer = await transport.produce_data(
            sctp_stream_parameters={"streamId": 666, "maxPacketLifeTime": 1000},
            label="foo",
            protocol="bar",
            app_data={"d": 1},
        )
        result = await router1.pipe_to_router(data_producer_id=data_producer.id, router=router2)
        assert result.pipe_consumer is None and result.pipe_producer is None
        pipe_data_consumer, pipe_data_producer = (
            result.pipe_data_consumer,
            result.pipe_data_producer,
        )
        assert pipe_data_consumer is not None and pipe_data_producer is not None
        assert pipe_data_consumer.type == "sctp"
        assert pipe_data_consumer.label == "foo"
        assert pipe_data_consumer.protocol == "bar"
        assert pipe_data_consumer.sctp_stream_parameters is not None
        assert pipe_data_consumer.sctp_stream_parameters["streamId"] == 0
        assert pipe_data_consumer.sctp_stream_parameters["ordered"] is False
        assert pipe_data_consumer.sctp_stream_parameters["maxPacketLifeTime"] == 1000
        assert pipe_data_producer.id == data_producer.id
        assert pipe_data_producer.type == "sctp"
        assert pipe_data_producer.label == "foo"
        assert (
            pipe_data_producer.sctp_stream_parameters == pipe_data_consumer.sctp_stream_parameters
        )
        assert pipe_data_producer.app_data == {"d": 1}

        dump2 = await router2.dump()
        assert dump2["mapDataProducerIdDataConsumerIds"] == {data_producer.id: []}
        # It can be consumed in router2.
        direct = await router2.create_direct_transport()
        data_consumer = await direct.consume_data(data_producer_id=data_producer.id)
        assert data_consumer.label == "foo"

        # Closing the original closes the pipe DataConsumer, then the pipe DataProducer.
        closed = EventRecorder(pipe_data_producer.observer, "close")
        dataproducerclose = EventRecorder(data_consumer, "dataproducerclose")
        data_producer.close()
        await closed.wait(1)
        await dataproducerclose.wait(1)
        assert pipe_data_consumer.closed and pipe_data_producer.closed


async def test_pipe_pause_resume_and_close_propagate() -> None:
    async with worker_router() as (worker, router1):
        router2 = await worker.create_router(media_codecs=MEDIA_CODECS)
        transport = await router1.create_webrtc_transport(listen_ips=["127.0.0.1"])
        audio = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        result = await router1.pipe_to_router(producer_id=audio.id, router=router2)
        pipe_consumer, pipe_producer = result.pipe_consumer, result.pipe_producer
        assert pipe_consumer is not None and pipe_producer is not None

        recv = await router2.create_webrtc_transport(listen_ips=["127.0.0.1"])
        consumer = await recv.consume(
            producer_id=audio.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        producer_pause = EventRecorder(consumer, "producerpause")
        producer_resume = EventRecorder(consumer, "producerresume")

        await audio.pause()
        await _wait_until(lambda: pipe_producer.paused)
        await producer_pause.wait(1)
        assert pipe_consumer.producer_paused is True
        assert consumer.producer_paused is True

        await audio.resume()
        await _wait_until(lambda: not pipe_producer.paused)
        await producer_resume.wait(1)
        assert consumer.producer_paused is False

        producer_close = EventRecorder(consumer, "producerclose")
        audio.close()
        await _wait_until(lambda: pipe_producer.closed)
        await producer_close.wait(1)
        assert pipe_consumer.closed is True
        assert (await router2.dump())["mapProducerIdConsumerIds"] == {}


async def test_closing_the_pipe_producer_closes_the_pipe_consumer() -> None:
    async with worker_router() as (worker, router1):
        router2 = await worker.create_router(media_codecs=MEDIA_CODECS)
        transport = await router1.create_webrtc_transport(listen_ips=["127.0.0.1"])
        audio = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        result = await router1.pipe_to_router(producer_id=audio.id, router=router2)
        assert result.pipe_consumer is not None and result.pipe_producer is not None
        result.pipe_producer.close()
        assert result.pipe_consumer.closed is True
        assert audio.closed is False
        # It can be piped again through the same pair.
        again = await router1.pipe_to_router(producer_id=audio.id, router=router2)
        assert again.pipe_producer is not None
        assert len((await router2.dump())["transportIds"]) == 1


async def test_closing_a_pipe_transport_closes_the_pair_and_a_new_pair_is_made() -> None:
    async with worker_router() as (worker, router1):
        router2 = await worker.create_router(media_codecs=MEDIA_CODECS)
        transport = await router1.create_webrtc_transport(listen_ips=["127.0.0.1"])
        audio = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        new_transports = EventRecorder(router1.observer, "newtransport")
        new_remote = EventRecorder(router2.observer, "newtransport")
        result = await router1.pipe_to_router(producer_id=audio.id, router=router2)
        local, remote = new_transports.calls[0][0], new_remote.calls[0][0]
        assert result.pipe_producer is not None
        pipe_producer_close = EventRecorder(result.pipe_producer, "transportclose")

        remote.close()
        assert local.closed is True
        assert pipe_producer_close.count == 1
        assert result.pipe_consumer is not None and result.pipe_consumer.closed

        again = await router1.pipe_to_router(producer_id=audio.id, router=router2)
        assert again.pipe_producer is not None
        assert new_transports.count == 2 and new_remote.count == 2
        assert len((await router2.dump())["transportIds"]) == 1

        # Closing the destination Router closes the local end too.
        router2.close()
        assert new_transports.calls[1][0].closed is True
        assert len((await router1.dump())["transportIds"]) == 1


async def test_piped_rtp_flows_to_the_other_router() -> None:
    """RTP sent into router1 (DirectTransport) comes out of a Consumer in router2."""
    async with worker_router() as (worker, router1):
        router2 = await worker.create_router(media_codecs=MEDIA_CODECS)
        send = await router1.create_direct_transport()
        producer = await send.produce(
            kind="audio", rtp_parameters=audio_rtp_parameters(mid=None, ssrc=2468)
        )
        await router1.pipe_to_router(producer_id=producer.id, router=router2)
        recv = await router2.create_direct_transport()
        consumer = await recv.consume(
            producer_id=producer.id, rtp_capabilities=CONSUMER_RTP_CAPABILITIES
        )
        packets = EventRecorder(consumer, "rtp")
        for seq in range(20):
            producer.send(
                rtp_packet(payload_type=111, sequence_number=seq, timestamp=seq * 960, ssrc=2468)
            )
            await asyncio.sleep(0.005)
        await packets.wait(20)
        assert all(
            int.from_bytes(p[8:12], "big") == consumer.rtp_parameters["encodings"][0]["ssrc"]
            for (p,) in packets.calls
        )
