"""VP9 payload descriptor (draft-ietf-payload-vp9), as mediasoup's RTC::Codecs::VP9.

::

     0 1 2 3 4 5 6 7
    |I|P|L|F|B|E|V|-|   P: inter-picture predicted; F: flexible mode; B/E: layer frame
                        start/end; V: scalability structure follows
    |M| PICTURE ID  |   present if I; M=1: 15-bit picture id, second byte follows
    | EXTENDED PID  |
    | TID |U| SID |D|   present if L (U: switching up point; D: inter-layer dependency)
    |   TL0PICIDX   |   present if L and not F

A key frame is a non-predicted (P=0) start of a layer frame (B=1) in spatial layer 0.
Functions take ``data`` with the payload at ``data[offset:end]``.
"""

from __future__ import annotations


class PayloadDescriptor:
    """The fields of one VP9 payload descriptor."""

    __slots__ = (
        "i",
        "p",
        "l",
        "f",
        "b",
        "e",
        "v",
        "picture_id",
        "sl_index",
        "tl_index",
        "tl0_picture_index",
        "switching_up_point",
        "inter_layer_dependency",
        "is_key_frame",
        "has_picture_id",
        "has_one_byte_picture_id",
        "has_two_bytes_picture_id",
        "has_sl_index",
        "has_tl_index",
        "has_tl0_picture_index",
    )

    def __init__(self) -> None:
        self.i = self.p = self.l = self.f = self.b = self.e = self.v = False
        self.picture_id = 0
        self.sl_index = 0
        self.tl_index = 0
        self.tl0_picture_index = 0
        self.switching_up_point = False
        self.inter_layer_dependency = False
        self.is_key_frame = False
        self.has_picture_id = False
        self.has_one_byte_picture_id = False
        self.has_two_bytes_picture_id = False
        self.has_sl_index = False
        self.has_tl_index = False
        self.has_tl0_picture_index = False

    @property
    def spatial_layer(self) -> int:
        return self.sl_index if self.has_sl_index else 0

    @property
    def temporal_layer(self) -> int:
        return self.tl_index if self.has_tl_index else 0

    def __repr__(self) -> str:
        return (
            f"VP9 PayloadDescriptor(picture_id={self.picture_id if self.has_picture_id else None}, "
            f"sl_index={self.sl_index}, tl_index={self.tl_index}, p={self.p}, b={self.b}, "
            f"e={self.e}, is_key_frame={self.is_key_frame})"
        )


def parse(
    data: bytes | bytearray, offset: int = 0, end: int | None = None
) -> PayloadDescriptor | None:
    """The descriptor at ``data[offset:end]``, or None if the payload is too short for it."""
    if end is None:
        end = len(data)
    if offset >= end:
        return None
    descriptor = PayloadDescriptor()
    byte = data[offset]
    descriptor.i = bool(byte & 0x80)
    descriptor.p = bool(byte & 0x40)
    descriptor.l = bool(byte & 0x20)
    descriptor.f = bool(byte & 0x10)
    descriptor.b = bool(byte & 0x08)
    descriptor.e = bool(byte & 0x04)
    descriptor.v = bool(byte & 0x02)
    pos = offset + 1
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
        byte = data[pos]
        descriptor.tl_index = byte >> 5
        descriptor.switching_up_point = bool(byte & 0x10)
        descriptor.sl_index = (byte >> 1) & 0x07
        descriptor.inter_layer_dependency = bool(byte & 0x01)
        descriptor.has_sl_index = descriptor.has_tl_index = True
        pos += 1
        # As mediasoup: a byte must follow the layer byte, TL0PICIDX in non-flexible mode.
        if pos >= end:
            return None
        if not descriptor.f:
            descriptor.tl0_picture_index = data[pos]
            descriptor.has_tl0_picture_index = True
    descriptor.is_key_frame = not descriptor.p and descriptor.b and descriptor.sl_index == 0
    return descriptor


def is_key_frame(data: bytes | bytearray, offset: int = 0, end: int | None = None) -> bool:
    descriptor = parse(data, offset, end)
    return descriptor is not None and descriptor.is_key_frame
