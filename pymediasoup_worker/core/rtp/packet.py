"""An RTP packet parsed once into its own ``bytearray`` and rewritten there (RFC 3550, RFC 8285).

mediasoup's RTC::RtpPacket: the worker parses each packet once, reads the header and the
header extensions from the buffer, rewrites payload type, sequence number, timestamp, SSRC
and extension ids in place while fanning it out to Consumers, and restores them after.

Cost model (see STYLE.md): ``parse`` does one ``unpack_from`` for the fixed header and the
length checks; the header extension elements are walked on the first extension lookup
only, into a map ``id -> offset of the value``. Getters read cached fields; setters write
the buffer with single-byte stores or one ``pack_into``.

Buffer layout: ``[12-byte header][CSRCs][ext header: profile, length][elements][payload]
[padding]``. Sizes change only through ``set_extensions``, ``shift_payload`` and
``remove_padding`` (and the RTX helpers built on them), which splice the bytearray.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping

from .header_extensions import (
    MID_MAX_LENGTH,
    FrameMarking,
    decode_frame_marking,
    decode_toffset,
    decode_video_orientation,
    time_ms_to_abs_send_time,
)

_HEADER = struct.Struct("!BBHII")
_EXT_HEADER = struct.Struct("!HH")
_unpack_header = _HEADER.unpack_from
_unpack_ext_header = _EXT_HEADER.unpack_from
_unpack_header_and_ext = struct.Struct("!BBHIIHH").unpack_from
_pack_u16 = struct.Struct("!H").pack_into
_pack_u32 = struct.Struct("!I").pack_into
_pack_rewrite = struct.Struct("!BHII").pack_into  # second byte .. SSRC, in one call
_pack_seq_ts_ssrc = struct.Struct("!HII").pack_into  # seq .. SSRC, in one call
_pack_header = _HEADER.pack

ONE_BYTE_PROFILE = 0xBEDE
TWO_BYTES_PROFILE = 0x1000  # the low 4 bits ("appbits") may hold anything

# Kinds of header extension block.
_EXT_NONE = 0  # no extension, or one with a profile other than RFC 8285's
_EXT_ONE_BYTE = 1
_EXT_TWO_BYTES = 2


_last_abs_send_time: list = [-1, b""]  # [ms, its 3 bytes]: one conversion per ms


def _abs_send_time_bytes(ms: int) -> bytes:
    last = _last_abs_send_time
    if last[0] != ms:
        last[0] = ms
        last[1] = time_ms_to_abs_send_time(ms).to_bytes(3, "big")
    return last[1]


def is_rtp(data: bytes | bytearray | memoryview) -> bool:
    """Whether a datagram may be RTP (mediasoup's IsRtp): 12 bytes or more, first byte
    128..191 (version 2). Check ``rtcp.is_rtcp`` first on a muxed port."""
    return len(data) >= 12 and 127 < data[0] < 192


def _parse_elements(buf: bytearray, kind: int, start: int, end: int) -> dict[int, int]:
    """Map each element id to the offset of its value (RFC 8285 section 4).

    As mediasoup does: zero bytes are padding, id 15 ends a one-byte block, and an element
    running past the end of the block ends the walk (the elements before it stay). A later
    element with the same id replaces an earlier one.
    """
    elements: dict[int, int] = {}
    pos = start
    if kind == _EXT_ONE_BYTE:
        while pos < end:
            byte = buf[pos]
            if byte == 0:
                pos += 1
                continue
            ext_id = byte >> 4
            if ext_id == 15:
                break
            value_end = pos + 2 + (byte & 0x0F)
            if value_end > end:
                break
            elements[ext_id] = pos + 1
            pos = value_end
    elif kind == _EXT_TWO_BYTES:
        while pos + 1 < end:
            ext_id = buf[pos]
            if ext_id == 0:
                pos += 1
                continue
            value_end = pos + 2 + buf[pos + 1]
            if value_end > end:
                break
            elements[ext_id] = pos + 2
            pos = value_end
    return elements


class RtpPacket:
    """One RTP packet over a private ``bytearray``; build it with ``parse`` or ``create``."""

    __slots__ = (
        # The packet's own bytes; codecs read the payload here at ``payload_offset``.
        "buffer",
        # The fixed header's fields, read per packet: plain attributes, kept in step with
        # the bytes by the set_*/rewrite methods (never assign them directly).
        "payload_type",
        "sequence_number",
        "timestamp",
        "ssrc",
        "_ext_kind",
        "_ext_start",
        "_ext_map",
        # Where the payload starts and how long it is (without padding): read per
        # packet by the codecs, so plain attributes too; only the layout methods
        # (set_extensions, shift_payload, ...) change them.
        "payload_offset",
        "payload_length",
        "_padding_length",
        # Set by the receiving side once per packet (mediasoup's payload descriptor
        # handler): the codec's descriptor (None if none) and whether it starts a key frame.
        "payload_descriptor",
        "is_key_frame",
        # The record (bytes, timestamp, stored_at_ms) the Consumers' retransmission
        # buffers share for this packet (one copy per received packet, not one per
        # Consumer), made by the first that needs it; each rewrites its own SSRC, seq
        # and MID into a resent copy.
        "shared",
    )

    buffer: bytearray
    payload_type: int
    sequence_number: int
    timestamp: int
    ssrc: int
    _ext_kind: int
    _ext_start: int
    _ext_map: dict[int, int] | None
    payload_offset: int
    payload_length: int
    _padding_length: int
    payload_descriptor: object
    is_key_frame: bool
    shared: tuple[bytes, int, int] | None

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> RtpPacket:
        """Parse (a copy of) ``data``; ValueError if it is not a well-formed RTP packet."""
        size = len(data)
        if size >= 16 and data[0] == 0x90:
            # The usual WebRTC packet (extension, no CSRC, no padding): one unpack.
            first, second, sequence_number, timestamp, ssrc, profile, words = (
                _unpack_header_and_ext(data)
            )
            ext_start = 16
            offset = 16 + (words << 2)
            if offset > size:
                raise ValueError(
                    f"header extension of {words * 4} bytes runs past the packet's end"
                )
            ext_kind = (
                _EXT_ONE_BYTE
                if profile == ONE_BYTE_PROFILE
                else _EXT_TWO_BYTES
                if profile & 0xFFF0 == TWO_BYTES_PROFILE
                else _EXT_NONE
            )
            payload_length = size - offset
            padding_length = 0
        else:
            if size < 12:
                raise ValueError(f"RTP packet too short: {size} bytes")
            first, second, sequence_number, timestamp, ssrc = _unpack_header(data)
            if first >> 6 != 2:
                raise ValueError(f"RTP version is {first >> 6}, not 2")
            offset = 12 + ((first & 0x0F) << 2)
            if offset > size:
                raise ValueError(f"{first & 0x0F} CSRCs announced but the packet has {size} bytes")
            ext_kind = _EXT_NONE
            if first & 0x10:
                if offset + 4 > size:
                    raise ValueError("no room for the announced header extension")
                profile, words = _unpack_ext_header(data, offset)
                ext_start = offset + 4
                offset = ext_start + (words << 2)
                if offset > size:
                    raise ValueError(
                        f"header extension of {words * 4} bytes runs past the packet's end"
                    )
                if profile == ONE_BYTE_PROFILE:
                    ext_kind = _EXT_ONE_BYTE
                elif profile & 0xFFF0 == TWO_BYTES_PROFILE:
                    ext_kind = _EXT_TWO_BYTES
            else:
                ext_start = offset
            payload_length = size - offset
            padding_length = 0
            if first & 0x20:
                if payload_length == 0:
                    raise ValueError("padding bit set but no byte for the padding length")
                padding_length = data[size - 1]
                if padding_length == 0:
                    raise ValueError("padding length is 0")
                if padding_length > payload_length:
                    raise ValueError(
                        f"padding of {padding_length} bytes longer than the {payload_length} left"
                    )
                payload_length -= padding_length

        packet = cls()
        packet.buffer = bytearray(data)
        packet.payload_type = second & 0x7F
        packet.sequence_number = sequence_number
        packet.timestamp = timestamp
        packet.ssrc = ssrc
        packet._ext_kind = ext_kind
        packet._ext_start = ext_start
        packet._ext_map = None
        packet.payload_offset = offset
        packet.payload_length = payload_length
        packet._padding_length = padding_length
        packet.payload_descriptor = None
        packet.is_key_frame = False
        packet.shared = None
        return packet

    @classmethod
    def create(
        cls,
        payload_type: int,
        sequence_number: int,
        timestamp: int,
        ssrc: int,
        payload: bytes = b"",
        *,
        marker: bool = False,
        csrcs: Iterable[int] = (),
        extensions: Iterable[tuple[int, bytes]] = (),
        two_bytes_extensions: bool = False,
        padding_length: int = 0,
    ) -> RtpPacket:
        """Build a packet from fields (for locally generated packets and tests)."""
        csrc_list = list(csrcs)
        if len(csrc_list) > 15:
            raise ValueError("at most 15 CSRCs")
        if not 0 <= padding_length <= 255:
            raise ValueError("padding length must be 0..255")
        first = 0x80 | len(csrc_list) | (0x20 if padding_length else 0)
        second = (0x80 if marker else 0) | payload_type
        data = bytearray(_pack_header(first, second, sequence_number, timestamp, ssrc))
        for csrc in csrc_list:
            data += csrc.to_bytes(4, "big")
        data += payload
        if padding_length:
            data += bytes(padding_length - 1) + bytes((padding_length,))
        packet = cls.parse(data)
        elements = list(extensions)
        if elements:
            packet.set_extensions(elements, two_bytes=two_bytes_extensions)
        return packet

    # Fixed header.

    @property
    def marker(self) -> bool:
        return self.buffer[1] > 0x7F

    @property
    def csrc_count(self) -> int:
        return self.buffer[0] & 0x0F

    @property
    def csrcs(self) -> list[int]:
        count = self.buffer[0] & 0x0F
        return list(struct.unpack_from(f"!{count}I", self.buffer, 12)) if count else []

    def set_payload_type(self, payload_type: int) -> None:
        if not 0 <= payload_type <= 127:
            raise ValueError(f"payload type {payload_type} out of 0..127")
        buf = self.buffer
        buf[1] = (buf[1] & 0x80) | payload_type
        self.payload_type = payload_type

    def set_marker(self, marker: bool) -> None:
        buf = self.buffer
        buf[1] = (buf[1] | 0x80) if marker else (buf[1] & 0x7F)

    def set_sequence_number(self, sequence_number: int) -> None:
        _pack_u16(self.buffer, 2, sequence_number)
        self.sequence_number = sequence_number

    def set_timestamp(self, timestamp: int) -> None:
        _pack_u32(self.buffer, 4, timestamp)
        self.timestamp = timestamp

    def set_ssrc(self, ssrc: int) -> None:
        _pack_u32(self.buffer, 8, ssrc)
        self.ssrc = ssrc

    def rewrite(self, payload_type: int, sequence_number: int, timestamp: int, ssrc: int) -> None:
        """Set payload type, sequence number, timestamp and SSRC in one write (marker kept)."""
        _pack_rewrite(
            self.buffer, 1, (self.buffer[1] & 0x80) | payload_type,
            sequence_number, timestamp, ssrc,
        )  # fmt: skip
        self.payload_type = payload_type
        self.sequence_number = sequence_number
        self.timestamp = timestamp
        self.ssrc = ssrc

    def rewrite_seq_ssrc(self, sequence_number: int, ssrc: int) -> None:
        """Set sequence number and SSRC in one write (a SimpleConsumer's rewrite)."""
        _pack_seq_ts_ssrc(self.buffer, 2, sequence_number, self.timestamp, ssrc)
        self.sequence_number = sequence_number
        self.ssrc = ssrc

    def write_seq_ssrc(self, sequence_number: int, ssrc: int) -> None:
        """Write sequence number and SSRC into the bytes only: the attributes keep the
        values as received (a SimpleConsumer's rewrite during the fan-out, which ends with
        restore_seq_ssrc())."""
        _pack_seq_ts_ssrc(self.buffer, 2, sequence_number, self.timestamp, ssrc)

    def restore_seq_ssrc(self) -> None:
        """Write the attributes' sequence number, timestamp and SSRC back into the bytes."""
        _pack_seq_ts_ssrc(self.buffer, 2, self.sequence_number, self.timestamp, self.ssrc)

    # Layout.

    @property
    def size(self) -> int:
        return len(self.buffer)

    def __len__(self) -> int:
        return len(self.buffer)

    @property
    def padding_length(self) -> int:
        return self._padding_length

    @property
    def payload(self) -> bytes:
        start = self.payload_offset
        return bytes(self.buffer[start : start + self.payload_length])

    def serialize(self) -> bytes:
        return bytes(self.buffer)

    __bytes__ = serialize

    def clone(self) -> RtpPacket:
        """A deep copy (own buffer), e.g. for the retransmission buffer."""
        other = RtpPacket()
        other.buffer = bytearray(self.buffer)
        other.payload_type = self.payload_type
        other.sequence_number = self.sequence_number
        other.timestamp = self.timestamp
        other.ssrc = self.ssrc
        other._ext_kind = self._ext_kind
        other._ext_start = self._ext_start
        other._ext_map = None if self._ext_map is None else dict(self._ext_map)
        other.payload_offset = self.payload_offset
        other.payload_length = self.payload_length
        other._padding_length = self._padding_length
        other.payload_descriptor = self.payload_descriptor
        other.is_key_frame = self.is_key_frame
        other.shared = None
        return other

    def shift_payload(self, offset: int, shift: int, expand: bool = True) -> None:
        """Insert (``expand``) or remove ``shift`` bytes at ``offset`` within the payload.

        Inserted bytes are zeros. mediasoup's ShiftPayload: VP8 uses it to widen a
        one-byte picture id, RTX to make room for the original sequence number.
        """
        if shift == 0:
            return
        if not 0 <= offset <= self.payload_length:
            raise ValueError(
                f"payload offset {offset} outside the {self.payload_length}-byte payload"
            )
        pos = self.payload_offset + offset
        if expand:
            self.buffer[pos:pos] = bytes(shift)
            self.payload_length += shift
        else:
            if shift > self.payload_length - offset:
                raise ValueError(f"cannot remove {shift} bytes from offset {offset}")
            del self.buffer[pos : pos + shift]
            self.payload_length -= shift

    def remove_padding(self) -> None:
        """Drop the padding bytes and clear the padding bit."""
        if self._padding_length:
            del self.buffer[len(self.buffer) - self._padding_length :]
            self._padding_length = 0
        self.buffer[0] &= 0xDF

    # Header extension block.

    @property
    def has_header_extension(self) -> bool:
        return bool(self.buffer[0] & 0x10)

    @property
    def header_extension_id(self) -> int:
        """The block's 16-bit profile: 0xBEDE (one-byte), 0x100X (two-byte), or 0 if absent."""
        if not self.buffer[0] & 0x10:
            return 0
        return (self.buffer[self._ext_start - 4] << 8) | self.buffer[self._ext_start - 3]

    @property
    def header_extension_length(self) -> int:
        """Bytes of extension data after the 4-byte block header (a multiple of 4)."""
        return self.payload_offset - self._ext_start

    @property
    def has_one_byte_extensions(self) -> bool:
        return self._ext_kind == _EXT_ONE_BYTE

    @property
    def has_two_bytes_extensions(self) -> bool:
        return self._ext_kind == _EXT_TWO_BYTES

    def _elements(self) -> dict[int, int]:
        elements = self._ext_map
        if elements is None:
            elements = self._ext_map = _parse_elements(
                self.buffer, self._ext_kind, self._ext_start, self.payload_offset
            )
        return elements

    def _value_length(self, pos: int) -> int:
        if self._ext_kind == _EXT_ONE_BYTE:
            return (self.buffer[pos - 1] & 0x0F) + 1
        return self.buffer[pos - 1]

    def _span(self, ext_id: int) -> tuple[int, int] | None:
        """(offset, length) of an extension value with at least one byte, or None."""
        elements = self._ext_map
        if elements is None:
            elements = self._elements()
        pos = elements.get(ext_id)
        if pos is None:
            return None
        length = (
            (self.buffer[pos - 1] & 0x0F) + 1
            if self._ext_kind == _EXT_ONE_BYTE
            else self.buffer[pos - 1]
        )
        return (pos, length) if length else None

    def has_extension(self, ext_id: int) -> bool:
        """Whether the extension is present with a value (two-byte zero-length ones are not)."""
        return self._span(ext_id) is not None

    def get_extension(self, ext_id: int) -> bytes | None:
        """The value of extension ``ext_id`` (a copy), or None if absent or empty."""
        elements = self._ext_map
        if elements is None:
            elements = self._elements()
        pos = elements.get(ext_id)
        if pos is None:
            return None
        buf = self.buffer
        if self._ext_kind == _EXT_ONE_BYTE:
            return bytes(buf[pos : pos + (buf[pos - 1] & 0x0F) + 1])
        length = buf[pos - 1]
        return bytes(buf[pos : pos + length]) if length else None

    def get_extensions(self) -> list[tuple[int, bytes]]:
        """All elements as (id, value) in wire order, zero-length two-byte ones included."""
        buf = self.buffer
        return [
            (ext_id, bytes(buf[pos : pos + self._value_length(pos)]))
            for ext_id, pos in sorted(self._elements().items(), key=lambda item: item[1])
        ]

    def update_extension(self, ext_id: int, value: bytes) -> bool:
        """Overwrite an extension's value in place; False if absent or of another length."""
        span = self._span(ext_id)
        if span is None or span[1] != len(value):
            return False
        pos, length = span
        self.buffer[pos : pos + length] = value
        return True

    def set_extension_length(self, ext_id: int, length: int) -> bool:
        """Change a value's length in place (mediasoup's SetExtensionLength).

        Shrinking zeroes the freed bytes (they become padding); growing is allowed only
        over zero padding bytes inside the block. False if not possible.
        """
        elements = self._elements()
        pos = elements.get(ext_id)
        if pos is None or length < 1:
            return False
        if length > (16 if self._ext_kind == _EXT_ONE_BYTE else 255):
            return False
        buf = self.buffer
        current = self._value_length(pos)
        if length > current:
            if pos + length > self.payload_offset or any(buf[pos + current : pos + length]):
                return False
        elif length < current:
            buf[pos + length : pos + current] = bytes(current - length)
        if self._ext_kind == _EXT_ONE_BYTE:
            buf[pos - 1] = (ext_id << 4) | (length - 1)
        else:
            buf[pos - 1] = length
        return True

    def set_extension_ids(self, mapping: Mapping[int, int], *, keep_unmapped: bool = False) -> None:
        """Rename extension ids in place: each element with an id in ``mapping`` gets the new id.

        The Producer's "mangling" to the Router's ids (see header_extensions). Elements
        whose id is not in ``mapping`` are dropped (zeroed into padding, as mediasoup
        forwards only the extensions it knows) unless ``keep_unmapped``. ValueError, and
        nothing changed, if a new id does not fit the block's form or two elements would
        end up with the same id.
        """
        elements = self._elements()
        if not elements:
            return
        one_byte = self._ext_kind == _EXT_ONE_BYTE
        max_id = 14 if one_byte else 255
        renamed: dict[int, int] = {}
        dropped: list[int] = []
        for ext_id, pos in elements.items():
            new_id = mapping.get(ext_id)
            if new_id is None:
                if not keep_unmapped:
                    dropped.append(pos)
                    continue
                new_id = ext_id
            elif not 0 < new_id <= max_id:
                raise ValueError(f"extension id {new_id} does not fit a block of this form")
            if new_id in renamed:
                raise ValueError(f"two extensions would get id {new_id}")
            renamed[new_id] = pos
        buf = self.buffer
        if one_byte:
            for new_id, pos in renamed.items():
                buf[pos - 1] = (new_id << 4) | (buf[pos - 1] & 0x0F)
            for pos in dropped:
                size = (buf[pos - 1] & 0x0F) + 2
                buf[pos - 1 : pos - 1 + size] = bytes(size)
        else:
            for new_id, pos in renamed.items():
                buf[pos - 2] = new_id
            for pos in dropped:
                size = buf[pos - 1] + 2
                buf[pos - 2 : pos - 2 + size] = bytes(size)
        self._ext_map = renamed

    def set_extensions(
        self, extensions: Iterable[tuple[int, bytes]], *, two_bytes: bool = False
    ) -> None:
        """Replace the whole extension block (mediasoup's SetExtensions), resizing the packet.

        One-byte form: ids 1..14, values of 1..16 bytes; two-byte form: ids 1..255, values
        of 0..255 bytes. An empty list removes the block.
        """
        block = bytearray()
        positions: dict[int, int] = {}
        for ext_id, value in extensions:
            length = len(value)
            if two_bytes:
                if not 1 <= ext_id <= 255 or length > 255:
                    raise ValueError(f"invalid two-byte extension {ext_id} of {length} bytes")
                block += bytes((ext_id, length))
            else:
                if not 1 <= ext_id <= 14 or not 1 <= length <= 16:
                    raise ValueError(f"invalid one-byte extension {ext_id} of {length} bytes")
                block.append((ext_id << 4) | (length - 1))
            if ext_id in positions:
                raise ValueError(f"extension id {ext_id} given twice")
            positions[ext_id] = len(block)
            block += value
        block += bytes(-len(block) & 3)

        buf = self.buffer
        start = 12 + ((buf[0] & 0x0F) << 2)  # where the block header goes
        old_end = self.payload_offset if buf[0] & 0x10 else start
        if positions:
            profile = TWO_BYTES_PROFILE if two_bytes else ONE_BYTE_PROFILE
            buf[start:old_end] = _EXT_HEADER.pack(profile, len(block) >> 2) + block
            buf[0] |= 0x10
            self._ext_kind = _EXT_TWO_BYTES if two_bytes else _EXT_ONE_BYTE
            self._ext_start = start + 4
            self.payload_offset = start + 4 + len(block)
            self._ext_map = {ext_id: start + 4 + pos for ext_id, pos in positions.items()}
        else:
            del buf[start:old_end]
            buf[0] &= 0xEF
            self._ext_kind = _EXT_NONE
            self._ext_start = self.payload_offset = start
            self._ext_map = {}

    def set_extension_block(self, block: bytes, ext_map: dict[int, int]) -> None:
        """Replace the extension block with a one-byte form ``block`` built by the caller.

        The fast form of ``set_extensions`` for a block that is the same packet after
        packet (the Producer's mangling builds it once): ``block`` includes its 4-byte
        header (profile 0xBEDE, length) and is a multiple of 4 bytes long; ``ext_map`` maps
        each element id to the offset of its value in a packet with this CSRC count
        (``12 + 4 * csrc_count + 4 + offset in the block``). It is shared, never mutated.
        """
        buf = self.buffer
        first = buf[0]
        start = 12 + ((first & 0x0F) << 2)
        buf[start : self.payload_offset if first & 0x10 else start] = block
        buf[0] = first | 0x10
        self._ext_kind = _EXT_ONE_BYTE
        self._ext_start = start + 4
        self.payload_offset = start + len(block)
        self._ext_map = ext_map

    # Typed extension readers and writers; each takes the id the extension has in this packet.

    def read_mid(self, ext_id: int) -> str | None:
        value = self.get_extension(ext_id)
        return None if value is None else value.decode("utf-8", "replace")

    def read_rid(self, ext_id: int, rrid_ext_id: int = 0) -> str | None:
        """The RID, else (as mediasoup) the repaired RID if ``rrid_ext_id`` is given."""
        value = self.get_extension(ext_id)
        if value is None and rrid_ext_id:
            value = self.get_extension(rrid_ext_id)
        return None if value is None else value.decode("utf-8", "replace")

    def read_rrid(self, ext_id: int) -> str | None:
        value = self.get_extension(ext_id)
        return None if value is None else value.decode("utf-8", "replace")

    def read_abs_send_time(self, ext_id: int) -> int | None:
        """The raw 24-bit abs-send-time (6.18 fixed-point seconds)."""
        span = self._span(ext_id)
        if span is None or span[1] != 3:
            return None
        buf, pos = self.buffer, span[0]
        return (buf[pos] << 16) | (buf[pos + 1] << 8) | buf[pos + 2]

    def update_abs_send_time(self, ext_id: int, ms: int) -> bool:
        span = self._span(ext_id)
        if span is None or span[1] != 3:
            return False
        pos = span[0]
        self.buffer[pos : pos + 3] = _abs_send_time_bytes(ms)
        return True

    def read_transport_wide_cc01(self, ext_id: int) -> int | None:
        """The 16-bit transport-wide sequence number."""
        elements = self._ext_map
        if elements is None:
            elements = self._elements()
        pos = elements.get(ext_id)
        if pos is None:
            return None
        buf = self.buffer
        header = buf[pos - 1]
        if header & 0x0F != 1 if self._ext_kind == _EXT_ONE_BYTE else header != 2:
            return None
        return (buf[pos] << 8) | buf[pos + 1]

    def update_transport_wide_cc01(self, ext_id: int, wide_sequence_number: int) -> bool:
        span = self._span(ext_id)
        if span is None or span[1] != 2:
            return False
        _pack_u16(self.buffer, span[0], wide_sequence_number)
        return True

    def read_ssrc_audio_level(self, ext_id: int) -> tuple[int, bool] | None:
        """(volume as -dBov 0..127, voice activity flag)."""
        span = self._span(ext_id)
        if span is None or span[1] != 1:
            return None
        byte = self.buffer[span[0]]
        return byte & 0x7F, byte > 0x7F

    def read_video_orientation(self, ext_id: int) -> tuple[bool, bool, int] | None:
        """(camera, flip, rotation in degrees: 0, 90, 180 or 270)."""
        value = self.get_extension(ext_id)
        return None if value is None else decode_video_orientation(value)

    def read_toffset(self, ext_id: int) -> int | None:
        value = self.get_extension(ext_id)
        return None if value is None else decode_toffset(value)

    def read_frame_marking(self, ext_id: int) -> FrameMarking | None:
        value = self.get_extension(ext_id)
        return None if value is None else decode_frame_marking(value)

    def update_mid(self, ext_id: int, mid: str) -> bool:
        """Write a MID of up to MID_MAX_LENGTH bytes over the existing one (room permitting)."""
        value = mid.encode()
        span = self._span(ext_id)
        if span is None or not value or len(value) > MID_MAX_LENGTH:
            return False
        pos, length = span
        if len(value) != length and not self.set_extension_length(ext_id, len(value)):
            return False
        self.buffer[pos : pos + len(value)] = value
        return True

    def __repr__(self) -> str:
        return (
            f"RtpPacket(pt={self.payload_type}, seq={self.sequence_number}, "
            f"ts={self.timestamp}, ssrc={self.ssrc}, marker={self.marker}, "
            f"size={len(self.buffer)}, payload={self.payload_length}, "
            f"padding={self._padding_length})"
        )
