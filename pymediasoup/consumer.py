"""A Consumer: a Producer's media sent to an endpoint (mediasoup's Consumer.ts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .channel_object import ChannelObject
from .utils import check_int, check_trace_event_types, is_int, without_none

if TYPE_CHECKING:
    from .channel.channel import Channel
    from .channel.payload_channel import PayloadChannel


def _default_score() -> dict[str, Any]:
    return {"score": 10, "producerScore": 10, "producerScores": []}


class Consumer(ChannelObject):
    """Create with :meth:`Transport.consume`.

    Events: 'transportclose', 'producerclose', 'producerpause', 'producerresume',
    'score'(dict), 'layerschange'(dict | None), 'trace'(dict), 'rtp'(bytes) on a
    DirectTransport. Observer: 'close', 'pause', 'resume', 'score', 'layerschange', 'trace'.
    """

    _kind_name, _id_key, _method_prefix = "Consumer", "consumerId", "consumer"

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
        super().__init__(
            internal=internal,
            data=data,
            channel=channel,
            payload_channel=payload_channel,
            app_data=app_data,
        )
        self._paused = paused
        self._producer_paused = producer_paused
        self._priority = 1
        self._score = score if score is not None else _default_score()
        self._preferred_layers = preferred_layers
        self._current_layers: dict[str, Any] | None = None
        self._channel.on(self.id, self._on_notification)
        self._payload_channel.on(self.id, self._on_payload_notification)

    @property
    def producer_id(self) -> str:
        return self._internal["producerId"]

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

    def transport_closed(self) -> None:
        """Its Transport closed: nothing is sent; 'transportclose' is emitted."""
        self._parent_closed("transportclose")

    async def pause(self) -> None:
        self._check_open()
        was_paused = self._paused or self._producer_paused
        await self._request("pause")
        self._paused = True
        if not was_paused:
            self._observer.safe_emit("pause")

    async def resume(self) -> None:
        self._check_open()
        was_paused = self._paused or self._producer_paused
        await self._request("resume")
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
        data = await self._request("setPreferredLayers", request_data)
        self._preferred_layers = data or None

    async def set_priority(self, priority: int) -> None:
        self._check_open()
        check_int("priority", priority, 1, 255)
        data = await self._request("setPriority", {"priority": priority})
        self._priority = _priority_from(data, priority)

    async def unset_priority(self) -> None:
        data = await self._request("setPriority", {"priority": 1})
        self._priority = _priority_from(data, 1)

    async def request_key_frame(self) -> None:
        await self._request("requestKeyFrame")

    async def enable_trace_event(self, types: list[str] | None = None) -> None:
        """Enable 'trace' events: 'rtp', 'keyframe', 'nack', 'pli', 'fir'; None means none."""
        await self._request("enableTraceEvent", {"types": check_trace_event_types(types)})

    def _on_notification(self, event: str, data: Any = None) -> None:
        if event == "producerclose":
            if not self._shut():
                return
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
            self._logger.error("ignoring unknown event %r [consumer:%s]", event, self.id)

    def _on_payload_notification(self, event: str, data: Any, payload: bytes) -> None:
        if event == "rtp":
            if not self._closed:
                self.safe_emit("rtp", payload)
        else:
            self._logger.error("ignoring unknown payload event %r [consumer:%s]", event, self.id)


def _priority_from(data: Any, requested: int) -> int:
    if isinstance(data, dict) and is_int(data.get("priority")):
        return data["priority"]
    return requested
