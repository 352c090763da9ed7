"""A transport between two routers, as mediasoup's RTC::PipeTransport.

Like a PlainTransport with rtcpMux and without comedia: one UDP socket, ``rtx`` on
request, and SRTP (always AES_CM_128_HMAC_SHA1_80) when enabled. ``transport.connect``
takes the remote ip and port (and SRTP key) and answers the tuple. Media comes later:
received datagrams are only counted for now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import MediaSoupError, MediaSoupTypeError
from .plain_transport import parse_remote_address, parse_single_listen_ip
from .srtp_parameters import key_base64, parse_remote_srtp_parameters, random_srtp_key
from .transport import Transport
from .transport_tuple import TransportTuple

if TYPE_CHECKING:
    from ..channel.channel_request import ChannelRequest
    from .shared import Shared

PIPE_SRTP_CRYPTO_SUITE = "AES_CM_128_HMAC_SHA1_80"


class PipeTransport(Transport):
    stats_type = "pipe-transport"

    def __init__(
        self, transport_id: str, shared: Shared, listener: Any, data: dict[str, Any]
    ) -> None:
        super().__init__(transport_id, shared, listener, data)
        self.listen_ip, self.announced_ip = parse_single_listen_ip(data)
        enable_rtx = data.get("enableRtx")
        self.rtx = enable_rtx if isinstance(enable_rtx, bool) else False
        self.srtp_key = random_srtp_key() if data.get("enableSrtp") is True else b""
        self.srtp_remote_key = b""
        self.tuple: TransportTuple | None = None
        self.udp_socket: Any = None
        if shared.bind_udp is None:
            raise MediaSoupError("no UDP sockets available in this worker")
        self.udp_socket = shared.bind_udp(self.listen_ip, self._on_udp_packet)

    def release(self) -> None:
        if self.udp_socket is not None:
            self.udp_socket.close()
            self.udp_socket = None

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
        self.send_rtp_packet(None, packet)

    # Network input: RTP/RTCP/SCTP come with media; for now a datagram is counted and dropped.
    def _on_udp_packet(self, udp_socket: Any, data: bytes, remote_addr: tuple) -> None:
        self.data_received(len(data))

    def _tuple_json(self) -> dict[str, Any]:
        if self.tuple is not None:
            return self.tuple.dump()
        return {
            "localIp": self.announced_ip or self.udp_socket.local_ip,
            "localPort": self.udp_socket.local_port,
            "protocol": "udp",
        }

    def dump(self) -> dict[str, Any]:
        result = super().dump()
        result["tuple"] = self._tuple_json()
        result["rtx"] = self.rtx
        if self.has_srtp:
            result["srtpParameters"] = {
                "cryptoSuite": PIPE_SRTP_CRYPTO_SUITE,
                "keyBase64": key_base64(self.srtp_key),
            }
        return result

    def get_stats(self) -> list[dict[str, Any]]:
        stats = super().get_stats()
        stats[0]["tuple"] = self._tuple_json()
        return stats

    def handle_request(self, request: ChannelRequest) -> None:
        if request.method == "transport.connect":
            self._connect(request)
        else:
            super().handle_request(request)

    def _connect(self, request: ChannelRequest) -> None:
        if self.tuple is not None:
            raise MediaSoupError("connect() already called")
        data = request.data
        remote_key = b""
        if not self.has_srtp:
            if "srtpParameters" in data:
                raise MediaSoupTypeError("invalid srtpParameters (SRTP not enabled)")
        else:
            _suite, remote_key = parse_remote_srtp_parameters(
                data.get("srtpParameters"), (PIPE_SRTP_CRYPTO_SUITE,)
            )
        ip, port = parse_remote_address(data)
        # The SRTP sessions are made from these keys with media.
        self.srtp_remote_key = remote_key
        self.tuple = TransportTuple(self.udp_socket, ip, port, "udp", self.announced_ip)
        request.accept({"tuple": self.tuple.dump()})
        # mediasoup assumes the transport is connected now (nothing tells otherwise).
        self.connected()
