"""A PipeConsumer, as mediasoup's RTC::PipeConsumer: every encoding, untouched, to another router.

One RtpStreamSend per encoding (SSRCs equal to the Producer's consumable ones). Its score
is always ``{score: 10, producerScore: 10}``: a pipe does not judge the media it carries.
"""

from __future__ import annotations

from typing import Any

from ..channel.channel_request import ChannelRequest
from ..core.rtp_stream_send import RtpStreamSend
from ..errors import MediaSoupTypeError
from .consumer import Consumer, ConsumerListener
from .shared import Shared
from .simple_consumer import can_be_key_frame


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
        self.sync_required: dict[int, bool] = {}
        for idx, encoding in enumerate(self.params.encodings):
            stream = self._new_rtp_stream_send(encoding, encoding_idx=idx)
            self.rtp_streams.append(stream)
            self.map_mapped_ssrc_ssrc[self.consumable_rtp_encodings[idx].ssrc] = encoding.ssrc
            self.map_ssrc_rtp_stream[encoding.ssrc] = stream
            self.sync_required[encoding.ssrc] = False

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
        for ssrc in self.sync_required:
            self.sync_required[ssrc] = True
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
        for ssrc in self.sync_required:
            self.sync_required[ssrc] = True
        if self.is_active():
            for stream in self.rtp_streams:
                stream.resume()
            self.request_key_frame()
