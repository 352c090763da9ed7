"""RTP observers against the real worker: AudioLevelObserver (with real audio levels
sent through a DirectTransport) and ActiveSpeakerObserver."""

from __future__ import annotations

import asyncio
import os

import pytest

import pymediasoup
from pymediasoup.errors import InvalidStateError, MediasoupError

from ._helpers import (
    EventRecorder,
    audio_rtp_parameters,
    rtp_packet,
    video_rtp_parameters,
    worker_router,
)


async def test_create_audio_level_observer_succeeds() -> None:
    async with worker_router() as (_worker, router):
        new_observer = EventRecorder(router.observer, "newrtpobserver")
        observer = await router.create_audio_level_observer(app_data={"foo": "bar"})
        assert isinstance(observer, pymediasoup.AudioLevelObserver)
        assert isinstance(observer, pymediasoup.RtpObserver)
        assert new_observer.calls == [(observer,)]
        assert observer.closed is False
        assert observer.paused is False
        assert observer.app_data == {"foo": "bar"}
        assert isinstance(observer.id, str)
        router_dump = await router.dump()
        assert router_dump["rtpObserverIds"] == [observer.id]

        custom = await router.create_audio_level_observer(
            max_entries=8, threshold=-127, interval=5000
        )
        assert set((await router.dump())["rtpObserverIds"]) == {observer.id, custom.id}
        dump = await custom.dump()
        assert dump == {"id": custom.id, "paused": False, "producerIds": []}


async def test_create_audio_level_observer_wrong_arguments() -> None:
    async with worker_router() as (_worker, router):
        with pytest.raises(TypeError, match="max_entries"):
            await router.create_audio_level_observer(max_entries=0)
        with pytest.raises(TypeError, match="max_entries"):
            await router.create_audio_level_observer(max_entries="aaaa")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="threshold"):
            await router.create_audio_level_observer(threshold="aaaa")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="threshold"):
            await router.create_audio_level_observer(threshold=10)
        with pytest.raises(TypeError, match="interval"):
            await router.create_audio_level_observer(interval=False)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="appData"):
            await router.create_audio_level_observer(app_data="NOT-A-DICT")  # type: ignore[arg-type]
        assert (await router.dump())["rtpObserverIds"] == []


async def test_audio_level_observer_pause_resume_and_producers() -> None:
    async with worker_router() as (_worker, router):
        observer = await router.create_audio_level_observer()
        transport = await router.create_plain_transport(listen_ip="127.0.0.1")
        audio = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        video = await transport.produce(kind="video", rtp_parameters=video_rtp_parameters())

        paused = EventRecorder(observer.observer, "pause")
        resumed = EventRecorder(observer.observer, "resume")
        await observer.pause()
        assert observer.paused is True
        await observer.pause()
        assert paused.count == 1
        await observer.resume()
        assert observer.paused is False
        assert resumed.count == 1

        added = EventRecorder(observer.observer, "addproducer")
        removed = EventRecorder(observer.observer, "removeproducer")
        await observer.add_producer(producer_id=audio.id)
        assert added.calls == [(audio,)]
        assert (await router.dump())["mapProducerIdObserverIds"][audio.id] == [observer.id]
        assert (await observer.dump())["producerIds"] == [audio.id]
        with pytest.raises(TypeError):
            await observer.add_producer(producer_id=video.id)  # not audio: worker TypeError
        with pytest.raises(TypeError, match="producerId"):
            await observer.add_producer(producer_id="")
        await observer.remove_producer(producer_id=audio.id)
        assert removed.calls == [(audio,)]
        assert (await router.dump())["mapProducerIdObserverIds"][audio.id] == []

        # A closed Producer leaves the observer.
        await observer.add_producer(producer_id=audio.id)
        audio.close()
        await asyncio.sleep(0.05)
        assert audio.id not in (await router.dump())["mapProducerIdObserverIds"]


async def test_audio_level_observer_close_and_routerclose() -> None:
    async with worker_router() as (worker, router):
        observer = await router.create_audio_level_observer()
        observer_close = EventRecorder(observer.observer, "close")
        router_close = EventRecorder(observer, "routerclose")
        observer.close()
        observer.close()
        assert observer.closed is True
        assert observer_close.count == 1
        assert router_close.count == 0
        assert (await router.dump())["rtpObserverIds"] == []
        for call in (
            observer.pause(),
            observer.resume(),
            observer.add_producer(producer_id="x"),
            observer.remove_producer(producer_id="x"),
            observer.dump(),
        ):
            with pytest.raises(InvalidStateError):
                await call

        second = await router.create_audio_level_observer()
        second_close = EventRecorder(second, "routerclose")
        router.close()
        assert second.closed is True
        assert second_close.count == 1

        router2 = await worker.create_router(media_codecs=[])
        third = await router2.create_audio_level_observer()
        third_close = EventRecorder(third, "routerclose")
        third_observer_close = EventRecorder(third.observer, "close")
        worker.close()
        assert third.closed is True
        assert third_close.count == 1
        assert third_observer_close.count == 1


