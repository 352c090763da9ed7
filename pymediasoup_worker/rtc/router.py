"""A Router, as mediasoup's RTC::Router: the container of transports and RTP observers.

It answers ``router.*``, ``transport.close`` and ``rtpObserver.*`` and passes every other
request to the Transport named in ``internal.transportId``. As every Transport's listener
(mediasoup's Transport::Listener) it keeps the router-wide bookkeeping: which Consumers
follow which Producer, which DataConsumers which DataProducer, which RTP observers watch
which Producer, and it fans a Producer's events (pause, resume, close, streams, scores,
packets) out to them.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from ..channel.channel_request import ChannelRequest
from ..channel.payload_channel_socket import PayloadNotification
from ..core.rtp.header_extensions import MID, MID_MAX_LENGTH
from ..errors import MediaSoupError
from .active_speaker_observer import ActiveSpeakerObserver
from .audio_level_observer import AudioLevelObserver
from .consumer import mid_slot
from .rtp_observer import RtpObserver
from .shared import Shared

if TYPE_CHECKING:
    from .consumer import Consumer
    from .data_consumer import DataConsumer
    from .data_producer import DataProducer
    from .producer import Producer

CREATE_TRANSPORT_METHODS = frozenset(
    {
        "router.createWebRtcTransport",
        "router.createPlainTransport",
        "router.createPipeTransport",
        "router.createDirectTransport",
    }
)
CREATE_RTP_OBSERVER_METHODS: dict[str, type[AudioLevelObserver] | type[ActiveSpeakerObserver]] = {
    "router.createAudioLevelObserver": AudioLevelObserver,
    "router.createActiveSpeakerObserver": ActiveSpeakerObserver,
}

# Ordered sets: dicts whose values are unused.
OrderedSet = dict


class Router:
    def __init__(self, router_id: str, shared: Shared) -> None:
        self.id = router_id
        self.shared = shared
        self.transports: dict[str, Any] = {}
        self.rtp_observers: dict[str, RtpObserver] = {}
        self.map_producers: dict[str, Producer] = {}
        self.map_producer_consumers: dict[Producer, OrderedSet[Consumer, None]] = {}
        self.map_consumer_producer: dict[Consumer, Producer] = {}
        self.map_producer_rtp_observers: dict[Producer, OrderedSet[RtpObserver, None]] = {}
        self.map_data_producers: dict[str, DataProducer] = {}
        self.map_data_producer_data_consumers: dict[
            DataProducer, OrderedSet[DataConsumer, None]
        ] = {}
        self.map_data_consumer_data_producer: dict[DataConsumer, DataProducer] = {}
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
        self.map_producers.clear()
        self.map_producer_consumers.clear()
        self.map_consumer_producer.clear()
        self.map_producer_rtp_observers.clear()
        self.map_data_producers.clear()
        self.map_data_producer_data_consumers.clear()
        self.map_data_consumer_data_producer.clear()

    def dump(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "transportIds": list(self.transports),
            "rtpObserverIds": list(self.rtp_observers),
            "mapProducerIdConsumerIds": {
                p.id: [c.id for c in consumers]
                for p, consumers in self.map_producer_consumers.items()
            },
            "mapConsumerIdProducerId": {c.id: p.id for c, p in self.map_consumer_producer.items()},
            "mapProducerIdObserverIds": {
                p.id: [o.id for o in observers]
                for p, observers in self.map_producer_rtp_observers.items()
            },
            "mapDataProducerIdDataConsumerIds": {
                dp.id: [dc.id for dc in dcs]
                for dp, dcs in self.map_data_producer_data_consumers.items()
            },
            "mapDataConsumerIdDataProducerId": {
                dc.id: dp.id for dc, dp in self.map_data_consumer_data_producer.items()
            },
        }

    # Channel.
    def handle_request(self, request: ChannelRequest) -> Awaitable[None] | None:
        method = request.method
        if method == "router.dump":
            request.accept(self.dump())
        elif method in CREATE_TRANSPORT_METHODS:
            return self._create_transport(request)
        elif method in CREATE_RTP_OBSERVER_METHODS:
            rtp_observer_id = self._new_rtp_observer_id(request.internal)
            observer_class = CREATE_RTP_OBSERVER_METHODS[method]
            self.rtp_observers[rtp_observer_id] = observer_class(
                rtp_observer_id, self.shared, request.data
            )
            request.accept()
        elif method == "transport.close":
            transport = self._transport(request.internal)
            # The Transport reports each Producer/Consumer/DataProducer/DataConsumer it
            # closes (so that their consumers elsewhere learn it), then goes away.
            transport.close_producers_and_consumers()
            del self.transports[transport.id]
            transport.close()
            request.accept()
        elif method == "rtpObserver.close":
            observer = self._rtp_observer(request.internal)
            del self.rtp_observers[observer.id]
            for observers in self.map_producer_rtp_observers.values():
                observers.pop(observer, None)
            observer.close()
            request.accept()
        elif method == "rtpObserver.pause":
            self._rtp_observer(request.internal).pause()
            request.accept()
        elif method == "rtpObserver.resume":
            self._rtp_observer(request.internal).resume()
            request.accept()
        elif method == "rtpObserver.addProducer":
            observer = self._rtp_observer(request.internal)
            producer = self._producer(request.internal)
            observer.add_producer(producer)
            self.map_producer_rtp_observers.setdefault(producer, {})[observer] = None
            request.accept()
        elif method == "rtpObserver.removeProducer":
            observer = self._rtp_observer(request.internal)
            producer = self._producer(request.internal)
            observer.remove_producer(producer)
            self.map_producer_rtp_observers.setdefault(producer, {}).pop(observer, None)
            request.accept()
        else:
            return self._transport(request.internal).handle_request(request)  # type: ignore[no-any-return]
        return None

    def handle_payload_request(self, request: ChannelRequest) -> None:
        self._transport(request.internal).handle_payload_request(request)

    def handle_payload_notification(self, notification: PayloadNotification) -> None:
        self._transport(notification.internal).handle_payload_notification(notification)

    def _create_transport(self, request: ChannelRequest) -> Awaitable[None] | None:
        from .transport_factory import create_transport  # written apart; loaded on first use

        transport_id = self._new_transport_id(request.internal)
        created = create_transport(request.method, transport_id, self.shared, self, request.data)
        if not inspect.isawaitable(created):
            self._add_transport(request, transport_id, created)
            return None

        async def finish() -> None:
            transport = await created
            if self.closed:  # the router closed meanwhile: nothing to attach it to
                transport.close()
                raise MediaSoupError("Router closed")
            self._add_transport(request, transport_id, transport)

        return finish()

    def _add_transport(self, request: ChannelRequest, transport_id: str, transport: Any) -> None:
        if transport_id in self.transports:
            transport.close()
            raise MediaSoupError("a Transport with same transportId already exists")
        self.transports[transport_id] = transport
        request.accept(transport.dump())

    def _new_transport_id(self, internal: dict[str, Any]) -> str:
        transport_id = internal.get("transportId")
        if not isinstance(transport_id, str):
            raise MediaSoupError("missing internal.transportId")
        if transport_id in self.transports:
            raise MediaSoupError("a Transport with same transportId already exists")
        return transport_id

    def _transport(self, internal: dict[str, Any]) -> Any:
        transport_id = internal.get("transportId")
        if not isinstance(transport_id, str):
            raise MediaSoupError("missing internal.transportId")
        transport = self.transports.get(transport_id)
        if transport is None:
            raise MediaSoupError("Transport not found")
        return transport

    def _new_rtp_observer_id(self, internal: dict[str, Any]) -> str:
        rtp_observer_id = internal.get("rtpObserverId")
        if not isinstance(rtp_observer_id, str):
            raise MediaSoupError("missing internal.rtpObserverId")
        if rtp_observer_id in self.rtp_observers:
            raise MediaSoupError("an RtpObserver with same rtpObserverId already exists")
        return rtp_observer_id

    def _rtp_observer(self, internal: dict[str, Any]) -> RtpObserver:
        rtp_observer_id = internal.get("rtpObserverId")
        if not isinstance(rtp_observer_id, str):
            raise MediaSoupError("missing internal.rtpObserverId")
        observer = self.rtp_observers.get(rtp_observer_id)
        if observer is None:
            raise MediaSoupError("RtpObserver not found")
        return observer

    def _producer(self, internal: dict[str, Any]) -> Producer:
        producer_id = internal.get("producerId")
        if not isinstance(producer_id, str):
            raise MediaSoupError("missing internal.producerId")
        producer = self.map_producers.get(producer_id)
        if producer is None:
            raise MediaSoupError("Producer not found")
        return producer

    # Transport::Listener: producers.
    def on_transport_new_producer(self, transport: Any, producer: Producer) -> None:
        if producer.id in self.map_producers:
            raise MediaSoupError(
                f"Producer already present in mapProducers [producerId:{producer.id}]"
            )
        self.map_producers[producer.id] = producer
        self.map_producer_consumers[producer] = {}
        self.map_producer_rtp_observers[producer] = {}

    def on_transport_producer_closed(self, transport: Any, producer: Producer) -> None:
        if self.closed:
            return  # the whole Router is going away: nothing is notified (mediasoup's destructor)
        # Each consumer notifies `producerclose` and its transport drops it, which calls
        # on_transport_consumer_producer_closed() below (that only fixes the reverse map).
        for consumer in list(self.map_producer_consumers.get(producer, ())):
            consumer.producer_closed()
        for observer in list(self.map_producer_rtp_observers.get(producer, ())):
            observer.remove_producer(producer)
        self.map_producers.pop(producer.id, None)
        self.map_producer_consumers.pop(producer, None)
        self.map_producer_rtp_observers.pop(producer, None)

    def on_transport_producer_paused(self, transport: Any, producer: Producer) -> None:
        for consumer in list(self.map_producer_consumers.get(producer, ())):
            consumer.producer_paused()
        for observer in list(self.map_producer_rtp_observers.get(producer, ())):
            observer.producer_paused(producer)

    def on_transport_producer_resumed(self, transport: Any, producer: Producer) -> None:
        for consumer in list(self.map_producer_consumers.get(producer, ())):
            consumer.producer_resumed()
        for observer in list(self.map_producer_rtp_observers.get(producer, ())):
            observer.producer_resumed(producer)

    def on_transport_producer_new_rtp_stream(
        self, transport: Any, producer: Producer, rtp_stream: Any, mapped_ssrc: int
    ) -> None:
        for consumer in list(self.map_producer_consumers.get(producer, ())):
            consumer.producer_new_rtp_stream(rtp_stream, mapped_ssrc)

    def on_transport_producer_rtp_stream_score(
        self, transport: Any, producer: Producer, rtp_stream: Any, score: int, previous_score: int
    ) -> None:
        for consumer in list(self.map_producer_consumers.get(producer, ())):
            consumer.producer_rtp_stream_score(rtp_stream, score, previous_score)

    def on_transport_producer_rtcp_sender_report(
        self, transport: Any, producer: Producer, rtp_stream: Any, first: bool
    ) -> None:
        for consumer in list(self.map_producer_consumers.get(producer, ())):
            consumer.producer_rtcp_sender_report(rtp_stream, first)

    def on_transport_producer_rtp_packet_received(
        self, transport: Any, producer: Producer, packet: Any, now_ms: int
    ) -> None:
        """Fan a mangled packet out: each Consumer's MID, then the Consumer, then observers.

        Each Consumer's MID is one slice store over the MID element the Producer's
        mangling left room for (see consumer.mid_slot); it is not restored afterwards, as
        mediasoup. SimpleConsumers write their seq and SSRC into the bytes only: they
        are written back once, after the last Consumer.
        """
        consumers = self.map_producer_consumers.get(producer)
        if consumers:
            buf = packet.buffer
            mid_pos = mid_slot(buf)
            mid_end = mid_pos + 1 + MID_MAX_LENGTH
            for consumer in consumers:
                element = consumer.mid_element
                if element is not None:
                    if mid_pos:
                        buf[mid_pos:mid_end] = element
                    else:
                        packet.update_mid(MID, consumer.params.mid)
                consumer.send_rtp_packet(packet, now_ms)
            packet.restore_seq_ssrc()
        observers = self.map_producer_rtp_observers.get(producer)
        if observers:
            for observer in observers:
                observer.receive_rtp_packet(producer, packet)

    def on_transport_need_worst_remote_fraction_lost(
        self, transport: Any, producer: Producer, mapped_ssrc: int
    ) -> int:
        worst = 0
        for consumer in self.map_producer_consumers.get(producer, ()):
            worst = consumer.need_worst_remote_fraction_lost(mapped_ssrc, worst)
        return worst

    # Transport::Listener: consumers.
    def on_transport_new_consumer(
        self, transport: Any, consumer: Consumer, producer_id: str
    ) -> None:
        producer = self.map_producers.get(producer_id)
        if producer is None:
            raise MediaSoupError(f"Producer not found [producerId:{producer_id}]")
        # The new Consumer starts with its Producer's state: paused, streams, scores.
        if producer.paused:
            consumer.producer_paused()
        self.map_producer_consumers[producer][consumer] = None
        self.map_consumer_producer[consumer] = producer
        for rtp_stream, mapped_ssrc in producer.get_rtp_streams():
            consumer.producer_rtp_stream(rtp_stream, mapped_ssrc)
        consumer.producer_rtp_stream_scores(producer.rtp_stream_scores)

    def on_transport_consumer_closed(self, transport: Any, consumer: Consumer) -> None:
        """The Consumer closed while its Producer lives on."""
        producer = self.map_consumer_producer.pop(consumer, None)
        if producer is not None:
            self.map_producer_consumers.get(producer, {}).pop(consumer, None)

    def on_transport_consumer_producer_closed(self, transport: Any, consumer: Consumer) -> None:
        """The Consumer closed because its Producer did (the Producer's entry goes too)."""
        self.map_consumer_producer.pop(consumer, None)

    def on_transport_consumer_key_frame_requested(
        self, transport: Any, consumer: Consumer, mapped_ssrc: int
    ) -> None:
        producer = self.map_consumer_producer.get(consumer)
        if producer is not None:
            producer.request_key_frame(mapped_ssrc)

    # Transport::Listener: data producers and consumers.
    def on_transport_new_data_producer(self, transport: Any, data_producer: DataProducer) -> None:
        if data_producer.id in self.map_data_producers:
            raise MediaSoupError(
                f"DataProducer already present in mapDataProducers [dataProducerId:{data_producer.id}]"
            )
        self.map_data_producers[data_producer.id] = data_producer
        self.map_data_producer_data_consumers[data_producer] = {}

    def on_transport_data_producer_closed(
        self, transport: Any, data_producer: DataProducer
    ) -> None:
        if self.closed:
            return  # the whole Router is going away: nothing is notified
        for data_consumer in list(self.map_data_producer_data_consumers.get(data_producer, ())):
            data_consumer.data_producer_closed()
        self.map_data_producers.pop(data_producer.id, None)
        self.map_data_producer_data_consumers.pop(data_producer, None)

    def on_transport_data_producer_message_received(
        self, transport: Any, data_producer: DataProducer, ppid: int, msg: bytes
    ) -> None:
        for data_consumer in list(self.map_data_producer_data_consumers.get(data_producer, ())):
            data_consumer.send_message(ppid, msg)

    def on_transport_new_data_consumer(
        self, transport: Any, data_consumer: DataConsumer, data_producer_id: str
    ) -> None:
        data_producer = self.map_data_producers.get(data_producer_id)
        if data_producer is None:
            raise MediaSoupError(f"DataProducer not found [dataProducerId:{data_producer_id}]")
        self.map_data_producer_data_consumers[data_producer][data_consumer] = None
        self.map_data_consumer_data_producer[data_consumer] = data_producer

    def on_transport_data_consumer_closed(
        self, transport: Any, data_consumer: DataConsumer
    ) -> None:
        """The DataConsumer closed while its DataProducer lives on."""
        data_producer = self.map_data_consumer_data_producer.pop(data_consumer, None)
        if data_producer is not None:
            self.map_data_producer_data_consumers.get(data_producer, {}).pop(data_consumer, None)

    def on_transport_data_consumer_data_producer_closed(
        self, transport: Any, data_consumer: DataConsumer
    ) -> None:
        """The DataConsumer closed because its DataProducer did."""
        self.map_data_consumer_data_producer.pop(data_consumer, None)
