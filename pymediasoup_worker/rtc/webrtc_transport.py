"""A WebRTC transport, as mediasoup's RTC::WebRtcTransport: ICE-Lite + DTLS + SRTP.

Creation binds one UDP socket and/or one TCP server per listen IP (host candidates with
mediasoup's priorities; TCP is passive, RFC 4571 framed) and makes the ICE credentials;
the DTLS parameters carry the worker's certificate fingerprints. ``transport.connect``
takes the remote DTLS parameters and answers the local DTLS role; ``transport.restartIce``
renews the ICE credentials (the current tuples, and so the media, stay).

The network, per datagram or TCP frame (RFC 7983 demultiplexing on the first byte):

* STUN goes to the IceServer (core.ice_lite) with the tuple it came on; its responses go
  back on that tuple, its events become ``iceselectedtuplechange`` / ``icestatechange``.
  Only the tuples the IceServer holds valid are kept (``_tuples``), so a flood of
  unauthenticated requests leaves nothing behind. A closed TCP connection removes its
  tuple; consent (30 s without an authenticated request) expires one.
* DTLS, from a valid tuple only, goes to the DtlsTransport (core.dtls), run once ICE is
  connected in the role connect() gave ("auto" → server, as mediasoup); what it sends goes
  out on the selected tuple; "connected" makes the SRTP sessions (core.srtp) from the
  exported keys and sends ``dtlsstatechange`` with the remote certificate (PEM).
* RTP and RTCP, from a valid tuple and once DTLS is connected (earlier RTP is dropped and
  counted in ``rtp_packets_dropped_not_connected``), are unprotected, parsed once and handed
  to the Transport base; RTP also feeds the congestion feedback server (core.
  transport_cc_server), made at the first produce() that negotiates transport-cc or REMB.

As mediasoup, a valid tuple on which DTLS or media arrives becomes the selected one
(aggressive nomination). Outgoing RTP gets its transport-wide sequence number here (the
base wrote abs-send-time), then SRTP, then the selected tuple; RTCP likewise.

One timer per transport, re-armed to the earliest of the three cores' deadlines (ICE
consent, DTLS retransmission, transport-cc / REMB feedback).

Differences from mediasoup 3.7.11, on purpose: the base's connected() / disconnected() are
called on the edges of ``is_connected()`` only (mediasoup calls Connected() again when ICE
goes from 'connected' to 'completed' with DTLS up); ICE consent freshness (see
core.ice_lite); a DTLS or RTP datagram from an unknown source never reaches OpenSSL or
libsrtp. ``PYMEDIASOUP_TEST_ICE_CONSENT_TIMEOUT_MS`` (environment, tests only) shortens the
consent timeout.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, cast

from ..core.dtls import DtlsApplicationData, DtlsStateChanged, DtlsTransport
from ..core.ice_lite import (
    DEFAULT_CONSENT_TIMEOUT_MS,
    IceServer,
    SelectedTupleChanged,
    SendStun,
    StateChanged,
)
from ..core.rtp.packet import RtpPacket
from ..core.stun import is_stun
from ..core.transport_cc_server import (
    BweType,
    TransportCongestionControlServer,
    bwe_type_for_producer,
)
from ..errors import MediaSoupError, MediaSoupTypeError
from ..log import logger
from .dtls_certificate import FINGERPRINT_ALGORITHMS, get_worker_certificate
from .ip_utils import normalize_ip
from .transport import Transport
from .transport_tuple import TransportTuple

if TYPE_CHECKING:
    from ..channel.channel_request import ChannelRequest
    from ..core.srtp import SrtpSessionPair
    from .shared import Shared

_WHERE = "RTC::WebRtcTransport"
CONSENT_TIMEOUT_ENV = "PYMEDIASOUP_TEST_ICE_CONSENT_TIMEOUT_MS"

ICE_CANDIDATE_DEFAULT_LOCAL_PRIORITY = 10000
ICE_TYPE_PREFERENCE = 64  # host candidates only
ICE_COMPONENT = 1  # RTP and RTCP are always multiplexed
MAX_LISTEN_IPS = 8

_RANDOM_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"


def ice_candidate_priority(local_preference: int) -> int:
    return (2**24) * ICE_TYPE_PREFERENCE + (2**8) * local_preference + (256 - ICE_COMPONENT)


def random_string(length: int) -> str:
    """mediasoup's Utils::Crypto::GetRandomString: lowercase letters and digits."""
    return "".join(secrets.choice(_RANDOM_CHARS) for _ in range(length))


