"""A plain RTP transport, as mediasoup's RTC::PlainTransport.

One UDP socket (two without rtcpMux) on the listen IP, optional SRTP with a local key
made at creation, and ``transport.connect`` giving the remote address (or, with
comedia, nothing: the remote is learnt from the first packet) and the remote SRTP key.
The tuple, rtcpTuple and srtpParameters are answered as mediasoup does.

Media: each datagram is told apart (RTCP, RTP, SCTP), checked against the tuple,
decrypted when SRTP is on (core.srtp, sessions made at connect: our key protects what
we send, the remote's unprotects what we receive), parsed once and handed to the
Transport base (RtpListener -> Producer, or the RTCP dispatch). comedia learns the
remote only from a packet that decrypts (and, for RTP, parses). Consumers' RTP goes
out on the tuple, RTCP on the tuple (rtcpMux) or the rtcpTuple. Garbage is dropped
and counted (``datagrams_ignored``, the base's ``rtp_packets_dropped`` /
``rtcp_packets_dropped``, the SRTP sessions' counters), never raised.

Differences from mediasoup 3.7.11, on purpose: the source of a packet is checked before
decrypting it (a spoofed packet from elsewhere never touches the SRTP replay state, so
there is no stream to close for it); AEAD_AES_128_GCM / AEAD_AES_256_GCM are accepted
and a suite changed by connect() to one of another key length gets a new local key of
that length (mediasoup >= 3.9 makes a new key on any change; 3.7.11 never does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.rtp.packet import RtpPacket
from ..errors import MediaSoupError, MediaSoupTypeError
from ..log import logger
from .ip_utils import normalize_ip
from .json_utils import as_uint, is_positive_integer
from .packet_kind import is_sctp
from .srtp_parameters import (
    CRYPTO_SUITES,
    MASTER_LENGTHS,
    key_base64,
    parse_remote_srtp_parameters,
    random_srtp_key,
)
from .transport import Transport
from .transport_tuple import TransportTuple

if TYPE_CHECKING:
    from ..channel.channel_request import ChannelRequest
    from ..core.srtp import SrtpSessionPair
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


def make_srtp_sessions(crypto_suite: str, local_key: bytes, remote_key: bytes) -> SrtpSessionPair:
    """The send (local key) and receive (remote key) SRTP sessions; MediaSoupError if not."""
    from ..core.srtp import SrtpSessionPair  # pylibsrtp: loaded only when SRTP is used

    try:
        return SrtpSessionPair(crypto_suite, local_key, remote_key)
    except Exception as error:  # noqa: BLE001 - pylibsrtp's failures become ours
        raise MediaSoupError(f"error creating SRTP sessions: {error}") from None


def from_tuple(tuple_: TransportTuple, udp_socket: Any, remote_addr: tuple) -> bool:
    """Whether a datagram came through the tuple's socket from its remote ip and port."""
    return (
        tuple_.socket is udp_socket
        and remote_addr[1] == tuple_.remote_port
        and remote_addr[0] == tuple_.remote_ip
    )


def unprotect_and_parse_rtp(transport: Any, data: bytes, where: str) -> RtpPacket | None:
    """A PlainTransport's or PipeTransport's RTP in, its source already checked: SRTP
    unprotect if on, then the one parse. Dropped and counted: a failing SRTP packet and,
    SRTP being enabled, anything before connect() gave the remote key (``datagrams_ignored``),
    an unparseable packet (``rtp_packets_dropped``)."""
    srtp = transport.srtp
    if srtp is not None:
        plain = srtp.recv.unprotect_rtp(data)
        if plain is None:
            transport.datagrams_ignored += 1
            if logger.warn_enabled("srtp"):
                logger.warn(where, f"DecryptSrtp() failed [{len(data)} bytes]", "srtp")
            return None
        data = plain
    elif transport.srtp_key:
        transport.datagrams_ignored += 1  # SRTP enabled but connect() not called yet
        return None
    try:
        return RtpPacket.parse(data)
    except ValueError:
        transport.rtp_packets_dropped += 1
        if logger.warn_enabled("rtp"):
            logger.warn(where, "received data is not a valid RTP packet", "rtp")
        return None


def unprotect_rtcp(transport: Any, data: bytes, where: str) -> bytes | None:
    """As unprotect_and_parse_rtp for RTCP, without the parse (receive_rtcp_data does it)."""
    srtp = transport.srtp
    if srtp is not None:
        plain = srtp.recv.unprotect_rtcp(data)
        if plain is None:
            transport.datagrams_ignored += 1
            logger.debug(where, f"DecryptSrtcp() failed [{len(data)} bytes]", "srtp")
        return plain
    if transport.srtp_key:
        transport.datagrams_ignored += 1  # SRTP enabled but connect() not called yet
        return None
    return data


