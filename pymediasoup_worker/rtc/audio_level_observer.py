"""An AudioLevelObserver, as mediasoup's RTC::AudioLevelObserver.

Every ``interval`` ms it averages the ssrc-audio-level values (dBov) received from each
watched Producer; the Producers with at least 10 packets and an average at or above
``threshold`` are sent in a ``volumes`` notification, loudest first, at most
``maxEntries``. An interval with none of them gives one ``silence`` (not repeated);
pausing the observer gives ``silence`` too unless already silent.
"""

from __future__ import annotations

import math
from typing import Any

from ..core.rtp.header_extensions import SSRC_AUDIO_LEVEL
from ..errors import MediaSoupTypeError
from .json_utils import as_int, as_uint, is_number, is_positive_integer
from .rtp_observer import RtpObserver
from .shared import Shared
from .timer import PeriodicTimer

MIN_PACKETS = 10


class DBovs:
    __slots__ = ("total_sum", "count")

    def __init__(self) -> None:
        self.total_sum = 0
        self.count = 0


class AudioLevelObserver(RtpObserver):
    def __init__(self, rtp_observer_id: str, shared: Shared, data: dict[str, Any]) -> None:
        super().__init__(rtp_observer_id, shared)
        max_entries = data.get("maxEntries")
        if not is_positive_integer(max_entries):
            raise MediaSoupTypeError("missing maxEntries")
        self.max_entries = as_uint(max_entries, 16)
        if self.max_entries < 1:
            raise MediaSoupTypeError(f"invalid maxEntries value {self.max_entries}")
        threshold = data.get("threshold")
        if not is_number(threshold):
            raise MediaSoupTypeError("missing threshold")
        self.threshold = as_int(threshold, 8)
        if self.threshold < -127 or self.threshold > 0:
            raise MediaSoupTypeError(f"invalid threshold value {self.threshold}")
        interval = data.get("interval")
        if not is_number(interval):
            raise MediaSoupTypeError("missing interval")
        self.interval = min(max(as_uint(interval, 16), 250), 5000)
        self.silence = True
        self.map_producer_dbovs: dict[Any, DBovs] = {}
        self.periodic_timer = PeriodicTimer(shared, self.update)
        self.periodic_timer.start(self.interval)

    def close(self) -> None:
        self.periodic_timer.stop()
        super().close()

    def add_producer(self, producer: Any) -> None:
        if producer.kind != "audio":
            raise MediaSoupTypeError("not an audio Producer")
        self.map_producer_dbovs.setdefault(producer, DBovs())

    def remove_producer(self, producer: Any) -> None:
        self.map_producer_dbovs.pop(producer, None)

    def receive_rtp_packet(self, producer: Any, packet: Any) -> None:
        if self.paused:
            return
        # After the Producer's mangling the extension has the Router's id.
        level = packet.read_ssrc_audio_level(SSRC_AUDIO_LEVEL)
        if level is None:
            return
        dbovs = self.map_producer_dbovs.get(producer)
        if dbovs is None:
            return
        volume, _voice = level
        dbovs.total_sum += volume
        dbovs.count += 1

    def producer_paused(self, producer: Any) -> None:
        self.map_producer_dbovs.pop(producer, None)

    def producer_resumed(self, producer: Any) -> None:
        self.map_producer_dbovs.setdefault(producer, DBovs())

    def on_paused(self) -> None:
        self.periodic_timer.stop()
        self._reset_dbovs()
        if not self.silence:
            self.silence = True
            self.shared.notify(self.id, "silence")

    def on_resumed(self) -> None:
        self.periodic_timer.restart()

    def update(self) -> None:
        """One interval is over: ``volumes`` or ``silence``."""
        loudest: dict[int, Any] = {}
        for producer, dbovs in self.map_producer_dbovs.items():
            if dbovs.count < MIN_PACKETS:
                continue
            # std::lround of a positive average: half away from zero.
            avg_dbov = -int(math.floor(dbovs.total_sum / dbovs.count + 0.5))
            if avg_dbov >= self.threshold:
                loudest[avg_dbov] = producer  # one producer per volume, the last one wins
        self._reset_dbovs()
        if loudest:
            self.silence = False
            volumes = sorted(loudest.items(), reverse=True)[: self.max_entries]
            data = [{"producerId": p.id, "volume": volume} for volume, p in volumes]
            self.shared.notify(self.id, "volumes", data)
        elif not self.silence:
            self.silence = True
            self.shared.notify(self.id, "silence")

    def _reset_dbovs(self) -> None:
        for dbovs in self.map_producer_dbovs.values():
            dbovs.total_sum = 0
            dbovs.count = 0
