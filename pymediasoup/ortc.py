"""RTP and SCTP capabilities and parameters: validation, negotiation and mapping.

The pure part of the controller, mediasoup 3.7.11's ``ortc.ts`` with snake_cased
names. Everything works on plain dicts with mediasoup's camelCase keys.

* ``validate_*`` check one kind of object, raise ``TypeError`` naming the bad field,
  and fill in mediasoup's defaults **in place** (as mediasoup does).
* :func:`generate_router_rtp_capabilities` builds a Router's capabilities from the
  media codecs it is created with, allocating payload types and adding RTX codecs.
* :func:`get_producer_rtp_parameters_mapping`, :func:`get_consumable_rtp_parameters`,
  :func:`can_consume`, :func:`get_consumer_rtp_parameters` and
  :func:`get_pipe_consumer_rtp_parameters` take a Producer's parameters through the
  Router to each Consumer.

Like mediasoup, optional fields treat JavaScript's falsy values (``None``, ``False``,
``0``, ``''``) as "not given", so both libraries accept and reject the same input.
"""

from __future__ import annotations

import copy
import random
import re
from typing import Any, cast

from . import h264_profile_level_id as h264
from .errors import MediasoupError, UnsupportedError
from .scalability_modes import parse_scalability_mode
from .supported_rtp_capabilities import SUPPORTED_RTP_CAPABILITIES
from .types import (
    NumSctpStreams,
    RtcpFeedback,
    RtcpParameters,
    RtpCapabilities,
    RtpCodecCapability,
    RtpCodecParameters,
    RtpEncodingParameters,
    RtpHeaderExtension,
    RtpHeaderExtensionParameters,
    RtpMapping,
    RtpParameters,
    SctpCapabilities,
    SctpParameters,
    SctpStreamParameters,
)

__all__ = [
    "DYNAMIC_PAYLOAD_TYPES",
    "can_consume",
    "generate_router_rtp_capabilities",
    "get_consumable_rtp_parameters",
    "get_consumer_rtp_parameters",
    "get_pipe_consumer_rtp_parameters",
    "get_producer_rtp_parameters_mapping",
    "validate_num_sctp_streams",
    "validate_rtcp_feedback",
    "validate_rtcp_parameters",
    "validate_rtp_capabilities",
    "validate_rtp_codec_capability",
    "validate_rtp_codec_parameters",
    "validate_rtp_encoding_parameters",
    "validate_rtp_header_extension",
    "validate_rtp_header_extension_parameters",
    "validate_rtp_parameters",
    "validate_sctp_capabilities",
    "validate_sctp_parameters",
    "validate_sctp_stream_parameters",
]

# Payload types handed out to codecs without a preferred one, in this order.
DYNAMIC_PAYLOAD_TYPES: tuple[int, ...] = (*range(100, 128), *range(96, 100))

_MIME_TYPE = re.compile(r"(audio|video)/(.+)", re.IGNORECASE)
_RTX_MIME_TYPE = re.compile(r".+/rtx", re.IGNORECASE)

_MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
_ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
_TRANSPORT_WIDE_CC_URI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

# Range of the random SSRCs mediasoup picks (utils.generateRandomNumber).
_SSRC_MIN, _SSRC_MAX = 100_000_000, 999_999_999


# --- small helpers -------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _unset(value: Any) -> bool:
    """True for the values JavaScript treats as false: None, False, 0 and ''.

    Containers count as set even when empty, as in JavaScript.
    """
    return value is None or value is False or value == "" or (_is_number(value) and value == 0)


def _random_ssrc() -> int:
    return random.randint(_SSRC_MIN, _SSRC_MAX)


def _is_rtx(codec: RtpCodecCapability | RtpCodecParameters) -> bool:
    return _RTX_MIME_TYPE.fullmatch(codec["mimeType"]) is not None


def _parameters(codec: Any) -> dict[str, Any]:
    return codec.get("parameters") or {}