def send_rtp_on_tuple(transport: Any, consumer: Any, packet: Any, data: bytes | bytearray) -> int:
    """``send_rtp_data`` of PlainTransport and PipeTransport (the method itself, no call
    in between): SRTP (on a copy) if on, then the tuple's ``_rtp_send``
    (UdpSocket.peer_sender); the bytes put on the wire, 0 if none. Plain RTP goes out
    straight from the packet's buffer: no copy."""
    send = transport._rtp_send
    if send is None:
        return 0
    srtp = transport.srtp
    if srtp is not None:
        protected = srtp.send.protect_rtp(bytes(data))
        if protected is None:
            return 0
        data = protected
    return len(data) if send(data) else 0


def send_rtcp_on(transport: Any, send: Any, packet: Any) -> None:
    """A PlainTransport's or PipeTransport's RTCP out through ``send`` (its RTCP or RTP
    tuple's UdpSocket.peer_sender, None when not connected): serialized, SRTCP if on,
    counted in bytesSent when it went out."""
    if send is None:
        return
    data = packet.serialize()
    srtp = transport.srtp
    if srtp is not None:
        data = srtp.send.protect_rtcp(data)
        if data is None:
            return
    if send(data):
        transport.data_sent(len(data))


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
            self.srtp_key = random_srtp_key(MASTER_LENGTHS[suite])
        self.srtp_remote_key = b""
        # Both SRTP sessions, from connect() on (None: no SRTP, or not connected yet).
        self.srtp: SrtpSessionPair | None = None
        self.tuple: TransportTuple | None = None
        self.rtcp_tuple: TransportTuple | None = None
        self.connect_called = False
        # Datagrams dropped before parsing: unknown source, not connected, SRTP not ready
        # or failing, or of no known kind.
        self.datagrams_ignored = 0
        # The send paths, cached: (socket.send, remote address) of the tuple / rtcpTuple.
        # send(data) to the tuple and to the RTCP tuple (UdpSocket.peer_sender).
        self._rtp_send: Any = None
        self._rtcp_send: Any = None

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
        self._rtp_send = self._rtcp_send = None
        self.srtp = None

    @property
    def has_srtp(self) -> bool:
        return bool(self.srtp_key)

    def is_connected(self) -> bool:
        return self.tuple is not None

    def _set_tuple(self, tuple_: TransportTuple) -> None:
        self.tuple = tuple_
        self._rtp_send = tuple_.socket.peer_sender(tuple_.remote_addr)
        if self.rtcp_mux:
            self._rtcp_send = self._rtp_send

    def _set_rtcp_tuple(self, tuple_: TransportTuple) -> None:
        self.rtcp_tuple = tuple_
        self._rtcp_send = tuple_.socket.peer_sender(tuple_.remote_addr)

    # Network output.
    def send_rtp_packet(self, consumer: Any, packet: Any) -> int:
        return self.send_rtp_data(consumer, packet, packet.buffer)

    send_rtp_data = send_rtp_on_tuple

    def send_rtcp_packet(self, packet: Any) -> None:
        if self.tuple is not None:
            send_rtcp_on(self, self._rtcp_send, packet)

    # Network input: one call per datagram, from the UdpSocket.
    def _on_udp_packet(self, udp_socket: Any, data: bytes, remote_addr: tuple) -> None:
        size = len(data)
        now_ms = self.shared.now_ms()
        self.data_received(size, now_ms)
        # RFC 7983 / 5761: version 2, then RTCP packet types 192..223, else RTP.
        if size > 3 and 127 < data[0] < 192:
            if 191 < data[1] < 224:
                self._on_rtcp_data(udp_socket, data, remote_addr)
            elif size > 11:
                self._on_rtp_data(udp_socket, data, remote_addr, now_ms)
            else:
                self.datagrams_ignored += 1
        elif is_sctp(data):
            self._on_sctp_data(udp_socket, data, remote_addr)
        else:
            self.datagrams_ignored += 1
            logger.debug(_WHERE, "ignoring received packet of unknown type")

    def _on_rtp_data(
        self, udp_socket: Any, data: bytes, remote_addr: tuple, now_ms: int = 0
    ) -> None:
        tuple_ = self.tuple
        if tuple_ is not None:
            if (
                tuple_.socket is not udp_socket
                or remote_addr[1] != tuple_.remote_port
                or remote_addr[0] != tuple_.remote_ip
            ):
                self.datagrams_ignored += 1
                logger.debug(_WHERE, "ignoring RTP packet from unknown IP:port", "rtp")
                return
        elif not self.comedia:
            self.datagrams_ignored += 1
            logger.debug(_WHERE, "ignoring RTP packet while not connected", "rtp")
            return
        packet = unprotect_and_parse_rtp(self, data, _WHERE)
        if packet is None:
            return
        if tuple_ is None:
            logger.debug(_WHERE, "setting RTP tuple (comedia mode enabled)", "rtp")
            self._learn_tuple(udp_socket, remote_addr)
        self.receive_rtp_packet(packet, now_ms)

    def _on_rtcp_data(self, udp_socket: Any, data: bytes, remote_addr: tuple) -> None:
        expected = self.tuple if self.rtcp_mux else self.rtcp_tuple
        if expected is not None:
            if not from_tuple(expected, udp_socket, remote_addr):
                self.datagrams_ignored += 1
                logger.debug(_WHERE, "ignoring RTCP packet from unknown IP:port", "rtcp")
                return
        elif not self.comedia:
            self.datagrams_ignored += 1
            logger.debug(_WHERE, "ignoring RTCP packet while not connected", "rtcp")
            return
        plain = unprotect_rtcp(self, data, _WHERE)
        if plain is None:
            return
        data = plain
        if expected is None:
            if self.rtcp_mux:
                logger.debug(_WHERE, "setting RTP tuple (comedia mode enabled)", "rtp")
                self._learn_tuple(udp_socket, remote_addr)
            else:
                logger.debug(_WHERE, "setting RTCP tuple (comedia mode enabled)", "rtcp")
                self._set_rtcp_tuple(
                    TransportTuple(
                        udp_socket, remote_addr[0], remote_addr[1], "udp", self.announced_ip
                    )
                )
                assert self.rtcp_tuple is not None
                self.shared.notify(self.id, "rtcptuple", {"rtcpTuple": self.rtcp_tuple.dump()})
        self.receive_rtcp_data(data)

    def _on_sctp_data(self, udp_socket: Any, data: bytes, remote_addr: tuple) -> None:
        if self.tuple is None:
            if not self.comedia:
                self.datagrams_ignored += 1
                logger.debug(_WHERE, "ignoring SCTP packet while not connected", "sctp")
                return
            self._learn_tuple(udp_socket, remote_addr)
        if self.tuple is None or not from_tuple(self.tuple, udp_socket, remote_addr):
            self.datagrams_ignored += 1
            logger.debug(_WHERE, "ignoring SCTP packet from unknown IP:port", "sctp")
            return
        self.receive_sctp_data(data)

    def _learn_tuple(self, udp_socket: Any, remote_addr: tuple) -> None:
        """comedia: the first packet's source becomes the remote (mediasoup's "tuple" event)."""
        was_connected = self.is_connected()
        self._set_tuple(
            TransportTuple(udp_socket, remote_addr[0], remote_addr[1], "udp", self.announced_ip)
        )
        if not was_connected:
            assert self.tuple is not None
            self.shared.notify(self.id, "tuple", {"tuple": self.tuple.dump()})
            self.connected()

    # SSRCs going away: their SRTP streams too (mediasoup's RecvStreamClosed / SendStreamClosed).
    def recv_stream_closed(self, ssrc: int) -> None:
        if self.srtp is not None:
            self.srtp.recv.remove_stream(ssrc)

    def send_stream_closed(self, ssrc: int) -> None:
        if self.srtp is not None:
            self.srtp.send.remove_stream(ssrc)

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
            # The remote's suite is ours from now on. Our key stays (as in 3.7.11) unless
            # the new suite needs another length (an AES_CM <-> GCM change).
            local_key = self.srtp_key
            if len(local_key) != MASTER_LENGTHS[crypto_suite]:
                local_key = random_srtp_key(MASTER_LENGTHS[crypto_suite])
            srtp = make_srtp_sessions(crypto_suite, local_key, remote_key)
            self.srtp_crypto_suite = crypto_suite
            self.srtp_key = local_key
            self.srtp_remote_key = remote_key
            self.srtp = srtp
        if remote is not None:
            self._set_tuple(
                TransportTuple(self.udp_socket, remote[0], remote[1], "udp", self.announced_ip)
            )
            if not self.rtcp_mux:
                self._set_rtcp_tuple(
                    TransportTuple(
                        self.rtcp_udp_socket, remote[0], rtcp_port, "udp", self.announced_ip
                    )
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
        # mediasoup assumes the transport is connected now (nothing tells otherwise), even
        # with comedia and no tuple yet (the first packet then calls connected() again).
        self.connected()
