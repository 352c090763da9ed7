"""The packets an outgoing stream keeps to answer NACKs (mediasoup's RtpStreamSend buffer).

The buffer holds opaque items (the caller's packet copies) by 16-bit seq, in a ring. It covers at
most ``max_items`` consecutive seqs, from the oldest kept (``start_seq``) to the newest;
older packets are evicted when a newer one needs the room, and whenever they are more
than ``max_retransmission_delay_ms`` older (in RTP time) than the newest timestamp seen.

``retransmit_for_nack(now_ms, pid, blp, rtt_ms)`` returns the stored items a Generic NACK
item asks for that may be resent: known, not too old, and not already resent within the
last RTT. It marks them resent; the caller RTX-encodes (``item.rtx_encoded`` tells whether
that was done on an earlier resend), sends, and counts a repair when ``item.sent_times``
is 1.
"""

from __future__ import annotations

from typing import Any

from .seq import MAX_VALUE_32, is_seq_lower_than

# Don't retransmit packets older than this (ms), as mediasoup.
MAX_RETRANSMISSION_DELAY_MS = 2000
# RTT assumed while none is known (ms), as mediasoup.
DEFAULT_RTT = 100
# One Generic NACK item asks for its PID and up to 16 more.
MAX_REQUESTED_PACKETS = 17


class StorageItem:
    """A stored packet and its retransmission state."""

    __slots__ = ("packet", "seq", "timestamp", "stored_at_ms", "resent_at_ms", "sent_times", "rtx_encoded")  # fmt: skip

    def __init__(self, packet: Any, seq: int, timestamp: int, stored_at_ms: int) -> None:
        self.packet = packet
        self.seq = seq
        self.timestamp = timestamp
        self.stored_at_ms = stored_at_ms
        self.resent_at_ms: int | None = None
        self.sent_times = 0
        self.rtx_encoded = False

    def __repr__(self) -> str:
        return (
            f"StorageItem(seq={self.seq}, timestamp={self.timestamp}, "
            f"sent_times={self.sent_times}, resent_at_ms={self.resent_at_ms})"
        )


