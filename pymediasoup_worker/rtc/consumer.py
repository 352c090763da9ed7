"""What every Consumer shares, as mediasoup's RTC::Consumer.

A Consumer sends one Producer's media out of its Transport. This base class validates
the ``transport.consume`` data, keeps the paused / producer-paused / closed state and
answers the requests common to all types (dump, getStats, pause, resume, setPriority,
enableTraceEvent). SimpleConsumer, SimulcastConsumer, SvcConsumer and PipeConsumer add
their RTP streams, layers and scores. ``fill_consume_reply()`` is what the Transport
answers to ``transport.consume``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ..channel.channel_request import ChannelRequest
from ..core.rtp import header_extensions as ext
from ..core.rtp.packet import RtpPacket
from ..core.rtp.rtcp.compound import CompoundPacket
from ..core.rtp_stream_send import NACK_BUFFER_SIZE, RtpStreamSend
from ..errors import MediaSoupError, MediaSoupTypeError
from .json_utils import as_int, as_uint, is_number, is_positive_integer
from .producer import (
    MAX_AUDIO_INTERVAL_MS,
    MAX_VIDEO_INTERVAL_MS,
    parse_trace_event_types,
    rtp_packet_info,
)
from .rtp_dictionaries import (
    RtpEncodingParameters,
    RtpParameters,
    get_kind,
    rtp_header_extension_ids,
    rtp_stream_params,
)
from .shared import Shared

# The header extensions a Consumer rewrites or reads (mediasoup's Consumer constructor).
CONSUMER_HEADER_EXTENSIONS = (
    "ssrcAudioLevel", "videoOrientation", "absSendTime", "transportWideCc01", "mid", "rid", "rrid",
)  # fmt: skip


class ConsumerListener(Protocol):
    def on_consumer_send_rtp_packet(
        self, consumer: Consumer, packet: Any, now_ms: int | None = None
    ) -> None: ...
    def on_consumer_retransmit_rtp_packet(self, consumer: Consumer, packet: Any) -> None: ...
    def on_consumer_key_frame_requested(self, consumer: Consumer, mapped_ssrc: int) -> None: ...
    def on_consumer_need_bitrate_change(self, consumer: Consumer) -> None: ...
    def on_consumer_need_zero_bitrate(self, consumer: Consumer) -> None: ...
    def on_consumer_producer_closed(self, consumer: Consumer) -> None: ...


class Consumer:
    type = "none"
    # The outgoing stream of the one-stream Consumers (all but PipeConsumer, which has several).
    rtp_stream: RtpStreamSend

    def __init__(
        self,
        consumer_id: str,
        producer_id: str,
        shared: Shared,
        listener: ConsumerListener,
        data: dict[str, Any],
    ) -> None:
        self.id = consumer_id
        self.producer_id = producer_id
        self.shared = shared
        self.listener = listener
        kind = data.get("kind")
        if not isinstance(kind, str):
            raise MediaSoupTypeError("missing kind")
        self.kind = get_kind(kind)
        if not self.kind:
            raise MediaSoupTypeError("invalid empty kind")
        rtp_parameters = data.get("rtpParameters")
        if not isinstance(rtp_parameters, dict):
            raise MediaSoupTypeError("missing rtpParameters")
        self.params = RtpParameters(rtp_parameters)
        for encoding in self.params.encodings:
            if encoding.ssrc == 0:
                raise MediaSoupTypeError("invalid encoding in rtpParameters (missing ssrc)")
            if encoding.rtx is not None and encoding.rtx.ssrc == 0:
                raise MediaSoupTypeError("invalid encoding in rtpParameters (missing rtx.ssrc)")
        consumable = data.get("consumableRtpEncodings")
        if not isinstance(consumable, list):
            raise MediaSoupTypeError("missing consumableRtpEncodings")
        if not consumable:
            raise MediaSoupTypeError("empty consumableRtpEncodings")
        self.consumable_rtp_encodings: list[RtpEncodingParameters] = []
        for entry in consumable:
            encoding = RtpEncodingParameters(entry)
            if encoding.ssrc == 0:
                raise MediaSoupTypeError("wrong encoding in consumableRtpEncodings (missing ssrc)")
            self.consumable_rtp_encodings.append(encoding)
        self.rtp_header_extension_ids = rtp_header_extension_ids(
            self.params.header_extensions, CONSUMER_HEADER_EXTENSIONS
        )
        # Read per packet by the transport (0: not negotiated).
        self.abs_send_time_id: int = self.rtp_header_extension_ids.get("absSendTime", 0)
        self.transport_wide_cc01_id: int = self.rtp_header_extension_ids.get("transportWideCc01", 0)
        paused = data.get("paused")
        self.paused: bool = paused if isinstance(paused, bool) else False
        self._producer_paused = False
        self._producer_closed = False
        self.transport_connected_ = False
        self.externally_managed_bitrate = False
        self.priority = 1
        self.trace_event_types: list[str] = []
        self.supported_codec_payload_types = sorted(
            {c.payload_type for c in self.params.codecs if c.mime_type.is_media_codec()}
        )
        self.media_ssrcs = [e.ssrc for e in self.params.encodings]
        self.rtx_ssrcs = [e.rtx.ssrc for e in self.params.encodings if e.rtx is not None]
        # The Producer's per-encoding scores; the Router hands over the Producer's own list.
        self._producer_scores: list[int] = []
        self.rtp_parameters: dict[str, Any] = self.params.fill_json()
        self.closed = False
        # Media path. ``_active`` caches is_active() for the per-packet path; every state
        # change that can alter it calls _refresh_active().
        self._active = False
        self._supported_payload_types = frozenset(self.supported_codec_payload_types)
        # The MID element the Router writes over the Producer's placeholder (None: no MID).
        self.mid_element = mid_element(self.params.mid)
        self.max_rtcp_interval = (
            MAX_AUDIO_INTERVAL_MS if self.kind == "audio" else MAX_VIDEO_INTERVAL_MS
        )
        self.last_rtcp_sent_time = 0

    # State.
    def is_active(self) -> bool:
        return (
            self.transport_connected_
            and not self.paused
            and not self._producer_paused
            and not self._producer_closed
        )

    def is_producer_paused(self) -> bool:
        return self._producer_paused

    def _refresh_active(self) -> None:
        self._active = self.is_active()

    def close(self) -> None:
        """Its Transport dropped it: nothing is sent."""
        self.closed = True

    # What the Transport answers to transport.consume.
    def fill_consume_reply(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "paused": self.paused,
            "producerPaused": self._producer_paused,
            "score": self.fill_json_score(),
        }
        spatial, temporal = self.get_preferred_layers()
        if spatial > -1 and temporal > -1:
            data["preferredLayers"] = {"spatialLayer": spatial, "temporalLayer": temporal}
        return data

    def get_preferred_layers(self) -> tuple[int, int]:
        return (-1, -1)

    def producer_stats_stream(self) -> Any | None:
        """The Producer's stream this Consumer reports in its stats and score (if any)."""
        return None

    def fill_json_score(self) -> dict[str, Any]:
        stream = self.producer_stats_stream()
        return {
            "score": self.rtp_stream.score,
            "producerScore": stream.score if stream is not None else 0,
            "producerScores": list(self._producer_scores),
        }

    def emit_score(self) -> None:
        self.shared.notify(self.id, "score", self.fill_json_score())

    def get_rtp_streams(self) -> list[RtpStreamSend]:
        raise NotImplementedError

    # Channel.
    def handle_request(self, request: ChannelRequest) -> None:
        method = request.method
        if method == "consumer.dump":
            request.accept(self.dump())
        elif method == "consumer.getStats":
            request.accept(self.get_stats())
        elif method == "consumer.pause":
            if not self.paused:
                was_active = self.is_active()
                self.paused = True
                self._refresh_active()
                if was_active:
                    self.user_on_paused()
            request.accept()
        elif method == "consumer.resume":
            if self.paused:
                self.paused = False
                self._refresh_active()
                if self.is_active():
                    self.user_on_resumed()
            request.accept()
        elif method == "consumer.setPriority":
            priority = request.data.get("priority")
            if not is_number(priority):
                raise MediaSoupTypeError("wrong priority (not a number)")
            value = as_uint(priority, 8)
            if value < 1:
                raise MediaSoupTypeError("wrong priority (must be higher than 0)")
            self.priority = value
            request.accept({"priority": self.priority})
        elif method == "consumer.enableTraceEvent":
            self.trace_event_types = parse_trace_event_types(request.data)
            request.accept()
        else:
            raise MediaSoupError(f"unknown method '{method}'")

    def dump(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "producerId": self.producer_id,
            "kind": self.kind,
            "rtpParameters": self.params.fill_json(),
            "type": self.type,
            "consumableRtpEncodings": [e.fill_json() for e in self.consumable_rtp_encodings],
            "supportedCodecPayloadTypes": list(self.supported_codec_payload_types),
            "paused": self.paused,
            "producerPaused": self._producer_paused,
            "priority": self.priority,
            "traceEventTypes": ",".join(self.trace_event_types),
        }

    def get_stats(self) -> list[dict[str, Any]]:
        """[own outbound-rtp, the Producer's inbound-rtp if any] (one-stream Consumers)."""
        now_ms = self.shared.now_ms()
        stats = [self.rtp_stream.fill_json_stats(now_ms)]
        stream = self.producer_stats_stream()
        if stream is not None:
            stats.append(stream.fill_json_stats(now_ms))
        return stats

    # Transport events.
    def transport_connected(self) -> None:
        self.transport_connected_ = True
        self._refresh_active()
        self.user_on_transport_connected()

    def transport_disconnected(self) -> None:
        self.transport_connected_ = False
        self._refresh_active()
        self.user_on_transport_disconnected()

    def set_externally_managed_bitrate(self) -> None:
        self.externally_managed_bitrate = True

    # Router events (the Producer's state).
    def producer_paused(self) -> None:
        if self._producer_paused:
            return
        was_active = self.is_active()
        self._producer_paused = True
        self._refresh_active()
        if was_active:
            self.user_on_paused()
        self.shared.notify(self.id, "producerpause")

    def producer_resumed(self) -> None:
        if not self._producer_paused:
            return
        self._producer_paused = False
        self._refresh_active()
        if self.is_active():
            self.user_on_resumed()
        self.shared.notify(self.id, "producerresume")

    def producer_rtp_stream_scores(self, scores: list[int]) -> None:
        """The Producer's score list itself (not a copy): it stays current."""
        self._producer_scores = scores

    def producer_closed(self) -> None:
        """The Producer closed: notify Node, then the Transport drops this Consumer."""
        self._producer_closed = True
        self._refresh_active()
        self.shared.notify(self.id, "producerclose")
        self.listener.on_consumer_producer_closed(self)

    def producer_rtp_stream(self, rtp_stream: Any, mapped_ssrc: int) -> None:
        raise NotImplementedError

    def producer_new_rtp_stream(self, rtp_stream: Any, mapped_ssrc: int) -> None:
        raise NotImplementedError

    def producer_rtp_stream_score(self, rtp_stream: Any, score: int, previous_score: int) -> None:
        raise NotImplementedError

    def producer_rtcp_sender_report(self, rtp_stream: Any, first: bool) -> None:
        raise NotImplementedError

    def need_worst_remote_fraction_lost(self, mapped_ssrc: int, worst: int) -> int:
        return worst

    def send_rtp_packet(self, packet: Any, now_ms: int | None = None) -> None:
        """A (mangled) packet of the Producer to forward; ``now_ms`` from the Router."""
        raise NotImplementedError

    def request_key_frame(self) -> None:
        """Ask the Producer for key frames of what this Consumer forwards."""
        raise NotImplementedError

    # Media: RTCP from the Consumer's endpoint (Transport -> Consumer).
    def rtp_stream_for_ssrc(self, ssrc: int) -> RtpStreamSend | None:
        streams = self.get_rtp_streams()
        for stream in streams:
            if stream.params.ssrc == ssrc:
                return stream
        return None

    def receive_nack(self, nack_packet: Any) -> None:
        """A Generic NACK about one of our streams: resend what the buffer still has."""
        if not self.is_active():
            return
        self.emit_trace_event_nack_type()
        stream = self.rtp_stream_for_ssrc(nack_packet.media_ssrc)
        if stream is None:
            streams = self.get_rtp_streams()
            if len(streams) != 1:
                return
            stream = streams[0]
        is_rtx = stream.rtx_stream is not None
        for packet in stream.receive_nack(nack_packet.items, self.shared.now_ms()):
            self.listener.on_consumer_retransmit_rtp_packet(self, packet)
            if self.trace_event_types:
                self.emit_trace_event_rtp_and_key_frame_types(packet, is_rtx)

    def receive_key_frame_request(self, fmt: str, ssrc: int) -> None:
        """A PLI (``fmt`` 'pli') or FIR ('fir') for ``ssrc``, one of our media SSRCs."""
        if fmt == "pli":
            self.emit_trace_event_pli_type(ssrc)
        elif fmt == "fir":
            self.emit_trace_event_fir_type(ssrc)
        stream = self.rtp_stream_for_ssrc(ssrc)
        if stream is not None:
            stream.receive_key_frame_request(fmt)
        if self.is_active():
            self.request_key_frame()

    def receive_rtcp_receiver_report(self, report: Any) -> None:
        """An RR block (``ssrc``, ``fraction_lost``, ``total_lost``, LSR, DLSR...) about us."""
        stream = self.rtp_stream_for_ssrc(report.ssrc)
        if stream is None:
            return
        if stream.receive_rtcp_receiver_report(report, self.shared.now_ms()):
            self.on_rtp_stream_score(stream)

    def on_rtp_stream_score(self, stream: RtpStreamSend) -> None:
        """Our own stream's score changed (mediasoup's OnRtpStreamScore)."""
        self.shared.notify(self.id, "score", self.fill_json_score())

    def get_rtcp(self, compound: CompoundPacket, rtp_stream: RtpStreamSend, now_ms: int) -> None:
        """Add an SR and an SDES chunk for ``rtp_stream``, at most once per RTCP interval."""
        if (now_ms - self.last_rtcp_sent_time) * 1.15 < self.max_rtcp_interval:
            return
        self._add_rtcp(compound, rtp_stream, now_ms)

    def _add_rtcp(self, compound: CompoundPacket, rtp_stream: RtpStreamSend, now_ms: int) -> None:
        report = rtp_stream.get_rtcp_sender_report(now_ms)
        if report is None:
            return
        compound.add_sender_report(report)
        compound.add_sdes_chunk(rtp_stream.get_rtcp_sdes_chunk())
        self.last_rtcp_sent_time = now_ms

    def get_transmission_rate(self, now_ms: int) -> int:
        if not self.is_active():
            return 0
        return sum(stream.get_bitrate(now_ms) for stream in self.get_rtp_streams())

    def get_rtt(self) -> float:
        return max((stream.rtt for stream in self.get_rtp_streams()), default=0.0)

    def stored_restorer(self, ssrc: int) -> Callable[[Any, int], None]:
        """The ``restore_stored`` of a stream that keeps shared packet copies (SSRC
        ``ssrc``): a copy from its retransmission buffer made ours again for a resend,
        with the stream's seq and SSRC and our MID."""

        def restore(packet: Any, seq: int) -> None:
            packet.rewrite_seq_ssrc(seq, ssrc)
            if self.mid_element is not None:
                write_mid(packet, self.mid_element, self.params.mid)

        return restore

    # Hooks of the subclasses (mediasoup's UserOn*).
    def user_on_transport_connected(self) -> None:
        raise NotImplementedError

    def user_on_transport_disconnected(self) -> None:
        raise NotImplementedError

    def user_on_paused(self) -> None:
        raise NotImplementedError

    def user_on_resumed(self) -> None:
        raise NotImplementedError

    # Helpers for the subclasses.
    def _new_rtp_stream_send(
        self, encoding: RtpEncodingParameters, encoding_idx: int = 0
    ) -> RtpStreamSend:
        """An RtpStreamSend for ``encoding``, as the C++ consumers' CreateRtpStream()."""
        codec = self.params.get_codec_for_encoding(encoding)
        params = rtp_stream_params(
            codec, encoding, encoding.ssrc, encoding_idx, self.params.rtcp.cname
        )
        buffer_size = NACK_BUFFER_SIZE if params.use_nack else 0
        stream = RtpStreamSend(params, buffer_size, self.shared.now_ms())
        if self.paused or self._producer_paused:
            stream.pause()
        rtx_codec = self.params.get_rtx_codec_for_encoding(encoding)
        if rtx_codec is not None and encoding.rtx is not None:
            stream.set_rtx(rtx_codec.payload_type, encoding.rtx.ssrc)
        return stream

    def emit_trace_event_pli_type(self, ssrc: int) -> None:
        if "pli" in self.trace_event_types:
            self._emit_trace("pli", {"ssrc": ssrc})

    def emit_trace_event_fir_type(self, ssrc: int) -> None:
        if "fir" in self.trace_event_types:
            self._emit_trace("fir", {"ssrc": ssrc})

    def emit_trace_event_nack_type(self) -> None:
        if "nack" in self.trace_event_types:
            self._emit_trace("nack", {})

    def emit_trace_event_rtp_and_key_frame_types(
        self, packet: RtpPacket, is_rtx: bool = False
    ) -> None:
        types = self.trace_event_types
        if "keyframe" in types and packet.is_key_frame:
            kind = "keyframe"
        elif "rtp" in types:
            kind = "rtp"
        else:
            return
        info = rtp_packet_info(packet, ext.MID, 0, 0, ext.TRANSPORT_WIDE_CC_01)
        if is_rtx:
            info["isRtx"] = True
        self._emit_trace(kind, info, "out")

    def _emit_trace(self, kind: str, info: dict[str, Any], direction: str = "in") -> None:
        data = {
            "type": kind,
            "timestamp": self.shared.now_ms(),
            "direction": direction,
            "info": info,
        }
        self.shared.notify(self.id, "trace", data)


