"""Room members: a Peer (a browser tab on a WebSocket) and what it shares with a Broadcaster.

Signaling messages are JSON objects in mediasoup-demo's (protoo's) shapes:

- request:      ``{"request": true, "id": 7, "method": "produce", "data": {...}}``
- response:     ``{"response": true, "id": 7, "ok": true, "data": {...}}``
                ``{"response": true, "id": 7, "ok": false, "errorReason": "..."}``
- notification: ``{"notification": true, "method": "newPeer", "data": {...}}``

Both sides send requests: the browser asks for transports and producers, the server
asks the browser to set up each new Consumer (``newConsumer``) before resuming it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiohttp import web

    from ..consumer import Consumer
    from ..producer import Producer
    from ..transport import Transport

logger = logging.getLogger("pymediasoup.demo")

#: How long the server waits for the browser to answer one of its requests.
REQUEST_TIMEOUT = 10.0


# Tasks that belong to no Peer (closing sockets of a closed room); the server awaits them
# at shutdown.
_background: set[asyncio.Task[Any]] = set()


def background(coro: Awaitable[Any]) -> None:
    task = asyncio.ensure_future(coro)
    _background.add(task)
    task.add_done_callback(_background.discard)


async def drain_background(timeout: float = 2.0) -> None:
    if _background:
        await asyncio.wait(list(_background), timeout=timeout)


class SignalingError(Exception):
    """A request failed; the message goes back to the caller as ``errorReason``."""


class Member:
    """What every room member has: a name, and its mediasoup objects by id."""

    def __init__(
        self, member_id: str, display_name: str = "", device: dict[str, Any] | None = None
    ) -> None:
        self.id = member_id
        self.display_name = display_name or member_id
        self.device: dict[str, Any] = device or {"name": "unknown"}
        #: Capabilities to consume with; None until joined (a Broadcaster may never give them).
        self.rtp_capabilities: dict[str, Any] | None = None
        self.transports: dict[str, Transport] = {}
        self.producers: dict[str, Producer] = {}
        self.consumers: dict[str, Consumer] = {}
        #: Producer ids this member consumes (or is setting up): one Consumer per Producer.
        self.consumed_producer_ids: set[str] = set()
        self.closed = False

    @property
    def is_broadcaster(self) -> bool:
        return False

    def info(self) -> dict[str, Any]:
        """What the other members are told about this one."""
        return {"id": self.id, "displayName": self.display_name, "device": self.device}

    def label(self) -> str:
        return f'"{self.display_name}" [{self.id}]'

    def reset_media(self) -> None:
        """Forget every mediasoup object (they are closed: their worker died)."""
        self.transports.clear()
        self.producers.clear()
        self.consumers.clear()
        self.consumed_producer_ids.clear()

    def close_media(self) -> None:
        """Close every transport; the cascade closes producers and consumers."""
        for transport in list(self.transports.values()):
            transport.close()
        self.reset_media()

    def transport(self, transport_id: Any) -> Transport:
        transport = self.transports.get(transport_id) if isinstance(transport_id, str) else None
        if transport is None:
            raise SignalingError(f'transport with id "{transport_id}" not found')
        return transport

    def producer(self, producer_id: Any) -> Producer:
        producer = self.producers.get(producer_id) if isinstance(producer_id, str) else None
        if producer is None:
            raise SignalingError(f'producer with id "{producer_id}" not found')
        return producer

    def consumer(self, consumer_id: Any) -> Consumer:
        consumer = self.consumers.get(consumer_id) if isinstance(consumer_id, str) else None
        if consumer is None:
            raise SignalingError(f'consumer with id "{consumer_id}" not found')
        return consumer


class Peer(Member):
    """A browser tab: a member with a WebSocket.

    ``joined``: announced to the others (after its ``join`` request).
    ``ready``: may be given Consumers (its receiving transport exists). A room move
    clears ``ready`` until the tab has rebuilt its transports and sent ``rejoin``.
    """

    def __init__(self, peer_id: str, ws: web.WebSocketResponse) -> None:
        super().__init__(peer_id)
        self.ws = ws
        self.joined = False
        self.ready = False
        self._request_ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        # Request handlers in flight; cancelled when the peer closes.
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- sending -----------------------------------------------------------------

    async def _send(self, message: dict[str, Any]) -> bool:
        if self.closed or self.ws.closed:
            return False
        try:
            await self.ws.send_str(json.dumps(message))
        except (ConnectionError, RuntimeError) as exc:
            logger.debug("peer %s: send failed: %r", self.id, exc)
            return False
        return True

    async def notify(self, method: str, data: dict[str, Any] | None = None) -> None:
        await self._send({"notification": True, "method": method, "data": data or {}})

    async def request(
        self, method: str, data: dict[str, Any] | None = None, timeout: float = REQUEST_TIMEOUT
    ) -> Any:
        """Send a request to the browser and wait for its answer."""
        request_id = next(self._request_ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            message = {"request": True, "id": request_id, "method": method, "data": data or {}}
            if not await self._send(message):
                raise SignalingError("peer closed")
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise SignalingError(f"request {method!r} timed out") from None
        finally:
            self._pending.pop(request_id, None)

    # --- receiving -----------------------------------------------------------------

    def on_message(
        self, text: str, handle: Callable[[Peer, str, dict[str, Any]], Awaitable[Any]]
    ) -> None:
        """One WebSocket text frame: a response to us, or a request run by ``handle``."""
        try:
            message = json.loads(text)
        except ValueError:
            logger.warning("peer %s: ignoring a message that is not JSON", self.id)
            return
        if not isinstance(message, dict):
            return
        if message.get("response"):
            future = self._pending.get(message.get("id"))  # type: ignore[arg-type]
            if future is None or future.done():
                return
            if message.get("ok"):
                future.set_result(message.get("data"))
            else:
                future.set_exception(SignalingError(str(message.get("errorReason"))))
        elif message.get("request"):
            method = message.get("method")
            data = message.get("data") or {}
            if not isinstance(method, str) or not isinstance(data, dict):
                return
            task = asyncio.get_running_loop().create_task(
                self._answer(message.get("id"), method, data, handle)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _answer(
        self,
        request_id: Any,
        method: str,
        data: dict[str, Any],
        handle: Callable[[Peer, str, dict[str, Any]], Awaitable[Any]],
    ) -> None:
        try:
            result = await handle(self, method, data)
        except asyncio.CancelledError:
            raise
        except (SignalingError, TypeError, ValueError) as exc:
            logger.warning("peer %s: request %r failed: %s", self.label(), method, exc)
            await self._send(
                {"response": True, "id": request_id, "ok": False, "errorReason": str(exc)}
            )
            return
        except Exception as exc:  # noqa: BLE001 - reported to the browser and logged
            logger.error("peer %s: request %r failed: %r", self.label(), method, exc)
            await self._send(
                {"response": True, "id": request_id, "ok": False, "errorReason": str(exc)}
            )
            return
        await self._send({"response": True, "id": request_id, "ok": True, "data": result or {}})

    def spawn(self, coro: Awaitable[Any]) -> None:
        """Run work for this peer after a response (e.g. consumers after ``join``)."""

        async def run() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001
                logger.error("peer %s: %r", self.label(), exc)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- closing -------------------------------------------------------------------

    def close(self) -> None:
        """Close its transports, fail its pending requests, cancel its handlers."""
        if self.closed:
            return
        self.closed = True
        self.close_media()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(SignalingError("peer closed"))
        self._pending.clear()
        current = asyncio.current_task()
        for task in list(self._tasks):
            if task is not current:
                task.cancel()