def _mime_kind(codec: Any) -> str:
    """Check ``codec['mimeType']`` and return its media kind in lower case."""
    mime_type = codec.get("mimeType")
    if not isinstance(mime_type, str) or not mime_type:
        raise TypeError("missing codec.mimeType")
    match = _MIME_TYPE.match(mime_type)
    if match is None:
        raise TypeError(f"invalid codec.mimeType {mime_type!r}")
    return match.group(1).lower()


def _normalize_parameter_values(
    parameters: dict[str, Any], what: str, numeric_keys: tuple[str, ...] = ()
) -> None:
    """Values must be strings or numbers (None becomes ''); some keys only numbers."""
    for key, value in parameters.items():
        if value is None:
            parameters[key] = value = ""
        if not isinstance(value, str) and not _is_number(value):
            raise TypeError(f"invalid {what} [key:{key}, value:{value!r}]")
        if key in numeric_keys and not _is_number(value):
            raise TypeError(f"invalid {what} {key} (not a number): {value!r}")


def _normalize_codec_common(codec: Any, kind: str) -> None:
    """channels, parameters and rtcpFeedback, shared by capabilities and parameters."""
    if kind == "audio":
        if not _is_number(codec.get("channels")):
            codec["channels"] = 1
    else:
        codec.pop("channels", None)

    if not isinstance(codec.get("parameters"), dict):
        codec["parameters"] = {}
    _normalize_parameter_values(codec["parameters"], "codec parameter", ("apt",))

    if not isinstance(codec.get("rtcpFeedback"), list):
        codec["rtcpFeedback"] = []
    for fb in codec["rtcpFeedback"]:
        validate_rtcp_feedback(fb)


def _validate_list(owner: Any, key: str, where: str, validate: Any) -> None:
    """An optional list field: default ``[]``, else each item validated."""
    items = owner.get(key)
    if _unset(items):
        owner[key] = items = []
    elif not isinstance(items, list):
        raise TypeError(f"{where}.{key} is not a list")
    for item in items:
        validate(item)


# --- RTP validation ------------------------------------------------------------


def validate_rtp_capabilities(caps: RtpCapabilities) -> None:
    """Validate RtpCapabilities, filling in missing ``codecs``/``headerExtensions``."""
    if not isinstance(caps, dict):
        raise TypeError("caps is not an object")
    _validate_list(caps, "codecs", "caps", validate_rtp_codec_capability)
    _validate_list(caps, "headerExtensions", "caps", validate_rtp_header_extension)


def validate_rtp_codec_capability(codec: RtpCodecCapability) -> None:
    """Validate an RtpCodecCapability; ``kind`` is (re)set from the MIME type."""
    if not isinstance(codec, dict):
        raise TypeError("codec is not an object")
    kind = _mime_kind(codec)
    codec["kind"] = kind  # type: ignore[typeddict-item]

    payload_type = codec.get("preferredPayloadType")
    if not _unset(payload_type) and not _is_number(payload_type):
        raise TypeError("invalid codec.preferredPayloadType")
    if not _is_number(codec.get("clockRate")):
        raise TypeError("missing codec.clockRate")

    _normalize_codec_common(codec, kind)


def validate_rtcp_feedback(fb: RtcpFeedback) -> None:
    """Validate an RtcpFeedback entry; ``parameter`` defaults to ``''``."""
    if not isinstance(fb, dict):
        raise TypeError("fb is not an object")
    fb_type = fb.get("type")
    if not isinstance(fb_type, str) or not fb_type:
        raise TypeError("missing fb.type")
    if not isinstance(fb.get("parameter"), str):
        fb["parameter"] = ""


def _default_or_check(obj: Any, key: str, where: str, kind: type, default: Any) -> None:
    """An optional scalar field: set ``default`` when unset, else require ``kind``."""
    value = obj.get(key)
    if _unset(value):
        obj[key] = default
    elif not isinstance(value, kind):
        raise TypeError(f"invalid {where}.{key}")


