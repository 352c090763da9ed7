"""A UDP socket for a transport, as mediasoup's RTC::UdpSocket.

Bound synchronously through the PortManager and read with ``loop.add_reader``: each
datagram goes to ``on_packet(socket, data, remote_addr)`` as a direct call. Whatever a
remote peer sends, an exception out of ``on_packet`` is caught here, counted in
``packet_errors`` and logged at debug: the worker never dies of a peer's packet.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from ..log import logger
from .port_manager import PortManager

_MAX_DATAGRAM = 65536
_MAX_READS_PER_WAKEUP = 64  # let the loop breathe under a flood
# The kernel's receive buffer asked for (it caps it at net.core.rmem_max): about 800
# full-size datagrams, so that a burst that arrives while the loop is busy elsewhere
# (a Python worker is slower to get back to a socket than a C one) waits instead of
# being dropped. The default (rmem_default, often 208 KiB) holds about 90.
RECV_BUFFER_SIZE = 1 << 20
# One receive buffer for every socket: one thread, and each datagram is copied out of it
# before on_packet runs.
_RECV_BUFFER = bytearray(_MAX_DATAGRAM)
_RECV_VIEW = memoryview(_RECV_BUFFER)

OnUdpPacket = Callable[["UdpSocket", bytes, tuple], None]


class UdpSocket:
    protocol = "udp"

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        port_manager: PortManager,
        ip: str,
        on_packet: OnUdpPacket,
    ) -> None:
        self._loop = loop
        self._port_manager = port_manager
        self._sock = port_manager.bind("udp", ip)
        try:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECV_BUFFER_SIZE)
        except OSError as exc:  # the default then
            logger.debug("RTC::UdpSocket", f"setsockopt(SO_RCVBUF) failed: {exc}")
        self._sendto = self._sock.sendto  # bound once: send() runs per packet per consumer
        self._send = self._sock.send
        # The one peer this socket is connected to (peer_sender), if any.
        self.connected_addr: tuple | None = None
        self.local_ip, self.local_port = self._sock.getsockname()[:2]
        self._bound_ip = ip
        self.on_packet = on_packet
        self.closed = False
        self.recv_bytes = 0
        self.send_errors = 0
        # Datagrams whose handling raised (a bug exposed by a peer's packet).
        self.packet_errors = 0
        loop.add_reader(self._sock.fileno(), self._on_readable)

    def send(self, data: bytes | bytearray, addr: tuple) -> bool:
        """Send one datagram; a failure is counted and logged, never raised."""
        try:
            self._sendto(data, addr)
        except OSError as exc:
            if self.closed:
                return False
            self.send_errors += 1
            logger.warn("RTC::UdpSocket::Send", f"sendto() failed: {exc}")
            return False
        return True

    def peer_sender(self, addr: tuple) -> Callable[[bytes | bytearray], bool]:
        """A ``send(data)`` to one fixed peer (a PlainTransport's or PipeTransport's tuple).

        The first peer connects the socket: no address to parse nor route to look up per
        datagram (a connected send is about a fifth cheaper), and the kernel drops what
        anyone else sends, which the transport would ignore anyway. Another peer (the
        socket already connected elsewhere) or a failed connect: sendto() as send().
        """
        if self.connected_addr is None and not self.closed:
            try:
                self._sock.connect(addr)
            except OSError as exc:
                logger.warn("RTC::UdpSocket::Connect", f"connect() failed: {exc}")
            else:
                self.connected_addr = addr
                return self.send_connected
        if self.connected_addr == addr:
            return self.send_connected
        return lambda data: self.send(data, addr)

    def send_connected(self, data: bytes | bytearray) -> bool:
        """send() to the connected peer."""
        try:
            self._send(data)
        except OSError as exc:
            if self.closed:
                return False
            self.send_errors += 1
            if isinstance(exc, ConnectionRefusedError):
                # An ICMP port unreachable from the peer, which a connected socket reports
                # on a later call (an unconnected one never does): not ours to warn about.
                logger.debug("RTC::UdpSocket::Send", f"send() failed: {exc}")
            else:
                logger.warn("RTC::UdpSocket::Send", f"send() failed: {exc}")
            return False
        return True

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._loop.remove_reader(self._sock.fileno())
        self._sock.close()
        self._port_manager.unbind("udp", self._bound_ip, self.local_port)

    def _on_readable(self) -> None:
        # Into one preallocated buffer, then a copy of the datagram's bytes: recvfrom(65536)
        # would allocate (and page-fault) a fresh 64 KiB object per datagram.
        recvfrom_into = self._sock.recvfrom_into
        buffer = _RECV_BUFFER
        view = _RECV_VIEW
        for _ in range(_MAX_READS_PER_WAKEUP):
            try:
                size, addr = recvfrom_into(buffer)
                data = bytes(view[:size])
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. ICMP port unreachable surfacing as ECONNREFUSED
                logger.debug("RTC::UdpSocket::OnUvRecv", f"recvfrom() failed: {exc}")
                return
            self.recv_bytes += size
            try:
                self.on_packet(self, data, addr)
            except Exception as exc:  # noqa: BLE001 - never die of a peer's packet
                self.packet_errors += 1
                logger.debug(
                    "RTC::UdpSocket::OnUvRecv",
                    f"error handling a {len(data)}-byte datagram from {addr!r}: {exc!r}",
                )
            if self.closed:
                return
