"""H264 key frames and layers (RFC 6184), as mediasoup's RTC::Codecs::H264.

The first payload byte is a NAL unit header whose low 5 bits give the type: 1..23 a
single NAL unit, 24 STAP-A (aggregation: 16-bit size + NAL unit, repeated), 28/29 FU-A/B
(fragment: FU indicator, then FU header ``S|E|R|type``). As mediasoup, a packet is a key
frame when it carries an SPS (type 7): alone, inside a STAP-A, or as the start fragment
of an FU. A frame-marking extension, when present, gives the temporal layer and may mark
the key frame itself (start + independent).

Functions take ``data`` with the payload at ``data[offset:end]``.
"""

from __future__ import annotations

from ..header_extensions import FrameMarking

NAL_SPS = 7
NAL_STAP_A = 24
NAL_FU_A = 28
NAL_FU_B = 29


class PayloadDescriptor:
    """Frame-marking fields (when the packet had the extension) and the key frame flag."""

    __slots__ = ("s", "e", "i", "d", "b", "tid", "lid", "tl0picidx", "has_tid", "has_lid",
                 "has_tl0picidx", "is_key_frame")  # fmt: skip

    def __init__(self) -> None:
        self.s = self.e = self.i = self.d = self.b = False
        self.tid = self.lid = self.tl0picidx = 0
        self.has_tid = self.has_lid = self.has_tl0picidx = False
        self.is_key_frame = False

    @property
    def spatial_layer(self) -> int:
        return 0

    @property
    def temporal_layer(self) -> int:
        return self.tid

    def __repr__(self) -> str:
        return f"H264 PayloadDescriptor(tid={self.tid}, is_key_frame={self.is_key_frame})"


def _nal_is_key_frame(data: bytes | bytearray, offset: int, end: int) -> bool:
    nal = data[offset] & 0x1F
    if nal == NAL_SPS:
        return True
    if nal == NAL_STAP_A:
        pos = offset + 1
        while end - pos >= 3:
            if data[pos + 2] & 0x1F == NAL_SPS:
                return True
            pos += 2 + ((data[pos] << 8) | data[pos + 1])
        return False
    if nal == NAL_FU_A or nal == NAL_FU_B:
        header = data[offset + 1]
        return bool(header & 0x80) and header & 0x1F == NAL_SPS
    return False


def parse(
    data: bytes | bytearray,
    offset: int = 0,
    end: int | None = None,
    frame_marking: FrameMarking | None = None,
) -> PayloadDescriptor | None:
    """The descriptor of the payload at ``data[offset:end]``; None if under 2 bytes."""
    if end is None:
        end = len(data)
    if end - offset < 2:
        return None
    descriptor = PayloadDescriptor()
    if frame_marking is not None:
        descriptor.s = frame_marking.start
        descriptor.e = frame_marking.end
        descriptor.i = frame_marking.independent
        descriptor.d = frame_marking.discardable
        descriptor.b = frame_marking.base
        descriptor.tid = frame_marking.tid
        descriptor.has_tid = True
        if frame_marking.lid is not None:
            descriptor.lid = frame_marking.lid
            descriptor.has_lid = True
        if frame_marking.tl0picidx is not None:
            descriptor.tl0picidx = frame_marking.tl0picidx
            descriptor.has_tl0picidx = True
        descriptor.is_key_frame = frame_marking.start and frame_marking.independent
    # libwebrtc's hardware encoders send wrong frame marking, so look at the NAL units too.
    if not descriptor.is_key_frame:
        descriptor.is_key_frame = _nal_is_key_frame(data, offset, end)
    return descriptor


def is_key_frame(data: bytes | bytearray, offset: int = 0, end: int | None = None) -> bool:
    if end is None:
        end = len(data)
    return end - offset >= 2 and _nal_is_key_frame(data, offset, end)
