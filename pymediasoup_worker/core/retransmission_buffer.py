"""The packets an outgoing stream keeps to answer NACKs (mediasoup's RtpStreamSend buffer).

The buffer holds opaque items (the caller's packet copies) by 16-bit seq. It covers at
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
        "max_items", "max_retransmission_delay_ms", "clock_rate", "_max_age_ts", "_items",
        "_states", "_start_seq", "_newest_seq", "_max_timestamp",
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
        # seq -> (packet, timestamp, stored_at_ms): a tuple per insert, the hot path (a
        # StorageItem is built only for a seq that get() or a NACK asks for, in _states).
        self._items: dict[int, tuple[Any, int, int]] = {}
        self._states: dict[int, StorageItem] = {}
        # Both meaningful only when _items is not empty; _start_seq is always a stored seq.
        self._start_seq = 0
        self._newest_seq = 0
        # Highest RTP timestamp seen (32-bit wrap aware); None until the first packet.
        self._max_timestamp: int | None = None

    def __len__(self) -> int:
        return len(self._items)

    @property
    def start_seq(self) -> int | None:
        return self._start_seq if self._items else None

    @property
    def newest_seq(self) -> int | None:
        return self._newest_seq if self._items else None

    @property
    def max_timestamp(self) -> int | None:
        return self._max_timestamp

    def get(self, seq: int) -> StorageItem | None:
        item = self._states.get(seq)
        if item is None:
            entry = self._items.get(seq)
            if entry is None:
                return None
            item = self._states[seq] = StorageItem(entry[0], seq, entry[1], entry[2])
        return item

    def seqs(self) -> list[int]:
        """The stored seqs, oldest first (for tests and dumps)."""
        items = self._items
        if not items:
            return []
        span = ((self._newest_seq - self._start_seq) & 0xFFFF) + 1
        start = self._start_seq
        return [s for s in ((start + i) & 0xFFFF for i in range(span)) if s in items]

    def clear(self) -> None:
        """Forget every packet (mediasoup clears it when the stream pauses)."""
        self._items.clear()
        self._states.clear()
        self._max_timestamp = None

    def insert(self, now_ms: int, seq: int, timestamp: int, packet: Any) -> bool:
        """Store ``packet``. Returns False when it is not stored (duplicate or too old).

        Per packet per consumer: the common case (newer than the newest, the oldest
        evicted to make room) is inlined.
        """
        items = self._items
        newest = self._newest_seq
        ahead = (seq - newest) & 0xFFFF
        if not items:
            self._start_seq = self._newest_seq = seq
        elif 0 < ahead < 0x8000 or (ahead == 0x8000 and seq < newest):
            # Newer than the newest (is_seq_higher_than, inlined).
            max_items = self.max_items
            if ahead >= max_items:
                items.clear()  # a jump beyond the buffer: nothing kept is near it
                self._states.clear()
                self._start_seq = seq
            else:
                # Make room: the span start..seq must fit in max_items. The newest item
                # is within it, so these loops end before the dict empties.
                start = self._start_seq
                if (seq - start) & 0xFFFF >= max_items:
                    states = self._states
                    while True:
                        del items[start]
                        if states:
                            states.pop(start, None)
                        start = (start + 1) & 0xFFFF
                        while start not in items:
                            start = (start + 1) & 0xFFFF
                        if (seq - start) & 0xFFFF < max_items:
                            break
                    self._start_seq = start
            self._newest_seq = seq
        elif is_seq_lower_than(seq, self._start_seq):
            if ((self._newest_seq - seq) & 0xFFFF) >= self.max_items:
                return False  # older than the buffer can reach
            self._start_seq = seq
        else:
            stored = items.get(seq)
            if stored is not None and stored[1] == timestamp:
                return False  # a duplicate
            # Otherwise a new packet reuses the seq (mediasoup replaces it).
            self._states.pop(seq, None)

        items[seq] = (packet, timestamp, now_ms)
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
        diff_ts = (max_ts - items[self._start_seq][1]) & MAX_VALUE_32
        if max_age_ts < diff_ts <= MAX_VALUE_32 >> 1:
            while items:
                diff_ts = (max_ts - items[self._start_seq][1]) & MAX_VALUE_32
                if diff_ts <= max_age_ts or diff_ts > MAX_VALUE_32 >> 1:
                    break
                self._remove_start()
        return seq in items

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

    def _remove_start(self) -> None:
        """Evict the oldest item and move start_seq to the next stored one."""
        items = self._items
        del items[self._start_seq]
        if self._states:
            self._states.pop(self._start_seq, None)
        if not items:
            return
        seq = self._start_seq
        while True:
            seq = (seq + 1) & 0xFFFF
            if seq in items:
                self._start_seq = seq
                return
