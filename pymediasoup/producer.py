"""A Producer: media an endpoint sends into a Router (mediasoup's Producer.ts)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .enhanced_event_emitter import EnhancedEventEmitter
from .errors import InvalidStateError, MediasoupError
from .utils import check_bytes, check_trace_event_types, request_close

if TYPE_CHECKING:
    from .channel.channel import Channel
    from .channel.payload_channel import PayloadChannel

logger = logging.getLogger("pymediasoup.Producer")


class Producer(EnhancedEventEmitter):
    """Create with :meth:`Transport.produce`.

    Events: 'transportclose', 'score'(list), 'videoorientationchange'(dict), 'trace'(dict).
    Observer: 'close', 'pause', 'resume', 'score', 'videoorientationchange', 'trace'.
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
    ) -> None:
        super().__init__()
        self._internal = internal
        self._data = data
        self._channel = channel
        self._payload_channel = payload_channel
        self._app_data = app_data
        self._closed = False
        self._paused = paused
        self._score: list[dict[str, Any]] = []
        self._observer = EnhancedEventEmitter()
        self._channel.on(self.id, self._on_notification)

    @property
    def id(self) -> str:
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
        """'simple', 'simulcast' or 'svc'."""
        return self._data["type"]

    @property
    def consumable_rtp_parameters(self) -> dict[str, Any]:
        return self._data["consumableRtpParameters"]

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def score(self) -> list[dict[str, Any]]:
        return self._score

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
            raise InvalidStateError("Producer closed")

    def _shut(self) -> None:
        self._closed = True
        self._channel.remove_all_listeners(self.id)
        self._payload_channel.remove_all_listeners(self.id)

    def close(self) -> None:
        if self._closed:
            return
        logger.debug("close() [id:%s]", self.id)
        self._shut()
        request_close(self._channel, "producer.close", self._internal)
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
        return await self._channel.request("producer.dump", self._internal)

    async def get_stats(self) -> list[dict[str, Any]]:
        self._check_open()
        return await self._channel.request("producer.getStats", self._internal)

    async def pause(self) -> None:
        self._check_open()
        was_paused = self._paused
        await self._channel.request("producer.pause", self._internal)
        self._paused = True
        if not was_paused:
            self._observer.safe_emit("pause")

    async def resume(self) -> None:
        self._check_open()
        was_paused = self._paused
        await self._channel.request("producer.resume", self._internal)
        self._paused = False
        if was_paused:
            self._observer.safe_emit("resume")

    async def enable_trace_event(self, types: list[str] | None = None) -> None:
        """Enable 'trace' events: 'rtp', 'keyframe', 'nack', 'pli', 'fir'; None means none."""
        self._check_open()
        types = check_trace_event_types(types)
        await self._channel.request("producer.enableTraceEvent", self._internal, {"types": types})

    def send(self, rtp_packet: bytes) -> None:
        """Inject an RTP packet (Producers of a DirectTransport only)."""
        self._check_open()
        packet = check_bytes("rtp_packet", rtp_packet)
        self._payload_channel.notify("producer.send", self._internal, None, packet)

    def _on_notification(self, event: str, data: Any = None) -> None:
        if event == "score":
            self._score = data
            self.safe_emit("score", data)
            self._observer.safe_emit("score", data)
        elif event == "videoorientationchange":
            self.safe_emit("videoorientationchange", data)
            self._observer.safe_emit("videoorientationchange", data)
        elif event == "trace":
            self.safe_emit("trace", data)
            self._observer.safe_emit("trace", data)
        else:
            logger.error("ignoring unknown event %r [producer:%s]", event, self.id)
