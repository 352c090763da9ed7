"""The packets an outgoing stream keeps to answer NACKs (mediasoup's RtpStreamSend buffer).

The buffer holds records ``(packet, timestamp, stored_at_ms)`` by 16-bit seq, in a ring;
``packet`` is opaque (the caller's copy of the bytes). A record may be shared by the
buffers of several streams (a SimpleConsumer's packets share one per received packet).
It answers for the ``max_items`` consecutive seqs up to the newest stored; older packets
are forgotten when newer ones need the room, and when they are more than
``max_retransmission_delay_ms`` older (in RTP time) than the highest timestamp seen.

Storing is the per packet per consumer step, so it does the least: the record and its
seq go into the slot, the newest seq moves. What falls out of the window is found out
when asked (``get``, ``seqs``, a NACK), not evicted on every insert.

``retransmit_for_nack(now_ms, pid, blp, rtt_ms)`` returns the stored items a Generic NACK
item asks for that may be resent: known, not too old, and not already resent within the
last RTT. It marks them resent; the caller RTX-encodes (``item.rtx_encoded`` tells whether
that was done on an earlier resend), sends, and counts a repair when ``item.sent_times``
is 1.
"""

from __future__ import annotations

from typing import Any

from .seq import MAX_VALUE_32

# Don't retransmit packets older than this (ms), as mediasoup.
MAX_RETRANSMISSION_DELAY_MS = 2000
# RTT assumed while none is known (ms), as mediasoup.
DEFAULT_RTT = 100
# One Generic NACK item asks for its PID and up to 16 more.
MAX_REQUESTED_PACKETS = 17

_HALF_32 = MAX_VALUE_32 >> 1


