"""The controller's PayloadChannel to a worker (mediasoup's PayloadChannel.ts).

Each message to the worker is JSON then a raw payload (two netstrings). From the worker
come responses (JSON only) and notifications (JSON, then the payload), which are emitted
at once under their target id as ``(event, data, payload)``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson

from ..enhanced_event_emitter import EnhancedEventEmitter
from ..errors import InvalidStateError, MediasoupError
from .channel import PendingRequests, request_frame
from .codec import NS_MESSAGE_MAX_LEN, NetstringDecoder, NetstringError, encode
from .pipe import PipeReader, PipeWriter

logger = logging.getLogger("pymediasoup.PayloadChannel")


def _payload_frame(payload: str | bytes) -> bytes:
    frame = encode(payload.encode() if isinstance(payload, str) else bytes(payload))
    if len(frame) > NS_MESSAGE_MAX_LEN:
        raise MediasoupError("PayloadChannel payload too big")
    return frame


class PayloadChannel(EnhancedEventEmitter):
    def __init__(self, loop: asyncio.AbstractEventLoop, write_fd: int, read_fd: int) -> None:
        super().__init__()
        self._writer = PipeWriter(loop, write_fd)
        self._reader = PipeReader(loop, read_fd, self._on_data, lambda: None)
        self._decoder = NetstringDecoder()
        self._pending = PendingRequests(loop)
        self._ongoing: dict[str, Any] | None = None
        self.closed = False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._pending.close()
        self._reader.close()
        self._writer.close()

    def notify(self, event: str, internal: dict[str, Any], data: Any, payload: str | bytes) -> None:
        if self.closed:
            raise InvalidStateError("PayloadChannel closed")
        message: dict[str, Any] = {"event": event, "internal": internal}
        if data is not None:
            message["data"] = data
        frame = encode(orjson.dumps(message))
        if len(frame) > NS_MESSAGE_MAX_LEN:
            raise MediasoupError("PayloadChannel notification too big")
        self._writer.write(frame + _payload_frame(payload))

    async def request(
        self, method: str, internal: dict[str, Any], data: Any, payload: str | bytes
    ) -> Any:
        request_id = self._pending.next_id()
        if self.closed:
            raise InvalidStateError("Channel closed")
        frames = request_frame(request_id, method, internal, data) + _payload_frame(payload)
        self._writer.write(frames)
        return await self._pending.add(request_id, method)

    def _on_data(self, data: bytes) -> None:
        for item in self._decoder.feed(data):
            if isinstance(item, NetstringError):
                logger.error("invalid netstring data received from the worker process: %s", item)
                self._ongoing = None
                continue
            self._on_netstring(item)

    def _on_netstring(self, raw: bytes) -> None:
        ongoing = self._ongoing
        if ongoing is not None:
            self._ongoing = None
            try:
                self.emit(ongoing["targetId"], ongoing["event"], ongoing.get("data"), raw)
            except Exception:
                logger.exception("notification listener failed [event:%s]", ongoing["event"])
            return
        try:
            message = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            logger.error("received invalid data from the worker process: %s", exc)
            return
        if not isinstance(message, dict):
            logger.error("received data is not an object")
        elif message.get("id"):
            self._pending.reply(message)
        elif message.get("targetId") and message.get("event"):
            message["targetId"] = str(message["targetId"])
            self._ongoing = message
        else:
            logger.error("received data is not a notification nor a response")
