"""A Consumer's outgoing RTP stream, as mediasoup's RTC::RtpStreamSend.

It exists from the Consumer's creation (its dump and ``outbound-rtp`` stats are there
before any packet); its score starts at 10. The media path (sending, the retransmission
buffer, NACK/PLI/FIR, RTCP reports) is added on top of these counters.
"""

from __future__ import annotations

from typing import Any

from .rate_calculator import RtpDataCounter
from .rtp_stream import RtpStream, RtpStreamParams

# Retransmission buffer size (packets) when NACK is used, as mediasoup.
NACK_BUFFER_SIZE = 600


class RtpStreamSend(RtpStream):
    __slots__ = ("buffer_size", "transmission_counter")

    def __init__(self, params: RtpStreamParams, buffer_size: int, now_ms: int) -> None:
        super().__init__(params, 10, now_ms)
        self.buffer_size = buffer_size
        self.transmission_counter = RtpDataCounter()

    def get_bitrate(self, now_ms: int) -> int:
        return self.transmission_counter.get_bitrate(now_ms)

    def fill_json_stats(self, now_ms: int) -> dict[str, Any]:
        json = super().fill_json_stats(now_ms)
        json["type"] = "outbound-rtp"
        json["packetCount"] = self.transmission_counter.packets
        json["byteCount"] = self.transmission_counter.bytes
        json["bitrate"] = self.transmission_counter.get_bitrate(now_ms)
        return json
