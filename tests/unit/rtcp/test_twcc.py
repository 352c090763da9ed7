"""transport-cc feedback: parsing (incl. packets from Chrome), building as mediasoup, wraps."""

from __future__ import annotations

import struct

import pytest

from pymediasoup_worker.core.rtp.rtcp.twcc import (
    AddPacketResult,
    FeedbackRtpTransportPacket,
    PacketResult,
)
from tests.fixtures.make_rtp_fixtures import rtcp

MTU = 1200

# -- parsing -----------------------------------------------------------------------------------

# Packets captured from browsers, as in mediasoup's own tests; they must serialize back as is.
CAPTURED = [
    # (hex, base, status count, reference time, fb count, statuses, deltas)
    ("8fcd0005fa17fa1739e9423800010002bd57aa0020028c44", 1, 2, -4368470, 0, [1, 1], [0x8C, 0x44]),
    ("8fcd0007fa17fa1709faff670027000d5fc2f103bf8e100000000000001c0400",
     39, 13, 6275825, 3, [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1],
     [0x10, 0, 0, 0, 0, 0, 0, 0x1C, 0x04, 0]),
    ("8fcd0004fa17fa1709faff6700270000fffffe01", 39, 0, -2, 1, [], []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("hex_data", "base", "count", "reference", "fb_count", "statuses", "deltas"), CAPTURED
)
def test_captured_packets(hex_data: str, base: int, count: int, reference: int, fb_count: int,
                          statuses: list[int], deltas: list[int]) -> None:  # fmt: skip
    data = bytes.fromhex(hex_data)
    packet = FeedbackRtpTransportPacket.parse(data)
    assert packet.sender_ssrc == 0xFA17FA17 and packet.media_ssrc == int(hex_data[16:24], 16)
    assert packet.base_sequence_number == base
    assert packet.packet_status_count == count
    assert packet.reference_time == reference
    assert packet.reference_timestamp_ms == reference * 64
    assert packet.feedback_packet_count == fb_count
    assert packet.statuses == statuses
    assert packet.deltas == deltas
    assert packet.serialize() == data
    assert FeedbackRtpTransportPacket.parse(packet.serialize()) == packet


def tcc(fixed: bytes, rest: bytes) -> bytes:
    body = struct.pack("!II", 1, 2) + fixed + rest
    return rtcp(205, 15, body + bytes(-len(body) & 3))


def fixed(base: int, count: int) -> bytes:
    return struct.pack("!HHI", base, count, 0)


MALFORMED = [
    ("no fixed fields", rtcp(205, 15, struct.pack("!II", 1, 2))),
    ("chunks missing", tcc(fixed(0, 5), b"")),
    ("run length with the reserved status", tcc(fixed(0, 1), struct.pack("!H", (3 << 13) | 1))),
    ("two-bit vector with the reserved symbol", tcc(fixed(0, 2), struct.pack("!H", 0xC000 | (3 << 10)))),
    ("run length longer than the status count", tcc(fixed(0, 2), struct.pack("!H", 3))),
    ("small deltas missing", tcc(fixed(0, 5), struct.pack("!H", (1 << 13) | 5) + b"\x01\x02")),
    ("large deltas missing", tcc(fixed(0, 2), struct.pack("!H", (2 << 13) | 2) + b"\x01\x00")),
    ("chunk cut by the packet end", tcc(fixed(0, 20), struct.pack("!H", (1 << 13) | 1) + b"\x01")),
]  # fmt: skip


@pytest.mark.parametrize(("case", "data"), MALFORMED, ids=[c for c, _ in MALFORMED])
def test_malformed_raises(case: str, data: bytes) -> None:
    with pytest.raises(ValueError):
        FeedbackRtpTransportPacket.parse(data)


def test_run_length_of_zero_is_accepted() -> None:
    data = tcc(fixed(7, 1), struct.pack("!HH", 0, (1 << 13) | 1) + b"\x05")
    packet = FeedbackRtpTransportPacket.parse(data)
    assert packet.statuses == [1] and packet.deltas == [5] and packet.serialize() == data


def test_vector_symbols_past_the_status_count_are_ignored() -> None:
    # A one-bit vector holds 14 symbols; only the first 3 count here.
    data = tcc(fixed(0, 3), struct.pack("!H", 0x8000 | 0x3FFF) + b"\x01\x02\x03")
    packet = FeedbackRtpTransportPacket.parse(data)
    assert packet.statuses == [1, 1, 1] and packet.deltas == [1, 2, 3]


def test_results_wrap_and_time() -> None:
    data = tcc(struct.pack("!HHI", 65534, 4, (1 << 8) | 9),
               struct.pack("!H", 0xC000 | (1 << 12) | (0 << 10) | (2 << 8) | (1 << 6))
               + b"\x08" + struct.pack("!h", -8) + b"\x04")  # fmt: skip
    packet = FeedbackRtpTransportPacket.parse(data)
    assert packet.get_packet_results() == [
        PacketResult(65534, True, 8, 64 + 2),
        PacketResult(65535, False, 0, 0),
        PacketResult(0, True, -8, 64),
        PacketResult(1, True, 4, 65),
    ]
    assert packet.get_packet_fraction_lost() == 64


@pytest.mark.parametrize(
    ("statuses", "fraction"),
    [([], 0), ([1], 0), ([0], 255), ([0, 1], 128), ([0, 0, 0, 1], 192), ([0] * 255 + [1], 255)],
)
def test_fraction_lost(statuses: list[int], fraction: int) -> None:
    packet = FeedbackRtpTransportPacket()
    packet.statuses = statuses
    assert packet.get_packet_fraction_lost() == fraction


# -- building, as mediasoup's TransportCongestionControlServer does ---------------------------

BUILD_ROWS = [
    # (name, [(wide seq, ms)] with the pre-base first, base, status count, fraction lost, hex or None)
    ("mixed chunks",
     [(999, 10**9), (1000, 10**9), (1001, 10**9 + 100), (1002, 10**9 + 200), (1015, 10**9 + 300),
      (1016, 10**9 + 400), (1017, 10**9 + 500)],
     1000, 18, 170,
     "8fcd0009" "00000457" "000008ae" "03e80012" "6e6b2801" "da000008" "40030001" "90019001"
     "90019001" "90000000"),
    ("run length chunk", [(999, 10**9), (1000, 10**9), (1050, 10**9 + 216)], 1000, 51, 245, None),
    ("small deltas, a late packet",
     [(999, 10**9), (1000, 10**9), (1001, 10**9 + 1), (1002, 10**9 + 12), (1003, 10**9 + 15),
      (1004, 10**9 + 17), (1005, 10**9 + 18), (1006, 10**9 + 18), (1007, 10**9 + 18),
      (1008, 10**9 + 18), (1009, 10**9 + 19), (1010, 10**9 + 10), (1011, 10**9 + 11),
      (1012, 10**9 + 11), (1013, 10**9 + 13), (1014, 10**9 + 13 - 128), (1015, 10**9 + 15)],
     1000, 16, 0, None),
    ("incomplete two-bit vector", [(999, 10**9), (1000, 10**9 + 100), (1001, 10**9 + 700)],
     1000, 2, 0, None),
    ("across the wrap", [(65533, 6400), (65534, 6401), (65535, 6402), (2, 6410), (3, 6411)],
     65534, 6, 85, None),
    ("8 equal then different", [(0, 640)] + [(n, 640 + n) for n in range(1, 9)] + [(9, 700), (10, 701)],
     1, 10, 0, None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "inputs", "base", "count", "fraction", "hex_data"), BUILD_ROWS,
                         ids=[row[0] for row in BUILD_ROWS])  # fmt: skip
def test_build(name: str, inputs: list[tuple[int, int]], base: int, count: int, fraction: int,
               hex_data: str | None) -> None:  # fmt: skip
    packet = FeedbackRtpTransportPacket(1111, 2222)
    packet.feedback_packet_count = 1
    for seq, ms in inputs:
        assert packet.add_packet(seq, ms, MTU) is AddPacketResult.SUCCESS
    packet.finish()
    assert packet.base_sequence_number == base
    assert packet.packet_status_count == count
    assert packet.get_packet_fraction_lost() == fraction
    assert (packet.latest_sequence_number, packet.latest_timestamp) == inputs[-1]

    # Every reported packet is there, received at its own time (mod 2^29 ms, the reference range).
    received = dict(inputs[1:])
    for result in packet.get_packet_results():
        assert result.received is (result.sequence_number in received)
        if result.received:
            assert result.received_at_ms == received[result.sequence_number] & 0x1FFFFFFF

    data = packet.serialize()
    if hex_data is not None:
        assert data.hex() == hex_data
    assert len(data) % 4 == 0
    again = FeedbackRtpTransportPacket.parse(data)
    assert again == packet
    assert again.serialize() == data


def test_next_packet_starts_from_the_latest_one() -> None:
    first = FeedbackRtpTransportPacket(1, 2)
    for seq, ms in [(999, 1000), (1000, 1000), (1001, 1003), (1007, 1007)]:
        first.add_packet(seq, ms, MTU)
    second = FeedbackRtpTransportPacket(1, 2, feedback_packet_count=2)
    second.add_packet(first.latest_sequence_number, first.latest_timestamp, MTU)
    for seq, ms in [(1008, 1008), (1009, 1009)]:
        second.add_packet(seq, ms, MTU)
    assert second.get_packet_results() == []  # statuses are chunked by finish() or serialize()
    second.finish()
    assert second.base_sequence_number == 1008
    assert [r.sequence_number for r in second.get_packet_results()] == [1008, 1009]


@pytest.mark.parametrize(
    ("seq", "ms", "result"),
    [
        (100, 1000, AddPacketResult.SUCCESS),  # repeated: ignored
        (99, 1000, AddPacketResult.SUCCESS),  # older: ignored
        (100 + 8192, 1000, AddPacketResult.SUCCESS),  # 8191 missing: the most allowed
        (100 + 8193, 1000, AddPacketResult.FATAL),
        (101, 1000 + 8191, AddPacketResult.SUCCESS),
        (101, 1000 + 8192, AddPacketResult.FATAL),  # delta over 0x7FFF quarter ms
        (101, 1000 - 8192, AddPacketResult.FATAL),
    ],
)
def test_add_packet_limits(seq: int, ms: int, result: AddPacketResult) -> None:
    packet = FeedbackRtpTransportPacket()
    packet.add_packet(99, 960, MTU)
    packet.add_packet(100, 1000, MTU)
    assert packet.add_packet(seq, ms, MTU) is result


def test_max_size_exceeded() -> None:
    packet = FeedbackRtpTransportPacket()
    packet.add_packet(0, 1000, 40)
    results = [packet.add_packet(seq, 1000 + seq * 100, 40) for seq in range(1, 20)]
    assert AddPacketResult.MAX_SIZE_EXCEEDED in results
    assert len(packet.serialize()) <= 40


def test_is_serializable_and_is_full() -> None:
    packet = FeedbackRtpTransportPacket()
    assert not packet.is_serializable() and not packet.is_full()
    packet.add_packet(0, 100, MTU)
    assert not packet.is_serializable()  # the pre-base packet is not reported
    packet.add_packet(1, 100, MTU)
    assert packet.is_serializable()


@pytest.mark.parametrize("start", [0, 1, 1000, 65500, 65534, 65535])
def test_sequence_sweep_across_the_wrap(start: int) -> None:
    packet = FeedbackRtpTransportPacket()
    sent = [((start + n) & 0xFFFF, 5000 + 3 * n) for n in range(60) if n % 7 != 3]
    for seq, ms in sent:
        assert packet.add_packet(seq, ms, MTU) is AddPacketResult.SUCCESS
    results = FeedbackRtpTransportPacket.parse(packet.serialize()).get_packet_results()
    expected_seqs = [(start + 1 + n) & 0xFFFF for n in range(58)]  # n = 59 was not sent
    assert [r.sequence_number for r in results] == expected_seqs
    received = dict(sent[1:])
    assert {r.sequence_number: r.received_at_ms for r in results if r.received} == received
