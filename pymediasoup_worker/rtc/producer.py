"""A Producer, as mediasoup's RTC::Producer: the RTP a client sends into a Transport.

Created by its Transport on ``transport.produce``. It validates the RtpParameters and
the ``rtpMapping`` (the Node side's translation of payload types and SSRCs to the
router's), and answers ``producer.*`` requests. Its RTP streams (RtpStreamRecv, one per
encoding) appear when RTP arrives, so until then ``rtpStreams`` in the dump and the
stats are empty arrays and every stream score is 0, as with the C++ worker.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..channel.channel_request import ChannelRequest
from ..errors import MediaSoupError, MediaSoupTypeError
from .json_utils import as_uint, is_integer, is_positive_integer
from .rtp_dictionaries import RtpParameters, get_kind, rtp_header_extension_ids
from .shared import Shared

TRACE_EVENT_TYPES = ("rtp", "keyframe", "nack", "pli", "fir")


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
    def on_producer_rtp_packet_received(self, producer: Producer, packet: Any) -> None: ...
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
                for rtp_stream in self.map_rtp_stream_mapped_ssrc:
                    rtp_stream.resume()
                self.paused = False
                self.listener.on_producer_resumed(self)
                # mediasoup then forces a key frame request on every stream; there is none
                # until RTP arrives (the KeyFrameRequestManager comes with the media path).
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

    def request_key_frame(self, mapped_ssrc: int) -> None:
        """A consumer wants a key frame of the stream sent to it as ``mapped_ssrc``.

        As mediasoup: audio producers and paused producers ignore it, and so does a
        producer that has no stream for that SSRC yet (no RTP received).
        """
        if self.kind != "video" or self.paused:
            return
        if mapped_ssrc not in self.map_mapped_ssrc_ssrc:
            return
        # Reached only once RTP streams exist: the KeyFrameRequestManager of the media path.

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
