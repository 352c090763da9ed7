"""A transport to the controller itself, as mediasoup's RTC::DirectTransport.

No network: RTP, RTCP and data messages travel over the PayloadChannel
(``producer.send``, ``transport.sendRtcp`` and ``dataProducer.send`` in; ``rtp``,
``rtcp`` and ``message`` notifications out), and it is always connected. It has no
``transport.connect`` (the base answers ``unknown method``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import MediaSoupTypeError
from ..log import logger
from .json_utils import as_uint, is_positive_integer
from .transport import OnQueued, Transport

if TYPE_CHECKING:
    from ..channel.payload_channel_socket import PayloadNotification

MTU_SIZE = 1500
_MAX_PACKET_SIZE = MTU_SIZE + 100
_WHERE = "RTC::DirectTransport::HandleNotification"


class DirectTransport(Transport):
    stats_type = "direct-transport"

    def is_connected(self) -> bool:
        return True

    def handle_payload_notification(self, notification: PayloadNotification) -> None:
        event = notification.event
        if event == "dataProducer.send":
            self._data_producer_send(notification)
        elif event == "producer.send":
            self._producer_send(notification.payload)
        elif event == "transport.sendRtcp":
            self._send_rtcp(notification.payload)
        else:
            super().handle_payload_notification(notification)

    def _data_producer_send(self, notification: PayloadNotification) -> None:
        data_producer = self.get_data_producer_from_internal(notification.internal)
        ppid = notification.data.get("ppid")
        if not is_positive_integer(ppid):
            raise MediaSoupTypeError("invalid ppid")
        msg = notification.payload
        if len(msg) > self.max_message_size:
            logger.warn(
                _WHERE,
                "given message exceeds maxMessageSize value "
                f"[maxMessageSize:{self.max_message_size}, len:{len(msg)}]",
                "message",
            )
            return
        data_producer.receive_message(as_uint(ppid, 32), msg)
        self.data_received(len(msg))

    def _producer_send(self, data: bytes) -> None:
        self.data_received(len(data))
        if len(data) > _MAX_PACKET_SIZE:
            logger.warn(_WHERE, f"given RTP packet exceeds maximum size [len:{len(data)}]", "rtp")
            return
        from ..core.rtp.packet import RtpPacket

        try:
            packet = RtpPacket.parse(data)
        except ValueError:
            logger.warn(_WHERE, "received data is not a valid RTP packet", "rtp")
            return
        self.receive_rtp_packet(packet)

    def _send_rtcp(self, data: bytes) -> None:
        self.data_received(len(data))
        if len(data) > _MAX_PACKET_SIZE:
            logger.warn(_WHERE, f"given RTCP packet exceeds maximum size [len:{len(data)}]", "rtcp")
            return
        self.receive_rtcp_data(data)

    # Output over the PayloadChannel (no RTCP timer: mediasoup never calls Connected() on a
    # DirectTransport, so only the Producers' feedback goes out as "rtcp").
    def send_rtp_packet(self, consumer: Any, packet: Any) -> int:
        if consumer is None:
            logger.warn(
                "RTC::DirectTransport::SendRtpPacket",
                "cannot send RTP packet not associated to a Consumer",
                "rtp",
            )
            return 0
        data = packet.serialize()
        self.shared.payload_channel.notify(consumer.id, "rtp", None, data)
        return len(data)

    def send_rtcp_packet(self, packet: Any) -> None:
        data = packet.serialize()
        self.shared.payload_channel.notify(self.id, "rtcp", None, data)
        self.data_sent(len(data))

    def send_message(
        self, data_consumer: Any, ppid: int, msg: bytes, cb: OnQueued | None = None
    ) -> None:
        self.shared.payload_channel.notify(data_consumer.id, "message", {"ppid": ppid}, msg)
        self.data_sent(len(msg))
