"""A Producer: media an endpoint sends into a Router (mediasoup's Producer.ts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .channel_object import ChannelObject
from .utils import check_bytes, check_trace_event_types

if TYPE_CHECKING:
    from .channel.channel import Channel
    from .channel.payload_channel import PayloadChannel


class Producer(ChannelObject):
    """Create with :meth:`Transport.produce`.

    Events: 'transportclose', 'score'(list), 'videoorientationchange'(dict), 'trace'(dict).
    Observer: 'close', 'pause', 'resume', 'score', 'videoorientationchange', 'trace'.
    """

    _kind_name, _id_key, _method_prefix = "Producer", "producerId", "producer"

    def __init__(
        self,
        *,
        internal: dict[str, Any],
        data: dict[str, Any],
        channel: Channel,
        payload_channel: PayloadChannel,
        app_data: dict[str, Any],
        paused: bool,
    ) -> None:
        super().__init__(
            internal=internal,
            data=data,
            channel=channel,
            payload_channel=payload_channel,
            app_data=app_data,
        )
        self._paused = paused
        self._score: list[dict[str, Any]] = []
        self._channel.on(self.id, self._on_notification)

    @property
    def kind(self) -> str:
        return self._data["kind"]

    @property
    def rtp_parameters(self) -> dict[str, Any]:
        return self._data["rtpParameters"]

    @property
    def type(self) -> str:
        """'simple', 'simulcast' or 'svc'."""
        return self._data["type"]

    @property
    def consumable_rtp_parameters(self) -> dict[str, Any]:
        return self._data["consumableRtpParameters"]

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def score(self) -> list[dict[str, Any]]:
        return self._score

    def transport_closed(self) -> None:
        """Its Transport closed: nothing is sent; 'transportclose' is emitted."""
        self._parent_closed("transportclose")

    async def pause(self) -> None:
        self._check_open()
        was_paused = self._paused
        await self._request("pause")
        self._paused = True
        if not was_paused:
            self._observer.safe_emit("pause")

    async def resume(self) -> None:
        self._check_open()
        was_paused = self._paused
        await self._request("resume")
        self._paused = False
        if was_paused:
            self._observer.safe_emit("resume")

    async def enable_trace_event(self, types: list[str] | None = None) -> None:
        """Enable 'trace' events: 'rtp', 'keyframe', 'nack', 'pli', 'fir'; None means none."""
        await self._request("enableTraceEvent", {"types": check_trace_event_types(types)})

    def send(self, rtp_packet: bytes) -> None:
        """Inject an RTP packet (Producers of a DirectTransport only)."""
        self._check_open()
        packet = check_bytes("rtp_packet", rtp_packet)
        self._payload_channel.notify("producer.send", self._internal, None, packet)

    def _on_notification(self, event: str, data: Any = None) -> None:
        if event == "score":
            self._score = data
            self.safe_emit("score", data)
            self._observer.safe_emit("score", data)
        elif event == "videoorientationchange":
            self.safe_emit("videoorientationchange", data)
            self._observer.safe_emit("videoorientationchange", data)
        elif event == "trace":
            self.safe_emit("trace", data)
            self._observer.safe_emit("trace", data)
        else:
            self._logger.error("ignoring unknown event %r [producer:%s]", event, self.id)
