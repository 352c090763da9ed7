"""The base of every transport, as mediasoup's RTC::Transport.

A Transport owns its Producers, Consumers, DataProducers and DataConsumers, answers
the ``transport.*`` requests and the ``producer.* / consumer.* / dataProducer.* /
dataConsumer.*`` ones (closing them itself, passing the rest to the child), and
tells its Router (``listener``, mediasoup's Transport::Listener) about every child
that comes and goes. Children talk back through the ``on_producer_* / on_consumer_* /
on_data_producer_* / on_data_consumer_*`` methods below.

The byte counters and bitrates are real (``data_received`` / ``data_sent`` and the RTP
counters); subclasses supply the network: :meth:`is_connected`, :meth:`send_rtp_packet`,
:meth:`send_rtcp_packet`, :meth:`send_message`, and the ``connect`` / ``restartIce``
requests. Synchronous code: no sockets and no clock here (``shared.now_ms``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.rate_calculator import BatchedRate, RateCalculator, RtpDataCounter
from ..core.rtp.rtcp.bye import ByePacket
from ..core.rtp.rtcp.compound import CompoundPacket
from ..core.rtp.rtcp.feedback import (
    FeedbackPacket,
    FeedbackPsFirPacket,
    FeedbackPsPliPacket,
    FeedbackPsRembPacket,
    FeedbackRtpNackPacket,
    FeedbackRtpTransportPacket,
)
from ..core.rtp.rtcp.rr import ReceiverReport, ReceiverReportPacket
from ..core.rtp.rtcp.sdes import SdesPacket
from ..core.rtp.rtcp.sr import SenderReportPacket
from ..core.rtp.rtcp.xr import DelaySinceLastRr, ExtendedReportPacket
from ..errors import MediaSoupError, MediaSoupTypeError
from ..log import logger
from .json_utils import as_uint, is_positive_integer
from .rtp_listener import RtpListener
from .sctp_listener import SctpListener

if TYPE_CHECKING:
    from ..channel.channel_request import ChannelRequest
    from ..channel.payload_channel_socket import PayloadNotification
    from .shared import Shared

DEFAULT_MAX_MESSAGE_SIZE = 262144  # 2^18: what a transport without SCTP reports
DEFAULT_SCTP_SEND_BUFFER_SIZE = 262144  # 2^18
MAX_SCTP_SEND_BUFFER_SIZE = 268435456  # 2^28
SCTP_PORT = 5000  # mediasoup's SCTP port, always
DEFAULT_INITIAL_AVAILABLE_OUTGOING_BITRATE = 600000

# The transport-level RTP header extensions a Producer brings (dump order).
RECV_RTP_HEADER_EXTENSIONS = ("mid", "rid", "rrid", "absSendTime", "transportWideCc01")
TRACE_EVENT_TYPES = ("probation", "bwe")

_WHERE = "RTC::Transport"

# What Producer.receive_rtp_packet() says of a packet (mediasoup's ReceiveRtpPacketResult):
# it picks the counter (rtpBytesReceived or rtxBytesReceived) or closes the SRTP stream.
try:
    from .producer import ReceiveRtpPacketResult as _ReceiveRtpPacketResult

    _MEDIA: Any = _ReceiveRtpPacketResult.MEDIA
    _RETRANSMISSION: Any = _ReceiveRtpPacketResult.RETRANSMISSION
    _DISCARDED: Any = _ReceiveRtpPacketResult.DISCARDED
except ImportError:  # the Producer's media path not there yet: mediasoup's enum values
    _MEDIA, _RETRANSMISSION, _DISCARDED = 0, 1, 2

# mediasoup's RTC::RtpProbationSsrc: reports and feedback about it are ignored quietly.
RTP_PROBATION_SSRC = 1234
MTU_SIZE = 1500
REPORT_BLOCK_SIZE = 24
RR_HEADER_SIZE = 8  # common header + sender SSRC
MAX_REPORT_BLOCKS = 31  # per RR packet (5-bit count)
# RTCP intervals (mediasoup's RTC::RTCP::MaxVideoIntervalMs / MaxAudioIntervalMs) and our
# floor (see Transport.get_rtcp_interval_ms).
RTCP_MAX_VIDEO_INTERVAL_MS = 1000
RTCP_MAX_AUDIO_INTERVAL_MS = 5000
RTCP_MIN_INTERVAL_MS = 100

# How an SCTP send is reported to a DataConsumer: cb(queued, sctp_send_buffer_full).
OnQueued = Callable[[bool, bool], None]


class Transport:
    # Subclasses name their kind for getStats.
    stats_type = ""

    def __init__(
        self, transport_id: str, shared: Shared, listener: Any, data: dict[str, Any]
    ) -> None:
        self.id = transport_id
        self.shared = shared
        # The Router (mediasoup's Transport::Listener).
        self.listener = listener
        self.direct = False
        self.max_message_size = DEFAULT_MAX_MESSAGE_SIZE
        self.initial_available_outgoing_bitrate = DEFAULT_INITIAL_AVAILABLE_OUTGOING_BITRATE
        self.max_incoming_bitrate = 0
        self.max_outgoing_bitrate = 0
        # SCTP: its parameters (the dump's sctpParameters) when enabled, else None.
        self.sctp_parameters: dict[str, Any] | None = None
        self.sctp_state = "new"
        self._parse_base(data)

        self.producers: dict[str, Any] = {}
        self.consumers: dict[str, Any] = {}
        self.data_producers: dict[str, Any] = {}
        self.data_consumers: dict[str, Any] = {}
        self.map_ssrc_consumer: dict[int, Any] = {}
        self.map_rtx_ssrc_consumer: dict[int, Any] = {}
        self.rtp_listener = RtpListener()
        self.sctp_listener = SctpListener()
        self.recv_rtp_header_extension_ids = dict.fromkeys(RECV_RTP_HEADER_EXTENSIONS, 0)
        self.trace_event_types: frozenset[str] = frozenset()

        # Counters (mediasoup's windows: 1 s for all bytes, 2.5 s for RTP, 1 s for RTX,
        # 100 ms for probation).
        self.recv_transmission = RateCalculator()
        self.send_transmission = RateCalculator()
        self.recv_rtp_transmission = RtpDataCounter()
        self.send_rtp_transmission = RtpDataCounter()
        self.recv_rtx_transmission = RtpDataCounter(1000)
        self.send_rtx_transmission = RtpDataCounter(1000)
        self.send_probation_transmission = RtpDataCounter(100)
        # Consumers' RTP sent, added to the two send counters in one update each once per
        # rate slot (until _sent_until, the earlier of the two calculators' slot ends)
        # or before they are read (flush_send_counters): the same sums, without two
        # RateCalculator calls per packet per consumer.
        self._sent_ms = -1
        self._sent_until = 0
        self._sent_rtp_bytes = 0
        self._sent_wire_bytes = 0
        # Bytes received, batched the same way: every datagram's and the Producers'
        # media; flush_receive_counters() before they are read.
        self.recv_batch = BatchedRate(self.recv_transmission)
        self.recv_rtp_batch = BatchedRate(self.recv_rtp_transmission.rate)
        # Received packets dropped: RTP without a Producer, RTCP that does not parse.
        # (Unparseable RTP, unknown sources and SRTP failures are the subclasses'.)
        self.rtp_packets_dropped = 0
        self.rtcp_packets_dropped = 0
        # The RtpListener's SSRC table, read directly on the packet path.
        self._ssrc_table = self.rtp_listener.ssrc_table
        self._rtcp_timer: Any = None
        self._rtcp_random = random.Random()
        self.closed = False

    def _parse_base(self, data: dict[str, Any]) -> None:
        if data.get("direct") is True:
            self.direct = True
            max_message_size: Any = data.get("maxMessageSize")
            if not is_positive_integer(max_message_size):
                raise MediaSoupTypeError("wrong maxMessageSize (not a number)")
            self.max_message_size = max_message_size
        if "initialAvailableOutgoingBitrate" in data:
            bitrate = data["initialAvailableOutgoingBitrate"]
            if not is_positive_integer(bitrate):
                raise MediaSoupTypeError("wrong initialAvailableOutgoingBitrate (not a number)")
            self.initial_available_outgoing_bitrate = as_uint(bitrate, 32)
        if data.get("enableSctp") is True:
            self._parse_sctp(data)

    def _parse_sctp(self, data: dict[str, Any]) -> None:
        if self.direct:
            raise MediaSoupTypeError("cannot enable SCTP in a direct Transport")
        num_streams = data.get("numSctpStreams")
        if not isinstance(num_streams, dict):
            raise MediaSoupTypeError("wrong numSctpStreams (not an object)")
        os_, mis = num_streams.get("OS"), num_streams.get("MIS")
        if not is_positive_integer(os_) or not is_positive_integer(mis):
            raise MediaSoupTypeError(
                "wrong numSctpStreams.OS and/or numSctpStreams.MIS (not a number)"
            )
        max_sctp_message_size: Any = data.get("maxSctpMessageSize")
        if not is_positive_integer(max_sctp_message_size):
            raise MediaSoupTypeError("wrong maxSctpMessageSize (not a number)")
        self.max_message_size = max_sctp_message_size
        send_buffer_size = DEFAULT_SCTP_SEND_BUFFER_SIZE
        if "sctpSendBufferSize" in data:
            send_buffer_size = data["sctpSendBufferSize"]
            if not is_positive_integer(send_buffer_size):
                raise MediaSoupTypeError("wrong sctpSendBufferSize (not a number)")
            if send_buffer_size > MAX_SCTP_SEND_BUFFER_SIZE:
                raise MediaSoupTypeError("wrong sctpSendBufferSize (maximum value exceeded)")
        is_data_channel = data.get("isDataChannel")
        # The SCTP association itself (usrsctp's role) is not implemented yet: these are
        # its parameters, and its state stays "new".
        self.sctp_parameters = {
            "port": SCTP_PORT,
            "OS": as_uint(os_, 16),
            "MIS": as_uint(mis, 16),
            "maxMessageSize": max_sctp_message_size,
            "sendBufferSize": send_buffer_size,
            "sctpBufferedAmount": 0,
            "isDataChannel": is_data_channel if isinstance(is_data_channel, bool) else False,
        }

    @property
    def has_sctp(self) -> bool:
        return self.sctp_parameters is not None

    # Closing.
    def close(self) -> None:
        """The transport goes away (transport.close, or its Router closing).

        Its children are closed and the Router is told about each one (mediasoup's
        CloseProducersAndConsumers), then the network resources are released. Idempotent.
        """
        if self.closed:
            return
        self.closed = True
        self._stop_rtcp_timer()
        self.close_producers_and_consumers()
        self.release()

    def close_producers_and_consumers(self) -> None:
        listener = self.listener
        producers, self.producers = self.producers, {}
        for producer in producers.values():
            listener.on_transport_producer_closed(self, producer)
            producer.close()
        consumers, self.consumers = self.consumers, {}
        self.map_ssrc_consumer.clear()
        self.map_rtx_ssrc_consumer.clear()
        for consumer in consumers.values():
            listener.on_transport_consumer_closed(self, consumer)
            consumer.close()
        data_producers, self.data_producers = self.data_producers, {}
        for data_producer in data_producers.values():
            listener.on_transport_data_producer_closed(self, data_producer)
            data_producer.close()
        data_consumers, self.data_consumers = self.data_consumers, {}
        for data_consumer in data_consumers.values():
            listener.on_transport_data_consumer_closed(self, data_consumer)
            data_consumer.close()

    def release(self) -> None:
        """Free the network resources (sockets); subclasses extend it."""

    # Dump and stats.
    def dump(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "id": self.id,
            "direct": self.direct,
            "producerIds": list(self.producers),
            "consumerIds": list(self.consumers),
            "mapSsrcConsumerId": {str(s): c.id for s, c in self.map_ssrc_consumer.items()},
            "mapRtxSsrcConsumerId": {str(s): c.id for s, c in self.map_rtx_ssrc_consumer.items()},
            "dataProducerIds": list(self.data_producers),
            "dataConsumerIds": list(self.data_consumers),
            "recvRtpHeaderExtensions": {
                k: v for k, v in self.recv_rtp_header_extension_ids.items() if v
            },
            "rtpListener": self.rtp_listener.dump(),
            "maxMessageSize": self.max_message_size,
            "traceEventTypes": ",".join(
                t for t in TRACE_EVENT_TYPES if t in self.trace_event_types
            ),
        }
        if self.sctp_parameters is not None:
            result["sctpParameters"] = dict(self.sctp_parameters)
            result["sctpState"] = self.sctp_state
            result["sctpListener"] = self.sctp_listener.dump()
        return result

    def get_stats(self) -> list[dict[str, Any]]:
        now_ms = self.shared.now_ms()
        self.flush_send_counters()
        self.flush_receive_counters()
        stats: dict[str, Any] = {
            "type": self.stats_type,
            "transportId": self.id,
            "timestamp": now_ms,
        }
        if self.sctp_parameters is not None:
            stats["sctpState"] = self.sctp_state
        stats.update(
            bytesReceived=self.recv_transmission.bytes,
            recvBitrate=self.recv_transmission.get_rate(now_ms),
            bytesSent=self.send_transmission.bytes,
            sendBitrate=self.send_transmission.get_rate(now_ms),
            rtpBytesReceived=self.recv_rtp_transmission.bytes,
            rtpRecvBitrate=self.recv_rtp_transmission.get_bitrate(now_ms),
            rtpBytesSent=self.send_rtp_transmission.bytes,
            rtpSendBitrate=self.send_rtp_transmission.get_bitrate(now_ms),
            rtxBytesReceived=self.recv_rtx_transmission.bytes,
            rtxRecvBitrate=self.recv_rtx_transmission.get_bitrate(now_ms),
            rtxBytesSent=self.send_rtx_transmission.bytes,
            rtxSendBitrate=self.send_rtx_transmission.get_bitrate(now_ms),
            probationBytesSent=self.send_probation_transmission.bytes,
            probationSendBitrate=self.send_probation_transmission.get_bitrate(now_ms),
        )
        # availableOutgoingBitrate / availableIncomingBitrate come with the congestion
        # controllers (transport-cc / REMB), not implemented yet.
        if self.max_incoming_bitrate:
            stats["maxIncomingBitrate"] = self.max_incoming_bitrate
        return [stats]

    # Counters, fed by the subclasses.
    def data_received(self, size: int, now_ms: int | None = None) -> None:
        """A received datagram's bytes, counted once per rate slot."""
        if now_ms is None:
            now_ms = self.shared.now_ms()
        batch = self.recv_batch
        if now_ms < batch.until:
            batch.pending += size
        else:
            batch.add(size, now_ms)

    def flush_receive_counters(self) -> None:
        """Add the received bytes batched so far to the receive counters."""
        self.recv_batch.flush()
        self.recv_rtp_batch.flush()

    def data_sent(self, size: int) -> None:
        self.flush_send_counters()
        self._sent_until = 0  # the next RTP packet starts a new batch
        self.send_transmission.update(size, self.shared.now_ms())

    def flush_send_counters(self) -> None:
        """Add the consumers' RTP batched so far to the send counters."""
        if self._sent_rtp_bytes:
            self.send_rtp_transmission.rate.update(self._sent_rtp_bytes, self._sent_ms)
            self._sent_rtp_bytes = 0
        if self._sent_wire_bytes:
            self.send_transmission.update(self._sent_wire_bytes, self._sent_ms)
            self._sent_wire_bytes = 0

    def _count_sent(self, size: int, sent: int, now_ms: int) -> None:
        """A Consumer's packet past the batch's slot: flush, count it, start a new batch."""
        self.flush_send_counters()
        rtp_rate = self.send_rtp_transmission.rate
        wire_rate = self.send_transmission
        rtp_rate.update(size, now_ms)
        if sent:
            wire_rate.update(sent, now_ms)
            self._sent_until = min(rtp_rate.slot_end_ms, wire_rate.slot_end_ms)
        else:
            self._sent_until = 0  # the wire counter's slot is not known yet
        self._sent_ms = now_ms

    # Received media, from the subclasses (mediasoup's ReceiveRtpPacket / ReceiveRtcpPacket /
    # ReceiveSctpData). The packet path: synchronous direct calls, one parse per datagram.
    def receive_rtp_packet(self, packet: Any, now_ms: int = 0) -> None:
        """A parsed RTP packet (core.rtp.packet.RtpPacket) for one of our Producers.

        ``now_ms``: the clock read for this datagram already, if the caller has it.
        """
        producer = self._ssrc_table.get(packet.ssrc)
        if producer is None:
            ids = self.recv_rtp_header_extension_ids
            producer = self.rtp_listener.get_producer(packet, ids["mid"], ids["rid"], ids["rrid"])
            if producer is None:
                self.rtp_packets_dropped += 1
                if logger.warn_enabled("rtp"):
                    logger.warn(
                        _WHERE + "::ReceiveRtpPacket",
                        "no suitable Producer for received RTP packet "
                        f"[ssrc:{packet.ssrc}, payloadType:{packet.payload_type}]",
                        "rtp",
                    )
                self.recv_stream_closed(packet.ssrc)
                return
        # Counted as received: mediasoup counts the size after the Producer rewrote the
        # packet (its header extensions, RTX decoding); the received size is the truth.
        size = len(packet.buffer)
        if not now_ms:
            now_ms = self.shared.now_ms()
        result = producer.receive_rtp_packet(packet, now_ms)
        if result == _MEDIA:
            self.recv_rtp_transmission.packets += 1
            batch = self.recv_rtp_batch
            if now_ms < batch.until:
                batch.pending += size
            else:
                batch.add(size, now_ms)
        elif result == _RETRANSMISSION:
            self.recv_rtx_transmission.update(size, now_ms)
        elif result == _DISCARDED:
            self.recv_stream_closed(packet.ssrc)

    def receive_rtcp_data(self, data: bytes | bytearray | memoryview) -> None:
        """A (compound) RTCP packet, already decrypted: parse it and handle each packet."""
        try:
            compound = CompoundPacket.parse(data)
        except ValueError as error:
            self.rtcp_packets_dropped += 1
            if logger.warn_enabled("rtcp"):
                logger.warn(
                    _WHERE + "::ReceiveRtcpPacket",
                    f"received data is not a valid RTCP compound or single packet: {error}",
                    "rtcp",
                )
            return
        if compound.error is not None:
            # The packets before the malformed one are handled, as mediasoup does.
            self.rtcp_packets_dropped += 1
            logger.debug(_WHERE + "::ReceiveRtcpPacket", compound.error, "rtcp")
        self.receive_rtcp_packet(compound)

    def receive_rtcp_packet(self, compound: CompoundPacket) -> None:
        """mediasoup's ReceiveRtcpPacket(): each packet of a parsed compound in turn."""
        handlers = _RTCP_HANDLERS
        for packet in compound.packets:
            handler = handlers.get(type(packet))
            if handler is not None:
                handler(self, packet)
            else:
                logger.debug(
                    _WHERE + "::HandleRtcpPacket",
                    f"ignoring unsupported RTCP packet {type(packet).__name__}",
                    "rtcp",
                )

    # mediasoup's HandleRtcpPacket(), one method per packet type.
    def _handle_rtcp_sr(self, packet: SenderReportPacket) -> None:
        producer = self.rtp_listener.get_producer_by_ssrc(packet.ssrc)
        if producer is None:
            logger.debug(
                _WHERE + "::HandleRtcpPacket",
                f"no Producer found for received Sender Report [ssrc:{packet.ssrc}]",
                "rtcp",
            )
        else:
            producer.receive_rtcp_sender_report(packet)
        # The report blocks of an SR are handled as an RR's (mediasoup parses them as one).
        if packet.reports:
            self._handle_report_blocks(packet.reports)

    def _handle_rtcp_rr(self, packet: ReceiverReportPacket) -> None:
        self._handle_report_blocks(packet.reports)
        # The transport-cc / REMB client takes the RR here once it exists (congestion
        # control comes later).

    def _handle_report_blocks(self, reports: list[ReceiverReport]) -> None:
        consumers = self.map_ssrc_consumer
        for report in reports:
            consumer = consumers.get(report.ssrc)
            if consumer is None:
                if report.ssrc != RTP_PROBATION_SSRC:
                    logger.debug(
                        _WHERE + "::HandleRtcpPacket",
                        f"no Consumer found for received Receiver Report [ssrc:{report.ssrc}]",
                        "rtcp",
                    )
                continue
            consumer.receive_rtcp_receiver_report(report)

    def _handle_rtcp_nack(self, packet: FeedbackRtpNackPacket) -> None:
        consumer = self.map_ssrc_consumer.get(packet.media_ssrc)
        if consumer is None:
            logger.debug(
                _WHERE + "::HandleRtcpPacket",
                "no Consumer found for received NACK Feedback packet "
                f"[sender ssrc:{packet.sender_ssrc}, media ssrc:{packet.media_ssrc}]",
                "rtcp",
            )
            return
        consumer.receive_nack(packet)

    def _handle_rtcp_pli(self, packet: FeedbackPsPliPacket) -> None:
        media_ssrc = packet.media_ssrc
        if media_ssrc == RTP_PROBATION_SSRC:
            return
        consumer = self.map_ssrc_consumer.get(media_ssrc)
        if consumer is None:
            logger.debug(
                _WHERE + "::HandleRtcpPacket",
                "no Consumer found for received PLI Feedback packet "
                f"[sender ssrc:{packet.sender_ssrc}, media ssrc:{media_ssrc}]",
                "rtcp",
            )
            return
        logger.debug(
            _WHERE + "::HandleRtcpPacket",
            "PLI received, requesting key frame for Consumer "
            f"[sender ssrc:{packet.sender_ssrc}, media ssrc:{media_ssrc}]",
            "rtcp",
        )
        consumer.receive_key_frame_request("pli", media_ssrc)

    def _handle_rtcp_fir(self, packet: FeedbackPsFirPacket) -> None:
        for ssrc, _sequence_number in packet.items:
            if ssrc == RTP_PROBATION_SSRC:
                continue
            consumer = self.map_ssrc_consumer.get(ssrc)
            if consumer is None:
                logger.debug(
                    _WHERE + "::HandleRtcpPacket",
                    "no Consumer found for received FIR Feedback packet "
                    f"[sender ssrc:{packet.sender_ssrc}, item ssrc:{ssrc}]",
                    "rtcp",
                )
                continue
            consumer.receive_key_frame_request("fir", ssrc)

    def _handle_rtcp_xr(self, packet: ExtendedReportPacket) -> None:
        for block in packet.reports:
            if not isinstance(block, DelaySinceLastRr):
                continue
            for ssrc, last_rr, delay_since_last_rr in block.ssrc_infos:
                # An SSRC of 0 in the sub-block means the XR's own SSRC.
                ssrc_info = (ssrc or packet.ssrc, last_rr, delay_since_last_rr)
                producer = self.rtp_listener.get_producer_by_ssrc(ssrc_info[0])
                if producer is None:
                    logger.debug(
                        _WHERE + "::HandleRtcpPacket",
                        f"no Producer found for received Sender Extended Report [ssrc:{ssrc_info[0]}]",
                        "rtcp",
                    )
                    continue
                producer.receive_rtcp_xr_delay_since_last_rr(ssrc_info)

    def _ignore_rtcp(self, packet: Any) -> None:
        # SDES (nothing to do with it), BYE, REMB, transport-cc feedback (congestion
        # control comes later) and feedback types mediasoup does not handle.
        pass

    def receive_sctp_data(self, data: bytes) -> None:
        """An SCTP packet; there is no SCTP association yet (dropped)."""
        if self.sctp_parameters is None:
            logger.debug(
                _WHERE + "::ReceiveSctpData", "ignoring SCTP packet (SCTP not enabled)", "sctp"
            )

    # RTCP sent on our own (mediasoup's RTCP timer and SendRtcp()).
    def _start_rtcp_timer(self, delay_ms: int) -> None:
        self._stop_rtcp_timer()
        set_timer = self.shared.set_timer
        if set_timer is not None and not self.closed:
            self._rtcp_timer = set_timer(delay_ms, self._on_rtcp_timer)

    def _stop_rtcp_timer(self) -> None:
        if self._rtcp_timer is not None:
            self._rtcp_timer.cancel()
            self._rtcp_timer = None

    def _on_rtcp_timer(self) -> None:
        self._rtcp_timer = None
        if self.closed:
            return
        now_ms = self.shared.now_ms()
        interval_ms = RTCP_MAX_VIDEO_INTERVAL_MS
        try:
            self.send_rtcp(now_ms)
            interval_ms = self.get_rtcp_interval_ms(now_ms)
        except Exception as error:  # noqa: BLE001 - a bug must not stop the RTCP timer
            logger.error(_WHERE + "::OnTimer", f"sending RTCP failed: {error!r}")
        finally:
            self._start_rtcp_timer(interval_ms)

    def get_rtcp_interval_ms(self, now_ms: int) -> int:
        """The next RTCP interval: mediasoup's, with a 100 ms floor.

        RFC 3550's 360 / (kbit/s sent) seconds, at most 1 s (5 s when the transport carries
        only audio), randomized over [0.5, 1.5] x in tenths. mediasoup 3.7.11's integer
        interval reaches 0 above ~360 Mbit/s and then spins: we never go below 100 ms.
        """
        max_interval = (
            RTCP_MAX_VIDEO_INTERVAL_MS if self._has_video() else RTCP_MAX_AUDIO_INTERVAL_MS
        )
        interval = max_interval
        if self.consumers:
            rate_kbps = 0
            for consumer in self.consumers.values():
                rate_kbps += consumer.get_transmission_rate(now_ms) // 1000
            if rate_kbps:
                interval = min(360000 // rate_kbps, max_interval)
        interval = interval * self._rtcp_random.randint(5, 15) // 10
        return max(interval, RTCP_MIN_INTERVAL_MS)

    def _has_video(self) -> bool:
        """Whether this transport carries video (or nothing yet): the 1 s RTCP maximum."""
        if not self.producers and not self.consumers:
            return True
        for child in self.producers.values():
            if child.kind == "video":
                return True
        for child in self.consumers.values():
            if child.kind == "video":
                return True
        return False

    def send_rtcp(self, now_ms: int) -> None:
        """mediasoup's SendRtcp(): SR + SDES per consumer stream, then RRs for producers."""
        # One compound reused until a consumer fills it: most ticks (100 ms apart at high
        # bitrates) find no SR due, and allocate nothing per consumer.
        compound = CompoundPacket()
        for consumer in list(self.consumers.values()):
            for rtp_stream in consumer.get_rtp_streams():
                consumer.get_rtcp(compound, rtp_stream, now_ms)
                # Sent only if the consumer had something to report (an SR).
                if compound.has_sender_report():
                    self.send_rtcp_compound_packet(compound)
                    compound = CompoundPacket()
        if compound.packets:
            compound = CompoundPacket()
        for producer in list(self.producers.values()):
            producer.get_rtcp(compound, now_ms)
            # One more report block would exceed the MTU: send what we have now.
            if compound.packets and _size(compound) + REPORT_BLOCK_SIZE > MTU_SIZE:
                self._send_receiver_reports(compound)
                compound = CompoundPacket()
        if compound.get_receiver_report_count():
            self._send_receiver_reports(compound)

    def _send_receiver_reports(self, compound: CompoundPacket) -> None:
        """Send the producers' RR compound, split into MTU-sized ones if it is larger.

        mediasoup checks the size only after each producer, so a producer that adds many
        report blocks can make it overshoot: here the blocks then spread over several
        compounds (the XR and anything else after the RR stay with the first).
        """
        if _size(compound) <= MTU_SIZE or not compound.packets:
            self.send_rtcp_compound_packet(compound)
            return
        head, rest = compound.packets[0], compound.packets[1:]
        assert isinstance(head, ReceiverReportPacket)  # CompoundPacket keeps an RR first
        blocks = list(head.reports)
        room = MTU_SIZE - sum(len(p.serialize()) for p in rest) - RR_HEADER_SIZE
        count = max(min(room // REPORT_BLOCK_SIZE, MAX_REPORT_BLOCKS), 1)
        self.send_rtcp_compound_packet(
            CompoundPacket([ReceiverReportPacket(head.ssrc, blocks[:count]), *rest])
        )
        per_packet = min((MTU_SIZE - RR_HEADER_SIZE) // REPORT_BLOCK_SIZE, MAX_REPORT_BLOCKS)
        for start in range(count, len(blocks), per_packet):
            chunk = blocks[start : start + per_packet]
            self.send_rtcp_compound_packet(CompoundPacket([ReceiverReportPacket(head.ssrc, chunk)]))

    # What the subclasses provide.
    # What the subclasses provide.
    def is_connected(self) -> bool:
        raise NotImplementedError

    def send_rtp_packet(self, consumer: Any, packet: Any) -> int | None:
        """Send a Consumer's RTP packet; return the bytes put on the wire (0/None: not sent).

        The caller (on_consumer_send_rtp_packet) counts them in bytesSent.
        """
        raise NotImplementedError

    def send_rtp_data(self, consumer: Any, packet: Any, data: bytearray) -> int | None:
        """As send_rtp_packet, given the packet's buffer (``data``, to send or copy before
        the call returns); a subclass that sends bytes overrides it to skip a copy."""
        return self.send_rtp_packet(consumer, packet)

    def send_rtcp_packet(self, packet: Any) -> None:
        """Send an RTCP packet or compound (anything with serialize()) now, counting it."""
        raise NotImplementedError

    def send_rtcp_compound_packet(self, compound: CompoundPacket) -> None:
        """An RTCP compound packet we built (the RTCP timer's); a subclass may send it
        otherwise, the default is as any RTCP packet."""
        self.send_rtcp_packet(compound)

    def send_message(
        self, data_consumer: Any, ppid: int, msg: bytes, cb: OnQueued | None = None
    ) -> None:
        """Deliver a DataConsumer's message: over SCTP (here) or the PayloadChannel (direct)."""
        # The SCTP association is not implemented yet, so an SCTP DataConsumer never gets
        # active and never sends; should one try, the message is dropped, not faked.
        logger.warn(
            _WHERE + "::SendMessage", "no SCTP association running, message dropped", "sctp"
        )
        if cb is not None:
            cb(False, False)

    def connected(self) -> None:
        """The transport got connected (mediasoup's Transport::Connected())."""
        for consumer in list(self.consumers.values()):
            consumer.transport_connected()
        for data_consumer in list(self.data_consumers.values()):
            data_consumer.transport_connected()
        # The SCTP association and the congestion controllers are told here once they
        # exist. The RTCP timer starts at half the video maximum, as mediasoup's.
        self._start_rtcp_timer(RTCP_MAX_VIDEO_INTERVAL_MS // 2)

    def disconnected(self) -> None:
        """The transport lost its connection (mediasoup's Transport::Disconnected())."""
        for consumer in list(self.consumers.values()):
            consumer.transport_disconnected()
        for data_consumer in list(self.data_consumers.values()):
            data_consumer.transport_disconnected()
        self._stop_rtcp_timer()

    # Channel requests.
    def handle_request(self, request: ChannelRequest) -> None:
        handler = _HANDLERS.get(request.method)
        if handler is None:
            raise MediaSoupError(f"unknown method '{request.method}'")
        handler(self, request)

    def _dump_request(self, request: ChannelRequest) -> None:
        request.accept(self.dump())

    def _get_stats_request(self, request: ChannelRequest) -> None:
        request.accept(self.get_stats())

    def _set_max_incoming_bitrate(self, request: ChannelRequest) -> None:
        bitrate = request.data.get("bitrate")
        if not is_positive_integer(bitrate):
            raise MediaSoupTypeError("missing bitrate")
        self.max_incoming_bitrate = as_uint(bitrate, 32)
        logger.debug(_WHERE, f"maximum incoming bitrate set to {self.max_incoming_bitrate}", "bwe")
        request.accept()

    def _set_max_outgoing_bitrate(self, request: ChannelRequest) -> None:
        bitrate = request.data.get("bitrate")
        if not is_positive_integer(bitrate):
            raise MediaSoupTypeError("missing bitrate")
        # mediasoup applies it to its transport-cc client only, which exists after a
        # video consume with transport-cc; without one the request has no effect.
        request.accept()

    def _enable_trace_event(self, request: ChannelRequest) -> None:
        types = request.data.get("types")
        if not isinstance(types, list):
            raise MediaSoupTypeError("wrong types (not an array)")
        wanted: set[str] = set()
        for value in types:
            if not isinstance(value, str):
                raise MediaSoupTypeError("wrong type (not a string)")
            if value in TRACE_EVENT_TYPES:
                wanted.add(value)
        self.trace_event_types = frozenset(wanted)
        request.accept()

    def _produce(self, request: ChannelRequest) -> None:
        from .producer import Producer

        producer_id = self._new_id(request.internal, "producerId", self.producers, "Producer")
        producer = Producer(producer_id, self.shared, self, request.data)
        try:
            self.rtp_listener.add_producer(producer)
        except MediaSoupError:
            producer.close()
            raise
        try:
            self.listener.on_transport_new_producer(self, producer)
        except MediaSoupError:
            self.rtp_listener.remove_producer(producer)
            producer.close()
            raise
        self.producers[producer_id] = producer
        # The Producer's original (not mapped) transport-level extension ids.
        ids = producer.rtp_header_extension_ids
        for name in RECV_RTP_HEADER_EXTENSIONS:
            if ids.get(name):
                self.recv_rtp_header_extension_ids[name] = ids[name]
        request.accept({"type": producer.type})
        # The transport-cc / REMB server is created here once it exists (media task).

    def _consume(self, request: ChannelRequest) -> None:
        from .consumer_factory import create_consumer

        producer_id = request.internal.get("producerId")
        if not isinstance(producer_id, str):
            raise MediaSoupError("missing internal.producerId")
        consumer_id = self._new_id(request.internal, "consumerId", self.consumers, "Consumer")
        consumer = create_consumer(consumer_id, producer_id, self.shared, self, request.data)
        try:
            self.listener.on_transport_new_consumer(self, consumer, producer_id)
        except MediaSoupError:
            consumer.close()
            raise
        self.consumers[consumer_id] = consumer
        for ssrc in consumer.media_ssrcs:
            self.map_ssrc_consumer[ssrc] = consumer
        for ssrc in consumer.rtx_ssrcs:
            self.map_rtx_ssrc_consumer[ssrc] = consumer
        request.accept(consumer.fill_consume_reply())
        # The transport-cc / REMB client is created here once it exists (media task).
        if self.is_connected():
            consumer.transport_connected()

    def _produce_data(self, request: ChannelRequest) -> None:
        from .data_producer import DataProducer

        if not self.has_sctp and not self.direct:
            raise MediaSoupError("SCTP not enabled and not a direct Transport")
        data_producer_id = self._new_id(
            request.internal, "dataProducerId", self.data_producers, "DataProducer"
        )
        data_producer = DataProducer(
            data_producer_id, self.max_message_size, self.shared, self, request.data
        )
        self._check_data_type(data_producer, "DataProducer")
        is_sctp = data_producer.type == "sctp"
        if is_sctp:
            try:
                self.sctp_listener.add_data_producer(data_producer)
            except MediaSoupError:
                data_producer.close()
                raise
        try:
            self.listener.on_transport_new_data_producer(self, data_producer)
        except MediaSoupError:
            if is_sctp:
                self.sctp_listener.remove_data_producer(data_producer)
            data_producer.close()
            raise
        self.data_producers[data_producer_id] = data_producer
        request.accept(data_producer.dump())

    def _consume_data(self, request: ChannelRequest) -> None:
        from .data_consumer import DataConsumer

        if not self.has_sctp and not self.direct:
            raise MediaSoupError("SCTP not enabled and not a direct Transport")
        data_producer_id = request.internal.get("dataProducerId")
        if not isinstance(data_producer_id, str):
            raise MediaSoupError("missing internal.dataProducerId")
        data_consumer_id = self._new_id(
            request.internal, "dataConsumerId", self.data_consumers, "DataConsumer"
        )
        data_consumer = DataConsumer(
            data_consumer_id,
            data_producer_id,
            self.shared,
            self,
            request.data,
            self.max_message_size,
        )
        self._check_data_type(data_consumer, "DataConsumer")
        try:
            self.listener.on_transport_new_data_consumer(self, data_consumer, data_producer_id)
        except MediaSoupError:
            data_consumer.close()
            raise
        self.data_consumers[data_consumer_id] = data_consumer
        request.accept(data_consumer.dump())
        if self.is_connected():
            data_consumer.transport_connected()
        if data_consumer.type == "sctp" and self.sctp_state == "connected":
            data_consumer.sctp_association_connected()
        # The SCTP association is told about an SCTP DataConsumer here once it exists.

    def _check_data_type(self, child: Any, what: str) -> None:
        if child.type == "sctp" and not self.has_sctp:
            child.close()
            raise MediaSoupTypeError(
                f"cannot create a {what} of type 'sctp', SCTP not enabled in this Transport"
            )
        if child.type == "direct" and not self.direct:
            child.close()
            raise MediaSoupTypeError(
                f"cannot create a {what} of type 'direct', not a direct Transport"
            )

    def _producer_close(self, request: ChannelRequest) -> None:
        producer = self.get_producer_from_internal(request.internal)
        self.rtp_listener.remove_producer(producer)
        del self.producers[producer.id]
        for rtp_stream, _mapped_ssrc in producer.get_rtp_streams():
            self.recv_stream_closed(rtp_stream.ssrc)
            rtx_ssrc = getattr(rtp_stream, "rtx_ssrc", 0)
            if rtx_ssrc:
                self.recv_stream_closed(rtx_ssrc)
        self.listener.on_transport_producer_closed(self, producer)
        producer.close()
        request.accept()

    def _consumer_close(self, request: ChannelRequest) -> None:
        consumer = self.get_consumer_from_internal(request.internal)
        self._remove_consumer(consumer)
        self.listener.on_transport_consumer_closed(self, consumer)
        consumer.close()
        request.accept()

    def _remove_consumer(self, consumer: Any) -> None:
        self.consumers.pop(consumer.id, None)
        for ssrc in consumer.media_ssrcs:
            self.map_ssrc_consumer.pop(ssrc, None)
            self.send_stream_closed(ssrc)
        for ssrc in consumer.rtx_ssrcs:
            self.map_rtx_ssrc_consumer.pop(ssrc, None)
            self.send_stream_closed(ssrc)

    def _data_producer_close(self, request: ChannelRequest) -> None:
        data_producer = self.get_data_producer_from_internal(request.internal)
        if data_producer.type == "sctp":
            self.sctp_listener.remove_data_producer(data_producer)
        del self.data_producers[data_producer.id]
        self.listener.on_transport_data_producer_closed(self, data_producer)
        # The SCTP association resets the stream here once it exists.
        data_producer.close()
        request.accept()

    def _data_consumer_close(self, request: ChannelRequest) -> None:
        data_consumer = self.get_data_consumer_from_internal(request.internal)
        del self.data_consumers[data_consumer.id]
        self.listener.on_transport_data_consumer_closed(self, data_consumer)
        # The SCTP association resets the stream here once it exists.
        data_consumer.close()
        request.accept()

    def _data_consumer_get_buffered_amount(self, request: ChannelRequest) -> None:
        data_consumer = self.get_data_consumer_from_internal(request.internal)
        if data_consumer.type != "sctp":
            raise MediaSoupError("invalid DataConsumer type")
        if self.sctp_parameters is None:
            raise MediaSoupError("no SCTP association present")
        request.accept({"bufferedAmount": self.sctp_parameters["sctpBufferedAmount"]})

    def _data_consumer_set_buffered_amount_low_threshold(self, request: ChannelRequest) -> None:
        data_consumer = self.get_data_consumer_from_internal(request.internal)
        if data_consumer.type != "sctp":
            raise MediaSoupError("invalid DataConsumer type")
        data_consumer.handle_request(request)

    def _to_producer(self, request: ChannelRequest) -> None:
        self.get_producer_from_internal(request.internal).handle_request(request)

    def _to_consumer(self, request: ChannelRequest) -> None:
        self.get_consumer_from_internal(request.internal).handle_request(request)

    def _to_data_producer(self, request: ChannelRequest) -> None:
        self.get_data_producer_from_internal(request.internal).handle_request(request)

    def _to_data_consumer(self, request: ChannelRequest) -> None:
        self.get_data_consumer_from_internal(request.internal).handle_request(request)

    # PayloadChannel.
    def handle_payload_request(self, request: ChannelRequest) -> None:
        if request.method != "dataConsumer.send":
            raise MediaSoupError(f"unknown method '{request.method}'")
        data_consumer = self.get_data_consumer_from_internal(request.internal)
        if data_consumer.type != "sctp":
            raise MediaSoupError("invalid DataConsumer type")
        if self.sctp_parameters is None:
            raise MediaSoupError("no SCTP association present")
        data_consumer.handle_payload_request(request)

    def handle_payload_notification(self, notification: PayloadNotification) -> None:
        # Only a DirectTransport takes PayloadChannel notifications.
        logger.error(_WHERE + "::HandleNotification", f"unknown event '{notification.event}'")

    # Children by id.
    @staticmethod
    def _new_id(internal: dict[str, Any], key: str, table: dict[str, Any], what: str) -> str:
        child_id = internal.get(key)
        if not isinstance(child_id, str):
            raise MediaSoupError(f"missing internal.{key}")
        if child_id in table:
            raise MediaSoupError(f"a {what} with same {key} already exists")
        return child_id

    @staticmethod
    def _get_from_internal(
        internal: dict[str, Any], key: str, table: dict[str, Any], what: str
    ) -> Any:
        child_id = internal.get(key)
        if not isinstance(child_id, str):
            raise MediaSoupError(f"missing internal.{key}")
        child = table.get(child_id)
        if child is None:
            raise MediaSoupError(f"{what} not found")
        return child

    def get_producer_from_internal(self, internal: dict[str, Any]) -> Any:
        return self._get_from_internal(internal, "producerId", self.producers, "Producer")

    def get_consumer_from_internal(self, internal: dict[str, Any]) -> Any:
        return self._get_from_internal(internal, "consumerId", self.consumers, "Consumer")

    def get_data_producer_from_internal(self, internal: dict[str, Any]) -> Any:
        return self._get_from_internal(
            internal, "dataProducerId", self.data_producers, "DataProducer"
        )

    def get_data_consumer_from_internal(self, internal: dict[str, Any]) -> Any:
        return self._get_from_internal(
            internal, "dataConsumerId", self.data_consumers, "DataConsumer"
        )

    def get_consumer_by_media_ssrc(self, ssrc: int) -> Any | None:
        return self.map_ssrc_consumer.get(ssrc)

    def get_consumer_by_rtx_ssrc(self, ssrc: int) -> Any | None:
        return self.map_rtx_ssrc_consumer.get(ssrc)

    # SSRCs going away, for the subclasses' SRTP sessions (which come with media).
    def recv_stream_closed(self, ssrc: int) -> None:
        pass

    def send_stream_closed(self, ssrc: int) -> None:
        pass

    # Producer::Listener.
    def on_producer_paused(self, producer: Any) -> None:
        self.listener.on_transport_producer_paused(self, producer)

    def on_producer_resumed(self, producer: Any) -> None:
        self.listener.on_transport_producer_resumed(self, producer)

    def on_producer_new_rtp_stream(self, producer: Any, rtp_stream: Any, mapped_ssrc: int) -> None:
        self.listener.on_transport_producer_new_rtp_stream(self, producer, rtp_stream, mapped_ssrc)

    def on_producer_rtp_stream_score(
        self, producer: Any, rtp_stream: Any, score: int, previous_score: int
    ) -> None:
        self.listener.on_transport_producer_rtp_stream_score(
            self, producer, rtp_stream, score, previous_score
        )

    def on_producer_rtcp_sender_report(self, producer: Any, rtp_stream: Any, first: bool) -> None:
        self.listener.on_transport_producer_rtcp_sender_report(self, producer, rtp_stream, first)

    def on_producer_rtp_packet_received(self, producer: Any, packet: Any, now_ms: int) -> None:
        self.listener.on_transport_producer_rtp_packet_received(self, producer, packet, now_ms)

    def on_producer_send_rtcp_packet(self, producer: Any, packet: Any) -> None:
        self.send_rtcp_packet(packet)

    def on_producer_need_worst_remote_fraction_lost(self, producer: Any, mapped_ssrc: int) -> int:
        return int(
            self.listener.on_transport_need_worst_remote_fraction_lost(self, producer, mapped_ssrc)
        )

    # Consumer::Listener.
    def on_consumer_send_rtp_packet(
        self, consumer: Any, packet: Any, now_ms: int | None = None
    ) -> None:
        """A Consumer's (rewritten) RTP packet: to the network right now, then counted.

        ``now_ms``: the clock read for this datagram already, if the caller has it.
        """
        if now_ms is None:
            now_ms = self.shared.now_ms()
        abs_send_time_id = consumer.abs_send_time_id
        if abs_send_time_id:
            packet.update_abs_send_time(abs_send_time_id, now_ms)
        # Transport-wide sequence numbers are written by the WebRtcTransport.
        buf = packet.buffer
        sent = self.send_rtp_data(consumer, packet, buf) or 0
        self.send_rtp_transmission.packets += 1
        if now_ms < self._sent_until:
            self._sent_rtp_bytes += len(buf)
            self._sent_wire_bytes += sent
        else:
            self._count_sent(len(buf), sent, now_ms)

    def on_consumer_retransmit_rtp_packet(self, consumer: Any, packet: Any) -> None:
        """A retransmission (RTX or same SSRC) of a Consumer: as a send, counted as RTX."""
        now_ms = self.shared.now_ms()
        abs_send_time_id = consumer.abs_send_time_id
        if abs_send_time_id:
            packet.update_abs_send_time(abs_send_time_id, now_ms)
        self.send_rtx_transmission.update(len(packet), now_ms)
        sent = self.send_rtp_packet(consumer, packet)
        if sent:
            self.flush_send_counters()
            self.send_transmission.update(sent, now_ms)

    def on_consumer_key_frame_requested(self, consumer: Any, mapped_ssrc: int) -> None:
        if not self.is_connected():
            logger.warn(_WHERE, "ignoring key frame request (transport not connected)", "rtcp")
            return
        self.listener.on_transport_consumer_key_frame_requested(self, consumer, mapped_ssrc)

    def on_consumer_need_bitrate_change(self, consumer: Any) -> None:
        # Only a consumer whose bitrate a transport-cc / REMB client manages asks this;
        # no such client exists yet (media task), so nobody asks.
        pass

    def on_consumer_need_zero_bitrate(self, consumer: Any) -> None:
        # As on_consumer_need_bitrate_change.
        pass

    def on_consumer_producer_closed(self, consumer: Any) -> None:
        self._remove_consumer(consumer)
        self.listener.on_transport_consumer_producer_closed(self, consumer)
        consumer.close()

    # DataProducer::Listener.
    def on_data_producer_message_received(self, data_producer: Any, ppid: int, msg: bytes) -> None:
        self.listener.on_transport_data_producer_message_received(self, data_producer, ppid, msg)

    # DataConsumer::Listener.
    def on_data_consumer_send_message(
        self, data_consumer: Any, ppid: int, msg: bytes, cb: OnQueued | None = None
    ) -> None:
        self.send_message(data_consumer, ppid, msg, cb)

    def on_data_consumer_direct_message_sent(self, data_consumer: Any, size: int) -> None:
        """A direct DataConsumer delivered a message over the PayloadChannel itself."""
        self.data_sent(size)

    def on_data_consumer_data_producer_closed(self, data_consumer: Any) -> None:
        self.data_consumers.pop(data_consumer.id, None)
        self.listener.on_transport_data_consumer_data_producer_closed(self, data_consumer)
        # The SCTP association resets the stream here once it exists.
        data_consumer.close()


def _size(compound: CompoundPacket) -> int:
    return len(compound.serialize())


_RTCP_HANDLERS: dict[type, Callable[[Transport, Any], None]] = {
    SenderReportPacket: Transport._handle_rtcp_sr,
    ReceiverReportPacket: Transport._handle_rtcp_rr,
    FeedbackRtpNackPacket: Transport._handle_rtcp_nack,
    FeedbackPsPliPacket: Transport._handle_rtcp_pli,
    FeedbackPsFirPacket: Transport._handle_rtcp_fir,
    ExtendedReportPacket: Transport._handle_rtcp_xr,
    SdesPacket: Transport._ignore_rtcp,
    ByePacket: Transport._ignore_rtcp,
    FeedbackPsRembPacket: Transport._ignore_rtcp,
    FeedbackRtpTransportPacket: Transport._ignore_rtcp,
    FeedbackPacket: Transport._ignore_rtcp,
}

_HANDLERS: dict[str, Callable[[Transport, ChannelRequest], None]] = {
    "transport.dump": Transport._dump_request,
    "transport.getStats": Transport._get_stats_request,
    "transport.setMaxIncomingBitrate": Transport._set_max_incoming_bitrate,
    "transport.setMaxOutgoingBitrate": Transport._set_max_outgoing_bitrate,
    "transport.produce": Transport._produce,
    "transport.consume": Transport._consume,
    "transport.produceData": Transport._produce_data,
    "transport.consumeData": Transport._consume_data,
    "transport.enableTraceEvent": Transport._enable_trace_event,
    "producer.close": Transport._producer_close,
    "consumer.close": Transport._consumer_close,
    "dataProducer.close": Transport._data_producer_close,
    "dataConsumer.close": Transport._data_consumer_close,
    "dataConsumer.getBufferedAmount": Transport._data_consumer_get_buffered_amount,
    "dataConsumer.setBufferedAmountLowThreshold": Transport._data_consumer_set_buffered_amount_low_threshold,
    **dict.fromkeys(
        ("producer.dump", "producer.getStats", "producer.pause", "producer.resume",
         "producer.enableTraceEvent"),
        Transport._to_producer,
    ),
    **dict.fromkeys(
        ("consumer.dump", "consumer.getStats", "consumer.pause", "consumer.resume",
         "consumer.setPreferredLayers", "consumer.setPriority", "consumer.requestKeyFrame",
         "consumer.enableTraceEvent"),
        Transport._to_consumer,
    ),
    "dataProducer.dump": Transport._to_data_producer,
    "dataProducer.getStats": Transport._to_data_producer,
    "dataConsumer.dump": Transport._to_data_consumer,
    "dataConsumer.getStats": Transport._to_data_consumer,
}  # fmt: skip
