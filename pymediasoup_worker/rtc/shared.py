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

    def notify(self, target_id: str, event: str, data: Any = None) -> None:
        self.channel.notify(target_id, event, data)
