"""The Router's bookkeeping, driven through its channel requests with DirectTransports.

No sockets: DirectTransports only. Replies and notifications are recorded in order.
"""

from __future__ import annotations

from typing import Any

import pytest

from pymediasoup_worker.channel.channel_request import ChannelRequest
from pymediasoup_worker.rtc.router import Router
from pymediasoup_worker.rtc.shared import Shared


class Recorder:
    """Stands for the Channel and the PayloadChannel; also a fake timer service."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.payloads: list[tuple[str, str, Any, bytes]] = []
        self.timers: list[tuple[int, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def notify(
        self, target_id: str, event: str, data: Any = None, payload: bytes | None = None
    ) -> None:
        if payload is None:
            self.sent.append({"targetId": target_id, "event": event, "data": data})
        else:
            self.payloads.append((target_id, event, data, payload))

    def set_timer(self, delay_ms: int, callback: Any) -> Any:
        recorder = self

        class Handle:
            def cancel(self) -> None:
                recorder.timers.remove(entry)

        entry = (delay_ms, callback)
        self.timers.append(entry)
        return Handle()

    def fire(self) -> None:
        """The oldest timer expires (one-shot, as loop.call_later)."""
        _delay, callback = self.timers.pop(0)
        callback()


class PayloadRecorder:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def notify(self, target_id: str, event: str, data: Any, payload: bytes) -> None:
        self.recorder.payloads.append((target_id, event, data, payload))


@pytest.fixture
def env() -> tuple[Router, Recorder]:
    rec = Recorder()
    shared = Shared(
        channel=rec,  # type: ignore[arg-type]
        payload_channel=PayloadRecorder(rec),  # type: ignore[arg-type]
        settings=None,  # type: ignore[arg-type]
        now_ms=lambda: 1000,
        spawn=lambda coro: None,
        set_timer=rec.set_timer,
    )
    return Router("r1", shared), rec


_next_id = [0]


def request(
    router: Router,
    rec: Recorder,
    method: str,
    internal: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    _next_id[0] += 1
    req = ChannelRequest(
        rec, _next_id[0], method, {"routerId": "r1", **(internal or {})}, data or {}
    )
    try:
        router.handle_request(req)
    except Exception as exc:  # noqa: BLE001 - as the channel does
        return {"error": type(exc).__name__, "reason": str(exc)}
    replies = [m for m in rec.sent if m.get("id") == req.id]
    assert len(replies) == 1
    return replies[0]


AUDIO = {
    "kind": "audio",
    "rtpParameters": {
        "mid": "AUDIO",
        "codecs": [
            {"mimeType": "audio/opus", "payloadType": 111, "clockRate": 48000, "channels": 2}
        ],
        "encodings": [{"ssrc": 1111}],
        "rtcp": {"cname": "x"},
    },
    "rtpMapping": {
        "codecs": [{"payloadType": 111, "mappedPayloadType": 100}],
        "encodings": [{"ssrc": 1111, "mappedSsrc": 5555}],
    },
}

AUDIO_CONSUME = {
    "kind": "audio",
    "type": "simple",
    "rtpParameters": {
        "codecs": [
            {"mimeType": "audio/opus", "payloadType": 100, "clockRate": 48000, "channels": 2}
        ],
        "encodings": [{"ssrc": 7777}],
    },
    "consumableRtpEncodings": [{"ssrc": 5555}],
}


def setup_producer_and_consumer(router: Router, rec: Recorder, paused: bool = False) -> None:
    for tid in ("t1", "t2"):
        assert request(
            router,
            rec,
            "router.createDirectTransport",
            {"transportId": tid},
            {"direct": True, "maxMessageSize": 262144},
        )["accepted"]
    reply = request(
        router,
        rec,
        "transport.produce",
        {"transportId": "t1", "producerId": "p1"},
        dict(AUDIO, paused=paused),
    )
    assert reply["data"] == {"type": "simple"}
    reply = request(
        router,
        rec,
        "transport.consume",
        {"transportId": "t2", "consumerId": "c1", "producerId": "p1"},
        AUDIO_CONSUME,
    )
    assert reply["data"] == {
        "paused": False,
        "producerPaused": paused,
        "score": {"score": 10, "producerScore": 0, "producerScores": [0]},
    }


def events(rec: Recorder, target: str) -> list[tuple[str, Any]]:
    return [(m["event"], m["data"]) for m in rec.sent if m.get("targetId") == target]


def test_dump_maps_and_producer_close_fans_out(env: tuple[Router, Recorder]) -> None:
    router, rec = env
    setup_producer_and_consumer(router, rec)
    request(
        router,
        rec,
        "router.createAudioLevelObserver",
        {"rtpObserverId": "o1"},
        {"maxEntries": 1, "threshold": -80, "interval": 1000},
    )
    assert request(
        router, rec, "rtpObserver.addProducer", {"rtpObserverId": "o1", "producerId": "p1"}
    )["accepted"]
    dump = request(router, rec, "router.dump")["data"]
    assert dump["mapProducerIdConsumerIds"] == {"p1": ["c1"]}
    assert dump["mapConsumerIdProducerId"] == {"c1": "p1"}
    assert dump["mapProducerIdObserverIds"] == {"p1": ["o1"]}
    assert request(router, rec, "producer.close", {"transportId": "t1", "producerId": "p1"})[
        "accepted"
    ]
    assert events(rec, "c1") == [("producerclose", None)]
    dump = request(router, rec, "router.dump")["data"]
    assert dump["mapProducerIdConsumerIds"] == {}
    assert dump["mapConsumerIdProducerId"] == {}
    assert dump["mapProducerIdObserverIds"] == {}
    assert (
        request(router, rec, "transport.dump", {"transportId": "t2"})["data"]["consumerIds"] == []
    )


def test_pause_resume_reach_consumers_once(env: tuple[Router, Recorder]) -> None:
    router, rec = env
    setup_producer_and_consumer(router, rec)
    for method in ("producer.pause", "producer.pause", "producer.resume", "producer.resume"):
        request(router, rec, method, {"transportId": "t1", "producerId": "p1"})
    assert events(rec, "c1") == [("producerpause", None), ("producerresume", None)]


def test_new_consumer_of_paused_producer(env: tuple[Router, Recorder]) -> None:
    router, rec = env
    setup_producer_and_consumer(router, rec, paused=True)
    dump = request(router, rec, "consumer.dump", {"transportId": "t2", "consumerId": "c1"})["data"]
    assert dump["producerPaused"] is True
    assert dump["rtpStream"]["score"] == 10
    assert dump["supportedCodecPayloadTypes"] == [100]
    stats = request(router, rec, "consumer.getStats", {"transportId": "t2", "consumerId": "c1"})[
        "data"
    ]
    assert [s["type"] for s in stats] == ["outbound-rtp"]
    assert stats[0]["packetCount"] == 0


def test_transport_close_closes_consumers_elsewhere(env: tuple[Router, Recorder]) -> None:
    router, rec = env
    setup_producer_and_consumer(router, rec)
    assert request(router, rec, "transport.close", {"transportId": "t1"})["accepted"]
    assert events(rec, "c1") == [("producerclose", None)]
    assert request(router, rec, "router.dump")["data"]["transportIds"] == ["t2"]


def test_router_close_is_silent(env: tuple[Router, Recorder]) -> None:
    router, rec = env
    setup_producer_and_consumer(router, rec)
    router.close()
    assert events(rec, "c1") == []


def test_rtp_observer_errors(env: tuple[Router, Recorder]) -> None:
    router, rec = env
    setup_producer_and_consumer(router, rec)
    assert request(router, rec, "router.createAudioLevelObserver", {}, {}) == {
        "error": "MediaSoupError",
        "reason": "missing internal.rtpObserverId",
    }
    request(
        router, rec, "router.createActiveSpeakerObserver", {"rtpObserverId": "a1"}, {"interval": 10}
    )
    assert request(
        router, rec, "router.createActiveSpeakerObserver", {"rtpObserverId": "a1"}, {"interval": 10}
    ) == {
        "error": "MediaSoupError",
        "reason": "an RtpObserver with same rtpObserverId already exists",
    }
    assert router.rtp_observers["a1"].interval == 100
    assert request(
        router, rec, "rtpObserver.addProducer", {"rtpObserverId": "a1", "producerId": "nope"}
    ) == {"error": "MediaSoupError", "reason": "Producer not found"}
    assert request(router, rec, "rtpObserver.pause", {"rtpObserverId": "zz"}) == {
        "error": "MediaSoupError",
        "reason": "RtpObserver not found",
    }


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"threshold": -80, "interval": 1000}, "missing maxEntries"),
        ({"maxEntries": 0, "threshold": -80, "interval": 1000}, "invalid maxEntries value 0"),
        ({"maxEntries": 1, "threshold": "foo", "interval": 1000}, "missing threshold"),
        ({"maxEntries": 1, "threshold": 10, "interval": 1000}, "invalid threshold value 10"),
        ({"maxEntries": 1, "threshold": -80, "interval": False}, "missing interval"),
    ],
)
def test_audio_level_observer_wrong_data(
    env: tuple[Router, Recorder], data: dict[str, Any], reason: str
) -> None:
    router, rec = env
    assert request(
        router, rec, "router.createAudioLevelObserver", {"rtpObserverId": "o"}, data
    ) == {"error": "MediaSoupTypeError", "reason": reason}


class LevelPacket:
    def __init__(self, level: int) -> None:
        self.level = level

    def read_ssrc_audio_level(self, ext_id: int = 10) -> tuple[int, bool]:
        return self.level, True


def test_audio_level_observer_volumes_and_silence(env: tuple[Router, Recorder]) -> None:
    router, rec = env
    setup_producer_and_consumer(router, rec)
    request(
        router,
        rec,
        "router.createAudioLevelObserver",
        {"rtpObserverId": "o1"},
        {"maxEntries": 1, "threshold": -80, "interval": 10},
    )
    observer = router.rtp_observers["o1"]
    assert [delay for delay, _ in rec.timers] == [250]  # clamped
    request(router, rec, "rtpObserver.addProducer", {"rtpObserverId": "o1", "producerId": "p1"})
    producer = router.map_producers["p1"]
    for _ in range(10):
        observer.receive_rtp_packet(producer, LevelPacket(30))
    rec.fire()  # the interval ends
    assert events(rec, "o1") == [("volumes", [{"producerId": "p1", "volume": -30}])]
    rec.fire()  # nothing received: silence, once
    rec.fire()
    assert events(rec, "o1")[1:] == [("silence", None)]
    request(router, rec, "rtpObserver.pause", {"rtpObserverId": "o1"})
    assert rec.timers == []
    assert events(rec, "o1")[2:] == []  # already silent


def test_data_producer_close_and_direct_messages(env: tuple[Router, Recorder]) -> None:
    router, rec = env
    for tid in ("t1", "t2"):
        request(
            router,
            rec,
            "router.createDirectTransport",
            {"transportId": tid},
            {"direct": True, "maxMessageSize": 10},
        )
    request(
        router,
        rec,
        "transport.produceData",
        {"transportId": "t1", "dataProducerId": "dp"},
        {"type": "direct", "label": "l", "protocol": "p"},
    )
    dc = request(
        router,
        rec,
        "transport.consumeData",
        {"transportId": "t2", "dataConsumerId": "dc", "dataProducerId": "dp"},
        {"type": "direct"},
    )
    assert dc["data"] == {
        "id": "dc",
        "type": "direct",
        "dataProducerId": "dp",
        "label": "",
        "protocol": "",
        "bufferedAmountLowThreshold": 0,
    }
    assert request(
        router, rec, "dataConsumer.getBufferedAmount", {"transportId": "t2", "dataConsumerId": "dc"}
    ) == {"error": "MediaSoupError", "reason": "invalid DataConsumer type"}
    data_producer = router.map_data_producers["dp"]
    data_producer.receive_message(51, b"hello")
    data_producer.receive_message(51, b"x" * 11)  # over maxMessageSize: dropped
    assert rec.payloads == [("dc", "message", {"ppid": 51}, b"hello")]
    stats = request(
        router, rec, "dataConsumer.getStats", {"transportId": "t2", "dataConsumerId": "dc"}
    )["data"]
    assert (stats[0]["messagesSent"], stats[0]["bytesSent"]) == (1, 5)
    request(router, rec, "dataProducer.close", {"transportId": "t1", "dataProducerId": "dp"})
    assert events(rec, "dc") == [("dataproducerclose", None)]
    dump = request(router, rec, "router.dump")["data"]
    assert (
        dump["mapDataProducerIdDataConsumerIds"] == {}
        and dump["mapDataConsumerIdDataProducerId"] == {}
    )