def validate_rtp_header_extension(ext: RtpHeaderExtension) -> None:
    """Validate an RtpHeaderExtension (capability), filling in mediasoup's defaults."""
    if not isinstance(ext, dict):
        raise TypeError("ext is not an object")

    if not isinstance(ext.get("kind"), str):
        ext["kind"] = ""
    if ext["kind"] not in ("", "audio", "video"):
        raise TypeError(f"invalid ext.kind {ext['kind']!r}")

    uri = ext.get("uri")
    if not isinstance(uri, str) or not uri:
        raise TypeError("missing ext.uri")
    if not _is_number(ext.get("preferredId")):
        raise TypeError("missing ext.preferredId")

    _default_or_check(ext, "preferredEncrypt", "ext", bool, False)
    _default_or_check(ext, "direction", "ext", str, "sendrecv")


def validate_rtp_parameters(params: RtpParameters) -> None:
    """Validate RtpParameters, filling in missing lists and ``rtcp``."""
    if not isinstance(params, dict):
        raise TypeError("params is not an object")

    mid = params.get("mid")
    if not _unset(mid) and not isinstance(mid, str):
        raise TypeError("params.mid is not a string")

    codecs = params.get("codecs")
    if not isinstance(codecs, list):
        raise TypeError("missing params.codecs")
    for codec in codecs:
        validate_rtp_codec_parameters(codec)

    _validate_list(params, "headerExtensions", "params", validate_rtp_header_extension_parameters)
    _validate_list(params, "encodings", "params", validate_rtp_encoding_parameters)

    rtcp = params.get("rtcp")
    if _unset(rtcp):
        params["rtcp"] = rtcp = {}
    elif not isinstance(rtcp, dict):
        raise TypeError("params.rtcp is not an object")
    validate_rtcp_parameters(rtcp)


def validate_rtp_codec_parameters(codec: RtpCodecParameters) -> None:
    """Validate RtpCodecParameters, filling in mediasoup's defaults."""
    if not isinstance(codec, dict):
        raise TypeError("codec is not an object")
    kind = _mime_kind(codec)
    if not _is_number(codec.get("payloadType")):
        raise TypeError("missing codec.payloadType")
    if not _is_number(codec.get("clockRate")):
        raise TypeError("missing codec.clockRate")
    _normalize_codec_common(codec, kind)


def validate_rtp_header_extension_parameters(ext: RtpHeaderExtensionParameters) -> None:
    """Validate RtpHeaderExtensionParameters, filling in mediasoup's defaults."""
    if not isinstance(ext, dict):
        raise TypeError("ext is not an object")
    uri = ext.get("uri")
    if not isinstance(uri, str) or not uri:
        raise TypeError("missing ext.uri")
    if not _is_number(ext.get("id")):
        raise TypeError("missing ext.id")

    _default_or_check(ext, "encrypt", "ext", bool, False)

    if not isinstance(ext.get("parameters"), dict):
        ext["parameters"] = {}
    _normalize_parameter_values(ext["parameters"], "header extension parameter")


def validate_rtp_encoding_parameters(encoding: RtpEncodingParameters) -> None:
    """Validate RtpEncodingParameters; ``dtx`` defaults to False."""
    if not isinstance(encoding, dict):
        raise TypeError("encoding is not an object")

    ssrc = encoding.get("ssrc")
    if not _unset(ssrc) and not _is_number(ssrc):
        raise TypeError("invalid encoding.ssrc")

    rid = encoding.get("rid")
    if not _unset(rid) and not isinstance(rid, str):
        raise TypeError("invalid encoding.rid")

    rtx = encoding.get("rtx")
    if not _unset(rtx):
        if not isinstance(rtx, dict):
            raise TypeError("invalid encoding.rtx")
        if not _is_number(rtx.get("ssrc")):
            raise TypeError("missing encoding.rtx.ssrc")

    if not isinstance(encoding.get("dtx"), bool):
        encoding["dtx"] = False

    mode = encoding.get("scalabilityMode")
    if not _unset(mode) and not isinstance(mode, str):
        raise TypeError("invalid encoding.scalabilityMode")


