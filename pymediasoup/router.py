"""A Router: a media room inside a Worker (mediasoup's Router.ts)."""

from __future__ import annotations

import copy
import logging
from typing import TYPE_CHECKING, Any

from .enhanced_event_emitter import EnhancedEventEmitter
from .errors import InvalidStateError

if TYPE_CHECKING:
    from .channel.channel import Channel
    from .channel.payload_channel import PayloadChannel

logger = logging.getLogger("pymediasoup.Router")


class Router(EnhancedEventEmitter):
    """Create with :meth:`pymediasoup.Worker.create_router`."""

    def __init__(
        self,
        *,
        internal: dict[str, Any],
        data: dict[str, Any],
        channel: Channel,
        payload_channel: PayloadChannel,
        app_data: dict[str, Any],
    ) -> None:
        super().__init__()
        self._internal = internal
        self._data = data
        self._channel = channel
        self._payload_channel = payload_channel
        self._app_data = app_data
        self._closed = False
        self._transports: dict[str, Any] = {}
        self._producers: dict[str, Any] = {}
        self._rtp_observers: dict[str, Any] = {}
        self._data_producers: dict[str, Any] = {}
        self._observer = EnhancedEventEmitter()

    @property
    def id(self) -> str:
        return self._internal["routerId"]

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def rtp_capabilities(self) -> dict[str, Any]:
        return self._data["rtpCapabilities"]

    @property
    def app_data(self) -> dict[str, Any]:
        return self._app_data

    @property
    def observer(self) -> EnhancedEventEmitter:
        return self._observer

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidStateError("Router closed")

    def close(self) -> None:
        if self._closed:
            return
        logger.debug("close()")
        self._closed = True
        self._channel.request_nowait("router.close", self._internal)
        self._close_children()
        self.emit("@close")
        self._observer.safe_emit("close")

    def worker_closed(self) -> None:
        """The Worker closed: nothing is sent; 'workerclose' is emitted."""
        if self._closed:
            return
        logger.debug("workerClosed()")
        self._closed = True
        self._close_children()
        self.safe_emit("workerclose")
        self._observer.safe_emit("close")

    def _close_children(self) -> None:
        for transport in list(self._transports.values()):
            transport.router_closed()
        self._transports.clear()
        self._producers.clear()
        for rtp_observer in list(self._rtp_observers.values()):
            rtp_observer.router_closed()
        self._rtp_observers.clear()
        self._data_producers.clear()

    async def dump(self) -> dict[str, Any]:
        self._check_open()
        return await self._channel.request("router.dump", self._internal)

    def can_consume(self, *, producer_id: str, rtp_capabilities: dict[str, Any]) -> bool:
        from . import ortc

        producer = self._producers.get(producer_id)
        if producer is None:
            logger.error('can_consume() | Producer with id "%s" not found', producer_id)
            return False
        try:
            return ortc.can_consume(producer.consumable_rtp_parameters, copy.deepcopy(rtp_capabilities))
        except Exception as exc:  # noqa: BLE001 - mediasoup answers False on any error
            logger.error("can_consume() | unexpected error: %s", exc)
            return False
