"""The base of the RTP observers (mediasoup's RtpObserver.ts): they watch the RTP of
some audio Producers of a Router."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .channel_object import ChannelObject
from .errors import UnsupportedError

if TYPE_CHECKING:
    from .channel.channel import Channel
    from .channel.payload_channel import PayloadChannel
    from .producer import Producer


class RtpObserver(ChannelObject):
    """Common part of AudioLevelObserver and ActiveSpeakerObserver.

    Events: 'routerclose'. Observer: 'close', 'pause', 'resume', 'addproducer'(producer),
    'removeproducer'(producer).
    """

    _kind_name, _id_key, _method_prefix = "RtpObserver", "rtpObserverId", "rtpObserver"

    def __init__(
        self,
        *,
        internal: dict[str, Any],
        channel: Channel,
        payload_channel: PayloadChannel,
        app_data: dict[str, Any],
        get_producer_by_id: Callable[[str], Producer | None],
    ) -> None:
        super().__init__(
            internal=internal,
            data={},
            channel=channel,
            payload_channel=payload_channel,
            app_data=app_data,
        )
        self._get_producer_by_id = get_producer_by_id
        self._paused = False
        self._channel.on(self.id, self._on_notification)

    @property
    def paused(self) -> bool:
        return self._paused

    def router_closed(self) -> None:
        """The Router (or its Worker) closed: nothing is sent; 'routerclose' is emitted."""
        self._parent_closed("routerclose")

    async def get_stats(self) -> list[dict[str, Any]]:
        raise UnsupportedError("RTP observers have no stats (as in mediasoup)")

    async def dump(self) -> dict[str, Any]:
        """The Router's view of this observer (RTP observers have no dump request of their
        own in mediasoup 3.7): ``{id, paused, producerIds}``."""
        self._check_open()
        router_dump = await self._channel.request(
            "router.dump", {"routerId": self._internal["routerId"]}
        )
        producer_ids = [
            producer_id
            for producer_id, observer_ids in (
                router_dump.get("mapProducerIdObserverIds") or {}
            ).items()
            if self.id in observer_ids
        ]
        return {"id": self.id, "paused": self._paused, "producerIds": producer_ids}

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

    def _check_producer_id(self, producer_id: Any) -> Producer | None:
        if not isinstance(producer_id, str) or not producer_id:
            raise TypeError("missing producerId")
        return self._get_producer_by_id(producer_id)

    async def add_producer(self, *, producer_id: str) -> None:
        """Watch this audio Producer (of the same Router)."""
        self._check_open()
        producer = self._check_producer_id(producer_id)
        await self._channel.request(
            "rtpObserver.addProducer", {**self._internal, "producerId": producer_id}
        )
        self._observer.safe_emit("addproducer", producer)

    async def remove_producer(self, *, producer_id: str) -> None:
        self._check_open()
        producer = self._check_producer_id(producer_id)
        await self._channel.request(
            "rtpObserver.removeProducer", {**self._internal, "producerId": producer_id}
        )
        self._observer.safe_emit("removeproducer", producer)

    def _on_notification(self, event: str, data: Any = None) -> None:
        self._logger.error("ignoring unknown event %r [rtpObserver:%s]", event, self.id)
