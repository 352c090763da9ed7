"""Source Description (RFC 3550 section 6.5): chunks of (SSRC, items).

::

    |V=2|P|    SC   |  PT=SDES=202  |             length            |
    chunk, SC times:
    |                          SSRC/CSRC_1                          |
    |  type (1 byte) | length (1 byte) | value ...   (items, repeated)
    |  0 (END)  |  zero bytes up to the next 32-bit boundary

Each chunk ends with at least one zero byte (END) and is padded to 32 bits. Items are
kept as ``(type, value bytes)``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .common import COMMON_HEADER_SIZE, SDES, pack_common_header, parse_common_header

END = 0
CNAME = 1
NAME = 2
EMAIL = 3
PHONE = 4
LOC = 5
TOOL = 6
NOTE = 7
PRIV = 8

_SSRC = struct.Struct("!I")


@dataclass(slots=True)
class SdesChunk:
    ssrc: int
    items: list[tuple[int, bytes]] = field(default_factory=list)

    @property
    def cname(self) -> str | None:
        for item_type, value in self.items:
            if item_type == CNAME:
                return value.decode("utf-8", "replace")
        return None

    def add_item(self, item_type: int, value: bytes) -> None:
        if not 1 <= item_type <= 255 or len(value) > 255:
            raise ValueError(f"invalid SDES item of type {item_type} and {len(value)} bytes")
        self.items.append((item_type, bytes(value)))

    def serialize(self) -> bytes:
        out = bytearray(_SSRC.pack(self.ssrc))
        for item_type, value in self.items:
            out += bytes((item_type, len(value)))
            out += value
        out += bytes(4 - (len(out) & 3))  # END, then zero padding to 32 bits
        return bytes(out)

    __bytes__ = serialize


def _parse_chunk(
    data: bytes | bytearray | memoryview, offset: int, end: int
) -> tuple[SdesChunk, int]:
    if offset + 4 > end:
        raise ValueError("not enough bytes for an SDES chunk")
    chunk = SdesChunk(_SSRC.unpack_from(data, offset)[0])
    pos = offset + 4
    while True:
        if pos >= end:
            raise ValueError("SDES chunk without END item")
        item_type = data[pos]
        if item_type == END:
            break
        if pos + 2 > end or pos + 2 + data[pos + 1] > end:
            raise ValueError("SDES item runs past the end of the packet")
        length = data[pos + 1]
        chunk.items.append((item_type, bytes(data[pos + 2 : pos + 2 + length])))
        pos += 2 + length
    # Skip END and the padding up to the next 32-bit boundary.
    pos = (pos + 4) & ~3
    return chunk, min(pos, end)


@dataclass(slots=True)
class SdesPacket:
    packet_type = SDES

    chunks: list[SdesChunk] = field(default_factory=list)

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> SdesPacket:
        count, end = parse_common_header(data, SDES)
        packet = cls()
        pos = COMMON_HEADER_SIZE
        for _ in range(count):
            chunk, pos = _parse_chunk(data, pos, end)
            packet.chunks.append(chunk)
        return packet

    def add_chunk(self, chunk: SdesChunk) -> None:
        self.chunks.append(chunk)

    def serialize(self) -> bytes:
        body = b"".join(chunk.serialize() for chunk in self.chunks)
        return pack_common_header(len(self.chunks), SDES, COMMON_HEADER_SIZE + len(body)) + body

    __bytes__ = serialize
