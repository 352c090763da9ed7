"""NackGenerator: rows of packets → NACKs, a fake clock for the timer, swept across the wrap."""

from __future__ import annotations

import random

import pytest

from pymediasoup_worker.core.nack_generator import (
    DEFAULT_RTT,
    MAX_NACK_PACKETS,
    MAX_NACK_RETRIES,
    MAX_PACKET_AGE,
    TIMER_INTERVAL,
    NackGenerator,
    NackResult,
    pack_nack_items,
)

SWEEP_16 = [s & 0xFFFF for s in range(0xFFF0, 0x10010)]


def rel(start: int, ks) -> tuple[int, ...]:
    return tuple((start + k) & 0xFFFF for k in ks)


# Each step: (seq, flags, nacks, key frame required, was nacked); seqs relative to the sweep
# start; flags: "k" key frame, "r" recovered through RTX. Then the NACK list length after.
Step = tuple[int, str, tuple[int, ...], bool, bool]
ROWS: dict[str, tuple[list[Step], int]] = {
    "no loss": (
        [(0, "", (), False, False), (1, "", (), False, False), (2, "", (), False, False)],
        0,
    ),
    "one lost": ([(0, "", (), False, False), (2, "", (1,), False, False)], 1),
    "a burst lost": ([(0, "", (), False, False), (5, "", (1, 2, 3, 4), False, False)], 4),
    "two gaps": (
        [(0, "", (), False, False), (2, "", (1,), False, False), (5, "", (3, 4), False, False)],
        3,
    ),
    "duplicate": ([(0, "", (), False, False), (0, "", (), False, False)], 0),
    "retransmission answers the NACK": (
        [(0, "", (), False, False), (3, "", (1, 2), False, False), (1, "", (), False, True)],
        1,
    ),
    "second copy of a retransmission": (
        [
            (0, "", (), False, False),
            (2, "", (1,), False, False),
            (1, "", (), False, True),
            (1, "", (), False, False),
        ],
        0,
    ),
    "out of order, never NACKed": (
        [(0, "", (), False, False), (1, "", (), False, False), (0, "", (), False, False)],
        0,
    ),
    "recovered through RTX after the NACK": (
        [(0, "", (), False, False), (3, "", (1, 2), False, False), (2, "r", (), False, True)],
        1,
    ),
    "recovered ahead of the media is not NACKed": (
        [
            (0, "", (), False, False),
            (3, "r", (), False, False),
            (5, "", (1, 2, 4), False, False),
        ],
        3,
    ),
    "recovered ahead does not move the last seq": (
        [(0, "", (), False, False), (3, "r", (), False, False), (1, "", (), False, False)],
        0,
    ),
    "half the space ahead counts as old": (
        [(0, "", (), False, False), (0x8001, "", (), False, False), (1, "", (), False, False)],
        0,
    ),
    "most a list can take": (
        [
            (0, "", (), False, False),
            (MAX_NACK_PACKETS + 1, "", tuple(range(1, MAX_NACK_PACKETS + 1)), False, False),
        ],
        MAX_NACK_PACKETS,
    ),
    "overflow without a key frame: cleared, key frame required": (
        [(0, "k", (), False, False), (MAX_NACK_PACKETS + 2, "", (), True, False)],
        0,
    ),
    "overflow given up to a key frame": (
        [
            (0, "", (), False, False),
            (600, "", tuple(range(1, 600)), False, False),
            (601, "k", (), False, False),
            (1100, "", tuple(range(602, 1100)), False, False),
        ],
        498,
    ),
    "overflow: older key frames tried first, then the next": (
        [
            (0, "k", (), False, False),
            (300, "", tuple(range(1, 300)), False, False),
            (301, "k", (), False, False),
            (900, "", tuple(range(302, 900)), False, False),
            (901, "k", (), False, False),
            # 897 pending + 499 new: up to key frame 301 is not enough, up to 901 is.
            (1401, "", tuple(range(902, 1401)), False, False),
        ],
        499,
    ),
    "overflow, the packet itself a key frame": (
        [
            (0, "", (), False, False),
            (500, "", tuple(range(1, 500)), False, False),
            (1100, "k", tuple(range(501, 1100)), False, False),
        ],
        599,
    ),
    "after the overflow the stream goes on": (
        [
            (0, "", (), False, False),
            (MAX_NACK_PACKETS + 2, "", (), True, False),
            (MAX_NACK_PACKETS + 4, "", (MAX_NACK_PACKETS + 3,), False, False),
        ],
        1,
    ),
}


