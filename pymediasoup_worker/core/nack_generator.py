"""Which lost RTP packets to ask for again, as mediasoup's RTC::NackGenerator.

Sans-IO: ``receive(now_ms, seq, is_keyframe, is_recovered)`` for each packet of the
stream (media, or media recovered from RTX) returns a ``NackResult``: the 16-bit seqs to
NACK now (oldest first), whether a key frame is required, and whether the packet answered
a NACK. ``on_timer(now_ms)``, once ``next_deadline()`` is reached, returns the seqs to NACK
again. ``pack_nack_items()`` turns seqs into (PID, BLP) pairs for a Generic NACK.

Behaviour and constants are mediasoup's: a gap is NACKed at once, then again every RTT
(100 ms until told) on a 40 ms timer, at most 10 times per seq; seqs more than 10000 behind
are forgotten; when more than 1000 would be pending, the oldest are given up up to a key
frame, and if that is not enough the list is cleared and a key frame is required.

Seqs are kept unwrapped (extended to plain ints, relative to the last seq seen) so that
every list is ordered by ``<`` and the wrap at 0xFFFF needs no special case.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import NamedTuple

MAX_PACKET_AGE = 10000
MAX_NACK_PACKETS = 1000
DEFAULT_RTT = 100
MAX_NACK_RETRIES = 10
TIMER_INTERVAL = 40


class NackResult(NamedTuple):
    """What one ``receive()`` asks of the caller.

    ``nack_seqs``: seqs to NACK now. ``key_frame_required``: the NACK list overflowed and was
    cleared; request a key frame. ``was_nacked``: this packet answers a NACK (mediasoup's
    ``ReceivePacket()`` returning true: count it as retransmitted/repaired).
    """

    nack_seqs: tuple[int, ...]
    key_frame_required: bool
    was_nacked: bool


# Shared results for the common cases: a NamedTuple cannot be changed by the caller.
_NOTHING = NackResult((), False, False)
_WAS_NACKED = NackResult((), False, True)
_KEY_FRAME_REQUIRED = NackResult((), True, False)


class _NackInfo:
    """One pending seq: when it was last NACKed and how many times."""

    __slots__ = ("sent_at_ms", "retries")

    def __init__(self, sent_at_ms: int) -> None:
        self.sent_at_ms = sent_at_ms
        self.retries = 1


class NackGenerator:
    __slots__ = (
        "rtt", "_started", "_last_seq", "_last_ext", "_nack_list", "_key_frames", "_recovered",
        "_deadline",
    )  # fmt: skip

    def __init__(self, rtt: int = DEFAULT_RTT) -> None:
        self.rtt = rtt
        self._started = False
        self._last_seq = 0
        # _last_seq unwrapped. Every other seq below is stored unwrapped against it.
        self._last_ext = 0
        # Pending seqs in increasing order (dicts keep insertion order; seqs are only ever
        # added above every one already there).
        self._nack_list: dict[int, _NackInfo] = {}
        self._key_frames: list[int] = []  # sorted
        self._recovered: list[int] = []  # sorted
        self._deadline: int | None = None

    # --- state, for the owner and for tests ---

    def __len__(self) -> int:
        """mediasoup's GetNackListLength()."""
        return len(self._nack_list)

    @property
    def nack_list(self) -> list[int]:
        """The pending seqs (16-bit), oldest first."""
        return [ext & 0xFFFF for ext in self._nack_list]

    @property
    def last_seq(self) -> int:
        return self._last_seq

    def next_deadline(self) -> int | None:
        return self._deadline

    # --- inputs ---

    def update_rtt(self, rtt_ms: int) -> None:
        self.rtt = int(rtt_ms)

    def reset(self) -> None:
        self._nack_list.clear()
        self._key_frames.clear()
        self._recovered.clear()
        self._started = False
        self._last_seq = 0
        self._last_ext = 0
        # mediasoup leaves its timer to fire once and find nothing to do: no need here.
        self._deadline = None

    def receive(
        self, now_ms: int, seq: int, is_keyframe: bool = False, is_recovered: bool = False
    ) -> NackResult:
        if not self._started:
            self._started = True
            self._last_seq = seq
            self._last_ext = seq
            if is_keyframe:
                self._key_frames.append(seq)
            return _NOTHING

        # seq_diff(seq, last_seq), inlined: this is per packet.
        last_seq = self._last_seq
        delta = (seq - last_seq) & 0xFFFF
        if delta == 0:
            return _NOTHING
        if delta > 0x7FFF and not (delta == 0x8000 and seq < last_seq):
            delta -= 0x10000
        ext = self._last_ext + delta

        if delta < 0:
            # Out of order, a retransmission, or one already handled.
            if self._nack_list.pop(ext, None) is not None:
                return _WAS_NACKED
            return _NOTHING

        # Newer than anything seen: maybe after a gap.
        oldest_kept = ext - MAX_PACKET_AGE
        key_frames = self._key_frames
        if is_keyframe:
            _insert_sorted(key_frames, ext)
        if key_frames and key_frames[0] < oldest_kept:
            _drop_below(key_frames, oldest_kept)

        if is_recovered:
            # Came through RTX ahead of the media stream: remember it, do not move on.
            _insert_sorted(self._recovered, ext)
            _drop_below(self._recovered, oldest_kept)
            return _NOTHING

        if delta == 1 and not self._nack_list:
            # The common case: in order, nothing pending.
            self._last_seq = seq
            self._last_ext = ext
            return _NOTHING

        batch = self._add_to_nack_list(self._last_ext + 1, ext, now_ms)
        self._last_seq = seq
        self._last_ext = ext

        # mediasoup only starts the timer when it is not running: restarting it on every
        # packet would keep postponing the re-NACKs.
        if self._deadline is None and self._nack_list:
            self._deadline = now_ms + TIMER_INTERVAL
        if batch is None:
            return _KEY_FRAME_REQUIRED
        if batch:
            return NackResult(batch, False, False)
        return _NOTHING

    def on_timer(self, now_ms: int) -> tuple[int, ...]:
        """Seqs to NACK again. Does nothing before ``next_deadline()``."""
        if self._deadline is None or now_ms < self._deadline:
            return ()
        batch = self._nack_batch_due(now_ms)
        self._deadline = now_ms + TIMER_INTERVAL if self._nack_list else None
        return batch

    # --- internals ---

    def _add_to_nack_list(
        self, start_ext: int, end_ext: int, now_ms: int
    ) -> tuple[int, ...] | None:
        """Add [start_ext, end_ext) and NACK them now (mediasoup's NackFilter::SEQ).

        Returns the seqs NACKed, or None when the list overflowed: it is then cleared and a
        key frame is required. Every seq is NACKed as soon as it is added, so the seqs
        never NACKed yet are exactly these.
        """
        nack_list = self._nack_list
        oldest_kept = end_ext - MAX_PACKET_AGE
        stale = []
        for ext in nack_list:
            if ext >= oldest_kept:
                break
            stale.append(ext)
        for ext in stale:
            del nack_list[ext]

        new_count = end_ext - start_ext
        if len(nack_list) + new_count > MAX_NACK_PACKETS:
            while self._remove_until_key_frame() and len(nack_list) + new_count > MAX_NACK_PACKETS:
                pass
            if len(nack_list) + new_count > MAX_NACK_PACKETS:
                nack_list.clear()
                return None

        if new_count == 0:
            return ()
        recovered = self._recovered
        batch = []
        for ext in range(start_ext, end_ext):
            if recovered:
                i = bisect_left(recovered, ext)
                if i < len(recovered) and recovered[i] == ext:
                    continue
            nack_list[ext] = _NackInfo(now_ms)
            batch.append(ext & 0xFFFF)
        return tuple(batch)

    def _remove_until_key_frame(self) -> bool:
        """Give up the pending seqs older than the oldest key frame that has some."""
        nack_list = self._nack_list
        key_frames = self._key_frames
        while key_frames:
            key_frame = key_frames[0]
            older = []
            for ext in nack_list:
                if ext >= key_frame:
                    break
                older.append(ext)
            if older:
                for ext in older:
                    del nack_list[ext]
                return True
            # This key frame is older than every pending seq: try the next one.
            del key_frames[0]
        return False

    def _nack_batch_due(self, now_ms: int) -> tuple[int, ...]:
        """The seqs NACKed at least an RTT ago (mediasoup's NackFilter::TIME)."""
        rtt = self.rtt
        batch = []
        exhausted = []
        for ext, info in self._nack_list.items():
            if now_ms - info.sent_at_ms >= rtt:
                batch.append(ext & 0xFFFF)
                info.retries += 1
                info.sent_at_ms = now_ms
                if info.retries >= MAX_NACK_RETRIES:
                    exhausted.append(ext)
        for ext in exhausted:
            del self._nack_list[ext]
        return tuple(batch)


def _insert_sorted(values: list[int], value: int) -> None:
    if not values or value > values[-1]:
        values.append(value)
        return
    i = bisect_left(values, value)
    if i == len(values) or values[i] != value:
        values.insert(i, value)


def _drop_below(values: list[int], bound: int) -> None:
    if values and values[0] < bound:
        del values[: bisect_left(values, bound)]


def pack_nack_items(seqs: tuple[int, ...] | list[int]) -> list[tuple[int, int]]:
    """(PID, BLP) pairs for seqs given oldest first, as RtpStreamRecv builds its NACK.

    A seq joins the current item while it is at most 16 after the item's PID.
    """
    items: list[tuple[int, int]] = []
    i = 0
    n = len(seqs)
    while i < n:
        pid = seqs[i]
        blp = 0
        i += 1
        while i < n:
            shift = (seqs[i] - pid - 1) & 0xFFFF
            if shift > 15:
                break
            blp |= 1 << shift
            i += 1
        items.append((pid, blp))
    return items
