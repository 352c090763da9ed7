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
from .ip_utils import normalize_ip
from .json_utils import as_uint, is_positive_integer
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

    # Network input: RTP/RTCP/SCTP (and comedia's tuple learning) come with media;
    # for now a datagram is counted and dropped.
    def _on_udp_packet(self, udp_socket: Any, data: bytes, remote_addr: tuple) -> None:
        self.data_received(len(data))

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
