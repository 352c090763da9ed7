"""A Router: a media room inside a Worker (mediasoup's Router.ts)."""

from __future__ import annotations

import asyncio
import copy
import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .active_speaker_observer import ActiveSpeakerObserver
from .audio_level_observer import AudioLevelObserver
from .channel_object import ChannelObject
from .direct_transport import DirectTransport
from .errors import InvalidStateError
from .pipe_transport import PipeTransport
from .plain_transport import PlainTransport
from .rtp_observer import RtpObserver
from .transport import Transport
from .utils import (
    check_app_data,
    check_bool,
    check_int,
    check_num_sctp_streams,
    check_str,
    is_number,
    normalize_listen_ip,
    request_close,
)
from .webrtc_transport import WebRtcTransport

if TYPE_CHECKING:
    from .channel.channel import Channel
    from .channel.payload_channel import PayloadChannel
    from .consumer import Consumer
    from .data_consumer import DataConsumer
    from .data_producer import DataProducer
    from .producer import Producer

logger = logging.getLogger("pymediasoup.Router")

_DEFAULT_NUM_SCTP_STREAMS = {"OS": 1024, "MIS": 1024}
_SRTP_CRYPTO_SUITES = ("AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32")


@dataclass
class PipeToRouterResult:
    """What :meth:`Router.pipe_to_router` created; None where not applicable."""

    #: The Consumer of the Producer, on this Router's PipeTransport.
    pipe_consumer: Consumer | None = None
    #: The Producer (same id as the original) on the other Router's PipeTransport.
    pipe_producer: Producer | None = None
    #: The DataConsumer of the DataProducer, on this Router's PipeTransport.
    pipe_data_consumer: DataConsumer | None = None
    #: The DataProducer (same id as the original) on the other Router's PipeTransport.
    pipe_data_producer: DataProducer | None = None


def _check_sctp_options(
    enable_sctp: Any, num_sctp_streams: Any, max_sctp_message_size: Any, sctp_send_buffer_size: Any
) -> dict[str, Any]:
    check_bool("enable_sctp", enable_sctp)
    return {
        "enableSctp": enable_sctp,
        "numSctpStreams": check_num_sctp_streams(
            _DEFAULT_NUM_SCTP_STREAMS if num_sctp_streams is None else num_sctp_streams
        ),
        "maxSctpMessageSize": check_int("max_sctp_message_size", max_sctp_message_size, 1),
        "sctpSendBufferSize": check_int("sctp_send_buffer_size", sctp_send_buffer_size, 1),
    }


