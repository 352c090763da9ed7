"""The base of the RTP observers (mediasoup's RtpObserver.ts): they watch the RTP of
some audio Producers of a Router."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .enhanced_event_emitter import EnhancedEventEmitter
from .errors import InvalidStateError, MediasoupError
from .utils import request_close

if TYPE_CHECKING:
    from .channel.channel import Channel
    from .channel.payload_channel import PayloadChannel
    from .producer import Producer

logger = logging.getLogger("pymediasoup.RtpObserver")


class RtpObserver(EnhancedEventEmitter):
    """Common part of AudioLevelObserver and ActiveSpeakerObserver.

    Events: 'routerclose'. Observer: 'close', 'pause', 'resume', 'addproducer'(producer),
    'removeproducer'(producer).
    """

    _kind_name = "RtpObserver"

    def __init__(
        self,
        *,
        internal: dict[str, Any],
        channel: Channel,
        payload_channel: PayloadChannel,
        app_data: dict[str, Any],
        get_producer_by_id: Callable[[str], Producer | None],
    ) -> None:
        super().__init__()
        self._internal = internal
        self._channel = channel
        self._payload_channel = payload_channel
        self._app_data = app_data
        self._get_producer_by_id = get_producer_by_id
        self._closed = False
        self._paused = False
        self._observer = EnhancedEventEmitter()
        self._channel.on(self.id, self._on_notification)

    @property
    def id(self) -> str:
        return self._internal["rtpObserverId"]

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def paused(self) -> bool:
        return self._paused

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
            raise InvalidStateError(f"{self._kind_name} closed")

    def _shut(self) -> None:
        self._closed = True
        self._channel.remove_all_listeners(self.id)
        self._payload_channel.remove_all_listeners(self.id)

    def close(self) -> None:
        if self._closed:
            return
        logger.debug("close() [id:%s]", self.id)
        self._shut()
        request_close(self._channel, "rtpObserver.close", self._internal)
        self.emit("@close")
        self._observer.safe_emit("close")

    def router_closed(self) -> None:
        """The Router (or its Worker) closed: nothing is sent; 'routerclose' is emitted."""
        if self._closed:
            return
        logger.debug("router_closed() [id:%s]", self.id)
        self._shut()
        self.safe_emit("routerclose")
        self._observer.safe_emit("close")

    async def dump(self) -> dict[str, Any]:
        """The Router's view of this observer (RTP observers have no dump request of their
        own in mediasoup 3.7): ``{id, paused, producerIds}``."""
        self._check_open()
        router_dump = await self._channel.request(
            "router.dump", {"routerId": self._internal["routerId"]}
        )
        producer_ids = [
            producer_id
            for producer_id, observer_ids in (
                router_dump.get("mapProducerIdObserverIds") or {}
            ).items()
            if self.id in observer_ids
        ]
        return {"id": self.id, "paused": self._paused, "producerIds": producer_ids}

    async def pause(self) -> None:
        self._check_open()
        was_paused = self._paused
        await self._channel.request("rtpObserver.pause", self._internal)
        self._paused = True
        if not was_paused:
            self._observer.safe_emit("pause")

    async def resume(self) -> None:
        self._check_open()
        was_paused = self._paused
        await self._channel.request("rtpObserver.resume", self._internal)
        self._paused = False
        if was_paused:
            self._observer.safe_emit("resume")

    def _check_producer_id(self, producer_id: Any) -> Producer | None:
        if not isinstance(producer_id, str) or not producer_id:
            raise TypeError("missing producerId")
        return self._get_producer_by_id(producer_id)

    async def add_producer(self, *, producer_id: str) -> None:
        """Watch this audio Producer (of the same Router)."""
        self._check_open()
        producer = self._check_producer_id(producer_id)
        await self._channel.request(
            "rtpObserver.addProducer", {**self._internal, "producerId": producer_id}
        )
        self._observer.safe_emit("addproducer", producer)

    async def remove_producer(self, *, producer_id: str) -> None:
        self._check_open()
        producer = self._check_producer_id(producer_id)
        await self._channel.request(
            "rtpObserver.removeProducer", {**self._internal, "producerId": producer_id}
        )
        self._observer.safe_emit("removeproducer", producer)

    def _on_notification(self, event: str, data: Any = None) -> None:
        logger.error("ignoring unknown event %r [rtpObserver:%s]", event, self.id)
