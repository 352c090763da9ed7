"""A PipeTransport: RTP (and SCTP) between two Routers, possibly in other Workers or hosts
(mediasoup's PipeTransport.ts)."""

from __future__ import annotations

import logging
from typing import Any

from . import ortc
from .consumer import Consumer
from .plain_transport import check_remote_ip, check_srtp_parameters
from .transport import Transport
from .utils import check_app_data, check_int, without_none

logger = logging.getLogger("pymediasoup.PipeTransport")


class PipeTransport(Transport):
    """Create with :meth:`Router.create_pipe_transport` (or let :meth:`Router.pipe_to_router`
    do it).

    Events: 'sctpstatechange', 'trace', 'routerclose'.
    """

    _kind_name = "PipeTransport"

    @property
    def tuple(self) -> dict[str, Any]:
        return self._data["tuple"]

    @property
    def sctp_parameters(self) -> dict[str, Any] | None:
        return self._data.get("sctpParameters")

    @property
    def sctp_state(self) -> str | None:
        return self._data.get("sctpState")

    @property
    def srtp_parameters(self) -> dict[str, Any] | None:
        return self._data.get("srtpParameters")

    @property
    def _rtx(self) -> bool:
        return bool(self._data.get("rtx"))

    async def connect(  # type: ignore[override]
        self,
        *,
        ip: str | None = None,
        port: int | None = None,
        srtp_parameters: dict[str, Any] | None = None,
    ) -> None:
        """Set the address of the other PipeTransport (and its SRTP key, when enabled)."""
        self._check_open()
        if ip is None:
            raise TypeError("missing ip")
        check_remote_ip(ip)
        if port is None:
            raise TypeError("missing port")
        check_int("port", port, 1, 65535)
        if srtp_parameters is not None:
            srtp_parameters = check_srtp_parameters(srtp_parameters)
        request_data = without_none({"ip": ip, "port": port, "srtpParameters": srtp_parameters})
        data = await self._channel.request("transport.connect", self._internal, request_data) or {}
        if data.get("tuple"):
            self._data["tuple"] = data["tuple"]

    def _prepare_producer_rtp_parameters(self, rtp_parameters: dict[str, Any]) -> None:
        # Each piped Producer keeps the CNAME it had in its own Router.
        pass

    async def consume(
        self,
        *,
        producer_id: str,
        rtp_capabilities: dict[str, Any] | None = None,
        paused: bool = False,
        preferred_layers: dict[str, Any] | None = None,
        pipe: bool = False,
        app_data: dict[str, Any] | None = None,
    ) -> Consumer:
        """A pipe Consumer of a Producer of this Router, with all its encodings.

        ``rtp_capabilities``, ``paused``, ``preferred_layers`` and ``pipe`` do not apply
        to a PipeTransport and are ignored, as in mediasoup.
        """
        self._check_open()
        if not isinstance(producer_id, str) or not producer_id:
            raise TypeError("missing producerId")
        app_data = check_app_data(app_data)
        producer = self._check_producer(producer_id)
        rtp_parameters: Any = ortc.get_pipe_consumer_rtp_parameters(
            producer.consumable_rtp_parameters,  # type: ignore[arg-type]
            self._rtx,
        )
        return await self._create_consumer(
            producer,
            rtp_parameters,
            "pipe",
            paused=None,
            preferred_layers=None,
            app_data=app_data,
            use_reply_score=False,
        )
