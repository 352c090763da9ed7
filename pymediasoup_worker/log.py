"""Worker log lines, as mediasoup's Logger.

A log line is ``<L><Class>::<Function>() | <text>`` with L in D/W/E, sent on the
Channel as one netstring (mediasoup's format), filtered by logLevel and logTags.
Lines for stderr (``MS_ERROR_STD``) are ``<Class>::<Function>() | <text>``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

LOG_LEVELS = ("debug", "warn", "error", "none")
LOG_TAGS = (
    "info", "ice", "dtls", "rtp", "srtp", "rtcp", "rtx", "bwe", "score",
    "simulcast", "svc", "sctp", "message",
)  # fmt: skip

_DEBUG, _WARN, _ERROR, _NONE = range(4)
_MAX_LOG_LEN = 50000  # mediasoup's log buffer


class Logger:
    """Filters and formats log lines; ``sink`` receives the encoded line."""

    __slots__ = ("level", "sink", "tags")

    def __init__(self) -> None:
        self.level = _ERROR
        self.tags: frozenset[str] = frozenset()
        self.sink: Callable[[bytes], None] | None = None

    def configure(self, level: str, tags: frozenset[str]) -> None:
        self.level = LOG_LEVELS.index(level)
        self.tags = tags

    # Cheap guards for call sites that build expensive messages.
    def debug_enabled(self, tag: str | None = None) -> bool:
        return self.level <= _DEBUG and (tag is None or tag in self.tags)

    def warn_enabled(self, tag: str | None = None) -> bool:
        return self.level <= _WARN and (tag is None or tag in self.tags)

    def debug(self, where: str, text: str, tag: str | None = None) -> None:
        if self.level <= _DEBUG and (tag is None or tag in self.tags):
            self._emit("D", where, text)

    def warn(self, where: str, text: str, tag: str | None = None) -> None:
        if self.level <= _WARN and (tag is None or tag in self.tags):
            self._emit("W", where, text)

    def error(self, where: str, text: str) -> None:
        if self.level <= _ERROR:
            self._emit("E", where, text)

    def _emit(self, letter: str, where: str, text: str) -> None:
        if self.sink is None:
            return
        line = f"{letter}{where}() | {text}".encode(errors="replace")[:_MAX_LOG_LEN]
        self.sink(line)


def error_std(where: str, text: str) -> None:
    """A line on stderr, as mediasoup's MS_ERROR_STD."""
    sys.stderr.write(f"{where}() | {text}\n")
    sys.stderr.flush()


logger = Logger()
