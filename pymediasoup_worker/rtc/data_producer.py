"""A DataProducer, as mediasoup's RTC::DataProducer: messages a client sends into a Transport.

Type ``sctp`` (an SCTP stream of the transport's association, with its
SctpStreamParameters) or ``direct`` (messages from the controller over the
PayloadChannel, on a DirectTransport).
"""

from __future__ import annotations

from typing import Any, Protocol

from ..channel.channel_request import ChannelRequest
from ..errors import MediaSoupError
from .sctp_dictionaries import DataEndpointSettings
from .shared import Shared


class DataProducerListener(Protocol):
    def on_data_producer_message_received(
        self, data_producer: DataProducer, ppid: int, msg: bytes
    ) -> None: ...


class DataProducer:
    def __init__(
        self,
        data_producer_id: str,
        max_message_size: int,
        shared: Shared,
        listener: DataProducerListener,
        data: dict[str, Any],
    ) -> None:
        self.id = data_producer_id
        self.max_message_size = max_message_size
        self.shared = shared
        self.listener = listener
        self.settings = DataEndpointSettings(data)
        self.type = self.settings.type
        # What the Transport's SctpListener reads (the validated JSON shape).
        self.sctp_stream_parameters = self.settings.sctp_stream_parameters
        self.messages_received = 0
        self.bytes_received = 0
        self.closed = False

    def close(self) -> None:
        """Its Transport dropped it: nothing is sent."""
        self.closed = True

    def handle_request(self, request: ChannelRequest) -> None:
        if request.method == "dataProducer.dump":
            request.accept(self.dump())
        elif request.method == "dataProducer.getStats":
            request.accept(self.get_stats())
        else:
            raise MediaSoupError(f"unknown method '{request.method}'")

    def dump(self) -> dict[str, Any]:
        json: dict[str, Any] = {"id": self.id, "type": self.type}
        self.settings.fill_json(json)
        return json

    def get_stats(self) -> list[dict[str, Any]]:
        return [
            {
                "type": "data-producer",
                "timestamp": self.shared.now_ms(),
                "label": self.settings.label,
                "protocol": self.settings.protocol,
                "messagesReceived": self.messages_received,
                "bytesReceived": self.bytes_received,
            }
        ]

    def receive_message(self, ppid: int, msg: bytes) -> None:
        """A message from the client (SCTP) or the controller (direct)."""
        self.messages_received += 1
        self.bytes_received += len(msg)
        self.listener.on_data_producer_message_received(self, ppid, msg)
