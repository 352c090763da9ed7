"""A SimulcastConsumer, as mediasoup's RTC::SimulcastConsumer: one of N encodings, switched.

The Producer sends several encodings (spatial layers); the consumer forwards one of them
as a single outgoing stream. It picks a *target* spatial/temporal layer from the
Producer's stream scores and its *preferred* layers, and the *current* layer follows
when a key frame of the target arrives (media path). Until the Producer has RTP streams
the consumer is not active and every layer is -1.

``layerschange`` is emitted whenever the layers are reset (pause, producer pause while
active, transport disconnection), with ``null`` data, as the C++ worker does.
"""

from __future__ import annotations

from typing import Any

from ..channel.channel_request import ChannelRequest
from ..core.rtp.packet import RtpPacket
from ..core.rtp_stream_send import RtpStreamSend
from ..core.seq import SeqManager
from ..errors import MediaSoupTypeError
from .consumer import Consumer, ConsumerListener, clamp_preferred_layers
from .producer import is_valid_type_for_codec
from .shared import Shared

STREAM_GOOD_SCORE = 5
STREAM_MIN_ACTIVE_MS = 2000
BWE_DOWNGRADE_CONSERVATIVE_MS = 10000
# Stream switching: at most this much extra RTP time (ms) is inserted to keep timestamps
# growing; a key frame needing more is dropped and another one requested.
MAX_EXTRA_OFFSET_MS = 75
# The extra offset used when the timestamps would collide exactly (one frame at 30 fps).
SAME_TS_OFFSET_MS = 33
_MASK32 = 0xFFFFFFFF


class EncodingContext:
    """What the codec needs to splice encodings into one stream (mediasoup's
    Codecs::EncodingContext): the temporal layers, and for VP8 continuous picture ids and
    TL0PICIDX across switches."""

    __slots__ = (
        "target_temporal_layer", "current_temporal_layer", "picture_id_manager",
        "tl0_picture_index_manager", "sync_required",
    )  # fmt: skip

    def __init__(self) -> None:
        self.target_temporal_layer = -1
        self.current_temporal_layer = -1
        self.picture_id_manager = SeqManager(15)
        self.tl0_picture_index_manager = SeqManager(8)
        self.sync_required = False


def process_vp8(context: EncodingContext, packet: RtpPacket) -> bool:
    """VP8::PayloadDescriptorHandler::Process: drop temporal layers above the target (and
    upswitches not at a sync point), rewrite picture id and TL0PICIDX. False: drop it."""
    d: Any = packet.payload_descriptor
    if d is None:
        return True
    has_picture_id = d.i
    has_tl0 = d.l
    has_tl_index = d.t or d.k
    if context.sync_required and has_picture_id and has_tl0:
        context.picture_id_manager.sync((d.picture_id - 1) & 0x7FFF)
        context.tl0_picture_index_manager.sync((d.tl0_picture_index - 1) & 0xFF)
        context.sync_required = False
    picture_ids = context.picture_id_manager
    tl0s = context.tl0_picture_index_manager
    if (
        has_picture_id
        and has_tl_index
        and has_tl0
        and not _is_lower_15(d.picture_id, picture_ids.max_input)
    ):
        if d.tl_index > context.target_temporal_layer or (
            d.tl_index > context.current_temporal_layer and not d.y
        ):
            picture_ids.drop(d.picture_id)
            tl0s.drop(d.tl0_picture_index)
            return False
    picture_id = tl0 = 0
    if has_picture_id:
        out = picture_ids.input(d.picture_id)
        if out is None:
            return False
        picture_id = out
    if has_tl0:
        out = tl0s.input(d.tl0_picture_index)
        if out is None:
            return False
        tl0 = out
    if has_tl_index and d.tl_index > context.current_temporal_layer:
        context.current_temporal_layer = d.tl_index
    elif not has_tl_index:
        context.current_temporal_layer = 0
    if context.current_temporal_layer > context.target_temporal_layer:
        context.current_temporal_layer = context.target_temporal_layer
    if has_picture_id and has_tl0:
        d.encode(packet.buffer, packet.payload_offset, picture_id, tl0)
    return True


