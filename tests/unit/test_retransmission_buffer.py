"""RetransmissionBuffer: rows of inserts and NACKs, a fake clock, swept across both wraps."""

from __future__ import annotations

import random

import pytest

from pymediasoup_worker.core.retransmission_buffer import (
    DEFAULT_RTT,
    MAX_REQUESTED_PACKETS,
    MAX_RETRANSMISSION_DELAY_MS,
    RetransmissionBuffer,
)

SWEEP_16 = [s & 0xFFFF for s in range(0xFFF0, 0x10010)]
# Timestamp starts paired with the seq starts: near the 32-bit wrap, and one far from it.
TS_STARTS = [0xFFFFFF00, 0xFFFFFFFF, 0, 1234567]

# 1 tick per ms keeps timestamps readable: "ts 2000" is 2 s after "ts 0".
CLOCK_RATE = 1000


def sweep():
    for i, s in enumerate(SWEEP_16):
        yield s, TS_STARTS[i % len(TS_STARTS)]


# --- inserts -------------------------------------------------------------------------

# (max_items, [(seq, ts, stored?)], stored seqs oldest first); seq and ts relative.
INSERT_ROWS = {
    "in order": (4, [(0, 0, True), (1, 10, True), (2, 20, True)], [0, 1, 2]),
    "full: the oldest goes": (
        4,
        [(0, 0, True), (1, 10, True), (2, 20, True), (3, 30, True), (4, 40, True)],
        [1, 2, 3, 4],
    ),
    "duplicate": (4, [(0, 0, True), (1, 10, True), (1, 10, False)], [0, 1]),
    "same seq, other timestamp: replaced": (
        4,
        [(0, 0, True), (1, 10, True), (1, 11, True)],
        [0, 1],
    ),
    "out of order inside": (4, [(0, 0, True), (2, 20, True), (1, 10, True)], [0, 1, 2]),
    "older than the oldest, still fits": (
        4,
        [(2, 20, True), (3, 30, True), (1, 10, True)],
        [1, 2, 3],
    ),
    "older than the buffer reaches": (
        4,
        [(0, 0, True), (1, 10, True), (2, 20, True), (3, 30, True), (-1, -10, False)],
        [0, 1, 2, 3],
    ),
    "a gap inside the span": (4, [(0, 0, True), (2, 20, True), (4, 40, True)], [2, 4]),
    "the span, not the count, is bounded": (
        4,
        [(0, 0, True), (1, 10, True), (3, 30, True), (4, 40, True)],
        [1, 3, 4],
    ),
    "a jump beyond the buffer": (4, [(0, 0, True), (1, 10, True), (10, 100, True)], [10]),
    "a jump exactly the buffer": (4, [(0, 0, True), (1, 10, True), (5, 50, True)], [5]),
    "a jump just inside": (4, [(0, 0, True), (1, 10, True), (4, 40, True)], [1, 4]),
    "too old by timestamp": (
        600,
        [(0, 0, True), (1, 2000, True), (2, 2001, True)],
        [1, 2],
    ),
    "too old: several at once": (
        600,
        [(0, 0, True), (1, 1, True), (2, 5, True), (3, 3000, True)],
        [3],
    ),
    "a late packet too old on arrival": (
        600,
        [(5, 3000, True), (4, 900, False)],
        [5],
    ),
    # Age is each packet's own (mediasoup evicts from the front only, and would keep 1
    # until it reached the front; it would not resend it either).
    "an old timestamp behind a newer one is gone too": (
        600,
        [(0, 2000, True), (1, 0, True), (2, 3001, True)],
        [0, 2],
    ),
    "evicted once it reaches the front": (
        600,
        [(0, 1000, True), (1, 0, True), (2, 3001, True)],
        [2],
    ),
    "one item": (1, [(0, 0, True), (1, 10, True), (3, 30, True)], [3]),
    "half the space ahead counts as old": (
        600,
        [(0, 0, True), (0x8001, 10, False)],
        [0],
    ),
}


@pytest.mark.parametrize("max_items, inserts, stored", INSERT_ROWS.values(), ids=INSERT_ROWS.keys())
def test_insert_rows_swept(max_items, inserts, stored):
    for s, t in sweep():
        buffer = RetransmissionBuffer(max_items, CLOCK_RATE)
        for seq, ts, expected in inserts:
            packet = ("packet", seq, ts)
            got = buffer.insert(0, (s + seq) & 0xFFFF, (t + ts) & 0xFFFFFFFF, packet)
            assert got is expected, (s, t, seq)
        assert buffer.seqs() == [(s + k) & 0xFFFF for k in stored]
        assert len(buffer) == len(stored)
        last_stored = {seq: ts for seq, ts, ok in inserts if ok}
        for seq in stored:
            item = buffer.get((s + seq) & 0xFFFF)
            assert item.packet == ("packet", seq, last_stored[seq])
            assert item.seq == (s + seq) & 0xFFFF
            assert item.timestamp == (t + last_stored[seq]) & 0xFFFFFFFF
        assert buffer.start_seq == (s + stored[0]) & 0xFFFF
        assert buffer.newest_seq == (s + stored[-1]) & 0xFFFF


