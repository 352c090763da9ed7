"""KeyFrameRequestManager: rows of events on a fake clock, swept over clock origins."""

from __future__ import annotations

import pytest

from pymediasoup_worker.core.keyframe_request_manager import (
    KEY_FRAME_RETRANSMISSION_WAIT_TIME,
    KeyFrameRequestManager,
)

WAIT = KEY_FRAME_RETRANSMISSION_WAIT_TIME
# Clock origins: a clock that starts at 0 must not be mistaken for "no time".
ORIGINS = [0, 1, 999, 0xFFFFFFFF - 500, 5_000_000_000_000]

A = 1111
B = 2222

# Events, times relative to the origin:
#   ("need", t, ssrc, requested now?)  ("force", t, ssrc)  ("received", t, ssrc)
#   ("timer", t, [ssrcs requested])    ("deadline", expected next deadline or None)
# A "timer" row fires at every deadline up to t: the list is all requests they made.
ROWS: dict[str, tuple[int, list[tuple]]] = {
    "request once, retried once on timeout": (
        0,
        [
            ("need", 0, A, True),
            ("deadline", WAIT),
            ("timer", WAIT - 1, []),
            ("timer", WAIT, [A]),
            ("deadline", 2 * WAIT),
            ("timer", 2 * WAIT, []),
            ("deadline", None),
            ("need", 2 * WAIT + 1, A, True),
        ],
    ),
    "needed again while pending: no new request": (
        0,
        [
            ("need", 0, A, True),
            ("need", 10, A, False),
            ("need", 500, A, False),
            ("timer", WAIT, [A]),
            ("need", WAIT + 10, A, False),  # retries the retry
            ("timer", 2 * WAIT, [A]),
            ("timer", 3 * WAIT, []),
            ("deadline", None),
        ],
    ),
    "key frame received: no retry": (
        0,
        [
            ("need", 0, A, True),
            ("received", 300, A),
            ("deadline", None),
            ("timer", 5 * WAIT, []),
            ("need", 5 * WAIT, A, True),
        ],
    ),
    "key frame received after the retry": (
        0,
        [
            ("need", 0, A, True),
            ("timer", WAIT, [A]),
            ("received", WAIT + 300, A),
            ("deadline", None),
        ],
    ),
    "received for an ssrc never requested": (
        0,
        [("received", 0, A), ("deadline", None), ("need", 1, A, True)],
    ),
    "ssrcs are independent": (
        0,
        [
            ("need", 0, A, True),
            ("need", 100, B, True),
            ("received", 200, A),
            ("deadline", 100 + WAIT),
            ("timer", 100 + WAIT, [B]),
        ],
    ),
    "same deadline: in the order started": (
        0,
        [
            ("need", 0, B, True),
            ("need", 0, A, True),
            ("timer", WAIT, [B, A]),
        ],
    ),
    "force: always requests and restarts the wait": (
        0,
        [
            ("force", 0, A),
            ("force", 10, A),
            ("deadline", 10 + WAIT),
            ("timer", 10 + WAIT - 1, []),
            ("timer", 10 + WAIT, [A]),
            ("timer", 10 + 2 * WAIT, []),
            ("deadline", None),
        ],
    ),
    "force after a need": (
        0,
        [
            ("need", 0, A, True),
            ("force", 400, A),
            ("timer", 400 + WAIT, [A]),
        ],
    ),
    "delay: needs during it are folded into one request at its end": (
        500,
        [
            ("need", 0, A, True),
            ("need", 100, A, False),
            ("need", 200, A, False),
            ("deadline", 500),
            # The delay ends: needed again, but the first request is still pending: its
            # timeout retries instead. A new delay starts (until 1000).
            ("timer", 500, []),
            ("deadline", WAIT),
            # Pending timeout (started first) retries; the second delay ends unused.
            ("timer", WAIT, [A]),
            ("timer", 2 * WAIT, []),
            ("deadline", None),
        ],
    ),
    "delay: key frame came, the delayed need requests anew": (
        500,
        [
            ("need", 0, A, True),
            ("need", 100, A, False),
            ("received", 200, A),
            ("timer", 500, [A]),
            ("deadline", 1000),
            ("need", 600, A, False),  # inside the new delay
            ("received", 700, A),
            ("timer", 1000, [A]),  # the new delay ends: requested again
        ],
    ),
    "delay: no need during it, nothing at its end": (
        500,
        [
            ("need", 0, A, True),
            ("received", 100, A),
            ("timer", 500, []),
            ("deadline", None),
            ("need", 501, A, True),
        ],
    ),
    "delay: force replaces the delay": (
        500,
        [
            ("need", 0, A, True),
            ("need", 100, A, False),
            ("force", 300, A),  # new delay until 800, not requested
            ("received", 400, A),
            ("timer", 799, []),
            ("timer", 800, []),
            ("deadline", None),
        ],
    ),
    "delay longer than the wait": (
        3000,
        [
            ("need", 0, A, True),
            ("timer", WAIT, [A]),
            ("need", 1500, A, False),  # only noted by the delay: the retry stays off
            ("timer", 2 * WAIT, []),
            ("timer", 2999, []),
            ("deadline", 3000),
            # Delay over, needed at 1500 and nothing pending: request.
            ("timer", 3000, [A]),
        ],
    ),
}


