"""A DataConsumer: a DataProducer's messages sent to an endpoint (mediasoup's DataConsumer.ts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .data_producer import DataChannelObject, message_payload
from .utils import check_int

if TYPE_CHECKING:
    from .channel.channel import Channel
    from .channel.payload_channel import PayloadChannel


class DataConsumer(DataChannelObject):
    """Create with :meth:`Transport.consume_data`.

    Events: 'transportclose', 'dataproducerclose', 'message'(bytes, ppid),
    'sctpsendbufferfull', 'bufferedamountlow'(amount). Observer: 'close'.
    """

    _kind_name, _id_key, _method_prefix = "DataConsumer", "dataConsumerId", "dataConsumer"

    def __init__(
        self,
        *,
        internal: dict[str, Any],
        data: dict[str, Any],
        channel: Channel,
        payload_channel: PayloadChannel,
        app_data: dict[str, Any],
    ) -> None:
        super().__init__(
            internal=internal,
            data=data,
            channel=channel,
            payload_channel=payload_channel,
            app_data=app_data,
        )
        self._channel.on(self.id, self._on_notification)
        self._payload_channel.on(self.id, self._on_payload_notification)

    @property
    def data_producer_id(self) -> str:
        return self._internal["dataProducerId"]

    async def get_buffered_amount(self) -> int:
        """Bytes queued in the SCTP send buffer (SCTP DataConsumers only)."""
        data = await self._request("getBufferedAmount")
        return data["bufferedAmount"]

    async def set_buffered_amount_low_threshold(self, threshold: int) -> None:
        self._check_open()
        check_int("threshold", threshold, 0)
        await self._request("setBufferedAmountLowThreshold", {"threshold": threshold})

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
            if not self._shut():
                return
            self.emit("@dataproducerclose")
            self.safe_emit("dataproducerclose")
            self._observer.safe_emit("close")
        elif event == "sctpsendbufferfull":
            self.safe_emit("sctpsendbufferfull")
        elif event == "bufferedamountlow":
            self.safe_emit("bufferedamountlow", (data or {}).get("bufferedAmount"))
        else:
            self._logger.error("ignoring unknown event %r [dataConsumer:%s]", event, self.id)

    def _on_payload_notification(self, event: str, data: Any, payload: bytes) -> None:
        if event == "message":
            if self._closed:
                return
            self.safe_emit("message", payload, (data or {}).get("ppid"))
        else:
            self._logger.error(
                "ignoring unknown payload event %r [dataConsumer:%s]", event, self.id
            )
