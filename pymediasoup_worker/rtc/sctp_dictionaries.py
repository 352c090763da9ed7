"""SctpStreamParameters as the worker validates and dumps them (mediasoup's SctpDictionaries)."""

from __future__ import annotations

from typing import Any

from ..errors import MediaSoupTypeError
from .json_utils import as_uint, is_positive_integer


class SctpStreamParameters:
    __slots__ = ("stream_id", "ordered", "max_packet_life_time", "max_retransmits")

    def __init__(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise MediaSoupTypeError("data is not an object")
        stream_id = data.get("streamId")
        if not is_positive_integer(stream_id):
            raise MediaSoupTypeError("missing streamId")
        # uint16 in the C++ worker: larger values wrap before the check.
        self.stream_id: int = as_uint(stream_id, 16)
        if self.stream_id > 65534:
            raise MediaSoupTypeError("streamId must not be greater than 65534")
        ordered = data.get("ordered")
        ordered_given = isinstance(ordered, bool)
        self.ordered: bool = ordered if isinstance(ordered, bool) else True
        lifetime = data.get("maxPacketLifeTime")
        self.max_packet_life_time: int = (
            as_uint(lifetime, 16) if is_positive_integer(lifetime) else 0
        )
        retransmits = data.get("maxRetransmits")
        self.max_retransmits: int = (
            as_uint(retransmits, 16) if is_positive_integer(retransmits) else 0
        )
        partial = bool(self.max_packet_life_time or self.max_retransmits)
        if self.max_packet_life_time and self.max_retransmits:
            raise MediaSoupTypeError("cannot provide both maxPacketLifeTime and maxRetransmits")
        if ordered_given and self.ordered and partial:
            raise MediaSoupTypeError("cannot be ordered with maxPacketLifeTime or maxRetransmits")
        if not ordered_given and partial:
            self.ordered = False

    def fill_json(self) -> dict[str, Any]:
        json: dict[str, Any] = {"streamId": self.stream_id, "ordered": self.ordered}
        if self.max_packet_life_time:
            json["maxPacketLifeTime"] = self.max_packet_life_time
        if self.max_retransmits:
            json["maxRetransmits"] = self.max_retransmits
        return json


def parse_sctp_stream_parameters(data: Any) -> dict[str, Any]:
    """Validate SctpStreamParameters and return the normalized dict the worker dumps."""
    return SctpStreamParameters(data).fill_json()


class DataEndpointSettings:
    """What DataProducer and DataConsumer parse alike from their create request: the type
    ('sctp' | 'direct'), the SCTP stream parameters (sctp only), label and protocol."""

    __slots__ = ("type", "params", "sctp_stream_parameters", "label", "protocol")

    def __init__(self, data: dict[str, Any]) -> None:
        kind = data.get("type")
        if not isinstance(kind, str):
            raise MediaSoupTypeError("missing type")
        if kind not in ("sctp", "direct"):
            raise MediaSoupTypeError("invalid type")
        self.type = kind
        self.params: SctpStreamParameters | None = None
        if kind == "sctp":
            params = data.get("sctpStreamParameters")
            if not isinstance(params, dict):
                raise MediaSoupTypeError("missing sctpStreamParameters")
            self.params = SctpStreamParameters(params)
        # The validated parameters in the worker's JSON shape (what the Transport reads).
        self.sctp_stream_parameters: dict[str, Any] | None = (
            self.params.fill_json() if self.params is not None else None
        )
        label = data.get("label")
        self.label: str = label if isinstance(label, str) else ""
        protocol = data.get("protocol")
        self.protocol: str = protocol if isinstance(protocol, str) else ""

    def fill_json(self, json: dict[str, Any]) -> None:
        """The dump fields both endpoints share: sctpStreamParameters (sctp only), label
        and protocol."""
        if self.params is not None:
            json["sctpStreamParameters"] = self.params.fill_json()
        json["label"] = self.label
        json["protocol"] = self.protocol
