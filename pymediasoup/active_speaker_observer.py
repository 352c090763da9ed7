"""An ActiveSpeakerObserver: the dominant speaker among audio Producers of a Router
(mediasoup 3.8's ActiveSpeakerObserver.ts)."""

from __future__ import annotations

import logging
from typing import Any

from .rtp_observer import RtpObserver

logger = logging.getLogger("pymediasoup.ActiveSpeakerObserver")


class ActiveSpeakerObserver(RtpObserver):
    """Create with :meth:`Router.create_active_speaker_observer`.

    Events: 'dominantspeaker'({'producer': Producer}), 'routerclose'. The observer also
    emits 'dominantspeaker'.
    """

    _kind_name = "ActiveSpeakerObserver"

    def _on_notification(self, event: str, data: Any = None) -> None:
        if event == "dominantspeaker":
            producer_id = (data or {}).get("producerId")
            producer = self._get_producer_by_id(producer_id) if producer_id else None
            if producer is None:
                logger.debug("dominantspeaker for an unknown Producer %r", data)
                return
            dominant_speaker = {"producer": producer}
            self.safe_emit("dominantspeaker", dominant_speaker)
            self._observer.safe_emit("dominantspeaker", dominant_speaker)
        else:
            super()._on_notification(event, data)