def _optional_bool(data: dict[str, Any], key: str, default: bool) -> bool:
    if key not in data:
        return default
    value = data[key]
    if not isinstance(value, bool):
        raise MediaSoupTypeError(f"wrong {key} (not a boolean)")
    return value


def parse_listen_ips(value: Any) -> list[tuple[str, str]]:
    """Validated (ip, announcedIp) pairs, the ip normalized."""
    if value is None:
        raise MediaSoupTypeError("missing listenIps")
    if not isinstance(value, list):
        raise MediaSoupTypeError("wrong listenIps (not an array)")
    if not value:
        raise MediaSoupTypeError("wrong listenIps (empty array)")
    if len(value) > MAX_LISTEN_IPS:
        raise MediaSoupTypeError("wrong listenIps (too many IPs)")
    listen_ips: list[tuple[str, str]] = []
    for entry in value:
        if not isinstance(entry, dict):
            raise MediaSoupTypeError("wrong listenIp (not an object)")
        listen_ips.append(parse_listen_ip(entry))
    return listen_ips


def parse_listen_ip(entry: dict[str, Any]) -> tuple[str, str]:
    if "ip" not in entry:
        raise MediaSoupTypeError("missing listenIp.ip")
    ip = entry["ip"]
    if not isinstance(ip, str):
        raise MediaSoupTypeError("wrong listenIp.ip (not an string)")
    announced_ip = ""
    if "announcedIp" in entry:
        if not isinstance(entry["announcedIp"], str):
            raise MediaSoupTypeError("wrong listenIp.announcedIp (not an string)")
        announced_ip = entry["announcedIp"]
    return normalize_ip(ip), announced_ip


def _consent_timeout_ms() -> int:
    """30 s, or the test-only override from the environment."""
    value = os.environ.get(CONSENT_TIMEOUT_ENV)
    if value:
        try:
            timeout = int(value)
        except ValueError:
            timeout = 0
        if timeout > 0:
            return timeout
    return DEFAULT_CONSENT_TIMEOUT_MS


