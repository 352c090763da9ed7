"""RTP parameters as the worker validates and dumps them (mediasoup's RtpDictionaries).

Like mediasoup's ``RTC/RtpDictionaries.hpp``, this one file holds the small value classes
that make up RtpParameters: media kinds, codec MIME types, RtcpFeedback,
RtpCodecParameters, RtpRtxParameters, RtpEncodingParameters, RtpHeaderExtensionParameters,
RtcpParameters and RtpParameters. Each constructor takes the request's JSON and raises
MediaSoupTypeError with the C++ worker's message; each ``fill_json()`` returns the dict the
C++ worker would dump (same keys, same optional keys left out, same defaults).
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Any

from ..core.rtp_stream import RtpStreamParams
from ..errors import MediaSoupTypeError
from .json_utils import as_uint, is_number, is_positive_integer
from .parameters import Parameters

# Media kinds (RTC::Media::Kind). "" is mediasoup's Kind::ALL.
KINDS = ("", "audio", "video")


def get_kind(value: str) -> str:
    """RTC::Media::GetKind(): lowercased; "" is valid (the ALL kind) for the caller to refuse."""
    kind = value.lower()
    if kind not in KINDS:
        raise MediaSoupTypeError(f"invalid media kind [kind:{kind}]")
    return kind


class Subtype(IntEnum):
    """RtpCodecMimeType::Subtype: media codecs 100-299, complementary 300-399, feature 400+."""

    OPUS = 100
    PCMA = 101
    PCMU = 102
    ISAC = 103
    G722 = 104
    ILBC = 105
    SILK = 106
    VP8 = 200
    VP9 = 201
    H264 = 202
    X_H264UC = 203
    H265 = 204
    CN = 300
    TELEPHONE_EVENT = 301
    RTX = 400
    ULPFEC = 401
    X_ULPFECUC = 402
    FLEXFEC = 403
    RED = 404


# lowercase name -> (Subtype, name as the worker prints it)
_SUBTYPES: dict[str, tuple[Subtype, str]] = {
    "opus": (Subtype.OPUS, "opus"),
    "pcma": (Subtype.PCMA, "PCMA"),
    "pcmu": (Subtype.PCMU, "PCMU"),
    "isac": (Subtype.ISAC, "ISAC"),
    "g722": (Subtype.G722, "G722"),
    "ilbc": (Subtype.ILBC, "iLBC"),
    "silk": (Subtype.SILK, "SILK"),
    "vp8": (Subtype.VP8, "VP8"),
    "vp9": (Subtype.VP9, "VP9"),
    "h264": (Subtype.H264, "H264"),
    "x-h264uc": (Subtype.X_H264UC, "X-H264UC"),
    "h265": (Subtype.H265, "H265"),
    "cn": (Subtype.CN, "CN"),
    "telephone-event": (Subtype.TELEPHONE_EVENT, "telephone-event"),
    "rtx": (Subtype.RTX, "rtx"),
    "ulpfec": (Subtype.ULPFEC, "ulpfec"),
    "flexfec": (Subtype.FLEXFEC, "flexfec"),
    "x-ulpfecuc": (Subtype.X_ULPFECUC, "x-ulpfecuc"),
    "red": (Subtype.RED, "red"),
}


class RtpCodecMimeType:
    __slots__ = ("type", "subtype", "subtype_name")

    def __init__(self, mime_type: str) -> None:
        slash = mime_type.find("/")
        if slash <= 0 or slash == len(mime_type) - 1:
            raise MediaSoupTypeError("wrong codec MIME")
        kind = mime_type[:slash].lower()
        subtype = mime_type[slash + 1 :].lower()
        if kind not in ("audio", "video"):
            raise MediaSoupTypeError(f"unknown codec MIME type '{kind}'")
        entry = _SUBTYPES.get(subtype)
        if entry is None:
            raise MediaSoupTypeError(f"unknown codec MIME subtype '{subtype}'")
        self.type: str = kind
        self.subtype: Subtype = entry[0]
        self.subtype_name: str = entry[1]

    @classmethod
    def rtx_of(cls, media: RtpCodecMimeType) -> RtpCodecMimeType:
        """The RTX MIME type of a media MIME type (``audio/rtx`` or ``video/rtx``)."""
        return cls(f"{media.type}/rtx")

    def __str__(self) -> str:
        return f"{self.type}/{self.subtype_name}"

    def is_media_codec(self) -> bool:
        return 100 <= self.subtype < 300

    def is_complementary_codec(self) -> bool:
        return 300 <= self.subtype < 400

    def is_feature_codec(self) -> bool:
        return self.subtype >= 400


class RtcpFeedback:
    __slots__ = ("type", "parameter")

    def __init__(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise MediaSoupTypeError("data is not an object")
        kind = data.get("type")
        if not isinstance(kind, str):
            raise MediaSoupTypeError("missing type")
        parameter = data.get("parameter")
        self.type: str = kind
        self.parameter: str = parameter if isinstance(parameter, str) else ""

    def fill_json(self) -> dict[str, Any]:
        json: dict[str, Any] = {"type": self.type}
        if self.parameter:
            json["parameter"] = self.parameter
        return json


class RtpCodecParameters:
    __slots__ = (
        "mime_type",
        "payload_type",
        "clock_rate",
        "channels",
        "parameters",
        "rtcp_feedback",
    )

    def __init__(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise MediaSoupTypeError("data is not an object")
        mime_type = data.get("mimeType")
        if not isinstance(mime_type, str):
            raise MediaSoupTypeError("missing mimeType")
        self.mime_type = RtpCodecMimeType(mime_type)
        payload_type = data.get("payloadType")
        if not is_positive_integer(payload_type):
            raise MediaSoupTypeError("missing payloadType")
        self.payload_type: int = as_uint(payload_type, 8)
        clock_rate = data.get("clockRate")
        if not is_positive_integer(clock_rate):
            raise MediaSoupTypeError("missing clockRate")
        self.clock_rate: int = as_uint(clock_rate, 32)
        channels = data.get("channels")
        self.channels: int = as_uint(channels, 8) if is_positive_integer(channels) else 1
        self.parameters = Parameters(data.get("parameters"))
        self.rtcp_feedback: list[RtcpFeedback] = []
        feedback = data.get("rtcpFeedback")
        if isinstance(feedback, list):
            self.rtcp_feedback = [RtcpFeedback(entry) for entry in feedback]
        if self.mime_type.subtype == Subtype.RTX and not self.parameters.has_positive_integer(
            "apt"
        ):
            raise MediaSoupTypeError("missing apt parameter in RTX codec")

    def fill_json(self) -> dict[str, Any]:
        json: dict[str, Any] = {
            "mimeType": str(self.mime_type),
            "payloadType": self.payload_type,
            "clockRate": self.clock_rate,
        }
        if self.channels > 1:
            json["channels"] = self.channels
        json["parameters"] = self.parameters.fill_json()
        json["rtcpFeedback"] = [fb.fill_json() for fb in self.rtcp_feedback]
        return json


class RtpRtxParameters:
    __slots__ = ("ssrc",)

    def __init__(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise MediaSoupTypeError("data is not an object")
        ssrc = data.get("ssrc")
        self.ssrc: int = as_uint(ssrc, 32) if is_positive_integer(ssrc) else 0

    def fill_json(self) -> dict[str, Any]:
        return {"ssrc": self.ssrc} if self.ssrc else {}


# ECMAScript regex of the worker; `.` does not match line breaks there either.
_SCALABILITY_MODE = re.compile(r"[LS]([1-9][0-9]?)T([1-9][0-9]?)(_KEY)?.*")


class RtpEncodingParameters:
    __slots__ = (
        "ssrc", "rid", "codec_payload_type", "has_codec_payload_type", "rtx", "max_bitrate",
        "max_framerate", "dtx", "scalability_mode", "spatial_layers", "temporal_layers", "ksvc",
    )  # fmt: skip

    def __init__(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise MediaSoupTypeError("data is not an object")
        ssrc = data.get("ssrc")
        self.ssrc: int = as_uint(ssrc, 32) if is_positive_integer(ssrc) else 0
        rid = data.get("rid")
        self.rid: str = rid if isinstance(rid, str) else ""
        pt = data.get("codecPayloadType")
        self.has_codec_payload_type = is_positive_integer(pt)
        self.codec_payload_type: int = as_uint(pt, 8) if self.has_codec_payload_type else 0
        rtx = data.get("rtx")
        self.rtx: RtpRtxParameters | None = RtpRtxParameters(rtx) if isinstance(rtx, dict) else None
        max_bitrate = data.get("maxBitrate")
        self.max_bitrate: int = as_uint(max_bitrate, 32) if is_positive_integer(max_bitrate) else 0
        max_framerate = data.get("maxFramerate")
        self.max_framerate: float = float(max_framerate) if is_number(max_framerate) else 0.0  # type: ignore[arg-type]
        dtx = data.get("dtx")
        self.dtx: bool = dtx if isinstance(dtx, bool) else False
        self.scalability_mode = ""
        self.spatial_layers = 1
        self.temporal_layers = 1
        self.ksvc = False
        mode = data.get("scalabilityMode")
        if isinstance(mode, str):
            match = _SCALABILITY_MODE.fullmatch(mode)
            if match is not None:
                self.scalability_mode = mode
                self.spatial_layers = int(match.group(1))
                self.temporal_layers = int(match.group(2))
                self.ksvc = match.group(3) == "_KEY"

    @property
    def has_rtx(self) -> bool:
        return self.rtx is not None

    def fill_json(self) -> dict[str, Any]:
        json: dict[str, Any] = {}
        if self.ssrc:
            json["ssrc"] = self.ssrc
        if self.rid:
            json["rid"] = self.rid
        if self.has_codec_payload_type:
            json["codecPayloadType"] = self.codec_payload_type
        if self.rtx is not None:
            json["rtx"] = self.rtx.fill_json()
        if self.max_bitrate:
            json["maxBitrate"] = self.max_bitrate
        if self.max_framerate > 0:
            json["maxFramerate"] = self.max_framerate
        if self.dtx:
            json["dtx"] = True
        if self.scalability_mode:
            json["scalabilityMode"] = self.scalability_mode
            json["spatialLayers"] = self.spatial_layers
            json["temporalLayers"] = self.temporal_layers
            json["ksvc"] = self.ksvc
        return json


# RtpHeaderExtensionUri::Type, by lowercase URI; the names are those of the contract's
# `rtp_header_extension_ids` keys.
HEADER_EXTENSION_TYPES: dict[str, str] = {
    "urn:ietf:params:rtp-hdrext:sdes:mid": "mid",
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id": "rid",
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id": "rrid",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time": "absSendTime",
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01": "transportWideCc01",
    "http://tools.ietf.org/html/draft-ietf-avtext-framemarking-07": "frameMarking07",
    "urn:ietf:params:rtp-hdrext:framemarking": "frameMarking",
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level": "ssrcAudioLevel",
    "urn:3gpp:video-orientation": "videoOrientation",
    "urn:ietf:params:rtp-hdrext:toffset": "toffset",
}
HEADER_EXTENSION_ID_KEYS = tuple(HEADER_EXTENSION_TYPES.values())


class RtpHeaderExtensionParameters:
    __slots__ = ("uri", "type", "id", "encrypt", "parameters")

    def __init__(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise MediaSoupTypeError("data is not an object")
        uri = data.get("uri")
        if not isinstance(uri, str):
            raise MediaSoupTypeError("missing uri")
        if not uri:
            raise MediaSoupTypeError("empty uri")
        # The C++ worker lowercases the URI in place while looking its type up, so the
        # lowercased URI is what it dumps.
        self.uri: str = uri.lower()
        self.type: str | None = HEADER_EXTENSION_TYPES.get(self.uri)
        ext_id = data.get("id")
        if not is_positive_integer(ext_id):
            raise MediaSoupTypeError("missing id")
        self.id: int = as_uint(ext_id, 8)
        if self.id == 0:
            raise MediaSoupTypeError("invalid id 0")
        encrypt = data.get("encrypt")
        self.encrypt: bool = encrypt if isinstance(encrypt, bool) else False
        self.parameters = Parameters(data.get("parameters"))

    def fill_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "id": self.id,
            "encrypt": self.encrypt,
            "parameters": self.parameters.fill_json(),
        }


class RtcpParameters:
    __slots__ = ("cname", "ssrc", "reduced_size")

    def __init__(self, data: Any = None) -> None:
        self.cname = ""
        self.ssrc = 0
        self.reduced_size = True
        if data is None:
            return
        if not isinstance(data, dict):
            raise MediaSoupTypeError("data is not an object")
        cname = data.get("cname")
        if isinstance(cname, str):
            self.cname = cname
        ssrc = data.get("ssrc")
        if is_positive_integer(ssrc):
            self.ssrc = as_uint(ssrc, 32)
        reduced_size = data.get("reducedSize")
        if isinstance(reduced_size, bool):
            self.reduced_size = reduced_size

    def fill_json(self) -> dict[str, Any]:
        json: dict[str, Any] = {}
        if self.cname:
            json["cname"] = self.cname
        if self.ssrc:
            json["ssrc"] = self.ssrc
        json["reducedSize"] = self.reduced_size
        return json


# RtpParameters::Type names.
RTP_PARAMETERS_TYPES = ("none", "simple", "simulcast", "svc", "pipe")


def get_rtp_parameters_type(value: str) -> str:
    """RtpParameters::GetType(string)."""
    if value not in RTP_PARAMETERS_TYPES:
        raise MediaSoupTypeError(f"invalid RtpParameters type [type:{value}]")
    return value


class RtpParameters:
    __slots__ = ("mid", "codecs", "encodings", "header_extensions", "rtcp", "has_rtcp")

    def __init__(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise MediaSoupTypeError("data is not an object")
        self.mid = ""
        mid = data.get("mid")
        if isinstance(mid, str):
            if not mid:
                raise MediaSoupTypeError("empty mid")
            self.mid = mid
        codecs = data.get("codecs")
        if not isinstance(codecs, list):
            raise MediaSoupTypeError("missing codecs")
        self.codecs = [RtpCodecParameters(entry) for entry in codecs]
        if not self.codecs:
            raise MediaSoupTypeError("empty codecs")
        encodings = data.get("encodings")
        if not isinstance(encodings, list):
            raise MediaSoupTypeError("missing encodings")
        self.encodings = [RtpEncodingParameters(entry) for entry in encodings]
        if not self.encodings:
            raise MediaSoupTypeError("empty encodings")
        self.header_extensions: list[RtpHeaderExtensionParameters] = []
        header_extensions = data.get("headerExtensions")
        if isinstance(header_extensions, list):
            self.header_extensions = [RtpHeaderExtensionParameters(e) for e in header_extensions]
        rtcp = data.get("rtcp")
        self.has_rtcp = isinstance(rtcp, dict)
        self.rtcp = RtcpParameters(rtcp if self.has_rtcp else None)
        self._validate_codecs()
        self._validate_encodings()

    def type(self) -> str:
        """RtpParameters::GetType(rtpParameters): simple, simulcast or svc by the encodings."""
        if len(self.encodings) == 1:
            encoding = self.encodings[0]
            if encoding.spatial_layers > 1 or encoding.temporal_layers > 1:
                return "svc"
            return "simple"
        if len(self.encodings) > 1:
            return "simulcast"
        return "none"

    def fill_json(self) -> dict[str, Any]:
        json: dict[str, Any] = {}
        if self.mid:
            json["mid"] = self.mid
        json["codecs"] = [codec.fill_json() for codec in self.codecs]
        json["encodings"] = [encoding.fill_json() for encoding in self.encodings]
        json["headerExtensions"] = [ext.fill_json() for ext in self.header_extensions]
        json["rtcp"] = self.rtcp.fill_json() if self.has_rtcp else {}
        return json

    def get_codec_for_encoding(self, encoding: RtpEncodingParameters) -> RtpCodecParameters:
        for codec in self.codecs:
            if codec.payload_type == encoding.codec_payload_type:
                return codec
        raise AssertionError("no valid codec payload type for the given encoding")

    def get_rtx_codec_for_encoding(
        self, encoding: RtpEncodingParameters
    ) -> RtpCodecParameters | None:
        for codec in self.codecs:
            if (
                codec.mime_type.is_feature_codec()
                and codec.parameters.has_integer("apt")
                and codec.parameters.get_integer("apt") == encoding.codec_payload_type
            ):
                return codec
        return None

    def _validate_codecs(self) -> None:
        seen: set[int] = set()
        for codec in self.codecs:
            if codec.payload_type in seen:
                raise MediaSoupTypeError("duplicated payloadType")
            seen.add(codec.payload_type)
            if codec.mime_type.subtype != Subtype.RTX:
                continue
            apt = codec.parameters.get_integer("apt")
            for other in self.codecs:
                if other.payload_type != apt:
                    continue
                if other.mime_type.subtype == Subtype.RTX:
                    raise MediaSoupTypeError("apt in RTX codec points to a RTX codec")
                if other.mime_type.subtype == Subtype.ULPFEC:
                    raise MediaSoupTypeError("apt in RTX codec points to a ULPFEC codec")
                if other.mime_type.subtype == Subtype.FLEXFEC:
                    raise MediaSoupTypeError("apt in RTX codec points to a FLEXFEC codec")
                break
            else:
                raise MediaSoupTypeError("apt in RTX codec points to a non existing codec")

    def _validate_encodings(self) -> None:
        first_media = next((c for c in self.codecs if c.mime_type.is_media_codec()), None)
        if first_media is None:
            raise MediaSoupTypeError("no media codecs found")
        for encoding in self.encodings:
            if encoding.spatial_layers > 1 and len(self.encodings) > 1:
                raise MediaSoupTypeError(
                    "cannot use both simulcast and encodings with multiple SVC spatial layers"
                )
            if not encoding.has_codec_payload_type:
                encoding.codec_payload_type = first_media.payload_type
                encoding.has_codec_payload_type = True
                continue
            for codec in self.codecs:
                if codec.payload_type == encoding.codec_payload_type:
                    if codec.mime_type.is_media_codec():
                        break
                    raise MediaSoupTypeError("invalid codecPayloadType")
            else:
                raise MediaSoupTypeError("unknown codecPayloadType")


def rtp_header_extension_ids(
    header_extensions: list[RtpHeaderExtensionParameters],
    keys: tuple[str, ...] = HEADER_EXTENSION_ID_KEYS,
) -> dict[str, int]:
    """mediasoup's RtpHeaderExtensionIds: the first id of each known URI (0 when absent)."""
    ids = dict.fromkeys(HEADER_EXTENSION_ID_KEYS, 0)
    for ext in header_extensions:
        if ext.id == 0:
            raise MediaSoupTypeError("RTP extension id cannot be 0")
        if ext.type is not None and ext.type in keys and ids[ext.type] == 0:
            ids[ext.type] = ext.id
    return ids


