"""The controller's Channel to a worker (mediasoup's Channel.ts).

Requests are netstring-framed JSON with increasing ids; the worker answers each with
``accepted`` or an ``error``. Notifications (``targetId`` + ``event``) are emitted on
this channel's emitter under the target id, after the response that came before them.
Log lines from the worker go to the ``pymediasoup.worker`` logger.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson

from ..enhanced_event_emitter import EnhancedEventEmitter
from ..errors import InvalidStateError, MediasoupError
from .codec import NS_MESSAGE_MAX_LEN, NS_PAYLOAD_MAX_LEN, NetstringDecoder, NetstringError, encode
from .pipe import PipeReader, PipeWriter

logger = logging.getLogger("pymediasoup.Channel")
worker_logger = logging.getLogger("pymediasoup.worker")

MAX_REQUEST_ID = 4294967295


def request_timeout(pending: int) -> float:
    """mediasoup's request timeout in seconds: 15 s plus 0.1 s per pending request."""
    return 15 + 0.1 * pending


def error_from_reply(reply: dict[str, Any]) -> Exception:
    reason = reply.get("reason", "")
    if reply.get("error") == "TypeError":
        return TypeError(reason)
    return MediasoupError(reason)


class PendingRequests:
    """Request ids, and the futures waiting for their replies (with mediasoup's timeout)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._next_id = 0
        self._sents: dict[int, tuple[str, asyncio.Future[Any], asyncio.TimerHandle]] = {}

    def next_id(self) -> int:
        self._next_id = self._next_id + 1 if self._next_id < MAX_REQUEST_ID else 1
        return self._next_id

    def add(self, request_id: int, method: str) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = self._loop.create_future()
        timer = self._loop.call_later(request_timeout(len(self._sents)), self._timeout, request_id)
        self._sents[request_id] = (method, future, timer)
        return future

    def _timeout(self, request_id: int) -> None:
        sent = self._sents.pop(request_id, None)
        if sent is not None and not sent[1].done():
            sent[1].set_exception(MediasoupError("Channel request timeout"))

    def reply(self, message: dict[str, Any]) -> None:
        request_id = message["id"]
        sent = self._sents.pop(request_id, None)
        if sent is None:
            logger.error("received response does not match any sent request [id:%s]", request_id)
            return
        method, future, timer = sent
        timer.cancel()
        if future.done():
            return
        if message.get("accepted"):
            logger.debug("request succeeded [method:%s, id:%s]", method, request_id)
            future.set_result(message.get("data"))
        elif message.get("error"):
            logger.warning(
                "request failed [method:%s, id:%s]: %s", method, request_id, message.get("reason")
            )
            future.set_exception(error_from_reply(message))
        else:
            logger.error("received response is not accepted nor rejected [method:%s]", method)

    def close(self) -> None:
        for _method, future, timer in self._sents.values():
            timer.cancel()
            if not future.done():
                future.set_exception(InvalidStateError("Channel closed"))
        self._sents.clear()


def request_frame(request_id: int, method: str, internal: Any, data: Any) -> bytes:
    message: dict[str, Any] = {"id": request_id, "method": method}
    if internal is not None:
        message["internal"] = internal
    if data is not None:
        message["data"] = data
    frame = encode(orjson.dumps(message))
    if len(frame) > NS_MESSAGE_MAX_LEN:
        raise MediasoupError("Channel request too big")
    return frame


def _log_ignored_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.debug("request without waiter failed: %s", future.exception())


class Channel(EnhancedEventEmitter):
    def __init__(
        self, loop: asyncio.AbstractEventLoop, write_fd: int, read_fd: int, pid: int
    ) -> None:
        super().__init__()
        self._loop = loop
        self._pid = pid
        self._writer = PipeWriter(loop, write_fd)
        self._reader = PipeReader(loop, read_fd, self._on_data, self._on_eof)
        self._decoder = NetstringDecoder()
        self._pending = PendingRequests(loop)
        self.closed = False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._pending.close()
        self._reader.close()
        self._writer.close()

    async def request(
        self, method: str, internal: dict[str, Any] | None = None, data: Any = None
    ) -> Any:
        request_id = self._pending.next_id()
        if self.closed:
            raise InvalidStateError("Channel closed")
        frame = request_frame(request_id, method, internal, data)
        logger.debug("request() [method:%s, id:%s]", method, request_id)
        self._writer.write(frame)
        return await self._pending.add(request_id, method)

    def request_nowait(
        self, method: str, internal: dict[str, Any] | None = None, data: Any = None
    ) -> None:
        """Send a request whose reply nobody waits for (a close); errors are only logged."""
        if self.closed:
            return
        request_id = self._pending.next_id()
        self._writer.write(request_frame(request_id, method, internal, data))
        self._pending.add(request_id, method).add_done_callback(_log_ignored_failure)

    def _on_eof(self) -> None:
        logger.debug("Consumer Channel ended by the worker process")

    def _on_data(self, data: bytes) -> None:
        if self._decoder.buffered + len(data) > NS_PAYLOAD_MAX_LEN:
            logger.error("receiving buffer is full, discarding all data into it")
            self._decoder.reset()
            return
        for item in self._decoder.feed(data):
            if isinstance(item, NetstringError):
                logger.error("invalid netstring data received from the worker process: %s", item)
                continue
            self._on_payload(item)

    def _on_payload(self, payload: bytes) -> None:
        if not payload:
            return
        first = payload[0]
        if first == 0x7B:  # '{'
            try:
                message = orjson.loads(payload)
            except orjson.JSONDecodeError as exc:
                logger.error("received invalid message from the worker process: %s", exc)
                return
            self._process_message(message)
            return
        text = payload[1:].decode(errors="replace")
        if first == 0x44:  # 'D'
            worker_logger.debug("[pid:%s] %s", self._pid, text)
        elif first == 0x57:  # 'W'
            worker_logger.warning("[pid:%s] %s", self._pid, text)
        elif first == 0x45:  # 'E'
            worker_logger.error("[pid:%s] %s", self._pid, text)
        elif first == 0x58:  # 'X'
            worker_logger.info("[pid:%s] %s", self._pid, text)
        else:
            worker_logger.warning(
                "[pid:%s] unexpected data: %s", self._pid, payload.decode(errors="replace")
            )

    def _process_message(self, message: Any) -> None:
        if not isinstance(message, dict):
            logger.error("received message is not an object")
            return
        if message.get("id"):
            self._pending.reply(message)
            return
        target_id, event = message.get("targetId"), message.get("event")
        if target_id and event:
            # After the response before it, as Node's setImmediate.
            self._loop.call_soon(self._dispatch, str(target_id), event, message.get("data"))
        else:
            logger.error("received message is not a response nor a notification")

    def _dispatch(self, target_id: str, event: str, data: Any) -> None:
        try:
            self.emit(target_id, event, data)
        except Exception:
            logger.exception("notification listener failed [event:%s]", event)