def validate_rtcp_parameters(rtcp: RtcpParameters) -> None:
    """Validate RtcpParameters; ``reducedSize`` becomes True."""
    if not isinstance(rtcp, dict):
        raise TypeError("rtcp is not an object")

    cname = rtcp.get("cname")
    if not _unset(cname) and not isinstance(cname, str):
        raise TypeError("invalid rtcp.cname")

    # mediasoup overwrites any falsy reducedSize, so an explicit False becomes True
    # too; kept so that both controllers send the worker the same parameters.
    if rtcp.get("reducedSize") is not True:
        rtcp["reducedSize"] = True


# --- SCTP validation -----------------------------------------------------------


def validate_sctp_capabilities(caps: SctpCapabilities) -> None:
    """Validate SctpCapabilities (``numStreams`` is mandatory)."""
    if not isinstance(caps, dict):
        raise TypeError("caps is not an object")
    num_streams = caps.get("numStreams")
    if not isinstance(num_streams, dict):
        raise TypeError("missing caps.numStreams")
    validate_num_sctp_streams(num_streams)


def validate_num_sctp_streams(num_streams: NumSctpStreams) -> None:
    """Validate NumSctpStreams (``OS`` and ``MIS`` are mandatory numbers)."""
    if not isinstance(num_streams, dict):
        raise TypeError("numStreams is not an object")
    for key in ("OS", "MIS"):
        if not _is_number(num_streams.get(key)):
            raise TypeError(f"missing numStreams.{key}")


def validate_sctp_parameters(params: SctpParameters) -> None:
    """Validate SctpParameters (all four fields are mandatory numbers)."""
    if not isinstance(params, dict):
        raise TypeError("params is not an object")
    for key in ("port", "OS", "MIS", "maxMessageSize"):
        if not _is_number(params.get(key)):
            raise TypeError(f"missing params.{key}")


def validate_sctp_stream_parameters(params: SctpStreamParameters) -> None:
    """Validate SctpStreamParameters and work out ``ordered``.

    ``ordered`` defaults to True, or to False when a partial-reliability limit is
    given; asking for both ordered delivery and a limit, or for both limits, fails.
    """
    if not isinstance(params, dict):
        raise TypeError("params is not an object")
    if not _is_number(params.get("streamId")):
        raise TypeError("missing params.streamId")

    ordered_given = isinstance(params.get("ordered"), bool)
    if not ordered_given:
        params["ordered"] = True

    lifetime = params.get("maxPacketLifeTime")
    retransmits = params.get("maxRetransmits")
    if not _unset(lifetime) and not _is_number(lifetime):
        raise TypeError("invalid params.maxPacketLifeTime")
    if not _unset(retransmits) and not _is_number(retransmits):
        raise TypeError("invalid params.maxRetransmits")

    limited = not _unset(lifetime) or not _unset(retransmits)
    if not _unset(lifetime) and not _unset(retransmits):
        raise TypeError("cannot provide both params.maxPacketLifeTime and params.maxRetransmits")
    if ordered_given and params["ordered"] and limited:
        raise TypeError(
            "params.ordered cannot be true with params.maxPacketLifeTime or params.maxRetransmits"
        )
    if not ordered_given and limited:
        params["ordered"] = False


# --- codec matching ------------------------------------------------------------


def _match_codecs(a: Any, b: Any, *, strict: bool = False, modify: bool = False) -> bool:
    """Whether codecs ``a`` and ``b`` are the same codec.

    Non-strict matching compares MIME type, clock rate, channels and H264's
    packetization-mode. Strict matching also requires the same H264 profile (and a
    level that can be answered) and the same VP9 profile-id. With ``modify``, ``a``'s
    H264 profile-level-id is replaced by the one to answer with.
    """
    mime_type = a["mimeType"].lower()
    if mime_type != b["mimeType"].lower():
        return False
    if a.get("clockRate") != b.get("clockRate") or a.get("channels") != b.get("channels"):
        return False

    a_params, b_params = _parameters(a), _parameters(b)

    if mime_type == "video/h264":
        if (a_params.get("packetization-mode") or 0) != (b_params.get("packetization-mode") or 0):
            return False
        if strict:
            if not h264.is_same_profile(a_params, b_params):
                return False
            try:
                answer = h264.generate_profile_level_id_for_answer(a_params, b_params)
            except TypeError:
                return False
            if modify:
                if answer:
                    a.setdefault("parameters", {})["profile-level-id"] = answer
                else:
                    a_params.pop("profile-level-id", None)

    elif (
        mime_type == "video/vp9"
        and strict
        and (a_params.get("profile-id") or 0) != (b_params.get("profile-id") or 0)
    ):
        return False

    return True


