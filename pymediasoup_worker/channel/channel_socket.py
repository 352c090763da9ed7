"""The worker's Channel (fd 3 in, fd 4 out), as mediasoup's Channel::ChannelSocket.

Requests are handled strictly in order. A handler may return an awaitable (a request
that needs the event loop, such as binding a socket); the next request then waits
until it is done. Malformed input is logged and dropped; the worker never dies of it.
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import orjson

from pymediasoup.channel.codec import NetstringDecoder, NetstringError, encode

from ..errors import MediaSoupError, MediaSoupTypeError
from ..log import error_std, logger
from .channel_request import METHODS, ChannelRequest, is_positive_integer

_DUMPS_OPTIONS = orjson.OPT_SORT_KEYS  # mediasoup's JSON has its keys sorted
_WHERE = "Channel::ChannelSocket::OnConsumerSocketMessage"


def dumps(message: Any) -> bytes:
    return orjson.dumps(message, option=_DUMPS_OPTIONS)


class ChannelListener(Protocol):
    def on_channel_request(self, request: ChannelRequest) -> Awaitable[None] | None: ...
    def on_channel_closed(self) -> None: ...


Spawn = Callable[[Awaitable[None]], None]


def handle_request(
    request: ChannelRequest,
    handler: Callable[[ChannelRequest], Awaitable[None] | None],
    spawn: Spawn,
    done: Callable[[], None] | None = None,
) -> bool:
    """Run ``handler`` and turn what it raises into the error reply.

    Returns True when the handler went asynchronous (``done`` is then called when it ends).
    """
    try:
        result = handler(request)
    except Exception as exc:  # noqa: BLE001 - a request must never take the worker down
        _reply_error(request, exc)
        return False
    if result is None or not inspect.isawaitable(result):
        return False

    async def finish() -> None:
        try:
            await result
        except Exception as exc:  # noqa: BLE001
            _reply_error(request, exc)
        finally:
            if done is not None:
                done()

    spawn(finish())
    return True


def _reply_error(request: ChannelRequest, exc: Exception) -> None:
    if isinstance(exc, MediaSoupTypeError):
        logger.error(_WHERE, f"throwing MediaSoupTypeError: {exc}")
        reply = request.type_error
    elif isinstance(exc, MediaSoupError):
        logger.error(_WHERE, f"throwing MediaSoupError: {exc}")
        reply = request.error
    else:
        # A bug of ours: report it to the caller and keep going.
        logger.error(_WHERE, f"unexpected error in '{request.method}': {exc!r}")
        error_std(_WHERE, f"unexpected error in '{request.method}': {exc!r}")
        reply = request.error
        exc = MediaSoupError(f"internal error: {exc}")
    if not request.replied:
        reply(str(exc))


class ChannelSocket:
    """Parses requests from raw bytes and writes netstrings through ``write``."""

    def __init__(self, write: Callable[[bytes], None], spawn: Spawn) -> None:
        self._write = write
        self._spawn = spawn
        self._decoder = NetstringDecoder()
        self._queue: deque[bytes] = deque()
        self._busy = False
        self.listener: ChannelListener | None = None
        self.closed = False

    # Output.
    def send(self, message: dict[str, Any]) -> None:
        if not self.closed:
            self._write(encode(dumps(message)))

    def send_log(self, line: bytes) -> None:
        if not self.closed:
            self._write(encode(line))

    def notify(self, target_id: str, event: str, data: Any = None, with_data: bool = False) -> None:
        """A notification; ``data`` is included when not None or when ``with_data``."""
        message: dict[str, Any] = {"event": event, "targetId": target_id}
        if data is not None or with_data:
            message["data"] = data
        self.send(message)

    # Input.
    def receive(self, data: bytes) -> None:
        for item in self._decoder.feed(data):
            if isinstance(item, NetstringError):
                error_std(_WHERE, str(item))
            else:
                self._queue.append(item)
        self._drain()

    def remote_closed(self) -> None:
        if self.listener is not None and not self.closed:
            self.listener.on_channel_closed()

    def close(self) -> None:
        self.closed = True
        self._queue.clear()

    def _drain(self) -> None:
        while self._queue and not self._busy and not self.closed:
            self.handle_message(self._queue.popleft())

    def _resume(self) -> None:
        self._busy = False
        self._drain()

    def handle_message(self, raw: bytes) -> None:
        request = self.parse_request(raw)
        if request is None or self.listener is None:
            return
        self._busy = handle_request(
            request, self.listener.on_channel_request, self._spawn, self._resume
        )

    def parse_request(self, raw: bytes) -> ChannelRequest | None:
        try:
            message = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            error_std(_WHERE, f"JSON parsing error: {exc}")
            return None
        if not isinstance(message, dict):
            message = {}
        request_id = message.get("id")
        method = message.get("method")
        if not is_positive_integer(request_id):
            reason = "missing id"
        elif not isinstance(method, str):
            reason = "missing method"
        else:
            request = ChannelRequest(
                self, request_id, method, message.get("internal"), message.get("data")
            )
            if method in METHODS:
                return request
            request.error("unknown method")
            reason = f"unknown method '{method}'"
        logger.error(_WHERE, f"throwing MediaSoupError: {reason}")
        error_std(_WHERE, "discarding wrong Channel request")
        return None
