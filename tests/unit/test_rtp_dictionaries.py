"""RtpParameters as the worker validates and dumps them (mediasoup's RtpDictionaries)."""

import copy

import pytest

from pymediasoup_worker.errors import MediaSoupError, MediaSoupTypeError
from pymediasoup_worker.rtc.rtp_dictionaries import (
    RtpParameters,
    get_kind,
    get_rtp_parameters_type,
    parse_rtp_parameters,
    rtp_header_extension_ids,
)

OPUS = {"mimeType": "audio/opus", "payloadType": 111, "clockRate": 48000, "channels": 2}
VP8 = {"mimeType": "video/VP8", "payloadType": 96, "clockRate": 90000}
RTX = {"mimeType": "video/rtx", "payloadType": 97, "clockRate": 90000, "parameters": {"apt": 96}}


def params(**overrides):
    base = {"codecs": [copy.deepcopy(OPUS)], "encodings": [{"ssrc": 1111}]}
    base.update(overrides)
    return base


def codec_json(mime, pt, clock, channels=None, parameters=None, fb=None):
    json = {"mimeType": mime, "payloadType": pt, "clockRate": clock}
    if channels is not None:
        json["channels"] = channels
    json["parameters"] = parameters or {}
    json["rtcpFeedback"] = fb or []
    return json