# --- router capabilities -------------------------------------------------------


def generate_router_rtp_capabilities(
    media_codecs: list[RtpCodecCapability] | None = None,
) -> RtpCapabilities:
    """RTP capabilities of a Router created with ``media_codecs``.

    Each media codec (validated in place) must match a supported codec, whose copy
    is taken with the given parameters merged in. It keeps the given
    ``preferredPayloadType``, else the supported codec's static one, else the next
    free dynamic one; every video codec is followed by an RTX codec. Header
    extensions are all the supported ones.
    """
    supported = copy.deepcopy(SUPPORTED_RTP_CAPABILITIES)
    validate_rtp_capabilities(supported)

    if media_codecs is None:
        media_codecs = []
    if not isinstance(media_codecs, list):
        raise TypeError("media_codecs must be a list")

    free_payload_types = list(DYNAMIC_PAYLOAD_TYPES)

    def take_payload_type() -> int:
        if not free_payload_types:
            raise MediasoupError("cannot allocate more dynamic codec payload types")
        return free_payload_types.pop(0)

    codecs: list[RtpCodecCapability] = []

    for media_codec in media_codecs:
        validate_rtp_codec_capability(media_codec)

        matched = next((c for c in supported["codecs"] if _match_codecs(media_codec, c)), None)
        if matched is None:
            raise UnsupportedError(
                f"media codec not supported [mimeType:{media_codec['mimeType']}]"
            )
        codec = copy.deepcopy(matched)

        wanted = media_codec.get("preferredPayloadType")
        if _is_number(wanted):
            codec["preferredPayloadType"] = cast(int, wanted)
            if wanted in free_payload_types:
                free_payload_types.remove(wanted)
        elif not _is_number(codec.get("preferredPayloadType")):
            codec["preferredPayloadType"] = take_payload_type()

        if any(c["preferredPayloadType"] == codec["preferredPayloadType"] for c in codecs):
            raise TypeError(
                "duplicated codec.preferredPayloadType "
                f"{codec['preferredPayloadType']} [mimeType:{codec['mimeType']}]"
            )

        codec["parameters"] = {**codec["parameters"], **media_codec["parameters"]}
        codecs.append(codec)

        if codec["kind"] == "video":
            codecs.append(
                {
                    "kind": "video",
                    "mimeType": "video/rtx",
                    "preferredPayloadType": take_payload_type(),
                    "clockRate": codec["clockRate"],
                    "parameters": {"apt": codec["preferredPayloadType"]},
                    "rtcpFeedback": [],
                }
            )

    return {"codecs": codecs, "headerExtensions": supported["headerExtensions"]}


# --- producer side -------------------------------------------------------------


