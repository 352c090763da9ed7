"""Row-driven tests of pymediasoup.ortc (mediasoup's ortc.ts)."""

import ast
import copy
import itertools
import pathlib
import re

import pytest

from pymediasoup import ortc
from pymediasoup.errors import MediasoupError, UnsupportedError
from pymediasoup.supported_rtp_capabilities import SUPPORTED_RTP_CAPABILITIES

MID = "urn:ietf:params:rtp-hdrext:sdes:mid"
RID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
RRID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
TCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
FRAMEMARKING_07 = "http://tools.ietf.org/html/draft-ietf-avtext-framemarking-07"
FRAMEMARKING = "urn:ietf:params:rtp-hdrext:framemarking"
AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
ORIENTATION = "urn:3gpp:video-orientation"
TOFFSET = "urn:ietf:params:rtp-hdrext:toffset"

OPUS = {"kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2}
PCMU = {"kind": "audio", "mimeType": "audio/PCMU", "clockRate": 8000}
VP8 = {"kind": "video", "mimeType": "video/VP8", "clockRate": 90000}
VP9 = {"kind": "video", "mimeType": "video/VP9", "clockRate": 90000}
H264 = {
    "kind": "video",
    "mimeType": "video/H264",
    "clockRate": 90000,
    "parameters": {
        "packetization-mode": 1,
        "profile-level-id": "42e01f",
        "level-asymmetry-allowed": 1,
    },
}

FULL_VIDEO_FEEDBACK = [
    {"type": "nack", "parameter": ""},
    {"type": "nack", "parameter": "pli"},
    {"type": "ccm", "parameter": "fir"},
    {"type": "goog-remb", "parameter": ""},
    {"type": "transport-cc", "parameter": ""},
]

SSRC_BASE = 500_000_000
SSRC_STEP = 1000


@pytest.fixture
def ssrcs(monkeypatch):
    """Make the "random" SSRCs predictable: SSRC_BASE, then + SSRC_STEP each call."""
    counter = itertools.count(SSRC_BASE, SSRC_STEP)
    monkeypatch.setattr(ortc, "_random_ssrc", lambda: next(counter))


def with_(base, **changes):
    item = copy.deepcopy(base)
    item.update(changes)
    return item


def router_caps(*media_codecs):
    return ortc.generate_router_rtp_capabilities(copy.deepcopy(list(media_codecs)))


# --- validation: accepted input and the defaults filled in ---------------------

VALID_ROWS = [
    # (function, given, expected after in-place normalisation)
    (ortc.validate_rtp_capabilities, {}, {"codecs": [], "headerExtensions": []}),
    (
        ortc.validate_rtp_capabilities,
        {"codecs": None, "headerExtensions": 0, "fecMechanisms": []},
        {"codecs": [], "headerExtensions": [], "fecMechanisms": []},
    ),
    (
        ortc.validate_rtp_capabilities,
        {"codecs": [{"mimeType": "video/VP8", "clockRate": 90000}]},
        {
            "codecs": [
                {
                    "mimeType": "video/VP8",
                    "clockRate": 90000,
                    "kind": "video",
                    "parameters": {},
                    "rtcpFeedback": [],
                }
            ],
            "headerExtensions": [],
        },
    ),
    (
        ortc.validate_rtp_codec_capability,
        {"mimeType": "audio/PCMU", "clockRate": 8000},
        {
            "mimeType": "audio/PCMU",
            "clockRate": 8000,
            "kind": "audio",
            "channels": 1,
            "parameters": {},
            "rtcpFeedback": [],
        },
    ),
    (  # kind always comes from the MIME type, case-insensitively
        ortc.validate_rtp_codec_capability,
        {"kind": "video", "mimeType": "AUDIO/opus", "clockRate": 48000, "channels": 2},
        {
            "kind": "audio",
            "mimeType": "AUDIO/opus",
            "clockRate": 48000,
            "channels": 2,
            "parameters": {},
            "rtcpFeedback": [],
        },
    ),
    (  # video has no channels
        ortc.validate_rtp_codec_capability,
        {"mimeType": "video/VP8", "clockRate": 90000, "channels": 2, "preferredPayloadType": 0},
        {
            "mimeType": "video/VP8",
            "clockRate": 90000,
            "preferredPayloadType": 0,
            "kind": "video",
            "parameters": {},
            "rtcpFeedback": [],
        },
    ),
    (  # a None parameter value becomes '' (mediasoup: undefined); non-dict parameters reset
        ortc.validate_rtp_codec_capability,
        {
            "mimeType": "video/rtx",
            "clockRate": 90000,
            "parameters": {"apt": 96, "foo": None, "bar": 1.5},
            "rtcpFeedback": [{"type": "nack"}, {"type": "nack", "parameter": "pli"}],
        },
        {
            "mimeType": "video/rtx",
            "clockRate": 90000,
            "kind": "video",
            "parameters": {"apt": 96, "foo": "", "bar": 1.5},
            "rtcpFeedback": [
                {"type": "nack", "parameter": ""},
                {"type": "nack", "parameter": "pli"},
            ],
        },
    ),
    (
        ortc.validate_rtp_codec_capability,
        {"mimeType": "audio/opus", "clockRate": 48000, "parameters": "x", "rtcpFeedback": "y"},
        {
            "mimeType": "audio/opus",
            "clockRate": 48000,
            "kind": "audio",
            "channels": 1,
            "parameters": {},
            "rtcpFeedback": [],
        },
    ),
    (ortc.validate_rtcp_feedback, {"type": "nack"}, {"type": "nack", "parameter": ""}),
    (
        ortc.validate_rtcp_feedback,
        {"type": "nack", "parameter": 5},
        {"type": "nack", "parameter": ""},
    ),
    (
        ortc.validate_rtcp_feedback,
        {"type": "ccm", "parameter": "fir"},
        {"type": "ccm", "parameter": "fir"},
    ),
    (
        ortc.validate_rtp_header_extension,
        {"uri": "urn:x", "preferredId": 1},
        {
            "uri": "urn:x",
            "preferredId": 1,
            "kind": "",
            "preferredEncrypt": False,
            "direction": "sendrecv",
        },
    ),
    (
        ortc.validate_rtp_header_extension,
        {"kind": 5, "uri": "urn:x", "preferredId": 1, "preferredEncrypt": 0, "direction": ""},
        {
            "kind": "",
            "uri": "urn:x",
            "preferredId": 1,
            "preferredEncrypt": False,
            "direction": "sendrecv",
        },
    ),
    (
        ortc.validate_rtp_header_extension,
        {
            "kind": "video",
            "uri": "urn:x",
            "preferredId": 2,
            "preferredEncrypt": True,
            "direction": "recvonly",
        },
        {
            "kind": "video",
            "uri": "urn:x",
            "preferredId": 2,
            "preferredEncrypt": True,
            "direction": "recvonly",
        },
    ),
    (
        ortc.validate_rtp_parameters,
        {"codecs": []},
        {"codecs": [], "headerExtensions": [], "encodings": [], "rtcp": {"reducedSize": True}},
    ),
    (
        ortc.validate_rtp_parameters,
        {
            "mid": "0",
            "codecs": [{"mimeType": "video/VP8", "payloadType": 96, "clockRate": 90000}],
            "headerExtensions": [{"uri": MID, "id": 1}],
            "encodings": [{"ssrc": 1111}],
            "rtcp": {"cname": "abc", "mux": True},
        },
        {
            "mid": "0",
            "codecs": [
                {
                    "mimeType": "video/VP8",
                    "payloadType": 96,
                    "clockRate": 90000,
                    "parameters": {},
                    "rtcpFeedback": [],
                }
            ],
            "headerExtensions": [{"uri": MID, "id": 1, "encrypt": False, "parameters": {}}],
            "encodings": [{"ssrc": 1111, "dtx": False}],
            "rtcp": {"cname": "abc", "mux": True, "reducedSize": True},
        },
    ),
    (  # codec parameters get no kind, audio gets channels
        ortc.validate_rtp_codec_parameters,
        {"mimeType": "audio/opus", "payloadType": 111, "clockRate": 48000},
        {
            "mimeType": "audio/opus",
            "payloadType": 111,
            "clockRate": 48000,
            "channels": 1,
            "parameters": {},
            "rtcpFeedback": [],
        },
    ),
    (
        ortc.validate_rtp_header_extension_parameters,
        {"uri": "urn:x", "id": 3},
        {"uri": "urn:x", "id": 3, "encrypt": False, "parameters": {}},
    ),
    (
        ortc.validate_rtp_header_extension_parameters,
        {"uri": "urn:x", "id": 3, "encrypt": True, "parameters": {"a": None, "b": 2}},
        {"uri": "urn:x", "id": 3, "encrypt": True, "parameters": {"a": "", "b": 2}},
    ),
    (ortc.validate_rtp_encoding_parameters, {}, {"dtx": False}),
    (ortc.validate_rtp_encoding_parameters, {"dtx": "yes"}, {"dtx": False}),
    (  # JavaScript-falsy optional values are "not given"
        ortc.validate_rtp_encoding_parameters,
        {"ssrc": 0, "rid": "", "rtx": None, "scalabilityMode": ""},
        {"ssrc": 0, "rid": "", "rtx": None, "scalabilityMode": "", "dtx": False},
    ),
    (
        ortc.validate_rtp_encoding_parameters,
        {
            "ssrc": 1,
            "rid": "h",
            "rtx": {"ssrc": 2},
            "dtx": True,
            "scalabilityMode": "L1T3",
            "maxBitrate": 5,
        },
        {
            "ssrc": 1,
            "rid": "h",
            "rtx": {"ssrc": 2},
            "dtx": True,
            "scalabilityMode": "L1T3",
            "maxBitrate": 5,
        },
    ),
    (ortc.validate_rtcp_parameters, {}, {"reducedSize": True}),
    (
        ortc.validate_rtcp_parameters,
        {"cname": "x", "mux": False},
        {"cname": "x", "mux": False, "reducedSize": True},
    ),
    # mediasoup turns an explicit reducedSize false into true as well
    (ortc.validate_rtcp_parameters, {"reducedSize": False}, {"reducedSize": True}),
    (ortc.validate_rtcp_parameters, {"reducedSize": "no"}, {"reducedSize": True}),
    (
        ortc.validate_sctp_capabilities,
        {"numStreams": {"OS": 1, "MIS": 2}},
        {"numStreams": {"OS": 1, "MIS": 2}},
    ),
    (ortc.validate_num_sctp_streams, {"OS": 1024, "MIS": 1024}, {"OS": 1024, "MIS": 1024}),
    (
        ortc.validate_sctp_parameters,
        {"port": 5000, "OS": 1, "MIS": 2, "maxMessageSize": 262144},
        {"port": 5000, "OS": 1, "MIS": 2, "maxMessageSize": 262144},
    ),
    (ortc.validate_sctp_stream_parameters, {"streamId": 1}, {"streamId": 1, "ordered": True}),
    (
        ortc.validate_sctp_stream_parameters,
        {"streamId": 1, "ordered": False},
        {"streamId": 1, "ordered": False},
    ),
    (
        ortc.validate_sctp_stream_parameters,
        {"streamId": 1, "maxPacketLifeTime": 100},
        {"streamId": 1, "maxPacketLifeTime": 100, "ordered": False},
    ),
    (
        ortc.validate_sctp_stream_parameters,
        {"streamId": 1, "maxRetransmits": 3},
        {"streamId": 1, "maxRetransmits": 3, "ordered": False},
    ),
    (
        ortc.validate_sctp_stream_parameters,
        {"streamId": 1, "ordered": False, "maxRetransmits": 3},
        {"streamId": 1, "ordered": False, "maxRetransmits": 3},
    ),
    (  # a zero limit counts as "not given"
        ortc.validate_sctp_stream_parameters,
        {"streamId": 1, "ordered": True, "maxRetransmits": 0},
        {"streamId": 1, "ordered": True, "maxRetransmits": 0},
    ),
    (
        ortc.validate_sctp_stream_parameters,
        {"streamId": 1, "ordered": "yes"},
        {"streamId": 1, "ordered": True},
    ),
]


@pytest.mark.parametrize(("validate", "given", "expected"), VALID_ROWS)
def test_validation_normalises_in_place(validate, given, expected):
    obj = copy.deepcopy(given)
    assert validate(obj) is None
    assert obj == expected


def test_validation_keeps_the_caller_objects():
    codec = {"mimeType": "video/VP8", "clockRate": 90000, "parameters": {"a": 1}}
    caps = {"codecs": [codec]}
    params = codec["parameters"]
    ortc.validate_rtp_capabilities(caps)
    assert caps["codecs"][0] is codec and codec["parameters"] is params
    assert codec["kind"] == "video"


# --- validation: rejected input --------------------------------------------------

ERROR_ROWS = [
    # (function, given, text the TypeError message must contain)
    (ortc.validate_rtp_capabilities, "caps", "caps"),
    (ortc.validate_rtp_capabilities, {"codecs": "x"}, "caps.codecs"),
    (ortc.validate_rtp_capabilities, {"codecs": {}}, "caps.codecs"),
    (ortc.validate_rtp_capabilities, {"headerExtensions": 5}, "caps.headerExtensions"),
    (ortc.validate_rtp_capabilities, {"codecs": [{"clockRate": 1}]}, "codec.mimeType"),
    (ortc.validate_rtp_capabilities, {"headerExtensions": [{"preferredId": 1}]}, "ext.uri"),
    (ortc.validate_rtp_codec_capability, [], "codec"),
    (ortc.validate_rtp_codec_capability, {"clockRate": 90000}, "codec.mimeType"),
    (ortc.validate_rtp_codec_capability, {"mimeType": "", "clockRate": 90000}, "codec.mimeType"),
    (ortc.validate_rtp_codec_capability, {"mimeType": 5, "clockRate": 90000}, "codec.mimeType"),
    (ortc.validate_rtp_codec_capability, {"mimeType": "VP8", "clockRate": 90000}, "codec.mimeType"),
    (
        ortc.validate_rtp_codec_capability,
        {"mimeType": "text/plain", "clockRate": 1},
        "codec.mimeType",
    ),
    (ortc.validate_rtp_codec_capability, {"mimeType": "video/", "clockRate": 1}, "codec.mimeType"),
    (
        ortc.validate_rtp_codec_capability,
        {"mimeType": "video/VP8", "clockRate": 90000, "preferredPayloadType": "96"},
        "codec.preferredPayloadType",
    ),
    (ortc.validate_rtp_codec_capability, {"mimeType": "video/VP8"}, "codec.clockRate"),
    (
        ortc.validate_rtp_codec_capability,
        {"mimeType": "video/VP8", "clockRate": "9"},
        "codec.clockRate",
    ),
    (
        ortc.validate_rtp_codec_capability,
        {"mimeType": "video/VP8", "clockRate": True},
        "codec.clockRate",
    ),
    (
        ortc.validate_rtp_codec_capability,
        {"mimeType": "video/VP8", "clockRate": 90000, "parameters": {"foo": [1]}},
        "foo",
    ),
    (
        ortc.validate_rtp_codec_capability,
        {"mimeType": "video/VP8", "clockRate": 90000, "parameters": {"foo": True}},
        "foo",
    ),
    (
        ortc.validate_rtp_codec_capability,
        {"mimeType": "video/rtx", "clockRate": 90000, "parameters": {"apt": "96"}},
        "apt",
    ),
    (
        ortc.validate_rtp_codec_capability,
        {"mimeType": "video/VP8", "clockRate": 90000, "rtcpFeedback": [{"parameter": "pli"}]},
        "fb.type",
    ),
    (ortc.validate_rtcp_feedback, "nack", "fb"),
    (ortc.validate_rtcp_feedback, {}, "fb.type"),
    (ortc.validate_rtcp_feedback, {"type": ""}, "fb.type"),
    (ortc.validate_rtcp_feedback, {"type": 1}, "fb.type"),
    (ortc.validate_rtp_header_extension, None, "ext"),
    (
        ortc.validate_rtp_header_extension,
        {"kind": "data", "uri": "u", "preferredId": 1},
        "ext.kind",
    ),
    (ortc.validate_rtp_header_extension, {"preferredId": 1}, "ext.uri"),
    (ortc.validate_rtp_header_extension, {"uri": 1, "preferredId": 1}, "ext.uri"),
    (ortc.validate_rtp_header_extension, {"uri": "u"}, "ext.preferredId"),
    (ortc.validate_rtp_header_extension, {"uri": "u", "preferredId": "1"}, "ext.preferredId"),
    (
        ortc.validate_rtp_header_extension,
        {"uri": "u", "preferredId": 1, "preferredEncrypt": "yes"},
        "ext.preferredEncrypt",
    ),
    (
        ortc.validate_rtp_header_extension,
        {"uri": "u", "preferredId": 1, "direction": 1},
        "ext.direction",
    ),
    (ortc.validate_rtp_parameters, "params", "params"),
    (ortc.validate_rtp_parameters, {"mid": 1, "codecs": []}, "params.mid"),
    (ortc.validate_rtp_parameters, {}, "params.codecs"),
    (ortc.validate_rtp_parameters, {"codecs": {}}, "params.codecs"),
    (
        ortc.validate_rtp_parameters,
        {"codecs": [], "headerExtensions": {}},
        "params.headerExtensions",
    ),
    (ortc.validate_rtp_parameters, {"codecs": [], "encodings": "x"}, "params.encodings"),
    (ortc.validate_rtp_parameters, {"codecs": [], "rtcp": "x"}, "params.rtcp"),
    (ortc.validate_rtp_parameters, {"codecs": [], "rtcp": {"cname": 5}}, "rtcp.cname"),
    (ortc.validate_rtp_parameters, {"codecs": [{"mimeType": "video/VP8"}]}, "codec.payloadType"),
    (ortc.validate_rtp_parameters, {"codecs": [], "headerExtensions": [{"uri": "u"}]}, "ext.id"),
    (ortc.validate_rtp_parameters, {"codecs": [], "encodings": [{"ssrc": "1"}]}, "encoding.ssrc"),
    (ortc.validate_rtp_codec_parameters, 1, "codec"),
    (ortc.validate_rtp_codec_parameters, {"payloadType": 96, "clockRate": 1}, "codec.mimeType"),
    (
        ortc.validate_rtp_codec_parameters,
        {"mimeType": "x/y", "payloadType": 96, "clockRate": 1},
        "codec.mimeType",
    ),
    (
        ortc.validate_rtp_codec_parameters,
        {"mimeType": "video/VP8", "clockRate": 1},
        "codec.payloadType",
    ),
    (
        ortc.validate_rtp_codec_parameters,
        {"mimeType": "video/VP8", "payloadType": 96},
        "codec.clockRate",
    ),
    (
        ortc.validate_rtp_codec_parameters,
        {"mimeType": "video/rtx", "payloadType": 97, "clockRate": 1, "parameters": {"apt": None}},
        "apt",
    ),
    (
        ortc.validate_rtp_codec_parameters,
        {"mimeType": "video/VP8", "payloadType": 96, "clockRate": 1, "parameters": {"x": {}}},
        "x",
    ),
    (
        ortc.validate_rtp_codec_parameters,
        {"mimeType": "video/VP8", "payloadType": 96, "clockRate": 1, "rtcpFeedback": [5]},
        "fb",
    ),
    (ortc.validate_rtp_header_extension_parameters, "x", "ext"),
    (ortc.validate_rtp_header_extension_parameters, {"id": 1}, "ext.uri"),
    (ortc.validate_rtp_header_extension_parameters, {"uri": "u"}, "ext.id"),
    (ortc.validate_rtp_header_extension_parameters, {"uri": "u", "id": "1"}, "ext.id"),
    (
        ortc.validate_rtp_header_extension_parameters,
        {"uri": "u", "id": 1, "encrypt": 1},
        "ext.encrypt",
    ),
    (
        ortc.validate_rtp_header_extension_parameters,
        {"uri": "u", "id": 1, "parameters": {"k": [1]}},
        "header extension parameter [key:k",
    ),
    (ortc.validate_rtp_encoding_parameters, "x", "encoding"),
    (ortc.validate_rtp_encoding_parameters, {"ssrc": "1"}, "encoding.ssrc"),
    (ortc.validate_rtp_encoding_parameters, {"rid": 1}, "encoding.rid"),
    (ortc.validate_rtp_encoding_parameters, {"rtx": 5}, "encoding.rtx"),
    (ortc.validate_rtp_encoding_parameters, {"rtx": {}}, "encoding.rtx.ssrc"),
    (ortc.validate_rtp_encoding_parameters, {"rtx": {"ssrc": "2"}}, "encoding.rtx.ssrc"),
    (ortc.validate_rtp_encoding_parameters, {"scalabilityMode": 3}, "encoding.scalabilityMode"),
    (ortc.validate_rtcp_parameters, [], "rtcp"),
    (ortc.validate_rtcp_parameters, {"cname": 1}, "rtcp.cname"),
    (ortc.validate_sctp_capabilities, 1, "caps"),
    (ortc.validate_sctp_capabilities, {}, "caps.numStreams"),
    (ortc.validate_sctp_capabilities, {"numStreams": 5}, "caps.numStreams"),
    (ortc.validate_sctp_capabilities, {"numStreams": {"MIS": 1}}, "numStreams.OS"),
    (ortc.validate_num_sctp_streams, None, "numStreams"),
    (ortc.validate_num_sctp_streams, {"MIS": 1}, "numStreams.OS"),
    (ortc.validate_num_sctp_streams, {"OS": 1}, "numStreams.MIS"),
    (ortc.validate_num_sctp_streams, {"OS": "1", "MIS": 1}, "numStreams.OS"),
    (ortc.validate_sctp_parameters, None, "params"),
    (ortc.validate_sctp_parameters, {"OS": 1, "MIS": 1, "maxMessageSize": 1}, "params.port"),
    (ortc.validate_sctp_parameters, {"port": 1, "MIS": 1, "maxMessageSize": 1}, "params.OS"),
    (ortc.validate_sctp_parameters, {"port": 1, "OS": 1, "maxMessageSize": 1}, "params.MIS"),
    (ortc.validate_sctp_parameters, {"port": 1, "OS": 1, "MIS": 1}, "params.maxMessageSize"),
    (ortc.validate_sctp_stream_parameters, "x", "params"),
    (ortc.validate_sctp_stream_parameters, {}, "params.streamId"),
    (ortc.validate_sctp_stream_parameters, {"streamId": "1"}, "params.streamId"),
    (
        ortc.validate_sctp_stream_parameters,
        {"streamId": 1, "maxPacketLifeTime": "1"},
        "params.maxPacketLifeTime",
    ),
    (
        ortc.validate_sctp_stream_parameters,
        {"streamId": 1, "maxRetransmits": "1"},
        "params.maxRetransmits",
    ),
    (
        ortc.validate_sctp_stream_parameters,
        {"streamId": 1, "maxPacketLifeTime": 10, "maxRetransmits": 3},
        "params.maxPacketLifeTime and params.maxRetransmits",
    ),
    (
        ortc.validate_sctp_stream_parameters,
        {"streamId": 1, "ordered": True, "maxRetransmits": 3},
        "params.ordered",
    ),
    (
        ortc.validate_sctp_stream_parameters,
        {"streamId": 1, "ordered": True, "maxPacketLifeTime": 3},
        "params.ordered",
    ),
]


@pytest.mark.parametrize(("validate", "given", "field"), ERROR_ROWS)
def test_validation_errors(validate, given, field):
    with pytest.raises(TypeError, match=re.escape(field)):
        validate(copy.deepcopy(given))


# --- router capabilities -----------------------------------------------------------


def pt_summary(caps):
    return [
        (c["mimeType"], c["preferredPayloadType"], c["parameters"].get("apt"))
        for c in caps["codecs"]
    ]


@pytest.mark.parametrize(
    ("media_codecs", "expected"),
    [
        ([], []),
        ([OPUS], [("audio/opus", 100, None)]),
        ([PCMU, OPUS], [("audio/PCMU", 0, None), ("audio/opus", 100, None)]),
        ([VP8], [("video/VP8", 100, None), ("video/rtx", 101, 100)]),
        (
            [OPUS, VP8, H264],
            [
                ("audio/opus", 100, None),
                ("video/VP8", 101, None),
                ("video/rtx", 102, 101),
                ("video/H264", 103, None),
                ("video/rtx", 104, 103),
            ],
        ),
        (  # a preferred dynamic PT leaves the pool
            [with_(VP8, preferredPayloadType=100), OPUS],
            [("video/VP8", 100, None), ("video/rtx", 101, 100), ("audio/opus", 102, None)],
        ),
        (
            [with_(VP8, preferredPayloadType=96), VP9],
            [
                ("video/VP8", 96, None),
                ("video/rtx", 100, 96),
                ("video/VP9", 101, None),
                ("video/rtx", 102, 101),
            ],
        ),
        (  # a PT outside the dynamic list is kept and takes nothing from the pool
            [with_(OPUS, preferredPayloadType=50), VP8],
            [("audio/opus", 50, None), ("video/VP8", 100, None), ("video/rtx", 101, 100)],
        ),
        (  # the caller's PT wins over a static one
            [with_(PCMU, preferredPayloadType=120)],
            [("audio/PCMU", 120, None)],
        ),
        (
            [
                {"mimeType": "audio/PCMA", "clockRate": 8000},
                {"mimeType": "audio/G722", "clockRate": 8000},
                {"mimeType": "audio/CN", "clockRate": 16000},
                {"mimeType": "audio/telephone-event", "clockRate": 48000},
            ],
            [
                ("audio/PCMA", 8, None),
                ("audio/G722", 9, None),
                ("audio/CN", 13, None),
                ("audio/telephone-event", 100, None),
            ],
        ),
        (  # the MIME type of the supported codec is used
            [{"mimeType": "VIDEO/vp8", "clockRate": 90000}],
            [("video/VP8", 100, None), ("video/rtx", 101, 100)],
        ),
        (  # the last four dynamic PTs are 96..99
            [OPUS] * 30,
            [("audio/opus", pt, None) for pt in [*range(100, 128), 96, 97]],
        ),
    ],
)
def test_router_payload_types(media_codecs, expected):
    assert pt_summary(router_caps(*media_codecs)) == expected


def test_router_capabilities_full_shape():
    caps = router_caps(with_(OPUS, parameters={"useinbandfec": 1, "foo": "bar"}), VP8)
    assert caps["codecs"] == [
        {
            "kind": "audio",
            "mimeType": "audio/opus",
            "clockRate": 48000,
            "channels": 2,
            "rtcpFeedback": [{"type": "transport-cc", "parameter": ""}],
            "parameters": {"useinbandfec": 1, "foo": "bar"},
            "preferredPayloadType": 100,
        },
        {
            "kind": "video",
            "mimeType": "video/VP8",
            "clockRate": 90000,
            "rtcpFeedback": FULL_VIDEO_FEEDBACK,
            "parameters": {},
            "preferredPayloadType": 101,
        },
        {
            "kind": "video",
            "mimeType": "video/rtx",
            "preferredPayloadType": 102,
            "clockRate": 90000,
            "parameters": {"apt": 101},
            "rtcpFeedback": [],
        },
    ]


@pytest.mark.parametrize(
    ("media_codec", "expected_parameters"),
    [
        (VP8, {}),
        (  # supported parameters first, then the caller's (which win)
            H264,
            {"packetization-mode": 1, "level-asymmetry-allowed": 1, "profile-level-id": "42e01f"},
        ),
        (
            {"mimeType": "video/H264", "clockRate": 90000, "parameters": {"foo": "bar"}},
            {"packetization-mode": 0, "level-asymmetry-allowed": 1, "foo": "bar"},
        ),
        (
            {
                "mimeType": "video/H264",
                "clockRate": 90000,
                "parameters": {"packetization-mode": 1, "level-asymmetry-allowed": 0},
            },
            {"packetization-mode": 1, "level-asymmetry-allowed": 0},
        ),
        (with_(VP9, parameters={"profile-id": 2}), {"profile-id": 2}),
        (
            {"mimeType": "video/H265", "clockRate": 90000, "parameters": {"packetization-mode": 1}},
            {"packetization-mode": 1, "level-asymmetry-allowed": 1},
        ),
    ],
)
def test_router_codec_parameters_are_merged(media_codec, expected_parameters):
    assert router_caps(media_codec)["codecs"][0]["parameters"] == expected_parameters


def test_router_rtcp_feedback_comes_from_supported_codec():
    caps = router_caps(with_(VP8, rtcpFeedback=[{"type": "foo"}]))
    assert caps["codecs"][0]["rtcpFeedback"] == FULL_VIDEO_FEEDBACK


def test_router_header_extensions_are_all_supported_ones_normalised():
    caps = router_caps(OPUS)
    assert caps["headerExtensions"] == SUPPORTED_RTP_CAPABILITIES["headerExtensions"]
    assert caps["headerExtensions"] is not SUPPORTED_RTP_CAPABILITIES["headerExtensions"]


def test_router_leaves_supported_capabilities_untouched():
    before = copy.deepcopy(SUPPORTED_RTP_CAPABILITIES)
    caps = router_caps(OPUS, VP8, H264)
    caps["codecs"][0]["parameters"]["x"] = 1
    caps["headerExtensions"][0]["preferredId"] = 99
    assert before == SUPPORTED_RTP_CAPABILITIES


def test_router_validates_media_codecs_in_place():
    media_codecs = [{"mimeType": "audio/PCMU", "clockRate": 8000}]
    ortc.generate_router_rtp_capabilities(media_codecs)
    assert media_codecs[0] == {
        "mimeType": "audio/PCMU",
        "clockRate": 8000,
        "kind": "audio",
        "channels": 1,
        "parameters": {},
        "rtcpFeedback": [],
    }


def test_router_default_is_no_codecs():
    caps = ortc.generate_router_rtp_capabilities()
    assert caps["codecs"] == [] and len(caps["headerExtensions"]) == 13


@pytest.mark.parametrize(
    "media_codec",
    [
        {"mimeType": "audio/chicken", "clockRate": 8000, "channels": 4},
        {"mimeType": "audio/opus", "clockRate": 48000, "channels": 1},
        {"mimeType": "audio/opus", "clockRate": 48000},  # channels defaults to 1
        {"mimeType": "audio/opus", "clockRate": 44100, "channels": 2},
        {"mimeType": "audio/PCMU", "clockRate": 8000, "channels": 2},
        {"mimeType": "video/VP8", "clockRate": 48000},
        {"mimeType": "video/rtx", "clockRate": 90000},
        {"mimeType": "video/AV1", "clockRate": 90000},
        {"mimeType": "video/H264", "clockRate": 90000, "parameters": {"packetization-mode": 5}},
        # a string is not the number 1 (mediasoup compares strictly)
        {"mimeType": "video/H264", "clockRate": 90000, "parameters": {"packetization-mode": "1"}},
    ],
)
def test_router_unsupported_codec(media_codec):
    with pytest.raises(UnsupportedError, match=re.escape(media_codec["mimeType"])):
        ortc.generate_router_rtp_capabilities([media_codec])


@pytest.mark.parametrize(
    "media_codecs",
    [
        [with_(OPUS, preferredPayloadType=100), with_(VP8, preferredPayloadType=100)],
        [OPUS, with_(VP8, preferredPayloadType=100)],  # opus already took 100
        [VP8, with_(OPUS, preferredPayloadType=101)],  # VP8's RTX took 101
        [{"mimeType": "audio/CN", "clockRate": 32000}, {"mimeType": "audio/CN", "clockRate": 8000}],
        [PCMU, with_(OPUS, preferredPayloadType=0)],
        [with_(OPUS, preferredPayloadType=13), {"mimeType": "audio/CN", "clockRate": 8000}],
    ],
)
def test_router_duplicated_payload_type(media_codecs):
    with pytest.raises(TypeError, match="preferredPayloadType"):
        router_caps(*media_codecs)


@pytest.mark.parametrize(
    ("media_codecs", "fits"),
    [
        ([OPUS] * 32, True),
        ([OPUS] * 33, False),
        ([VP8] * 16, True),
        ([VP8] * 17, False),  # the last video codec gets a PT but its RTX does not
        ([OPUS] * 31 + [VP8], False),
        (  # static PTs do not use the pool
            [PCMU, {"mimeType": "audio/PCMA", "clockRate": 8000}] + [OPUS] * 32,
            True,
        ),
        ([with_(OPUS, preferredPayloadType=100 + i) for i in range(28)] + [OPUS] * 4, True),
        ([with_(OPUS, preferredPayloadType=100 + i) for i in range(28)] + [OPUS] * 5, False),
        ([OPUS] * 100, False),
    ],
)
def test_router_runs_out_of_dynamic_payload_types(media_codecs, fits):
    if fits:
        router_caps(*media_codecs)
    else:
        with pytest.raises(MediasoupError, match="cannot allocate"):
            router_caps(*media_codecs)


@pytest.mark.parametrize("media_codecs", ["opus", {"codecs": []}, (OPUS,)])
def test_router_media_codecs_must_be_a_list(media_codecs):
    with pytest.raises(TypeError, match="media_codecs"):
        ortc.generate_router_rtp_capabilities(media_codecs)


def test_router_invalid_media_codec():
    with pytest.raises(TypeError, match="codec.clockRate"):
        ortc.generate_router_rtp_capabilities([{"mimeType": "audio/opus"}])


def test_dynamic_payload_types_order():
    assert list(ortc.DYNAMIC_PAYLOAD_TYPES) == [*range(100, 128), 96, 97, 98, 99]


# --- producer mapping ----------------------------------------------------------------

# Router: opus 100, VP8 101 (+rtx 102), H264 pm1 42e01f 103 (+rtx 104)
ROUTER_MEDIA_CODECS = [OPUS, VP8, H264]


@pytest.fixture
def caps():
    return router_caps(*ROUTER_MEDIA_CODECS)


def rtx(pt, apt):
    return {
        "mimeType": "video/rtx",
        "payloadType": pt,
        "clockRate": 90000,
        "parameters": {"apt": apt},
    }


def producer_codec(mime_type, pt, clock_rate=90000, **extra):
    return {"mimeType": mime_type, "payloadType": pt, "clockRate": clock_rate, **extra}


def h264_codec(pt, **parameters):
    return producer_codec("video/H264", pt, parameters=parameters)


P_OPUS = producer_codec("audio/opus", 111, 48000, channels=2)
P_VP8 = producer_codec("video/VP8", 96)
P_H264 = h264_codec(125, **{"packetization-mode": 1, "profile-level-id": "42e01f"})


def producer_params(codecs, encodings=({"ssrc": 1111},), header_extensions=(), cname="cname1"):
    params = {
        "mid": "0",
        "codecs": copy.deepcopy(list(codecs)),
        "headerExtensions": copy.deepcopy(list(header_extensions)),
        "encodings": copy.deepcopy(list(encodings)),
        "rtcp": {"cname": cname} if cname is not None else {},
    }
    ortc.validate_rtp_parameters(params)
    return params


@pytest.mark.parametrize(
    ("codecs", "expected"),
    [
        ([P_OPUS], [(111, 100)]),
        ([P_VP8], [(96, 101)]),
        ([P_VP8, rtx(97, 96)], [(96, 101), (97, 102)]),
        ([rtx(97, 96), P_VP8], [(96, 101), (97, 102)]),  # media codecs come first
        ([P_H264, rtx(126, 125)], [(125, 103), (126, 104)]),
        (
            [P_VP8, rtx(97, 96), P_H264, rtx(126, 125)],
            [(96, 101), (125, 103), (97, 102), (126, 104)],
        ),
        ([producer_codec("VIDEO/vp8", 96)], [(96, 101)]),
    ],
)
def test_producer_codec_mapping(caps, codecs, expected):
    mapping = ortc.get_producer_rtp_parameters_mapping(producer_params(codecs), caps)
    assert [(m["payloadType"], m["mappedPayloadType"]) for m in mapping["codecs"]] == expected


B = SSRC_BASE


@pytest.mark.parametrize(
    ("encodings", "expected"),
    [
        ([{"ssrc": 1111}], [{"mappedSsrc": B, "ssrc": 1111}]),
        (  # simulcast with RIDs
            [{"rid": "r0"}, {"rid": "r1"}, {"rid": "r2"}],
            [
                {"mappedSsrc": B, "rid": "r0"},
                {"mappedSsrc": B + 1, "rid": "r1"},
                {"mappedSsrc": B + 2, "rid": "r2"},
            ],
        ),
        (  # simulcast with SSRCs and temporal layers
            [
                {"ssrc": 1111, "rtx": {"ssrc": 1112}, "scalabilityMode": "L1T3"},
                {"ssrc": 2222, "rtx": {"ssrc": 2223}, "scalabilityMode": "L1T3"},
            ],
            [
                {"mappedSsrc": B, "ssrc": 1111, "scalabilityMode": "L1T3"},
                {"mappedSsrc": B + 1, "ssrc": 2222, "scalabilityMode": "L1T3"},
            ],
        ),
        (  # SVC
            [{"ssrc": 1111, "scalabilityMode": "L3T3_KEY", "maxBitrate": 900000}],
            [{"mappedSsrc": B, "ssrc": 1111, "scalabilityMode": "L3T3_KEY"}],
        ),
        (
            [{"rid": "h", "ssrc": 5, "dtx": True, "codecPayloadType": 96}],
            [{"mappedSsrc": B, "rid": "h", "ssrc": 5}],
        ),
        ([], []),
    ],
)
def test_producer_encoding_mapping(caps, ssrcs, encodings, expected):
    params = producer_params([P_VP8, rtx(97, 96)], encodings)
    assert ortc.get_producer_rtp_parameters_mapping(params, caps)["encodings"] == expected


def test_producer_mapped_ssrc_is_random_in_mediasoup_range(caps):
    params = producer_params([P_VP8], [{"rid": "a"}, {"rid": "b"}])
    first, second = ortc.get_producer_rtp_parameters_mapping(params, caps)["encodings"]
    assert 100_000_000 <= first["mappedSsrc"] <= 999_999_999
    assert second["mappedSsrc"] == first["mappedSsrc"] + 1


@pytest.mark.parametrize(
    ("codecs", "error", "text"),
    [
        ([producer_codec("video/VP9", 98)], UnsupportedError, "video/VP9"),
        (
            [producer_codec("audio/opus", 111, 48000)],
            UnsupportedError,
            "payloadType:111",
        ),  # 1 channel
        ([producer_codec("audio/PCMA", 8, 8000)], UnsupportedError, "audio/PCMA"),
        ([producer_codec("video/VP8", 96, 48000)], UnsupportedError, "video/VP8"),
        ([h264_codec(125, **{"packetization-mode": 0})], UnsupportedError, "video/H264"),
        (
            [h264_codec(125, **{"packetization-mode": 1, "profile-level-id": "640032"})],
            UnsupportedError,
            "video/H264",
        ),
        (
            [h264_codec(125, **{"packetization-mode": 1, "profile-level-id": "nope"})],
            UnsupportedError,
            "video/H264",
        ),
        ([P_VP8, rtx(97, 95)], TypeError, "RTX PT 97"),
        ([P_VP8, rtx(97, 98), rtx(98, 96)], TypeError, "RTX PT 97"),
        (
            [P_OPUS, producer_codec("audio/rtx", 112, 48000, parameters={"apt": 111})],
            UnsupportedError,
            "100",
        ),
    ],
)
def test_producer_mapping_errors(caps, codecs, error, text):
    with pytest.raises(error, match=re.escape(text)):
        ortc.get_producer_rtp_parameters_mapping(producer_params(codecs), caps)


# H264 profile matching: the producer's profile-level-id is rewritten to the answer.
@pytest.mark.parametrize(
    ("router_parameters", "producer_parameters", "expected"),
    [
        # (router H264 parameters, producer H264 parameters, producer profile-level-id after
        #  mapping: a string, None = removed, or UnsupportedError)
        (
            {"profile-level-id": "42e01f", "level-asymmetry-allowed": 1},
            {"profile-level-id": "42e01f"},
            "42e01f",
        ),
        (
            {"profile-level-id": "42e01f", "level-asymmetry-allowed": 1},
            {"profile-level-id": "42E01F"},
            "42e01f",
        ),
        # lower level, no asymmetry: the lower one
        (
            {"profile-level-id": "42e01f", "level-asymmetry-allowed": 1},
            {"profile-level-id": "42e00b"},
            "42e00b",
        ),
        (
            {"profile-level-id": "42e01f", "level-asymmetry-allowed": 1},
            {"profile-level-id": "42e034"},
            "42e01f",
        ),
        # asymmetry on both sides: the producer keeps its level
        (
            {"profile-level-id": "42e01f", "level-asymmetry-allowed": 1},
            {"profile-level-id": "42e034", "level-asymmetry-allowed": 1},
            "42e034",
        ),
        (
            {"profile-level-id": "42e01f", "level-asymmetry-allowed": 1},
            {"profile-level-id": "42e034", "level-asymmetry-allowed": "1"},
            "42e034",
        ),
        (
            {"profile-level-id": "42e01f", "level-asymmetry-allowed": 0},
            {"profile-level-id": "42e034", "level-asymmetry-allowed": 1},
            "42e01f",
        ),
        # other spellings of Constrained Baseline match
        ({"profile-level-id": "42e01f"}, {"profile-level-id": "4de01f"}, "42e01f"),
        ({"profile-level-id": "42e01f"}, {"profile-level-id": "58f01f"}, "42e01f"),
        # a missing profile-level-id is Constrained Baseline 3.1
        ({"profile-level-id": "42e01f"}, {}, "42e01f"),
        ({}, {"profile-level-id": "42e01f"}, "42e01f"),
        ({}, {"profile-level-id": "42e00b"}, "42e00b"),
        ({}, {}, None),
        # other profiles
        ({"profile-level-id": "4d0032"}, {"profile-level-id": "4d001f"}, "4d001f"),
        ({"profile-level-id": "640032"}, {"profile-level-id": "640034"}, "640032"),
        ({"profile-level-id": "640c1f"}, {"profile-level-id": "640c1f"}, "640c1f"),
        ({"profile-level-id": "42001f"}, {"profile-level-id": "42a01f"}, "42001f"),
        # different profiles or garbage: no match
        ({"profile-level-id": "42e01f"}, {"profile-level-id": "42001f"}, UnsupportedError),
        ({"profile-level-id": "42e01f"}, {"profile-level-id": "4d001f"}, UnsupportedError),
        ({"profile-level-id": "640032"}, {"profile-level-id": "640c1f"}, UnsupportedError),
        ({"profile-level-id": "4d0032"}, {}, UnsupportedError),
        ({"profile-level-id": "42e01f"}, {"profile-level-id": "42e0ff"}, UnsupportedError),
    ],
)
def test_h264_profile_matching(router_parameters, producer_parameters, expected):
    caps = router_caps(
        {
            "mimeType": "video/H264",
            "clockRate": 90000,
            "parameters": {"packetization-mode": 1, **router_parameters},
        }
    )
    params = producer_params([h264_codec(125, **{"packetization-mode": 1, **producer_parameters})])
    if expected is UnsupportedError:
        with pytest.raises(UnsupportedError, match="video/H264"):
            ortc.get_producer_rtp_parameters_mapping(params, caps)
        return
    mapping = ortc.get_producer_rtp_parameters_mapping(params, caps)
    assert mapping["codecs"] == [{"payloadType": 125, "mappedPayloadType": 100}]
    assert params["codecs"][0]["parameters"].get("profile-level-id") == expected


@pytest.mark.parametrize(
    ("router_packetization_modes", "producer_mode", "mapped"),
    [
        ([1], 1, 100),
        ([0], None, 100),  # absent means 0
        ([0], 0, 100),
        ([0, 1], 1, 102),
        ([1, 0], 0, 102),
        ([1], 0, None),
        ([0], 1, None),
        ([1], "1", None),
    ],
)
def test_h264_packetization_mode_matching(router_packetization_modes, producer_mode, mapped):
    caps = router_caps(
        *(
            {
                "mimeType": "video/H264",
                "clockRate": 90000,
                "parameters": {"packetization-mode": mode},
            }
            for mode in router_packetization_modes
        )
    )
    parameters = {} if producer_mode is None else {"packetization-mode": producer_mode}
    params = producer_params([h264_codec(125, **parameters)])
    if mapped is None:
        with pytest.raises(UnsupportedError):
            ortc.get_producer_rtp_parameters_mapping(params, caps)
    else:
        mapping = ortc.get_producer_rtp_parameters_mapping(params, caps)
        assert mapping["codecs"][0]["mappedPayloadType"] == mapped


@pytest.mark.parametrize(
    ("router_profile", "producer_profile", "matches"),
    [
        (None, None, True),
        (None, 0, True),
        (0, None, True),
        (2, 2, True),
        (2, None, False),
        (None, 2, False),
        (0, 2, False),
        (None, "0", False),  # mediasoup compares strictly: '0' is not 0
        ("2", "2", True),
    ],
)
def test_vp9_profile_id_matching(router_profile, producer_profile, matches):
    def vp9(profile, **extra):
        parameters = {} if profile is None else {"profile-id": profile}
        return {"mimeType": "video/VP9", "clockRate": 90000, "parameters": parameters, **extra}

    caps = router_caps(vp9(router_profile))
    params = producer_params([vp9(producer_profile, payloadType=98)])
    if matches:
        mapping = ortc.get_producer_rtp_parameters_mapping(params, caps)
        assert mapping["codecs"] == [{"payloadType": 98, "mappedPayloadType": 100}]
    else:
        with pytest.raises(UnsupportedError, match="video/VP9"):
            ortc.get_producer_rtp_parameters_mapping(params, caps)


# --- consumable parameters ------------------------------------------------------------


def consumable(caps, kind, params):
    mapping = ortc.get_producer_rtp_parameters_mapping(params, caps)
    return ortc.get_consumable_rtp_parameters(kind, params, caps, mapping)


def test_consumable_parameters_for_simulcast_video(caps, ssrcs):
    params = producer_params(
        [with_(P_VP8, parameters={"foo": 1}, rtcpFeedback=[{"type": "nack"}]), rtx(97, 96)],
        [
            {"rid": "r0", "rtx": {"ssrc": 9}, "maxBitrate": 100000, "scalabilityMode": "L1T3"},
            {"rid": "r1", "maxBitrate": 300000, "scalabilityMode": "L1T3", "codecPayloadType": 96},
            {"rid": "r2", "maxBitrate": 900000, "scalabilityMode": "L1T3", "dtx": True},
        ],
        header_extensions=[{"uri": MID, "id": 9}, {"uri": RID, "id": 10}],
    )
    assert consumable(caps, "video", params) == {
        "codecs": [
            {
                "mimeType": "video/VP8",
                "payloadType": 101,
                "clockRate": 90000,
                "parameters": {"foo": 1},  # the producer's parameters
                "rtcpFeedback": FULL_VIDEO_FEEDBACK,  # the router's feedback
            },
            {
                "mimeType": "video/rtx",
                "payloadType": 102,
                "clockRate": 90000,
                "parameters": {"apt": 101},
                "rtcpFeedback": [],
            },
        ],
        "headerExtensions": [
            {"uri": uri, "id": ext_id, "encrypt": False, "parameters": {}}
            for uri, ext_id in [
                (MID, 1),
                (ABS_SEND_TIME, 4),
                (TCC, 5),
                (FRAMEMARKING_07, 6),
                (FRAMEMARKING, 7),
                (ORIENTATION, 11),
                (TOFFSET, 12),
            ]
        ],
        "encodings": [
            {"maxBitrate": 100000, "scalabilityMode": "L1T3", "dtx": False, "ssrc": B},
            {"maxBitrate": 300000, "scalabilityMode": "L1T3", "dtx": False, "ssrc": B + 1},
            {"maxBitrate": 900000, "scalabilityMode": "L1T3", "dtx": True, "ssrc": B + 2},
        ],
        "rtcp": {"cname": "cname1", "reducedSize": True, "mux": True},
    }


@pytest.mark.parametrize(
    ("kind", "uris"),
    [
        ("audio", [MID, ABS_SEND_TIME, AUDIO_LEVEL]),  # transport-cc is recvonly for audio
        ("video", [MID, ABS_SEND_TIME, TCC, FRAMEMARKING_07, FRAMEMARKING, ORIENTATION, TOFFSET]),
    ],
)
def test_consumable_header_extensions_by_kind(caps, kind, uris):
    codec = P_OPUS if kind == "audio" else P_VP8
    assert [
        e["uri"] for e in consumable(caps, kind, producer_params([codec]))["headerExtensions"]
    ] == uris


@pytest.mark.parametrize(
    ("codecs", "expected"),
    [
        ([P_OPUS], [("audio/opus", 100, 2)]),
        ([P_VP8], [("video/VP8", 101, None), ("video/rtx", 102, None)]),  # RTX even if not sent
        ([P_VP8, rtx(97, 96)], [("video/VP8", 101, None), ("video/rtx", 102, None)]),
        ([P_H264], [("video/H264", 103, None), ("video/rtx", 104, None)]),
    ],
)
def test_consumable_codecs(caps, codecs, expected):
    kind = codecs[0]["mimeType"].split("/")[0]
    result = consumable(caps, kind, producer_params(codecs))["codecs"]
    assert [(c["mimeType"], c["payloadType"], c.get("channels")) for c in result] == expected


@pytest.mark.parametrize(
    ("cname", "expected"),
    [
        ("abc", {"cname": "abc", "reducedSize": True, "mux": True}),
        (None, {"reducedSize": True, "mux": True}),
    ],
)
def test_consumable_rtcp(caps, cname, expected):
    assert consumable(caps, "audio", producer_params([P_OPUS], cname=cname))["rtcp"] == expected


def test_consumable_does_not_share_objects_with_inputs(caps):
    params = producer_params(
        [with_(P_VP8, parameters={"foo": 1})], [{"rid": "a", "rtx": {"ssrc": 1}}]
    )
    before_params, before_caps = copy.deepcopy(params), copy.deepcopy(caps)
    result = consumable(caps, "video", params)
    result["codecs"][0]["parameters"]["foo"] = 2
    result["codecs"][0]["rtcpFeedback"].clear()
    result["codecs"][1]["parameters"]["apt"] = 0
    assert params == before_params and caps == before_caps


# --- can_consume ------------------------------------------------------------------------


def remote_caps(caps, keep_mime_types, **changes):
    remote = copy.deepcopy(caps)
    remote["codecs"] = [c for c in remote["codecs"] if c["mimeType"] in keep_mime_types]
    for codec in remote["codecs"]:
        codec.update(copy.deepcopy(changes.get(codec["mimeType"], {})))
    return remote


@pytest.mark.parametrize(
    ("keep", "changes", "expected"),
    [
        ({"audio/opus", "video/VP8", "video/rtx", "video/H264"}, {}, True),
        ({"video/VP8"}, {}, True),
        ({"video/VP8", "video/rtx"}, {}, True),
        ({"video/rtx"}, {}, False),  # RTX alone is not enough
        ({"audio/opus"}, {}, False),
        (set(), {}, False),
        ({"video/VP8"}, {"video/VP8": {"clockRate": 48000}}, False),
        ({"video/VP8"}, {"video/VP8": {"mimeType": "video/vp8", "preferredPayloadType": 33}}, True),
    ],
)
def test_can_consume(caps, keep, changes, expected):
    consumable_params = consumable(caps, "video", producer_params([P_VP8, rtx(97, 96)]))
    assert ortc.can_consume(consumable_params, remote_caps(caps, keep, **changes)) is expected


@pytest.mark.parametrize(
    ("remote_parameters", "expected"),
    [
        ({"packetization-mode": 1, "profile-level-id": "42e01f"}, True),
        ({"packetization-mode": 1, "profile-level-id": "42e034"}, True),  # levels can differ
        ({"packetization-mode": 1}, True),
        ({"packetization-mode": 0, "profile-level-id": "42e01f"}, False),
        ({"packetization-mode": 1, "profile-level-id": "640c1f"}, False),
        ({"packetization-mode": 1, "profile-level-id": "xyz"}, False),
    ],
)
def test_can_consume_h264(caps, remote_parameters, expected):
    consumable_params = consumable(caps, "video", producer_params([P_H264]))
    remote = {"codecs": [with_(H264, parameters=remote_parameters)]}
    assert ortc.can_consume(consumable_params, remote) is expected


def test_can_consume_validates_capabilities_in_place(caps):
    consumable_params = consumable(caps, "audio", producer_params([P_OPUS]))
    remote = {"codecs": [{"mimeType": "audio/opus", "clockRate": 48000, "channels": 2}]}
    assert ortc.can_consume(consumable_params, remote) is True
    assert remote["headerExtensions"] == [] and remote["codecs"][0]["kind"] == "audio"


@pytest.mark.parametrize(
    ("remote", "field"),
    [
        ("x", "caps"),
        ({"codecs": "x"}, "caps.codecs"),
        ({"codecs": [{"mimeType": "x"}]}, "codec.mimeType"),
    ],
)
def test_can_consume_invalid_capabilities(caps, remote, field):
    consumable_params = consumable(caps, "audio", producer_params([P_OPUS]))
    with pytest.raises(TypeError, match=re.escape(field)):
        ortc.can_consume(consumable_params, remote)


# --- consumer parameters ----------------------------------------------------------------

VIDEO_CONSUMABLE_ENCODINGS = [{"rid": "r0"}, {"rid": "r1"}, {"rid": "r2"}]


@pytest.fixture
def video_consumable(caps):
    params = producer_params(
        [P_VP8, rtx(97, 96)],
        [{"rid": "r0", "maxBitrate": 100000}, {"rid": "r1", "maxBitrate": 500000}],
        header_extensions=[{"uri": MID, "id": 1}],
    )
    return consumable(caps, "video", params)


@pytest.mark.parametrize(
    ("keep", "codecs", "encoding_rtx"),
    [
        ({"video/VP8", "video/rtx"}, [("video/VP8", 101), ("video/rtx", 102)], {"ssrc": B + 1}),
        ({"video/VP8"}, [("video/VP8", 101)], None),
        # an RTX codec whose media codec is gone is dropped
        (
            {"video/H264", "video/rtx", "video/VP8"},
            [("video/VP8", 101), ("video/rtx", 102)],
            {"ssrc": B + 1},
        ),
    ],
)
def test_consumer_rtx_kept_or_dropped(caps, video_consumable, ssrcs, keep, codecs, encoding_rtx):
    result = ortc.get_consumer_rtp_parameters(video_consumable, remote_caps(caps, keep))
    assert [(c["mimeType"], c["payloadType"]) for c in result["codecs"]] == codecs
    assert result["encodings"][0].get("rtx") == encoding_rtx


def test_consumer_drops_rtx_of_unsupported_media_codec(ssrcs):
    caps = router_caps(VP8, VP9)
    params = producer_params(
        [P_VP8, rtx(97, 96), producer_codec("video/VP9", 98), rtx(99, 98)], [{"ssrc": 1}]
    )
    consumable_params = consumable(caps, "video", params)
    remote = remote_caps(caps, {"video/VP9", "video/rtx"})
    result = ortc.get_consumer_rtp_parameters(consumable_params, remote)
    assert [(c["mimeType"], c["payloadType"]) for c in result["codecs"]] == [
        ("video/VP9", 102),
        ("video/rtx", 103),
    ]


@pytest.mark.parametrize(
    "keep",
    [set(), {"video/rtx"}, {"audio/opus"}, {"video/H264", "video/rtx"}],
)
def test_consumer_without_compatible_codec(caps, video_consumable, keep):
    with pytest.raises(UnsupportedError, match="no compatible media codecs"):
        ortc.get_consumer_rtp_parameters(video_consumable, remote_caps(caps, keep))


def test_consumer_takes_rtcp_feedback_of_the_remote_codec(caps, video_consumable):
    remote = remote_caps(
        caps,
        {"video/VP8"},
        **{
            "video/VP8": {
                "rtcpFeedback": [
                    {"type": "nack", "parameter": ""},
                    {"type": "foo", "parameter": "FOO"},
                ]
            }
        },
    )
    result = ortc.get_consumer_rtp_parameters(video_consumable, remote)
    assert result["codecs"][0]["rtcpFeedback"] == [
        {"type": "nack", "parameter": ""},
        {"type": "foo", "parameter": "FOO"},
    ]


@pytest.mark.parametrize(
    ("remote_extensions", "expected"),
    [
        # (remote header extensions as (uri, preferredId), consumer ones as (uri, id))
        ([], []),
        (
            [(MID, 1), (ORIENTATION, 11), (TOFFSET, 12)],
            [(MID, 1), (ORIENTATION, 11), (TOFFSET, 12)],
        ),
        ([(MID, 2), (ORIENTATION, 11)], [(ORIENTATION, 11)]),  # the id must match too
        ([(TOFFSET, 12), (MID, 1)], [(MID, 1), (TOFFSET, 12)]),  # in consumable order
        ([(AUDIO_LEVEL, 10)], []),  # not in the consumable set
        ([("urn:unknown", 1)], []),
    ],
)
def test_consumer_header_extensions_reduced(caps, video_consumable, remote_extensions, expected):
    remote = remote_caps(caps, {"video/VP8"})
    remote["headerExtensions"] = [
        {
            "kind": "video",
            "uri": uri,
            "preferredId": ext_id,
            "preferredEncrypt": False,
            "direction": "sendrecv",
        }
        for uri, ext_id in remote_extensions
    ]
    result = ortc.get_consumer_rtp_parameters(video_consumable, remote)
    assert [(e["uri"], e["id"]) for e in result["headerExtensions"]] == expected
    assert all(e["encrypt"] is False and e["parameters"] == {} for e in result["headerExtensions"])


@pytest.mark.parametrize(
    ("remote_extensions", "feedback"),
    [
        # transport-cc available: REMB goes
        ([(TCC, 5), (ABS_SEND_TIME, 4)], ["nack", "nack pli", "ccm fir", "transport-cc"]),
        ([(TCC, 5)], ["nack", "nack pli", "ccm fir", "transport-cc"]),
        # abs-send-time only: transport-cc goes
        ([(ABS_SEND_TIME, 4)], ["nack", "nack pli", "ccm fir", "goog-remb"]),
        # neither: both go
        ([(MID, 1)], ["nack", "nack pli", "ccm fir"]),
        ([(TCC, 6)], ["nack", "nack pli", "ccm fir"]),  # wrong id: not negotiated
    ],
)
def test_consumer_bwe_feedback_reduced(caps, video_consumable, remote_extensions, feedback):
    remote = remote_caps(caps, {"video/VP8", "video/rtx"})
    remote["headerExtensions"] = [
        {"uri": uri, "preferredId": ext_id} for uri, ext_id in remote_extensions
    ]
    result = ortc.get_consumer_rtp_parameters(video_consumable, remote)
    media, rtx_codec = result["codecs"]
    assert [f"{fb['type']} {fb['parameter']}".strip() for fb in media["rtcpFeedback"]] == feedback
    assert rtx_codec["rtcpFeedback"] == []


@pytest.mark.parametrize(
    ("consumable_encodings", "expected"),
    [
        ([{"ssrc": 1}], {"ssrc": B, "rtx": {"ssrc": B + 1}}),
        (
            [{"ssrc": 1, "scalabilityMode": "L1T3"}],
            {"ssrc": B, "rtx": {"ssrc": B + 1}, "scalabilityMode": "L1T3"},
        ),
        (  # SVC: the producer's mode as is
            [{"ssrc": 1, "scalabilityMode": "L3T3_KEY", "maxBitrate": 1000}],
            {"ssrc": B, "rtx": {"ssrc": B + 1}, "scalabilityMode": "L3T3_KEY", "maxBitrate": 1000},
        ),
        (  # simulcast: S<streams>T<temporal layers>
            [{"ssrc": 1}, {"ssrc": 2}, {"ssrc": 3}],
            {"ssrc": B, "rtx": {"ssrc": B + 1}, "scalabilityMode": "S3T1"},
        ),
        (
            [{"ssrc": 1, "scalabilityMode": "L1T3"}, {"ssrc": 2, "scalabilityMode": "L1T3"}],
            {"ssrc": B, "rtx": {"ssrc": B + 1}, "scalabilityMode": "S2T3"},
        ),
        (  # the first encoding with a mode counts
            [
                {"ssrc": 1},
                {"ssrc": 2, "scalabilityMode": "L1T2"},
                {"ssrc": 3, "scalabilityMode": "L1T3"},
            ],
            {"ssrc": B, "rtx": {"ssrc": B + 1}, "scalabilityMode": "S3T2"},
        ),
        (  # highest maxBitrate
            [
                {"ssrc": 1, "maxBitrate": 100000},
                {"ssrc": 2, "maxBitrate": 900000},
                {"ssrc": 3, "maxBitrate": 300000},
            ],
            {"ssrc": B, "rtx": {"ssrc": B + 1}, "scalabilityMode": "S3T1", "maxBitrate": 900000},
        ),
        ([{"ssrc": 1, "maxBitrate": 0}], {"ssrc": B, "rtx": {"ssrc": B + 1}}),
        ([], {"ssrc": B, "rtx": {"ssrc": B + 1}}),
    ],
)
def test_consumer_encodings_collapse_to_one(
    caps, video_consumable, ssrcs, consumable_encodings, expected
):
    video_consumable["encodings"] = consumable_encodings
    result = ortc.get_consumer_rtp_parameters(video_consumable, caps)
    assert result["encodings"] == [expected]


@pytest.mark.parametrize(
    ("keep", "expected_encodings"),
    [
        (
            {"video/VP8", "video/rtx"},
            [
                {"maxBitrate": 100000, "dtx": False, "ssrc": B, "rtx": {"ssrc": B + SSRC_STEP}},
                {
                    "maxBitrate": 500000,
                    "dtx": False,
                    "ssrc": B + 1,
                    "rtx": {"ssrc": B + SSRC_STEP + 1},
                },
            ],
        ),
        (
            {"video/VP8"},
            [
                {"maxBitrate": 100000, "dtx": False, "ssrc": B},
                {"maxBitrate": 500000, "dtx": False, "ssrc": B + 1},
            ],
        ),
    ],
)
def test_consumer_for_pipe_keeps_all_encodings(
    caps, video_consumable, ssrcs, keep, expected_encodings
):
    result = ortc.get_consumer_rtp_parameters(video_consumable, remote_caps(caps, keep), pipe=True)
    assert result["encodings"] == expected_encodings


def test_consumer_parameters_full_shape(caps, video_consumable, ssrcs):
    assert ortc.get_consumer_rtp_parameters(video_consumable, caps) == {
        "codecs": [
            {
                "mimeType": "video/VP8",
                "payloadType": 101,
                "clockRate": 90000,
                "parameters": {},
                "rtcpFeedback": FULL_VIDEO_FEEDBACK[:3] + FULL_VIDEO_FEEDBACK[4:],
            },
            {
                "mimeType": "video/rtx",
                "payloadType": 102,
                "clockRate": 90000,
                "parameters": {"apt": 101},
                "rtcpFeedback": [],
            },
        ],
        "headerExtensions": [
            {"uri": uri, "id": ext_id, "encrypt": False, "parameters": {}}
            for uri, ext_id in [
                (MID, 1),
                (ABS_SEND_TIME, 4),
                (TCC, 5),
                (FRAMEMARKING_07, 6),
                (FRAMEMARKING, 7),
                (ORIENTATION, 11),
                (TOFFSET, 12),
            ]
        ],
        "encodings": [
            {"ssrc": B, "rtx": {"ssrc": B + 1}, "scalabilityMode": "S2T1", "maxBitrate": 500000}
        ],
        "rtcp": {"cname": "cname1", "reducedSize": True, "mux": True},
    }


def test_consumer_does_not_change_consumable_parameters(caps, video_consumable):
    before = copy.deepcopy(video_consumable)
    result = ortc.get_consumer_rtp_parameters(video_consumable, remote_caps(caps, {"video/VP8"}))
    result["rtcp"]["cname"] = "x"
    result["codecs"][0]["parameters"]["y"] = 1
    result["headerExtensions"][0]["id"] = 99
    assert video_consumable == before


def test_consumer_validates_remote_codecs(caps, video_consumable):
    with pytest.raises(TypeError, match="codec.clockRate"):
        ortc.get_consumer_rtp_parameters(video_consumable, {"codecs": [{"mimeType": "video/VP8"}]})


# --- pipe consumer parameters -----------------------------------------------------------


@pytest.mark.parametrize(
    ("enable_rtx", "codecs", "feedback", "encodings"),
    [
        (
            False,
            [("video/VP8", 101)],
            ["nack pli", "ccm fir"],
            [
                {"maxBitrate": 100000, "dtx": False, "ssrc": B},
                {"maxBitrate": 500000, "dtx": False, "ssrc": B + 1},
            ],
        ),
        (
            True,
            [("video/VP8", 101), ("video/rtx", 102)],
            ["nack", "nack pli", "ccm fir"],
            [
                {"maxBitrate": 100000, "dtx": False, "ssrc": B, "rtx": {"ssrc": B + SSRC_STEP}},
                {
                    "maxBitrate": 500000,
                    "dtx": False,
                    "ssrc": B + 1,
                    "rtx": {"ssrc": B + SSRC_STEP + 1},
                },
            ],
        ),
    ],
)
def test_pipe_consumer_parameters(video_consumable, ssrcs, enable_rtx, codecs, feedback, encodings):
    before = copy.deepcopy(video_consumable)
    result = ortc.get_pipe_consumer_rtp_parameters(video_consumable, enable_rtx)
    assert [(c["mimeType"], c["payloadType"]) for c in result["codecs"]] == codecs
    assert [
        f"{fb['type']} {fb['parameter']}".strip() for fb in result["codecs"][0]["rtcpFeedback"]
    ] == feedback
    assert result["encodings"] == encodings
    # BWE and MID extensions are gone
    assert [e["uri"] for e in result["headerExtensions"]] == [
        FRAMEMARKING_07,
        FRAMEMARKING,
        ORIENTATION,
        TOFFSET,
    ]
    assert result["rtcp"] == {"cname": "cname1", "reducedSize": True, "mux": True}
    assert video_consumable == before


def test_pipe_consumer_default_has_no_rtx(video_consumable):
    result = ortc.get_pipe_consumer_rtp_parameters(video_consumable)
    assert [c["mimeType"] for c in result["codecs"]] == ["video/VP8"]
    assert all("rtx" not in e for e in result["encodings"])


def test_pipe_consumer_drops_encoding_rtx_when_disabled(video_consumable):
    video_consumable["encodings"][0]["rtx"] = {"ssrc": 7}
    result = ortc.get_pipe_consumer_rtp_parameters(video_consumable, enable_rtx=False)
    assert all("rtx" not in e for e in result["encodings"])


@pytest.mark.parametrize(
    ("enable_rtx", "feedback"),
    [(False, []), (True, [])],
)
def test_pipe_consumer_audio(caps, enable_rtx, feedback):
    consumable_params = consumable(caps, "audio", producer_params([P_OPUS]))
    result = ortc.get_pipe_consumer_rtp_parameters(consumable_params, enable_rtx)
    assert [c["mimeType"] for c in result["codecs"]] == ["audio/opus"]
    assert result["codecs"][0]["rtcpFeedback"] == feedback
    assert [e["uri"] for e in result["headerExtensions"]] == [AUDIO_LEVEL]


# --- the module stays pure ---------------------------------------------------------------

PURE_MODULES = [
    "ortc",
    "supported_rtp_capabilities",
    "scalability_modes",
    "h264_profile_level_id",
    "types",
    "errors",
]
FORBIDDEN_IMPORTS = {"asyncio", "socket", "time", "os", "io", "subprocess", "threading", "logging"}


@pytest.mark.parametrize("module", PURE_MODULES)
def test_module_does_no_io(module):
    path = pathlib.Path(ortc.__file__).with_name(f"{module}.py")
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "open":
            pytest.fail(f"{module} calls open()")
    assert not imported & FORBIDDEN_IMPORTS
