"""A WebRtcTransport: ICE-Lite + DTLS (+ SCTP) towards a WebRTC endpoint (mediasoup's
WebRtcTransport.ts)."""

from __future__ import annotations

import copy
import logging
from typing import Any

from .transport import Transport

logger = logging.getLogger("pymediasoup.WebRtcTransport")

_DTLS_ROLES = ("auto", "client", "server")


def _check_dtls_parameters(dtls_parameters: Any) -> dict[str, Any]:
    """Local checks of the shape; the worker checks the values (algorithms, roles)."""
    if not isinstance(dtls_parameters, dict):
        raise TypeError("missing dtlsParameters")
    fingerprints = dtls_parameters.get("fingerprints")
    if not isinstance(fingerprints, list):
        raise TypeError("missing dtlsParameters.fingerprints")
    if not fingerprints:
        raise TypeError("empty dtlsParameters.fingerprints list")
    for fingerprint in fingerprints:
        if not isinstance(fingerprint, dict):
            raise TypeError("wrong entry in dtlsParameters.fingerprints (not a dict)")
        for key in ("algorithm", "value"):
            if not isinstance(fingerprint.get(key), str):
                raise TypeError(f"missing fingerprint.{key}")
    role = dtls_parameters.get("role")
    if role is not None and role not in _DTLS_ROLES:
        raise TypeError(f"invalid dtlsParameters.role {role!r}")
    return copy.deepcopy(dtls_parameters)


class WebRtcTransport(Transport):
    """Create with :meth:`Router.create_webrtc_transport`.

    Events: 'icestatechange', 'iceselectedtuplechange', 'dtlsstatechange',
    'sctpstatechange', 'trace', 'routerclose'. The observer emits the same (but
    'routerclose') plus the Transport ones.
    """

    _kind_name = "WebRtcTransport"

    @property
    def ice_role(self) -> str:
        return self._data["iceRole"]

    @property
    def ice_parameters(self) -> dict[str, Any]:
        return self._data["iceParameters"]

    @property
    def ice_candidates(self) -> list[dict[str, Any]]:
        return self._data["iceCandidates"]

    @property
    def ice_state(self) -> str:
        return self._data["iceState"]

    @property
    def ice_selected_tuple(self) -> dict[str, Any] | None:
        return self._data.get("iceSelectedTuple")

    @property
    def dtls_parameters(self) -> dict[str, Any]:
        return self._data["dtlsParameters"]

    @property
    def dtls_state(self) -> str:
        return self._data["dtlsState"]

    @property
    def dtls_remote_cert(self) -> str | None:
        return self._data.get("dtlsRemoteCert")

    @property
    def sctp_parameters(self) -> dict[str, Any] | None:
        return self._data.get("sctpParameters")

    @property
    def sctp_state(self) -> str | None:
        return self._data.get("sctpState")

    def _mark_closed(self) -> None:
        super()._mark_closed()
        self._data["iceState"] = "closed"
        self._data.pop("iceSelectedTuple", None)
        self._data["dtlsState"] = "closed"

    async def connect(self, *, dtls_parameters: dict[str, Any] | None = None) -> None:  # type: ignore[override]
        """Give the remote DTLS parameters; the local role follows from theirs."""
        self._check_open()
        dtls_parameters = _check_dtls_parameters(dtls_parameters)
        data = await self._channel.request(
            "transport.connect", self._internal, {"dtlsParameters": dtls_parameters}
        )
        if isinstance(data, dict) and data.get("dtlsLocalRole"):
            self._data["dtlsParameters"]["role"] = data["dtlsLocalRole"]

    async def restart_ice(self) -> dict[str, Any]:
        """New local ICE username fragment and password; returns the new ice_parameters."""
        self._check_open()
        data = await self._channel.request("transport.restartIce", self._internal)
        ice_parameters = data["iceParameters"]
        self._data["iceParameters"] = ice_parameters
        return ice_parameters

    def _handle_notification(self, event: str, data: Any) -> bool:
        if event == "icestatechange":
            ice_state = data["iceState"]
            self._data["iceState"] = ice_state
            self.safe_emit("icestatechange", ice_state)
            self._observer.safe_emit("icestatechange", ice_state)
        elif event == "iceselectedtuplechange":
            ice_selected_tuple = data["iceSelectedTuple"]
            self._data["iceSelectedTuple"] = ice_selected_tuple
            self.safe_emit("iceselectedtuplechange", ice_selected_tuple)
            self._observer.safe_emit("iceselectedtuplechange", ice_selected_tuple)
        elif event == "dtlsstatechange":
            dtls_state = data["dtlsState"]
            self._data["dtlsState"] = dtls_state
            if dtls_state == "connected":
                self._data["dtlsRemoteCert"] = data.get("dtlsRemoteCert")
            self.safe_emit("dtlsstatechange", dtls_state)
            self._observer.safe_emit("dtlsstatechange", dtls_state)
        else:
            return super()._handle_notification(event, data)
        return True
