"""A PlainTransport: plain RTP/RTCP (optionally SRTP, optionally SCTP) over UDP
(mediasoup's PlainTransport.ts)."""

from __future__ import annotations

import copy
import ipaddress
import logging
from typing import Any

from .transport import Transport
from .utils import check_int, without_none

logger = logging.getLogger("pymediasoup.PlainTransport")


def check_remote_ip(ip: Any) -> str:
    if not isinstance(ip, str):
        raise TypeError(f"ip must be a str, not {type(ip).__name__}")
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        raise TypeError(f"invalid ip {ip!r}") from None
    return ip


def check_srtp_parameters(srtp_parameters: Any) -> dict[str, Any]:
    """Shape only; the worker checks the crypto suite and the key length."""
    if not isinstance(srtp_parameters, dict):
        raise TypeError("srtpParameters must be a dict")
    for key in ("cryptoSuite", "keyBase64"):
        if not isinstance(srtp_parameters.get(key), str):
            raise TypeError(f"missing srtpParameters.{key}")
    return copy.deepcopy(srtp_parameters)


class PlainTransport(Transport):
    """Create with :meth:`Router.create_plain_transport`.

    Events: 'tuple', 'rtcptuple', 'sctpstatechange', 'trace', 'routerclose'.
    """

    _kind_name = "PlainTransport"

    @property
    def tuple(self) -> dict[str, Any]:
        return self._data["tuple"]

    @property
    def rtcp_tuple(self) -> dict[str, Any] | None:
        return self._data.get("rtcpTuple")

    @property
    def sctp_parameters(self) -> dict[str, Any] | None:
        return self._data.get("sctpParameters")

    @property
    def sctp_state(self) -> str | None:
        return self._data.get("sctpState")

    @property
    def srtp_parameters(self) -> dict[str, Any] | None:
        return self._data.get("srtpParameters")

    async def connect(  # type: ignore[override]
        self,
        *,
        ip: str | None = None,
        port: int | None = None,
        rtcp_port: int | None = None,
        srtp_parameters: dict[str, Any] | None = None,
    ) -> None:
        """Set the remote address (not needed with comedia) and the remote SRTP key."""
        self._check_open()
        if ip is not None:
            check_remote_ip(ip)
        if port is not None:
            check_int("port", port, 1, 65535)
        if rtcp_port is not None:
            check_int("rtcp_port", rtcp_port, 1, 65535)
        if srtp_parameters is not None:
            srtp_parameters = check_srtp_parameters(srtp_parameters)
        request_data = without_none(
            {"ip": ip, "port": port, "rtcpPort": rtcp_port, "srtpParameters": srtp_parameters}
        )
        data = await self._channel.request("transport.connect", self._internal, request_data) or {}
        if data.get("tuple"):
            self._data["tuple"] = data["tuple"]
        if data.get("rtcpTuple"):
            self._data["rtcpTuple"] = data["rtcpTuple"]
        if data.get("srtpParameters"):
            self._data["srtpParameters"] = data["srtpParameters"]
        else:
            self._data.pop("srtpParameters", None)

    def _handle_notification(self, event: str, data: Any) -> bool:
        if event == "tuple":
            tuple_ = data["tuple"]
            self._data["tuple"] = tuple_
            self.safe_emit("tuple", tuple_)
            self._observer.safe_emit("tuple", tuple_)
        elif event == "rtcptuple":
            rtcp_tuple = data["rtcpTuple"]
            self._data["rtcpTuple"] = rtcp_tuple
            self.safe_emit("rtcptuple", rtcp_tuple)
            self._observer.safe_emit("rtcptuple", rtcp_tuple)
        else:
            return super()._handle_notification(event, data)
        return True
