"""Goodbye (RFC 3550 section 6.6).

::

    |V=2|P|    SC   |   PT=BYE=203  |             length            |
    |                           SSRC/CSRC (SC times)                |
    |     length    |               reason for leaving (optional)  ...
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .common import BYE, COMMON_HEADER_SIZE, pack_common_header, pad_to_words, parse_common_header


@dataclass(slots=True)
class ByePacket:
    packet_type = BYE

    ssrcs: list[int] = field(default_factory=list)
    reason: str = ""

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> ByePacket:
        count, end = parse_common_header(data, BYE)
        pos = COMMON_HEADER_SIZE + 4 * count
        if pos > end:
            raise ValueError(f"{count} SSRCs announced in BYE, not enough bytes for them")
        ssrcs = list(struct.unpack_from(f"!{count}I", data, COMMON_HEADER_SIZE))
        reason = ""
        if pos < end:
            length = data[pos]
            if pos + 1 + length > end:
                raise ValueError("BYE reason runs past the end of the packet")
            reason = bytes(data[pos + 1 : pos + 1 + length]).decode("utf-8", "replace")
        return cls(ssrcs, reason)

    def serialize(self) -> bytes:
        body = struct.pack(f"!{len(self.ssrcs)}I", *self.ssrcs)
        if self.reason:
            reason = self.reason.encode()
            if len(reason) > 255:
                raise ValueError("BYE reason longer than 255 bytes")
            body += bytes((len(reason),)) + reason
        body = pad_to_words(body)
        return pack_common_header(len(self.ssrcs), BYE, COMMON_HEADER_SIZE + len(body)) + body

    __bytes__ = serialize
