import pytest

from pymediasoup.scalability_modes import parse_scalability_mode


def layers(spatial, temporal, ksvc=False):
    return {"spatialLayers": spatial, "temporalLayers": temporal, "ksvc": ksvc}


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("L1T1", layers(1, 1)),
        ("L1T3", layers(1, 3)),
        ("L3T3", layers(3, 3)),
        ("S2T3", layers(2, 3)),
        ("S3T1", layers(3, 1)),
        ("L3T2_KEY", layers(3, 2, True)),
        ("S3T3_KEY", layers(3, 3, True)),
        ("L2T3_KEY_SHIFT", layers(2, 3, True)),  # only the prefix counts
        ("L1T3h", layers(1, 3)),
        ("L99T99", layers(99, 99)),
        ("L10T2", layers(10, 2)),
        ("L3T3_key", layers(3, 3)),  # suffix is case sensitive
        # no match: the defaults
        (None, layers(1, 1)),
        ("", layers(1, 1)),
        ("foo", layers(1, 1)),
        ("l3t3", layers(1, 1)),
        ("X3T3", layers(1, 1)),
        (" L3T3", layers(1, 1)),
        ("L0T3", layers(1, 1)),
        ("S1T0", layers(1, 1)),
        ("L01T3", layers(1, 1)),
        ("L100T3", layers(1, 1)),
        ("S200T3", layers(1, 1)),
        ("L3", layers(1, 1)),
        ("T3", layers(1, 1)),
        ("L\u0663T3", layers(1, 1)),  # non-ASCII digits are not digits here
        (3, layers(1, 1)),
    ],
)
def test_parse_scalability_mode(mode, expected):
    assert parse_scalability_mode(mode) == expected


def test_result_is_a_fresh_dict():
    first = parse_scalability_mode("foo")
    first["spatialLayers"] = 7
    assert parse_scalability_mode("foo") == layers(1, 1)