def check_steps(generator, start, steps, now_ms=0):
    for seq, flags, nacks, key_frame_required, was_nacked in steps:
        result = generator.receive(now_ms, (start + seq) & 0xFFFF, "k" in flags, "r" in flags)
        assert result == NackResult(rel(start, nacks), key_frame_required, was_nacked), (
            start,
            seq,
        )


@pytest.mark.parametrize("steps, length", ROWS.values(), ids=ROWS.keys())
def test_rows_swept(steps, length):
    for start in SWEEP_16:
        generator = NackGenerator()
        check_steps(generator, start, steps)
        assert len(generator) == length


def test_first_packet_only_starts():
    generator = NackGenerator()
    assert generator.receive(0, 1234) == NackResult((), False, False)
    assert generator.last_seq == 1234 and len(generator) == 0
    assert generator.next_deadline() is None


@pytest.mark.parametrize("start", SWEEP_16)
def test_pending_older_than_max_packet_age_are_forgotten(start):
    generator = NackGenerator()
    check_steps(generator, start, [(0, "", (), False, False), (2, "", (1,), False, False)])
    for k in range(3, MAX_PACKET_AGE + 2):
        generator.receive(0, (start + k) & 0xFFFF)
    assert generator.nack_list == [(start + 1) & 0xFFFF]  # 10000 behind: still kept
    generator.receive(0, (start + MAX_PACKET_AGE + 2) & 0xFFFF)
    assert len(generator) == 0


# --- the timer -----------------------------------------------------------------------


class Clock:
    def __init__(self, now_ms: int = 0) -> None:
        self.now_ms = now_ms


def run_until(generator, clock, until_ms):
    """Fire the timer at each deadline up to ``until_ms``: [(time, seqs)] of the re-NACKs."""
    fired = []
    while (deadline := generator.next_deadline()) is not None and deadline <= until_ms:
        clock.now_ms = deadline
        seqs = generator.on_timer(clock.now_ms)
        if seqs:
            fired.append((clock.now_ms, seqs))
    clock.now_ms = until_ms
    return fired


# (rtt or None for the default, re-NACK times of one lost packet lost at t=0)
RENACK_ROWS = [
    # Every RTT on the 40 ms grid: 100 ms -> at 120, 240, ... ; 10 NACKs in all.
    (None, [120 * i for i in range(1, MAX_NACK_RETRIES)]),
    (40, [40 * i for i in range(1, MAX_NACK_RETRIES)]),
    (0, [40 * i for i in range(1, MAX_NACK_RETRIES)]),
    (41, [80 * i for i in range(1, MAX_NACK_RETRIES)]),
    (200, [200 * i for i in range(1, MAX_NACK_RETRIES)]),
]


@pytest.mark.parametrize("rtt, times", RENACK_ROWS)
@pytest.mark.parametrize("t0", [0, 1, 5_000_000_000])
def test_renack_schedule_and_max_retries(rtt, times, t0):
    for start in SWEEP_16:
        clock = Clock(t0)
        generator = NackGenerator()
        if rtt is not None:
            generator.update_rtt(rtt)
        generator.receive(clock.now_ms, start)
        lost = (start + 1) & 0xFFFF
        assert generator.receive(clock.now_ms, (start + 2) & 0xFFFF).nack_seqs == (lost,)
        assert generator.next_deadline() == t0 + TIMER_INTERVAL
        fired = run_until(generator, clock, t0 + 5000)
        assert fired == [(t0 + t, (lost,)) for t in times]
        assert len(generator) == 0  # given up after MAX_NACK_RETRIES
        assert generator.next_deadline() is None


def test_default_rtt():
    assert NackGenerator().rtt == DEFAULT_RTT == 100


def test_timer_is_not_restarted_by_later_losses():
    clock = Clock()
    generator = NackGenerator()
    generator.receive(0, 10)
    generator.receive(0, 12)  # 11 lost at 0
    assert generator.next_deadline() == 40
    generator.receive(30, 14)  # 13 lost at 30
    assert generator.next_deadline() == 40
    fired = run_until(generator, clock, 250)
    # 11 is due at 120 (sent at 0), 13 at 160 (sent at 30: 130 is not on the grid).
    assert fired == [(120, (11,)), (160, (13,)), (240, (11,))]


