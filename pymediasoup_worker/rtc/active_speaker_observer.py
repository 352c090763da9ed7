"""An ActiveSpeakerObserver, as mediasoup 3.8's RTC::ActiveSpeakerObserver.

Created by ``router.createActiveSpeakerObserver`` with ``{interval}`` (clamped to
100..5000 ms). Every interval it runs the dominant speaker identification of Volfin and
Cohen ("Dominant Speaker Identification for Multipoint Videoconferencing", as in Jitsi)
over the ssrc-audio-level values of the watched audio Producers, and notifies
``dominantspeaker`` ``{producerId}`` when the dominant speaker changes.
"""

from __future__ import annotations

import math
from typing import Any

from ..core.rtp.header_extensions import SSRC_AUDIO_LEVEL
from ..errors import MediaSoupTypeError
from .json_utils import as_int, is_number
from .rtp_observer import RtpObserver
from .shared import Shared
from .timer import PeriodicTimer

# The algorithm's constants (mediasoup's values).
C1, C2, C3 = 3.0, 2.0, 0.0
N1, N2, N3 = 13, 5, 10
LONG_COUNT = 1
LEVEL_IDLE_TIMEOUT_MS = 40
SPEAKER_IDLE_TIMEOUT_MS = 60 * 60 * 1000
LONG_THRESHOLD = 4
MAX_LEVEL = 127
MIN_LEVEL = 0
MIN_LEVEL_WINDOW_LEN = 15 * 1000 // 20
MEDIUM_THRESHOLD = 7
SUBUNIT_LENGTH_N1 = (MAX_LEVEL - MIN_LEVEL + N1 - 1) // N1
IMMEDIATE_BUFF_LEN = LONG_COUNT * N3 * N2
MEDIUMS_BUFF_LEN = LONG_COUNT * N3
LONGS_BUFF_LEN = LONG_COUNT
LEVELS_BUFF_LEN = LONG_COUNT * N3 * N2
MIN_ACTIVITY_SCORE = 0.0000000001


def _activity_score(v_l: int, n_r: int, p: float, lam: float) -> float:
    score = (
        math.log(math.comb(n_r, v_l)) + v_l * math.log(p) + (n_r - v_l) * math.log(1 - p)
        - math.log(lam) + lam * v_l
    )  # fmt: skip
    return max(score, MIN_ACTIVITY_SCORE)


def _compute_bigs(littles: list[int], bigs: list[int], threshold: int) -> bool:
    per_big = len(littles) // len(bigs)
    changed = False
    for b in range(len(bigs)):
        total = sum(1 for level in littles[b * per_big : (b + 1) * per_big] if level > threshold)
        if bigs[b] != total:
            bigs[b] = total
            changed = True
    return changed


class Speaker:
    """One Producer's recent levels and activity scores."""

    def __init__(self, now_ms: int) -> None:
        self.paused = False
        self.min_level = MIN_LEVEL
        self.next_min_level = MIN_LEVEL
        self.next_min_level_window_len = 0
        self.immediate_activity_score = MIN_ACTIVITY_SCORE
        self.medium_activity_score = MIN_ACTIVITY_SCORE
        self.long_activity_score = MIN_ACTIVITY_SCORE
        self.immediates = [0] * IMMEDIATE_BUFF_LEN
        self.mediums = [0] * MEDIUMS_BUFF_LEN
        self.longs = [0] * LONGS_BUFF_LEN
        self.levels = [0] * LEVELS_BUFF_LEN
        self.last_level_change_time = now_ms

    def activity_score(self, interval: int) -> float:
        return (
            self.immediate_activity_score,
            self.medium_activity_score,
            self.long_activity_score,
        )[interval]

    def eval_activity_scores(self) -> None:
        if self._compute_immediates():
            self.immediate_activity_score = _activity_score(self.immediates[0], N1, 0.5, 0.78)
            if _compute_bigs(self.immediates, self.mediums, MEDIUM_THRESHOLD):
                self.medium_activity_score = _activity_score(self.mediums[0], N2, 0.5, 24)
                if _compute_bigs(self.mediums, self.longs, LONG_THRESHOLD):
                    self.long_activity_score = _activity_score(self.longs[0], N3, 0.5, 47)

    def level_changed(self, level: int, now_ms: int) -> None:
        if self.last_level_change_time > now_ms:
            return
        self.last_level_change_time = now_ms
        level = min(max(level, MIN_LEVEL), MAX_LEVEL)
        self.levels.insert(0, level)
        self.levels.pop()
        self._update_min_level(level)
        self.paused = False

    def level_timed_out(self) -> None:
        self.level_changed(MIN_LEVEL, self.last_level_change_time)

    def _compute_immediates(self) -> bool:
        min_level = self.min_level + SUBUNIT_LENGTH_N1
        changed = False
        for i in range(IMMEDIATE_BUFF_LEN):
            level = self.levels[i]
            if level < min_level:
                level = MIN_LEVEL
            immediate = level // SUBUNIT_LENGTH_N1
            if self.immediates[i] != immediate:
                self.immediates[i] = immediate
                changed = True
        return changed

    def _update_min_level(self, level: int) -> None:
        if level == MIN_LEVEL:
            return
        if self.min_level == MIN_LEVEL or self.min_level > level:
            self.min_level = level
            self.next_min_level = MIN_LEVEL
            self.next_min_level_window_len = 0
        elif self.next_min_level == MIN_LEVEL:
            self.next_min_level = level
            self.next_min_level_window_len = 1
        else:
            self.next_min_level = min(self.next_min_level, level)
            self.next_min_level_window_len += 1
            if self.next_min_level_window_len >= MIN_LEVEL_WINDOW_LEN:
                new_min = math.sqrt(self.min_level * self.next_min_level)
                self.min_level = int(min(max(new_min, MIN_LEVEL), MAX_LEVEL))
                self.next_min_level = MIN_LEVEL
                self.next_min_level_window_len = 0