def parse_rtp_parameters(data: Any) -> dict[str, Any]:
    """Validate RtpParameters and return the normalized dict the worker dumps."""
    return RtpParameters(data).fill_json()


def rtp_stream_params(
    codec: Any, encoding: Any, ssrc: int, encoding_idx: int, cname: str, rid: str = ""
) -> RtpStreamParams:
    """RtpStream::Params of one encoding: the codec's and the encoding's values, and the
    NACK/PLI/FIR/in-band FEC/DTX flags from the codec's parameters and rtcpFeedback (as the
    C++ Producer's and Consumers' CreateRtpStream())."""
    params = RtpStreamParams(
        ssrc=ssrc,
        payload_type=codec.payload_type,
        mime_type=str(codec.mime_type),
        clock_rate=codec.clock_rate,
        encoding_idx=encoding_idx,
        rid=rid,
        cname=cname,
        spatial_layers=encoding.spatial_layers,
        temporal_layers=encoding.temporal_layers,
    )
    p = codec.parameters
    if p.has_integer("useinbandfec") and p.get_integer("useinbandfec") == 1:
        params.use_in_band_fec = True
    if (p.has_integer("usedtx") and p.get_integer("usedtx") == 1) or encoding.dtx:
        params.use_dtx = True
    for fb in codec.rtcp_feedback:
        if not params.use_nack and fb.type == "nack" and not fb.parameter:
            params.use_nack = True
        elif not params.use_pli and fb.type == "nack" and fb.parameter == "pli":
            params.use_pli = True
        elif not params.use_fir and fb.type == "ccm" and fb.parameter == "fir":
            params.use_fir = True
    return params