VALID = [
    (
        "minimal: codecPayloadType filled in, rtcp absent gives {}",
        params(),
        {
            "codecs": [codec_json("audio/opus", 111, 48000, channels=2)],
            "encodings": [{"ssrc": 1111, "codecPayloadType": 111}],
            "headerExtensions": [],
            "rtcp": {},
        },
    ),
    (
        "channels 1 is left out, MIME canonical case, mid kept",
        params(
            mid="AUDIO",
            codecs=[{"mimeType": "AUDIO/PCMU", "payloadType": 0, "clockRate": 8000, "channels": 1}],
        ),
        {
            "mid": "AUDIO",
            "codecs": [codec_json("audio/PCMU", 0, 8000)],
            "encodings": [{"ssrc": 1111, "codecPayloadType": 0}],
            "headerExtensions": [],
            "rtcp": {},
        },
    ),
    (
        "parameters: only bool/int/float/str/int arrays kept",
        params(
            codecs=[
                dict(
                    OPUS,
                    parameters={
                        "useinbandfec": 1,
                        "foo": 222.222,
                        "bar": "333",
                        "b": True,
                        "arr": [1, 2],
                        "mixed": [1, "x"],
                        "empty": [],
                        "obj": {"a": 1},
                        "nul": None,
                    },
                )
            ]
        ),
        {
            "codecs": [
                codec_json(
                    "audio/opus",
                    111,
                    48000,
                    channels=2,
                    parameters={
                        "useinbandfec": 1,
                        "foo": 222.222,
                        "bar": "333",
                        "b": True,
                        "arr": [1, 2],
                    },
                )
            ],
            "encodings": [{"ssrc": 1111, "codecPayloadType": 111}],
            "headerExtensions": [],
            "rtcp": {},
        },
    ),
    (
        "rtcpFeedback: empty parameter left out; non-string parameter ignored",
        params(
            codecs=[
                dict(
                    VP8,
                    rtcpFeedback=[
                        {"type": "nack", "parameter": ""},
                        {"type": "nack", "parameter": "pli"},
                        {"type": "goog-remb", "parameter": 5},
                    ],
                ),
                RTX,
            ]
        ),
        {
            "codecs": [
                codec_json(
                    "video/VP8",
                    96,
                    90000,
                    fb=[
                        {"type": "nack"},
                        {"type": "nack", "parameter": "pli"},
                        {"type": "goog-remb"},
                    ],
                ),
                codec_json("video/rtx", 97, 90000, parameters={"apt": 96}),
            ],
            "encodings": [{"ssrc": 1111, "codecPayloadType": 96}],
            "headerExtensions": [],
            "rtcp": {},
        },
    ),
    (
        "encodings: all optional fields, dtx only if true, maxFramerate a float",
        params(
            codecs=[VP8, RTX],
            encodings=[
                {
                    "ssrc": 1,
                    "rid": "r0",
                    "rtx": {"ssrc": 2},
                    "maxBitrate": 100000,
                    "maxFramerate": 30,
                    "dtx": False,
                    "scalabilityMode": "L1T3",
                },
                {"ssrc": 3, "rtx": {}, "dtx": True, "maxBitrate": 0, "scalabilityMode": "bogus"},
            ],
        ),
        {
            "codecs": [
                codec_json("video/VP8", 96, 90000),
                codec_json("video/rtx", 97, 90000, parameters={"apt": 96}),
            ],
            "encodings": [
                {
                    "ssrc": 1,
                    "rid": "r0",
                    "codecPayloadType": 96,
                    "rtx": {"ssrc": 2},
                    "maxBitrate": 100000,
                    "maxFramerate": 30.0,
                    "scalabilityMode": "L1T3",
                    "spatialLayers": 1,
                    "temporalLayers": 3,
                    "ksvc": False,
                },
                {"ssrc": 3, "codecPayloadType": 96, "rtx": {}, "dtx": True},
            ],
            "headerExtensions": [],
            "rtcp": {},
        },
    ),
    (
        "scalabilityMode with _KEY and a suffix",
        params(
            codecs=[dict(VP8, mimeType="video/VP9")],
            encodings=[{"ssrc": 1, "scalabilityMode": "L3T3_KEY_SHIFT"}],
        ),
        {
            "codecs": [codec_json("video/VP9", 96, 90000)],
            "encodings": [
                {
                    "ssrc": 1,
                    "codecPayloadType": 96,
                    "scalabilityMode": "L3T3_KEY_SHIFT",
                    "spatialLayers": 3,
                    "temporalLayers": 3,
                    "ksvc": True,
                }
            ],
            "headerExtensions": [],
            "rtcp": {},
        },
    ),
    (
        "header extensions: uri lowercased, encrypt default false, parameters filtered",
        params(
            headerExtensions=[
                {"uri": "URN:ietf:params:rtp-hdrext:sdes:mid", "id": 1},
                {"uri": "urn:x", "id": 14, "encrypt": True, "parameters": {"a": None, "b": "c"}},
            ]
        ),
        {
            "codecs": [codec_json("audio/opus", 111, 48000, channels=2)],
            "encodings": [{"ssrc": 1111, "codecPayloadType": 111}],
            "headerExtensions": [
                {
                    "uri": "urn:ietf:params:rtp-hdrext:sdes:mid",
                    "id": 1,
                    "encrypt": False,
                    "parameters": {},
                },
                {"uri": "urn:x", "id": 14, "encrypt": True, "parameters": {"b": "c"}},
            ],
            "rtcp": {},
        },
    ),
    (
        "rtcp: reducedSize defaults to true, empty cname and ssrc 0 left out",
        params(rtcp={"cname": "", "ssrc": 0}),
        {
            "codecs": [codec_json("audio/opus", 111, 48000, channels=2)],
            "encodings": [{"ssrc": 1111, "codecPayloadType": 111}],
            "headerExtensions": [],
            "rtcp": {"reducedSize": True},
        },
    ),
    (
        "rtcp: all fields",
        params(rtcp={"cname": "FOOBAR", "ssrc": 5, "reducedSize": False}),
        {
            "codecs": [codec_json("audio/opus", 111, 48000, channels=2)],
            "encodings": [{"ssrc": 1111, "codecPayloadType": 111}],
            "headerExtensions": [],
            "rtcp": {"cname": "FOOBAR", "ssrc": 5, "reducedSize": False},
        },
    ),
    (
        "payload types are uint8 (300 wraps to 44), wrong optional types ignored",
        params(
            mid=5,
            codecs=[dict(OPUS, payloadType=300, channels="2", parameters=[1])],
            encodings=[{"ssrc": -1, "rid": 5, "codecPayloadType": 44, "maxBitrate": -5, "dtx": 1}],
            headerExtensions={"not": "a list"},
            rtcp="nope",
        ),
        {
            "codecs": [codec_json("audio/opus", 44, 48000)],
            "encodings": [{"codecPayloadType": 44}],
            "headerExtensions": [],
            "rtcp": {},
        },
    ),
]


@pytest.mark.parametrize(("name", "data", "expected"), VALID, ids=[row[0] for row in VALID])
def test_valid(name, data, expected):
    assert parse_rtp_parameters(data) == expected


