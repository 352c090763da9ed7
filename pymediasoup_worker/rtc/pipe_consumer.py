"""A PipeConsumer, as mediasoup's RTC::PipeConsumer: every encoding, untouched, to another router.

One RtpStreamSend per encoding (SSRCs equal to the Producer's consumable ones). Its score
is always ``{score: 10, producerScore: 10}``: a pipe does not judge the media it carries.
"""

from __future__ import annotations

from typing import Any

from ..channel.channel_request import ChannelRequest
from ..core.rtp.packet import RtpPacket
from ..core.rtp.rtcp.compound import CompoundPacket
from ..core.rtp_stream_send import RtpStreamSend
from ..core.seq import SeqManager
from ..errors import MediaSoupTypeError
from .consumer import Consumer, ConsumerListener
from .shared import Shared
from .simple_consumer import can_be_key_frame


class _PipeStream:
    """What a PipeConsumer keeps per encoding: its stream, SSRC and sequence state."""

    __slots__ = ("rtp_stream", "ssrc", "seq_manager", "sync_required")

    def __init__(self, rtp_stream: RtpStreamSend, ssrc: int) -> None:
        self.rtp_stream = rtp_stream
        self.ssrc = ssrc
        self.seq_manager = SeqManager()
        self.sync_required = False


class PipeConsumer(Consumer):
    type = "pipe"

    def __init__(
        self,
        consumer_id: str,
        producer_id: str,
        shared: Shared,
        listener: ConsumerListener,
        data: dict[str, Any],
    ) -> None:
        super().__init__(consumer_id, producer_id, shared, listener, data)
        if len(self.params.encodings) != len(self.consumable_rtp_encodings):
            raise MediaSoupTypeError(
                "number of rtpParameters.encodings and consumableRtpEncodings do not match"
            )
        media_codec = self.params.get_codec_for_encoding(self.params.encodings[0])
        self.key_frame_supported = can_be_key_frame(media_codec.mime_type)
        self.rtp_streams: list[RtpStreamSend] = []
        self.map_mapped_ssrc_ssrc: dict[int, int] = {}
        self.map_ssrc_rtp_stream: dict[int, RtpStreamSend] = {}
        # By the mapped (Producer side) SSRC of the packets.
        self._streams_by_mapped_ssrc: dict[int, _PipeStream] = {}
        for idx, encoding in enumerate(self.params.encodings):
            stream = self._new_rtp_stream_send(encoding, encoding_idx=idx)
            stream.restore_stored = self.stored_restorer(encoding.ssrc)
            self.rtp_streams.append(stream)
            mapped_ssrc = self.consumable_rtp_encodings[idx].ssrc
            self.map_mapped_ssrc_ssrc[mapped_ssrc] = encoding.ssrc
            self.map_ssrc_rtp_stream[encoding.ssrc] = stream
            self._streams_by_mapped_ssrc[mapped_ssrc] = _PipeStream(stream, encoding.ssrc)

    def get_rtp_streams(self) -> list[RtpStreamSend]:
        return list(self.rtp_streams)

    def dump(self) -> dict[str, Any]:
        json = super().dump()
        json["rtpStreams"] = [stream.fill_json() for stream in self.rtp_streams]
        return json

    def get_stats(self) -> list[dict[str, Any]]:
        now_ms = self.shared.now_ms()
        return [stream.fill_json_stats(now_ms) for stream in self.rtp_streams]

    def fill_json_score(self) -> dict[str, Any]:
        return {"score": 10, "producerScore": 10, "producerScores": list(self._producer_scores)}

    def handle_request(self, request: ChannelRequest) -> None:
        if request.method == "consumer.requestKeyFrame":
            if self.is_active():
                self.request_key_frame()
            request.accept()
        elif request.method == "consumer.setPreferredLayers":
            request.accept()  # a pipe carries every layer
        else:
            super().handle_request(request)

    # The media path.
    def send_rtp_packet(self, packet: RtpPacket, now_ms: int | None = None) -> None:
        """Forward every encoding, each with its own SSRC and SeqManager (timestamps kept)."""
        if not self._active:
            return
        if packet.payload_type not in self._supported_payload_types:
            return
        orig_ssrc = packet.ssrc
        pipe_stream = self._streams_by_mapped_ssrc.get(orig_ssrc)
        if pipe_stream is None:
            return
        orig_seq = packet.sequence_number
        if pipe_stream.sync_required:
            if self.key_frame_supported and not packet.is_key_frame:
                return
            pipe_stream.seq_manager.sync((orig_seq - 1) & 0xFFFF)
            pipe_stream.sync_required = False
        seq = pipe_stream.seq_manager.input(orig_seq)
        if seq is None:
            return
        if now_ms is None:
            now_ms = self.shared.now_ms()
        # As a SimpleConsumer: seq and SSRC into the bytes only (the Router writes the
        # Producer's back after the fan-out), the retransmission buffer on the shared copy.
        packet.write_seq_ssrc(seq, pipe_stream.ssrc)
        self.listener.on_consumer_send_rtp_packet(self, packet, now_ms)
        pipe_stream.rtp_stream.send_shared_packet(packet, seq, now_ms)
        if self.trace_event_types:
            packet.rewrite_seq_ssrc(seq, pipe_stream.ssrc)
            self.emit_trace_event_rtp_and_key_frame_types(packet)
            packet.rewrite_seq_ssrc(orig_seq, orig_ssrc)

    def get_rtcp(self, compound: CompoundPacket, rtp_stream: RtpStreamSend, now_ms: int) -> None:
        # Called once per stream at the same now_ms: all of them get their SR then.
        if (
            now_ms != self.last_rtcp_sent_time
            and (now_ms - self.last_rtcp_sent_time) * 1.15 < self.max_rtcp_interval
        ):
            return
        self._add_rtcp(compound, rtp_stream, now_ms)

    def on_rtp_stream_score(self, stream: RtpStreamSend) -> None:
        pass  # a pipe's score is always 10

    def need_worst_remote_fraction_lost(self, mapped_ssrc: int, worst: int) -> int:
        if not self.is_active():
            return worst
        return max([worst, *(stream.fraction_lost for stream in self.rtp_streams)])

    # The Producer's streams do not change what a pipe sends.
    def producer_rtp_stream(self, rtp_stream: Any, mapped_ssrc: int) -> None:
        pass

    def producer_new_rtp_stream(self, rtp_stream: Any, mapped_ssrc: int) -> None:
        pass

    def producer_rtp_stream_score(self, rtp_stream: Any, score: int, previous_score: int) -> None:
        pass

    def producer_rtcp_sender_report(self, rtp_stream: Any, first: bool) -> None:
        pass

    def request_key_frame(self) -> None:
        if self.kind != "video":
            return
        for encoding in self.consumable_rtp_encodings:
            self.listener.on_consumer_key_frame_requested(self, encoding.ssrc)

    # UserOn* hooks.
    def user_on_transport_connected(self) -> None:
        for pipe_stream in self._streams_by_mapped_ssrc.values():
            pipe_stream.sync_required = True
        if self.is_active():
            for stream in self.rtp_streams:
                stream.resume()
            self.request_key_frame()

    def user_on_transport_disconnected(self) -> None:
        for stream in self.rtp_streams:
            stream.pause()

    def user_on_paused(self) -> None:
        for stream in self.rtp_streams:
            stream.pause()

    def user_on_resumed(self) -> None:
        for pipe_stream in self._streams_by_mapped_ssrc.values():
            pipe_stream.sync_required = True
        if self.is_active():
            for stream in self.rtp_streams:
                stream.resume()
            self.request_key_frame()
