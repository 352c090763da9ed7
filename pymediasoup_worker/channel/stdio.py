"""The stdio debug mode: JSON requests typed on stdin, what the worker sends printed on stdout."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import TYPE_CHECKING, Any

import orjson

from .channel_request import ChannelRequest
from .channel_socket import ChannelSocket, Spawn, dumps
from .payload_channel_socket import NOTIFICATION_EVENTS, PayloadChannelSocket, PayloadNotification

if TYPE_CHECKING:
    from ..worker import Worker


def _print(prefix: str, text: str) -> None:
    sys.stdout.write(f"{prefix}{text}\n")
    sys.stdout.flush()


def _show_payload(payload: bytes) -> str:
    try:
        return repr(payload.decode())
    except UnicodeDecodeError:
        return payload.hex()


class StdioChannel(ChannelSocket):
    def send(self, message: dict[str, Any]) -> None:
        _print("** " if "event" in message else "<- ", dumps(message).decode())

    def send_log(self, line: bytes) -> None:
        _print("", line.decode(errors="replace"))


class StdioPayloadChannel(PayloadChannelSocket):
    def send(self, message: dict[str, Any]) -> None:
        _print("<- ", dumps(message).decode())

    def notify(self, target_id: str, event: str, data: Any, payload: bytes) -> None:
        message: dict[str, Any] = {"event": event, "targetId": target_id}
        if data is not None:
            message["data"] = data
        _print("** ", f"{dumps(message).decode()} payload={_show_payload(payload)}")


class StdioChannels:
    def __init__(self, loop: asyncio.AbstractEventLoop, spawn: Spawn) -> None:
        self._loop = loop
        self.channel = StdioChannel(lambda _: None, spawn)
        self.payload_channel = StdioPayloadChannel(lambda _: None, spawn)
        self._next_id = 1
        self._pending = b""
        self._worker: Worker | None = None

    def start(self, worker: Worker) -> None:
        self._worker = worker
        if sys.stdin.isatty():
            _print(
                "", "pymediasoup worker, stdio mode: one JSON request per line (--help for more)"
            )
        try:
            os.set_blocking(0, False)
            self._loop.add_reader(0, self._on_readable)
        except (OSError, PermissionError, ValueError):
            # stdin is a regular file (epoll refuses those): read it whole.
            self._loop.call_soon(self._read_all)

    def flush(self) -> None:
        sys.stdout.flush()

    def _read_all(self) -> None:
        os.set_blocking(0, True)
        self._feed(sys.stdin.buffer.read())
        self._eof()

    def _on_readable(self) -> None:
        try:
            data = os.read(0, 65536)
        except BlockingIOError:
            return
        if not data:
            self._loop.remove_reader(0)
            self._eof()
            return
        self._feed(data)

    def _eof(self) -> None:
        if self._pending.strip():
            self._line(self._pending)
        self._pending = b""
        if self._worker is not None:
            self._worker.close()

    def _feed(self, data: bytes) -> None:
        lines = (self._pending + data).split(b"\n")
        self._pending = lines.pop()
        for line in lines:
            self._line(line)

    def _line(self, line: bytes) -> None:
        line = line.strip()
        if not line or line.startswith(b"#"):
            return
        try:
            message = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            _print("!! ", f"not JSON: {exc}")
            return
        if not isinstance(message, dict):
            _print("!! ", "a request is a JSON object")
            return
        if "event" in message and "method" not in message:
            self._notification(message)
            return
        if "id" not in message:
            message["id"] = self._next_id
        if isinstance(message["id"], int) and message["id"] >= self._next_id:
            self._next_id = message["id"] + 1
        payload = message.pop("payload", None)
        if isinstance(message.get("method"), str) and message["method"] == "dataConsumer.send":
            request = ChannelRequest(
                self.payload_channel, message["id"], message["method"],
                message.get("internal"), message.get("data"),
            )  # fmt: skip
            request.payload = str(payload or "").encode()
            self.payload_channel.dispatch(request)
            return
        self.channel.handle_message(dumps(message))

    def _notification(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event not in NOTIFICATION_EVENTS:
            _print("!! ", f"unknown PayloadChannel event {event!r}")
            return
        notification = PayloadNotification(event, message.get("internal"), message.get("data"))
        payload = message.get("payload", "")
        notification.payload = (
            bytes.fromhex(payload[4:]) if str(payload).startswith("hex:") else str(payload).encode()
        )
        self.payload_channel.dispatch(notification)
