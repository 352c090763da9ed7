"""A plain RTP transport, as mediasoup's RTC::PlainTransport.

One UDP socket (two without rtcpMux) on the listen IP, optional SRTP with a local key
made at creation, and ``transport.connect`` giving the remote address (or, with
comedia, nothing: the remote is learnt from the first packet) and the remote SRTP key.
The tuple, rtcpTuple and srtpParameters are answered as mediasoup does. Media
(RTP/RTCP/SCTP over the socket, SRTP sessions, comedia's learning) comes later:
received datagrams are only counted for now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import MediaSoupError, MediaSoupTypeError
from ..log import logger
from .ip_utils import normalize_ip
from .json_utils import as_uint, is_positive_integer
from .packet_kind import is_rtcp, is_rtp, is_sctp
from .srtp_parameters import (
    CRYPTO_SUITES,
    key_base64,
    parse_remote_srtp_parameters,
    random_srtp_key,
)
from .transport import Transport
from .transport_tuple import TransportTuple

if TYPE_CHECKING:
    from ..channel.channel_request import ChannelRequest
    from .shared import Shared


_WHERE = "RTC::PlainTransport"


def parse_single_listen_ip(data: dict[str, Any]) -> tuple[str, str]:
    """PlainTransport's and PipeTransport's listenIp: (normalized ip, announcedIp)."""
    if "listenIp" not in data:
        raise MediaSoupTypeError("missing listenIp")
    listen_ip = data["listenIp"]
    if not isinstance(listen_ip, dict):
        raise MediaSoupTypeError("wrong listenIp (not an object)")
    if "ip" not in listen_ip:
        raise MediaSoupTypeError("missing listenIp.ip")
    ip = listen_ip["ip"]
    if not isinstance(ip, str):
        raise MediaSoupTypeError("wrong listenIp.ip (not an string)")
    ip = normalize_ip(ip)
    announced_ip = ""
    if "announcedIp" in listen_ip:
        if not isinstance(listen_ip["announcedIp"], str):
            raise MediaSoupTypeError("wrong listenIp.announcedIp (not an string")
        announced_ip = listen_ip["announcedIp"]
    return ip, announced_ip


def parse_remote_address(data: dict[str, Any], key: str = "port") -> tuple[str, int]:
    """The remote ip (normalized) and port of a connect request."""
    ip = data.get("ip")
    if not isinstance(ip, str):
        raise MediaSoupTypeError("missing ip")
    ip = normalize_ip(ip)
    port = data.get(key)
    if not is_positive_integer(port):
        raise MediaSoupTypeError("missing port")
    return ip, as_uint(port, 16)


class PlainTransport(Transport):
    stats_type = "plain-rtp-transport"

    def __init__(
        self, transport_id: str, shared: Shared, listener: Any, data: dict[str, Any]
    ) -> None:
        super().__init__(transport_id, shared, listener, data)
        self.listen_ip, self.announced_ip = parse_single_listen_ip(data)
        self.rtcp_mux = True
        if "rtcpMux" in data:
            if not isinstance(data["rtcpMux"], bool):
                raise MediaSoupTypeError("wrong rtcpMux (not a boolean)")
            self.rtcp_mux = data["rtcpMux"]
        self.comedia = False
        if "comedia" in data:
            if not isinstance(data["comedia"], bool):
                raise MediaSoupTypeError("wrong comedia (not a boolean)")
            self.comedia = data["comedia"]
        self.srtp_crypto_suite = ""
        self.srtp_key = b""
        if data.get("enableSrtp") is True:
            suite = data.get("srtpCryptoSuite")
            if not isinstance(suite, str):
                raise MediaSoupTypeError("missing srtpCryptoSuite)")
            if suite not in CRYPTO_SUITES:
                raise MediaSoupTypeError("invalid/unsupported srtpCryptoSuite")
            # The suite may still change on connect(), to the remote's.
            self.srtp_crypto_suite = suite
            self.srtp_key = random_srtp_key()
        self.srtp_remote_key = b""
        self.tuple: TransportTuple | None = None
        self.rtcp_tuple: TransportTuple | None = None
        self.connect_called = False

        self.udp_socket: Any = None
        self.rtcp_udp_socket: Any = None
        bind_udp = shared.bind_udp
        if bind_udp is None:
            raise MediaSoupError("no UDP sockets available in this worker")
        try:
            self.udp_socket = bind_udp(self.listen_ip, self._on_udp_packet)
            if not self.rtcp_mux:
                self.rtcp_udp_socket = bind_udp(self.listen_ip, self._on_udp_packet)
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        for udp_socket in (self.udp_socket, self.rtcp_udp_socket):
            if udp_socket is not None:
                udp_socket.close()
        self.udp_socket = self.rtcp_udp_socket = None

    @property
    def has_srtp(self) -> bool:
        return bool(self.srtp_key)

    def is_connected(self) -> bool:
        return self.tuple is not None

    # Network output (packets: core.rtp objects with serialize()).
    def send_rtp_packet(self, consumer: Any, packet: Any) -> None:
        if self.tuple is None or self.has_srtp:
            # Not connected, or SRTP (whose sessions come with media): nothing goes out.
            return
        data = packet.serialize()
        if self.tuple.send(data):
            self.data_sent(len(data))

    def send_rtcp_packet(self, packet: Any) -> None:
        if self.tuple is None or self.has_srtp:
            return
        target = self.tuple if self.rtcp_mux else self.rtcp_tuple
        if target is None:
            return
        data = packet.serialize()
        if target.send(data):
            self.data_sent(len(data))

    # Network input.
    def _on_udp_packet(self, udp_socket: Any, data: bytes, remote_addr: tuple) -> None:
        self.data_received(len(data))
        if is_rtcp(data):
            self._on_rtcp_data(udp_socket, data, remote_addr)
        elif is_rtp(data):
            self._on_rtp_data(udp_socket, data, remote_addr)
        elif is_sctp(data):
            self._on_sctp_data(udp_socket, data, remote_addr)

    def _srtp_blocks(self) -> bool:
        # With SRTP, a packet is only usable once decrypted: the SRTP sessions come with
        # media, so until then SRTP traffic is dropped (and teaches comedia nothing).
        return self.has_srtp

    def _on_rtp_data(self, udp_socket: Any, data: bytes, remote_addr: tuple) -> None:
        if self._srtp_blocks():
            return
        from ..core.rtp.packet import RtpPacket

        try:
            packet = RtpPacket.parse(data)
        except ValueError:
            logger.warn(_WHERE, "received data is not a valid RTP packet", "rtp")
            return
        if self.tuple is None:
            if not self.comedia:
                logger.debug(_WHERE, "ignoring RTP packet while not connected", "rtp")
                self.recv_stream_closed(packet.ssrc)
                return
            self._learn_tuple(udp_socket, remote_addr)
        elif not self._matches(self.tuple, udp_socket, remote_addr):
            logger.debug(_WHERE, "ignoring RTP packet from unknown IP:port", "rtp")
            self.recv_stream_closed(packet.ssrc)
            return
        self.receive_rtp_packet(packet)

    def _on_rtcp_data(self, udp_socket: Any, data: bytes, remote_addr: tuple) -> None:
        if self._srtp_blocks():
            return
        if self.rtcp_mux and self.tuple is None:
            if not self.comedia:
                logger.debug(_WHERE, "ignoring RTCP packet while not connected", "rtcp")
                return
            self._learn_tuple(udp_socket, remote_addr)
        elif not self.rtcp_mux and self.rtcp_tuple is None:
            if not self.comedia:
                logger.debug(_WHERE, "ignoring RTCP packet while not connected", "rtcp")
                return
            self.rtcp_tuple = TransportTuple(
                udp_socket, remote_addr[0], remote_addr[1], "udp", self.announced_ip
            )
            self.shared.notify(self.id, "rtcptuple", {"rtcpTuple": self.rtcp_tuple.dump()})
        else:
            expected = self.tuple if self.rtcp_mux else self.rtcp_tuple
            if expected is None or not self._matches(expected, udp_socket, remote_addr):
                logger.debug(_WHERE, "ignoring RTCP packet from unknown IP:port", "rtcp")
                return
        self.receive_rtcp_data(data)

    def _on_sctp_data(self, udp_socket: Any, data: bytes, remote_addr: tuple) -> None:
        if self.tuple is None:
            if not self.comedia:
                logger.debug(_WHERE, "ignoring SCTP packet while not connected", "sctp")
                return
            self._learn_tuple(udp_socket, remote_addr)
        if self.tuple is None or not self._matches(self.tuple, udp_socket, remote_addr):
            logger.debug(_WHERE, "ignoring SCTP packet from unknown IP:port", "sctp")
            return
        self.receive_sctp_data(data)

    def _learn_tuple(self, udp_socket: Any, remote_addr: tuple) -> None:
        """comedia: the first packet's source becomes the remote (mediasoup's "tuple" event)."""
        was_connected = self.is_connected()
        self.tuple = TransportTuple(
            udp_socket, remote_addr[0], remote_addr[1], "udp", self.announced_ip
        )
        if not was_connected:
            self.shared.notify(self.id, "tuple", {"tuple": self.tuple.dump()})
            self.connected()

    @staticmethod
    def _matches(tuple_: TransportTuple, udp_socket: Any, remote_addr: tuple) -> bool:
        return tuple_.socket is udp_socket and tuple_.remote_addr == tuple(remote_addr[:2])

    def _local_tuple_json(self, udp_socket: Any) -> dict[str, Any]:
        return {
            "localIp": self.announced_ip or udp_socket.local_ip,
            "localPort": udp_socket.local_port,
            "protocol": "udp",
        }

    def _srtp_parameters(self) -> dict[str, str]:
        return {"cryptoSuite": self.srtp_crypto_suite, "keyBase64": key_base64(self.srtp_key)}

    def dump(self) -> dict[str, Any]:
        result = super().dump()
        result["rtcpMux"] = self.rtcp_mux
        result["comedia"] = self.comedia
        result["tuple"] = (
            self.tuple.dump() if self.tuple else self._local_tuple_json(self.udp_socket)
        )
        if not self.rtcp_mux:
            result["rtcpTuple"] = (
                self.rtcp_tuple.dump()
                if self.rtcp_tuple
                else self._local_tuple_json(self.rtcp_udp_socket)
            )
        if self.has_srtp:
            result["srtpParameters"] = self._srtp_parameters()
        return result

    def get_stats(self) -> list[dict[str, Any]]:
        stats = super().get_stats()
        entry = stats[0]
        entry["rtcpMux"] = self.rtcp_mux
        entry["comedia"] = self.comedia
        entry["tuple"] = (
            self.tuple.dump() if self.tuple else self._local_tuple_json(self.udp_socket)
        )
        if not self.rtcp_mux and self.rtcp_tuple is not None:
            entry["rtcpTuple"] = self.rtcp_tuple.dump()
        return stats

    def handle_request(self, request: ChannelRequest) -> None:
        if request.method == "transport.connect":
            self._connect(request)
        else:
            super().handle_request(request)

    def _connect(self, request: ChannelRequest) -> None:
        if self.connect_called:
            raise MediaSoupError("connect() already called")
        data = request.data
        # Validate everything before changing anything.
        crypto_suite, remote_key = "", b""
        if not self.has_srtp:
            if "srtpParameters" in data:
                raise MediaSoupTypeError("invalid srtpParameters (SRTP not enabled)")
        else:
            crypto_suite, remote_key = parse_remote_srtp_parameters(
                data.get("srtpParameters"), CRYPTO_SUITES
            )
        remote: tuple[str, int] | None = None
        rtcp_port = 0
        if not self.comedia:
            remote = parse_remote_address(data)
            rtcp_port_value = data.get("rtcpPort")
            if is_positive_integer(rtcp_port_value):
                if self.rtcp_mux:
                    raise MediaSoupTypeError("cannot set rtcpPort with rtcpMux enabled")
                rtcp_port = as_uint(rtcp_port_value, 16)
            elif not self.rtcp_mux:
                raise MediaSoupTypeError("missing rtcpPort (required with rtcpMux disabled)")
        if self.has_srtp:
            # The remote's suite is ours from now on; the SRTP sessions come with media.
            self.srtp_crypto_suite = crypto_suite
            self.srtp_remote_key = remote_key
        if remote is not None:
            self.tuple = TransportTuple(
                self.udp_socket, remote[0], remote[1], "udp", self.announced_ip
            )
            if not self.rtcp_mux:
                self.rtcp_tuple = TransportTuple(
                    self.rtcp_udp_socket, remote[0], rtcp_port, "udp", self.announced_ip
                )
        self.connect_called = True
        reply: dict[str, Any] = {}
        if self.tuple is not None:
            reply["tuple"] = self.tuple.dump()
        if not self.rtcp_mux and self.rtcp_tuple is not None:
            reply["rtcpTuple"] = self.rtcp_tuple.dump()
        if self.has_srtp:
            reply["srtpParameters"] = self._srtp_parameters()
        request.accept(reply)
        # mediasoup assumes the transport is connected now (nothing tells otherwise).
        self.connected()
