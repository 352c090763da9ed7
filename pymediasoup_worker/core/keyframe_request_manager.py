"""When to ask a Producer's streams for a key frame, as mediasoup's KeyFrameRequestManager.

Sans-IO: each call returns whether (or for which SSRCs) to send a PLI/FIR now;
``next_deadline()`` is when ``on_timer(now_ms)`` has something to do.

Per SSRC, as mediasoup:

* A request starts a *pending* entry that waits ``KEY_FRAME_RETRANSMISSION_WAIT_TIME`` ms
  for ``key_frame_received(ssrc)``. If the key frame is needed again meanwhile, no new
  request is sent but the wait ends in one more request (a PLI may have been lost); that
  retry itself is not retried.
* With ``key_frame_request_delay`` > 0, a *delayer* throttles requests: for that long after
  a request, further needs are only noted, and one request follows when the delay ends.
* ``force_key_frame_needed(ssrc)`` always requests at once and restarts both.

Timers that fall due at the same ms fire in the order they were started, like libuv's.
"""

from __future__ import annotations

# How long to wait for a requested key frame before asking again (ms), as mediasoup.
KEY_FRAME_RETRANSMISSION_WAIT_TIME = 1000


class _Pending:
    __slots__ = ("deadline", "order", "retry_on_timeout")

    def __init__(self, deadline: int, order: int) -> None:
        self.deadline = deadline
        self.order = order
        self.retry_on_timeout = True


class _Delayer:
    __slots__ = ("deadline", "order", "key_frame_requested")

    def __init__(self, deadline: int, order: int) -> None:
        self.deadline = deadline
        self.order = order
        self.key_frame_requested = False


class KeyFrameRequestManager:
    __slots__ = ("key_frame_request_delay", "_pending", "_delayers", "_timer_order")

    def __init__(self, key_frame_request_delay: int = 0) -> None:
        if key_frame_request_delay < 0:
            raise ValueError(
                f"key_frame_request_delay must be >= 0, not {key_frame_request_delay!r}"
            )
        self.key_frame_request_delay = key_frame_request_delay  # 0: no throttling
        self._pending: dict[int, _Pending] = {}
        self._delayers: dict[int, _Delayer] = {}
        self._timer_order = 0  # orders timers started at the same ms

    # --- state ---

    def is_pending(self, ssrc: int) -> bool:
        return ssrc in self._pending

    def is_delayed(self, ssrc: int) -> bool:
        return ssrc in self._delayers

    def next_deadline(self) -> int | None:
        deadlines = [p.deadline for p in self._pending.values()]
        deadlines += [d.deadline for d in self._delayers.values()]
        return min(deadlines) if deadlines else None

    # --- inputs ---

    def key_frame_needed(self, now_ms: int, ssrc: int) -> bool:
        """A consumer needs a key frame from ``ssrc``. Returns whether to request it now."""
        if self.key_frame_request_delay > 0:
            delayer = self._delayers.get(ssrc)
            if delayer is not None:
                delayer.key_frame_requested = True
                return False
            self._delayers[ssrc] = _Delayer(
                now_ms + self.key_frame_request_delay, self._next_order()
            )

        pending = self._pending.get(ssrc)
        if pending is not None:
            pending.retry_on_timeout = True
            return False
        self._pending[ssrc] = _Pending(
            now_ms + KEY_FRAME_RETRANSMISSION_WAIT_TIME, self._next_order()
        )
        return True

    def force_key_frame_needed(self, now_ms: int, ssrc: int) -> bool:
        """Request a key frame from ``ssrc`` now whatever is pending. Always True."""
        if self.key_frame_request_delay > 0:
            self._delayers[ssrc] = _Delayer(
                now_ms + self.key_frame_request_delay, self._next_order()
            )

        pending = self._pending.get(ssrc)
        if pending is not None:
            pending.retry_on_timeout = True
            pending.deadline = now_ms + KEY_FRAME_RETRANSMISSION_WAIT_TIME
            pending.order = self._next_order()
        else:
            self._pending[ssrc] = _Pending(
                now_ms + KEY_FRAME_RETRANSMISSION_WAIT_TIME, self._next_order()
            )
        return True

    def key_frame_received(self, ssrc: int) -> None:
        self._pending.pop(ssrc, None)

    def on_timer(self, now_ms: int) -> list[int]:
        """The SSRCs to request a key frame from now, in timer order."""
        requests: list[int] = []
        while True:
            due = self._earliest_due(now_ms)
            if due is None:
                return requests
            ssrc, timer = due
            if isinstance(timer, _Pending):
                if not timer.retry_on_timeout:
                    del self._pending[ssrc]
                    continue
                # Best effort in case the PLI/FIR was lost: once, not retried again.
                timer.retry_on_timeout = False
                timer.deadline = now_ms + KEY_FRAME_RETRANSMISSION_WAIT_TIME
                timer.order = self._next_order()
                requests.append(ssrc)
            else:
                del self._delayers[ssrc]
                if timer.key_frame_requested and self.key_frame_needed(now_ms, ssrc):
                    requests.append(ssrc)

    # --- internals ---

    def _next_order(self) -> int:
        self._timer_order += 1
        return self._timer_order

    def _earliest_due(self, now_ms: int) -> tuple[int, _Pending | _Delayer] | None:
        best_ssrc = 0
        best: _Pending | _Delayer | None = None
        timers: list[tuple[int, _Pending | _Delayer]] = [*self._pending.items()]
        timers += self._delayers.items()
        for ssrc, timer in timers:
            if timer.deadline <= now_ms and (
                best is None or (timer.deadline, timer.order) < (best.deadline, best.order)
            ):
                best_ssrc, best = ssrc, timer
        return None if best is None else (best_ssrc, best)
