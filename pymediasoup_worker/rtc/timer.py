"""A restartable periodic timer over ``shared.set_timer`` (mediasoup's Timer with a repeat)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .shared import Shared


class PeriodicTimer:
    __slots__ = ("_shared", "_callback", "_interval_ms", "_handle")

    def __init__(self, shared: Shared, callback: Callable[[], None]) -> None:
        self._shared = shared
        self._callback = callback
        self._interval_ms = 0
        self._handle: Any = None

    @property
    def active(self) -> bool:
        return self._handle is not None

    def start(self, interval_ms: int) -> None:
        self.stop()
        self._interval_ms = interval_ms
        self._arm()

    def restart(self) -> None:
        self.start(self._interval_ms)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _arm(self) -> None:
        # Without an event loop (unit tests that pass no set_timer) nothing fires.
        if self._shared.set_timer is not None:
            self._handle = self._shared.set_timer(self._interval_ms, self._fire)

    def _fire(self) -> None:
        self._arm()  # re-arm first: the callback may stop the timer
        self._callback()
