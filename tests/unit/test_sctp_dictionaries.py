"""SctpStreamParameters as the worker validates and dumps them (mediasoup's SctpDictionaries)."""

import pytest

from pymediasoup_worker.errors import MediaSoupTypeError
from pymediasoup_worker.rtc.sctp_dictionaries import parse_sctp_stream_parameters

VALID = [
    ({"streamId": 0}, {"streamId": 0, "ordered": True}),
    ({"streamId": 65534}, {"streamId": 65534, "ordered": True}),
    ({"streamId": 1, "ordered": False}, {"streamId": 1, "ordered": False}),
    # Partial reliability without `ordered`: unordered.
    (
        {"streamId": 1, "maxPacketLifeTime": 100},
        {"streamId": 1, "ordered": False, "maxPacketLifeTime": 100},
    ),
    ({"streamId": 1, "maxRetransmits": 3}, {"streamId": 1, "ordered": False, "maxRetransmits": 3}),
    (
        {"streamId": 1, "ordered": False, "maxRetransmits": 3},
        {"streamId": 1, "ordered": False, "maxRetransmits": 3},
    ),
    # Zero values mean "not given".
    (
        {"streamId": 1, "maxPacketLifeTime": 0, "maxRetransmits": 0},
        {"streamId": 1, "ordered": True},
    ),
    ({"streamId": 1, "ordered": True, "maxRetransmits": 0}, {"streamId": 1, "ordered": True}),
    # Wrong optional types are ignored.
    ({"streamId": 1, "ordered": "no", "maxRetransmits": -1}, {"streamId": 1, "ordered": True}),
    # uint16: 65536 + 5 wraps to 5.
    ({"streamId": 65541}, {"streamId": 5, "ordered": True}),
]


@pytest.mark.parametrize(("data", "expected"), VALID)
def test_valid(data, expected):
    assert parse_sctp_stream_parameters(data) == expected


INVALID = [
    ("x", "data is not an object"),
    ({}, "missing streamId"),
    ({"streamId": -1}, "missing streamId"),
    ({"streamId": "1"}, "missing streamId"),
    ({"streamId": 1.5}, "missing streamId"),
    ({"streamId": True}, "missing streamId"),
    ({"streamId": 65535}, "streamId must not be greater than 65534"),
    (
        {"streamId": 1, "maxPacketLifeTime": 1, "maxRetransmits": 1},
        "cannot provide both maxPacketLifeTime and maxRetransmits",
    ),
    (
        {"streamId": 1, "ordered": True, "maxPacketLifeTime": 1},
        "cannot be ordered with maxPacketLifeTime or maxRetransmits",
    ),
    (
        {"streamId": 1, "ordered": True, "maxRetransmits": 1},
        "cannot be ordered with maxPacketLifeTime or maxRetransmits",
    ),
]


@pytest.mark.parametrize(("data", "message"), INVALID)
def test_invalid(data, message):
    with pytest.raises(MediaSoupTypeError) as info:
        parse_sctp_stream_parameters(data)
    assert str(info.value) == message