async def test_audio_level_observer_injected_events() -> None:
    async with worker_router() as (_worker, router):
        observer = await router.create_audio_level_observer(max_entries=2)
        transport = await router.create_plain_transport(listen_ip="127.0.0.1")
        audio = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        channel = observer._channel  # private: inject what the worker would send
        volumes = EventRecorder(observer, "volumes")
        observer_volumes = EventRecorder(observer.observer, "volumes")
        silence = EventRecorder(observer, "silence")
        channel.emit(
            observer.id,
            "volumes",
            [{"producerId": audio.id, "volume": -30}, {"producerId": "gone", "volume": -40}],
        )
        # Unknown Producers are left out; an empty list is not emitted.
        assert volumes.calls == [([{"producer": audio, "volume": -30}],)]
        assert observer_volumes.count == 1
        channel.emit(observer.id, "volumes", [{"producerId": "gone", "volume": -40}])
        assert volumes.count == 1
        channel.emit(observer.id, "silence", None)
        assert silence.count == 1


async def test_audio_level_observer_real_volumes_and_silence() -> None:
    """Audio levels in the ssrc-audio-level extension of RTP sent through a
    DirectTransport produce 'volumes', then 'silence' when the audio stops."""
    async with worker_router() as (_worker, router):
        observer = await router.create_audio_level_observer(threshold=-70, interval=250)
        transport = await router.create_direct_transport()
        params = audio_rtp_parameters(mid=None, ssrc=7777)
        params["headerExtensions"] = [
            {"uri": "urn:ietf:params:rtp-hdrext:ssrc-audio-level", "id": 10}
        ]
        producer = await transport.produce(kind="audio", rtp_parameters=params)
        await observer.add_producer(producer_id=producer.id)
        volumes = EventRecorder(observer, "volumes")
        silence = EventRecorder(observer, "silence")

        async def send_audio(level: int, count: int) -> None:
            for seq in range(count):
                producer.send(
                    rtp_packet(
                        payload_type=111,
                        sequence_number=seq,
                        timestamp=seq * 960,
                        ssrc=7777,
                        extensions={10: bytes([0x80 | level])},  # voice flag + level
                    )
                )
                await asyncio.sleep(0.01)

        await send_audio(30, 60)
        await volumes.wait(1, timeout=5)
        (entries,) = volumes.calls[0]
        assert entries == [{"producer": producer, "volume": -30}]
        await silence.wait(1, timeout=5)


async def test_active_speaker_observer() -> None:
    async with worker_router() as (_worker, router):
        new_observer = EventRecorder(router.observer, "newrtpobserver")
        try:
            observer = await router.create_active_speaker_observer(interval=200, app_data={"a": 1})
        except MediasoupError as error:
            if os.environ.get("PYMEDIASOUP_WORKER_BIN") and "unknown method" in str(error):
                pytest.skip("this worker is mediasoup 3.7's: no ActiveSpeakerObserver before 3.8")
            raise
        assert isinstance(observer, pymediasoup.ActiveSpeakerObserver)
        assert new_observer.calls == [(observer,)]
        assert observer.paused is False
        assert observer.app_data == {"a": 1}
        assert (await router.dump())["rtpObserverIds"] == [observer.id]
        with pytest.raises(TypeError, match="interval"):
            await router.create_active_speaker_observer(interval="x")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="appData"):
            await router.create_active_speaker_observer(app_data=[])  # type: ignore[arg-type]

        transport = await router.create_plain_transport(listen_ip="127.0.0.1")
        audio = await transport.produce(kind="audio", rtp_parameters=audio_rtp_parameters())
        await observer.add_producer(producer_id=audio.id)
        await observer.pause()
        assert observer.paused is True
        await observer.resume()

        dominant = EventRecorder(observer, "dominantspeaker")
        observer_dominant = EventRecorder(observer.observer, "dominantspeaker")
        observer._channel.emit(observer.id, "dominantspeaker", {"producerId": audio.id})
        assert dominant.calls == [({"producer": audio},)]
        assert observer_dominant.calls == [({"producer": audio},)]

        await observer.remove_producer(producer_id=audio.id)
        router_close = EventRecorder(observer, "routerclose")
        router.close()
        assert observer.closed is True
        assert router_close.count == 1
