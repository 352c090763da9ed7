"""What the objects behind a worker's channel share: identity, app_data, observer, closing.

Producer, Consumer, DataProducer, DataConsumer and the RTP observers are each a
``ChannelObject``: ``close()`` sends ``<prefix>.close`` without waiting and emits '@close'
(for the parent) and the observer's 'close'; ``_parent_closed(event)`` is the silent
variant used when the parent went away, emitting ``event`` ('transportclose',
'routerclose') instead. ``dump()`` and ``get_stats()`` are ``<prefix>.dump/getStats``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .enhanced_event_emitter import EnhancedEventEmitter
from .errors import InvalidStateError, MediasoupError
from .utils import request_close

if TYPE_CHECKING:
    from .channel.channel import Channel
    from .channel.payload_channel import PayloadChannel


class ChannelObject(EnhancedEventEmitter):
    # Set by each subclass: its name in messages, its id key in `internal`, its method prefix.
    _kind_name = ""
    _id_key = ""
    _method_prefix = ""

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
        self._observer = EnhancedEventEmitter()
        self._logger = logging.getLogger(f"pymediasoup.{self._kind_name}")

    @property
    def id(self) -> str:
        return self._internal[self._id_key]

    @property
    def closed(self) -> bool:
        return self._closed

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

    def _shut(self) -> bool:
        """Mark closed and stop listening; False when it was closed already."""
        if self._closed:
            return False
        self._closed = True
        self._channel.remove_all_listeners(self.id)
        self._payload_channel.remove_all_listeners(self.id)
        return True

    def close(self) -> None:
        if not self._shut():
            return
        self._logger.debug("close() [id:%s]", self.id)
        request_close(self._channel, f"{self._method_prefix}.close", self._internal)
        self.emit("@close")
        self._observer.safe_emit("close")

    def _parent_closed(self, event: str) -> None:
        """The parent closed: nothing is sent; ``event`` and the observer's 'close' are emitted."""
        if not self._shut():
            return
        self._logger.debug("%s [id:%s]", event, self.id)
        self.safe_emit(event)
        self._observer.safe_emit("close")

    async def _request(self, method: str, data: Any = None) -> Any:
        self._check_open()
        return await self._channel.request(f"{self._method_prefix}.{method}", self._internal, data)

    async def dump(self) -> dict[str, Any]:
        return await self._request("dump")

    async def get_stats(self) -> list[dict[str, Any]]:
        return await self._request("getStats")
