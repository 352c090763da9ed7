"""Worker argv parsing, as mediasoup-worker 3.7.11's getopt_long_only rules."""

from __future__ import annotations

import pytest

from pymediasoup_worker.errors import MediaSoupTypeError
from pymediasoup_worker.settings import parse_argv


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], dict(log_level="error", log_tags=frozenset(), rtc_min_port=10000, rtc_max_port=59999)),
        (["--logLevel=debug"], dict(log_level="debug")),
        (["--logLevel=DEBUG"], dict(log_level="debug")),
        (["-logLevel=warn"], dict(log_level="warn")),
        (["--logL=none"], dict(log_level="none")),
        (["--logTag=info", "--logTag=ice"], dict(log_tags=frozenset({"info", "ice"}))),
        (["--logTags=rtp", "--logTag=nonsense"], dict(log_tags=frozenset({"rtp"}))),
        (["--rtcMinPort=0", "--rtcMaxPort=9999"], dict(rtc_min_port=0, rtc_max_port=9999)),
        (["--rtcMinPort= 2000x"], dict(rtc_min_port=2000)),
        (["--rtcMinPort=+3000"], dict(rtc_min_port=3000)),
        (["--rtcMinPort=1000", "--rtcMaxPort=65535"], dict(rtc_max_port=65535)),
        # std::stoi then uint16_t: 65537 wraps to 1 (>= min 0 here).
        (["--rtcMinPort=0", "--rtcMaxPort=65537"], dict(rtc_max_port=1)),
        (["--rtcMinPort=-1", "--rtcMaxPort=-1"], dict(rtc_min_port=65535, rtc_max_port=65535)),
        # getopt stops at the first non-option.
        (["--logLevel=warn", "positional", "--logLevel=bogus"], dict(log_level="warn")),
    ],
)
def test_valid(argv: list[str], expected: dict[str, object]) -> None:
    settings = parse_argv(argv)
    for key, value in expected.items():
        assert getattr(settings, key) == value


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--logLevel=chicken"], "invalid value 'chicken' for logLevel"),
        (["--logLevel"], "unknown configuration parameter: (null)"),
        (["--log=debug"], "unknown configuration parameter: (null)"),  # ambiguous prefix
        (["--foo=bar"], "unknown configuration parameter: (null)"),
        (["--rtcMinPort=abc"], "stoi"),
        (["--rtcMinPort=99999999999"], "stoi"),
        (["--rtcMinPort=1000", "--rtcMaxPort=999"], "rtcMaxPort cannot be less than rtcMinPort"),
        (["--rtcMinPort=1000", "--rtcMaxPort=65536"], "rtcMaxPort cannot be less than rtcMinPort"),
        (["--dtlsCertificateFile=/etc/hostname"], "missing dtlsPrivateKeyFile"),
        (["--dtlsPrivateKeyFile=/etc/hostname"], "missing dtlsCertificateFile"),
        (
            ["--dtlsCertificateFile=/notfound/cert.pem", "--dtlsPrivateKeyFile=/etc/hostname"],
            "dtlsCertificateFile: cannot read file '/notfound/cert.pem'",
        ),
        (
            ["--dtlsCertificateFile=/etc/hostname", "--dtlsPrivateKeyFile=/notfound/key.pem"],
            "dtlsPrivateKeyFile: cannot read file '/notfound/key.pem'",
        ),
    ],
)
def test_invalid(argv: list[str], message: str) -> None:
    with pytest.raises(MediaSoupTypeError) as info:
        parse_argv(argv)
    assert str(info.value) == message


def test_describe_lists_tags_in_mediasoup_order() -> None:
    settings = parse_argv(["--logTag=rtp", "--logTag=info", "--logLevel=debug"])
    lines = settings.describe()
    assert lines[0] == "<configuration>" and lines[-1] == "</configuration>"
    assert "  logTags             : info,rtp" in lines
