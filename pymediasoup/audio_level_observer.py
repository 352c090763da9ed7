"""An AudioLevelObserver: the loudest audio Producers of a Router, periodically
(mediasoup's AudioLevelObserver.ts)."""

from __future__ import annotations

from typing import Any

from .rtp_observer import RtpObserver


class AudioLevelObserver(RtpObserver):
    """Create with :meth:`Router.create_audio_level_observer`.

    Events: 'volumes'([{'producer': Producer, 'volume': int}, ...]) loudest first,
    'silence', 'routerclose'. The observer also emits 'volumes' and 'silence'.
    """

    _kind_name = "AudioLevelObserver"

    def _on_notification(self, event: str, data: Any = None) -> None:
        if event == "volumes":
            volumes = []
            for entry in data or []:
                producer = self._get_producer_by_id(entry.get("producerId"))
                if producer is not None:
                    volumes.append({"producer": producer, "volume": entry.get("volume")})
            if volumes:
                self.safe_emit("volumes", volumes)
                self._observer.safe_emit("volumes", volumes)
        elif event == "silence":
            self.safe_emit("silence")
            self._observer.safe_emit("silence")
        else:
            super()._on_notification(event, data)
