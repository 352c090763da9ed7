import pytest

from pymediasoup import h264_profile_level_id as h264
from pymediasoup.h264_profile_level_id import (
    LEVEL_1,
    LEVEL_1_1,
    LEVEL_1B,
    LEVEL_3_1,
    LEVEL_4_2,
    LEVEL_5_1,
    LEVEL_5_2,
    PROFILE_BASELINE,
    PROFILE_CONSTRAINED_BASELINE,
    PROFILE_CONSTRAINED_HIGH,
    PROFILE_HIGH,
    PROFILE_MAIN,
    PROFILE_PREDICTIVE_HIGH_444,
    ProfileLevelId,
)

CB, B, M, CH, H, PH444 = (
    PROFILE_CONSTRAINED_BASELINE,
    PROFILE_BASELINE,
    PROFILE_MAIN,
    PROFILE_CONSTRAINED_HIGH,
    PROFILE_HIGH,
    PROFILE_PREDICTIVE_HIGH_444,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Constrained Baseline: 0x42 with constraint_set1, 0x4D with set0, 0x58 with set0+1
        ("42e01f", (CB, LEVEL_3_1)),
        ("42E01F", (CB, LEVEL_3_1)),
        ("42c02a", (CB, LEVEL_4_2)),
        ("424033", (CB, LEVEL_5_1)),
        ("4de01f", (CB, LEVEL_3_1)),
        ("4d801f", (CB, LEVEL_3_1)),
        ("58c01f", (CB, LEVEL_3_1)),
        ("58f01f", (CB, LEVEL_3_1)),
        # Baseline
        ("42001f", (B, LEVEL_3_1)),
        ("42a01f", (B, LEVEL_3_1)),
        ("58a01f", (B, LEVEL_3_1)),
        # Main, High, Constrained High, Predictive High 4:4:4
        ("4d001f", (M, LEVEL_3_1)),
        ("4d401f", (M, LEVEL_3_1)),
        ("4d0032", (M, 50)),
        ("64001f", (H, LEVEL_3_1)),
        ("640032", (H, 50)),
        ("640c1f", (CH, LEVEL_3_1)),
        ("640c34", (CH, LEVEL_5_2)),
        ("f40032", (PH444, 50)),
        # level 1.1 vs level 1b (constraint_set3 in the Baseline family)
        ("42e00b", (CB, LEVEL_1_1)),
        ("42f00b", (CB, LEVEL_1B)),
        ("42100b", (B, LEVEL_1B)),
        ("4d100b", (M, LEVEL_1B)),
        ("42e00a", (CB, LEVEL_1)),
        # malformed
        (None, None),
        (0x42E01F, None),
        ("", None),
        ("42e01", None),
        ("42e01f0", None),
        (" 42e01f", None),
        ("42e01g", None),
        ("0x42e0", None),
        ("+42e01", None),
        ("gggggg", None),
        ("000000", None),
        # unknown levels
        ("42e000", None),
        ("42e00f", None),
        ("42e0ff", None),
        ("42e035", None),
        # unknown profile_idc / profile-iop combinations
        ("42e11f", None),
        ("58601f", None),
        ("64e01f", None),
        ("4d201f", None),
        ("640d1f", None),
        ("f4e01f", None),
        ("43e01f", None),
    ],
)
def test_parse_profile_level_id(text, expected):
    result = h264.parse_profile_level_id(text)
    assert (None if result is None else tuple(result)) == expected


@pytest.mark.parametrize(
    ("profile_level_id", "expected"),
    [
        (ProfileLevelId(CB, LEVEL_3_1), "42e01f"),
        (ProfileLevelId(B, LEVEL_1), "42000a"),
        (ProfileLevelId(M, LEVEL_3_1), "4d001f"),
        (ProfileLevelId(CH, LEVEL_4_2), "640c2a"),
        (ProfileLevelId(H, LEVEL_4_2), "64002a"),
        (ProfileLevelId(PH444, LEVEL_5_1), "f40033"),
        (ProfileLevelId(CB, LEVEL_1B), "42f00b"),
        (ProfileLevelId(B, LEVEL_1B), "42100b"),
        (ProfileLevelId(M, LEVEL_1B), "4d100b"),
        (ProfileLevelId(H, LEVEL_1B), None),
        (ProfileLevelId(CH, LEVEL_1B), None),
        (ProfileLevelId(PH444, LEVEL_1B), None),
        (ProfileLevelId(255, LEVEL_3_1), None),
    ],
)
def test_profile_level_id_to_string(profile_level_id, expected):
    assert h264.profile_level_id_to_string(profile_level_id) == expected


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("42e01f", "42e01f"),
        ("42E01F", "42e01f"),
        ("42c02a", "42e02a"),
        ("58f01f", "42e01f"),
        ("4d100b", "4d100b"),
        ("4D100B", "4d100b"),
        ("640c2a", "640c2a"),
        ("640C2A", "640c2a"),
        ("4d401f", "4d001f"),
    ],
)
def test_round_trip_gives_canonical_form(text, canonical):
    assert h264.profile_level_id_to_string(h264.parse_profile_level_id(text)) == canonical


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (None, (CB, LEVEL_3_1)),  # WebRTC's default, not the spec's Baseline 1
        ({}, (CB, LEVEL_3_1)),
        ({"packetization-mode": 1}, (CB, LEVEL_3_1)),
        ({"profile-level-id": ""}, (CB, LEVEL_3_1)),
        ({"profile-level-id": "640c2a"}, (CH, LEVEL_4_2)),
        ({"profile-level-id": "4d0032"}, (M, 50)),
        ({"profile-level-id": "foobar"}, None),
        ({"profile-level-id": 640032}, None),  # not a string
    ],
)
def test_parse_sdp_profile_level_id(params, expected):
    result = h264.parse_sdp_profile_level_id(params)
    assert (None if result is None else tuple(result)) == expected


