"""What every RTP stream has, as mediasoup's RTC::RtpStream: its params, score and counters.

RtpStreamSend (a Consumer's outgoing stream) and RtpStreamRecv (a Producer's incoming
stream) build on it. ``fill_json()`` and ``fill_json_stats(now_ms)`` give the shapes the
worker dumps; the counters stay at zero until RTP flows through the stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class RtpStreamParams:
    """RtpStream::Params. ``mime_type`` is the worker's canonical string, e.g. ``video/VP8``."""

    ssrc: int
    payload_type: int
    mime_type: str
    clock_rate: int
    encoding_idx: int = 0
    rid: str = ""
    cname: str = ""
    rtx_ssrc: int = 0
    rtx_payload_type: int = 0
    use_nack: bool = False
    use_pli: bool = False
    use_fir: bool = False
    use_in_band_fec: bool = False
    use_dtx: bool = False
    spatial_layers: int = 1
    temporal_layers: int = 1

    @property
    def kind(self) -> str:
        return self.mime_type.split("/", 1)[0]

    def fill_json(self) -> dict[str, Any]:
        json: dict[str, Any] = {
            "encodingIdx": self.encoding_idx,
            "ssrc": self.ssrc,
            "payloadType": self.payload_type,
            "mimeType": self.mime_type,
            "clockRate": self.clock_rate,
        }
        if self.rid:
            json["rid"] = self.rid
        json["cname"] = self.cname
        if self.rtx_ssrc:
            json["rtxSsrc"] = self.rtx_ssrc
            json["rtxPayloadType"] = self.rtx_payload_type
        json.update(
            useNack=self.use_nack,
            usePli=self.use_pli,
            useFir=self.use_fir,
            useInBandFec=self.use_in_band_fec,
            useDtx=self.use_dtx,
            spatialLayers=self.spatial_layers,
            temporalLayers=self.temporal_layers,
        )
        return json


@dataclass
class RtxStreamParams:
    """RtxStream::Params."""

    ssrc: int
    payload_type: int
    mime_type: str
    clock_rate: int
    rrid: str = ""
    cname: str = ""

    def fill_json(self) -> dict[str, Any]:
        json: dict[str, Any] = {
            "ssrc": self.ssrc,
            "payloadType": self.payload_type,
            "mimeType": self.mime_type,
            "clockRate": self.clock_rate,
        }
        if self.rrid:
            json["rrid"] = self.rrid
        json["cname"] = self.cname
        return json


class RtxStream:
    """The RTX stream paired with an RtpStream (mediasoup's RTC::RtxStream)."""

    __slots__ = ("params", "packets_discarded")

    def __init__(self, params: RtxStreamParams) -> None:
        self.params = params
        self.packets_discarded = 0

    def fill_json(self) -> dict[str, Any]:
        return {"params": self.params.fill_json()}


class RtpStream:
    __slots__ = (
        "params", "score", "rtx_stream", "active_since_ms", "paused", "packets_lost",
        "fraction_lost", "packets_discarded", "packets_retransmitted", "packets_repaired",
        "nack_count", "nack_packet_count", "pli_count", "fir_count", "rtt", "has_rtt",
    )  # fmt: skip

    def __init__(self, params: RtpStreamParams, initial_score: int, now_ms: int) -> None:
        self.params = params
        self.score = initial_score
        self.rtx_stream: RtxStream | None = None
        self.active_since_ms = now_ms
        self.paused = False
        self.packets_lost = 0
        self.fraction_lost = 0
        self.packets_discarded = 0
        self.packets_retransmitted = 0
        self.packets_repaired = 0
        self.nack_count = 0
        self.nack_packet_count = 0
        self.pli_count = 0
        self.fir_count = 0
        self.rtt = 0.0
        self.has_rtt = False

    @property
    def ssrc(self) -> int:
        return self.params.ssrc

    @property
    def rtx_ssrc(self) -> int:
        return self.params.rtx_ssrc

    @property
    def encoding_idx(self) -> int:
        return self.params.encoding_idx

    @property
    def rid(self) -> str:
        return self.params.rid

    @property
    def clock_rate(self) -> int:
        return self.params.clock_rate

    @property
    def spatial_layers(self) -> int:
        return self.params.spatial_layers

    @property
    def temporal_layers(self) -> int:
        return self.params.temporal_layers

    def has_rtx(self) -> bool:
        return self.rtx_stream is not None

    def has_dtx(self) -> bool:
        return self.params.use_dtx

    def set_rtx(self, payload_type: int, ssrc: int) -> None:
        self.params.rtx_payload_type = payload_type
        self.params.rtx_ssrc = ssrc
        self.rtx_stream = RtxStream(
            RtxStreamParams(
                ssrc=ssrc,
                payload_type=payload_type,
                mime_type=f"{self.params.kind}/rtx",
                clock_rate=self.params.clock_rate,
                rrid=self.params.rid,
                cname=self.params.cname,
            )
        )

    def get_active_ms(self, now_ms: int) -> int:
        """How long the score has been above 0 (mediasoup's GetActiveMs)."""
        return now_ms - self.active_since_ms

    def get_rtt(self) -> float:
        return self.rtt

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def fill_json(self) -> dict[str, Any]:
        json: dict[str, Any] = {"params": self.params.fill_json(), "score": self.score}
        if self.rtx_stream is not None:
            json["rtxStream"] = self.rtx_stream.fill_json()
        return json

    def fill_json_stats(self, now_ms: int) -> dict[str, Any]:
        json: dict[str, Any] = {
            "timestamp": now_ms,
            "ssrc": self.params.ssrc,
            "kind": self.params.kind,
            "mimeType": self.params.mime_type,
            "packetsLost": self.packets_lost,
            "fractionLost": self.fraction_lost,
            "packetsDiscarded": self.packets_discarded,
            "packetsRetransmitted": self.packets_retransmitted,
            "packetsRepaired": self.packets_repaired,
            "nackCount": self.nack_count,
            "nackPacketCount": self.nack_packet_count,
            "pliCount": self.pli_count,
            "firCount": self.fir_count,
            "score": self.score,
        }
        if self.params.rid:
            json["rid"] = self.params.rid
        if self.params.rtx_ssrc:
            json["rtxSsrc"] = self.params.rtx_ssrc
        if self.rtx_stream is not None:
            json["rtxPacketsDiscarded"] = self.rtx_stream.packets_discarded
        if self.has_rtt:
            json["roundTripTime"] = self.rtt
        return json
