"""A Channel request, as mediasoup's Channel::ChannelRequest."""

from __future__ import annotations

from typing import Any, Protocol, TypeGuard

from ..errors import MediaSoupError

# mediasoup 3.7.11's 52 methods, plus router.createActiveSpeakerObserver (3.8).
METHODS = frozenset(
    [
        "worker.close",
        "worker.dump",
        "worker.getResourceUsage",
        "worker.updateSettings",
        "worker.createRouter",
        "router.close",
        "router.dump",
        "router.createWebRtcTransport",
        "router.createPlainTransport",
        "router.createPipeTransport",
        "router.createDirectTransport",
        "router.createAudioLevelObserver",
        "router.createActiveSpeakerObserver",
        "transport.close",
        "transport.dump",
        "transport.getStats",
        "transport.connect",
        "transport.setMaxIncomingBitrate",
        "transport.setMaxOutgoingBitrate",
        "transport.restartIce",
        "transport.produce",
        "transport.consume",
        "transport.produceData",
        "transport.consumeData",
        "transport.enableTraceEvent",
        "producer.close",
        "producer.dump",
        "producer.getStats",
        "producer.pause",
        "producer.resume",
        "producer.enableTraceEvent",
        "consumer.close",
        "consumer.dump",
        "consumer.getStats",
        "consumer.pause",
        "consumer.resume",
        "consumer.setPreferredLayers",
        "consumer.setPriority",
        "consumer.requestKeyFrame",
        "consumer.enableTraceEvent",
        "dataProducer.close",
        "dataProducer.dump",
        "dataProducer.getStats",
        "dataConsumer.close",
        "dataConsumer.dump",
        "dataConsumer.getStats",
        "dataConsumer.getBufferedAmount",
        "dataConsumer.setBufferedAmountLowThreshold",
        "rtpObserver.close",
        "rtpObserver.pause",
        "rtpObserver.resume",
        "rtpObserver.addProducer",
        "rtpObserver.removeProducer",
    ]
)


class Sender(Protocol):
    def send(self, message: dict[str, Any]) -> None: ...


def is_positive_integer(value: Any) -> TypeGuard[int]:
    """mediasoup's Utils::Json::IsPositiveInteger: an integer >= 0 (bool excluded)."""
    return type(value) is int and 0 <= value <= 0xFFFFFFFF


def as_object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class ChannelRequest:
    """One request. Exactly one of accept(), error() or type_error() is called on it."""

    __slots__ = ("_channel", "data", "id", "internal", "method", "payload", "replied")

    def __init__(self, channel: Sender, id: int, method: str, internal: Any, data: Any) -> None:
        self._channel = channel
        self.id = id
        self.method = method
        self.internal = as_object(internal)
        self.data = as_object(data)
        self.payload = b""
        self.replied = False

    def accept(self, data: dict[str, Any] | list[Any] | None = None) -> None:
        self._reply({"accepted": True} if data is None else {"accepted": True, "data": data})

    def error(self, reason: str) -> None:
        self._reply({"error": "Error", "reason": reason})

    def type_error(self, reason: str) -> None:
        self._reply({"error": "TypeError", "reason": reason})

    def _reply(self, body: dict[str, Any]) -> None:
        if self.replied:
            raise MediaSoupError("request already replied")
        self.replied = True
        body["id"] = self.id
        self._channel.send(body)