def mid_slot(buf: bytearray) -> int:
    """Where a mangled packet's MID element starts (its header byte), 0 if it has none.

    The Producer's mangling puts the MID element first in a one-byte extension block,
    with room for MID_MAX_LENGTH bytes: after the fixed header, the CSRCs and the 4-byte
    extension block header."""
    pos = 16 + ((buf[0] & 0x0F) << 2)
    if buf[0] & 0x10 and len(buf) > pos + ext.MID_MAX_LENGTH and buf[pos] >> 4 == ext.MID:
        return pos
    return 0


def write_mid(packet: Any, element: bytes, mid: str) -> None:
    """A Consumer's MID element over a mangled packet's MID (see mid_element)."""
    pos = mid_slot(packet.buffer)
    if pos:
        packet.buffer[pos : pos + 1 + ext.MID_MAX_LENGTH] = element
    else:
        packet.update_mid(ext.MID, mid)


def mid_element(mid: str) -> bytes | None:
    """The one-byte-form MID element (header byte + value zero-padded to MID_MAX_LENGTH) the
    Router writes over a mangled packet's MID placeholder; None without a (usable) MID."""
    value = mid.encode() if mid else b""
    if not value or len(value) > ext.MID_MAX_LENGTH:
        return None
    return bytes(((ext.MID << 4) | (len(value) - 1),)) + value.ljust(ext.MID_MAX_LENGTH, b"\x00")


def clamp_preferred_layers(
    data: dict[str, Any], spatial_layers: int, temporal_layers: int, missing: str
) -> tuple[int, int]:
    """Preferred layers from ``{spatialLayer, temporalLayer?}``, clamped to what exists.

    As the C++ simulcast and SVC consumers: spatialLayer is required (a non-negative
    integer, else TypeError ``missing``); temporalLayer defaults to the highest one.
    """
    spatial = data.get("spatialLayer")
    if not is_positive_integer(spatial):
        raise MediaSoupTypeError(missing)
    preferred_spatial = min(as_int(spatial, 16), spatial_layers - 1)
    temporal = data.get("temporalLayer")
    if is_positive_integer(temporal):
        preferred_temporal = min(as_int(temporal, 16), temporal_layers - 1)
    else:
        preferred_temporal = temporal_layers - 1
    return preferred_spatial, preferred_temporal