def process_h264(context: EncodingContext, packet: RtpPacket) -> bool:
    """Temporal layers from the frame-marking TID when there is one; else all pass."""
    d: Any = packet.payload_descriptor
    if d is None or not d.has_tid:
        context.current_temporal_layer = 0
        return True
    if d.tid > context.target_temporal_layer:
        return False
    if d.tid > context.current_temporal_layer:
        context.current_temporal_layer = d.tid
    return True


def restore_payload(packet: RtpPacket) -> None:
    d: Any = packet.payload_descriptor
    if d is not None and hasattr(d, "restore"):
        d.restore(packet.buffer, packet.payload_offset)


def _is_lower_15(lhs: int, rhs: int) -> bool:
    half = 0x3FFF
    if rhs > lhs:
        return rhs - lhs <= half
    return lhs > rhs and lhs - rhs > half


class SimulcastConsumer(Consumer):
    type = "simulcast"

    def __init__(
        self,
        consumer_id: str,
        producer_id: str,
        shared: Shared,
        listener: ConsumerListener,
        data: dict[str, Any],
    ) -> None:
        super().__init__(consumer_id, producer_id, shared, listener, data)
        if len(self.consumable_rtp_encodings) <= 1:
            raise MediaSoupTypeError("invalid consumableRtpEncodings with size <= 1")
        encoding = self.params.encodings[0]
        if encoding.spatial_layers != len(self.consumable_rtp_encodings):
            raise MediaSoupTypeError(
                "encoding.spatialLayers does not match number of consumableRtpEncodings"
            )
        self.map_mapped_ssrc_spatial_layer = {
            e.ssrc: idx for idx, e in enumerate(self.consumable_rtp_encodings)
        }
        preferred = data.get("preferredLayers")
        if isinstance(preferred, dict):
            self.preferred_spatial_layer, self.preferred_temporal_layer = clamp_preferred_layers(
                preferred, encoding.spatial_layers, encoding.temporal_layers,
                "missing preferredLayers.spatialLayer",
            )  # fmt: skip
        else:
            self.preferred_spatial_layer = encoding.spatial_layers - 1
            self.preferred_temporal_layer = encoding.temporal_layers - 1
        self.producer_rtp_streams: list[Any] = [None] * len(self.consumable_rtp_encodings)
        media_codec = self.params.get_codec_for_encoding(encoding)
        if not is_valid_type_for_codec(self.type, media_codec.mime_type):
            raise MediaSoupTypeError(f"{media_codec.mime_type} codec not supported for simulcast")
        self.target_spatial_layer = -1
        self.target_temporal_layer = -1
        self.current_spatial_layer = -1
        self.ts_reference_spatial_layer = -1
        self.last_bwe_downgrade_at_ms = 0
        self.sync_required = False
        self.key_frame_for_ts_offset_requested = False
        self.rtp_stream: RtpStreamSend = self._new_rtp_stream_send(encoding)
        self.rtp_seq_manager = SeqManager()
        self.ts_offset = 0
        self.encoding_context = EncodingContext()
        self._process_payload = (
            process_vp8 if media_codec.mime_type.subtype_name == "VP8" else process_h264
        )
        self._ssrc = encoding.ssrc

    @property
    def encoding_target_temporal_layer(self) -> int:
        return self.encoding_context.target_temporal_layer

    @encoding_target_temporal_layer.setter
    def encoding_target_temporal_layer(self, value: int) -> None:
        self.encoding_context.target_temporal_layer = value

    @property
    def encoding_current_temporal_layer(self) -> int:
        return self.encoding_context.current_temporal_layer

    @encoding_current_temporal_layer.setter
    def encoding_current_temporal_layer(self, value: int) -> None:
        self.encoding_context.current_temporal_layer = value

    def is_active(self) -> bool:
        return super().is_active() and any(
            s is not None and (s.score > 0 or s.has_dtx()) for s in self.producer_rtp_streams
        )

    def get_rtp_streams(self) -> list[RtpStreamSend]:
        return [self.rtp_stream]

    def get_preferred_layers(self) -> tuple[int, int]:
        return (self.preferred_spatial_layer, self.preferred_temporal_layer)

    def dump(self) -> dict[str, Any]:
        json = super().dump()
        json["rtpStream"] = self.rtp_stream.fill_json()
        json["preferredSpatialLayer"] = self.preferred_spatial_layer
        json["targetSpatialLayer"] = self.target_spatial_layer
        json["currentSpatialLayer"] = self.current_spatial_layer
        json["preferredTemporalLayer"] = self.preferred_temporal_layer
        json["targetTemporalLayer"] = self.target_temporal_layer
        json["currentTemporalLayer"] = self.encoding_current_temporal_layer
        return json

    def producer_stats_stream(self) -> Any | None:
        return self._producer_current_rtp_stream()

    def emit_layers_change(self) -> None:
        data: dict[str, int] | None = None
        if self.current_spatial_layer >= 0:
            data = {
                "spatialLayer": self.current_spatial_layer,
                "temporalLayer": self.encoding_current_temporal_layer,
            }
        self.shared.notify(self.id, "layerschange", data)

    def handle_request(self, request: ChannelRequest) -> None:
        if request.method == "consumer.requestKeyFrame":
            if self.is_active():
                self.request_key_frames()
            request.accept()
        elif request.method == "consumer.setPreferredLayers":
            previous = (self.preferred_spatial_layer, self.preferred_temporal_layer)
            self.preferred_spatial_layer, self.preferred_temporal_layer = clamp_preferred_layers(
                request.data, self.rtp_stream.spatial_layers, self.rtp_stream.temporal_layers,
                "missing spatialLayer",
            )  # fmt: skip
            request.accept(
                {
                    "spatialLayer": self.preferred_spatial_layer,
                    "temporalLayer": self.preferred_temporal_layer,
                }
            )
            if self.is_active() and previous != self.get_preferred_layers():
                self.may_change_layers(force=True)
        else:
            super().handle_request(request)

    # The media path.
    def send_rtp_packet(self, packet: RtpPacket, now_ms: int | None = None) -> None:
        """Forward the packets of the current spatial layer (switching to the target one on
        its key frame), temporal layers filtered by the codec, as one stream: own SSRC,
        continuous seqs, timestamps shifted by the offset computed at each switch."""
        if not self._active or self.target_temporal_layer == -1:
            return
        payload_type = packet.payload_type
        if payload_type not in self._supported_payload_types:
            return
        spatial_layer = self.map_mapped_ssrc_spatial_layer.get(packet.ssrc)
        if spatial_layer is None:
            return
        should_switch = False
        if (
            self.current_spatial_layer != self.target_spatial_layer
            and spatial_layer == self.target_spatial_layer
        ):
            if not packet.is_key_frame:
                return
            should_switch = True
            self.sync_required = True
        elif spatial_layer != self.current_spatial_layer:
            return
        if self.sync_required and not packet.is_key_frame:
            return
        orig_seq = packet.sequence_number
        orig_ts = packet.timestamp
        if self.sync_required:
            ts_offset = self._ts_offset_for(spatial_layer, orig_ts, should_switch)
            if ts_offset is None:
                return
            self.ts_offset = ts_offset
            self.rtp_seq_manager.sync((orig_seq - 1) & 0xFFFF)
            self.encoding_context.sync_required = True
            self.sync_required = False
            self.key_frame_for_ts_offset_requested = False
        context = self.encoding_context
        if should_switch:
            self.current_spatial_layer = self.target_spatial_layer
            context.target_temporal_layer = self.target_temporal_layer
            descriptor: Any = packet.payload_descriptor
            context.current_temporal_layer = (
                descriptor.temporal_layer if descriptor is not None else 0
            )
            if self.rtp_stream.reset_score(10, self.shared.now_ms()):
                pass  # as mediasoup: no score event from this reset itself
            self.emit_layers_change()
            self.emit_score()
            self._process_payload(context, packet)
        else:
            previous_temporal_layer = context.current_temporal_layer
            if not self._process_payload(context, packet):
                self.rtp_seq_manager.drop(orig_seq)
                restore_payload(packet)
                return
            if previous_temporal_layer != context.current_temporal_layer:
                self.emit_layers_change()
        seq = self.rtp_seq_manager.input(orig_seq)
        if seq is None:
            restore_payload(packet)
            return
        orig_ssrc = packet.ssrc
        packet.rewrite(payload_type, seq, (orig_ts - self.ts_offset) & _MASK32, self._ssrc)
        self.rtp_stream.receive_packet(packet, self.shared.now_ms() if now_ms is None else now_ms)
        self.listener.on_consumer_send_rtp_packet(self, packet)
        if self.trace_event_types:
            self.emit_trace_event_rtp_and_key_frame_types(packet)
        packet.rewrite(payload_type, orig_seq, orig_ts, orig_ssrc)
        restore_payload(packet)

    def _ts_offset_for(self, spatial_layer: int, timestamp: int, switching: bool) -> int | None:
        """The RTP timestamp offset for a (re)sync on ``spatial_layer``; None: drop the
        packet (the switch needs a later key frame, which was requested)."""
        if spatial_layer == self.ts_reference_spatial_layer:
            ts_offset = 0
        else:
            reference = self.producer_rtp_streams[self.ts_reference_spatial_layer]
            target = self.producer_rtp_streams[self.target_spatial_layer]
            # Both have had Sender Reports (_can_switch_to_spatial_layer checked it).
            diff_ms = target.get_sender_report_ntp_ms() - reference.get_sender_report_ntp_ms()
            diff_ts = diff_ms * self.rtp_stream.params.clock_rate // 1000
            new_ts2 = (target.get_sender_report_ts() - diff_ts) & _MASK32
            ts_offset = (new_ts2 - reference.get_sender_report_ts()) & _MASK32
        if not switching:
            return ts_offset
        # Keep the outgoing timestamps growing across the switch.
        max_ts = self.rtp_stream.max_packet_ts
        if not self.rtp_stream.started:
            return ts_offset
        ahead = ((timestamp - ts_offset) - max_ts) & _MASK32
        if 0 < ahead < 0x80000000:
            return ts_offset
        clock_rate = self.rtp_stream.params.clock_rate
        extra = (max_ts - timestamp + ts_offset) & _MASK32
        max_extra = MAX_EXTRA_OFFSET_MS * clock_rate // 1000
        if self.key_frame_for_ts_offset_requested:
            if extra > max_extra:
                extra = 1  # give up on a clean switch
        elif extra > max_extra:
            self.request_key_frame_for_target_spatial_layer()
            self.key_frame_for_ts_offset_requested = True
            return None
        elif extra == 0:
            extra = SAME_TS_OFFSET_MS * clock_rate // 1000
        return (ts_offset - extra) & _MASK32

    def request_key_frame(self) -> None:
        self.request_key_frames()

    # The Producer's streams.
    def producer_rtp_stream(self, rtp_stream: Any, mapped_ssrc: int) -> None:
        self.producer_rtp_streams[self.map_mapped_ssrc_spatial_layer[mapped_ssrc]] = rtp_stream
        self._refresh_active()

    def producer_new_rtp_stream(self, rtp_stream: Any, mapped_ssrc: int) -> None:
        self.producer_rtp_streams[self.map_mapped_ssrc_spatial_layer[mapped_ssrc]] = rtp_stream
        self._refresh_active()
        self.emit_score()
        if self.is_active():
            self.may_change_layers()

    def producer_rtp_stream_score(self, rtp_stream: Any, score: int, previous_score: int) -> None:
        self._refresh_active()
        self.emit_score()
        if Consumer.is_active(self) and (
            not self.externally_managed_bitrate or score == 0 or previous_score == 0
        ):
            self.may_change_layers()

    def producer_rtcp_sender_report(self, rtp_stream: Any, first: bool) -> None:
        if not first:
            return
        current = self._producer_current_rtp_stream()
        if current is None or not current.get_sender_report_ntp_ms():
            return
        if self.is_active():
            self.may_change_layers()

    # Layers.
    def may_change_layers(self, force: bool = False) -> None:
        spatial, temporal = self.recalculate_target_layers()
        if (spatial, temporal) == (self.target_spatial_layer, self.target_temporal_layer):
            return
        if self.externally_managed_bitrate:
            if spatial != self.target_spatial_layer or force:
                self.listener.on_consumer_need_bitrate_change(self)
        else:
            self.update_target_layers(spatial, temporal)

    def recalculate_target_layers(self) -> tuple[int, int]:
        new_spatial = -1
        new_temporal = -1
        max_producer_score = 0
        now_ms = self.shared.now_ms()
        for spatial_layer, stream in enumerate(self.producer_rtp_streams):
            score = stream.score if stream is not None else 0
            if now_ms - self.last_bwe_downgrade_at_ms < BWE_DOWNGRADE_CONSERVATIVE_MS:
                if new_spatial > -1 and spatial_layer > self.current_spatial_layer:
                    continue
            if score == 0:
                continue
            if (
                self.externally_managed_bitrate
                and new_spatial != -1
                and stream.get_active_ms(now_ms) < STREAM_MIN_ACTIVE_MS
            ):
                continue
            if not self._can_switch_to_spatial_layer(spatial_layer):
                continue
            if score < max_producer_score and score < STREAM_GOOD_SCORE:
                continue
            new_spatial = spatial_layer
            max_producer_score = score
            if spatial_layer >= self.preferred_spatial_layer and score >= STREAM_GOOD_SCORE:
                break
        if new_spatial != -1:
            if new_spatial == self.preferred_spatial_layer:
                new_temporal = self.preferred_temporal_layer
            elif new_spatial < self.preferred_spatial_layer:
                new_temporal = self.rtp_stream.temporal_layers - 1
            else:
                new_temporal = 0
        return new_spatial, new_temporal

    def update_target_layers(self, spatial: int, temporal: int) -> None:
        if spatial != -1 and self.ts_reference_spatial_layer == -1:
            self.ts_reference_spatial_layer = spatial
        if spatial == -1:
            self.target_spatial_layer = -1
            self.target_temporal_layer = -1
            self.current_spatial_layer = -1
            self.encoding_target_temporal_layer = -1
            self.encoding_current_temporal_layer = -1
            self.emit_layers_change()
            return
        self.target_spatial_layer = spatial
        self.target_temporal_layer = temporal
        if self.target_spatial_layer == self.current_spatial_layer:
            self.encoding_target_temporal_layer = self.target_temporal_layer
        if self.target_spatial_layer != self.current_spatial_layer:
            self.request_key_frame_for_target_spatial_layer()

    def _can_switch_to_spatial_layer(self, spatial_layer: int) -> bool:
        if (
            self.ts_reference_spatial_layer == -1
            or spatial_layer == self.ts_reference_spatial_layer
        ):
            return True
        reference = self.producer_rtp_streams[self.ts_reference_spatial_layer]
        stream = self.producer_rtp_streams[spatial_layer]
        return bool(
            reference is not None
            and reference.get_sender_report_ntp_ms()
            and stream.get_sender_report_ntp_ms()
        )

    def _producer_current_rtp_stream(self) -> Any:
        if self.current_spatial_layer == -1:
            return None
        return self.producer_rtp_streams[self.current_spatial_layer]

    def _producer_target_rtp_stream(self) -> Any:
        if self.target_spatial_layer == -1:
            return None
        return self.producer_rtp_streams[self.target_spatial_layer]

    # Key frames.
    def request_key_frames(self) -> None:
        if self.kind != "video":
            return
        target = self._producer_target_rtp_stream()
        current = self._producer_current_rtp_stream()
        if target is not None:
            ssrc = self.consumable_rtp_encodings[self.target_spatial_layer].ssrc
            self.listener.on_consumer_key_frame_requested(self, ssrc)
        if current is not None and current is not target:
            ssrc = self.consumable_rtp_encodings[self.current_spatial_layer].ssrc
            self.listener.on_consumer_key_frame_requested(self, ssrc)

    def request_key_frame_for_target_spatial_layer(self) -> None:
        if self.kind != "video" or self._producer_target_rtp_stream() is None:
            return
        ssrc = self.consumable_rtp_encodings[self.target_spatial_layer].ssrc
        self.listener.on_consumer_key_frame_requested(self, ssrc)

    # UserOn* hooks.
    def user_on_transport_connected(self) -> None:
        self.sync_required = True
        self.key_frame_for_ts_offset_requested = False
        if self.is_active():
            self.may_change_layers()

    def user_on_transport_disconnected(self) -> None:
        self.last_bwe_downgrade_at_ms = 0
        self.rtp_stream.pause()
        self.update_target_layers(-1, -1)

    def user_on_paused(self) -> None:
        self.last_bwe_downgrade_at_ms = 0
        self.rtp_stream.pause()
        self.update_target_layers(-1, -1)
        if self.externally_managed_bitrate:
            self.listener.on_consumer_need_zero_bitrate(self)

    def user_on_resumed(self) -> None:
        self.sync_required = True
        self.key_frame_for_ts_offset_requested = False
        if self.is_active():
            self.may_change_layers()
