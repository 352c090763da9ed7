"""A DirectTransport: RTP, RTCP and data messages to and from this Python process
through the PayloadChannel (mediasoup's DirectTransport.ts)."""

from __future__ import annotations

import logging
from typing import Any

from .data_producer import DataProducer
from .errors import UnsupportedError
from .transport import Transport
from .utils import check_bytes

logger = logging.getLogger("pymediasoup.DirectTransport")


class DirectTransport(Transport):
    """Create with :meth:`Router.create_direct_transport`.

    Producers on it take RTP with :meth:`Producer.send`, Consumers emit 'rtp'(bytes);
    DataProducers take messages with :meth:`DataProducer.send`, DataConsumers emit
    'message'(bytes, ppid). Events: 'rtcp'(bytes), 'trace', 'routerclose'.
    """

    _kind_name = "DirectTransport"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._payload_channel.on(self.id, self._on_payload_notification)

    async def connect(self) -> None:  # type: ignore[override]
        """Nothing to connect: a no-op, as in mediasoup."""
        self._check_open()

    async def set_max_incoming_bitrate(self, bitrate: int) -> None:
        self._check_open()
        raise UnsupportedError("set_max_incoming_bitrate() not implemented in DirectTransport")

    async def set_max_outgoing_bitrate(self, bitrate: int) -> None:
        self._check_open()
        raise UnsupportedError("set_max_outgoing_bitrate() not implemented in DirectTransport")

    def send_rtcp(self, rtcp_packet: bytes) -> None:
        """Send an RTCP packet to the Router (its Producers' and Consumers' streams)."""
        self._check_open()
        packet = check_bytes("rtcp_packet", rtcp_packet)
        self._payload_channel.notify("transport.sendRtcp", self._internal, None, packet)

    def _data_producer_params(self, sctp_stream_parameters: Any) -> tuple[str, Any]:
        if sctp_stream_parameters is not None:
            logger.warning(
                "produce_data() | sctp_stream_parameters are ignored on a DirectTransport"
            )
        return "direct", None

    def _data_consumer_params(
        self,
        data_producer: DataProducer,
        ordered: bool | None,
        max_packet_life_time: int | None,
        max_retransmits: int | None,
    ) -> tuple[str, dict[str, Any] | None, int | None]:
        if ordered is not None or max_packet_life_time is not None or max_retransmits is not None:
            logger.warning(
                "consume_data() | ordered, max_packet_life_time and max_retransmits are "
                "ignored on a DirectTransport"
            )
        return "direct", None, None

    def _handle_notification(self, event: str, data: Any) -> bool:
        if event == "trace":
            return super()._handle_notification(event, data)
        return False

    def _on_payload_notification(self, event: str, data: Any, payload: bytes) -> None:
        if event == "rtcp":
            if not self._closed:
                self.safe_emit("rtcp", payload)
        else:
            logger.error("ignoring unknown payload event %r [transport:%s]", event, self.id)
