"""What every RTP observer shares, as mediasoup's RTC::RtpObserver.

An observer watches some of its Router's audio Producers (``rtpObserver.addProducer``).
The Router feeds it their packets and their pause/resume; ``rtpObserver.pause`` stops
the observation until ``rtpObserver.resume``.
"""

from __future__ import annotations

from typing import Any

from .shared import Shared


class RtpObserver:
    def __init__(self, rtp_observer_id: str, shared: Shared) -> None:
        self.id = rtp_observer_id
        self.shared = shared
        self.paused = False
        self.closed = False

    def pause(self) -> None:
        if self.paused:
            return
        self.paused = True
        self.on_paused()

    def resume(self) -> None:
        if not self.paused:
            return
        self.paused = False
        self.on_resumed()

    def close(self) -> None:
        """Closed by its Router (rtpObserver.close or router close): nothing is sent."""
        self.closed = True

    # Implemented by each observer.
    def add_producer(self, producer: Any) -> None:
        raise NotImplementedError

    def remove_producer(self, producer: Any) -> None:
        raise NotImplementedError

    def receive_rtp_packet(self, producer: Any, packet: Any) -> None:
        raise NotImplementedError

    def producer_paused(self, producer: Any) -> None:
        raise NotImplementedError

    def producer_resumed(self, producer: Any) -> None:
        raise NotImplementedError

    def on_paused(self) -> None:
        raise NotImplementedError

    def on_resumed(self) -> None:
        raise NotImplementedError
