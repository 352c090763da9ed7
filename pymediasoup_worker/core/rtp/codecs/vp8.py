"""VP8 payload descriptor (RFC 7741 section 4.2), as mediasoup's RTC::Codecs::VP8.

::

     0 1 2 3 4 5 6 7
    |X|R|N|S|R| PID |   PID: partition index; S: start of a partition
    |I|L|T|K| RSV   |   present if X
    |M| PictureID   |   present if I; M=1: a second byte follows (15-bit picture id)
    |   PictureID   |
    |   TL0PICIDX   |   present if L
    |TID|Y| KEYIDX  |   present if T or K

A key frame is the first packet of partition 0 whose VP8 payload header has P=0 (the low
bit of its first byte). A SimulcastConsumer rewrites picture id and TL0PICIDX in place
(``encode``) and puts them back after sending (``restore``); for that every packet is
first given a two-byte picture id (``process_rtp_packet``).

Functions take ``data`` with the payload at ``data[offset:end]`` so that they read the
packet's buffer without copying it.
"""

from __future__ import annotations

from ..packet import RtpPacket


class PayloadDescriptor:
    """The fields of one VP8 payload descriptor; ``size`` is its length in bytes."""

    __slots__ = (
        "extended",
        "non_reference",
        "start",
        "partition_index",
        "i",
        "l",
        "t",
        "k",
        "picture_id",
        "tl0_picture_index",
        "tl_index",
        "y",
        "key_index",
        "is_key_frame",
        "has_picture_id",
        "has_one_byte_picture_id",
        "has_two_bytes_picture_id",
        "has_tl0_picture_index",
        "has_tl_index",
        "size",
    )

    def __init__(self) -> None:
        self.extended = False
        self.non_reference = False
        self.start = False
        self.partition_index = 0
        self.i = self.l = self.t = self.k = False
        self.picture_id = 0
        self.tl0_picture_index = 0
        self.tl_index = 0
        self.y = False
        self.key_index = 0
        self.is_key_frame = False
        self.has_picture_id = False
        self.has_one_byte_picture_id = False
        self.has_two_bytes_picture_id = False
        self.has_tl0_picture_index = False
        self.has_tl_index = False
        self.size = 1

    @property
    def spatial_layer(self) -> int:
        return 0

    @property
    def temporal_layer(self) -> int:
        return self.tl_index if self.has_tl_index else 0

    def encode(self, data: bytearray, offset: int, picture_id: int, tl0_picture_index: int) -> None:
        """Write ``picture_id`` and ``tl0_picture_index`` into the descriptor at ``offset``.

        Only the fields the descriptor has are written; a one-byte picture id keeps 7 bits.
        """
        if not self.extended:
            return
        pos = offset + 2
        if self.i:
            if self.has_two_bytes_picture_id:
                data[pos] = 0x80 | ((picture_id >> 8) & 0x7F)
                data[pos + 1] = picture_id & 0xFF
                pos += 2
            else:
                data[pos] = picture_id & 0x7F
                pos += 1
        if self.l:
            data[pos] = tl0_picture_index & 0xFF

    def restore(self, data: bytearray, offset: int) -> None:
        """Put back the picture id and TL0PICIDX this descriptor was parsed with."""
        self.encode(data, offset, self.picture_id, self.tl0_picture_index)

    def __repr__(self) -> str:
        return (
            f"VP8 PayloadDescriptor(picture_id={self.picture_id if self.has_picture_id else None}, "
            f"tl0_picture_index={self.tl0_picture_index if self.has_tl0_picture_index else None}, "
            f"tl_index={self.tl_index if self.has_tl_index else None}, y={self.y}, "
            f"is_key_frame={self.is_key_frame})"
        )


def parse(data: bytes | bytearray, offset: int = 0, end: int | None = None) -> PayloadDescriptor | None:
    """The descriptor at ``data[offset:end]``, or None if the payload is too short for it.

    Unlike mediasoup 3.7, which ignores descriptors without the X byte, those are parsed
    too (GStreamer sends them by default); they simply have no picture id or layers.
    """
    if end is None:
        end = len(data)
    if offset >= end:
        return None
    descriptor = PayloadDescriptor()
    byte = data[offset]
    descriptor.extended = extended = bool(byte & 0x80)
    descriptor.non_reference = bool(byte & 0x20)
    descriptor.start = bool(byte & 0x10)
    descriptor.partition_index = byte & 0x07
    pos = offset + 1
    if extended:
        if pos >= end:
            return None
        byte = data[pos]
        descriptor.i = bool(byte & 0x80)
        descriptor.l = bool(byte & 0x40)
        descriptor.t = bool(byte & 0x20)
        descriptor.k = bool(byte & 0x10)
        pos += 1
        if descriptor.i:
            if pos >= end:
                return None
            byte = data[pos]
            if byte & 0x80:
                if pos + 1 >= end:
                    return None
                descriptor.picture_id = ((byte & 0x7F) << 8) | data[pos + 1]
                descriptor.has_two_bytes_picture_id = True
                pos += 2
            else:
                descriptor.picture_id = byte
                descriptor.has_one_byte_picture_id = True
                pos += 1
            descriptor.has_picture_id = True
        if descriptor.l:
            if pos >= end:
                return None
            descriptor.tl0_picture_index = data[pos]
            descriptor.has_tl0_picture_index = True
            pos += 1
        if descriptor.t or descriptor.k:
            if pos >= end:
                return None
            byte = data[pos]
            descriptor.tl_index = byte >> 6
            descriptor.y = bool(byte & 0x20)
            descriptor.key_index = byte & 0x1F
            descriptor.has_tl_index = True
            pos += 1
    descriptor.size = pos - offset
    descriptor.is_key_frame = (
        pos < end and descriptor.start and descriptor.partition_index == 0 and not data[pos] & 0x01
    )
    return descriptor


def is_key_frame(data: bytes | bytearray, offset: int = 0, end: int | None = None) -> bool:
    descriptor = parse(data, offset, end)
    return descriptor is not None and descriptor.is_key_frame


def process_rtp_packet(packet: RtpPacket) -> PayloadDescriptor | None:
    """Parse the packet's descriptor and widen a one-byte picture id to two bytes in place.

    mediasoup's VP8::ProcessRtpPacket: with every picture id two bytes long, a Consumer
    can rewrite picture ids past 127 without resizing the packet.
    """
    offset = packet.payload_offset
    descriptor = parse(packet.buffer, offset, offset + packet.payload_length)
    if descriptor is None:
        return None
    if descriptor.has_one_byte_picture_id:
        packet.shift_payload(2, 1, expand=True)
        packet.buffer[offset + 2] = 0x80
        descriptor.has_one_byte_picture_id = False
        descriptor.has_two_bytes_picture_id = True
        descriptor.size += 1
    return descriptor
