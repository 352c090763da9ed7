"""A DataProducer: data messages an endpoint sends into a Router (mediasoup's DataProducer.ts)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .enhanced_event_emitter import EnhancedEventEmitter
from .errors import InvalidStateError, MediasoupError
from .utils import check_int, request_close

if TYPE_CHECKING:
    from .channel.channel import Channel
    from .channel.payload_channel import PayloadChannel

logger = logging.getLogger("pymediasoup.DataProducer")

# SCTP payload protocol identifiers of WebRTC DataChannel messages (RFC 8831).
PPID_STRING = 51
PPID_BINARY = 53
PPID_STRING_EMPTY = 56
PPID_BINARY_EMPTY = 57


def message_payload(message: Any, ppid: int | None) -> tuple[bytes, int]:
    """The payload and ppid of a DataChannel message, by mediasoup's rules.

    Without ``ppid``: a ``str`` is 51 (56 when empty), ``bytes`` 53 (57 when empty).
    An empty message cannot travel, so ppid 56 sends ``b' '`` and 57 sends ``b'\\x00'``.
    """
    if isinstance(message, str):
        payload = message.encode()
        default_ppid = PPID_STRING if payload else PPID_STRING_EMPTY
    elif isinstance(message, (bytes, bytearray, memoryview)):
        payload = bytes(message)
        default_ppid = PPID_BINARY if payload else PPID_BINARY_EMPTY
    else:
        raise TypeError(f"message must be a str or bytes, not {type(message).__name__}")
    if ppid is None:
        ppid = default_ppid
    else:
        check_int("ppid", ppid, 0)
    if ppid == PPID_STRING_EMPTY:
        payload = b" "
    elif ppid == PPID_BINARY_EMPTY:
        payload = b"\x00"
    return payload, ppid


class DataProducer(EnhancedEventEmitter):
    """Create with :meth:`Transport.produce_data`.

    Events: 'transportclose'. Observer: 'close'.
    """

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

    @property
    def id(self) -> str:
        return self._internal["dataProducerId"]

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def type(self) -> str:
        """'sctp' or 'direct'."""
        return self._data["type"]

    @property
    def sctp_stream_parameters(self) -> dict[str, Any] | None:
        return self._data.get("sctpStreamParameters")

    @property
    def label(self) -> str:
        return self._data.get("label", "")

    @property
    def protocol(self) -> str:
        return self._data.get("protocol", "")

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
            raise InvalidStateError("DataProducer closed")

    def _shut(self) -> None:
        self._closed = True
        self._channel.remove_all_listeners(self.id)
        self._payload_channel.remove_all_listeners(self.id)

    def close(self) -> None:
        if self._closed:
            return
        logger.debug("close() [id:%s]", self.id)
        self._shut()
        request_close(self._channel, "dataProducer.close", self._internal)
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
        return await self._channel.request("dataProducer.dump", self._internal)

    async def get_stats(self) -> list[dict[str, Any]]:
        self._check_open()
        return await self._channel.request("dataProducer.getStats", self._internal)

    def send(self, message: str | bytes, ppid: int | None = None) -> None:
        """Send a message into the Router (DataProducers of a DirectTransport only)."""
        self._check_open()
        payload, ppid = message_payload(message, ppid)
        self._payload_channel.notify("dataProducer.send", self._internal, {"ppid": ppid}, payload)