class StorageItem:
    """A stored packet and its retransmission state."""

    __slots__ = (
        "record", "packet", "seq", "timestamp", "stored_at_ms", "resent_at_ms", "sent_times",
        "rtx_encoded",
    )  # fmt: skip

    def __init__(self, record: tuple[Any, int, int], seq: int) -> None:
        # The buffer's record this state is about (a newer packet at the seq: a new item).
        self.record = record
        packet, timestamp, stored_at_ms = record
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
        "max_items", "max_retransmission_delay_ms", "clock_rate", "max_timestamp", "_max_age_ts",
        "_mask", "_records", "_seqs", "_newest_seq", "_states",
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
        # Highest RTP timestamp seen (32-bit wrap aware), None until the first packet:
        # kept by insert(), or by the owner that calls store() (RtpStreamSend tracks it).
        self.max_timestamp: int | None = None
        # A ring indexed by seq & mask (a power of two >= max_items): the record and the
        # seq it is for (a slot may still hold a seq a ring's length older). Allocated on
        # the first store (an idle consumer keeps no lists); empty: nothing stored.
        self._mask = (1 << (max_items - 1).bit_length()) - 1
        self._records: list[Any] = []
        self._seqs: list[int] = []
        self._newest_seq = 0
        # A StorageItem (resend state) is built only for a seq that get() or a NACK asks for.
        self._states: dict[int, StorageItem] = {}

    def __len__(self) -> int:
        return len(self.seqs())

    @property
    def start_seq(self) -> int | None:
        seqs = self.seqs()
        return seqs[0] if seqs else None

    @property
    def newest_seq(self) -> int | None:
        seqs = self.seqs()
        return seqs[-1] if seqs else None

    def get(self, seq: int) -> StorageItem | None:
        """The stored packet for ``seq`` (and its resend state), None if not stored."""
        record = self._record(seq)
        if record is None:
            return None
        item = self._states.get(seq)
        if item is None or item.record is not record:
            states = self._states
            if len(states) >= 2 * self.max_items:
                self._prune_states()
            item = states[seq] = StorageItem(record, seq)
        return item

    def seqs(self) -> list[int]:
        """The stored seqs, oldest first (for tests and dumps)."""
        if not self._records:
            return []
        newest = self._newest_seq
        seqs = ((newest - k) & 0xFFFF for k in range(self.max_items - 1, -1, -1))
        return [s for s in seqs if self._record(s) is not None]

    def clear(self) -> None:
        """Forget every packet (mediasoup clears it when the stream pauses)."""
        self._records = []
        self._seqs = []
        self._states.clear()
        self.max_timestamp = None

    def store(self, seq: int, record: tuple[Any, int, int]) -> bool:
        """Store ``record``, ``(packet, timestamp, stored_at_ms)``, for ``seq``. Returns
        False when it is not stored (a duplicate, or older than the buffer reaches).

        The caller keeps max_timestamp (see insert()). Per packet per consumer: a seq
        after the newest and within reach of it takes the first branch.
        """
        ahead = (seq - self._newest_seq) & 0xFFFF
        if 0 < ahead < self.max_items and self._records:
            index = seq & self._mask
            self._records[index] = record
            self._seqs[index] = seq
            self._newest_seq = seq
            return True
        return self._store_other(seq, record, ahead)

    def insert(self, now_ms: int, seq: int, timestamp: int, packet: Any) -> bool:
        """store() of a packet of its own, keeping max_timestamp."""
        max_ts = self.max_timestamp
        if max_ts is None or 0 < (timestamp - max_ts) & MAX_VALUE_32 < 0x80000000:
            self.max_timestamp = timestamp
        return self.store(seq, (packet, timestamp, now_ms))

    def retransmit_for_nack(
        self, now_ms: int, pid: int, blp: int, rtt_ms: float = 0
    ) -> list[StorageItem]:
        """The items to resend for one NACK item (PID + bitmask of the 16 following seqs).

        ``rtt_ms`` 0 means unknown: ``DEFAULT_RTT`` is used. An item resent less than (or
        exactly) an RTT ago is not resent again.
        """
        rtt = int(rtt_ms) or DEFAULT_RTT
        get = self.get
        max_delay_ms = self.max_retransmission_delay_ms
        result: list[StorageItem] = []
        seq = pid
        requested = True
        while requested or blp:
            if requested:
                item = get(seq)
                if (
                    item is not None
                    and now_ms - item.stored_at_ms <= max_delay_ms
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

    def _store_other(self, seq: int, record: tuple[Any, int, int], ahead: int) -> bool:
        """store() but for its steady state: the first packet, a jump, the same seq, an
        older one."""
        if not self._records or (
            ahead and (ahead < 0x8000 or (ahead == 0x8000 and seq < self._newest_seq))
        ):
            # The first packet, or a jump beyond the buffer (nothing kept is near it).
            size = self._mask + 1
            self._records = [None] * size
            self._seqs = [-1] * size
            self._states.clear()
            self._newest_seq = seq
        elif ahead == 0 or (self._newest_seq - seq) & 0xFFFF < self.max_items:
            # The newest again, or an older one within reach.
            if self._is_older_than_max_delay(record[1]):
                return False  # too old on arrival
            previous = self._record(seq)
            if previous is not None:
                if previous[1] == record[1]:
                    return False  # a duplicate
                self._states.pop(seq, None)  # a new packet reuses the seq (replaced)
        else:
            return False  # older than the buffer can reach
        index = seq & self._mask
        self._records[index] = record
        self._seqs[index] = seq
        return True

    def _record(self, seq: int) -> tuple[Any, int, int] | None:
        """The record stored for ``seq``, if it is within reach and not too old."""
        if not self._records or (self._newest_seq - seq) & 0xFFFF >= self.max_items:
            return None
        index = seq & self._mask
        record = self._records[index]
        if record is None or self._seqs[index] != seq:
            return None
        if self._is_older_than_max_delay(record[1]):
            return None
        return record  # type: ignore[no-any-return]

    def _prune_states(self) -> None:
        """Forget the resend state of seqs no longer stored (bounds the dict)."""
        for seq in [s for s, item in self._states.items() if self._record(s) is not item.record]:
            del self._states[seq]

    def _is_older_than_max_delay(self, timestamp: int) -> bool:
        """Whether ``timestamp`` is more than the max delay behind the highest one seen.

        In whole milliseconds, as mediasoup (``diff_ts * 1000 / clock_rate`` truncated).
        """
        max_ts = self.max_timestamp
        if max_ts is None:
            return False
        diff_ts = (max_ts - timestamp) & MAX_VALUE_32
        # Newer than the highest (diff over half the space) is not old.
        return self._max_age_ts < diff_ts <= _HALF_32
