"""PortManager and the sockets of net/: the port range, exhaustion, bad IPs, receive path."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

import pytest

from pymediasoup_worker.errors import MediaSoupError
from pymediasoup_worker.net.port_manager import PortManager
from pymediasoup_worker.net.tcp_server import TcpServer
from pymediasoup_worker.net.udp_socket import UdpSocket


@dataclass
class Ports:
    rtc_min_port: int
    rtc_max_port: int


def free_range(size: int) -> Ports:
    """A run of ``size`` ports that are free right now (for both protocols)."""
    for base in range(40000, 60000, 97):
        if all(_is_free(port) for port in range(base, base + size)):
            return Ports(base, base + size - 1)
    pytest.skip("no free port range")


def _is_free(port: int) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


@pytest.mark.parametrize("protocol", ["udp", "tcp"])
def test_every_port_once_then_exhausted(protocol: str) -> None:
    ports = free_range(3)
    manager = PortManager(ports)
    socks = [manager.bind(protocol, "127.0.0.1") for _ in range(3)]
    try:
        bound = sorted(s.getsockname()[1] for s in socks)
        assert bound == [ports.rtc_min_port, ports.rtc_min_port + 1, ports.rtc_max_port]
        assert manager.in_use(protocol, "127.0.0.1") == frozenset(bound)
        with pytest.raises(MediaSoupError, match=r"^no more available ports \[transport:"):
            manager.bind(protocol, "127.0.0.1")
        # A released port can be bound again.
        released = socks.pop()
        port = released.getsockname()[1]
        released.close()
        manager.unbind(protocol, "127.0.0.1", port)
        socks.append(manager.bind(protocol, "127.0.0.1"))
        assert socks[-1].getsockname()[1] == port
    finally:
        for sock in socks:
            sock.close()


def test_udp_and_tcp_tables_are_separate() -> None:
    ports = free_range(1)
    manager = PortManager(ports)
    udp = manager.bind("udp", "127.0.0.1")
    tcp = manager.bind("tcp", "127.0.0.1")
    try:
        assert udp.getsockname()[1] == tcp.getsockname()[1] == ports.rtc_min_port
    finally:
        udp.close()
        tcp.close()


def test_port_taken_by_someone_else_is_skipped() -> None:
    ports = free_range(2)
    manager = PortManager(ports)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("127.0.0.1", ports.rtc_min_port))
        sock = manager.bind("udp", "127.0.0.1")
        try:
            assert sock.getsockname()[1] == ports.rtc_max_port
            with pytest.raises(MediaSoupError, match="no more available ports"):
                manager.bind("udp", "127.0.0.1")
        finally:
            sock.close()


@pytest.mark.parametrize(
    ("ip", "message"),
    [
        (
            "8.8.8.8",
            r"^port bind failed due to address not available \[transport:udp, ip:'8.8.8.8'",
        ),
        ("not-an-ip", r"^invalid IP 'not-an-ip'$"),
    ],
)
def test_bind_errors(ip: str, message: str) -> None:
    manager = PortManager(Ports(10000, 59999))
    with pytest.raises(MediaSoupError, match=message):
        manager.bind("udp", ip)
    assert manager.in_use("udp", ip) == frozenset()


def test_udp_socket_receives_synchronously_and_closes() -> None:
    loop = asyncio.new_event_loop()
    manager = PortManager(free_range(1))
    received: list[tuple[bytes, tuple]] = []
    done = loop.create_future()

    def on_packet(udp_socket: UdpSocket, data: bytes, addr: tuple) -> None:
        received.append((data, addr))
        if len(received) == 2 and not done.done():
            done.set_result(None)

    udp = UdpSocket(loop, manager, "127.0.0.1", on_packet)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.sendto(b"one", (udp.local_ip, udp.local_port))
        peer.sendto(b"two", (udp.local_ip, udp.local_port))
        loop.run_until_complete(asyncio.wait_for(done, 5))
        assert [d for d, _ in received] == [b"one", b"two"]
        assert received[0][1] == peer.getsockname()
        assert udp.recv_bytes == 6
        # And back.
        assert udp.send(b"back", peer.getsockname())
        assert peer.recv(10) == b"back"
    port = udp.local_port
    udp.close()
    udp.close()  # idempotent
    assert manager.in_use("udp", "127.0.0.1") == frozenset()
    assert port not in manager.in_use("udp", "127.0.0.1")
    loop.close()


def test_udp_socket_peer_sender_connects_to_its_one_peer() -> None:
    """peer_sender(): the socket connected to the peer, a stranger's datagrams dropped by
    the kernel, a closed peer's ICMP error counted (never raised), nothing after close."""
    loop = asyncio.new_event_loop()
    manager = PortManager(free_range(1))
    received: list[bytes] = []
    udp = UdpSocket(loop, manager, "127.0.0.1", lambda _s, data, _a: received.append(data))
    assert udp._sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) >= 212992
    local = (udp.local_ip, udp.local_port)
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stranger,
    ):
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(5)
        stranger.bind(("127.0.0.1", 0))
        send = udp.peer_sender(peer.getsockname())
        assert udp.connected_addr == peer.getsockname()
        assert send(bytearray(b"to-peer")) and peer.recv(100) == b"to-peer"
        # The same peer again: the same sender; another one: sendto().
        assert udp.peer_sender(peer.getsockname()) == send
        other = udp.peer_sender(stranger.getsockname())
        assert other(b"x") and stranger.recv(100) == b"x"
        stranger.sendto(b"from-stranger", local)
        peer.sendto(b"from-peer", local)
        loop.run_until_complete(asyncio.sleep(0.05))
        assert received == [b"from-peer"]
        peer_addr = peer.getsockname()
    # The peer is gone: its port answers with ICMP port unreachable, which the connected
    # socket reports on a later send.
    results = [udp.peer_sender(peer_addr)(b"lost") for _ in range(4)]
    assert False in results and udp.send_errors >= 1
    udp.close()
    assert send(b"after close") is False
    loop.close()


def test_tcp_server_frames_rfc4571() -> None:
    loop = asyncio.new_event_loop()
    manager = PortManager(free_range(1))
    received: list[bytes] = []
    done = loop.create_future()

    def on_packet(connection: object, data: bytes) -> None:
        received.append(data)
        if len(received) == 3 and not done.done():
            done.set_result(None)

    server = TcpServer(loop, manager, "127.0.0.1", on_packet)
    client = socket.create_connection((server.local_ip, server.local_port))
    try:
        # Three frames, the second one empty, sent in awkward pieces.
        stream = b"\x00\x03abc" + b"\x00\x00" + b"\x00\x05hello"
        client.sendall(stream[:4])
        client.sendall(stream[4:])
        loop.run_until_complete(asyncio.wait_for(done, 5))
        assert received == [b"abc", b"", b"hello"]
        assert len(server.connections) == 1
    finally:
        client.close()
        server.close()
        loop.close()
    assert manager.in_use("tcp", "127.0.0.1") == frozenset()
