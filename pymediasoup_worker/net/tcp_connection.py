"""One accepted TCP connection, as mediasoup's RTC::TcpConnection: RFC 4571 framing.

Every packet on the stream is a 2-byte big-endian length then the packet. Frames go
to ``on_packet(connection, data)`` as direct calls; the receive buffer is bounded
(a frame is at most 65535 bytes), so a peer cannot make it grow.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from ..log import logger

_READ_SIZE = 65536 + 2

OnTcpPacket = Callable[["TcpConnection", bytes], None]


class TcpConnection:
    protocol = "tcp"

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        on_packet: OnTcpPacket,
        on_closed: Callable[[TcpConnection], None],
    ) -> None:
        self._loop = loop
        self._sock = sock
        sock.setblocking(False)
        self.local_ip, self.local_port = sock.getsockname()[:2]
        self.remote_addr: tuple = sock.getpeername()
        self.on_packet = on_packet
        self._on_closed = on_closed
        self._buffer = bytearray()
        self._out = bytearray()
        self.closed = False
        self.recv_bytes = 0
        self.sent_bytes = 0
        # Framed packets whose handling raised (a bug exposed by a peer's packet).
        self.packet_errors = 0
        loop.add_reader(sock.fileno(), self._on_readable)

    def send(self, data: bytes) -> bool:
        """Frame and send one packet; what the kernel does not take now is sent when writable."""
        if self.closed or len(data) > 0xFFFF:
            return False
        frame = len(data).to_bytes(2, "big") + data
        if not self._out:
            try:
                sent = self._sock.send(frame)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as exc:
                logger.debug("RTC::TcpConnection::Send", f"send() failed: {exc}")
                self.close()
                return False
            frame = frame[sent:]
            if frame:
                self._loop.add_writer(self._sock.fileno(), self._on_writable)
        self._out += frame
        self.sent_bytes += len(data)
        return True

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        fd = self._sock.fileno()
        self._loop.remove_reader(fd)
        self._loop.remove_writer(fd)
        self._sock.close()
        self._on_closed(self)

    def _on_writable(self) -> None:
        try:
            sent = self._sock.send(self._out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close()
            return
        del self._out[:sent]
        if not self._out:
            self._loop.remove_writer(self._sock.fileno())

    def _on_readable(self) -> None:
        try:
            data = self._sock.recv(_READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close()
            return
        if not data:
            self.close()
            return
        self.recv_bytes += len(data)
        buffer = self._buffer
        buffer += data
        while len(buffer) >= 2:
            size = int.from_bytes(buffer[:2], "big")
            if len(buffer) < 2 + size:
                break
            packet = bytes(buffer[2 : 2 + size])
            del buffer[: 2 + size]
            try:
                self.on_packet(self, packet)
            except Exception as exc:  # noqa: BLE001 - never die of a peer's packet
                self.packet_errors += 1
                logger.debug(
                    "RTC::TcpConnection::OnUvRead",
                    f"error handling a {size}-byte packet: {exc!r}",
                )
            if self.closed:
                return
