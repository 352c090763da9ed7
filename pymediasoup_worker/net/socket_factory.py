"""The sockets the RTC objects get through ``Shared.bind_udp`` / ``Shared.bind_tcp``.

The port manager and the socket modules are loaded on the first bind, not at start-up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .port_manager import PortManager, PortRange
    from .tcp_server import TcpServer
    from .udp_socket import UdpSocket


class SocketFactory:
    def __init__(self, loop: asyncio.AbstractEventLoop, settings: PortRange) -> None:
        self._loop = loop
        self._settings = settings
        self._port_manager: PortManager | None = None

    @property
    def port_manager(self) -> PortManager:
        if self._port_manager is None:
            from .port_manager import PortManager

            self._port_manager = PortManager(self._settings)
        return self._port_manager

    def bind_udp(self, ip: str, on_packet: Callable[..., Any]) -> UdpSocket:
        from .udp_socket import UdpSocket

        return UdpSocket(self._loop, self.port_manager, ip, on_packet)

    def bind_tcp(self, ip: str, on_packet: Callable[..., Any]) -> TcpServer:
        from .tcp_server import TcpServer

        return TcpServer(self._loop, self.port_manager, ip, on_packet)
