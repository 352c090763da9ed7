"""Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-
extensions-01): RTPFB, FMT 15. mediasoup's RTC::RTCP::FeedbackRtpTransportPacket.

::

    |V=2|P|  FMT=15 |    PT=205     |           length              |
    |                     SSRC of packet sender                     |
    |                      SSRC of media source                     |
    |      base sequence number     |      packet status count      |
    |                 reference time                | fb pkt. count |
    |          packet chunk         |         packet chunk          |  ...
    |         recv delta            |  recv delta   | zero padding  |

Each packet from the base sequence number on has a status: not received (0), received
with a small delta (1: one unsigned byte) or a large one (2: two signed bytes). Deltas are
in 250 µs units, each from the previous received packet (the first from the reference
time, a signed 24-bit number of 64 ms units). Status chunks are 16 bits:

- run length ``0|SS|count(13)``: ``count`` packets with status ``SS``;
- one-bit vector ``1|0|14 symbols``: not received / small delta;
- two-bit vector ``1|1|7 symbols``.

A packet is parsed into ``chunks`` (the raw 16-bit words, so that it serializes back to
the same bytes), ``statuses`` (one per packet) and ``deltas`` (one per received packet).
A packet to send is built with ``add_packet(wide_seq, now_ms, max_len)`` then ``finish``,
following mediasoup's chunk choices (a first packet only sets the base: see add_packet).
"""

from __future__ import annotations

import struct
from enum import IntEnum
from typing import NamedTuple

from .common import FEEDBACK_HEADER_SIZE, RTPFB, pack_feedback, parse_feedback_header

FMT = 15

NOT_RECEIVED = 0
SMALL_DELTA = 1
LARGE_DELTA = 2

FIXED_HEADER_SIZE = 8  # base sequence number .. feedback packet count
MAX_MISSING_PACKETS = (1 << 13) - 1
MAX_PACKET_STATUS_COUNT = (1 << 16) - 1
MAX_PACKET_DELTA = 0x7FFF
_MAX_RUN_LENGTH = 0x1FFF

_FIXED = struct.Struct("!HHI")  # base, status count, reference time << 8 | fb count
_I16 = struct.Struct("!h")


class AddPacketResult(IntEnum):
    SUCCESS = 0
    MAX_SIZE_EXCEEDED = 1
    FATAL = 2


class PacketResult(NamedTuple):
    sequence_number: int
    received: bool
    delta: int  # 250 µs units
    received_at_ms: int  # in the remote's reference


def _is_seq_higher_than(lhs: int, rhs: int) -> bool:
    return lhs != rhs and ((lhs - rhs) & 0xFFFF) < 0x8000


