"""Node's EventEmitter, as mediasoup uses it (on/once/off/emit, plus safe_emit).

Plain handlers run synchronously in registration order. A coroutine function handler
is run as a task, kept until it ends. An exception in a handler is logged, never
propagated into pymediasoup.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("pymediasoup.EnhancedEventEmitter")

Handler = Callable[..., Any]

# Tasks started for coroutine handlers, kept alive until they end.
_handler_tasks: set[asyncio.Task[Any]] = set()


def _log_handler_error(event: str, exc: BaseException) -> None:
    logger.error("event listener threw an error [event:%s]: %r", event, exc, exc_info=exc)


def _on_task_done(task: asyncio.Task[Any]) -> None:
    _handler_tasks.discard(task)
    if not task.cancelled() and task.exception() is not None:
        _log_handler_error(task.get_name(), task.exception())  # type: ignore[arg-type]


class EnhancedEventEmitter:
    def __init__(self) -> None:
        self._listeners: dict[str, list[tuple[Handler, bool]]] = {}

    def on(self, event: str, handler: Handler | None = None) -> Any:
        """Add a handler; usable as a decorator: ``@emitter.on('close')``."""
        if handler is None:
            return lambda h: self.on(event, h) and h
        self._listeners.setdefault(event, []).append((handler, False))
        return self

    add_listener = on

    def once(self, event: str, handler: Handler | None = None) -> Any:
        if handler is None:
            return lambda h: self.once(event, h) and h
        self._listeners.setdefault(event, []).append((handler, True))
        return self

    def off(self, event: str, handler: Handler) -> EnhancedEventEmitter:
        entries = self._listeners.get(event)
        if entries:
            for i, (h, _) in enumerate(entries):
                if h == handler:
                    del entries[i]
                    break
            if not entries:
                del self._listeners[event]
        return self

    remove_listener = off

    def remove_all_listeners(self, event: str | None = None) -> EnhancedEventEmitter:
        if event is None:
            self._listeners.clear()
        else:
            self._listeners.pop(event, None)
        return self

    def listener_count(self, event: str) -> int:
        return len(self._listeners.get(event, ()))

    def listeners(self, event: str) -> list[Handler]:
        return [h for h, _ in self._listeners.get(event, ())]

    def emit(self, event: str, *args: Any) -> bool:
        """Call the handlers of ``event``; an exception raised by one propagates (as Node)."""
        entries = self._listeners.get(event)
        if not entries:
            return False
        for handler, once in list(entries):
            if once:
                self.off(event, handler)
            self._call(event, handler, args)
        return True

    def safe_emit(self, event: str, *args: Any) -> bool:
        """As emit(), but an exception in a handler is logged and the next handler runs."""
        entries = self._listeners.get(event)
        if not entries:
            return False
        for handler, once in list(entries):
            if once:
                self.off(event, handler)
            try:
                self._call(event, handler, args)
            except Exception as exc:  # noqa: BLE001
                _log_handler_error(event, exc)
        return True

    @staticmethod
    def _call(event: str, handler: Handler, args: tuple[Any, ...]) -> None:
        result = handler(*args)
        if inspect.iscoroutine(result):
            task = asyncio.get_running_loop().create_task(result, name=event)
            _handler_tasks.add(task)
            task.add_done_callback(_on_task_done)
