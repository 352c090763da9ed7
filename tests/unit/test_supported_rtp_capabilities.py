"""The supported capabilities against the tables of PROTOCOL.md section 6."""

import pytest

from pymediasoup.supported_rtp_capabilities import (
    SUPPORTED_RTP_CAPABILITIES,
    get_supported_rtp_capabilities,
)

TCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
VIDEO_FEEDBACK = [
    {"type": "nack"},
    {"type": "nack", "parameter": "pli"},
    {"type": "ccm", "parameter": "fir"},
    {"type": "goog-remb"},
    {"type": "transport-cc"},
]

# (mimeType, clockRate, channels, preferredPayloadType, parameters, rtcpFeedback); None = absent
CODECS = [
    ("audio/opus", 48000, 2, None, None, [{"type": "transport-cc"}]),
    ("audio/PCMU", 8000, None, 0, None, [{"type": "transport-cc"}]),
    ("audio/PCMA", 8000, None, 8, None, [{"type": "transport-cc"}]),
    ("audio/ISAC", 32000, None, None, None, [{"type": "transport-cc"}]),
    ("audio/ISAC", 16000, None, None, None, [{"type": "transport-cc"}]),
    ("audio/G722", 8000, None, 9, None, [{"type": "transport-cc"}]),
    ("audio/iLBC", 8000, None, None, None, [{"type": "transport-cc"}]),
    ("audio/SILK", 24000, None, None, None, [{"type": "transport-cc"}]),
    ("audio/SILK", 16000, None, None, None, [{"type": "transport-cc"}]),
    ("audio/SILK", 12000, None, None, None, [{"type": "transport-cc"}]),
    ("audio/SILK", 8000, None, None, None, [{"type": "transport-cc"}]),
    ("audio/CN", 32000, None, 13, None, None),
    ("audio/CN", 16000, None, 13, None, None),
    ("audio/CN", 8000, None, 13, None, None),
    ("audio/telephone-event", 48000, None, None, None, None),
    ("audio/telephone-event", 32000, None, None, None, None),
    ("audio/telephone-event", 16000, None, None, None, None),
    ("audio/telephone-event", 8000, None, None, None, None),
    ("video/VP8", 90000, None, None, None, VIDEO_FEEDBACK),
    ("video/VP9", 90000, None, None, None, VIDEO_FEEDBACK),
    (
        "video/H264",
        90000,
        None,
        None,
        {"packetization-mode": 1, "level-asymmetry-allowed": 1},
        VIDEO_FEEDBACK,
    ),
    (
        "video/H264",
        90000,
        None,
        None,
        {"packetization-mode": 0, "level-asymmetry-allowed": 1},
        VIDEO_FEEDBACK,
    ),
    (
        "video/H265",
        90000,
        None,
        None,
        {"packetization-mode": 1, "level-asymmetry-allowed": 1},
        VIDEO_FEEDBACK,
    ),
    (
        "video/H265",
        90000,
        None,
        None,
        {"packetization-mode": 0, "level-asymmetry-allowed": 1},
        VIDEO_FEEDBACK,
    ),
]

# (kind, uri, preferredId, direction)
HEADER_EXTENSIONS = [
    ("audio", "urn:ietf:params:rtp-hdrext:sdes:mid", 1, "sendrecv"),
    ("video", "urn:ietf:params:rtp-hdrext:sdes:mid", 1, "sendrecv"),
    ("video", "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", 2, "recvonly"),
    ("video", "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", 3, "recvonly"),
    ("audio", "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", 4, "sendrecv"),
    ("video", "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", 4, "sendrecv"),
    ("audio", TCC, 5, "recvonly"),
    ("video", TCC, 5, "sendrecv"),
    ("video", "http://tools.ietf.org/html/draft-ietf-avtext-framemarking-07", 6, "sendrecv"),
    ("video", "urn:ietf:params:rtp-hdrext:framemarking", 7, "sendrecv"),
    ("audio", "urn:ietf:params:rtp-hdrext:ssrc-audio-level", 10, "sendrecv"),
    ("video", "urn:3gpp:video-orientation", 11, "sendrecv"),
    ("video", "urn:ietf:params:rtp-hdrext:toffset", 12, "sendrecv"),
]


def expected_codec(mime_type, clock_rate, channels, payload_type, parameters, feedback):
    codec = {"kind": mime_type.split("/")[0], "mimeType": mime_type, "clockRate": clock_rate}
    for key, value in (
        ("channels", channels),
        ("preferredPayloadType", payload_type),
        ("parameters", parameters),
        ("rtcpFeedback", feedback),
    ):
        if value is not None:
            codec[key] = value
    return codec


def test_only_codecs_and_header_extensions():
    assert set(SUPPORTED_RTP_CAPABILITIES) == {"codecs", "headerExtensions"}


def test_codec_list_is_exactly_the_table_in_order():
    assert [(c["mimeType"], c["clockRate"]) for c in SUPPORTED_RTP_CAPABILITIES["codecs"]] == [
        (row[0], row[1]) for row in CODECS
    ]


@pytest.mark.parametrize(("index", "row"), list(enumerate(CODECS)), ids=lambda v: str(v))
def test_codec(index, row):
    assert SUPPORTED_RTP_CAPABILITIES["codecs"][index] == expected_codec(*row)


def test_no_rtx_codecs():
    assert not [c for c in SUPPORTED_RTP_CAPABILITIES["codecs"] if "rtx" in c["mimeType"]]


@pytest.mark.parametrize(("index", "row"), list(enumerate(HEADER_EXTENSIONS)))
def test_header_extension(index, row):
    kind, uri, preferred_id, direction = row
    assert SUPPORTED_RTP_CAPABILITIES["headerExtensions"][index] == {
        "kind": kind,
        "uri": uri,
        "preferredId": preferred_id,
        "preferredEncrypt": False,
        "direction": direction,
    }


def test_header_extension_count():
    assert len(SUPPORTED_RTP_CAPABILITIES["headerExtensions"]) == len(HEADER_EXTENSIONS)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda caps: caps.__setitem__("codecs", "bar"),
        lambda caps: caps["codecs"].clear(),
        lambda caps: caps["codecs"][0].__setitem__("clockRate", 1),
        lambda caps: caps["codecs"][0]["rtcpFeedback"].append({"type": "x"}),
        lambda caps: caps["codecs"][20]["parameters"].__setitem__("packetization-mode", 9),
        lambda caps: caps["headerExtensions"][0].__setitem__("preferredId", 99),
    ],
)
def test_get_supported_rtp_capabilities_returns_a_deep_copy(mangle):
    first = get_supported_rtp_capabilities()
    assert first == SUPPORTED_RTP_CAPABILITIES
    mangle(first)
    assert first != SUPPORTED_RTP_CAPABILITIES
    assert get_supported_rtp_capabilities() == SUPPORTED_RTP_CAPABILITIES
    assert SUPPORTED_RTP_CAPABILITIES["codecs"][0]["clockRate"] == 48000
