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
    """The fields of one VP8 payload descriptor; ``size`` is its length in bytes.

    The ``has_*`` flags of mediasoup's descriptor are derived: a picture id is there if
    I, a TL0PICIDX if L, a TID/KEYIDX byte if T or K.
    """

    __slots__ = (
        "extended",
        "non_reference",
        "start",
        "partition_index",
        "i",
        "l",
        "t",
        "k",
        "two_bytes_picture_id",
        "picture_id",
        "tl0_picture_index",
        "tl_index",
        "y",
        "key_index",
        "is_key_frame",
        "size",
    )

    extended: bool
    non_reference: bool
    start: bool
    partition_index: int
    i: bool
    l: bool  # noqa: E741 (the RFC's name)
    t: bool
    k: bool
    two_bytes_picture_id: bool
    picture_id: int
    tl0_picture_index: int
    tl_index: int
    y: bool
    key_index: int
    is_key_frame: bool
    size: int

    @property
    def has_picture_id(self) -> bool:
        return self.i

    @property
    def has_one_byte_picture_id(self) -> bool:
        return self.i and not self.two_bytes_picture_id

    @property
    def has_two_bytes_picture_id(self) -> bool:
        return self.i and self.two_bytes_picture_id

    @property
    def has_tl0_picture_index(self) -> bool:
        return self.l

    @property
    def has_tl_index(self) -> bool:
        return self.t or self.k

    @property
    def spatial_layer(self) -> int:
        return 0

    @property
    def temporal_layer(self) -> int:
        return self.tl_index

    def encode(self, data: bytearray, offset: int, picture_id: int, tl0_picture_index: int) -> None:
        """Write ``picture_id`` and ``tl0_picture_index`` into the descriptor at ``offset``.

        Only the fields the descriptor has are written; a one-byte picture id keeps 7 bits.
        """
        if not self.extended:
            return
        pos = offset + 2
        if self.i:
            if self.two_bytes_picture_id:
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
            f"VP8 PayloadDescriptor(picture_id={self.picture_id if self.i else None}, "
            f"tl0_picture_index={self.tl0_picture_index if self.l else None}, "
            f"tl_index={self.tl_index if self.t or self.k else None}, y={self.y}, "
            f"is_key_frame={self.is_key_frame})"
        )


def parse(
    data: bytes | bytearray, offset: int = 0, end: int | None = None
) -> PayloadDescriptor | None:
    """The descriptor at ``data[offset:end]``, or None if the payload is too short for it.

    Unlike mediasoup 3.7, which ignores descriptors without the X byte, those are parsed
    too (GStreamer sends them by default); they simply have no picture id or layers.
    """
    if end is None:
        end = len(data)
    if offset >= end:
        return None
    first = data[offset]
    pos = offset + 1
    flags = picture_id = tl0_picture_index = layer_byte = 0
    two_bytes = False
    if first & 0x80:
        if pos >= end:
            return None
        flags = data[pos]
        pos += 1
        if flags & 0x80:  # I
            if pos >= end:
                return None
            picture_id = data[pos]
            if picture_id & 0x80:
                if pos + 1 >= end:
                    return None
                picture_id = ((picture_id & 0x7F) << 8) | data[pos + 1]
                two_bytes = True
                pos += 2
            else:
                pos += 1
        if flags & 0x40:  # L
            if pos >= end:
                return None
            tl0_picture_index = data[pos]
            pos += 1
        if flags & 0x30:  # T or K
            if pos >= end:
                return None
            layer_byte = data[pos]
            pos += 1
    descriptor = PayloadDescriptor()
    descriptor.extended = first > 0x7F
    descriptor.non_reference = first & 0x20 != 0
    descriptor.start = start = first & 0x10 != 0
    descriptor.partition_index = partition_index = first & 0x07
    descriptor.i = flags & 0x80 != 0
    descriptor.l = flags & 0x40 != 0
    descriptor.t = flags & 0x20 != 0
    descriptor.k = flags & 0x10 != 0
    descriptor.two_bytes_picture_id = two_bytes
    descriptor.picture_id = picture_id
    descriptor.tl0_picture_index = tl0_picture_index
    descriptor.tl_index = layer_byte >> 6
    descriptor.y = layer_byte & 0x20 != 0
    descriptor.key_index = layer_byte & 0x1F
    descriptor.size = pos - offset
    descriptor.is_key_frame = pos < end and start and partition_index == 0 and not data[pos] & 0x01
    return descriptor


def is_key_frame(data: bytes | bytearray, offset: int = 0, end: int | None = None) -> bool:
    descriptor = parse(data, offset, end)
    return descriptor is not None and descriptor.is_key_frame


def process_rtp_packet(packet: RtpPacket) -> PayloadDescriptor | None:
    """Parse the packet's descriptor, widen a one-byte picture id to two bytes in place,
    and set the packet's ``payload_descriptor`` and ``is_key_frame``.

    mediasoup's VP8::ProcessRtpPacket: with every picture id two bytes long, a Consumer
    can rewrite picture ids past 127 without resizing the packet. Once per received
    packet (RtpStreamRecv's payload processing).
    """
    offset = packet.payload_offset
    descriptor = parse(packet.buffer, offset, offset + packet.payload_length)
    packet.payload_descriptor = descriptor
    if descriptor is None:
        packet.is_key_frame = False
        return None
    packet.is_key_frame = descriptor.is_key_frame
    if descriptor.i and not descriptor.two_bytes_picture_id:
        packet.shift_payload(2, 1, expand=True)
        packet.buffer[offset + 2] = 0x80
        descriptor.two_bytes_picture_id = True
        descriptor.size += 1
    return descriptor
