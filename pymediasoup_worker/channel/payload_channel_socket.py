"""The worker's PayloadChannel (fd 5 in, fd 6 out), as mediasoup's PayloadChannelSocket.

Every message from the controller is two netstrings: JSON, then a raw payload. Unlike
mediasoup 3.7.11 (which aborts on invalid JSON here, or on a payload that follows an
unknown method or event), anything malformed is logged and dropped, and a payload that
follows a JSON message is always consumed as that message's payload.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import orjson

from pymediasoup.channel.codec import NetstringDecoder, NetstringError, encode

from ..errors import MediaSoupError
from ..log import error_std, logger
from .channel_request import ChannelRequest, is_positive_integer
from .channel_socket import Spawn, dumps, handle_request

_WHERE = "PayloadChannel::PayloadChannelSocket::OnConsumerSocketMessage"

REQUEST_METHODS = frozenset({"dataConsumer.send"})
NOTIFICATION_EVENTS = frozenset({"dataProducer.send", "producer.send", "transport.sendRtcp"})


class PayloadNotification:
    """A notification from the controller with its payload (mediasoup's PayloadChannel::Notification)."""

    __slots__ = ("data", "event", "internal", "payload")

    def __init__(self, event: str, internal: Any, data: Any) -> None:
        self.event = event
        self.internal = internal if isinstance(internal, dict) else {}
        self.data = data if isinstance(data, dict) else {}
        self.payload = b""


class PayloadChannelListener(Protocol):
    def on_payload_channel_request(self, request: ChannelRequest) -> Awaitable[None] | None: ...
    def on_payload_channel_notification(self, notification: PayloadNotification) -> None: ...
    def on_payload_channel_closed(self) -> None: ...


class PayloadChannelSocket:
    def __init__(self, write: Callable[[bytes], None], spawn: Spawn) -> None:
        self._write = write
        self._spawn = spawn
        self._decoder = NetstringDecoder()
        # What the next netstring is the payload of: a request, a notification, or a
        # message to drop (a JSON message we could not accept).
        self._ongoing: ChannelRequest | PayloadNotification | str | None = None
        self.listener: PayloadChannelListener | None = None
        self.closed = False
        self.dropped = 0

    # Output.
    def send(self, message: dict[str, Any]) -> None:
        """A response (JSON only)."""
        if not self.closed:
            self._write(encode(dumps(message)))

    def notify(self, target_id: str, event: str, data: Any, payload: bytes) -> None:
        """A notification: JSON then the payload."""
        if self.closed:
            return
        message: dict[str, Any] = {"event": event, "targetId": target_id}
        if data is not None:
            message["data"] = data
        self._write(encode(dumps(message)) + encode(payload))

    # Input.
    def receive(self, data: bytes) -> None:
        for item in self._decoder.feed(data):
            if isinstance(item, NetstringError):
                error_std(_WHERE, str(item))
                self._ongoing = None
            elif not self.closed:
                self._on_netstring(item)

    def remote_closed(self) -> None:
        if self.listener is not None and not self.closed:
            self.listener.on_payload_channel_closed()

    def close(self) -> None:
        self.closed = True

    def _on_netstring(self, raw: bytes) -> None:
        ongoing = self._ongoing
        if ongoing is None:
            self._ongoing = self._parse(raw)
            return
        self._ongoing = None
        if isinstance(ongoing, str):
            self.dropped += 1
            logger.error(_WHERE, f"discarding payload of wrong PayloadChannel message: {ongoing}")
            return
        ongoing.payload = raw
        self.dispatch(ongoing)

    def dispatch(self, message: ChannelRequest | PayloadNotification) -> None:
        listener = self.listener
        if listener is None:
            return
        if isinstance(message, ChannelRequest):
            handle_request(message, listener.on_payload_channel_request, self._spawn)
            return
        try:
            listener.on_payload_channel_notification(message)
        except MediaSoupError as exc:
            logger.error(_WHERE, f"notification failed: {exc}")
        except Exception as exc:  # noqa: BLE001 - never die of a notification
            logger.error(_WHERE, f"notification failed: {exc!r}")
            error_std(_WHERE, f"unexpected error in '{message.event}': {exc!r}")

    def _parse(self, raw: bytes) -> ChannelRequest | PayloadNotification | str | None:
        try:
            message = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            error_std(_WHERE, f"JSON parsing error: {exc}")
            self.dropped += 1
            return None
        if not isinstance(message, dict):
            logger.error(_WHERE, "discarding wrong PayloadChannel data")
            self.dropped += 1
            return None
        request_id, method, event = message.get("id"), message.get("method"), message.get("event")
        if is_positive_integer(request_id) and isinstance(method, str):
            request = ChannelRequest(
                self, request_id, method, message.get("internal"), message.get("data")
            )
            if method in REQUEST_METHODS:
                return request
            request.error("unknown method")
            logger.error(_WHERE, f"throwing MediaSoupError: unknown method '{method}'")
            return f"unknown method '{method}'"
        if isinstance(event, str):
            if event in NOTIFICATION_EVENTS:
                return PayloadNotification(event, message.get("internal"), message.get("data"))
            logger.error(_WHERE, f"throwing MediaSoupError: unknown event '{event}'")
            return f"unknown event '{event}'"
        logger.error(_WHERE, "discarding wrong PayloadChannel data")
        self.dropped += 1
        return None
