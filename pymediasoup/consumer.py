"""A Consumer: a Producer's media sent to an endpoint (mediasoup's Consumer.ts)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .enhanced_event_emitter import EnhancedEventEmitter
from .errors import InvalidStateError, MediasoupError
from .utils import check_int, check_trace_event_types, is_int, request_close, without_none

if TYPE_CHECKING:
    from .channel.channel import Channel
    from .channel.payload_channel import PayloadChannel

logger = logging.getLogger("pymediasoup.Consumer")


def _default_score() -> dict[str, Any]:
    return {"score": 10, "producerScore": 10, "producerScores": []}


class Consumer(EnhancedEventEmitter):
    """Create with :meth:`Transport.consume`.

    Events: 'transportclose', 'producerclose', 'producerpause', 'producerresume',
    'score'(dict), 'layerschange'(dict | None), 'trace'(dict), 'rtp'(bytes) on a
    DirectTransport. Observer: 'close', 'pause', 'resume', 'score', 'layerschange', 'trace'.
    """

    def __init__(
        self,
        *,
        internal: dict[str, Any],
        data: dict[str, Any],
        channel: Channel,
        payload_channel: PayloadChannel,
        app_data: dict[str, Any],
        paused: bool,
        producer_paused: bool,
        score: dict[str, Any] | None = None,
        preferred_layers: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self._internal = internal
        self._data = data
        self._channel = channel
        self._payload_channel = payload_channel
        self._app_data = app_data
        self._closed = False
        self._paused = paused
        self._producer_paused = producer_paused
        self._priority = 1
        self._score = score if score is not None else _default_score()
        self._preferred_layers = preferred_layers
        self._current_layers: dict[str, Any] | None = None
        self._observer = EnhancedEventEmitter()
        self._channel.on(self.id, self._on_notification)
        self._payload_channel.on(self.id, self._on_payload_notification)

    @property
    def id(self) -> str:
        return self._internal["consumerId"]

    @property
    def producer_id(self) -> str:
        return self._internal["producerId"]

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def kind(self) -> str:
        return self._data["kind"]

    @property
    def rtp_parameters(self) -> dict[str, Any]:
        return self._data["rtpParameters"]

    @property
    def type(self) -> str:
        """'simple', 'simulcast', 'svc' or 'pipe'."""
        return self._data["type"]

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def producer_paused(self) -> bool:
        return self._producer_paused

    @property
    def priority(self) -> int:
        return self._priority

    @property
    def score(self) -> dict[str, Any]:
        return self._score

    @property
    def preferred_layers(self) -> dict[str, Any] | None:
        return self._preferred_layers

    @property
    def current_layers(self) -> dict[str, Any] | None:
        return self._current_layers

    @property
    def app_data(self) -> dict[str, Any]:
        return self._app_data

    @app_data.setter
    def app_data(self, value: Any) -> None:
        raise MediasoupError("cannot override appData object")

    @property
    def observer(self) -> EnhancedEventEmitter:
        return self._observer

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidStateError("Consumer closed")

    def _shut(self) -> None:
        self._closed = True
        self._channel.remove_all_listeners(self.id)
        self._payload_channel.remove_all_listeners(self.id)

    def close(self) -> None:
        if self._closed:
            return
        logger.debug("close() [id:%s]", self.id)
        self._shut()
        request_close(self._channel, "consumer.close", self._internal)
        self.emit("@close")
        self._observer.safe_emit("close")

    def transport_closed(self) -> None:
        """Its Transport closed: nothing is sent; 'transportclose' is emitted."""
        if self._closed:
            return
        logger.debug("transport_closed() [id:%s]", self.id)
        self._shut()
        self.safe_emit("transportclose")
        self._observer.safe_emit("close")

    async def dump(self) -> dict[str, Any]:
        self._check_open()
        return await self._channel.request("consumer.dump", self._internal)

    async def get_stats(self) -> list[dict[str, Any]]:
        self._check_open()
        return await self._channel.request("consumer.getStats", self._internal)

    async def pause(self) -> None:
        self._check_open()
        was_paused = self._paused or self._producer_paused
        await self._channel.request("consumer.pause", self._internal)
        self._paused = True
        if not was_paused:
            self._observer.safe_emit("pause")

    async def resume(self) -> None:
        self._check_open()
        was_paused = self._paused or self._producer_paused
        await self._channel.request("consumer.resume", self._internal)
        self._paused = False
        if was_paused and not self._producer_paused:
            self._observer.safe_emit("resume")

    async def set_preferred_layers(
        self, *, spatial_layer: int, temporal_layer: int | None = None
    ) -> None:
        self._check_open()
        check_int("spatial_layer", spatial_layer, 0)
        if temporal_layer is not None:
            check_int("temporal_layer", temporal_layer, 0)
        request_data = without_none(
            {"spatialLayer": spatial_layer, "temporalLayer": temporal_layer}
        )
        data = await self._channel.request(
            "consumer.setPreferredLayers", self._internal, request_data
        )
        self._preferred_layers = data or None

    async def set_priority(self, priority: int) -> None:
        self._check_open()
        check_int("priority", priority, 1, 255)
        data = await self._channel.request(
            "consumer.setPriority", self._internal, {"priority": priority}
        )
        self._priority = _priority_from(data, priority)

    async def unset_priority(self) -> None:
        self._check_open()
        data = await self._channel.request("consumer.setPriority", self._internal, {"priority": 1})
        self._priority = _priority_from(data, 1)

    async def request_key_frame(self) -> None:
        self._check_open()
        await self._channel.request("consumer.requestKeyFrame", self._internal)

    async def enable_trace_event(self, types: list[str] | None = None) -> None:
        """Enable 'trace' events: 'rtp', 'keyframe', 'nack', 'pli', 'fir'; None means none."""
        self._check_open()
        types = check_trace_event_types(types)
        await self._channel.request("consumer.enableTraceEvent", self._internal, {"types": types})

    def _on_notification(self, event: str, data: Any = None) -> None:
        if event == "producerclose":
            if self._closed:
                return
            self._shut()
            self.emit("@producerclose")
            self.safe_emit("producerclose")
            self._observer.safe_emit("close")
        elif event == "producerpause":
            if self._producer_paused:
                return
            was_paused = self._paused or self._producer_paused
            self._producer_paused = True
            self.safe_emit("producerpause")
            if not was_paused:
                self._observer.safe_emit("pause")
        elif event == "producerresume":
            if not self._producer_paused:
                return
            was_paused = self._paused or self._producer_paused
            self._producer_paused = False
            self.safe_emit("producerresume")
            if was_paused and not self._paused:
                self._observer.safe_emit("resume")
        elif event == "score":
            self._score = data
            self.safe_emit("score", data)
            self._observer.safe_emit("score", data)
        elif event == "layerschange":
            self._current_layers = data or None
            self.safe_emit("layerschange", self._current_layers)
            self._observer.safe_emit("layerschange", self._current_layers)
        elif event == "trace":
            self.safe_emit("trace", data)
            self._observer.safe_emit("trace", data)
        else:
            logger.error("ignoring unknown event %r [consumer:%s]", event, self.id)

    def _on_payload_notification(self, event: str, data: Any, payload: bytes) -> None:
        if event == "rtp":
            if not self._closed:
                self.safe_emit("rtp", payload)
        else:
            logger.error("ignoring unknown payload event %r [consumer:%s]", event, self.id)


def _priority_from(data: Any, requested: int) -> int:
    if isinstance(data, dict) and is_int(data.get("priority")):
        return data["priority"]
    return requested
