"""The worker's settings: argv parsing and ``worker.updateSettings``, as mediasoup 3.7.11.

Options are parsed like ``getopt_long_only``: ``--name=value`` or ``-name=value``, any
unambiguous prefix of a name accepted (Node passes ``--logTag=`` for ``logTags``), and
every option needs a value. Errors raise :class:`MediaSoupTypeError`; the process then
exits with code 42.
"""

from __future__ import annotations

import os

from .errors import MediaSoupTypeError
from .log import LOG_LEVELS, LOG_TAGS

_OPTIONS = (
    "logLevel",
    "logTags",
    "rtcMinPort",
    "rtcMaxPort",
    "dtlsCertificateFile",
    "dtlsPrivateKeyFile",
)


class Settings:
    # A plain class (no dataclass, no re): this module is on the start-up path.
    def __init__(self) -> None:
        self.log_level = "error"
        self.log_tags: frozenset[str] = frozenset()
        self.rtc_min_port = 10000
        self.rtc_max_port = 59999
        self.dtls_certificate_file = ""
        self.dtls_private_key_file = ""

    def describe(self) -> list[str]:
        """The configuration block mediasoup prints at start and on updateSettings."""
        lines = [
            "<configuration>",
            f"  logLevel            : {self.log_level}",
            f"  logTags             : {','.join(t for t in LOG_TAGS if t in self.log_tags)}",
            f"  rtcMinPort          : {self.rtc_min_port}",
            f"  rtcMaxPort          : {self.rtc_max_port}",
        ]
        if self.dtls_certificate_file:
            lines.append(f"  dtlsCertificateFile : {self.dtls_certificate_file}")
            lines.append(f"  dtlsPrivateKeyFile  : {self.dtls_private_key_file}")
        lines.append("</configuration>")
        return lines


def parse_log_level(value: str) -> str:
    level = value.lower()
    if level not in LOG_LEVELS:
        raise MediaSoupTypeError(f"invalid value '{level}' for logLevel")
    return level


def parse_log_tags(values: list[str]) -> frozenset[str]:
    # Unknown tags are ignored, as mediasoup does.
    return frozenset(v for v in values if v in LOG_TAGS)


def _parse_port(value: str) -> int:
    # std::stoi: optional blanks and sign, digits, anything after ignored; then uint16_t.
    text = value.lstrip(" \t\n\v\f\r")
    end = 1 if text[:1] in ("+", "-") else 0
    while end < len(text) and text[end] in "0123456789":
        end += 1
    if not text[:end].lstrip("+-"):
        raise MediaSoupTypeError("stoi")
    number = int(text[:end])
    if not -(2**31) <= number < 2**31:
        raise MediaSoupTypeError("stoi")
    return number & 0xFFFF


def _match_option(name: str) -> str | None:
    if name in _OPTIONS:
        return name
    candidates = [o for o in _OPTIONS if o.startswith(name)]
    return candidates[0] if len(candidates) == 1 and name else None


def parse_argv(argv: list[str]) -> Settings:
    """Parse the worker's arguments (without argv[0])."""
    settings = Settings()
    tags: list[str] = []
    for arg in argv:
        if not arg.startswith("-") or arg in ("-", "--"):
            # getopt stops at the first non-option; mediasoup ignores the rest.
            break
        body = arg[2:] if arg.startswith("--") else arg[1:]
        name, eq, value = body.partition("=")
        option = _match_option(name)
        if option is None or not eq:
            raise MediaSoupTypeError("unknown configuration parameter: (null)")
        if option == "logLevel":
            settings.log_level = parse_log_level(value)
        elif option == "logTags":
            tags.append(value)
        elif option == "rtcMinPort":
            settings.rtc_min_port = _parse_port(value)
        elif option == "rtcMaxPort":
            settings.rtc_max_port = _parse_port(value)
        elif option == "dtlsCertificateFile":
            settings.dtls_certificate_file = value
        else:
            settings.dtls_private_key_file = value
    if tags:
        settings.log_tags = parse_log_tags(tags)
    if settings.rtc_max_port < settings.rtc_min_port:
        raise MediaSoupTypeError("rtcMaxPort cannot be less than rtcMinPort")
    _check_dtls_files(settings)
    return settings


def _check_dtls_files(settings: Settings) -> None:
    cert, key = settings.dtls_certificate_file, settings.dtls_private_key_file
    if not cert and not key:
        return
    if not cert:
        raise MediaSoupTypeError("missing dtlsCertificateFile")
    if not key:
        raise MediaSoupTypeError("missing dtlsPrivateKeyFile")
    for path, what in ((cert, "dtlsCertificateFile"), (key, "dtlsPrivateKeyFile")):
        if not os.path.isfile(path) or not os.access(path, os.R_OK):
            raise MediaSoupTypeError(f"{what}: cannot read file '{path}'")