class ActiveSpeakerObserver(RtpObserver):
    def __init__(self, rtp_observer_id: str, shared: Shared, data: dict[str, Any]) -> None:
        super().__init__(rtp_observer_id, shared)
        interval = data.get("interval")
        if not is_number(interval):
            raise MediaSoupTypeError("missing interval")
        self.interval = min(max(as_int(interval, 16), 100), 5000)
        self.speakers: dict[str, tuple[Any, Speaker]] = {}  # producer id -> (producer, speaker)
        self.dominant_id = ""
        self.last_level_idle_time = 0
        self.periodic_timer = PeriodicTimer(shared, self.update)
        self.periodic_timer.start(self.interval)

    def close(self) -> None:
        self.periodic_timer.stop()
        super().close()

    def add_producer(self, producer: Any) -> None:
        if producer.kind != "audio":
            raise MediaSoupTypeError("not an audio Producer")
        self.speakers[producer.id] = (producer, Speaker(self.shared.now_ms()))

    def remove_producer(self, producer: Any) -> None:
        if self.speakers.pop(producer.id, None) is None:
            return
        if producer.id == self.dominant_id:
            self.dominant_id = ""
            self.update()

    def producer_paused(self, producer: Any) -> None:
        entry = self.speakers.get(producer.id)
        if entry is not None:
            entry[1].paused = True

    def producer_resumed(self, producer: Any) -> None:
        entry = self.speakers.get(producer.id)
        if entry is not None:
            entry[1].paused = False

    def receive_rtp_packet(self, producer: Any, packet: Any) -> None:
        if self.paused:
            return
        level = packet.read_ssrc_audio_level(SSRC_AUDIO_LEVEL)
        entry = self.speakers.get(producer.id)
        if level is None or entry is None:
            return
        volume, _voice = level
        # The extension carries -dBov (0 loudest, 127 silence); the algorithm wants loudness.
        entry[1].level_changed(MAX_LEVEL - volume, self.shared.now_ms())

    def on_paused(self) -> None:
        self.periodic_timer.stop()

    def on_resumed(self) -> None:
        self.periodic_timer.restart()

    def update(self) -> None:
        now_ms = self.shared.now_ms()
        if now_ms - self.last_level_idle_time >= LEVEL_IDLE_TIMEOUT_MS:
            if self.last_level_idle_time != 0:
                self._timeout_idle_levels(now_ms)
            self.last_level_idle_time = now_ms
        if self.speakers and self._calculate_active_speaker():
            self.shared.notify(self.id, "dominantspeaker", {"producerId": self.dominant_id})

    def _calculate_active_speaker(self) -> bool:
        if len(self.speakers) == 1:
            new_dominant_id = next(iter(self.speakers))
        else:
            entry = self.speakers.get(self.dominant_id) if self.dominant_id else None
            if entry is None:
                new_dominant_id, (_, dominant) = next(iter(self.speakers.items()))
            else:
                new_dominant_id, dominant = "", entry[1]
            dominant.eval_activity_scores()
            best_c2 = C2
            for producer_id, (_, speaker) in self.speakers.items():
                if producer_id == self.dominant_id or speaker.paused:
                    continue
                speaker.eval_activity_scores()
                c1, c2, c3 = (
                    math.log(speaker.activity_score(i) / dominant.activity_score(i))
                    for i in range(3)
                )
                if c1 > C1 and c2 > C2 and c3 > C3 and c2 > best_c2:
                    best_c2 = c2
                    new_dominant_id = producer_id
        if new_dominant_id and new_dominant_id != self.dominant_id:
            self.dominant_id = new_dominant_id
            return True
        return False

    def _timeout_idle_levels(self, now_ms: int) -> None:
        for producer_id, (_, speaker) in self.speakers.items():
            idle = now_ms - speaker.last_level_change_time
            if idle > SPEAKER_IDLE_TIMEOUT_MS and (
                not self.dominant_id or producer_id != self.dominant_id
            ):
                speaker.paused = True
            elif idle > LEVEL_IDLE_TIMEOUT_MS:
                speaker.level_timed_out()
