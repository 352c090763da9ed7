"""EnhancedEventEmitter: Node's emitter semantics, as mediasoup uses them."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from pymediasoup.enhanced_event_emitter import EnhancedEventEmitter


def test_on_once_off_order() -> None:
    emitter, calls = EnhancedEventEmitter(), []
    first = lambda x: calls.append(("first", x))
    emitter.on("e", first)
    emitter.once("e", lambda x: calls.append(("once", x)))
    emitter.on("e", lambda x: calls.append(("last", x)))
    assert emitter.listener_count("e") == 3
    assert emitter.emit("e", 1) is True
    emitter.off("e", first)
    emitter.emit("e", 2)
    assert calls == [("first", 1), ("once", 1), ("last", 1), ("last", 2)]
    assert emitter.emit("nothing") is False


def test_decorator_form() -> None:
    emitter, calls = EnhancedEventEmitter(), []

    @emitter.on("e")
    def handler(value: Any) -> None:
        calls.append(value)

    emitter.emit("e", 5)
    assert calls == [5] and handler is not None


def test_emit_propagates_and_safe_emit_logs(caplog: pytest.LogCaptureFixture) -> None:
    emitter, calls = EnhancedEventEmitter(), []

    def bad() -> None:
        raise ValueError("handler bug")

    emitter.on("e", bad)
    emitter.on("e", lambda: calls.append("after"))
    with pytest.raises(ValueError):
        emitter.emit("e")
    with caplog.at_level(logging.ERROR, logger="pymediasoup.EnhancedEventEmitter"):
        assert emitter.safe_emit("e") is True
    assert calls == ["after"]
    assert "handler bug" in caplog.text


async def test_coroutine_handlers_run_as_tasks(caplog: pytest.LogCaptureFixture) -> None:
    emitter, calls = EnhancedEventEmitter(), []

    async def handler(value: int) -> None:
        await asyncio.sleep(0)
        calls.append(value)

    async def failing() -> None:
        raise RuntimeError("async bug")

    emitter.on("e", handler)
    emitter.on("bad", failing)
    emitter.safe_emit("e", 7)
    assert calls == []
    with caplog.at_level(logging.ERROR, logger="pymediasoup.EnhancedEventEmitter"):
        emitter.safe_emit("bad")
        await asyncio.sleep(0.01)
    assert calls == [7]
    assert "async bug" in caplog.text


def test_remove_all_listeners() -> None:
    emitter = EnhancedEventEmitter()
    emitter.on("a", print)
    emitter.on("b", print)
    emitter.remove_all_listeners("a")
    assert emitter.listener_count("a") == 0 and emitter.listener_count("b") == 1
    emitter.remove_all_listeners()
    assert emitter.listener_count("b") == 0