class WebRtcTransport(Transport):
    stats_type = "webrtc-transport"

    def __init__(
        self, transport_id: str, shared: Shared, listener: Any, data: dict[str, Any]
    ) -> None:
        super().__init__(transport_id, shared, listener, data)
        enable_udp = _optional_bool(data, "enableUdp", True)
        enable_tcp = _optional_bool(data, "enableTcp", False)
        prefer_udp = _optional_bool(data, "preferUdp", False)
        prefer_tcp = _optional_bool(data, "preferTcp", False)
        listen_ips = parse_listen_ips(data.get("listenIps"))

        self.udp_sockets: list[Any] = []
        self.tcp_servers: list[Any] = []
        self.ice_candidates: list[dict[str, Any]] = []
        # The announced IP of each UDP socket (by id), for the tuples made on it.
        self._udp_announced_ips: dict[int, str] = {}
        self._timer: Any = None
        self._timer_deadline = 0
        self.dtls: DtlsTransport | None = None
        # The tuples the IceServer holds valid: (udp socket, ip, port) or a TcpConnection.
        self._tuples: dict[Hashable, TransportTuple] = {}
        # The selected tuple's way out: (socket, remote address) for UDP, (connection, None).
        self._send_socket: Any = None
        self._send_addr: tuple[str, int] | None = None
        try:
            # Certificate first: if it cannot be made, no socket was bound for nothing.
            certificate = get_worker_certificate(shared.settings)
            self.dtls_local_fingerprints = list(certificate.fingerprints)
            self._bind(listen_ips, enable_udp, enable_tcp, prefer_udp, prefer_tcp)
        except BaseException:
            self.release()
            raise
        self.ice_username_fragment = random_string(16)
        self.ice_password = random_string(32)
        self.ice_server = IceServer(
            self.ice_username_fragment, self.ice_password, _consent_timeout_ms()
        )
        self.ice_state = "new"
        self.ice_selected_tuple: TransportTuple | None = None
        self.dtls = DtlsTransport(certificate.certificate, certificate.private_key)
        self.dtls_role = "auto"
        self.dtls_state = "new"
        self.dtls_remote_fingerprint: dict[str, str] | None = None
        self.connect_called = False
        self.srtp: SrtpSessionPair | None = None
        self.tcc_server: TransportCongestionControlServer | None = None
        # The last transport-wide sequence number written into a sent RTP packet.
        self.transport_wide_cc_seq = 0
        # Whether connected() was called last (rather than disconnected()).
        self._connected = False
        # Counters of what a peer sent that was dropped (besides the base's RTP / RTCP ones
        # and the SRTP sessions' own): malformed STUN; DTLS, RTP or RTCP from a tuple ICE
        # did not validate or of no known kind; RTP / RTCP before DTLS got connected.
        self.stun_packets_dropped = 0
        self.datagrams_ignored = 0
        self.rtp_packets_dropped_not_connected = 0
        self.rtcp_packets_dropped_not_connected = 0
        self.srtp_failures = 0

    def _bind(
        self,
        listen_ips: list[tuple[str, str]],
        enable_udp: bool,
        enable_tcp: bool,
        prefer_udp: bool,
        prefer_tcp: bool,
    ) -> None:
        bind_udp, bind_tcp = self.shared.bind_udp, self.shared.bind_tcp
        decrement = 0
        for ip, announced_ip in listen_ips:
            local_preference = ICE_CANDIDATE_DEFAULT_LOCAL_PRIORITY - decrement
            if enable_udp:
                if bind_udp is None:
                    raise MediaSoupError("no UDP sockets available in this worker")
                udp_socket = bind_udp(ip, self._on_udp_packet)
                self.udp_sockets.append(udp_socket)
                self._udp_announced_ips[id(udp_socket)] = announced_ip
                self.ice_candidates.append(
                    {
                        "foundation": "udpcandidate",
                        "priority": ice_candidate_priority(
                            local_preference + (1000 if prefer_udp else 0)
                        ),
                        "ip": announced_ip or udp_socket.local_ip,
                        "protocol": "udp",
                        "port": udp_socket.local_port,
                        "type": "host",
                    }
                )
            if enable_tcp:
                if bind_tcp is None:
                    raise MediaSoupError("no TCP servers available in this worker")

                def on_tcp_packet(
                    connection: Any, data: bytes, announced: str = announced_ip
                ) -> None:
                    self._on_tcp_packet(connection, data, announced)

                tcp_server = bind_tcp(ip, on_tcp_packet)
                # net.TcpServer tells about closed connections through this attribute; the
                # socket factory's bind_tcp() has no parameter for it (yet).
                if hasattr(tcp_server, "_on_connection_closed"):
                    tcp_server._on_connection_closed = self._on_tcp_connection_closed
                self.tcp_servers.append(tcp_server)
                self.ice_candidates.append(
                    {
                        "foundation": "tcpcandidate",
                        "priority": ice_candidate_priority(
                            local_preference + (1000 if prefer_tcp else 0)
                        ),
                        "ip": announced_ip or tcp_server.local_ip,
                        "protocol": "tcp",
                        "port": tcp_server.local_port,
                        "type": "host",
                        "tcpType": "passive",
                    }
                )
            decrement += 100

    def release(self) -> None:
        """Stop the timer, say close_notify (if DTLS runs) and close the sockets."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        dtls = self.dtls
        if dtls is not None and dtls.is_running():
            dtls.close()
            for datagram in dtls.datagrams_to_send():
                self._send_selected(datagram)
        self.srtp = None
        self._send_socket = None
        self._tuples.clear()
        for udp_socket in self.udp_sockets:
            udp_socket.close()
        self.udp_sockets.clear()
        for tcp_server in self.tcp_servers:
            tcp_server.close()
        self.tcp_servers.clear()

    # --- state ---

    def is_connected(self) -> bool:
        return (
            self.ice_state in ("connected", "completed")
            and self.dtls_state == "connected"
            and self.srtp is not None
        )

    def _update_connected(self) -> None:
        """Call the base's connected() / disconnected() when is_connected() changed."""
        connected = self.is_connected()
        if connected == self._connected:
            return
        self._connected = connected
        if connected:
            self.connected()
        else:
            self.disconnected()

    def connected(self) -> None:
        super().connected()
        if self.tcc_server is not None:
            self.tcc_server.transport_connected(self.shared.now_ms())
            self._arm_timer()

    def disconnected(self) -> None:
        super().disconnected()
        if self.tcc_server is not None:
            self.tcc_server.transport_disconnected()

    def ice_parameters(self) -> dict[str, Any]:
        return {
            "usernameFragment": self.ice_username_fragment,
            "password": self.ice_password,
            "iceLite": True,
        }

    # --- network input ---

    def _on_udp_packet(self, udp_socket: Any, data: bytes, remote_addr: tuple) -> None:
        now_ms = self.shared.now_ms()
        self.data_received(len(data), now_ms)
        key = (udp_socket, remote_addr[0], remote_addr[1])
        tuple_ = self._tuples.get(key)
        if data and data[0] < 4:
            if tuple_ is None:
                tuple_ = TransportTuple(
                    udp_socket,
                    remote_addr[0],
                    remote_addr[1],
                    "udp",
                    self._udp_announced_ips.get(id(udp_socket), ""),
                )
            self._on_stun_data(key, tuple_, data, now_ms)
        else:
            self._on_data(tuple_, data, now_ms)

    def _on_tcp_packet(self, connection: Any, data: bytes, announced_ip: str) -> None:
        now_ms = self.shared.now_ms()
        self.data_received(len(data), now_ms)
        tuple_ = self._tuples.get(connection)
        if data and data[0] < 4:
            if tuple_ is None:
                remote_addr = connection.remote_addr
                tuple_ = TransportTuple(
                    connection, remote_addr[0], remote_addr[1], "tcp", announced_ip
                )
            self._on_stun_data(connection, tuple_, data, now_ms)
        else:
            self._on_data(tuple_, data, now_ms)

    def _on_tcp_connection_closed(self, connection: Any) -> None:
        tuple_ = self._tuples.pop(connection, None)
        if tuple_ is None or self.closed:
            return
        logger.debug(_WHERE, "TCP connection closed, removing its ICE tuple", "ice")
        self._handle_ice_actions(self.ice_server.remove_tuple(tuple_), self.shared.now_ms())
        self._arm_timer()

    def _on_stun_data(
        self, key: Hashable, tuple_: TransportTuple, data: bytes, now_ms: int
    ) -> None:
        if not is_stun(data):
            self.stun_packets_dropped += 1
            logger.debug(_WHERE, "ignoring received packet of unknown type", "ice")
            return
        ice_server = self.ice_server
        try:
            actions = ice_server.process_stun(data, tuple_, now_ms, tuple_.remote_addr)
        except ValueError as error:
            self.stun_packets_dropped += 1
            logger.debug(_WHERE, f"ignoring wrong STUN packet received: {error}", "ice")
            return
        if key not in self._tuples and ice_server.is_valid_tuple(tuple_):
            self._tuples[key] = tuple_
        self._handle_ice_actions(actions, now_ms)
        self._arm_timer()

    def _on_data(self, tuple_: TransportTuple | None, data: bytes, now_ms: int) -> None:
        """Anything but STUN: RTP, RTCP or DTLS (RFC 7983), from a tuple or None (unknown)."""
        size = len(data)
        first = data[0] if size else 0
        if 127 < first < 192:
            if size < 4:
                self.datagrams_ignored += 1
            elif 191 < data[1] < 224:
                self._on_rtcp_data(tuple_, data)
            elif size >= 12:
                self._on_rtp_data(tuple_, data, now_ms)
            else:
                self.datagrams_ignored += 1
        elif 19 < first < 64:
            self._on_dtls_data(tuple_, data, now_ms)
        else:
            self.datagrams_ignored += 1
            logger.debug(_WHERE, "ignoring received packet of unknown type")

    def _on_dtls_data(self, tuple_: TransportTuple | None, data: bytes, now_ms: int) -> None:
        if tuple_ is None:
            self.datagrams_ignored += 1
            logger.warn(_WHERE, "ignoring DTLS data coming from an invalid tuple", "dtls")
            return
        if tuple_ is not self.ice_selected_tuple:
            self._force_selected_tuple(tuple_, now_ms)
        dtls = self.dtls
        assert dtls is not None
        if self.dtls_state not in ("connecting", "connected"):
            self.datagrams_ignored += 1
            logger.warn(
                _WHERE, "DTLS not 'connecting' or 'connected', ignoring received DTLS data", "dtls"
            )
            return
        dtls.receive(data, now_ms)
        self._process_dtls(now_ms)

    def _on_rtp_data(self, tuple_: TransportTuple | None, data: bytes, now_ms: int) -> None:
        srtp = self.srtp
        if srtp is None or self.dtls_state != "connected":
            self.rtp_packets_dropped_not_connected += 1
            if logger.debug_enabled("rtp"):
                logger.debug(
                    _WHERE,
                    "ignoring RTP packet while DTLS not connected "
                    f"[dropped:{self.rtp_packets_dropped_not_connected}]",
                    "rtp",
                )
            return
        if tuple_ is None:
            self.datagrams_ignored += 1
            if logger.warn_enabled("rtp"):
                logger.warn(_WHERE, "ignoring RTP packet coming from an invalid tuple", "rtp")
            return
        plain = srtp.recv.unprotect_rtp(data)
        if plain is None:
            self.srtp_failures += 1
            if logger.warn_enabled("srtp"):
                logger.warn(_WHERE, f"DecryptSrtp() failed [{len(data)} bytes]", "srtp")
            return
        try:
            packet = RtpPacket.parse(plain)
        except ValueError:
            self.rtp_packets_dropped += 1
            if logger.warn_enabled("rtp"):
                logger.warn(_WHERE, "received data is not a valid RTP packet", "rtp")
            return
        if tuple_ is not self.ice_selected_tuple:
            self._force_selected_tuple(tuple_, now_ms)
        tcc_server = self.tcc_server
        if tcc_server is not None:
            self._feed_tcc_server(tcc_server, packet, now_ms)
        self.receive_rtp_packet(packet, now_ms)

    def _on_rtcp_data(self, tuple_: TransportTuple | None, data: bytes) -> None:
        srtp = self.srtp
        if srtp is None or self.dtls_state != "connected":
            self.rtcp_packets_dropped_not_connected += 1
            logger.debug(_WHERE, "ignoring RTCP packet while DTLS not connected", "rtcp")
            return
        if tuple_ is None:
            self.datagrams_ignored += 1
            logger.warn(_WHERE, "ignoring RTCP packet coming from an invalid tuple", "rtcp")
            return
        plain = srtp.recv.unprotect_rtcp(data)
        if plain is None:
            self.srtp_failures += 1
            logger.debug(_WHERE, f"DecryptSrtcp() failed [{len(data)} bytes]", "srtp")
            return
        self.receive_rtcp_data(plain)

    def _feed_tcc_server(
        self, tcc_server: TransportCongestionControlServer, packet: RtpPacket, now_ms: int
    ) -> None:
        ids = self.recv_rtp_header_extension_ids
        if tcc_server.bwe_type == BweType.TRANSPORT_CC:
            ext_id = ids["transportWideCc01"]
            if not ext_id:
                return
            wide_seq = packet.read_transport_wide_cc01(ext_id)
            if wide_seq is None:
                return
            out = tcc_server.incoming_packet(now_ms, packet.ssrc, len(packet), wide_seq=wide_seq)
        else:
            ext_id = ids["absSendTime"]
            if not ext_id:
                return
            abs_send_time = packet.read_abs_send_time(ext_id)
            if abs_send_time is None:
                return
            out = tcc_server.incoming_packet(
                now_ms, packet.ssrc, len(packet), abs_send_time=abs_send_time
            )
        if out:
            for rtcp_packet in out:
                self.send_rtcp_packet(rtcp_packet)

    # --- ICE ---

    def _handle_ice_actions(self, actions: list[Any], now_ms: int) -> None:
        for action in actions:
            if type(action) is SendStun:
                # Our tuple ids are the TransportTuples themselves.
                tuple_ = cast(TransportTuple, action.tuple_id)
                if tuple_.send(action.data):
                    self.data_sent(len(action.data))
            elif type(action) is SelectedTupleChanged:
                tuple_ = cast(TransportTuple, action.tuple_id)
                self._set_selected_tuple(tuple_)
                logger.debug(_WHERE, "ICE selected tuple", "ice")
                self.shared.notify(
                    self.id, "iceselectedtuplechange", {"iceSelectedTuple": tuple_.dump()}
                )
            elif type(action) is StateChanged:
                state = str(action.state)
                self.ice_state = state
                logger.debug(_WHERE, f"ICE {state}", "ice")
                if state == "disconnected":
                    self._set_selected_tuple(None)
                self.shared.notify(self.id, "icestatechange", {"iceState": state})
                if state in ("connected", "completed"):
                    self._may_run_dtls_transport(now_ms)
                self._update_connected()

    def _set_selected_tuple(self, tuple_: TransportTuple | None) -> None:
        self.ice_selected_tuple = tuple_
        if tuple_ is None:
            self._send_socket = None
            self._send_addr = None
        else:
            self._send_socket = tuple_.socket
            self._send_addr = tuple_.remote_addr if tuple_.protocol == "udp" else None

    def _force_selected_tuple(self, tuple_: TransportTuple, now_ms: int) -> None:
        """DTLS or media on another valid tuple: select it (aggressive nomination)."""
        try:
            actions = self.ice_server.force_selected_tuple(tuple_)
        except ValueError:
            return  # not connected, or the tuple not (or no longer) valid
        self._handle_ice_actions(actions, now_ms)

    def _send_selected(self, data: bytes) -> bool:
        """Send on the selected tuple; False if there is none or the send failed."""
        sock = self._send_socket
        if sock is None:
            return False
        addr = self._send_addr
        if addr is None:
            return bool(sock.send(data))
        return bool(sock.send(data, addr))

    # --- DTLS ---

    def _may_run_dtls_transport(self, now_ms: int) -> None:
        """mediasoup's MayRunDtlsTransport(): run DTLS in our role once ICE is connected."""
        dtls = self.dtls
        assert dtls is not None
        if dtls.local_role is not None and dtls.local_role == self.dtls_role:
            return
        if self.ice_state not in ("connected", "completed"):
            return
        if self.dtls_role == "auto":
            logger.debug(
                _WHERE,
                "transition from DTLS local role 'auto' to 'server' and running DTLS",
                "dtls",
            )
            self.dtls_role = "server"
        else:
            logger.debug(_WHERE, f"running DTLS transport in local role '{self.dtls_role}'", "dtls")
        dtls.run(self.dtls_role, self.dtls_remote_fingerprint, now_ms)
        self._process_dtls(now_ms)

    def _process_dtls(self, now_ms: int) -> None:
        """Send what the DtlsTransport wrote, handle its events, re-arm the timer."""
        dtls = self.dtls
        assert dtls is not None
        datagrams = dtls.datagrams_to_send()
        if datagrams:
            if self._send_socket is None:
                logger.warn(_WHERE, "no selected tuple set, cannot send DTLS packet", "dtls")
            else:
                for datagram in datagrams:
                    if self._send_selected(datagram):
                        self.data_sent(len(datagram))
        while (event := dtls.next_event()) is not None:
            if type(event) is DtlsStateChanged:
                self._on_dtls_state(event)
            elif type(event) is DtlsApplicationData:
                self.receive_sctp_data(event.data)
        self._arm_timer()

    def _on_dtls_state(self, event: DtlsStateChanged) -> None:
        state = event.state
        if state == "connected":
            self.srtp = None
            try:
                from ..core.srtp import SrtpSessionPair  # pylibsrtp: loaded on first use

                assert event.srtp_crypto_suite is not None
                assert event.srtp_local_key is not None and event.srtp_remote_key is not None
                self.srtp = SrtpSessionPair(
                    event.srtp_crypto_suite, event.srtp_local_key, event.srtp_remote_key
                )
            except Exception as error:  # noqa: BLE001 - as mediasoup: log, stay unconnected
                logger.error(_WHERE, f"error creating SRTP sessions: {error}")
                return
            logger.debug(_WHERE, f"DTLS connected [srtp:{event.srtp_crypto_suite}]", "dtls")
            self.dtls_state = "connected"
            self.shared.notify(
                self.id,
                "dtlsstatechange",
                {"dtlsState": "connected", "dtlsRemoteCert": event.remote_cert},
            )
        else:
            if state == "failed":
                logger.warn(_WHERE, "DTLS failed", "dtls")
            elif state == "closed":
                logger.warn(_WHERE, "DTLS remotely closed", "dtls")
            if state in ("failed", "closed"):
                self.srtp = None
            self.dtls_state = state
            self.shared.notify(self.id, "dtlsstatechange", {"dtlsState": state})
        self._update_connected()

    # --- the timer ---

    def _arm_timer(self) -> None:
        """(Re-)arm the one timer for the earliest deadline of the ICE, DTLS and feedback
        cores. An armed timer due no later is kept: when it fires, it re-arms."""
        if self.closed or self.dtls is None:
            return
        deadline = self.ice_server.next_deadline()
        for other in (
            self.dtls.next_deadline(),
            self.tcc_server.next_deadline() if self.tcc_server is not None else None,
        ):
            if other is not None and (deadline is None or other < deadline):
                deadline = other
        if deadline is None:
            return
        if self._timer is not None:
            if self._timer_deadline <= deadline:
                return
            self._timer.cancel()
            self._timer = None
        set_timer = self.shared.set_timer
        if set_timer is None:
            return
        delay = max(deadline - self.shared.now_ms(), 1)
        self._timer = set_timer(delay, self._on_timer)
        self._timer_deadline = deadline

    def _on_timer(self) -> None:
        self._timer = None
        if self.closed:
            return
        now_ms = self.shared.now_ms()
        try:
            ice_deadline = self.ice_server.next_deadline()
            if ice_deadline is not None and ice_deadline <= now_ms:
                actions = self.ice_server.on_timer(now_ms)
                self._forget_invalid_tuples()
                self._handle_ice_actions(actions, now_ms)
            dtls = self.dtls
            assert dtls is not None
            dtls_deadline = dtls.next_deadline()
            if dtls_deadline is not None and dtls_deadline <= now_ms:
                dtls.handle_timer(now_ms)
                self._process_dtls(now_ms)
            tcc_server = self.tcc_server
            if tcc_server is not None:
                out = tcc_server.on_timer(now_ms)
                if out:
                    for rtcp_packet in out:
                        self.send_rtcp_packet(rtcp_packet)
        except Exception as error:  # noqa: BLE001 - a bug must not stop the timer
            logger.error(_WHERE + "::OnTimer", f"timer handling failed: {error!r}")
        finally:
            self._arm_timer()

    def _forget_invalid_tuples(self) -> None:
        is_valid = self.ice_server.is_valid_tuple
        for key in [k for k, t in self._tuples.items() if not is_valid(t)]:
            del self._tuples[key]

    # --- network output ---

    def send_rtp_packet(self, consumer: Any, packet: Any) -> int:
        return self.send_rtp_data(consumer, packet, packet.buffer)

    def send_rtp_data(self, consumer: Any, packet: Any, data: bytes | bytearray) -> int:
        if not self._connected:
            return 0
        srtp = self.srtp
        if srtp is None:
            return 0
        # mediasoup's Transport::OnConsumerSendRtpPacket (the base wrote abs-send-time):
        # a transport-wide sequence number for consumers that negotiated transport-cc.
        ext_id = consumer.transport_wide_cc01_id
        if ext_id:
            wide_seq = (self.transport_wide_cc_seq + 1) & 0xFFFF
            if packet.update_transport_wide_cc01(ext_id, wide_seq):
                self.transport_wide_cc_seq = wide_seq
        protected = srtp.send.protect_rtp(bytes(data))
        if protected is None:
            self.srtp_failures += 1
            return 0
        return len(protected) if self._send_selected(protected) else 0

    def send_rtcp_packet(self, packet: Any) -> None:
        if not self._connected:
            return
        srtp = self.srtp
        if srtp is None:
            return
        data = srtp.send.protect_rtcp(packet.serialize())
        if data is None:
            self.srtp_failures += 1
            return
        if self._send_selected(data):
            self.data_sent(len(data))

    # SSRCs going away: their SRTP streams too (mediasoup's RecvStreamClosed / SendStreamClosed).
    def recv_stream_closed(self, ssrc: int) -> None:
        if self.srtp is not None:
            self.srtp.recv.remove_stream(ssrc)

    def send_stream_closed(self, ssrc: int) -> None:
        if self.srtp is not None:
            self.srtp.send.remove_stream(ssrc)

    # --- dump, stats, requests ---

    def dump(self) -> dict[str, Any]:
        result = super().dump()
        result["iceRole"] = "controlled"
        result["iceParameters"] = self.ice_parameters()
        result["iceCandidates"] = [dict(c) for c in self.ice_candidates]
        result["iceState"] = self.ice_state
        if self.ice_selected_tuple is not None:
            result["iceSelectedTuple"] = self.ice_selected_tuple.dump()
        result["dtlsParameters"] = {
            "fingerprints": [dict(f) for f in self.dtls_local_fingerprints],
            "role": self.dtls_role,
        }
        result["dtlsState"] = self.dtls_state
        return result

    def get_stats(self) -> list[dict[str, Any]]:
        stats = super().get_stats()
        entry = stats[0]
        entry["iceRole"] = "controlled"
        entry["iceState"] = self.ice_state
        if self.ice_selected_tuple is not None:
            entry["iceSelectedTuple"] = self.ice_selected_tuple.dump()
        entry["dtlsState"] = self.dtls_state
        if self.tcc_server is not None and self.tcc_server.available_bitrate:
            entry["availableIncomingBitrate"] = self.tcc_server.available_bitrate
        return stats

    def handle_request(self, request: ChannelRequest) -> None:
        method = request.method
        if method == "transport.connect":
            self._connect(request)
        elif method == "transport.restartIce":
            self._restart_ice(request)
        elif method == "transport.produce":
            super().handle_request(request)
            self._may_create_tcc_server(request.internal.get("producerId"))
        elif method == "transport.setMaxIncomingBitrate":
            super().handle_request(request)
            if self.tcc_server is not None:
                out = self.tcc_server.set_max_incoming_bitrate(
                    self.max_incoming_bitrate, self.shared.now_ms()
                )
                if out:
                    for rtcp_packet in out:
                        self.send_rtcp_packet(rtcp_packet)
        else:
            super().handle_request(request)

    def _may_create_tcc_server(self, producer_id: Any) -> None:
        """mediasoup's produce(): the first Producer negotiating transport-cc (or else
        REMB) gets the transport its congestion feedback server."""
        if self.tcc_server is not None:
            return
        producer = self.producers.get(producer_id) if isinstance(producer_id, str) else None
        if producer is None:
            return
        bwe_type = bwe_type_for_producer(
            producer.rtp_header_extension_ids, producer.rtp_parameters.get("codecs") or []
        )
        if bwe_type is None:
            return
        logger.debug(_WHERE, f"enabling TransportCongestionControlServer with {bwe_type}", "bwe")
        tcc_server = TransportCongestionControlServer(bwe_type)
        self.tcc_server = tcc_server
        now_ms = self.shared.now_ms()
        if self.max_incoming_bitrate:
            tcc_server.set_max_incoming_bitrate(self.max_incoming_bitrate, now_ms)
        if self._connected:
            tcc_server.transport_connected(now_ms)
            self._arm_timer()

    def _connect(self, request: ChannelRequest) -> None:
        if self.connect_called:
            raise MediaSoupError("connect() already called")
        dtls_parameters = request.data.get("dtlsParameters")
        if not isinstance(dtls_parameters, dict):
            raise MediaSoupTypeError("missing dtlsParameters")
        fingerprints = dtls_parameters.get("fingerprints")
        if not isinstance(fingerprints, list):
            raise MediaSoupTypeError("missing dtlsParameters.fingerprints")
        if not fingerprints:
            raise MediaSoupTypeError("empty dtlsParameters.fingerprints array")
        # Only the first fingerprint is used.
        remote_fingerprint = _parse_fingerprint(fingerprints[0])
        remote_role = "auto"
        if "role" in dtls_parameters:
            role = dtls_parameters["role"]
            if not isinstance(role, str):
                raise MediaSoupTypeError("wrong dtlsParameters.role (not a string)")
            if role not in ("auto", "client", "server"):
                raise MediaSoupTypeError("invalid dtlsParameters.role value")
            remote_role = role
        # We are ICE controlled: a remote "auto" makes us the DTLS client.
        self.dtls_role = "server" if remote_role == "client" else "client"
        self.connect_called = True
        self.dtls_remote_fingerprint = remote_fingerprint
        dtls = self.dtls
        assert dtls is not None
        now_ms = self.shared.now_ms()
        # A handshake already done (we ran as server before connect()) is checked now.
        if dtls.set_remote_fingerprints(remote_fingerprint):
            self._may_run_dtls_transport(now_ms)
        self._process_dtls(now_ms)
        request.accept({"dtlsLocalRole": self.dtls_role})

    def _restart_ice(self, request: ChannelRequest) -> None:
        self.ice_username_fragment = random_string(16)
        self.ice_password = random_string(32)
        # The current tuples stay valid (and the old credentials until the peer uses the
        # new ones): media goes on on the selected tuple.
        self.ice_server.restart_ice(self.ice_username_fragment, self.ice_password)
        request.accept({"iceParameters": self.ice_parameters()})


def _parse_fingerprint(entry: Any) -> dict[str, str]:
    if not isinstance(entry, dict):
        raise MediaSoupTypeError("wrong entry in dtlsParameters.fingerprints (not an object)")
    if "algorithm" not in entry:
        raise MediaSoupTypeError("missing fingerprint.algorithm")
    algorithm = entry["algorithm"]
    if not isinstance(algorithm, str):
        raise MediaSoupTypeError("wrong fingerprint.algorithm (not a string)")
    if algorithm not in FINGERPRINT_ALGORITHMS:
        raise MediaSoupTypeError("invalid fingerprint.algorithm value")
    if "value" not in entry:
        raise MediaSoupTypeError("missing fingerprint.value")
    value = entry["value"]
    if not isinstance(value, str):
        raise MediaSoupTypeError("wrong fingerprint.value (not a string)")
    return {"algorithm": algorithm, "value": value}