class Router(ChannelObject):
    """Create with :meth:`pymediasoup.Worker.create_router`.

    Events: 'workerclose'. Observer: 'close', 'newtransport', 'newrtpobserver'.
    """

    _kind_name, _id_key, _method_prefix = "Router", "routerId", "router"

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
        self._transports: dict[str, Transport] = {}
        self._producers: dict[str, Producer] = {}
        self._rtp_observers: dict[str, RtpObserver] = {}
        self._data_producers: dict[str, DataProducer] = {}
        # Other Router -> (local PipeTransport, remote PipeTransport), reused by pipe_to_router.
        self._map_router_pipe_transports: dict[Router, tuple[PipeTransport, PipeTransport]] = {}
        # pipe_to_router() calls create the pair one at a time (mediasoup's AwaitQueue).
        self._pipe_to_router_lock = asyncio.Lock()

    @property
    def rtp_capabilities(self) -> dict[str, Any]:
        return self._data["rtpCapabilities"]

    # --- closing ---------------------------------------------------------------

    def close(self) -> None:
        if not self._shut():
            return
        logger.debug("close()")
        request_close(self._channel, "router.close", self._internal)
        self._close_children()
        self.emit("@close")
        self._observer.safe_emit("close")

    def worker_closed(self) -> None:
        """The Worker closed: nothing is sent; 'workerclose' is emitted."""
        if not self._shut():
            return
        logger.debug("workerClosed()")
        self._close_children()
        self.safe_emit("workerclose")
        self._observer.safe_emit("close")

    def _close_children(self) -> None:
        transports = list(self._transports.values())
        self._transports.clear()
        for transport in transports:
            transport.router_closed()
        self._producers.clear()
        rtp_observers = list(self._rtp_observers.values())
        self._rtp_observers.clear()
        for rtp_observer in rtp_observers:
            rtp_observer.router_closed()
        self._data_producers.clear()
        self._map_router_pipe_transports.clear()

    # --- transports ------------------------------------------------------------

    async def _create_transport(
        self,
        cls: type[Transport],
        method: str,
        request_data: dict[str, Any],
        app_data: dict[str, Any],
    ) -> Any:
        internal = {**self._internal, "transportId": str(uuid.uuid4())}
        data = await self._channel.request(method, internal, request_data)
        if self._closed:
            # The worker closed it with the Router while we waited.
            raise InvalidStateError("Router closed")
        transport = cls(
            internal=internal,
            data=data,
            channel=self._channel,
            payload_channel=self._payload_channel,
            app_data=app_data,
            get_router_rtp_capabilities=lambda: self._data["rtpCapabilities"],
            get_producer_by_id=self._producers.get,
            get_data_producer_by_id=self._data_producers.get,
        )
        self._transports[transport.id] = transport
        transport.on("@close", lambda: self._transports.pop(transport.id, None))
        transport.on("@newproducer", lambda p: self._producers.__setitem__(p.id, p))
        transport.on("@producerclose", lambda p: self._producers.pop(p.id, None))
        transport.on("@newdataproducer", lambda dp: self._data_producers.__setitem__(dp.id, dp))
        transport.on("@dataproducerclose", lambda dp: self._data_producers.pop(dp.id, None))
        self._observer.safe_emit("newtransport", transport)
        return transport

    async def create_webrtc_transport(
        self,
        *,
        listen_ips: list[str | dict[str, Any]] | None = None,
        enable_udp: bool = True,
        enable_tcp: bool = False,
        prefer_udp: bool = False,
        prefer_tcp: bool = False,
        initial_available_outgoing_bitrate: int = 600000,
        enable_sctp: bool = False,
        num_sctp_streams: dict[str, int] | None = None,
        max_sctp_message_size: int = 262144,
        sctp_send_buffer_size: int = 262144,
        app_data: dict[str, Any] | None = None,
    ) -> WebRtcTransport:
        """A WebRtcTransport listening on ``listen_ips`` (str or ``{'ip', 'announcedIp'}``)."""
        self._check_open()
        if not isinstance(listen_ips, (list, tuple)):
            raise TypeError("missing listenIps (a list of str or dict)")
        if not listen_ips:
            raise TypeError("wrong listenIps (empty list)")
        normalized_ips = [normalize_listen_ip(listen_ip) for listen_ip in listen_ips]
        for name, value in (
            ("enable_udp", enable_udp),
            ("enable_tcp", enable_tcp),
            ("prefer_udp", prefer_udp),
            ("prefer_tcp", prefer_tcp),
        ):
            check_bool(name, value)
        check_int("initial_available_outgoing_bitrate", initial_available_outgoing_bitrate, 0)
        sctp = _check_sctp_options(
            enable_sctp, num_sctp_streams, max_sctp_message_size, sctp_send_buffer_size
        )
        app_data = check_app_data(app_data)
        request_data = {
            "listenIps": normalized_ips,
            "enableUdp": enable_udp,
            "enableTcp": enable_tcp,
            "preferUdp": prefer_udp,
            "preferTcp": prefer_tcp,
            "initialAvailableOutgoingBitrate": initial_available_outgoing_bitrate,
            **sctp,
            "isDataChannel": True,
        }
        return await self._create_transport(
            WebRtcTransport, "router.createWebRtcTransport", request_data, app_data
        )

    async def create_plain_transport(
        self,
        *,
        listen_ip: str | dict[str, Any] | None = None,
        rtcp_mux: bool = True,
        comedia: bool = False,
        enable_sctp: bool = False,
        num_sctp_streams: dict[str, int] | None = None,
        max_sctp_message_size: int = 262144,
        sctp_send_buffer_size: int = 262144,
        enable_srtp: bool = False,
        srtp_crypto_suite: str = "AES_CM_128_HMAC_SHA1_80",
        app_data: dict[str, Any] | None = None,
    ) -> PlainTransport:
        """A PlainTransport listening on ``listen_ip`` (str or ``{'ip', 'announcedIp'}``)."""
        self._check_open()
        if not listen_ip:
            raise TypeError("missing listenIp")
        normalized_ip = normalize_listen_ip(listen_ip)
        check_bool("rtcp_mux", rtcp_mux)
        check_bool("comedia", comedia)
        sctp = _check_sctp_options(
            enable_sctp, num_sctp_streams, max_sctp_message_size, sctp_send_buffer_size
        )
        check_bool("enable_srtp", enable_srtp)
        check_str("srtp_crypto_suite", srtp_crypto_suite)
        if srtp_crypto_suite not in _SRTP_CRYPTO_SUITES:
            raise TypeError(f"invalid/unsupported srtp_crypto_suite {srtp_crypto_suite!r}")
        app_data = check_app_data(app_data)
        request_data = {
            "listenIp": normalized_ip,
            "rtcpMux": rtcp_mux,
            "comedia": comedia,
            **sctp,
            "isDataChannel": False,
            "enableSrtp": enable_srtp,
            "srtpCryptoSuite": srtp_crypto_suite,
        }
        return await self._create_transport(
            PlainTransport, "router.createPlainTransport", request_data, app_data
        )

    async def create_pipe_transport(
        self,
        *,
        listen_ip: str | dict[str, Any] | None = None,
        enable_sctp: bool = False,
        num_sctp_streams: dict[str, int] | None = None,
        max_sctp_message_size: int = 268435456,
        sctp_send_buffer_size: int = 268435456,
        enable_rtx: bool = False,
        enable_srtp: bool = False,
        app_data: dict[str, Any] | None = None,
    ) -> PipeTransport:
        """A PipeTransport listening on ``listen_ip`` (str or ``{'ip', 'announcedIp'}``)."""
        self._check_open()
        if not listen_ip:
            raise TypeError("missing listenIp")
        normalized_ip = normalize_listen_ip(listen_ip)
        sctp = _check_sctp_options(
            enable_sctp, num_sctp_streams, max_sctp_message_size, sctp_send_buffer_size
        )
        check_bool("enable_rtx", enable_rtx)
        check_bool("enable_srtp", enable_srtp)
        app_data = check_app_data(app_data)
        request_data = {
            "listenIp": normalized_ip,
            **sctp,
            "isDataChannel": False,
            "enableRtx": enable_rtx,
            "enableSrtp": enable_srtp,
        }
        return await self._create_transport(
            PipeTransport, "router.createPipeTransport", request_data, app_data
        )

    async def create_direct_transport(
        self, *, max_message_size: int = 262144, app_data: dict[str, Any] | None = None
    ) -> DirectTransport:
        """A DirectTransport, for RTP and data messages to and from this process."""
        self._check_open()
        check_int("max_message_size", max_message_size, 1)
        app_data = check_app_data(app_data)
        request_data = {"direct": True, "maxMessageSize": max_message_size}
        return await self._create_transport(
            DirectTransport, "router.createDirectTransport", request_data, app_data
        )

    # --- pipe_to_router ----------------------------------------------------------

    async def pipe_to_router(
        self,
        *,
        producer_id: str | None = None,
        data_producer_id: str | None = None,
        router: Router | None = None,
        listen_ip: str | dict[str, Any] = "127.0.0.1",
        enable_sctp: bool = True,
        num_sctp_streams: dict[str, int] | None = None,
        enable_rtx: bool = False,
        enable_srtp: bool = False,
    ) -> PipeToRouterResult:
        """Make a Producer or a DataProducer of this Router available in ``router``.

        One pair of connected PipeTransports per destination Router is created on first
        use and reused afterwards (until one of them closes).
        """
        self._check_open()
        if not producer_id and not data_producer_id:
            raise TypeError("missing producerId or dataProducerId")
        if producer_id and data_producer_id:
            raise TypeError("just producerId or dataProducerId can be given")
        if not isinstance(router, Router):
            raise TypeError("Router not found")
        if router is self:
            raise TypeError("cannot use this Router as destination")

        producer: Producer | None = None
        data_producer: DataProducer | None = None
        if producer_id:
            producer = self._producers.get(producer_id)
            if producer is None:
                raise TypeError("Producer not found")
        else:
            data_producer = self._data_producers.get(data_producer_id)  # type: ignore[arg-type]
            if data_producer is None:
                raise TypeError("DataProducer not found")

        local, remote = await self._pipe_transport_pair(
            router,
            listen_ip=listen_ip,
            enable_sctp=enable_sctp,
            num_sctp_streams=num_sctp_streams,
            enable_rtx=enable_rtx,
            enable_srtp=enable_srtp,
        )
        if producer is not None:
            return await self._pipe_producer(producer, local, remote)
        assert data_producer is not None
        return await self._pipe_data_producer(data_producer, local, remote)

    async def _pipe_transport_pair(
        self, router: Router, **options: Any
    ) -> tuple[PipeTransport, PipeTransport]:
        async with self._pipe_to_router_lock:
            self._check_open()
            pair = self._map_router_pipe_transports.get(router)
            if pair is not None:
                return pair

            results = await asyncio.gather(
                self.create_pipe_transport(**options),
                router.create_pipe_transport(**options),
                return_exceptions=True,
            )
            created = [r for r in results if isinstance(r, PipeTransport)]
            errors = [r for r in results if isinstance(r, BaseException)]
            if errors:
                logger.error("pipe_to_router() | error creating PipeTransport pair: %r", errors[0])
                for transport in created:
                    transport.close()
                raise errors[0]
            local, remote = created[0], created[1]

            try:
                await asyncio.gather(
                    local.connect(
                        ip=remote.tuple["localIp"],
                        port=remote.tuple["localPort"],
                        srtp_parameters=remote.srtp_parameters,
                    ),
                    remote.connect(
                        ip=local.tuple["localIp"],
                        port=local.tuple["localPort"],
                        srtp_parameters=local.srtp_parameters,
                    ),
                )
                self._check_open()
            except BaseException as error:
                logger.error("pipe_to_router() | error connecting PipeTransport pair: %r", error)
                local.close()
                remote.close()
                raise

            def forget_pair() -> None:
                if self._map_router_pipe_transports.get(router) == (local, remote):
                    del self._map_router_pipe_transports[router]

            def on_local_close() -> None:
                remote.close()
                forget_pair()

            def on_remote_close() -> None:
                local.close()
                forget_pair()

            local.observer.on("close", on_local_close)
            remote.observer.on("close", on_remote_close)
            self._map_router_pipe_transports[router] = (local, remote)
            return local, remote

    async def _pipe_producer(
        self, producer: Producer, local: PipeTransport, remote: PipeTransport
    ) -> PipeToRouterResult:
        pipe_consumer: Consumer | None = None
        pipe_producer: Producer | None = None
        try:
            pipe_consumer = await local.consume(producer_id=producer.id)
            pipe_producer = await remote.produce(
                id=producer.id,
                kind=pipe_consumer.kind,
                rtp_parameters=pipe_consumer.rtp_parameters,
                paused=pipe_consumer.producer_paused,
                app_data=producer.app_data,
            )
            if producer.closed:
                raise InvalidStateError("original Producer closed")
            if pipe_producer.paused != producer.paused:
                if producer.paused:
                    await pipe_producer.pause()
                else:
                    await pipe_producer.resume()
        except BaseException as error:
            logger.error("pipe_to_router() | error creating pipe Consumer/Producer pair: %r", error)
            if pipe_consumer is not None:
                pipe_consumer.close()
            if pipe_producer is not None:
                pipe_producer.close()
            raise

        consumer, piped = pipe_consumer, pipe_producer
        consumer.observer.on("close", piped.close)
        consumer.observer.on("pause", piped.pause)
        consumer.observer.on("resume", piped.resume)
        piped.observer.on("close", consumer.close)
        return PipeToRouterResult(pipe_consumer=consumer, pipe_producer=piped)

    async def _pipe_data_producer(
        self, data_producer: DataProducer, local: PipeTransport, remote: PipeTransport
    ) -> PipeToRouterResult:
        pipe_data_consumer: DataConsumer | None = None
        pipe_data_producer: DataProducer | None = None
        try:
            pipe_data_consumer = await local.consume_data(data_producer_id=data_producer.id)
            pipe_data_producer = await remote.produce_data(
                id=data_producer.id,
                sctp_stream_parameters=pipe_data_consumer.sctp_stream_parameters,
                label=pipe_data_consumer.label,
                protocol=pipe_data_consumer.protocol,
                app_data=data_producer.app_data,
            )
            if data_producer.closed:
                raise InvalidStateError("original DataProducer closed")
        except BaseException as error:
            logger.error(
                "pipe_to_router() | error creating pipe DataConsumer/DataProducer pair: %r", error
            )
            if pipe_data_consumer is not None:
                pipe_data_consumer.close()
            if pipe_data_producer is not None:
                pipe_data_producer.close()
            raise

        data_consumer, piped = pipe_data_consumer, pipe_data_producer
        data_consumer.observer.on("close", piped.close)
        piped.observer.on("close", data_consumer.close)
        return PipeToRouterResult(pipe_data_consumer=data_consumer, pipe_data_producer=piped)

    # --- RTP observers -----------------------------------------------------------

    async def _create_rtp_observer(
        self,
        cls: type[RtpObserver],
        method: str,
        request_data: dict[str, Any],
        app_data: dict[str, Any],
    ) -> Any:
        internal = {**self._internal, "rtpObserverId": str(uuid.uuid4())}
        await self._channel.request(method, internal, request_data)
        if self._closed:
            raise InvalidStateError("Router closed")
        rtp_observer = cls(
            internal=internal,
            channel=self._channel,
            payload_channel=self._payload_channel,
            app_data=app_data,
            get_producer_by_id=self._producers.get,
        )
        self._rtp_observers[rtp_observer.id] = rtp_observer
        rtp_observer.on("@close", lambda: self._rtp_observers.pop(rtp_observer.id, None))
        self._observer.safe_emit("newrtpobserver", rtp_observer)
        return rtp_observer

    async def create_audio_level_observer(
        self,
        *,
        max_entries: int = 1,
        threshold: int = -80,
        interval: int = 1000,
        app_data: dict[str, Any] | None = None,
    ) -> AudioLevelObserver:
        """Every ``interval`` ms, the ``max_entries`` loudest audio Producers above
        ``threshold`` dBov ('volumes'), or 'silence'."""
        self._check_open()
        check_int("max_entries", max_entries, 1, 65535)
        if not is_number(threshold) or not -127 <= threshold <= 0:
            raise TypeError(f"threshold must be a number in -127..0, not {threshold!r}")
        if not is_number(interval):
            raise TypeError(f"interval must be a number (ms), not {interval!r}")
        app_data = check_app_data(app_data)
        request_data = {"maxEntries": max_entries, "threshold": threshold, "interval": interval}
        return await self._create_rtp_observer(
            AudioLevelObserver, "router.createAudioLevelObserver", request_data, app_data
        )

    async def create_active_speaker_observer(
        self, *, interval: int = 300, app_data: dict[str, Any] | None = None
    ) -> ActiveSpeakerObserver:
        """The dominant speaker among the added audio Producers ('dominantspeaker')."""
        self._check_open()
        if not is_number(interval):
            raise TypeError(f"interval must be a number (ms), not {interval!r}")
        app_data = check_app_data(app_data)
        return await self._create_rtp_observer(
            ActiveSpeakerObserver,
            "router.createActiveSpeakerObserver",
            {"interval": interval},
            app_data,
        )

    # --- helpers -----------------------------------------------------------------

    def can_consume(self, *, producer_id: str, rtp_capabilities: dict[str, Any]) -> bool:
        from . import ortc

        producer = self._producers.get(producer_id)
        if producer is None:
            logger.error('can_consume() | Producer with id "%s" not found', producer_id)
            return False
        try:
            caps: Any = copy.deepcopy(rtp_capabilities)
            return ortc.can_consume(producer.consumable_rtp_parameters, caps)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - mediasoup answers False on any error
            logger.error("can_consume() | unexpected error: %s", exc)
            return False