INVALID = [
    ("not an object", [], "data is not an object"),
    ("empty mid", params(mid=""), "empty mid"),
    ("no codecs", {"encodings": [{}]}, "missing codecs"),
    ("codecs not a list", params(codecs={}), "missing codecs"),
    ("empty codecs", params(codecs=[]), "empty codecs"),
    ("codec not an object", params(codecs=[1]), "data is not an object"),
    ("no mimeType", params(codecs=[{"payloadType": 1, "clockRate": 1}]), "missing mimeType"),
    ("mimeType without slash", params(codecs=[dict(OPUS, mimeType="opus")]), "wrong codec MIME"),
    ("mimeType trailing slash", params(codecs=[dict(OPUS, mimeType="audio/")]), "wrong codec MIME"),
    ("mimeType leading slash", params(codecs=[dict(OPUS, mimeType="/opus")]), "wrong codec MIME"),
    (
        "unknown type",
        params(codecs=[dict(OPUS, mimeType="Text/opus")]),
        "unknown codec MIME type 'text'",
    ),
    (
        "unknown subtype",
        params(codecs=[dict(OPUS, mimeType="audio/FOO")]),
        "unknown codec MIME subtype 'foo'",
    ),
    (
        "no payloadType",
        params(codecs=[{"mimeType": "audio/opus", "clockRate": 1}]),
        "missing payloadType",
    ),
    ("negative payloadType", params(codecs=[dict(OPUS, payloadType=-1)]), "missing payloadType"),
    ("float payloadType", params(codecs=[dict(OPUS, payloadType=1.5)]), "missing payloadType"),
    ("bool payloadType", params(codecs=[dict(OPUS, payloadType=True)]), "missing payloadType"),
    (
        "no clockRate",
        params(codecs=[{"mimeType": "audio/opus", "payloadType": 1}]),
        "missing clockRate",
    ),
    ("string clockRate", params(codecs=[dict(OPUS, clockRate="48000")]), "missing clockRate"),
    (
        "rtx without apt",
        params(codecs=[VP8, dict(RTX, parameters={})]),
        "missing apt parameter in RTX codec",
    ),
    (
        "rtx negative apt",
        params(codecs=[VP8, dict(RTX, parameters={"apt": -1})]),
        "missing apt parameter in RTX codec",
    ),
    (
        "rtcpFeedback entry not an object",
        params(codecs=[dict(VP8, rtcpFeedback=["nack"])]),
        "data is not an object",
    ),
    (
        "rtcpFeedback without type",
        params(codecs=[dict(VP8, rtcpFeedback=[{"parameter": "pli"}])]),
        "missing type",
    ),
    ("no encodings", {"codecs": [OPUS]}, "missing encodings"),
    ("empty encodings", params(encodings=[]), "empty encodings"),
    ("encoding not an object", params(encodings=["x"]), "data is not an object"),
    (
        "rtx not an object is ignored but rtx object checked",
        params(encodings=[{"rtx": 1}, "x"]),
        "data is not an object",
    ),
    ("header extension not an object", params(headerExtensions=[1]), "data is not an object"),
    ("header extension without uri", params(headerExtensions=[{"id": 1}]), "missing uri"),
    ("header extension empty uri", params(headerExtensions=[{"uri": "", "id": 1}]), "empty uri"),
    ("header extension without id", params(headerExtensions=[{"uri": "urn:x"}]), "missing id"),
    ("header extension id 0", params(headerExtensions=[{"uri": "urn:x", "id": 0}]), "invalid id 0"),
    (
        "header extension id 256 wraps to 0",
        params(headerExtensions=[{"uri": "urn:x", "id": 256}]),
        "invalid id 0",
    ),
    ("duplicated payloadType", params(codecs=[OPUS, dict(OPUS)]), "duplicated payloadType"),
    (
        "apt to rtx",
        params(codecs=[VP8, RTX, dict(RTX, payloadType=98, parameters={"apt": 97})]),
        "apt in RTX codec points to a RTX codec",
    ),
    (
        "apt to ulpfec",
        params(
            codecs=[
                VP8,
                {"mimeType": "video/ulpfec", "payloadType": 100, "clockRate": 90000},
                dict(RTX, parameters={"apt": 100}),
            ]
        ),
        "apt in RTX codec points to a ULPFEC codec",
    ),
    (
        "apt to flexfec",
        params(
            codecs=[
                VP8,
                {"mimeType": "video/flexfec", "payloadType": 100, "clockRate": 90000},
                dict(RTX, parameters={"apt": 100}),
            ]
        ),
        "apt in RTX codec points to a FLEXFEC codec",
    ),
    (
        "apt to nothing",
        params(codecs=[VP8, dict(RTX, parameters={"apt": 50})]),
        "apt in RTX codec points to a non existing codec",
    ),
    (
        "no media codec",
        params(codecs=[{"mimeType": "audio/CN", "payloadType": 13, "clockRate": 8000}]),
        "no media codecs found",
    ),
    (
        "simulcast with SVC spatial layers",
        params(codecs=[VP8], encodings=[{"ssrc": 1, "scalabilityMode": "L2T1"}, {"ssrc": 2}]),
        "cannot use both simulcast and encodings with multiple SVC spatial layers",
    ),
    (
        "codecPayloadType of a feature codec",
        params(codecs=[VP8, RTX], encodings=[{"codecPayloadType": 97}]),
        "invalid codecPayloadType",
    ),
    (
        "codecPayloadType of a complementary codec",
        params(
            codecs=[OPUS, {"mimeType": "audio/CN", "payloadType": 13, "clockRate": 8000}],
            encodings=[{"codecPayloadType": 13}],
        ),
        "invalid codecPayloadType",
    ),
    (
        "unknown codecPayloadType",
        params(encodings=[{"codecPayloadType": 42}]),
        "unknown codecPayloadType",
    ),
]


