"""Byte counters and bitrates over a sliding window, as mediasoup's RTC::RateCalculator.

Sans-IO: every call takes ``now_ms`` (a monotonic clock in milliseconds, never going
backwards). The window is split into ``window_items`` slots of ``window_size_ms /
window_items`` ms each; a rate is the sum of the slots still inside the window,
scaled (bits per second by default) and rounded half up.
"""

from __future__ import annotations

DEFAULT_WINDOW_SIZE_MS = 1000
DEFAULT_BPS_SCALE = 8000.0
DEFAULT_WINDOW_ITEMS = 100


class RateCalculator:
    __slots__ = (
        "window_size_ms", "scale", "window_items", "item_size_ms", "bytes",
        "_counts", "_times", "_newest_index", "_newest_start", "_oldest_index",
        "_oldest_start", "_total", "_last_rate", "_last_time", "slot_end_ms",
    )  # fmt: skip

    def __init__(
        self,
        window_size_ms: int = DEFAULT_WINDOW_SIZE_MS,
        scale: float = DEFAULT_BPS_SCALE,
        window_items: int = DEFAULT_WINDOW_ITEMS,
    ) -> None:
        self.window_size_ms = window_size_ms
        self.scale = scale
        self.window_items = window_items
        self.item_size_ms = max(window_size_ms // window_items, 1)
        # Every byte ever counted (mediasoup's GetBytes()), not only the window's.
        self.bytes = 0
        self._reset()

    def _reset(self) -> None:
        self._counts = [0] * self.window_items
        self._times = [0] * self.window_items
        self._newest_index = -1
        self._newest_start = 0
        self._oldest_index = -1
        self._oldest_start = 0
        self._total = 0
        self._last_rate = 0
        self._last_time = -1  # no rate computed yet: a time get_rate() is never given
        # update() takes the fast path (add to the newest slot, nothing to expire) while
        # _newest_start <= now_ms < slot_end_ms. A caller that just called update(size,
        # t) may sum what it would add before slot_end_ms and add it at t in one call:
        # the same result (the per-packet counters of the send path do).
        self.slot_end_ms = 0

    def update(self, size: int, now_ms: int) -> None:
        if self._newest_start <= now_ms < self.slot_end_ms:
            # Per packet, often several times: the same slot, nothing expired.
            self.bytes += size
            self._counts[self._newest_index] += size
            self._total += size
            self._last_time = -1  # get_rate() recomputes
            return
        if now_ms < self._oldest_start:
            return  # older than the window: cannot happen with a monotonic clock
        self.bytes += size
        self._remove_old_data(now_ms)
        if self._newest_index < 0 or now_ms - self._newest_start >= self.item_size_ms:
            # A new slot.
            self._newest_index += 1
            self._newest_start = now_ms
            if self._newest_index >= self.window_items:
                self._newest_index = 0
            if self._newest_index == self._oldest_index and self._oldest_index != -1:
                # The ring is full: drop the oldest slot.
                self._total -= self._counts[self._oldest_index]
                self._counts[self._oldest_index] = 0
                self._times[self._oldest_index] = 0
                self._oldest_index = (self._oldest_index + 1) % self.window_items
            self._counts[self._newest_index] = size
            self._times[self._newest_index] = now_ms
        else:
            self._counts[self._newest_index] += size
        if self._oldest_index < 0:
            self._oldest_index = self._newest_index
            self._oldest_start = now_ms
        self._total += size
        # Recompute on the next get_rate(), even at the same now_ms.
        self._last_time = -1
        # Same slot until item_size_ms passed; nothing to expire until the oldest slot
        # leaves the window (_remove_old_data only moves _oldest_start forward).
        self.slot_end_ms = min(
            self._newest_start + self.item_size_ms, self._oldest_start + self.window_size_ms + 1
        )

    def get_rate(self, now_ms: int) -> int:
        if now_ms == self._last_time:
            return self._last_rate
        self._remove_old_data(now_ms)
        self._last_time = now_ms
        self._last_rate = int(self._total * (self.scale / self.window_size_ms) + 0.5)
        return self._last_rate

    def _remove_old_data(self, now_ms: int) -> None:
        if self._newest_index < 0 or self._oldest_index < 0:
            return
        new_oldest_time = now_ms - self.window_size_ms
        if new_oldest_time <= self._oldest_start:
            return
        if new_oldest_time > self._newest_start:
            # A whole window passed since the last update.
            self._reset()
            return
        while self._oldest_start < new_oldest_time:
            self._total -= self._counts[self._oldest_index]
            self._counts[self._oldest_index] = 0
            self._times[self._oldest_index] = 0
            self._oldest_index = (self._oldest_index + 1) % self.window_items
            self._oldest_start = self._times[self._oldest_index]


class BatchedRate:
    """Bytes counted per packet, added to a RateCalculator once per rate slot.

    The per-packet step is inlined by the caller (no call while the slot lasts)::

        if now_ms < batch.until:
            batch.pending += size
        else:
            batch.add(size, now_ms)

    Every packet inside ``[rate's newest slot start, until)`` lands in the same slot, so
    adding their sum at the first one's time gives the same counts and rates as one
    ``update()`` each. Call ``flush()`` before reading ``rate``.
    """

    __slots__ = ("rate", "pending", "pending_ms", "until")

    def __init__(self, rate: RateCalculator) -> None:
        self.rate = rate
        self.pending = 0
        self.pending_ms = -1
        self.until = 0

    def add(self, size: int, now_ms: int) -> None:
        """``size`` bytes at ``now_ms``, past the batch's slot: flush, count them, and
        batch what follows until the rate calculator's slot ends."""
        rate = self.rate
        if self.pending:
            rate.update(self.pending, self.pending_ms)
            self.pending = 0
        rate.update(size, now_ms)
        self.pending_ms = now_ms
        self.until = rate.slot_end_ms

    def flush(self) -> None:
        if self.pending:
            self.rate.update(self.pending, self.pending_ms)
            self.pending = 0


class RtpDataCounter:
    """Packets, bytes and bitrate of an RTP flow (mediasoup's RTC::RtpDataCounter)."""

    __slots__ = ("rate", "packets")

    def __init__(self, window_size_ms: int = 2500) -> None:
        self.rate = RateCalculator(window_size_ms)
        self.packets = 0

    def update(self, size: int, now_ms: int) -> None:
        self.packets += 1
        self.rate.update(size, now_ms)

    def get_bitrate(self, now_ms: int) -> int:
        return self.rate.get_rate(now_ms)

    @property
    def bytes(self) -> int:
        return self.rate.bytes
