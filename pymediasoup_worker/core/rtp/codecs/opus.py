"""Opus (RFC 7587): no key frames, no layers. The TOC byte is decoded for diagnostics.

The payload's first byte is the TOC (RFC 6716 section 3.1): ``config(5) | s | c(2)``,
with ``config`` the mode/bandwidth/frame size, ``s`` stereo and ``c`` the frame count code.
"""

from __future__ import annotations

from typing import NamedTuple


class Toc(NamedTuple):
    config: int
    stereo: bool
    frame_count_code: int


def parse_toc(data: bytes | bytearray, offset: int = 0, end: int | None = None) -> Toc | None:
    """The TOC of the payload at ``data[offset:end]``; None for an empty payload."""
    if end is None:
        end = len(data)
    if offset >= end:
        return None
    byte = data[offset]
    return Toc(byte >> 3, bool(byte & 0x04), byte & 0x03)


def is_key_frame(data: bytes | bytearray, offset: int = 0, end: int | None = None) -> bool:
    return False