class RetransmissionBuffer:
    __slots__ = (
        "max_items", "max_retransmission_delay_ms", "clock_rate", "_max_age_ts", "_slots",
        "_timestamps", "_stored_at", "_mask", "_count", "_states", "_start_seq", "_newest_seq",
        "_max_timestamp",
    )  # fmt: skip

    def __init__(
        self,
        max_items: int,
        clock_rate: int,
        max_retransmission_delay_ms: int = MAX_RETRANSMISSION_DELAY_MS,
    ) -> None:
        if not 0 < max_items <= 0x8000:
            raise ValueError(f"max_items must be in 1..32768, not {max_items!r}")
        if clock_rate <= 0:
            raise ValueError(f"clock_rate must be positive, not {clock_rate!r}")
        # Fixed at construction.
        self.max_items = max_items
        self.clock_rate = clock_rate
        self.max_retransmission_delay_ms = max_retransmission_delay_ms
        # The largest timestamp difference not over the max delay in whole ms, as mediasoup
        # (diff_ts * 1000 // clock_rate <= max_delay).
        self._max_age_ts = ((max_retransmission_delay_ms + 1) * clock_rate - 1) // 1000
        # A ring indexed by seq & mask (a power of two >= max_items), as three parallel
        # lists: packet (None: empty slot), timestamp, stored_at_ms (no tuple allocated
        # per insert, nothing for the cyclic GC to count). Every filled slot holds a seq
        # in start..newest, a span shorter than max_items, so no two stored seqs share a
        # slot. Allocated on the first insert (an idle consumer keeps no lists).
        self._mask = (1 << (max_items - 1).bit_length()) - 1
        self._slots: list[Any] = []
        self._timestamps: list[int] = []
        self._stored_at: list[int] = []
        self._count = 0
        # A StorageItem is built only for a seq that get() or a NACK asks for.
        self._states: dict[int, StorageItem] = {}
        # Both meaningful only when the buffer is not empty; _start_seq is always stored.
        self._start_seq = 0
        self._newest_seq = 0
        # Highest RTP timestamp seen (32-bit wrap aware); None until the first packet.
        self._max_timestamp: int | None = None

    def __len__(self) -> int:
        return self._count

    @property
    def start_seq(self) -> int | None:
        return self._start_seq if self._count else None

    @property
    def newest_seq(self) -> int | None:
        return self._newest_seq if self._count else None

    @property
    def max_timestamp(self) -> int | None:
        return self._max_timestamp

    def get(self, seq: int) -> StorageItem | None:
        item = self._states.get(seq)
        if item is None:
            if not self._count:
                return None
            start = self._start_seq
            if (seq - start) & 0xFFFF > (self._newest_seq - start) & 0xFFFF:
                return None
            i = seq & self._mask
            packet = self._slots[i]
            if packet is None:
                return None
            item = StorageItem(packet, seq, self._timestamps[i], self._stored_at[i])
            self._states[seq] = item
        return item

    def seqs(self) -> list[int]:
        """The stored seqs, oldest first (for tests and dumps)."""
        if not self._count:
            return []
        slots, mask, start = self._slots, self._mask, self._start_seq
        span = ((self._newest_seq - start) & 0xFFFF) + 1
        seqs = ((start + i) & 0xFFFF for i in range(span))
        return [s for s in seqs if slots[s & mask] is not None]

    def clear(self) -> None:
        """Forget every packet (mediasoup clears it when the stream pauses)."""
        self._slots = []
        self._timestamps = []
        self._stored_at = []
        self._count = 0
        self._states.clear()
        self._max_timestamp = None

    def _allocate(self) -> list[Any]:
        size = self._mask + 1
        self._timestamps = [0] * size
        self._stored_at = [0] * size
        self._slots = [None] * size
        return self._slots

    def insert(self, now_ms: int, seq: int, timestamp: int, packet: Any) -> bool:
        """Store ``packet``. Returns False when it is not stored (duplicate or too old).

        Per packet per consumer: the common case (newer than the newest, the oldest
        evicted to make room) is inlined.
        """
        slots = self._slots
        mask = self._mask
        newest = self._newest_seq
        ahead = (seq - newest) & 0xFFFF
        if ahead == 1 and self._count and (seq - self._start_seq) & 0xFFFF < self.max_items:
            # The next seq, with room in the span: the steady state, nothing to evict here.
            self._newest_seq = seq
        elif not self._count:
            if not slots:
                slots = self._allocate()
            self._start_seq = self._newest_seq = seq
        elif 0 < ahead < 0x8000 or (ahead == 0x8000 and seq < newest):
            # Newer than the newest (is_seq_higher_than, inlined).
            max_items = self.max_items
            if ahead >= max_items:
                # A jump beyond the buffer: nothing kept is near it.
                slots = self._allocate()
                self._count = 0
                self._states.clear()
                self._start_seq = seq
            else:
                # Make room: the span start..seq must fit in max_items. The newest item
                # is within it, so this loop ends before the buffer empties.
                start = self._start_seq
                if (seq - start) & 0xFFFF >= max_items:
                    states = self._states
                    while True:
                        slots[start & mask] = None
                        self._count -= 1
                        if states:
                            states.pop(start, None)
                        start = (start + 1) & 0xFFFF
                        while slots[start & mask] is None:
                            start = (start + 1) & 0xFFFF
                        if (seq - start) & 0xFFFF < max_items:
                            break
                    self._start_seq = start
            self._newest_seq = seq
        elif is_seq_lower_than(seq, self._start_seq):
            if ((newest - seq) & 0xFFFF) >= self.max_items:
                return False  # older than the buffer can reach
            self._start_seq = seq
        else:
            if slots[seq & mask] is not None:
                if self._timestamps[seq & mask] == timestamp:
                    return False  # a duplicate
                # A new packet reuses the seq (mediasoup replaces it).
                self._count -= 1
                self._states.pop(seq, None)

        index = seq & mask
        slots[index] = packet
        timestamps = self._timestamps
        timestamps[index] = timestamp
        self._stored_at[index] = now_ms
        self._count += 1
        max_ts = self._max_timestamp
        if max_ts is None:
            self._max_timestamp = max_ts = timestamp
        else:
            # is_seq_higher_than(timestamp, max_ts, MAX_VALUE_32), inlined.
            d = (timestamp - max_ts) & MAX_VALUE_32
            if 0 < d < 0x80000000 or (d == 0x80000000 and timestamp < max_ts):
                self._max_timestamp = max_ts = timestamp
        # Evict from the front what is now too old (_is_older_than_max_delay, inlined).
        max_age_ts = self._max_age_ts
        start = self._start_seq
        diff_ts = (max_ts - timestamps[start & mask]) & MAX_VALUE_32
        if max_age_ts < diff_ts <= MAX_VALUE_32 >> 1:
            # _remove_start() until the front is young enough, inlined (about one
            # eviction per insert in a steady stream).
            states = self._states
            count = self._count
            while True:
                slots[start & mask] = None
                count -= 1
                if states:
                    states.pop(start, None)
                if not count:
                    break
                start = (start + 1) & 0xFFFF
                while slots[start & mask] is None:
                    start = (start + 1) & 0xFFFF
                diff_ts = (max_ts - timestamps[start & mask]) & MAX_VALUE_32
                if diff_ts <= max_age_ts or diff_ts > MAX_VALUE_32 >> 1:
                    break
            self._count = count
            self._start_seq = start
            return slots[index] is not None
        return True

    def retransmit_for_nack(
        self, now_ms: int, pid: int, blp: int, rtt_ms: float = 0
    ) -> list[StorageItem]:
        """The items to resend for one NACK item (PID + bitmask of the 16 following seqs).

        ``rtt_ms`` 0 means unknown: ``DEFAULT_RTT`` is used. An item resent less than (or
        exactly) an RTT ago is not resent again.
        """
        rtt = int(rtt_ms) or DEFAULT_RTT
        get = self.get
        result: list[StorageItem] = []
        seq = pid
        requested = True
        while requested or blp:
            if requested:
                item = get(seq)
                if (
                    item is not None
                    and not self._is_too_old(item, now_ms)
                    and (item.resent_at_ms is None or now_ms - item.resent_at_ms > rtt)
                ):
                    item.resent_at_ms = now_ms
                    item.sent_times += 1
                    result.append(item)
            requested = bool(blp & 1)
            blp >>= 1
            seq = (seq + 1) & 0xFFFF
        return result

    # --- internals ---

    def _is_too_old(self, item: StorageItem, now_ms: int) -> bool:
        if now_ms - item.stored_at_ms > self.max_retransmission_delay_ms:
            return True
        return self._is_older_than_max_delay(item.timestamp)

    def _is_older_than_max_delay(self, timestamp: int) -> bool:
        """Whether ``timestamp`` is more than the max delay behind the highest one seen.

        In whole milliseconds, as mediasoup (``diff_ts * 1000 / clock_rate`` truncated).
        """
        max_ts = self._max_timestamp
        if max_ts is None:
            return False
        diff_ts = (max_ts - timestamp) & MAX_VALUE_32
        # Newer than the highest (diff over half the space) is not old.
        return self._max_age_ts < diff_ts <= MAX_VALUE_32 >> 1