def test_early_or_spurious_timer_calls_do_nothing():
    generator = NackGenerator()
    assert generator.on_timer(1000) == ()
    generator.receive(0, 1)
    generator.receive(0, 3)
    assert generator.on_timer(39) == ()
    assert generator.next_deadline() == 40
    assert generator.on_timer(40) == ()  # due, but not yet an RTT since the NACK
    assert generator.next_deadline() == 80


def test_timer_stops_when_the_list_empties():
    generator = NackGenerator()
    generator.receive(0, 1)
    generator.receive(0, 3)
    assert generator.receive(20, 2).was_nacked
    # Like mediasoup's timer, it still fires once, finds nothing and is not re-armed.
    assert generator.next_deadline() == 40
    assert generator.on_timer(40) == ()
    assert generator.next_deadline() is None


def test_key_frame_required_does_not_start_the_timer():
    generator = NackGenerator()
    generator.receive(0, 0)
    assert generator.receive(0, MAX_NACK_PACKETS + 2).key_frame_required
    assert generator.next_deadline() is None


def test_reset():
    generator = NackGenerator()
    generator.receive(0, 100, is_keyframe=True)
    generator.receive(0, 105)
    generator.reset()
    assert len(generator) == 0 and generator.next_deadline() is None
    # The next packet starts over: no NACK for the gap from 105.
    assert generator.receive(0, 200) == NackResult((), False, False)
    assert generator.receive(0, 202).nack_seqs == (201,)


# --- packing into Generic NACK items ------------------------------------------------

PACK_ROWS = [
    ([], []),
    ([1], [(1, 0)]),
    ([1, 2, 3], [(1, 0b11)]),
    ([1, 3], [(1, 0b10)]),
    ([1, 17], [(1, 1 << 15)]),
    ([1, 18], [(1, 0), (18, 0)]),
    (list(range(1, 19)), [(1, 0xFFFF), (18, 0)]),
    ([0xFFFF, 0, 1], [(0xFFFF, 0b11)]),
    ([0xFFF0, 0xFFFF, 0], [(0xFFF0, (1 << 14) | (1 << 15))]),
    ([5, 30, 31, 47], [(5, 0), (30, 1), (47, 0)]),
]


@pytest.mark.parametrize("seqs, items", PACK_ROWS)
def test_pack_nack_items(seqs, items):
    assert pack_nack_items(seqs) == items


@pytest.mark.parametrize("start", SWEEP_16)
def test_pack_round_trip_swept(start):
    seqs = rel(start, [0, 1, 5, 16, 17, 40, 41, 56, 57, 58])
    unpacked = []
    for pid, blp in pack_nack_items(seqs):
        unpacked.append(pid)
        unpacked += [(pid + 1 + i) & 0xFFFF for i in range(16) if blp >> i & 1]
    assert tuple(unpacked) == seqs


# --- a lossy link in virtual time ------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_every_lost_packet_is_recovered_over_a_lossy_link(seed):
    """20 ms packets, 10% loss, 50 ms one way: the NACKs and retransmissions (lost 10% of
    the time too) fill every gap."""
    rng = random.Random(seed)
    start = rng.choice(SWEEP_16)
    generator = NackGenerator()
    generator.update_rtt(100)
    arrivals: list[tuple[int, int]] = []  # (arrival time, seq) in flight to the receiver
    received: set[int] = set()
    for k in range(500):
        if rng.random() > 0.1:
            arrivals.append((k * 20 + 50, k))

    nacked = []

    def nack(now_ms, seqs):
        nacked.extend(seqs)
        for seq in seqs:
            if rng.random() > 0.1:  # the NACK or its retransmission may be lost
                k = (seq - start) & 0xFFFF
                arrivals.append((now_ms + 100, k))

    now = 0
    while arrivals or generator.next_deadline() is not None:
        arrivals.sort()
        deadline = generator.next_deadline()
        if arrivals and (deadline is None or arrivals[0][0] <= deadline):
            now, k = arrivals.pop(0)
            received.add(k)
            nack(now, generator.receive(now, (start + k) & 0xFFFF).nack_seqs)
        else:
            now = deadline
            nack(now, generator.on_timer(now))
        assert now < 60_000
    # Packets before the first received one or after the last are not known to be lost.
    missing = set(range(min(received), max(received))) - received
    # Ten tries at 10% loss each: 1e-10 per lost packet.
    assert not missing
    assert len(nacked) > 20