def get_producer_rtp_parameters_mapping(params: RtpParameters, caps: RtpCapabilities) -> RtpMapping:
    """Map a Producer's payload types and encodings onto the Router's.

    ``params`` must be validated. Each media codec is matched strictly against
    ``caps`` (its H264 profile-level-id may be rewritten to the answer's); each RTX
    codec must point at a media codec of ``params`` whose Router codec has RTX.
    Encodings get consecutive mapped SSRCs from a random base.
    """
    cap_codecs = caps.get("codecs") or []
    pairs: list[tuple[Any, Any]] = []  # (producer codec, router codec), media first

    for codec in params["codecs"]:
        if _is_rtx(codec):
            continue
        matched = next(
            (c for c in cap_codecs if _match_codecs(codec, c, strict=True, modify=True)), None
        )
        if matched is None:
            raise UnsupportedError(
                f"unsupported codec [mimeType:{codec['mimeType']}, "
                f"payloadType:{codec['payloadType']}]"
            )
        pairs.append((codec, matched))

    for codec in params["codecs"]:
        if not _is_rtx(codec):
            continue
        apt = _parameters(codec).get("apt")
        associated = next((c for c in params["codecs"] if c["payloadType"] == apt), None)
        if associated is None:
            raise TypeError(f"missing media codec found for RTX PT {codec['payloadType']}")
        cap_media = next((cap for c, cap in pairs if c is associated), None)
        if cap_media is None:
            raise TypeError(
                f"RTX PT {codec['payloadType']} is associated with an RTX codec (apt {apt})"
            )
        cap_rtx = next(
            (
                c
                for c in cap_codecs
                if _is_rtx(c) and _parameters(c).get("apt") == cap_media["preferredPayloadType"]
            ),
            None,
        )
        if cap_rtx is None:
            raise UnsupportedError(
                f"no RTX codec for capability codec PT {cap_media['preferredPayloadType']}"
            )
        pairs.append((codec, cap_rtx))

    mapping: RtpMapping = {
        "codecs": [
            {"payloadType": c["payloadType"], "mappedPayloadType": cap["preferredPayloadType"]}
            for c, cap in pairs
        ],
        "encodings": [],
    }

    base_ssrc = _random_ssrc()
    for index, encoding in enumerate(params.get("encodings") or []):
        mapped: dict[str, Any] = {"mappedSsrc": base_ssrc + index}
        for key in ("rid", "ssrc", "scalabilityMode"):
            if encoding.get(key):
                mapped[key] = encoding[key]
        mapping["encodings"].append(mapped)  # type: ignore[arg-type]

    return mapping


def get_consumable_rtp_parameters(
    kind: str, params: RtpParameters, caps: RtpCapabilities, rtp_mapping: RtpMapping
) -> RtpParameters:
    """The Producer's parameters as the Router offers them to Consumers.

    Codecs take the Router's payload types, clock rates and RTCP feedback (with the
    Producer's codec parameters), each followed by the Router's RTX codec if it has
    one; header extensions are the Router's that can be sent for ``kind``; encodings
    take the mapped SSRCs and lose ``rid``, ``rtx`` and ``codecPayloadType``.
    """
    cap_codecs = caps.get("codecs") or []
    codecs: list[RtpCodecParameters] = []

    for codec in params["codecs"]:
        if _is_rtx(codec):
            continue
        mapped_pt = next(
            (
                m["mappedPayloadType"]
                for m in rtp_mapping["codecs"]
                if m["payloadType"] == codec["payloadType"]
            ),
            None,
        )
        cap = next((c for c in cap_codecs if c.get("preferredPayloadType") == mapped_pt), None)
        if cap is None:
            raise TypeError(f"no mapped router codec for codec PT {codec['payloadType']}")

        consumable: dict[str, Any] = {
            "mimeType": cap["mimeType"],
            "payloadType": cap["preferredPayloadType"],
            "clockRate": cap["clockRate"],
        }
        if "channels" in cap:
            consumable["channels"] = cap["channels"]
        consumable["parameters"] = copy.deepcopy(_parameters(codec))
        consumable["rtcpFeedback"] = copy.deepcopy(cap.get("rtcpFeedback", []))
        codecs.append(consumable)  # type: ignore[arg-type]

        cap_rtx = next(
            (
                c
                for c in cap_codecs
                if _is_rtx(c) and _parameters(c).get("apt") == consumable["payloadType"]
            ),
            None,
        )
        if cap_rtx is not None:
            codecs.append(
                {
                    "mimeType": cap_rtx["mimeType"],
                    "payloadType": cap_rtx["preferredPayloadType"],
                    "clockRate": cap_rtx["clockRate"],
                    "parameters": copy.deepcopy(_parameters(cap_rtx)),
                    "rtcpFeedback": copy.deepcopy(cap_rtx.get("rtcpFeedback", [])),
                }
            )

    header_extensions: list[RtpHeaderExtensionParameters] = [
        {
            "uri": ext["uri"],
            "id": ext["preferredId"],
            "encrypt": ext.get("preferredEncrypt", False),
            "parameters": {},
        }
        for ext in caps.get("headerExtensions") or []
        if ext.get("kind") == kind and ext.get("direction") in ("sendrecv", "sendonly")
    ]

    encodings = copy.deepcopy(params.get("encodings") or [])
    for encoding, mapped in zip(encodings, rtp_mapping["encodings"], strict=False):
        for key in ("rid", "rtx", "codecPayloadType"):
            encoding.pop(key, None)  # type: ignore[misc]
        encoding["ssrc"] = mapped["mappedSsrc"]

    rtcp: RtcpParameters = {}
    cname = (params.get("rtcp") or {}).get("cname")
    if cname is not None:
        rtcp["cname"] = cname
    rtcp["reducedSize"] = True
    rtcp["mux"] = True

    return {
        "codecs": codecs,
        "headerExtensions": header_extensions,
        "encodings": encodings,
        "rtcp": rtcp,
    }


