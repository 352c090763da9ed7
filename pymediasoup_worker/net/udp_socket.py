"""A UDP socket for a transport, as mediasoup's RTC::UdpSocket.

Bound synchronously through the PortManager and read with ``loop.add_reader``: each
datagram goes to ``on_packet(socket, data, remote_addr)`` as a direct call. Whatever a
remote peer sends, an exception out of ``on_packet`` is caught here, counted in
``packet_errors`` and logged at debug: the worker never dies of a peer's packet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..log import logger
from .port_manager import PortManager

_MAX_DATAGRAM = 65536
_MAX_READS_PER_WAKEUP = 64  # let the loop breathe under a flood
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
        self._sendto = self._sock.sendto  # bound once: send() runs per packet per consumer
        self.local_ip, self.local_port = self._sock.getsockname()[:2]
        self._bound_ip = ip
        self.on_packet = on_packet
        self.closed = False
        self.recv_bytes = 0
        self.sent_bytes = 0
        self.send_errors = 0
        # Datagrams whose handling raised (a bug exposed by a peer's packet).
        self.packet_errors = 0
        loop.add_reader(self._sock.fileno(), self._on_readable)

    def send(self, data: bytes, addr: tuple) -> bool:
        """Send one datagram; a failure is counted and logged, never raised."""
        if self.closed:
            return False
        try:
            self._sendto(data, addr)
        except OSError as exc:
            self.send_errors += 1
            logger.warn("RTC::UdpSocket::Send", f"sendto() failed: {exc}")
            return False
        self.sent_bytes += len(data)
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