def test_replaced_packet_is_the_new_one_and_starts_fresh():
    buffer = RetransmissionBuffer(10, CLOCK_RATE)
    buffer.insert(0, 5, 100, "old")
    assert [i.packet for i in buffer.retransmit_for_nack(10, 5, 0)] == ["old"]
    buffer.insert(20, 5, 200, "new")
    item = buffer.get(5)
    assert item.packet == "new" and item.sent_times == 0 and item.resent_at_ms is None
    assert item.stored_at_ms == 20 and item.timestamp == 200


def test_clear():
    buffer = RetransmissionBuffer(10, CLOCK_RATE)
    for k in range(5):
        buffer.insert(0, k, k, k)
    buffer.clear()
    assert len(buffer) == 0 and buffer.seqs() == [] and buffer.get(2) is None
    assert buffer.start_seq is None and buffer.max_timestamp is None
    assert buffer.insert(0, 1000, 9, "after")
    assert buffer.seqs() == [1000]


@pytest.mark.parametrize(
    "max_items, clock_rate", [(0, 90000), (0x8001, 90000), (600, 0), (-1, 90000)]
)
def test_bad_parameters(max_items, clock_rate):
    with pytest.raises(ValueError):
        RetransmissionBuffer(max_items, clock_rate)


@pytest.mark.parametrize("seed", range(3))
def test_long_reordered_stream_stays_bounded(seed):
    """90 kHz video, 30 fps, 30 packets a frame, local reordering, 100000 packets."""
    rng = random.Random(seed)
    start = rng.choice(SWEEP_16)
    ts0 = rng.choice(TS_STARTS)
    buffer = RetransmissionBuffer(600, 90000)
    pending = []
    for k in range(100_000):
        pending.append(k)
        if len(pending) < 4 and k < 99_999:
            continue
        rng.shuffle(pending)
        for j in pending:
            now = j * 11
            buffer.insert(now, (start + j) & 0xFFFF, (ts0 + j // 30 * 3000) & 0xFFFFFFFF, j)
        pending.clear()
        if k % 4096 == 3:
            assert len(buffer) <= 600
            span = (buffer.newest_seq - buffer.start_seq) & 0xFFFF
            assert span < 600
    # The newest 600 are all there (they are 20 frames, 0.67 s: age is not the bound here).
    assert buffer.seqs() == [(start + k) & 0xFFFF for k in range(100_000 - 600, 100_000)]


# --- NACKs ---------------------------------------------------------------------------


def filled(s, t, count=40, max_items=600, stored_at=0):
    buffer = RetransmissionBuffer(max_items, CLOCK_RATE)
    for k in range(count):
        buffer.insert(stored_at, (s + k) & 0xFFFF, (t + k * 10) & 0xFFFFFFFF, f"p{k}")
    return buffer


# (pid, blp, seqs returned), pid and seqs relative; the buffer holds 0..39.
NACK_ROWS = [
    (0, 0, [0]),
    (5, 0, [5]),
    (5, 0b1, [5, 6]),
    (5, 0b101, [5, 6, 8]),
    (5, 0x8000, [5, 21]),
    (0, 0xFFFF, list(range(17))),
    (30, 0xFFFF, list(range(30, 40))),  # 40.. not stored
    (-3, 0b1111, [0, 1]),  # -3..-1 not stored
    (50, 0, []),
    (39, 0, [39]),
]


@pytest.mark.parametrize("pid, blp, expected", NACK_ROWS)
def test_nack_rows_swept(pid, blp, expected):
    for s, t in sweep():
        buffer = filled(s, t)
        items = buffer.retransmit_for_nack(100, (s + pid) & 0xFFFF, blp, 50)
        assert [i.seq for i in items] == [(s + k) & 0xFFFF for k in expected]
        assert [i.packet for i in items] == [f"p{k}" for k in expected]
        assert all(i.sent_times == 1 and i.resent_at_ms == 100 for i in items)
        assert len(items) <= MAX_REQUESTED_PACKETS


# (rtt passed, [(now, seqs resent)]) for NACKs of 3 and 4 repeated; 3 resent first at 1000.
THROTTLE_ROWS = [
    (50, [(1000, [3, 4]), (1050, []), (1051, [3, 4]), (1100, []), (1102, [3, 4])]),
    (0, [(1000, [3, 4]), (1000 + DEFAULT_RTT, []), (1001 + DEFAULT_RTT, [3, 4])]),
    (10.9, [(1000, [3, 4]), (1010, []), (1011, [3, 4])]),
    (500, [(1000, [3, 4]), (1499, []), (1500, []), (1501, [3, 4])]),
]


@pytest.mark.parametrize("rtt, steps", THROTTLE_ROWS)
def test_resend_at_most_once_per_rtt_swept(rtt, steps):
    for s, t in sweep():
        buffer = filled(s, t, stored_at=900)
        times = 0
        for now, expected in steps:
            items = buffer.retransmit_for_nack(now, (s + 3) & 0xFFFF, 0b1, rtt)
            assert [i.seq for i in items] == [(s + k) & 0xFFFF for k in expected]
            if expected:
                times += 1
            assert buffer.get((s + 3) & 0xFFFF).sent_times == times


def test_throttle_is_per_packet():
    buffer = filled(0, 0)
    assert [i.seq for i in buffer.retransmit_for_nack(100, 3, 0, 50)] == [3]
    assert [i.seq for i in buffer.retransmit_for_nack(110, 3, 0b1, 50)] == [4]
    assert [i.seq for i in buffer.retransmit_for_nack(151, 3, 0b1, 50)] == [3]


def test_rtx_encoded_flag_is_the_callers():
    buffer = filled(0, 0)
    (item,) = buffer.retransmit_for_nack(100, 7, 0, 50)
    assert not item.rtx_encoded
    item.rtx_encoded = True
    (again,) = buffer.retransmit_for_nack(200, 7, 0, 50)
    assert again is item and again.rtx_encoded and again.sent_times == 2


# Packets stored at t=0; (now of the NACK, resent?): older than the max delay is not resent.
@pytest.mark.parametrize(
    "now, resent",
    [(0, True), (MAX_RETRANSMISSION_DELAY_MS, True), (MAX_RETRANSMISSION_DELAY_MS + 1, False)],
)
def test_not_resent_when_stored_too_long_ago(now, resent):
    for s, t in sweep():
        buffer = filled(s, t, count=5)
        items = buffer.retransmit_for_nack(now, (s + 2) & 0xFFFF, 0, 10)
        assert bool(items) is resent


# (timestamp of the requested packet, newest timestamp, clock rate, resent?)
TS_AGE_ROWS = [
    (0, 2000 * 90, 90000, True),
    (0, 2000 * 90 + 89, 90000, True),  # 2000.99 ms: whole ms, as mediasoup
    (0, 2001 * 90, 90000, False),
    (0, 2000 * 48, 48000, True),
    (0, 2001 * 48, 48000, False),
]


@pytest.mark.parametrize("ts, newest_ts, clock_rate, resent", TS_AGE_ROWS)
def test_not_resent_when_older_than_the_newest_timestamp_by_the_max_delay(
    ts, newest_ts, clock_rate, resent
):
    for s, t in sweep():
        buffer = RetransmissionBuffer(600, clock_rate)
        # Inserted newest first so that the old one is not at the front (not evicted).
        buffer.insert(0, (s + 1) & 0xFFFF, (t + newest_ts) & 0xFFFFFFFF, "new")
        buffer.insert(0, (s + 2) & 0xFFFF, (t + ts) & 0xFFFFFFFF, "old")
        items = buffer.retransmit_for_nack(10, (s + 2) & 0xFFFF, 0, 10)
        assert bool(items) is resent


def test_resend_state_stays_bounded_on_a_long_stream():
    """Every packet NACKed once over 20 windows: the per-seq resend state of packets no
    longer stored is forgotten (at most twice the window is kept)."""
    buffer = RetransmissionBuffer(100, CLOCK_RATE)
    for k in range(2000):
        seq = (0xFF00 + k) & 0xFFFF
        buffer.insert(k, seq, k, f"p{k}")
        assert [i.seq for i in buffer.retransmit_for_nack(k, seq, 0, 10)] == [seq]
        assert len(buffer._states) <= 200
    # The newest ones are still answered once per RTT.
    assert buffer.retransmit_for_nack(2000, (0xFF00 + 1999) & 0xFFFF, 0, 10) == []
    assert len(buffer.retransmit_for_nack(2011, (0xFF00 + 1999) & 0xFFFF, 0, 10)) == 1
