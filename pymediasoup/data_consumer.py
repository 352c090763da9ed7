"""A DataConsumer: a DataProducer's messages sent to an endpoint (mediasoup's DataConsumer.ts)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .data_producer import message_payload
from .enhanced_event_emitter import EnhancedEventEmitter
from .errors import InvalidStateError, MediasoupError
from .utils import check_int, request_close

if TYPE_CHECKING:
    from .channel.channel import Channel
    from .channel.payload_channel import PayloadChannel

logger = logging.getLogger("pymediasoup.DataConsumer")


class DataConsumer(EnhancedEventEmitter):
    """Create with :meth:`Transport.consume_data`.

    Events: 'transportclose', 'dataproducerclose', 'message'(bytes, ppid),
    'sctpsendbufferfull', 'bufferedamountlow'(amount). Observer: 'close'.
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
        self._channel.on(self.id, self._on_notification)
        self._payload_channel.on(self.id, self._on_payload_notification)

    @property
    def id(self) -> str:
        return self._internal["dataConsumerId"]

    @property
    def data_producer_id(self) -> str:
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
            raise InvalidStateError("DataConsumer closed")

    def _shut(self) -> None:
        self._closed = True
        self._channel.remove_all_listeners(self.id)
        self._payload_channel.remove_all_listeners(self.id)

    def close(self) -> None:
        if self._closed:
            return
        logger.debug("close() [id:%s]", self.id)
        self._shut()
        request_close(self._channel, "dataConsumer.close", self._internal)
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
        return await self._channel.request("dataConsumer.dump", self._internal)

    async def get_stats(self) -> list[dict[str, Any]]:
        self._check_open()
        return await self._channel.request("dataConsumer.getStats", self._internal)

    async def get_buffered_amount(self) -> int:
        """Bytes queued in the SCTP send buffer (SCTP DataConsumers only)."""
        self._check_open()
        data = await self._channel.request("dataConsumer.getBufferedAmount", self._internal)
        return data["bufferedAmount"]

    async def set_buffered_amount_low_threshold(self, threshold: int) -> None:
        self._check_open()
        check_int("threshold", threshold, 0)
        await self._channel.request(
            "dataConsumer.setBufferedAmountLowThreshold", self._internal, {"threshold": threshold}
        )

    async def send(self, message: str | bytes, ppid: int | None = None) -> None:
        """Send a message to the endpoint through this DataConsumer's SCTP stream.

        ppid rules as :meth:`DataProducer.send`. The worker answers only once the message
        is queued; it does not answer at all while SCTP is not connected (mediasoup 3.7).
        """
        self._check_open()
        payload, ppid = message_payload(message, ppid)
        await self._payload_channel.request(
            "dataConsumer.send", self._internal, {"ppid": ppid}, payload
        )

    def _on_notification(self, event: str, data: Any = None) -> None:
        if event == "dataproducerclose":
            if self._closed:
                return
            self._shut()
            self.emit("@dataproducerclose")
            self.safe_emit("dataproducerclose")
            self._observer.safe_emit("close")
        elif event == "sctpsendbufferfull":
            self.safe_emit("sctpsendbufferfull")
        elif event == "bufferedamountlow":
            self.safe_emit("bufferedamountlow", (data or {}).get("bufferedAmount"))
        else:
            logger.error("ignoring unknown event %r [dataConsumer:%s]", event, self.id)

    def _on_payload_notification(self, event: str, data: Any, payload: bytes) -> None:
        if event == "message":
            if self._closed:
                return
            self.safe_emit("message", payload, (data or {}).get("ppid"))
        else:
            logger.error("ignoring unknown payload event %r [dataConsumer:%s]", event, self.id)
