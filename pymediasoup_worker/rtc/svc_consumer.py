"""An SvcConsumer, as mediasoup's RTC::SvcConsumer: layers dropped from one SVC stream (VP9).

The Producer sends a single stream carrying several spatial and/or temporal layers; the
consumer forwards the layers up to its *target* ones. Targets come from the Producer
stream's per-layer bitrates and the *preferred* layers; the *current* layers follow the
packets (media path). Until the Producer has its RTP stream, every layer is -1.
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

BWE_DOWNGRADE_CONSERVATIVE_MS = 10000


class SvcConsumer(Consumer):
    type = "svc"

    def __init__(
        self,
        consumer_id: str,
        producer_id: str,
        shared: Shared,
        listener: ConsumerListener,
        data: dict[str, Any],
    ) -> None:
        super().__init__(consumer_id, producer_id, shared, listener, data)
        if len(self.consumable_rtp_encodings) != 1:
            raise MediaSoupTypeError("invalid consumableRtpEncodings with size != 1")
        encoding = self.params.encodings[0]
        if encoding.spatial_layers < 2 and encoding.temporal_layers < 2:
            raise MediaSoupTypeError("invalid number of layers")
        preferred = data.get("preferredLayers")
        if isinstance(preferred, dict):
            self.preferred_spatial_layer, self.preferred_temporal_layer = clamp_preferred_layers(
                preferred, encoding.spatial_layers, encoding.temporal_layers,
                "missing preferredLayers.spatialLayer",
            )  # fmt: skip
        else:
            self.preferred_spatial_layer = encoding.spatial_layers - 1
            self.preferred_temporal_layer = encoding.temporal_layers - 1
        media_codec = self.params.get_codec_for_encoding(encoding)
        if not is_valid_type_for_codec(self.type, media_codec.mime_type):
            raise MediaSoupTypeError(f"{media_codec.mime_type} codec not supported for svc")
        self.ksvc = encoding.ksvc
        # The codec's encoding context: which layers are targeted and forwarded.
        self.target_spatial_layer = -1
        self.target_temporal_layer = -1
        self.current_spatial_layer = -1
        self.current_temporal_layer = -1
        self.last_bwe_downgrade_at_ms = 0
        self.sync_required = False
        self._producer_stream: Any = None
        self.rtp_stream: RtpStreamSend = self._new_rtp_stream_send(encoding)
        self.rtp_seq_manager = SeqManager()
        self._ssrc = encoding.ssrc

    def is_active(self) -> bool:
        stream = self._producer_stream
        return super().is_active() and stream is not None and (stream.score > 0 or stream.has_dtx())

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
        json["currentTemporalLayer"] = self.current_temporal_layer
        return json

    def producer_stats_stream(self) -> Any | None:
        return self._producer_stream

    def emit_layers_change(self) -> None:
        data: dict[str, int] | None = None
        if self.current_spatial_layer >= 0:
            data = {
                "spatialLayer": self.current_spatial_layer,
                "temporalLayer": self.current_temporal_layer,
            }
        self.shared.notify(self.id, "layerschange", data)

    def handle_request(self, request: ChannelRequest) -> None:
        if request.method == "consumer.requestKeyFrame":
            if self.is_active():
                self.request_key_frame()
            request.accept()
        elif request.method == "consumer.setPreferredLayers":
            previous = self.get_preferred_layers()
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
        """Forward the whole SVC stream (every spatial and temporal layer) from a key frame
        on, with own SSRC and continuous seqs; timestamps kept.

        Not implemented (yet): dropping the layers above the target ones (mediasoup's
        VP9 layer switching with its end-of-frame marker rewriting). So while the target
        layers are known, the current layers reported are the full stream's.
        """
        if not self._active or self.target_temporal_layer == -1:
            return
        payload_type = packet.payload_type
        if payload_type not in self._supported_payload_types:
            return
        orig_seq = packet.sequence_number
        if self.sync_required:
            if not packet.is_key_frame:
                return
            self.rtp_seq_manager.sync((orig_seq - 1) & 0xFFFF)
            self.sync_required = False
        if self.current_spatial_layer == -1:
            self.current_spatial_layer = self.rtp_stream.spatial_layers - 1
            self.current_temporal_layer = self.rtp_stream.temporal_layers - 1
            self.emit_layers_change()
        seq = self.rtp_seq_manager.input(orig_seq)
        if seq is None:
            return
        orig_ssrc = packet.ssrc
        timestamp = packet.timestamp
        packet.rewrite(payload_type, seq, timestamp, self._ssrc)
        self.rtp_stream.receive_packet(packet, self.shared.now_ms() if now_ms is None else now_ms)
        self.listener.on_consumer_send_rtp_packet(self, packet)
        if self.trace_event_types:
            self.emit_trace_event_rtp_and_key_frame_types(packet)
        packet.rewrite(payload_type, orig_seq, timestamp, orig_ssrc)

    # The Producer's stream.
    def producer_rtp_stream(self, rtp_stream: Any, mapped_ssrc: int) -> None:
        self._producer_stream = rtp_stream
        self._refresh_active()

    def producer_new_rtp_stream(self, rtp_stream: Any, mapped_ssrc: int) -> None:
        self._producer_stream = rtp_stream
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
        pass

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
        stream = self._producer_stream
        if stream is None or stream.score == 0:
            return -1, -1
        new_spatial = -1
        now_ms = self.shared.now_ms()
        for spatial_layer in range(stream.spatial_layers):
            if now_ms - self.last_bwe_downgrade_at_ms < BWE_DOWNGRADE_CONSERVATIVE_MS:
                if new_spatial > -1 and spatial_layer > self.current_spatial_layer:
                    continue
            if not stream.get_spatial_layer_bitrate(now_ms, spatial_layer):
                continue
            new_spatial = spatial_layer
            if spatial_layer >= self.preferred_spatial_layer:
                break
        if new_spatial == -1:
            return -1, -1
        if new_spatial == self.preferred_spatial_layer:
            return new_spatial, self.preferred_temporal_layer
        if new_spatial < self.preferred_spatial_layer:
            return new_spatial, self.rtp_stream.temporal_layers - 1
        return new_spatial, 0

    def update_target_layers(self, spatial: int, temporal: int) -> None:
        if spatial == -1:
            self.target_spatial_layer = -1
            self.current_spatial_layer = -1
            self.target_temporal_layer = -1
            self.current_temporal_layer = -1
            self.emit_layers_change()
            return
        self.target_spatial_layer = spatial
        self.target_temporal_layer = temporal
        if spatial != self.current_spatial_layer:
            # K-SVC needs a key frame for any spatial change; full SVC only to go up.
            if self.ksvc or spatial > self.current_spatial_layer:
                self.request_key_frame()

    def request_key_frame(self) -> None:
        if self.kind != "video":
            return
        self.listener.on_consumer_key_frame_requested(self, self.consumable_rtp_encodings[0].ssrc)

    # UserOn* hooks.
    def user_on_transport_connected(self) -> None:
        self.sync_required = True
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
        if self.is_active():
            self.may_change_layers()
