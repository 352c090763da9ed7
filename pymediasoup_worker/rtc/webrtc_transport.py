"""A WebRTC transport, as mediasoup's RTC::WebRtcTransport: ICE-Lite + DTLS + SRTP.

Creation binds one UDP socket and/or one TCP server per listen IP (host candidates
with mediasoup's priorities) and makes the ICE credentials; the DTLS parameters carry
the worker's certificate fingerprints. ``transport.connect`` takes the remote DTLS
parameters and answers the local DTLS role; ``transport.restartIce`` renews the ICE
credentials. The ICE server, the DTLS handshake and SRTP come with media: until then
iceState and dtlsState stay "new", and received datagrams are only counted.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from ..errors import MediaSoupError, MediaSoupTypeError
from .dtls_certificate import FINGERPRINT_ALGORITHMS, get_worker_certificate
from .ip_utils import normalize_ip
from .transport import Transport

if TYPE_CHECKING:
    from ..channel.channel_request import ChannelRequest
    from .shared import Shared

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
        try:
            # Certificate first: if it cannot be made, no socket was bound for nothing.
            self.dtls_local_fingerprints = list(
                get_worker_certificate(shared.settings).fingerprints
            )
            self._bind(listen_ips, enable_udp, enable_tcp, prefer_udp, prefer_tcp)
        except BaseException:
            self.release()
            raise
        self.ice_username_fragment = random_string(16)
        self.ice_password = random_string(32)
        self.ice_state = "new"
        self.ice_selected_tuple: Any = None
        self.dtls_role = "auto"
        self.dtls_state = "new"
        self.dtls_remote_fingerprint: dict[str, str] | None = None
        self.connect_called = False

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
                tcp_server = bind_tcp(ip, self._on_tcp_packet)
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
        for udp_socket in self.udp_sockets:
            udp_socket.close()
        self.udp_sockets.clear()
        for tcp_server in self.tcp_servers:
            tcp_server.close()
        self.tcp_servers.clear()

    # Network input: ICE (STUN), DTLS, SRTP and SCTP are demultiplexed here once they
    # exist (media task); for now a datagram or a framed TCP packet is counted and dropped.
    def _on_udp_packet(self, udp_socket: Any, data: bytes, remote_addr: tuple) -> None:
        self.data_received(len(data))

    def _on_tcp_packet(self, connection: Any, data: bytes) -> None:
        self.data_received(len(data))

    # Network output: only once ICE and DTLS are connected (which needs the ICE server and
    # the DTLS transport, coming with media), so for now nothing goes out.
    def send_rtp_packet(self, consumer: Any, packet: Any) -> None:
        if not self.is_connected():
            return
        raise MediaSoupError("SRTP sending is not implemented")

    def send_rtcp_packet(self, packet: Any) -> None:
        if not self.is_connected():
            return
        raise MediaSoupError("SRTP sending is not implemented")

    def is_connected(self) -> bool:
        return self.ice_state in ("connected", "completed") and self.dtls_state == "connected"

    def ice_parameters(self) -> dict[str, Any]:
        return {
            "usernameFragment": self.ice_username_fragment,
            "password": self.ice_password,
            "iceLite": True,
        }

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
        return stats

    def handle_request(self, request: ChannelRequest) -> None:
        if request.method == "transport.connect":
            self._connect(request)
        elif request.method == "transport.restartIce":
            self._restart_ice(request)
        else:
            super().handle_request(request)

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
        # The DTLS transport runs here (in self.dtls_role) once ICE is connected (media task).
        request.accept({"dtlsLocalRole": self.dtls_role})

    def _restart_ice(self, request: ChannelRequest) -> None:
        self.ice_username_fragment = random_string(16)
        self.ice_password = random_string(32)
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
