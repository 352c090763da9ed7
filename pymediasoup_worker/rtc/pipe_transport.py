"""A transport between two routers, as mediasoup's RTC::PipeTransport.

Like a PlainTransport with rtcpMux and without comedia: one UDP socket, ``rtx`` on
request (it only shapes the Node side's pipe consumer parameters), and SRTP (always
AES_CM_128_HMAC_SHA1_80) when enabled. ``transport.connect`` takes the remote ip and
port (and SRTP key), makes the SRTP sessions and answers the tuple.

Media as PlainTransport's: a datagram from the tuple is decrypted if SRTP is on, parsed
once and handed to the Transport base; anything else is dropped and counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import MediaSoupError, MediaSoupTypeError
from ..log import logger
from .packet_kind import is_sctp
from .plain_transport import (
    from_tuple,
    make_srtp_sessions,
    parse_remote_address,
    parse_single_listen_ip,
    send_rtcp_on,
    send_rtp_on_tuple,
    unprotect_and_parse_rtp,
    unprotect_rtcp,
)
from .srtp_parameters import key_base64, parse_remote_srtp_parameters, random_srtp_key
from .transport import Transport
from .transport_tuple import TransportTuple

if TYPE_CHECKING:
    from ..channel.channel_request import ChannelRequest
    from ..core.srtp import SrtpSessionPair
    from .shared import Shared

PIPE_SRTP_CRYPTO_SUITE = "AES_CM_128_HMAC_SHA1_80"
_WHERE = "RTC::PipeTransport"


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
        self.srtp: SrtpSessionPair | None = None
        self.tuple: TransportTuple | None = None
        # Datagrams dropped before parsing (see PlainTransport).
        self.datagrams_ignored = 0
        self._rtp_send: Any = None  # send(data) to the tuple (UdpSocket.peer_sender)
        self.udp_socket: Any = None
        if shared.bind_udp is None:
            raise MediaSoupError("no UDP sockets available in this worker")
        self.udp_socket = shared.bind_udp(self.listen_ip, self._on_udp_packet)

    def release(self) -> None:
        if self.udp_socket is not None:
            self.udp_socket.close()
            self.udp_socket = None
        self._rtp_send = None
        self.srtp = None

    @property
    def has_srtp(self) -> bool:
        return bool(self.srtp_key)

    def is_connected(self) -> bool:
        return self.tuple is not None

    # Network output.
    def send_rtp_packet(self, consumer: Any, packet: Any) -> int:
        return self.send_rtp_data(consumer, packet, packet.buffer)

    send_rtp_data = send_rtp_on_tuple

    def send_rtcp_packet(self, packet: Any) -> None:
        send_rtcp_on(self, self._rtp_send, packet)

    # Network input: one call per datagram, from the UdpSocket.
    def _on_udp_packet(self, udp_socket: Any, data: bytes, remote_addr: tuple) -> None:
        size = len(data)
        now_ms = self.shared.now_ms()
        self.data_received(size, now_ms)
        tuple_ = self.tuple
        if tuple_ is None:
            self.datagrams_ignored += 1  # not connected
            return
        if not from_tuple(tuple_, udp_socket, remote_addr):
            self.datagrams_ignored += 1
            logger.debug(_WHERE, "ignoring packet from unknown IP:port")
            return
        if size > 3 and 127 < data[0] < 192:
            if 191 < data[1] < 224:
                self._on_rtcp_data(data)
            elif size > 11:
                self._on_rtp_data(data, now_ms)
            else:
                self.datagrams_ignored += 1
        elif is_sctp(data):
            self.receive_sctp_data(data)
        else:
            self.datagrams_ignored += 1
            logger.debug(_WHERE, "ignoring received packet of unknown type")

    def _on_rtp_data(self, data: bytes, now_ms: int = 0) -> None:
        packet = unprotect_and_parse_rtp(self, data, _WHERE)
        if packet is not None:
            self.receive_rtp_packet(packet, now_ms)

    def _on_rtcp_data(self, data: bytes) -> None:
        plain = unprotect_rtcp(self, data, _WHERE)
        if plain is not None:
            self.receive_rtcp_data(plain)

    # SSRCs going away: their SRTP streams too.
    def recv_stream_closed(self, ssrc: int) -> None:
        if self.srtp is not None:
            self.srtp.recv.remove_stream(ssrc)

    def send_stream_closed(self, ssrc: int) -> None:
        if self.srtp is not None:
            self.srtp.send.remove_stream(ssrc)

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
        if self.has_srtp:
            self.srtp = make_srtp_sessions(PIPE_SRTP_CRYPTO_SUITE, self.srtp_key, remote_key)
            self.srtp_remote_key = remote_key
        self.tuple = TransportTuple(self.udp_socket, ip, port, "udp", self.announced_ip)
        self._rtp_send = self.udp_socket.peer_sender(self.tuple.remote_addr)
        request.accept({"tuple": self.tuple.dump()})
        # mediasoup assumes the transport is connected now (nothing tells otherwise).
        self.connected()