@pytest.mark.parametrize(("name", "data", "message"), INVALID, ids=[row[0] for row in INVALID])
def test_invalid(name, data, message):
    with pytest.raises(MediaSoupTypeError) as info:
        parse_rtp_parameters(data)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("encodings", "expected"),
    [
        ([{"ssrc": 1}], "simple"),
        ([{"ssrc": 1, "scalabilityMode": "L1T3"}], "svc"),
        ([{"ssrc": 1, "scalabilityMode": "L3T3"}], "svc"),
        ([{"ssrc": 1, "scalabilityMode": "L1T1"}], "simple"),
        ([{"ssrc": 1}, {"ssrc": 2}], "simulcast"),
        ([{"ssrc": 1, "scalabilityMode": "L1T3"}, {"ssrc": 2}], "simulcast"),
    ],
)
def test_type(encodings, expected):
    assert RtpParameters(params(codecs=[VP8], encodings=encodings)).type() == expected


@pytest.mark.parametrize(
    ("value", "expected", "message"),
    [
        ("audio", "audio", None),
        ("VIDEO", "video", None),
        ("", "", None),
        ("Data", None, "invalid media kind [kind:data]"),
    ],
)
def test_get_kind(value, expected, message):
    if message is None:
        assert get_kind(value) == expected
    else:
        with pytest.raises(MediaSoupTypeError, match=r"^invalid media kind \[kind:data\]$"):
            get_kind(value)


def test_rtp_parameters_type_names():
    assert get_rtp_parameters_type("pipe") == "pipe"
    with pytest.raises(MediaSoupTypeError) as info:
        get_rtp_parameters_type("foo")
    assert str(info.value) == "invalid RtpParameters type [type:foo]"
    assert issubclass(MediaSoupTypeError, MediaSoupError)


def test_header_extension_ids_first_one_wins():
    rtp = RtpParameters(
        params(
            headerExtensions=[
                {"uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "id": 3},
                {"uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "id": 4},
                {"uri": "urn:ietf:params:rtp-hdrext:ssrc-audio-level", "id": 10},
                {"uri": "urn:unknown", "id": 11},
            ]
        )
    )
    ids = rtp_header_extension_ids(rtp.header_extensions)
    assert ids["mid"] == 3
    assert ids["ssrcAudioLevel"] == 10
    assert ids["absSendTime"] == 0
    assert set(ids) == {
        "mid",
        "rid",
        "rrid",
        "absSendTime",
        "transportWideCc01",
        "frameMarking07",
        "frameMarking",
        "ssrcAudioLevel",
        "videoOrientation",
        "toffset",
    }
