"""What the RTC objects share: the notifiers, the settings and the injected services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..channel.channel_socket import ChannelSocket
    from ..channel.payload_channel_socket import PayloadChannelSocket
    from ..settings import Settings


@dataclass
class Shared:
    channel: ChannelSocket
    payload_channel: PayloadChannelSocket
    settings: Settings
    # Monotonic milliseconds (mediasoup's DepLibUV::GetTimeMs), injected by the glue.
    now_ms: Callable[[], int]
    # Runs a coroutine owned by the worker (never fire-and-forget).
    spawn: Callable[[Awaitable[None]], None]
    # Sockets (pymediasoup_worker/net/), injected by the glue: bind_udp(ip, on_packet) gives
    # a bound UdpSocket, bind_tcp(ip, on_packet) a listening TcpServer, on a free RTC port
    # of the (normalized) ip; both raise MediaSoupError. None: no sockets (unit tests).
    bind_udp: Callable[[str, Callable[..., None]], Any] | None = None
    bind_tcp: Callable[[str, Callable[..., None]], Any] | None = None
    # One-shot timer: set_timer(delay_ms, callback) -> handle with .cancel(); wired to
    # loop.call_later by the glue (loop.py). None when no event loop runs.
    set_timer: Callable[[int, Callable[[], None]], Any] | None = None

    def notify(self, target_id: str, event: str, data: Any = None) -> None:
        self.channel.notify(target_id, event, data)
