"""A local/remote address pair of a transport, as mediasoup's RTC::TransportTuple."""

from __future__ import annotations

from typing import Any


class TransportTuple:
    __slots__ = ("local_ip", "local_port", "remote_ip", "remote_port", "protocol",
                 "local_announced_ip", "socket")  # fmt: skip

    def __init__(
        self,
        socket: Any,
        remote_ip: str,
        remote_port: int,
        protocol: str = "udp",
        local_announced_ip: str = "",
    ) -> None:
        # ``socket`` is the net/ object the tuple sends through (UdpSocket or TcpConnection).
        self.socket = socket
        self.local_ip: str = socket.local_ip
        self.local_port: int = socket.local_port
        self.remote_ip = remote_ip
        self.remote_port = remote_port
        self.protocol = protocol
        self.local_announced_ip = local_announced_ip

    @property
    def remote_addr(self) -> tuple[str, int]:
        return (self.remote_ip, self.remote_port)

    def send(self, data: bytes) -> bool:
        if self.protocol == "udp":
            return bool(self.socket.send(data, self.remote_addr))
        return bool(self.socket.send(data))

    def dump(self) -> dict[str, Any]:
        return {
            "localIp": self.local_announced_ip or self.local_ip,
            "localPort": self.local_port,
            "remoteIp": self.remote_ip,
            "remotePort": self.remote_port,
            "protocol": self.protocol,
        }