@pytest.mark.parametrize(
    ("params1", "params2", "same"),
    [
        ({"foo": "foo"}, {"bar": "bar"}, True),
        (None, None, True),
        ({"profile-level-id": "42e01f"}, None, True),
        ({"profile-level-id": "42e01f"}, {"profile-level-id": "42c02a"}, True),
        ({"profile-level-id": "42e01f"}, {"profile-level-id": "4de01f"}, True),
        ({"profile-level-id": "42a01f"}, {"profile-level-id": "58a01f"}, True),
        ({"profile-level-id": "640c1f"}, {"profile-level-id": "640c34"}, True),
        (None, {"profile-level-id": "4d001f"}, False),
        ({"profile-level-id": "42a01f"}, {"profile-level-id": "640c1f"}, False),
        ({"profile-level-id": "42000a"}, {"profile-level-id": "64002a"}, False),
        ({"profile-level-id": "42e01f"}, {"profile-level-id": "42001f"}, False),
        ({"profile-level-id": "42e01f"}, {"profile-level-id": "zzzzzz"}, False),
        ({"profile-level-id": "zzzzzz"}, {"profile-level-id": "zzzzzz"}, False),
    ],
)
def test_is_same_profile(params1, params2, same):
    assert h264.is_same_profile(params1, params2) is same


def plid(value, asymmetry=None):
    params = {"profile-level-id": value}
    if asymmetry is not None:
        params["level-asymmetry-allowed"] = asymmetry
    return params


@pytest.mark.parametrize(
    ("local", "remote", "expected"),
    [
        (None, None, None),
        ({}, {"foo": 1}, None),
        # without level asymmetry the answer takes the lower level
        (plid("42e015"), plid("42e01f"), "42e015"),
        (plid("42e01f"), plid("42e015"), "42e015"),
        (plid("42e01f", 1), plid("42e015"), "42e015"),
        (plid("42e01f", "1"), plid("42e015", 0), "42e015"),
        (plid("42e01f", True), plid("42e015", True), "42e015"),  # only 1 or '1'
        # with it on both sides we keep our own level
        (plid("42e01f", "1"), plid("42e015", "1"), "42e01f"),
        (plid("42e015", 1), plid("42e01f", 1), "42e015"),
        (plid("640c2a", 1), plid("640c1f", "1"), "640c2a"),
        # a missing side uses the default Constrained Baseline 3.1
        (plid("42e034"), {}, "42e01f"),
        ({}, plid("42e00b"), "42e00b"),
        ({"level-asymmetry-allowed": 1}, plid("42e00b", 1), "42e01f"),
        # non-canonical input gives canonical output
        (plid("58f01f"), plid("42c01f"), "42e01f"),
        # level 1b sits between 1 and 1.1 (the npm package answers 1.1 to a 1b
        # offer and 1b to a level 1 one; RFC 6184 forbids answering above the offer)
        (plid("42f00b"), plid("42e00b"), "42f00b"),
        (plid("42e00b"), plid("42f00b"), "42f00b"),
        (plid("42f00b"), plid("42e00a"), "42e00a"),
        (plid("42e00a"), plid("42f00b"), "42e00a"),
        (plid("42e00a"), plid("42e00b"), "42e00a"),
    ],
)
def test_generate_profile_level_id_for_answer(local, remote, expected):
    assert h264.generate_profile_level_id_for_answer(local, remote) == expected


@pytest.mark.parametrize(
    ("local", "remote", "message"),
    [
        (plid("zzzzzz"), plid("42e01f"), "local"),
        (plid("42e01f"), plid("42e0ff"), "remote"),
        (plid("42e01f"), plid("640c1f"), "profile"),
        ({}, plid("4d001f"), "profile"),
        (plid("42001f"), plid("42e01f"), "profile"),
    ],
)
def test_generate_profile_level_id_for_answer_errors(local, remote, message):
    with pytest.raises(TypeError, match=message):
        h264.generate_profile_level_id_for_answer(local, remote)