# --- consumer side -------------------------------------------------------------


def can_consume(consumable_params: RtpParameters, caps: RtpCapabilities) -> bool:
    """Whether an endpoint with ``caps`` can receive the consumable parameters.

    ``caps`` is validated in place (``TypeError`` if invalid); the first codec they
    share must be a media codec.
    """
    validate_rtp_capabilities(caps)
    matching = [
        codec
        for codec in consumable_params["codecs"]
        if any(_match_codecs(cap, codec, strict=True) for cap in caps["codecs"])
    ]
    return bool(matching) and not _is_rtx(matching[0])


def _keep_feedback_for_bwe(
    codecs: list[RtpCodecParameters], extensions: list[RtpHeaderExtensionParameters]
) -> None:
    """Keep one bandwidth estimation feedback: transport-cc, else REMB, else none."""
    uris = {ext["uri"] for ext in extensions}
    if _TRANSPORT_WIDE_CC_URI in uris:
        dropped: tuple[str, ...] = ("goog-remb",)
    elif _ABS_SEND_TIME_URI in uris:
        dropped = ("transport-cc",)
    else:
        dropped = ("transport-cc", "goog-remb")
    for codec in codecs:
        codec["rtcpFeedback"] = [
            fb for fb in codec.get("rtcpFeedback", []) if fb["type"] not in dropped
        ]


def _pipe_encodings(
    consumable_params: RtpParameters, with_rtx: bool
) -> list[RtpEncodingParameters]:
    """The consumable encodings with fresh consecutive SSRCs (and RTX SSRCs)."""
    encodings = copy.deepcopy(consumable_params.get("encodings") or [])
    base_ssrc = _random_ssrc()
    base_rtx_ssrc = _random_ssrc()
    for index, encoding in enumerate(encodings):
        encoding["ssrc"] = base_ssrc + index
        if with_rtx:
            encoding["rtx"] = {"ssrc": base_rtx_ssrc + index}
        else:
            encoding.pop("rtx", None)
    return encodings


