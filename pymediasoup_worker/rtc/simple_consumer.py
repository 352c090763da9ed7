"""A SimpleConsumer, as mediasoup's RTC::SimpleConsumer: one stream in, one stream out.

Used for audio and for single-encoding video. It owns one RtpStreamSend from its
creation and follows the Producer's single RtpStreamRecv once that exists (after the
first RTP packet): until then it is not active, its ``producerScore`` is 0 and its
stats hold only its own ``outbound-rtp`` entry.
"""

from __future__ import annotations

from typing import Any

from ..channel.channel_request import ChannelRequest
from ..core.rtp.packet import RtpPacket
from ..core.rtp_stream_send import RtpStreamSend
from ..core.seq import SeqManager
from ..errors import MediaSoupTypeError
from .consumer import Consumer, ConsumerListener
from .shared import Shared


def can_be_key_frame(mime_type: Any) -> bool:
    """Codecs::Tools::CanBeKeyFrame(): VP8, VP9 and H264 video."""
    return mime_type.type == "video" and mime_type.subtype_name in ("VP8", "VP9", "H264")


class SimpleConsumer(Consumer):
    type = "simple"

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
        self.key_frame_supported = can_be_key_frame(
            self.params.get_codec_for_encoding(encoding).mime_type
        )
        self.rtp_stream: RtpStreamSend = self._new_rtp_stream_send(encoding)
        self.rtp_stream.restore_stored = self.stored_restorer(encoding.ssrc)
        self._producer_stream: Any = None
        self.sync_required = False
        self.rtp_seq_manager = SeqManager()
        self._ssrc = encoding.ssrc

    def is_active(self) -> bool:
        stream = self._producer_stream
        return super().is_active() and stream is not None and (stream.score > 0 or stream.has_dtx())

    def get_rtp_streams(self) -> list[RtpStreamSend]:
        return [self.rtp_stream]

    def dump(self) -> dict[str, Any]:
        json = super().dump()
        json["rtpStream"] = self.rtp_stream.fill_json()
        return json

    def producer_stats_stream(self) -> Any | None:
        return self._producer_stream

    def handle_request(self, request: ChannelRequest) -> None:
        if request.method == "consumer.requestKeyFrame":
            if self.is_active():
                self.request_key_frame()
            request.accept()
        elif request.method == "consumer.setPreferredLayers":
            request.accept()  # a single stream has no layers to choose
        else:
            super().handle_request(request)

    # The media path.
    def send_rtp_packet(self, packet: RtpPacket, now_ms: int | None = None) -> None:
        """Forward one of the Producer's packets: drop unless active (and, after a
        (re)start of video, until a key frame), write our seq and SSRC into its bytes
        (the timestamp is kept, as mediasoup's SimpleConsumer), send. The packet's fields
        stay the Producer's; the Router writes its bytes back after the fan-out."""
        if not self._active:
            return
        if packet.payload_type not in self._supported_payload_types:
            return
        orig_seq = packet.sequence_number
        seq_manager = self.rtp_seq_manager
        if self.sync_required:
            if self.key_frame_supported and not packet.is_key_frame:
                return
            seq_manager.sync((orig_seq - 1) & 0xFFFF)
            self.sync_required = False
        seq = seq_manager.input(orig_seq)
        if seq is None:
            return
        if now_ms is None:
            now_ms = self.shared.now_ms()
        packet.write_seq_ssrc(seq, self._ssrc)
        self.listener.on_consumer_send_rtp_packet(self, packet, now_ms)
        self.rtp_stream.send_shared_packet(packet, seq, now_ms)
        if self.trace_event_types:
            orig_ssrc = packet.ssrc
            packet.rewrite_seq_ssrc(seq, self._ssrc)
            self.emit_trace_event_rtp_and_key_frame_types(packet)
            packet.rewrite_seq_ssrc(orig_seq, orig_ssrc)

    # The Producer's streams.
    def producer_rtp_stream(self, rtp_stream: Any, mapped_ssrc: int) -> None:
        self._producer_stream = rtp_stream
        self._refresh_active()

    def producer_new_rtp_stream(self, rtp_stream: Any, mapped_ssrc: int) -> None:
        self._producer_stream = rtp_stream
        self._refresh_active()
        self.emit_score()

    def producer_rtp_stream_score(self, rtp_stream: Any, score: int, previous_score: int) -> None:
        self._refresh_active()
        self.emit_score()

    def producer_rtcp_sender_report(self, rtp_stream: Any, first: bool) -> None:
        pass

    def need_worst_remote_fraction_lost(self, mapped_ssrc: int, worst: int) -> int:
        if not self.is_active():
            return worst
        return max(worst, self.rtp_stream.fraction_lost)

    def request_key_frame(self) -> None:
        if self.kind != "video":
            return
        self.listener.on_consumer_key_frame_requested(self, self.consumable_rtp_encodings[0].ssrc)

    # UserOn* hooks.
    def user_on_transport_connected(self) -> None:
        self.sync_required = True
        if self.is_active():
            self.request_key_frame()

    def user_on_transport_disconnected(self) -> None:
        self.rtp_stream.pause()

    def user_on_paused(self) -> None:
        self.rtp_stream.pause()
        if self.externally_managed_bitrate and self.kind == "video":
            self.listener.on_consumer_need_zero_bitrate(self)

    def user_on_resumed(self) -> None:
        self.sync_required = True
        if self.is_active():
            self.request_key_frame()
