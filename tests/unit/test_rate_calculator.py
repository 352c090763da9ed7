"""RateCalculator / RtpDataCounter: bytes and bitrates over a sliding window (virtual time)."""

from __future__ import annotations

import pytest

from pymediasoup_worker.core.rate_calculator import RateCalculator, RtpDataCounter

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
