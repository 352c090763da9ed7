"""Sequence numbers that wrap, and mediasoup's RTC::SeqManager.

Comparisons follow mediasoup's ``SeqLowerThan`` / ``SeqHigherThan`` exactly, including
the tie at exactly half the space: of two numbers 2**(bits-1) apart, the numerically
*smaller* one counts as the higher (newer) one.

``SeqManager`` maps an input sequence space (a Producer's seqs, or timestamps with
``bits=32``) onto an output space that stays continuous when the input is cut (``drop``),
switched to another source or resumed (``sync``), or shifted (``offset``).
"""

from __future__ import annotations

from bisect import bisect_left

MAX_VALUE_16 = 0xFFFF
MAX_VALUE_32 = 0xFFFFFFFF


def is_seq_higher_than(lhs: int, rhs: int, max_value: int = MAX_VALUE_16) -> bool:
    """Whether ``lhs`` is newer than ``rhs`` in a space of ``max_value + 1`` numbers."""
    half = max_value >> 1
    if lhs > rhs:
        return lhs - rhs <= half
    return rhs > lhs and rhs - lhs > half


def is_seq_lower_than(lhs: int, rhs: int, max_value: int = MAX_VALUE_16) -> bool:
    """Whether ``lhs`` is older than ``rhs`` in a space of ``max_value + 1`` numbers."""
    half = max_value >> 1
    if rhs > lhs:
        return rhs - lhs <= half
    return lhs > rhs and lhs - rhs > half


def seq_diff(lhs: int, rhs: int, max_value: int = MAX_VALUE_16) -> int:
    """Signed distance from ``rhs`` to ``lhs``: > 0 when ``lhs`` is higher, < 0 when lower.

    Consistent with ``is_seq_higher_than`` / ``is_seq_lower_than``, tie included.
    """
    d = (lhs - rhs) & max_value
    half = max_value >> 1
    if d <= half:
        return d
    if d == half + 1 and lhs < rhs:
        return d  # the tie: the numerically smaller one is the higher
    return d - max_value - 1


class SeqManager:
    """mediasoup's SeqManager<uint16_t> (``bits=16``) or SeqManager<uint32_t> (``bits=32``);
    ``bits=15`` for VP8 picture ids (a SimulcastConsumer rewrites them), ``bits=8`` for TL0PICIDX.

    ``input(seq)`` returns the output number, or ``None`` when ``seq`` was dropped.
    Dropped inputs are kept as unwrapped (extended) integers in a sorted list so that
    counting the drops below an input is a bisection, however many there are (a layer
    filter dropping every other packet keeps ~16000 of them). Drops half the space behind
    are folded into the base; the list is compacted only now and then.
    """

    __slots__ = (
        "_max_value", "_half", "_base", "_max_output", "_max_input", "_max_input_ext",
        "_dropped", "_dropped_start",
    )  # fmt: skip

    def __init__(self, bits: int = 16) -> None:
        if bits not in (8, 15, 16, 32):
            raise ValueError(f"SeqManager bits must be 8, 15, 16 or 32, not {bits!r}")
        self._max_value = (1 << bits) - 1
        self._half = self._max_value >> 1
        self._base = 0
        self._max_output = 0
        self._max_input = 0
        # _max_input unwrapped: the anchor from which dropped inputs are unwrapped.
        self._max_input_ext = 0
        # Sorted; the live drops are _dropped[_dropped_start:].
        self._dropped: list[int] = []
        self._dropped_start = 0

    @property
    def max_input(self) -> int:
        return self._max_input

    @property
    def max_output(self) -> int:
        return self._max_output

    @property
    def dropped_count(self) -> int:
        """How many dropped inputs are remembered (for tests and dumps)."""
        return len(self._dropped) - self._dropped_start

    def _ext(self, value: int) -> int:
        return self._max_input_ext + seq_diff(value, self._max_input, self._max_value)

    def sync(self, input: int) -> None:
        """The next output after ``input`` continues from the highest output sent so far."""
        self._base = (self._max_output - input) & self._max_value
        self._max_input = input
        self._max_input_ext = input
        self._dropped.clear()
        self._dropped_start = 0

    def drop(self, input: int) -> None:
        """``input`` will not be forwarded: later outputs close the gap it leaves."""
        if is_seq_higher_than(input, self._max_input, self._max_value):
            ext = self._ext(input)
            dropped = self._dropped
            if len(dropped) == self._dropped_start or ext > dropped[-1]:
                dropped.append(ext)
            else:
                i = bisect_left(dropped, ext, self._dropped_start)
                if i == len(dropped) or dropped[i] != ext:
                    dropped.insert(i, ext)

    def offset(self, offset: int) -> None:
        self._base = (self._base + offset) & self._max_value

    def input(self, input: int) -> int | None:
        mask = self._max_value
        idelta = (input - self._max_input) & mask
        if len(self._dropped) == self._dropped_start:
            # No drop to account for: per packet per consumer, kept short.
            output = (input + self._base) & mask
            if idelta < self._half:
                self._max_input = input
                self._max_input_ext += idelta
            if (output - self._max_output) & mask < self._half:
                self._max_output = output
            return output
        return self._input_with_drops(input, idelta)

    def _input_with_drops(self, input: int, idelta: int) -> int | None:
        mask = self._max_value
        half = self._half
        base = self._base
        max_input = self._max_input
        dropped = self._dropped
        start = self._dropped_start
        if len(dropped) > start:
            # seq_diff(input, max_input), inlined: this is per packet.
            d = idelta
            if d > half and not (d == half + 1 and input < max_input):
                d -= mask + 1
            ext = self._max_input_ext + d
            # Forget drops more than half the space behind: fold them into the base.
            stale_end = bisect_left(dropped, ext - half, start)
            if stale_end > start:
                self._base = base = (base - (stale_end - start)) & mask
                start = stale_end
                if start >= 1024 and start * 2 >= len(dropped):
                    del dropped[:start]
                    start = 0
                self._dropped_start = start
            below = bisect_left(dropped, ext, start)
            if below < len(dropped) and dropped[below] == ext:
                return None
            base = (base - (below - start)) & mask
        output = (input + base) & mask
        if idelta < half:
            self._max_input = input
            self._max_input_ext += idelta
        if (output - self._max_output) & mask < half:
            self._max_output = output
        return output


__all__ = [
    "MAX_VALUE_16",
    "MAX_VALUE_32",
    "SeqManager",
    "is_seq_higher_than",
    "is_seq_lower_than",
    "seq_diff",
]
