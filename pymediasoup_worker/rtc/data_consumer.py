"""A DataConsumer, as mediasoup's RTC::DataConsumer: a DataProducer's messages, sent out.

Type ``sctp`` (sent on an SCTP stream of its Transport's association) or ``direct``
(delivered to the controller as PayloadChannel ``message`` notifications). It only sends
while active: transport connected, SCTP association connected (sctp type), DataProducer
alive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ..channel.channel_request import ChannelRequest
from ..errors import MediaSoupError, MediaSoupTypeError
from ..log import logger
from .json_utils import as_uint, is_positive_integer, is_unsigned
from .sctp_dictionaries import DataEndpointSettings
from .shared import Shared

# cb(queued, sctp_send_buffer_full): how the Transport reports an SCTP send.
OnQueued = Callable[[bool, bool], None]


class DataConsumerListener(Protocol):
    def on_data_consumer_send_message(
        self, data_consumer: DataConsumer, ppid: int, msg: bytes, cb: OnQueued | None
    ) -> None: ...
    def on_data_consumer_data_producer_closed(self, data_consumer: DataConsumer) -> None: ...


class DataConsumer:
    def __init__(
        self,
        data_consumer_id: str,
        data_producer_id: str,
        shared: Shared,
        listener: DataConsumerListener,
        data: dict[str, Any],
        max_message_size: int,
    ) -> None:
        self.id = data_consumer_id
        self.data_producer_id = data_producer_id
        self.shared = shared
        self.listener = listener
        self.max_message_size = max_message_size
        self.settings = DataEndpointSettings(data)
        self.type = self.settings.type
        self.transport_connected_ = False
        self.sctp_association_connected_ = False
        self.data_producer_closed_ = False
        self.messages_sent = 0
        self.bytes_sent = 0
        self.buffered_amount = 0
        self.buffered_amount_low_threshold = 0
        self.force_trigger_buffered_amount_low = False
        self.closed = False

    def is_active(self) -> bool:
        return (
            self.transport_connected_
            and (self.type == "direct" or self.sctp_association_connected_)
            and not self.data_producer_closed_
        )

    def close(self) -> None:
        """Its Transport dropped it: nothing is sent."""
        self.closed = True

    # Channel.
    def handle_request(self, request: ChannelRequest) -> None:
        method = request.method
        if method == "dataConsumer.dump":
            request.accept(self.dump())
        elif method == "dataConsumer.getStats":
            request.accept(self.get_stats())
        elif method == "dataConsumer.getBufferedAmount":
            # The SCTP association's buffered amount, as last reported to this consumer.
            if self.type != "sctp":
                raise MediaSoupError("invalid DataConsumer type")
            request.accept({"bufferedAmount": self.buffered_amount})
        elif method == "dataConsumer.setBufferedAmountLowThreshold":
            if self.type != "sctp":
                raise MediaSoupError("invalid DataConsumer type")
            threshold = request.data.get("threshold")
            if not is_unsigned(threshold):
                raise MediaSoupTypeError("wrong bufferedAmountThreshold (not an unsigned number)")
            self.buffered_amount_low_threshold = as_uint(threshold, 32)
            request.accept()
            if self.buffered_amount <= self.buffered_amount_low_threshold:
                self.shared.notify(
                    self.id, "bufferedamountlow", {"bufferedAmount": self.buffered_amount}
                )
            else:
                self.force_trigger_buffered_amount_low = True
        else:
            raise MediaSoupError(f"unknown method '{method}'")

    def handle_payload_request(self, request: ChannelRequest) -> None:
        """``dataConsumer.send`` (PayloadChannel): SCTP only; the reply comes from the send."""
        if request.method != "dataConsumer.send":
            raise MediaSoupError(f"unknown method '{request.method}'")
        if self.type != "sctp":
            raise MediaSoupError("invalid DataConsumer type")
        ppid = request.data.get("ppid")
        if not is_positive_integer(ppid):
            raise MediaSoupTypeError("invalid ppid")
        msg = request.payload
        if len(msg) > self.max_message_size:
            # As the C++ worker: no reply at all (the controller's request times out).
            logger.warn(
                "RTC::DataConsumer::HandleRequest",
                f"given message exceeds maxMessageSize value [maxMessageSize:{self.max_message_size},"
                f" len:{len(msg)}]",
                tag="message",
            )
            return

        def on_queued(queued: bool, sctp_send_buffer_full: bool) -> None:
            if queued:
                request.accept()
            else:
                request.error(
                    "sctpsendbufferfull" if sctp_send_buffer_full else "message send failed"
                )

        self.send_message(as_uint(ppid, 32), msg, on_queued)

    def dump(self) -> dict[str, Any]:
        json: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "dataProducerId": self.data_producer_id,
        }
        self.settings.fill_json(json)
        json["bufferedAmountLowThreshold"] = self.buffered_amount_low_threshold
        return json

    def get_stats(self) -> list[dict[str, Any]]:
        return [
            {
                "type": "data-consumer",
                "timestamp": self.shared.now_ms(),
                "label": self.settings.label,
                "protocol": self.settings.protocol,
                "messagesSent": self.messages_sent,
                "bytesSent": self.bytes_sent,
                "bufferedAmount": self.buffered_amount,
            }
        ]

    # Transport events.
    def transport_connected(self) -> None:
        self.transport_connected_ = True

    def transport_disconnected(self) -> None:
        self.transport_connected_ = False

    def sctp_association_connected(self) -> None:
        self.sctp_association_connected_ = True

    def sctp_association_closed(self) -> None:
        self.sctp_association_connected_ = False

    def sctp_association_buffered_amount(self, buffered_amount: int) -> None:
        previous = self.buffered_amount
        self.buffered_amount = buffered_amount
        threshold = self.buffered_amount_low_threshold
        if (
            self.force_trigger_buffered_amount_low or previous > threshold
        ) and buffered_amount <= threshold:
            self.force_trigger_buffered_amount_low = False
            self.shared.notify(self.id, "bufferedamountlow", {"bufferedAmount": buffered_amount})

    # Router events.
    def data_producer_closed(self) -> None:
        """The DataProducer closed: notify Node, then the Transport drops this DataConsumer."""
        self.data_producer_closed_ = True
        self.shared.notify(self.id, "dataproducerclose")
        self.listener.on_data_consumer_data_producer_closed(self)

    def send_message(self, ppid: int, msg: bytes, cb: OnQueued | None = None) -> None:
        """A message of the DataProducer (or of ``dataConsumer.send``) to send out.

        Not active, or larger than maxMessageSize: dropped (and ``cb`` never called, as
        the C++ worker). Direct: delivered here as a PayloadChannel ``message``.
        """
        if not self.is_active():
            return
        if len(msg) > self.max_message_size:
            logger.warn(
                "RTC::DataConsumer::SendMessage",
                f"given message exceeds maxMessageSize value [maxMessageSize:{self.max_message_size},"
                f" len:{len(msg)}]",
                tag="message",
            )
            return
        self.messages_sent += 1
        self.bytes_sent += len(msg)
        if self.type == "direct":
            self.shared.payload_channel.notify(self.id, "message", {"ppid": ppid}, msg)
            count_sent = getattr(self.listener, "on_data_consumer_direct_message_sent", None)
            if count_sent is not None:
                count_sent(self, len(msg))
            if cb is not None:
                cb(True, False)
            return
        self.listener.on_data_consumer_send_message(self, ppid, msg, cb)
