"""RateCalculator / RtpDataCounter: bytes and bitrates over a sliding window (virtual time)."""

from __future__ import annotations

import pytest

from pymediasoup_worker.core.rate_calculator import BatchedRate, RateCalculator, RtpDataCounter

# (window ms, updates as (now_ms, size), query now_ms, expected rate, expected total bytes)
ROWS = [
    pytest.param(1000, [], 0, 0, 0, id="empty"),
    pytest.param(1000, [(1000, 1000)], 1000, 8000, 1000, id="one-kilobyte-is-8-kbps"),
    pytest.param(1000, [(1000, 500), (1005, 500)], 1500, 8000, 1000, id="same-slot"),
    pytest.param(1000, [(1000, 500), (1500, 500)], 1999, 8000, 1000, id="inside-window"),
    pytest.param(1000, [(1000, 500), (1500, 500)], 2001, 4000, 1000, id="oldest-slot-expired"),
    pytest.param(1000, [(1000, 500), (1500, 500)], 2600, 0, 1000, id="whole-window-expired"),
    pytest.param(2500, [(0, 1250)], 100, 4000, 1250, id="rtp-window-2500ms"),
    pytest.param(100, [(0, 10), (50, 10)], 99, 1600, 20, id="probation-window-100ms"),
    pytest.param(1000, [(t, 100) for t in range(0, 3000, 10)], 3000, 80000, 30000, id="steady"),
]


@pytest.mark.parametrize(("window", "updates", "now", "rate", "total"), ROWS)
def test_rate(window: int, updates: list[tuple[int, int]], now: int, rate: int, total: int) -> None:
    calc = RateCalculator(window)
    for at, size in updates:
        calc.update(size, at)
    assert calc.get_rate(now) == rate
    assert calc.bytes == total


def test_rate_cached_per_now_until_update() -> None:
    calc = RateCalculator()
    calc.update(100, 10)
    assert calc.get_rate(20) == 800
    calc.update(100, 20)  # same now: the cache must not hide it
    assert calc.get_rate(20) == 1600


def test_ring_wraps_without_losing_the_window() -> None:
    # 100 slots of 10 ms: updates every 10 ms for 10 s keep exactly one window's worth.
    calc = RateCalculator()
    for at in range(0, 10000, 10):
        calc.update(10, at)
    assert calc.get_rate(9990) == 8000  # 1000 bytes in the last second
    assert calc.bytes == 10000


def test_rtp_data_counter() -> None:
    counter = RtpDataCounter()
    for at in range(0, 400, 10):
        counter.update(60, at)
    assert counter.packets == 40
    assert counter.bytes == 2400
    assert counter.get_bitrate(400) == 7680  # 2400 bytes * 8 / 2.5 s


# Packets as (gap ms, size): inside one slot, across slot ends, past a whole window.
BATCH_ROWS = [
    pytest.param(1000, [(0, 100)] * 30, id="one-slot"),
    pytest.param(1000, [(1, 100), (9, 50), (1, 70), (10, 10), (0, 5), (11, 1)], id="slot-ends"),
    pytest.param(1000, [(3, 1200)] * 700, id="steady-past-the-window"),
    pytest.param(1000, [(0, 9), (1000, 8), (0, 7), (1001, 6), (999, 5), (1, 4)], id="idle-windows"),
    pytest.param(2500, [(7, 1000)] * 500, id="rtp-window"),
    pytest.param(100, [(0, 10), (50, 10), (51, 10), (1, 10), (100, 10)], id="probation-window"),
]


@pytest.mark.parametrize(("window", "packets"), BATCH_ROWS)
@pytest.mark.parametrize("read_every", [0, 1, 5])
def test_batched_rate_reads_as_one_update_per_packet(
    window: int, packets: list[tuple[int, int]], read_every: int
) -> None:
    """BatchedRate, its per-packet step inlined as its callers do, against one update()
    per packet: the same bytes and rates, whether read after every packet or once."""
    reference = RateCalculator(window)
    batch = BatchedRate(RateCalculator(window))
    now = 50_000
    for i, (gap, size) in enumerate(packets):
        now += gap
        reference.update(size, now)
        if now < batch.until:
            batch.pending += size
        else:
            batch.add(size, now)
        if read_every and i % read_every == 0:
            batch.flush()
            assert (batch.rate.bytes, batch.rate.get_rate(now)) == (
                reference.bytes,
                reference.get_rate(now),
            )
    for later in (0, 1, window // 2, window + 1):
        batch.flush()
        assert batch.pending == 0
        assert (batch.rate.bytes, batch.rate.get_rate(now + later)) == (
            reference.bytes,
            reference.get_rate(now + later),
        )
