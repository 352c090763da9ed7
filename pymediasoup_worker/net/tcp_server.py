"""A listening TCP socket for a WebRtcTransport, as mediasoup's RTC::TcpServer.

Bound synchronously through the PortManager; accepted connections are
:class:`TcpConnection` objects whose framed packets go to ``on_packet``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..log import logger
from .port_manager import PortManager
from .tcp_connection import OnTcpPacket, TcpConnection

# mediasoup's TcpServer accepts at most this many connections at once.
MAX_TCP_CONNECTIONS_PER_SERVER = 10


class TcpServer:
    protocol = "tcp"

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        port_manager: PortManager,
        ip: str,
        on_packet: OnTcpPacket,
        on_connection_closed: Callable[[TcpConnection], None] | None = None,
    ) -> None:
        self._loop = loop
        self._port_manager = port_manager
        self._sock = port_manager.bind("tcp", ip)
        self.local_ip, self.local_port = self._sock.getsockname()[:2]
        self._bound_ip = ip
        self.on_packet = on_packet
        self._on_connection_closed = on_connection_closed
        self.connections: set[TcpConnection] = set()
        self.closed = False
        loop.add_reader(self._sock.fileno(), self._on_acceptable)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for connection in list(self.connections):
            connection.close()
        self._loop.remove_reader(self._sock.fileno())
        self._sock.close()
        self._port_manager.unbind("tcp", self._bound_ip, self.local_port)

    def _on_acceptable(self) -> None:
        try:
            sock, _addr = self._sock.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            logger.debug("RTC::TcpServer::OnUvConnection", f"accept() failed: {exc}")
            return
        if len(self.connections) >= MAX_TCP_CONNECTIONS_PER_SERVER:
            logger.debug("RTC::TcpServer::OnUvConnection", "too many connections, rejecting")
            sock.close()
            return
        try:
            connection = TcpConnection(self._loop, sock, self.on_packet, self._connection_closed)
        except OSError:
            sock.close()
            return
        self.connections.add(connection)

    def _connection_closed(self, connection: TcpConnection) -> None:
        self.connections.discard(connection)
        if self._on_connection_closed is not None and not self.closed:
            self._on_connection_closed(connection)