def get_consumer_rtp_parameters(
    consumable_params: RtpParameters, caps: RtpCapabilities, pipe: bool = False
) -> RtpParameters:
    """RTP parameters of a Consumer for an endpoint with capabilities ``caps``.

    Codecs are the consumable ones that ``caps`` support (strict match), with the
    endpoint's RTCP feedback; RTX codecs without their media codec are dropped and
    ``UnsupportedError`` is raised when no media codec is left. Header extensions are
    those ``caps`` have with the same id, and one kind of BWE feedback is kept.
    Unless ``pipe``, the encodings collapse into one with a random SSRC (RTX SSRC +1
    if RTX is kept), the highest ``maxBitrate`` and, for simulcast, a
    ``S{streams}T{temporal layers}`` scalability mode.
    """
    cap_codecs = caps.get("codecs") or []
    for cap in cap_codecs:
        validate_rtp_codec_capability(cap)

    codecs: list[RtpCodecParameters] = []
    for codec in copy.deepcopy(consumable_params["codecs"]):
        matched = next((c for c in cap_codecs if _match_codecs(c, codec, strict=True)), None)
        if matched is None:
            continue
        codec["rtcpFeedback"] = copy.deepcopy(matched["rtcpFeedback"])
        codecs.append(codec)

    media_pts = {c["payloadType"] for c in codecs if not _is_rtx(c)}
    codecs = [c for c in codecs if not _is_rtx(c) or _parameters(c).get("apt") in media_pts]
    rtx_supported = any(_is_rtx(c) for c in codecs)

    if not codecs or _is_rtx(codecs[0]):
        raise UnsupportedError("no compatible media codecs")

    cap_exts = caps.get("headerExtensions") or []
    header_extensions = [
        copy.deepcopy(ext)
        for ext in consumable_params.get("headerExtensions") or []
        if any(c.get("preferredId") == ext["id"] and c.get("uri") == ext["uri"] for c in cap_exts)
    ]
    _keep_feedback_for_bwe(codecs, header_extensions)

    consumable_encodings = consumable_params.get("encodings") or []
    if pipe:
        encodings = _pipe_encodings(consumable_params, rtx_supported)
    else:
        ssrc = _random_ssrc()
        encoding: RtpEncodingParameters = {"ssrc": ssrc}
        if rtx_supported:
            encoding["rtx"] = {"ssrc": ssrc + 1}

        mode = next(
            (e["scalabilityMode"] for e in consumable_encodings if e.get("scalabilityMode")),
            None,
        )
        if len(consumable_encodings) > 1:
            temporal_layers = parse_scalability_mode(mode)["temporalLayers"]
            mode = f"S{len(consumable_encodings)}T{temporal_layers}"
        if mode:
            encoding["scalabilityMode"] = mode

        max_bitrate = max([0, *(e.get("maxBitrate") or 0 for e in consumable_encodings)])
        if max_bitrate:
            encoding["maxBitrate"] = max_bitrate
        encodings = [encoding]

    return {
        "codecs": codecs,
        "headerExtensions": header_extensions,
        "encodings": encodings,
        "rtcp": copy.deepcopy(consumable_params.get("rtcp", {})),
    }


def get_pipe_consumer_rtp_parameters(
    consumable_params: RtpParameters, enable_rtx: bool = False
) -> RtpParameters:
    """RTP parameters of a pipe Consumer (towards another Router).

    All encodings are kept with fresh SSRCs. BWE is removed: RTCP feedback is reduced
    to PLI and FIR (plus NACK when ``enable_rtx``) and the MID, abs-send-time and
    transport-wide-cc extensions are dropped. Without ``enable_rtx`` RTX codecs are
    dropped too.
    """
    codecs: list[RtpCodecParameters] = []
    for codec in copy.deepcopy(consumable_params["codecs"]):
        if not enable_rtx and _is_rtx(codec):
            continue
        codec["rtcpFeedback"] = [
            fb
            for fb in codec.get("rtcpFeedback", [])
            if (fb["type"], fb.get("parameter")) in (("nack", "pli"), ("ccm", "fir"))
            or (enable_rtx and fb["type"] == "nack" and not fb.get("parameter"))
        ]
        codecs.append(codec)

    dropped_uris = (_MID_URI, _ABS_SEND_TIME_URI, _TRANSPORT_WIDE_CC_URI)
    header_extensions = [
        copy.deepcopy(ext)
        for ext in consumable_params.get("headerExtensions") or []
        if ext["uri"] not in dropped_uris
    ]

    return {
        "codecs": codecs,
        "headerExtensions": header_extensions,
        "encodings": _pipe_encodings(consumable_params, enable_rtx),
        "rtcp": copy.deepcopy(consumable_params.get("rtcp", {})),
    }
