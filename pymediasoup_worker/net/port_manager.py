"""RTC ports, as mediasoup's RTC::PortManager: one bound socket per port and IP.

A bind starts at a random port in [rtcMinPort, rtcMaxPort] and walks the range
until the OS accepts one; ports we hold are skipped, ports someone else holds are
tried and passed over. An IP that is not on this machine, or too many open files,
fails at once with a clear error.
"""

from __future__ import annotations

import errno
import random
import socket
from typing import Protocol

from ..errors import MediaSoupError

_TCP_BACKLOG = 256


class PortRange(Protocol):
    rtc_min_port: int
    rtc_max_port: int


class PortManager:
    def __init__(self, settings: PortRange) -> None:
        self._settings = settings
        # (protocol, ip) -> ports we hold.
        self._used: dict[tuple[str, str], set[int]] = {}

    def bind(self, protocol: str, ip: str) -> socket.socket:
        """A socket bound on ``ip`` and a free port (listening, for "tcp"); raises MediaSoupError."""
        family = _family(ip)
        min_port, max_port = self._settings.rtc_min_port, self._settings.rtc_max_port
        num_ports = max_port - min_port + 1
        used = self._used.setdefault((protocol, ip), set())
        index = random.randrange(num_ports)
        for attempt in range(1, num_ports + 1):
            index = (index + 1) % num_ports
            port = min_port + index
            if port in used:
                continue
            sock = _try_bind(protocol, family, ip, port, attempt, num_ports)
            if sock is not None:
                used.add(port)
                return sock
        raise MediaSoupError(
            f"no more available ports [transport:{protocol}, ip:'{ip}', numAttempt:{num_ports}]"
        )

    def unbind(self, protocol: str, ip: str, port: int) -> None:
        used = self._used.get((protocol, ip))
        if used is not None:
            used.discard(port)

    def in_use(self, protocol: str, ip: str) -> frozenset[int]:
        return frozenset(self._used.get((protocol, ip), ()))


def _family(ip: str) -> socket.AddressFamily:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, ip)
        except OSError:
            continue
        return family
    raise MediaSoupError(f"invalid IP '{ip}'")


def _try_bind(
    protocol: str, family: socket.AddressFamily, ip: str, port: int, attempt: int, num: int
) -> socket.socket | None:
    """The bound socket, None when this port is taken, or raise when no port can work."""
    kind = socket.SOCK_DGRAM if protocol == "udp" else socket.SOCK_STREAM
    try:
        sock = socket.socket(family, kind)
    except OSError as exc:
        raise MediaSoupError(f"socket() failed [transport:{protocol}, ip:'{ip}']: {exc}") from None
    try:
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        if protocol == "tcp":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((ip, port))
        if protocol == "tcp":
            sock.listen(_TCP_BACKLOG)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        where = f"[transport:{protocol}, ip:'{ip}', port:{port}, attempt:{attempt}/{num}]"
        if exc.errno in (errno.EMFILE, errno.ENFILE):
            raise MediaSoupError(f"port bind failed due to too many open files {where}") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise MediaSoupError(f"port bind failed due to address not available {where}") from None
        return None  # taken by someone else (or refused): try the next port
    return sock
