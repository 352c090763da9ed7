"""Type declarations of mediasoup's data objects.

At run time these are plain ``dict``s and ``list``s with mediasoup's own camelCase
keys (exactly the JSON mediasoup-client sends and expects); the ``TypedDict``s here
only serve editors and type checkers. Keys marked ``NotRequired`` (or every key of a
``total=False`` declaration) may be absent. Codec and header extension
``parameters`` are open-ended maps (``'packetization-mode'``, ``'apt'``, ``'foo'``...),
so they are typed as ``dict[str, Any]``.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

__all__ = [
    "ConsumerLayers",
    "ConsumerScore",
    "ConsumerTraceEventData",
    "ConsumerTraceEventType",
    "ConsumerType",
    "DataConsumerType",
    "DataProducerType",
    "DtlsFingerprint",
    "DtlsParameters",
    "DtlsRole",
    "DtlsState",
    "IceCandidate",
    "IceParameters",
    "IceRole",
    "IceState",
    "MediaKind",
    "NumSctpStreams",
    "ProducerScore",
    "ProducerTraceEventData",
    "ProducerTraceEventType",
    "ProducerType",
    "ProducerVideoOrientation",
    "RtcpFeedback",
    "RtcpParameters",
    "RtpCapabilities",
    "RtpCodecCapability",
    "RtpCodecParameters",
    "RtpEncodingParameters",
    "RtpHeaderExtension",
    "RtpHeaderExtensionDirection",
    "RtpHeaderExtensionParameters",
    "RtpMapping",
    "RtpMappingCodec",
    "RtpMappingEncoding",
    "RtpParameters",
    "RtxParameters",
    "ScalabilityMode",
    "SctpCapabilities",
    "SctpParameters",
    "SctpState",
    "SctpStreamParameters",
    "SrtpCryptoSuite",
    "SrtpParameters",
    "TransportListenIp",
    "TransportProtocol",
    "TransportTraceEventData",
    "TransportTraceEventType",
    "TransportTuple",
    "WebRtcServerListenInfo",
    "WorkerLogLevel",
    "WorkerLogTag",
    "WorkerResourceUsage",
]

MediaKind = Literal["audio", "video"]

# --- RTP capabilities and parameters (RtpParameters.ts) ----------------------


class RtcpFeedback(TypedDict):
    type: str
    parameter: NotRequired[str]


class RtpCodecCapability(TypedDict):
    kind: MediaKind
    mimeType: str
    preferredPayloadType: NotRequired[int]
    clockRate: int
    channels: NotRequired[int]
    parameters: NotRequired[dict[str, Any]]
    rtcpFeedback: NotRequired[list[RtcpFeedback]]


RtpHeaderExtensionDirection = Literal["sendrecv", "sendonly", "recvonly", "inactive"]


class RtpHeaderExtension(TypedDict):
    kind: NotRequired[MediaKind | Literal[""]]
    uri: str
    preferredId: int
    preferredEncrypt: NotRequired[bool]
    direction: NotRequired[RtpHeaderExtensionDirection]


class RtpCapabilities(TypedDict, total=False):
    codecs: list[RtpCodecCapability]
    headerExtensions: list[RtpHeaderExtension]
    fecMechanisms: list[str]


class RtpCodecParameters(TypedDict):
    mimeType: str
    payloadType: int
    clockRate: int
    channels: NotRequired[int]
    parameters: NotRequired[dict[str, Any]]
    rtcpFeedback: NotRequired[list[RtcpFeedback]]


class RtpHeaderExtensionParameters(TypedDict):
    uri: str
    id: int
    encrypt: NotRequired[bool]
    parameters: NotRequired[dict[str, Any]]


class RtxParameters(TypedDict):
    ssrc: int


class RtpEncodingParameters(TypedDict, total=False):
    ssrc: int
    rid: str
    codecPayloadType: int
    rtx: RtxParameters
    dtx: bool
    scalabilityMode: str
    scaleResolutionDownBy: float
    maxBitrate: int


class RtcpParameters(TypedDict, total=False):
    cname: str
    reducedSize: bool
    mux: bool


class RtpParameters(TypedDict):
    mid: NotRequired[str]
    codecs: list[RtpCodecParameters]
    headerExtensions: NotRequired[list[RtpHeaderExtensionParameters]]
    encodings: NotRequired[list[RtpEncodingParameters]]
    rtcp: NotRequired[RtcpParameters]


class RtpMappingCodec(TypedDict):
    payloadType: int
    mappedPayloadType: int


class RtpMappingEncoding(TypedDict):
    ssrc: NotRequired[int]
    rid: NotRequired[str]
    scalabilityMode: NotRequired[str]
    mappedSsrc: int


class RtpMapping(TypedDict):
    """How a Producer's payload types and streams map onto the Router's."""

    codecs: list[RtpMappingCodec]
    encodings: list[RtpMappingEncoding]


class ScalabilityMode(TypedDict):
    spatialLayers: int
    temporalLayers: int
    ksvc: bool


# --- SCTP and SRTP -------------------------------------------------------------


class NumSctpStreams(TypedDict):
    OS: int
    MIS: int


class SctpCapabilities(TypedDict):
    numStreams: NumSctpStreams


class SctpParameters(TypedDict):
    port: int
    OS: int
    MIS: int
    maxMessageSize: int


class SctpStreamParameters(TypedDict):
    streamId: int
    ordered: NotRequired[bool]
    maxPacketLifeTime: NotRequired[int]
    maxRetransmits: NotRequired[int]


SctpState = Literal["new", "connecting", "connected", "failed", "closed"]

SrtpCryptoSuite = Literal["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"]


class SrtpParameters(TypedDict):
    cryptoSuite: SrtpCryptoSuite
    keyBase64: str


# --- Transports ----------------------------------------------------------------

TransportProtocol = Literal["udp", "tcp"]


class TransportListenIp(TypedDict):
    ip: str
    announcedIp: NotRequired[str | None]


class TransportTuple(TypedDict):
    localIp: str
    localPort: int
    remoteIp: NotRequired[str]
    remotePort: NotRequired[int]
    protocol: TransportProtocol


TransportTraceEventType = Literal["probation", "bwe"]


class TransportTraceEventData(TypedDict):
    type: TransportTraceEventType
    timestamp: int
    direction: Literal["in", "out"]
    info: Any


IceRole = Literal["controlled", "controlling"]
IceState = Literal["new", "connected", "completed", "disconnected", "closed"]


class IceParameters(TypedDict):
    usernameFragment: str
    password: str
    iceLite: NotRequired[bool]


class IceCandidate(TypedDict):
    foundation: str
    priority: int
    ip: str
    protocol: TransportProtocol
    port: int
    type: Literal["host"]
    tcpType: NotRequired[Literal["passive"]]


DtlsRole = Literal["auto", "client", "server"]
DtlsState = Literal["new", "connecting", "connected", "failed", "closed"]


class DtlsFingerprint(TypedDict):
    algorithm: str
    value: str


class DtlsParameters(TypedDict):
    role: NotRequired[DtlsRole]
    fingerprints: list[DtlsFingerprint]


class WebRtcServerListenInfo(TypedDict):
    """One listening socket of a WebRtcServer (mediasoup 3.10+ shape)."""

    protocol: TransportProtocol
    ip: str
    announcedIp: NotRequired[str]
    port: NotRequired[int]


# --- Producers, Consumers, data ------------------------------------------------

ProducerType = Literal["simple", "simulcast", "svc"]


class ProducerScore(TypedDict):
    ssrc: int
    rid: NotRequired[str]
    score: int


class ProducerVideoOrientation(TypedDict):
    camera: bool
    flip: bool
    rotation: int


ProducerTraceEventType = Literal["rtp", "keyframe", "nack", "pli", "fir"]


class ProducerTraceEventData(TypedDict):
    type: ProducerTraceEventType
    timestamp: int
    direction: Literal["in", "out"]
    info: Any


ConsumerType = Literal["simple", "simulcast", "svc", "pipe"]


class ConsumerLayers(TypedDict):
    spatialLayer: int
    temporalLayer: NotRequired[int]


class ConsumerScore(TypedDict):
    score: int
    producerScore: int
    producerScores: list[int]


ConsumerTraceEventType = Literal["rtp", "keyframe", "nack", "pli", "fir"]


class ConsumerTraceEventData(TypedDict):
    type: ConsumerTraceEventType
    timestamp: int
    direction: Literal["in", "out"]
    info: Any


DataProducerType = Literal["sctp", "direct"]
DataConsumerType = Literal["sctp", "direct"]

# --- Worker --------------------------------------------------------------------

WorkerLogLevel = Literal["debug", "warn", "error", "none"]
WorkerLogTag = Literal[
    "info", "ice", "dtls", "rtp", "srtp", "rtcp", "rtx", "bwe", "score",
    "simulcast", "svc", "sctp", "message",
]  # fmt: skip


class WorkerResourceUsage(TypedDict):
    """``getrusage()`` of the worker process, as mediasoup reports it."""

    ru_utime: int
    ru_stime: int
    ru_maxrss: int
    ru_ixrss: int
    ru_idrss: int
    ru_isrss: int
    ru_minflt: int
    ru_majflt: int
    ru_nswap: int
    ru_inblock: int
    ru_oublock: int
    ru_msgsnd: int
    ru_msgrcv: int
    ru_nsignals: int
    ru_nvcsw: int
    ru_nivcsw: int