class FeedbackRtpTransportPacket:
    packet_type = RTPFB
    fmt = FMT

    __slots__ = (
        "sender_ssrc",
        "media_ssrc",
        "base_sequence_number",
        "reference_time",
        "feedback_packet_count",
        "chunks",
        "statuses",
        "deltas",
        "_has_base",
        "_latest_sequence_number",
        "_latest_timestamp",
        "_pending",
        "_all_same",
        "_current_status",
        "_deltas_and_chunks_size",
    )

    def __init__(
        self,
        sender_ssrc: int = 0,
        media_ssrc: int = 0,
        base_sequence_number: int = 0,
        reference_time: int = 0,
        feedback_packet_count: int = 0,
    ) -> None:
        self.sender_ssrc = sender_ssrc
        self.media_ssrc = media_ssrc
        self.base_sequence_number = base_sequence_number
        self.reference_time = reference_time
        self.feedback_packet_count = feedback_packet_count
        self.chunks: list[int] = []
        self.statuses: list[int] = []
        self.deltas: list[int] = []
        # Building state (mediasoup's Context and latest packet).
        self._has_base = False
        self._latest_sequence_number = 0
        self._latest_timestamp = 0
        self._pending: list[int] = []
        self._all_same = True
        self._current_status: int | None = None
        self._deltas_and_chunks_size = 0

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> FeedbackRtpTransportPacket:
        sender_ssrc, media_ssrc, end = parse_feedback_header(data, RTPFB, FMT)
        pos = FEEDBACK_HEADER_SIZE + FIXED_HEADER_SIZE
        if end < pos:
            raise ValueError("transport-cc feedback too short for its fixed fields")
        base, status_count, word = _FIXED.unpack_from(data, FEEDBACK_HEADER_SIZE)
        reference_time = word >> 8
        if reference_time & 0x800000:
            reference_time -= 0x1000000
        packet = cls(sender_ssrc, media_ssrc, base, reference_time, word & 0xFF)
        chunks = packet.chunks
        statuses = packet.statuses
        while len(statuses) < status_count:
            if pos + 2 > end:
                raise ValueError("transport-cc chunks end before the packet status count")
            chunk = (data[pos] << 8) | data[pos + 1]
            pos += 2
            remaining = status_count - len(statuses)
            if not chunk & 0x8000:
                status = (chunk >> 13) & 0x03
                run = chunk & _MAX_RUN_LENGTH
                if status > LARGE_DELTA:
                    raise ValueError("transport-cc run length chunk with the reserved status")
                if run > remaining:
                    raise ValueError("transport-cc chunks exceed the packet status count")
                statuses.extend([status] * run)
            elif not chunk & 0x4000:
                statuses.extend((chunk >> (13 - i)) & 0x01 for i in range(min(14, remaining)))
            else:
                for i in range(min(7, remaining)):
                    status = (chunk >> (12 - 2 * i)) & 0x03
                    if status > LARGE_DELTA:
                        raise ValueError("transport-cc vector chunk with the reserved status")
                    statuses.append(status)
            chunks.append(chunk)
        deltas = packet.deltas
        for status in statuses:
            if status == SMALL_DELTA:
                if pos >= end:
                    raise ValueError("transport-cc receive deltas run past the end")
                deltas.append(data[pos])
                pos += 1
            elif status == LARGE_DELTA:
                if pos + 2 > end:
                    raise ValueError("transport-cc receive deltas run past the end")
                deltas.append(_I16.unpack_from(data, pos)[0])
                pos += 2
        packet._deltas_and_chunks_size = pos - FEEDBACK_HEADER_SIZE - FIXED_HEADER_SIZE
        return packet

    # Reading.

    @property
    def packet_status_count(self) -> int:
        return len(self.statuses)

    @property
    def reference_timestamp_ms(self) -> int:
        return self.reference_time * 64

    @property
    def latest_sequence_number(self) -> int:
        return self._latest_sequence_number

    @property
    def latest_timestamp(self) -> int:
        return self._latest_timestamp

    def get_packet_results(self) -> list[PacketResult]:
        """One result per packet status, from the base sequence number on."""
        results: list[PacketResult] = []
        sequence_number = self.base_sequence_number
        received_at_ms = self.reference_time * 64
        deltas = iter(self.deltas)
        for status in self.statuses:
            if status:
                delta = next(deltas)
                # Whole milliseconds, truncated toward zero as mediasoup's integer division.
                received_at_ms += delta // 4 if delta >= 0 else -(-delta // 4)
                results.append(PacketResult(sequence_number, True, delta, received_at_ms))
            else:
                results.append(PacketResult(sequence_number, False, 0, 0))
            sequence_number = (sequence_number + 1) & 0xFFFF
        return results

    def get_packet_fraction_lost(self) -> int:
        """Lost packets over packets reported, in 1/256 units (255 if all lost)."""
        expected = len(self.statuses)
        if expected == 0:
            return 0
        lost = self.statuses.count(NOT_RECEIVED)
        if lost == expected:
            return 255
        return (lost << 8) // expected

    # Building.

    def is_full(self) -> bool:
        # Pending statuses are not counted yet: keep room for 7 of them, as mediasoup.
        return len(self.statuses) >= MAX_PACKET_STATUS_COUNT - 7

    def is_serializable(self) -> bool:
        return len(self.deltas) > 0

    def add_packet(
        self, sequence_number: int, timestamp: int, max_rtcp_packet_len: int
    ) -> AddPacketResult:
        """Report ``sequence_number`` received at ``timestamp`` (ms).

        As mediasoup, the first packet added is not reported: it sets the base (the next
        sequence number) and the reference time; a new feedback packet is started with
        the previous one's latest packet. Older or repeated sequence numbers are ignored.
        """
        if self.is_full():
            raise RuntimeError("transport-cc feedback packet is full")
        if not self._has_base:
            self._has_base = True
            self.base_sequence_number = (sequence_number + 1) & 0xFFFF
            self.reference_time = (timestamp & 0x1FFFFFC0) // 64
            self._latest_sequence_number = sequence_number
            self._latest_timestamp = (timestamp >> 6) * 64  # the reference, in ms
            return AddPacketResult.SUCCESS
        latest = self._latest_sequence_number
        if not _is_seq_higher_than(sequence_number, latest):
            return AddPacketResult.SUCCESS
        if (sequence_number - latest - 1) & 0xFFFF > MAX_MISSING_PACKETS:
            return AddPacketResult.FATAL
        delta = (timestamp - self._latest_timestamp) * 4
        if not -MAX_PACKET_DELTA <= delta <= MAX_PACKET_DELTA:
            return AddPacketResult.FATAL
        # Room for one more chunk and a large delta?
        size = FEEDBACK_HEADER_SIZE + FIXED_HEADER_SIZE + self._deltas_and_chunks_size + 4
        size += -size & 3
        if size > max_rtcp_packet_len:
            return AddPacketResult.MAX_SIZE_EXCEEDED
        self._fill_chunk(latest, sequence_number, delta)
        self._latest_sequence_number = sequence_number
        self._latest_timestamp = timestamp
        return AddPacketResult.SUCCESS

    def finish(self) -> None:
        """Put the statuses not yet in a chunk into one (serialize does it too)."""
        pending = self._pending
        if not pending:
            return
        if self._all_same:
            self._create_run_length_chunk(pending[0], len(pending))
        else:
            self._create_two_bit_vector_chunk(pending)
        pending.clear()

    def _fill_chunk(self, previous: int, sequence_number: int, delta: int) -> None:
        pending = self._pending
        missing = (sequence_number - previous - 1) & 0xFFFF
        if missing:
            if len(pending) >= 7 and self._all_same:
                self._create_run_length_chunk(self._current_status or 0, len(pending))
                pending.clear()
            self._current_status = NOT_RECEIVED
            represented = min(missing, 7 - len(pending)) if len(pending) < 7 else 0
            pending.extend([NOT_RECEIVED] * represented)
            if len(pending) == 7:
                self._create_two_bit_vector_chunk(pending)
                pending.clear()
                self._current_status = None
            missing -= represented
            if missing:
                self._create_run_length_chunk(NOT_RECEIVED, missing)
                pending.clear()
                self._current_status = None

        status = SMALL_DELTA if 0 <= delta <= 255 else LARGE_DELTA
        if len(pending) >= 7 and self._all_same and status != self._current_status:
            self._create_run_length_chunk(self._current_status or 0, len(pending))
            pending.clear()
        pending.append(status)
        self.deltas.append(delta)
        self._deltas_and_chunks_size += 1 if status == SMALL_DELTA else 2
        self._all_same = self._current_status is None or (
            self._all_same and self._current_status == status
        )
        self._current_status = status
        if len(pending) == 7 and not self._all_same:
            self._current_status = None
            self._create_two_bit_vector_chunk(pending)
            pending.clear()

    def _create_run_length_chunk(self, status: int, count: int) -> None:
        while count > 0:
            run = min(count, _MAX_RUN_LENGTH)
            self.chunks.append((status << 13) | run)
            self.statuses.extend([status] * run)
            self._deltas_and_chunks_size += 2
            count -= run

    def _create_two_bit_vector_chunk(self, statuses: list[int]) -> None:
        chunk = 0xC000
        for i, status in enumerate(statuses):
            chunk |= status << (12 - 2 * i)
        self.chunks.append(chunk)
        self.statuses.extend(statuses)
        self._deltas_and_chunks_size += 2

    # Wire.

    def serialize(self) -> bytes:
        self.finish()
        out = bytearray(
            _FIXED.pack(
                self.base_sequence_number,
                len(self.statuses),
                ((self.reference_time & 0xFFFFFF) << 8) | (self.feedback_packet_count & 0xFF),
            )
        )
        for chunk in self.chunks:
            out += chunk.to_bytes(2, "big")
        deltas = iter(self.deltas)
        for status in self.statuses:
            if status == SMALL_DELTA:
                out.append(next(deltas))
            elif status == LARGE_DELTA:
                out += _I16.pack(next(deltas))
        out += bytes(-len(out) & 3)
        return pack_feedback(RTPFB, FMT, self.sender_ssrc, self.media_ssrc, bytes(out))

    __bytes__ = serialize

    def _key(self) -> tuple[object, ...]:
        return (self.sender_ssrc, self.media_ssrc, self.base_sequence_number,
                self.reference_time, self.feedback_packet_count, self.chunks, self.statuses,
                self.deltas)  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FeedbackRtpTransportPacket):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"FeedbackRtpTransportPacket(sender_ssrc={self.sender_ssrc}, "
            f"media_ssrc={self.media_ssrc}, base_sequence_number={self.base_sequence_number}, "
            f"packet_status_count={len(self.statuses)}, reference_time={self.reference_time}, "
            f"feedback_packet_count={self.feedback_packet_count}, chunks={len(self.chunks)}, "
            f"deltas={self.deltas})"
        )
