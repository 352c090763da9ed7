"""The base of every Transport (mediasoup's Transport.ts).

A Transport carries Producers, Consumers, DataProducers and DataConsumers. The
subclasses (:class:`~pymediasoup.webrtc_transport.WebRtcTransport`,
:class:`~pymediasoup.plain_transport.PlainTransport`,
:class:`~pymediasoup.pipe_transport.PipeTransport`,
:class:`~pymediasoup.direct_transport.DirectTransport`) add their own state,
``connect()`` and events.
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import ortc
from .channel_object import ChannelObject
from .consumer import Consumer
from .data_consumer import DataConsumer
from .data_producer import DataProducer
from .enhanced_event_emitter import EnhancedEventEmitter
from .errors import MediasoupError
from .producer import Producer
from .utils import (
    check_app_data,
    check_bool,
    check_int,
    check_str,
    check_trace_event_types,
    request_close,
    without_none,
)

if TYPE_CHECKING:
    from .channel.channel import Channel
    from .channel.payload_channel import PayloadChannel
    from .types import RtpCapabilities, SctpParameters

logger = logging.getLogger("pymediasoup.Transport")

# MIDs handed to Consumers are strings of at most 8 digits.
_MAX_MID = 100_000_000


class Transport(ChannelObject):
    """Common part of all transports. Create them with the Router's factories."""

    # Subclasses set their own name for error messages.
    _kind_name, _id_key, _method_prefix = "Transport", "transportId", "transport"

    def __init__(
        self,
        *,
        internal: dict[str, Any],
        data: dict[str, Any],
        channel: Channel,
        payload_channel: PayloadChannel,
        app_data: dict[str, Any],
        get_router_rtp_capabilities: Callable[[], RtpCapabilities],
        get_producer_by_id: Callable[[str], Producer | None],
        get_data_producer_by_id: Callable[[str], DataProducer | None],
    ) -> None:
        super().__init__(
            internal=internal,
            data=data,
            channel=channel,
            payload_channel=payload_channel,
            app_data=app_data,
        )
        self._get_router_rtp_capabilities = get_router_rtp_capabilities
        self._get_producer_by_id = get_producer_by_id
        self._get_data_producer_by_id = get_data_producer_by_id
        self._producers: dict[str, Producer] = {}
        self._consumers: dict[str, Consumer] = {}
        self._data_producers: dict[str, DataProducer] = {}
        self._data_consumers: dict[str, DataConsumer] = {}
        self._cname_for_producers: str | None = None
        self._next_mid_for_consumers = 0
        self._sctp_stream_ids: bytearray | None = None
        self._next_sctp_stream_id = 0
        self._channel.on(self.id, self._on_channel_notification)

    @property
    def observer(self) -> EnhancedEventEmitter:
        """Emits 'close', 'newproducer', 'newconsumer', 'newdataproducer',
        'newdataconsumer' and 'trace' (plus the subclass's state changes)."""
        return self._observer

    # --- closing ---------------------------------------------------------------

    def _mark_closed(self) -> None:
        """Subclasses also set their states to 'closed'."""
        if self._data.get("sctpState"):
            self._data["sctpState"] = "closed"

    def close(self) -> None:
        """Close the transport and everything on it (sends ``transport.close``)."""
        if not self._shut():
            return
        logger.debug("close() [id:%s]", self.id)
        self._mark_closed()
        request_close(self._channel, "transport.close", self._internal)
        self._close_children(tell_router=True)
        self.emit("@close")
        self._observer.safe_emit("close")

    def router_closed(self) -> None:
        """The Router (or its Worker) closed: nothing is sent; 'routerclose' is emitted."""
        if not self._shut():
            return
        logger.debug("router_closed() [id:%s]", self.id)
        self._mark_closed()
        self._close_children(tell_router=False)
        self.safe_emit("routerclose")
        self._observer.safe_emit("close")

    def _close_children(self, *, tell_router: bool) -> None:
        producers = list(self._producers.values())
        self._producers.clear()
        for producer in producers:
            producer.transport_closed()
            if tell_router:
                self.emit("@producerclose", producer)

        consumers = list(self._consumers.values())
        self._consumers.clear()
        for consumer in consumers:
            consumer.transport_closed()

        data_producers = list(self._data_producers.values())
        self._data_producers.clear()
        for data_producer in data_producers:
            data_producer.transport_closed()
            if tell_router:
                self.emit("@dataproducerclose", data_producer)

        data_consumers = list(self._data_consumers.values())
        self._data_consumers.clear()
        for data_consumer in data_consumers:
            data_consumer.transport_closed()

    # --- notifications ---------------------------------------------------------

    def _on_channel_notification(self, event: str, data: Any = None) -> None:
        if not self._handle_notification(event, data):
            logger.error("ignoring unknown event %r [transport:%s]", event, self.id)

    def _handle_notification(self, event: str, data: Any) -> bool:
        """Handle one worker notification; False if the event is unknown."""
        if event == "trace":
            self.safe_emit("trace", data)
            self._observer.safe_emit("trace", data)
            return True
        if event == "sctpstatechange":
            sctp_state = data["sctpState"]
            self._data["sctpState"] = sctp_state
            self.safe_emit("sctpstatechange", sctp_state)
            self._observer.safe_emit("sctpstatechange", sctp_state)
            return True
        return False

    # --- SCTP state shared by WebRtc, Plain and Pipe transports -----------------

    @property
    def _sctp_parameters(self) -> SctpParameters | None:
        return self._data.get("sctpParameters")

    # --- requests --------------------------------------------------------------

    async def connect(self, **kwargs: Any) -> None:
        raise NotImplementedError

    async def set_max_incoming_bitrate(self, bitrate: int) -> None:
        self._check_open()
        check_int("bitrate", bitrate, 0)
        await self._request("setMaxIncomingBitrate", {"bitrate": bitrate})

    async def set_max_outgoing_bitrate(self, bitrate: int) -> None:
        self._check_open()
        check_int("bitrate", bitrate, 0)
        await self._request("setMaxOutgoingBitrate", {"bitrate": bitrate})

    async def enable_trace_event(self, types: list[str] | None = None) -> None:
        """Enable 'trace' events of the given types ('probation', 'bwe'); None means none."""
        await self._request("enableTraceEvent", {"types": check_trace_event_types(types)})

    # --- Producers -------------------------------------------------------------

    def _take_cname(self, rtp_parameters: dict[str, Any]) -> None:
        """Every Producer of a transport gets the first Producer's CNAME (or a random one)."""
        rtcp = rtp_parameters.setdefault("rtcp", {})
        if self._cname_for_producers is None:
            self._cname_for_producers = rtcp.get("cname") or str(uuid.uuid4())[:8]
        rtcp["cname"] = self._cname_for_producers

    async def produce(
        self,
        *,
        kind: str,
        rtp_parameters: dict[str, Any],
        paused: bool = False,
        key_frame_request_delay: int = 0,
        id: str | None = None,  # noqa: A002 - mediasoup's option name
        app_data: dict[str, Any] | None = None,
    ) -> Producer:
        """Receive media from an endpoint (mediasoup's ``transport.produce``)."""
        self._check_open()
        if id is not None:
            check_str("id", id)
            if id in self._producers:
                raise TypeError(f'a Producer with same id "{id}" already exists')
        if kind not in ("audio", "video"):
            raise TypeError(f"invalid kind {kind!r}")
        if rtp_parameters is None:
            raise TypeError("missing rtpParameters")
        check_bool("paused", paused)
        check_int("key_frame_request_delay", key_frame_request_delay, 0)
        app_data = check_app_data(app_data)

        rtp_parameters = copy.deepcopy(rtp_parameters)
        ortc.validate_rtp_parameters(rtp_parameters)  # type: ignore[arg-type]
        if not rtp_parameters.get("encodings"):
            rtp_parameters["encodings"] = [{}]
        self._prepare_producer_rtp_parameters(rtp_parameters)

        router_rtp_capabilities = self._get_router_rtp_capabilities()
        rtp_mapping = ortc.get_producer_rtp_parameters_mapping(
            rtp_parameters,  # type: ignore[arg-type]
            router_rtp_capabilities,
        )
        consumable_rtp_parameters = ortc.get_consumable_rtp_parameters(
            kind,
            rtp_parameters,  # type: ignore[arg-type]
            router_rtp_capabilities,
            rtp_mapping,
        )

        internal = {**self._internal, "producerId": id or str(uuid.uuid4())}
        request_data = {
            "kind": kind,
            "rtpParameters": rtp_parameters,
            "rtpMapping": rtp_mapping,
            "keyFrameRequestDelay": key_frame_request_delay,
            "paused": paused,
        }
        status = await self._channel.request("transport.produce", internal, request_data) or {}
        self._check_open()

        producer = Producer(
            internal=internal,
            data={
                "kind": kind,
                "rtpParameters": rtp_parameters,
                "type": status.get("type"),
                "consumableRtpParameters": consumable_rtp_parameters,
            },
            channel=self._channel,
            payload_channel=self._payload_channel,
            app_data=app_data,
            paused=paused,
        )
        self._producers[producer.id] = producer

        def on_close() -> None:
            self._producers.pop(producer.id, None)
            self.emit("@producerclose", producer)

        producer.on("@close", on_close)
        self.emit("@newproducer", producer)
        self._observer.safe_emit("newproducer", producer)
        return producer

    def _prepare_producer_rtp_parameters(self, rtp_parameters: dict[str, Any]) -> None:
        """Hook before the mapping: the CNAME rule (a PipeTransport keeps each CNAME)."""
        self._take_cname(rtp_parameters)

    # --- Consumers -------------------------------------------------------------

    def _next_mid(self) -> str:
        mid = str(self._next_mid_for_consumers)
        self._next_mid_for_consumers += 1
        if self._next_mid_for_consumers == _MAX_MID:
            logger.error("consume() | reaching max MID value %s", _MAX_MID)
            self._next_mid_for_consumers = 0
        return mid

    def _check_producer(self, producer_id: Any) -> Producer:
        if not isinstance(producer_id, str) or not producer_id:
            raise TypeError("missing producerId")
        producer = self._get_producer_by_id(producer_id)
        if producer is None:
            raise MediasoupError(f'Producer with id "{producer_id}" not found')
        return producer

    async def consume(
        self,
        *,
        producer_id: str,
        rtp_capabilities: dict[str, Any] | None = None,
        paused: bool = False,
        preferred_layers: dict[str, Any] | None = None,
        pipe: bool = False,
        app_data: dict[str, Any] | None = None,
    ) -> Consumer:
        """Send a Producer's media to the endpoint (mediasoup's ``transport.consume``)."""
        self._check_open()
        if not isinstance(producer_id, str) or not producer_id:
            raise TypeError("missing producerId")
        if rtp_capabilities is None:
            raise TypeError("missing rtpCapabilities")
        check_bool("paused", paused)
        check_bool("pipe", pipe)
        if preferred_layers is not None:
            _check_layers("preferredLayers", preferred_layers)
            preferred_layers = copy.deepcopy(preferred_layers)
        app_data = check_app_data(app_data)

        caps: Any = copy.deepcopy(rtp_capabilities)
        ortc.validate_rtp_capabilities(caps)
        producer = self._check_producer(producer_id)

        rtp_parameters: Any = ortc.get_consumer_rtp_parameters(
            producer.consumable_rtp_parameters,  # type: ignore[arg-type]
            caps,
            pipe,
        )
        if not pipe:
            rtp_parameters["mid"] = self._next_mid()

        consumer_type = "pipe" if pipe else producer.type
        return await self._create_consumer(
            producer,
            rtp_parameters,
            consumer_type,
            paused=paused,
            preferred_layers=preferred_layers,
            app_data=app_data,
        )

    async def _create_consumer(
        self,
        producer: Producer,
        rtp_parameters: dict[str, Any],
        consumer_type: str,
        *,
        paused: bool | None,
        preferred_layers: dict[str, Any] | None,
        app_data: dict[str, Any],
        use_reply_score: bool = True,
    ) -> Consumer:
        internal = {**self._internal, "consumerId": str(uuid.uuid4()), "producerId": producer.id}
        request_data = without_none(
            {
                "kind": producer.kind,
                "rtpParameters": rtp_parameters,
                "type": consumer_type,
                "consumableRtpEncodings": producer.consumable_rtp_parameters["encodings"],
                "paused": paused,
                "preferredLayers": preferred_layers,
            }
        )
        status = await self._channel.request("transport.consume", internal, request_data) or {}
        self._check_open()

        consumer = Consumer(
            internal=internal,
            data={"kind": producer.kind, "rtpParameters": rtp_parameters, "type": consumer_type},
            channel=self._channel,
            payload_channel=self._payload_channel,
            app_data=app_data,
            paused=bool(status.get("paused", False)),
            producer_paused=bool(status.get("producerPaused", False)),
            # A PipeTransport's Consumer starts with mediasoup's default score.
            score=status.get("score") if use_reply_score else None,
            preferred_layers=status.get("preferredLayers") if use_reply_score else None,
        )
        self._consumers[consumer.id] = consumer
        consumer.on("@close", lambda: self._consumers.pop(consumer.id, None))
        consumer.on("@producerclose", lambda: self._consumers.pop(consumer.id, None))
        self._observer.safe_emit("newconsumer", consumer)
        return consumer

    # --- DataProducers ---------------------------------------------------------

    def _data_producer_params(self, sctp_stream_parameters: Any) -> tuple[str, Any]:
        """(type, sctpStreamParameters) for a new DataProducer on this transport."""
        if sctp_stream_parameters is None:
            raise TypeError("missing sctpStreamParameters")
        sctp_stream_parameters = copy.deepcopy(sctp_stream_parameters)
        ortc.validate_sctp_stream_parameters(sctp_stream_parameters)
        return "sctp", sctp_stream_parameters

    async def produce_data(
        self,
        *,
        sctp_stream_parameters: dict[str, Any] | None = None,
        label: str = "",
        protocol: str = "",
        id: str | None = None,  # noqa: A002 - mediasoup's option name
        app_data: dict[str, Any] | None = None,
    ) -> DataProducer:
        """Receive data messages (mediasoup's ``transport.produceData``)."""
        self._check_open()
        if id is not None:
            check_str("id", id)
            if id in self._data_producers:
                raise TypeError(f'a DataProducer with same id "{id}" already exists')
        check_str("label", label)
        check_str("protocol", protocol)
        app_data = check_app_data(app_data)
        data_producer_type, sctp_stream_parameters = self._data_producer_params(
            sctp_stream_parameters
        )

        internal = {**self._internal, "dataProducerId": id or str(uuid.uuid4())}
        request_data = without_none(
            {
                "type": data_producer_type,
                "sctpStreamParameters": sctp_stream_parameters,
                "label": label,
                "protocol": protocol,
            }
        )
        data = await self._channel.request("transport.produceData", internal, request_data)
        self._check_open()

        data_producer = DataProducer(
            internal=internal,
            data=data,
            channel=self._channel,
            payload_channel=self._payload_channel,
            app_data=app_data,
        )
        self._data_producers[data_producer.id] = data_producer

        def on_close() -> None:
            self._data_producers.pop(data_producer.id, None)
            self.emit("@dataproducerclose", data_producer)

        data_producer.on("@close", on_close)
        self.emit("@newdataproducer", data_producer)
        self._observer.safe_emit("newdataproducer", data_producer)
        return data_producer

    # --- DataConsumers ---------------------------------------------------------

    def _data_consumer_params(
        self,
        data_producer: DataProducer,
        ordered: bool | None,
        max_packet_life_time: int | None,
        max_retransmits: int | None,
    ) -> tuple[str, dict[str, Any] | None, int | None]:
        """(type, sctpStreamParameters, allocated stream id) for a new DataConsumer."""
        params: dict[str, Any] = copy.deepcopy(data_producer.sctp_stream_parameters or {})
        if ordered is not None:
            params["ordered"] = check_bool("ordered", ordered)
        if max_packet_life_time is not None:
            params["maxPacketLifeTime"] = check_int("max_packet_life_time", max_packet_life_time, 0)
        if max_retransmits is not None:
            params["maxRetransmits"] = check_int("max_retransmits", max_retransmits, 0)
        params.setdefault("ordered", True)
        stream_id = self._take_sctp_stream_id()
        params["streamId"] = stream_id
        return "sctp", params, stream_id

    def _take_sctp_stream_id(self) -> int:
        sctp_parameters = self._sctp_parameters
        if not sctp_parameters or not isinstance(sctp_parameters.get("MIS"), int):
            raise TypeError("missing data.sctpParameters.MIS (SCTP is not enabled)")
        if self._sctp_stream_ids is None:
            self._sctp_stream_ids = bytearray(sctp_parameters["MIS"])
        ids = self._sctp_stream_ids
        for offset in range(len(ids)):
            stream_id = (self._next_sctp_stream_id + offset) % len(ids)
            if not ids[stream_id]:
                ids[stream_id] = 1
                self._next_sctp_stream_id = stream_id + 1
                return stream_id
        raise MediasoupError("no sctpStreamId available")

    def _release_sctp_stream_id(self, stream_id: int | None) -> None:
        if stream_id is not None and self._sctp_stream_ids is not None:
            self._sctp_stream_ids[stream_id] = 0

    async def consume_data(
        self,
        *,
        data_producer_id: str,
        ordered: bool | None = None,
        max_packet_life_time: int | None = None,
        max_retransmits: int | None = None,
        app_data: dict[str, Any] | None = None,
    ) -> DataConsumer:
        """Send a DataProducer's messages (mediasoup's ``transport.consumeData``).

        On an SCTP transport the stream parameters are the DataProducer's (``ordered``,
        ``max_packet_life_time`` and ``max_retransmits`` override them) with a stream id
        allocated here.
        """
        self._check_open()
        if not isinstance(data_producer_id, str) or not data_producer_id:
            raise TypeError("missing dataProducerId")
        app_data = check_app_data(app_data)
        data_producer = self._get_data_producer_by_id(data_producer_id)
        if data_producer is None:
            raise MediasoupError(f'DataProducer with id "{data_producer_id}" not found')

        data_consumer_type, sctp_stream_parameters, stream_id = self._data_consumer_params(
            data_producer, ordered, max_packet_life_time, max_retransmits
        )
        internal = {
            **self._internal,
            "dataConsumerId": str(uuid.uuid4()),
            "dataProducerId": data_producer_id,
        }
        request_data = without_none(
            {
                "type": data_consumer_type,
                "sctpStreamParameters": sctp_stream_parameters,
                "label": data_producer.label,
                "protocol": data_producer.protocol,
            }
        )
        try:
            data = await self._channel.request("transport.consumeData", internal, request_data)
            self._check_open()
        except BaseException:
            self._release_sctp_stream_id(stream_id)
            raise

        data_consumer = DataConsumer(
            internal=internal,
            data=data,
            channel=self._channel,
            payload_channel=self._payload_channel,
            app_data=app_data,
        )
        self._data_consumers[data_consumer.id] = data_consumer

        def on_gone() -> None:
            self._data_consumers.pop(data_consumer.id, None)
            self._release_sctp_stream_id(stream_id)

        data_consumer.on("@close", on_gone)
        data_consumer.on("@dataproducerclose", on_gone)
        self._observer.safe_emit("newdataconsumer", data_consumer)
        return data_consumer


def _check_layers(name: str, layers: Any) -> None:
    if not isinstance(layers, dict):
        raise TypeError(f"{name} must be a dict")
    check_int(f"{name}.spatialLayer", layers.get("spatialLayer"), 0)
    if layers.get("temporalLayer") is not None:
        check_int(f"{name}.temporalLayer", layers.get("temporalLayer"), 0)
