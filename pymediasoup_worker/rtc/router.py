"""A Router, as mediasoup's RTC::Router: the container of transports and RTP observers."""

from __future__ import annotations

from typing import Any

from ..channel.channel_request import ChannelRequest
from ..channel.payload_channel_socket import PayloadNotification
from ..errors import MediaSoupError
from .shared import Shared


class Router:
    def __init__(self, router_id: str, shared: Shared) -> None:
        self.id = router_id
        self.shared = shared
        self.transports: dict[str, Any] = {}
        self.rtp_observers: dict[str, Any] = {}
        self.map_producer_id_consumer_ids: dict[str, list[str]] = {}
        self.map_consumer_id_producer_id: dict[str, str] = {}
        self.map_producer_id_observer_ids: dict[str, list[str]] = {}
        self.map_data_producer_id_data_consumer_ids: dict[str, list[str]] = {}
        self.map_data_consumer_id_data_producer_id: dict[str, str] = {}
        self.closed = False

    def close(self) -> None:
        """The Router goes away (router.close or the worker closing): nothing is sent."""
        if self.closed:
            return
        self.closed = True
        for transport in list(self.transports.values()):
            transport.close()
        self.transports.clear()
        for observer in list(self.rtp_observers.values()):
            observer.close()
        self.rtp_observers.clear()

    def dump(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "transportIds": list(self.transports),
            "rtpObserverIds": list(self.rtp_observers),
            "mapProducerIdConsumerIds": {k: list(v) for k, v in self.map_producer_id_consumer_ids.items()},
            "mapConsumerIdProducerId": dict(self.map_consumer_id_producer_id),
            "mapProducerIdObserverIds": {k: list(v) for k, v in self.map_producer_id_observer_ids.items()},
            "mapDataProducerIdDataConsumerIds": {
                k: list(v) for k, v in self.map_data_producer_id_data_consumer_ids.items()
            },
            "mapDataConsumerIdDataProducerId": dict(self.map_data_consumer_id_data_producer_id),
        }

    def handle_request(self, request: ChannelRequest) -> None:
        if request.method == "router.dump":
            request.accept(self.dump())
            return
        self._transport(request.internal).handle_request(request)

    def handle_payload_request(self, request: ChannelRequest) -> None:
        self._transport(request.internal).handle_payload_request(request)

    def handle_payload_notification(self, notification: PayloadNotification) -> None:
        self._transport(notification.internal).handle_payload_notification(notification)

    def _transport(self, internal: dict[str, Any]) -> Any:
        transport_id = internal.get("transportId")
        if not isinstance(transport_id, str):
            raise MediaSoupError("missing internal.transportId")
        transport = self.transports.get(transport_id)
        if transport is None:
            raise MediaSoupError("Transport not found")
        return transport