def run_row(delay, events, origin):
    manager = KeyFrameRequestManager(delay)
    for event in events:
        kind = event[0]
        if kind == "need":
            _, t, ssrc, expected = event
            assert manager.key_frame_needed(origin + t, ssrc) is expected, event
        elif kind == "force":
            _, t, ssrc = event
            assert manager.force_key_frame_needed(origin + t, ssrc) is True
        elif kind == "received":
            _, t, ssrc = event
            manager.key_frame_received(ssrc)
        elif kind == "timer":
            _, t, expected = event
            requests = []
            while (deadline := manager.next_deadline()) is not None and deadline <= origin + t:
                requests += manager.on_timer(deadline)
            assert requests == expected, event
        elif kind == "deadline":
            expected = event[1]
            assert manager.next_deadline() == (None if expected is None else origin + expected)
        else:  # pragma: no cover
            raise AssertionError(event)


@pytest.mark.parametrize("delay, events", ROWS.values(), ids=ROWS.keys())
@pytest.mark.parametrize("origin", ORIGINS)
def test_rows(delay, events, origin):
    run_row(delay, events, origin)


def test_on_timer_before_any_deadline_does_nothing():
    manager = KeyFrameRequestManager()
    assert manager.on_timer(10_000) == []
    manager.key_frame_needed(0, A)
    assert manager.on_timer(999) == []
    assert manager.is_pending(A)


def test_late_timer_call_fires_everything_due_once():
    # The glue woke up late: each due timer fires once, restarts from now.
    manager = KeyFrameRequestManager(500)
    manager.key_frame_needed(0, A)
    manager.key_frame_needed(100, A)
    assert manager.on_timer(5000) == [A]
    # The delay (due 500) asked again (pending: retry set), then the pending timed out.
    assert manager.next_deadline() == 5000 + 500  # the new delay
    assert manager.on_timer(5500) == []
    assert manager.next_deadline() == 5000 + WAIT
    assert manager.on_timer(6000) == []
    assert manager.next_deadline() is None


def test_state_queries():
    manager = KeyFrameRequestManager(100)
    assert not manager.is_pending(A) and not manager.is_delayed(A)
    manager.key_frame_needed(0, A)
    assert manager.is_pending(A) and manager.is_delayed(A)
    manager.key_frame_received(A)
    assert not manager.is_pending(A) and manager.is_delayed(A)


def test_negative_delay_is_refused():
    with pytest.raises(ValueError):
        KeyFrameRequestManager(-1)
