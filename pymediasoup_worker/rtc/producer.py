"""A Producer, as mediasoup's RTC::Producer: the RTP a client sends into a Transport.

Created by its Transport on ``transport.produce``. It validates the RtpParameters and
the ``rtpMapping`` (the Node side's translation of payload types and SSRCs to the
router's), and answers ``producer.*`` requests. Its RTP streams (RtpStreamRecv, one per
encoding) appear when RTP arrives, so until then ``rtpStreams`` in the dump and the
stats are empty arrays and every stream score is 0, as with the C++ worker.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Protocol

from ..channel.channel_request import ChannelRequest
from ..core.keyframe_request_manager import KeyFrameRequestManager
from ..core.rtp import header_extensions as ext
from ..core.rtp.packet import ONE_BYTE_PROFILE, RtpPacket
from ..core.rtp.rtcp.compound import CompoundPacket
from ..core.rtp.rtcp.xr import ExtendedReportPacket, ReceiverReferenceTime
from ..core.rtp_stream_recv import RtpStreamRecv
from ..core.rtp_stream_stats import time_ms_to_ntp
from ..errors import MediaSoupError, MediaSoupTypeError
from ..log import logger
from .json_utils import as_uint, is_integer, is_positive_integer
from .rtp_dictionaries import RtpParameters, get_kind, rtp_header_extension_ids, rtp_stream_params
from .shared import Shared

TRACE_EVENT_TYPES = ("rtp", "keyframe", "nack", "pli", "fir")

# RTCP report intervals (ms), as mediasoup's RTCP::MaxAudioIntervalMs / MaxVideoIntervalMs.
MAX_AUDIO_INTERVAL_MS = 5000
MAX_VIDEO_INTERVAL_MS = 1000

_WHERE = "Producer"
# The MID a Producer writes is a placeholder of the maximum length: the Router writes each
# Consumer's MID over it (mediasoup's MidMaxLength).
_MID_PLACEHOLDER = bytes(ext.MID_MAX_LENGTH)
_ABS_SEND_TIME_PLACEHOLDER = bytes(3)
_TRANSPORT_WIDE_CC_PLACEHOLDER = bytes(2)


def _fixed_block(elements: list[tuple[int, bytes]], start: int) -> tuple[bytes, dict[int, int]]:
    """A one-byte extension block of ``elements`` (its 4-byte header included) and the
    offsets of their values in a packet whose block header starts at ``start``."""
    body = bytearray()
    offsets: dict[int, int] = {}
    for ext_id, value in elements:
        body.append((ext_id << 4) | (len(value) - 1))
        offsets[ext_id] = start + 4 + len(body)
        body += value
    body += bytes(-len(body) & 3)
    header = ONE_BYTE_PROFILE.to_bytes(2, "big") + (len(body) >> 2).to_bytes(2, "big")
    return header + bytes(body), offsets


class ReceiveRtpPacketResult(IntEnum):
    """What Producer.receive_rtp_packet() made of a packet (the Transport counts by it)."""

    MEDIA = 0
    RETRANSMISSION = 1
    DISCARDED = 2


# Read per packet: an IntEnum member is a slow attribute lookup on Python 3.11.
_MEDIA = ReceiveRtpPacketResult.MEDIA
_RETRANSMISSION = ReceiveRtpPacketResult.RETRANSMISSION
_DISCARDED = ReceiveRtpPacketResult.DISCARDED


def rtp_packet_info(
    packet: RtpPacket, mid_id: int = 0, rid_id: int = 0, rrid_id: int = 0, tcc_id: int = 0
) -> dict[str, Any]:
    """RtpPacket::FillJson: the ``info`` of ``rtp`` / ``keyframe`` trace events."""
    descriptor: Any = packet.payload_descriptor
    info: dict[str, Any] = {
        "payloadType": packet.payload_type,
        "sequenceNumber": packet.sequence_number,
        "timestamp": packet.timestamp,
        "marker": "true" if packet.marker else "false",
        "ssrc": packet.ssrc,
        "isKeyFrame": packet.is_key_frame,
        "size": packet.size,
        "payloadSize": packet.payload_length,
        "spatialLayer": descriptor.spatial_layer if descriptor is not None else 0,
        "temporalLayer": descriptor.temporal_layer if descriptor is not None else 0,
    }
    if mid_id:
        mid = packet.read_mid(mid_id)
        if mid:
            info["mid"] = mid.rstrip("\x00") or mid
    if rid_id:
        rid = packet.read_rid(rid_id)
        if rid:
            info["rid"] = rid
    if rrid_id:
        rrid = packet.read_rrid(rrid_id)
        if rrid:
            info["rrid"] = rrid
    if tcc_id:
        wide = packet.read_transport_wide_cc01(tcc_id)
        if wide is not None:
            info["wideSequenceNumber"] = wide
    return info


def has_receiver_reference_time(compound: CompoundPacket) -> bool:
    for packet in compound.packets:
        if isinstance(packet, ExtendedReportPacket):
            for report in packet.reports:
                if isinstance(report, ReceiverReferenceTime):
                    return True
    return False


class ProducerListener(Protocol):
    def on_producer_paused(self, producer: Producer) -> None: ...
    def on_producer_resumed(self, producer: Producer) -> None: ...
    def on_producer_new_rtp_stream(
        self, producer: Producer, rtp_stream: Any, mapped_ssrc: int
    ) -> None: ...
    def on_producer_rtp_stream_score(
        self, producer: Producer, rtp_stream: Any, score: int, previous_score: int
    ) -> None: ...
    def on_producer_rtcp_sender_report(
        self, producer: Producer, rtp_stream: Any, first: bool
    ) -> None: ...
    def on_producer_rtp_packet_received(
        self, producer: Producer, packet: Any, now_ms: int
    ) -> None: ...
    def on_producer_send_rtcp_packet(self, producer: Producer, packet: Any) -> None: ...
    def on_producer_need_worst_remote_fraction_lost(
        self, producer: Producer, mapped_ssrc: int
    ) -> int: ...


def is_valid_type_for_codec(rtp_type: str, mime_type: Any) -> bool:
    """Codecs::Tools::IsValidTypeForCodec(): simulcast needs VP8/H264, SVC needs VP9."""
    if rtp_type in ("simple", "pipe"):
        return True
    if mime_type.type != "video":
        return False
    if rtp_type == "simulcast":
        return mime_type.subtype_name in ("VP8", "H264")
    if rtp_type == "svc":
        return mime_type.subtype_name == "VP9"
    return False


def parse_trace_event_types(data: dict[str, Any]) -> list[str]:
    """``enableTraceEvent`` data of producers and consumers; unknown names are ignored."""
    types = data.get("types")
    if not isinstance(types, list):
        raise MediaSoupTypeError("wrong types (not an array)")
    wanted: set[str] = set()
    for entry in types:
        if not isinstance(entry, str):
            raise MediaSoupTypeError("wrong type (not a string)")
        wanted.add(entry)
    return [t for t in TRACE_EVENT_TYPES if t in wanted]


class RtpEncodingMapping:
    __slots__ = ("rid", "ssrc", "mapped_ssrc")

    def __init__(self, rid: str, ssrc: int, mapped_ssrc: int) -> None:
        self.rid = rid
        self.ssrc = ssrc
        self.mapped_ssrc = mapped_ssrc

    def fill_json(self) -> dict[str, Any]:
        return {"rid": self.rid or None, "ssrc": self.ssrc or None, "mappedSsrc": self.mapped_ssrc}


class Producer:
    def __init__(
        self, producer_id: str, shared: Shared, listener: ProducerListener, data: dict[str, Any]
    ) -> None:
        self.id = producer_id
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
        self.type = self.params.type()
        media_codec = self.params.get_codec_for_encoding(self.params.encodings[0])
        if not is_valid_type_for_codec(self.type, media_codec.mime_type):
            raise MediaSoupTypeError(f"{media_codec.mime_type} codec not supported for {self.type}")
        self._parse_rtp_mapping(data.get("rtpMapping"))
        paused = data.get("paused")
        self.paused: bool = paused if isinstance(paused, bool) else False
        if len(self.params.encodings) != len(self.rtp_mapping_encodings):
            raise MediaSoupTypeError(
                "rtpParameters.encodings size does not match rtpMapping.encodings size"
            )
        self.rtp_header_extension_ids = rtp_header_extension_ids(self.params.header_extensions)
        # The validated RtpParameters in the worker's JSON shape (what the Transport reads).
        self.rtp_parameters: dict[str, Any] = self.params.fill_json()
        # Key frame requests are for video only; 0 means "no delay".
        self.key_frame_request_delay: int | None = None
        if self.kind == "video":
            delay = data.get("keyFrameRequestDelay")
            self.key_frame_request_delay = as_uint(delay, 32) if is_integer(delay) else 0
        # One slot per encoding; an RtpStreamRecv fills it when its first packet arrives.
        self.rtp_stream_by_encoding_idx: list[Any] = [None] * len(self.params.encodings)
        self.rtp_stream_scores: list[int] = [0] * len(self.params.encodings)
        self.map_rtp_stream_mapped_ssrc: dict[Any, int] = {}
        self.map_mapped_ssrc_ssrc: dict[int, int] = {}
        self.trace_event_types: list[str] = []
        self.closed = False
        # Media path.
        self.map_ssrc_rtp_stream: dict[int, RtpStreamRecv] = {}
        self.map_rtx_ssrc_rtp_stream: dict[int, RtpStreamRecv] = {}
        self.key_frame_request_manager: KeyFrameRequestManager | None = (
            KeyFrameRequestManager(self.key_frame_request_delay or 0)
            if self.kind == "video"
            else None
        )
        self.max_rtcp_interval = (
            MAX_AUDIO_INTERVAL_MS if self.kind == "audio" else MAX_VIDEO_INTERVAL_MS
        )
        self.last_rtcp_sent_time = 0
        self._current_rtp_packet: RtpPacket | None = None
        self.video_orientation: tuple[bool, bool, int] | None = None
        self._timer_handle: Any = None
        self._timer_deadline = 0
        ids = self.rtp_header_extension_ids
        self._ext_mid = ids["mid"]
        self._ext_rid = ids["rid"]
        self._ext_rrid = ids["rrid"]
        self._ext_tcc = ids["transportWideCc01"]
        self._ext_audio_level = ids["ssrcAudioLevel"]
        # Video extensions proxied by the mangling, (received id, router id), in
        # mediasoup's order.
        self._video_proxied_ext_ids = [
            (ids[name], router_id)
            for name, router_id in (
                ("frameMarking07", ext.FRAME_MARKING_07),
                ("frameMarking", ext.FRAME_MARKING),
                ("videoOrientation", ext.VIDEO_ORIENTATION),
                ("toffset", ext.TOFFSET),
            )
            if ids[name]
        ]
        self._frame_marking_ext_id = ids["frameMarking"] or ids["frameMarking07"]
        self._post_process_video = self.kind == "video" and bool(ids["videoOrientation"])
        # The mangling's elements: the fixed ones (placeholders), then the proxied ones
        # (received id, router id) copied when the packet has them.
        self._mangle_fixed: list[tuple[int, bytes]] = [(ext.MID, _MID_PLACEHOLDER)]
        if self.kind == "audio":
            self._mangle_proxied = (
                [(self._ext_audio_level, ext.SSRC_AUDIO_LEVEL)] if self._ext_audio_level else []
            )
        else:
            self._mangle_fixed.append((ext.ABS_SEND_TIME, _ABS_SEND_TIME_PLACEHOLDER))
            self._mangle_fixed.append((ext.TRANSPORT_WIDE_CC_01, _TRANSPORT_WIDE_CC_PLACEHOLDER))
            self._mangle_proxied = self._video_proxied_ext_ids
        # The block of the fixed elements alone, built once per CSRC-block start:
        # start -> (block with its header, element id -> value offset).
        self._mangle_fixed_blocks: dict[int, tuple[bytes, dict[int, int]]] = {}

    def _parse_rtp_mapping(self, mapping: Any) -> None:
        if not isinstance(mapping, dict):
            raise MediaSoupTypeError("missing rtpMapping")
        codecs = mapping.get("codecs")
        if not isinstance(codecs, list):
            raise MediaSoupTypeError("missing rtpMapping.codecs")
        self.rtp_mapping_codecs: dict[int, int] = {}
        for codec in codecs:
            if not isinstance(codec, dict):
                raise MediaSoupTypeError("wrong entry in rtpMapping.codecs (not an object)")
            payload_type = codec.get("payloadType")
            if not is_positive_integer(payload_type):
                raise MediaSoupTypeError("wrong entry in rtpMapping.codecs (missing payloadType)")
            mapped = codec.get("mappedPayloadType")
            if not is_positive_integer(mapped):
                raise MediaSoupTypeError(
                    "wrong entry in rtpMapping.codecs (missing mappedPayloadType)"
                )
            self.rtp_mapping_codecs[as_uint(payload_type, 8)] = as_uint(mapped, 8)
        encodings = mapping.get("encodings")
        if not isinstance(encodings, list):
            raise MediaSoupTypeError("missing rtpMapping.encodings")
        self.rtp_mapping_encodings: list[RtpEncodingMapping] = []
        for encoding in encodings:
            if not isinstance(encoding, dict):
                raise MediaSoupTypeError("wrong entry in rtpMapping.encodings")
            ssrc = encoding.get("ssrc")
            rid = encoding.get("rid")
            # Presence of the keys counts here, whatever their values.
            if len(encodings) > 1 and "ssrc" not in encoding and "rid" not in encoding:
                raise MediaSoupTypeError(
                    "wrong entry in rtpMapping.encodings (missing ssrc or rid)"
                )
            if (
                not self.params.mid
                and len(encodings) == 1
                and "ssrc" not in encoding
                and "rid" not in encoding
            ):
                raise MediaSoupTypeError(
                    "wrong entry in rtpMapping.encodings (missing ssrc or rid, or rtpParameters.mid)"
                )
            mapped_ssrc = encoding.get("mappedSsrc")
            if not is_positive_integer(mapped_ssrc):
                raise MediaSoupTypeError("wrong entry in rtpMapping.encodings (missing mappedSsrc)")
            self.rtp_mapping_encodings.append(
                RtpEncodingMapping(
                    rid if isinstance(rid, str) else "",
                    as_uint(ssrc, 32) if is_positive_integer(ssrc) else 0,
                    as_uint(mapped_ssrc, 32),
                )
            )

    # Read by the Router and the Transport.
    def get_rtp_streams(self) -> list[tuple[Any, int]]:
        """(RtpStreamRecv, mapped SSRC) pairs, as mediasoup's GetRtpStreams()."""
        return list(self.map_rtp_stream_mapped_ssrc.items())

    def close(self) -> None:
        """Its Transport dropped it: nothing is sent."""
        self.closed = True
        self._cancel_timer()

    # Channel.
    def handle_request(self, request: ChannelRequest) -> None:
        method = request.method
        if method == "producer.dump":
            request.accept(self.dump())
        elif method == "producer.getStats":
            request.accept(self.get_stats())
        elif method == "producer.pause":
            if not self.paused:
                for rtp_stream in self.map_rtp_stream_mapped_ssrc:
                    rtp_stream.pause()
                self.paused = True
                self.listener.on_producer_paused(self)
            request.accept()
        elif method == "producer.resume":
            if self.paused:
                now_ms = self.shared.now_ms()
                for rtp_stream in self.map_rtp_stream_mapped_ssrc:
                    rtp_stream.resume(now_ms)
                self.paused = False
                self.listener.on_producer_resumed(self)
                # Consumers resumed waiting for a key frame: ask every stream for one now.
                manager = self.key_frame_request_manager
                if manager is not None:
                    for ssrc, rtp_stream in self.map_ssrc_rtp_stream.items():
                        if manager.force_key_frame_needed(now_ms, ssrc):
                            rtp_stream.request_key_frame()
                self._arm_timer()
            request.accept()
        elif method == "producer.enableTraceEvent":
            self.trace_event_types = parse_trace_event_types(request.data)
            request.accept()
        else:
            raise MediaSoupError(f"unknown method '{method}'")

    def dump(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "rtpParameters": self.params.fill_json(),
            "type": self.type,
            "rtpMapping": {
                "codecs": [
                    {"payloadType": pt, "mappedPayloadType": mapped}
                    for pt, mapped in sorted(self.rtp_mapping_codecs.items())
                ],
                "encodings": [encoding.fill_json() for encoding in self.rtp_mapping_encodings],
            },
            "rtpStreams": [s.fill_json() for s in self.rtp_stream_by_encoding_idx if s is not None],
            "paused": self.paused,
            "traceEventTypes": ",".join(self.trace_event_types),
        }

    def get_stats(self) -> list[dict[str, Any]]:
        now_ms = self.shared.now_ms()
        return [s.fill_json_stats(now_ms) for s in self.rtp_stream_by_encoding_idx if s is not None]

    # --- Media: RTP in (Transport -> Producer) ---

    def receive_rtp_packet(
        self, packet: RtpPacket, now_ms: int | None = None
    ) -> ReceiveRtpPacketResult:
        """A packet the Transport's RtpListener routed here (mediasoup's ReceiveRtpPacket).

        ``now_ms``: the clock read for this datagram already, if the caller has it.

        Media and RTX packets update their stream's statistics even while paused; only
        unpaused media is mangled (router payload type, mapped SSRC, router header
        extension ids) and handed to ``listener.on_producer_rtp_packet_received``.
        """
        self._current_rtp_packet = None
        ssrc = packet.ssrc
        rtp_stream = self.map_ssrc_rtp_stream.get(ssrc)
        is_new = False
        if rtp_stream is None:
            rtp_stream = self.map_rtx_ssrc_rtp_stream.get(ssrc)
            if rtp_stream is None:
                count = len(self.map_ssrc_rtp_stream)
                rtp_stream = self._get_rtp_stream(packet)
                if rtp_stream is None:
                    logger.warn(
                        _WHERE + "::ReceiveRtpPacket",
                        f"no stream found for received packet [ssrc:{ssrc}]",
                        "rtp",
                    )
                    return _DISCARDED
                is_new = len(self.map_ssrc_rtp_stream) > count
        if now_ms is None:
            now_ms = self.shared.now_ms()

        if ssrc == rtp_stream.params.ssrc:
            result = _MEDIA
            is_rtx = False
            if not rtp_stream.receive_packet(packet, now_ms):
                if is_new:
                    self._notify_new_rtp_stream(rtp_stream)
                return result
        else:
            result = _RETRANSMISSION
            is_rtx = True
            if not rtp_stream.receive_rtx_packet(packet, now_ms):
                return result

        manager = self.key_frame_request_manager
        if packet.is_key_frame and manager is not None:
            manager.key_frame_received(packet.ssrc)

        if is_new:
            # The first packets may be lost: ask for a key frame unless this is one.
            if manager is not None and not self.paused and not packet.is_key_frame:
                if manager.force_key_frame_needed(now_ms, packet.ssrc):
                    rtp_stream.request_key_frame()
            self._current_rtp_packet = packet
            self._notify_new_rtp_stream(rtp_stream)
            self._current_rtp_packet = None
            self._arm_timer()

        if self.paused:
            return result

        if self.trace_event_types:
            self._emit_trace_event_rtp_and_key_frame_types(packet, is_rtx)

        if not self._mangle_rtp_packet(packet, rtp_stream):
            return _DISCARDED

        # Only a negotiated video-orientation extension can be in the mangled packet.
        if self._post_process_video:
            self._post_process_rtp_packet(packet)

        self.listener.on_producer_rtp_packet_received(self, packet, now_ms)
        return result

    def _get_rtp_stream(self, packet: RtpPacket) -> RtpStreamRecv | None:
        """Find or create the stream of a packet whose SSRC is not known yet (GetRtpStream)."""
        ssrc = packet.ssrc
        payload_type = packet.payload_type
        params = self.params
        encodings = params.encodings

        # An encoding with this media or RTX SSRC.
        for idx, encoding in enumerate(encodings):
            media_codec = params.get_codec_for_encoding(encoding)
            rtx_codec = params.get_rtx_codec_for_encoding(encoding)
            is_media = media_codec.payload_type == payload_type
            is_rtx = rtx_codec is not None and rtx_codec.payload_type == payload_type
            if is_media and encoding.ssrc == ssrc:
                return self._create_rtp_stream(packet, media_codec, idx)
            if is_rtx and encoding.rtx is not None and encoding.rtx.ssrc == ssrc:
                rtp_stream = self.map_ssrc_rtp_stream.get(encoding.ssrc)
                if rtp_stream is None or rtp_stream.has_rtx():
                    return None
                return self._set_rtx(rtp_stream, payload_type, ssrc)

        # An encoding with the packet's RID.
        rid = (
            packet.read_rid(self._ext_rid, self._ext_rrid)
            if self._ext_rid or self._ext_rrid
            else None
        )
        if rid:
            for idx, encoding in enumerate(encodings):
                if encoding.rid != rid:
                    continue
                media_codec = params.get_codec_for_encoding(encoding)
                rtx_codec = params.get_rtx_codec_for_encoding(encoding)
                if media_codec.payload_type == payload_type:
                    if any(s.params.rid == rid for s in self.map_ssrc_rtp_stream.values()):
                        logger.warn(
                            _WHERE + "::GetRtpStream",
                            "ignoring packet with unknown ssrc but already handled RID",
                            "rtp",
                        )
                        return None
                    return self._create_rtp_stream(packet, media_codec, idx)
                if rtx_codec is not None and rtx_codec.payload_type == payload_type:
                    for rtp_stream in self.map_ssrc_rtp_stream.values():
                        if rtp_stream.params.rid == rid:
                            if rtp_stream.has_rtx():
                                return None
                            return self._set_rtx(rtp_stream, payload_type, ssrc)
                    return None
            logger.warn(_WHERE + "::GetRtpStream", "ignoring packet with unknown RID", "rtp")
            return None

        # A single encoding with neither SSRC nor RID: the first stream that comes.
        if len(encodings) == 1 and not encodings[0].ssrc and not encodings[0].rid:
            encoding = encodings[0]
            media_codec = params.get_codec_for_encoding(encoding)
            rtx_codec = params.get_rtx_codec_for_encoding(encoding)
            if media_codec.payload_type == payload_type:
                if self.map_ssrc_rtp_stream:
                    return None
                return self._create_rtp_stream(packet, media_codec, 0)
            if rtx_codec is not None and rtx_codec.payload_type == payload_type:
                if not self.map_ssrc_rtp_stream:
                    return None
                rtp_stream = next(iter(self.map_ssrc_rtp_stream.values()))
                if rtp_stream.has_rtx():
                    return None
                return self._set_rtx(rtp_stream, payload_type, ssrc)
        return None

    def _set_rtx(self, rtp_stream: RtpStreamRecv, payload_type: int, ssrc: int) -> RtpStreamRecv:
        rtp_stream.set_rtx(payload_type, ssrc)
        self.map_rtx_ssrc_rtp_stream[ssrc] = rtp_stream
        return rtp_stream

    def _create_rtp_stream(self, packet: RtpPacket, media_codec: Any, idx: int) -> RtpStreamRecv:
        ssrc = packet.ssrc
        encoding = self.params.encodings[idx]
        params = rtp_stream_params(
            media_codec, encoding, ssrc, idx, self.params.rtcp.cname, encoding.rid
        )
        rtp_stream = RtpStreamRecv(self, params, self.shared.now_ms(), self._frame_marking_ext_id)
        mapped_ssrc = self.rtp_mapping_encodings[idx].mapped_ssrc
        self.map_ssrc_rtp_stream[ssrc] = rtp_stream
        self.rtp_stream_by_encoding_idx[idx] = rtp_stream
        self.rtp_stream_scores[idx] = rtp_stream.score
        self.map_rtp_stream_mapped_ssrc[rtp_stream] = mapped_ssrc
        self.map_mapped_ssrc_ssrc[mapped_ssrc] = ssrc
        if self.paused:
            rtp_stream.pause()
        self.emit_score()
        return rtp_stream

    def _notify_new_rtp_stream(self, rtp_stream: RtpStreamRecv) -> None:
        mapped_ssrc = self.map_rtp_stream_mapped_ssrc[rtp_stream]
        self.listener.on_producer_new_rtp_stream(self, rtp_stream, mapped_ssrc)

    def _mangle_rtp_packet(self, packet: RtpPacket, rtp_stream: RtpStreamRecv) -> bool:
        """Router payload type, mapped SSRC, and the header extensions rebuilt with the
        Router's ids (one-byte form): MID placeholder first, then ssrc-audio-level
        (audio), or abs-send-time and transport-cc placeholders plus the proxied
        frame-marking, video-orientation and toffset values (video)."""
        mapped_payload_type = self.rtp_mapping_codecs.get(packet.payload_type)
        if mapped_payload_type is None:
            logger.warn(
                _WHERE + "::MangleRtpPacket",
                f"unknown payload type [payloadType:{packet.payload_type}]",
                "rtp",
            )
            return False
        extensions: list[tuple[int, bytes]] | None = None
        if self._mangle_proxied and packet.buffer[0] & 0x10:
            get_extension = packet.get_extension
            for received_id, router_id in self._mangle_proxied:
                value = get_extension(received_id)
                if value is not None and len(value) <= 16:
                    if extensions is None:
                        extensions = list(self._mangle_fixed)
                    extensions.append((router_id, value))
        if extensions is None:
            # Nothing proxied in this packet: the block is the same every time (no rebuild).
            start = 12 + ((packet.buffer[0] & 0x0F) << 2)
            fixed = self._mangle_fixed_blocks.get(start)
            if fixed is None:
                fixed = self._mangle_fixed_blocks[start] = _fixed_block(self._mangle_fixed, start)
            packet.set_extension_block(*fixed)
        else:
            packet.set_extensions(extensions)
        packet.rewrite(
            mapped_payload_type,
            packet.sequence_number,
            packet.timestamp,
            self.map_rtp_stream_mapped_ssrc[rtp_stream],
        )
        return True

    def _post_process_rtp_packet(self, packet: RtpPacket) -> None:
        orientation = packet.read_video_orientation(ext.VIDEO_ORIENTATION)
        if orientation is not None and orientation != self.video_orientation:
            self.video_orientation = orientation
            camera, flip, rotation = orientation
            self.shared.notify(
                self.id,
                "videoorientationchange",
                {"camera": camera, "flip": flip, "rotation": rotation},
            )

    # --- Media: RTCP (Transport -> Producer) ---

    def receive_rtcp_sender_report(self, report: Any) -> None:
        now_ms = self.shared.now_ms()
        rtp_stream = self.map_ssrc_rtp_stream.get(report.ssrc)
        if rtp_stream is not None:
            first = rtp_stream.get_sender_report_ntp_ms() == 0
            rtp_stream.receive_rtcp_sender_report(report, now_ms)
            self.listener.on_producer_rtcp_sender_report(self, rtp_stream, first)
            return
        rtp_stream = self.map_rtx_ssrc_rtp_stream.get(report.ssrc)
        if rtp_stream is not None:
            rtp_stream.receive_rtx_rtcp_sender_report(report, now_ms)
            return
        logger.debug(
            _WHERE + "::ReceiveRtcpSenderReport",
            f"RtpStream not found [ssrc:{report.ssrc}]",
            "rtcp",
        )

    def receive_rtcp_xr_delay_since_last_rr(self, ssrc_info: Any) -> None:
        """One DLRR sub-block: ``(ssrc, last_rr, delay_since_last_rr)``."""
        ssrc, last_rr, dlrr = ssrc_info
        rtp_stream = self.map_ssrc_rtp_stream.get(ssrc)
        if rtp_stream is None:
            logger.warn(
                _WHERE + "::ReceiveRtcpXrDelaySinceLastRr",
                f"RtpStream not found [ssrc:{ssrc}]",
                "rtcp",
            )
            return
        rtp_stream.receive_rtcp_xr_delay_since_last_rr(last_rr, dlrr, self.shared.now_ms())

    def get_rtcp(self, compound: CompoundPacket, now_ms: int) -> None:
        """Add an RR block per stream (and its RTX stream), and a receiver reference time
        XR block if the compound has none. At most once per RTCP interval, as mediasoup."""
        if (now_ms - self.last_rtcp_sent_time) * 1.15 < self.max_rtcp_interval:
            return
        for rtp_stream in list(self.map_ssrc_rtp_stream.values()):
            compound.add_receiver_report(rtp_stream.get_rtcp_receiver_report(now_ms))
            rtx_report = rtp_stream.get_rtx_rtcp_receiver_report(now_ms)
            if rtx_report is not None:
                compound.add_receiver_report(rtx_report)
        if not has_receiver_reference_time(compound):
            ntp_sec, ntp_frac = time_ms_to_ntp(now_ms)
            compound.add_receiver_reference_time(ReceiverReferenceTime(ntp_sec, ntp_frac))
        self.last_rtcp_sent_time = now_ms

    def request_key_frame(self, mapped_ssrc: int) -> None:
        """A consumer wants a key frame of the stream sent to it as ``mapped_ssrc``.

        As mediasoup: audio producers and paused producers ignore it, and so does a
        producer that has no stream for that SSRC yet (no RTP received). No request
        either when the packet being announced right now is a key frame of it.
        """
        manager = self.key_frame_request_manager
        if manager is None or self.paused:
            return
        ssrc = self.map_mapped_ssrc_ssrc.get(mapped_ssrc)
        if ssrc is None:
            logger.warn(
                _WHERE + "::RequestKeyFrame", "given mappedSsrc not found, ignoring", "rtcp"
            )
            return
        current = self._current_rtp_packet
        if current is not None and current.ssrc == ssrc and current.is_key_frame:
            return
        if manager.key_frame_needed(self.shared.now_ms(), ssrc):
            self.map_ssrc_rtp_stream[ssrc].request_key_frame()
        self._arm_timer()

    # --- RtpStreamRecv::Listener ---

    def on_rtp_stream_score(self, rtp_stream: Any, score: int, previous_score: int) -> None:
        self.rtp_stream_scores[rtp_stream.params.encoding_idx] = score
        self.listener.on_producer_rtp_stream_score(self, rtp_stream, score, previous_score)
        self.emit_score()

    def on_rtp_stream_send_rtcp_packet(self, rtp_stream: Any, packet: Any) -> None:
        if self.trace_event_types:
            kind = type(packet).__name__
            if kind == "FeedbackPsPliPacket":
                self._emit_trace("pli", {"ssrc": packet.media_ssrc})
            elif kind == "FeedbackPsFirPacket":
                self._emit_trace("fir", {"ssrc": packet.media_ssrc})
            elif kind == "FeedbackRtpNackPacket":
                self._emit_trace("nack", {})
        self.listener.on_producer_send_rtcp_packet(self, packet)

    def on_rtp_stream_need_worst_remote_fraction_lost(self, rtp_stream: Any) -> int:
        mapped_ssrc = self.map_rtp_stream_mapped_ssrc[rtp_stream]
        return int(self.listener.on_producer_need_worst_remote_fraction_lost(self, mapped_ssrc))

    def on_rtp_stream_deadline(self, rtp_stream: Any) -> None:
        self._arm_timer()

    # --- the one timer of the Producer (its streams' NACK / inactivity, key frames) ---

    def _next_deadline(self) -> int | None:
        deadline: int | None = None
        for rtp_stream in self.map_ssrc_rtp_stream.values():
            candidate = rtp_stream.next_deadline()
            if candidate is not None and (deadline is None or candidate < deadline):
                deadline = candidate
        manager = self.key_frame_request_manager
        if manager is not None:
            candidate = manager.next_deadline()
            if candidate is not None and (deadline is None or candidate < deadline):
                deadline = candidate
        return deadline

    def _arm_timer(self) -> None:
        set_timer = self.shared.set_timer
        if set_timer is None or self.closed:
            return
        deadline = self._next_deadline()
        if deadline is None:
            return
        if self._timer_handle is not None:
            if self._timer_deadline <= deadline:
                return
            self._timer_handle.cancel()
        self._timer_deadline = deadline
        self._timer_handle = set_timer(max(deadline - self.shared.now_ms(), 0), self._on_timer)

    def _cancel_timer(self) -> None:
        if self._timer_handle is not None:
            self._timer_handle.cancel()
            self._timer_handle = None

    def _on_timer(self) -> None:
        self._timer_handle = None
        if self.closed:
            return
        self.on_timer(self.shared.now_ms())
        self._arm_timer()

    def on_timer(self, now_ms: int) -> None:
        """Run whatever is due at ``now_ms`` (also what a test's fake clock calls)."""
        for rtp_stream in list(self.map_ssrc_rtp_stream.values()):
            rtp_stream.on_timer(now_ms)
        manager = self.key_frame_request_manager
        if manager is not None:
            for ssrc in manager.on_timer(now_ms):
                stream = self.map_ssrc_rtp_stream.get(ssrc)
                if stream is not None:
                    stream.request_key_frame()

    # --- notifications ---

    def emit_score(self) -> None:
        """The ``score`` notification: one entry per existing stream."""
        data = []
        for stream in self.rtp_stream_by_encoding_idx:
            if stream is None:
                continue
            entry: dict[str, Any] = {"encodingIdx": stream.params.encoding_idx, "ssrc": stream.ssrc}
            if stream.params.rid:
                entry["rid"] = stream.params.rid
            entry["score"] = stream.score
            data.append(entry)
        self.shared.notify(self.id, "score", data)

    def _emit_trace_event_rtp_and_key_frame_types(self, packet: RtpPacket, is_rtx: bool) -> None:
        types = self.trace_event_types
        if "keyframe" in types and packet.is_key_frame:
            kind = "keyframe"
        elif "rtp" in types:
            kind = "rtp"
        else:
            return
        info = rtp_packet_info(packet, self._ext_mid, self._ext_rid, self._ext_rrid, self._ext_tcc)
        if is_rtx:
            info["isRtx"] = True
        self._emit_trace(kind, info, "in")

    def _emit_trace(self, kind: str, info: dict[str, Any], direction: str = "out") -> None:
        self.shared.notify(
            self.id,
            "trace",
            {"type": kind, "timestamp": self.shared.now_ms(), "direction": direction, "info": info},
        )
