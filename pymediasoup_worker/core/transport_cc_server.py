"""Congestion feedback toward the senders of our Producers, as mediasoup's
RTC::TransportCongestionControlServer (sans-IO).

A transport makes one when a Producer negotiates it (``bwe_type_for_producer``):

* ``transport-cc`` (the transport-wide-cc-01 header extension and the ``transport-cc``
  RTCP feedback): each received packet's (wide sequence number, arrival ms) goes into a
  FeedbackRtpTransportPacket, sent every ``TRANSPORT_CC_FEEDBACK_INTERVAL_MS`` (100 ms)
  while the transport is connected, at once when it is full, and when the next packet
  would not fit. The sender runs its own delay-based estimator on it (libwebrtc's
  GoogCC in browsers). With a maximum incoming bitrate set, a REMB carrying it is also
  sent, at most every 1.5 s (mediasoup's "limitation REMB"); when the maximum is
  removed, REMBs with bitrate 0 (libwebrtc reads 0 as "no limit") tell the sender the
  limit is gone: one at once, three more with the next packets, 1.5 s apart. (In REMB
  mode only the first is sent, as mediasoup; the next estimate follows a second later.)
* ``remb`` (abs-send-time and ``goog-remb``): we estimate the bandwidth ourselves and
  send a REMB every ``REMB_INTERVAL_MS`` (1 s). mediasoup runs libwebrtc's
  RemoteBitrateEstimatorAbsSendTime; ours is deliberately simpler (see
  ``RembEstimator``), capped by the maximum incoming bitrate as mediasoup's is.

Entry points take ``now_ms``; ``incoming_packet`` / ``set_max_incoming_bitrate`` /
``on_timer`` return the RTCP packets to send now (``None`` when there are none, the
common case on the per-packet path); ``next_deadline()`` says when ``on_timer`` is due.

Difference from mediasoup, on purpose: a transport-cc feedback packet is kept below
``MAX_RTCP_PACKET_LEN`` (1200 bytes, mediasoup: its 1500-byte MTU), so that it still fits
SRTCP protection (pylibsrtp refuses packets over ~1356 bytes).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from .rate_calculator import RateCalculator
from .rtp.rtcp.remb import FeedbackPsRembPacket
from .rtp.rtcp.twcc import AddPacketResult, FeedbackRtpTransportPacket

TRANSPORT_CC_FEEDBACK_INTERVAL_MS = 100
LIMITATION_REMB_INTERVAL_MS = 1500
UNLIMITED_REMB_NUM_PACKETS = 4
REMB_INTERVAL_MS = 1000
MAX_RTCP_PACKET_LEN = 1200

TRANSPORT_WIDE_CC_01_URI = (
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
)
ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"

RtcpPacket = FeedbackRtpTransportPacket | FeedbackPsRembPacket


class BweType(StrEnum):
    TRANSPORT_CC = "transport-cc"
    REMB = "remb"


def bwe_type_for_producer(
    header_extension_ids: dict[str, int], codecs: list[dict[str, Any]]
) -> BweType | None:
    """mediasoup's choice at produce(): transport-cc if the Producer has the
    transport-wide-cc-01 extension and some codec has ``transport-cc`` feedback, else REMB
    with abs-send-time and ``goog-remb``, else nothing."""

    def has_feedback(kind: str) -> bool:
        return any(
            isinstance(fb, dict) and fb.get("type") == kind
            for codec in codecs
            for fb in codec.get("rtcpFeedback") or ()
        )

    if header_extension_ids.get("transportWideCc01") and has_feedback("transport-cc"):
        return BweType.TRANSPORT_CC
    if header_extension_ids.get("absSendTime") and has_feedback("goog-remb"):
        return BweType.REMB
    return None


class TransportCongestionControlServer:
    __slots__ = (
        "bwe_type", "max_rtcp_packet_len", "max_incoming_bitrate", "connected",
        "feedback_packets_sent", "remb_packets_sent",
        "_feedback", "_feedback_count", "_media_ssrc", "_next_feedback_ms",
        "_unlimited_remb_counter", "_limitation_remb_sent_at_ms", "_remb",
    )  # fmt: skip

    def __init__(self, bwe_type: BweType | str, max_rtcp_packet_len: int = MAX_RTCP_PACKET_LEN):
        self.bwe_type = BweType(bwe_type)
        self.max_rtcp_packet_len = max_rtcp_packet_len
        self.max_incoming_bitrate = 0
        self.connected = False
        self.feedback_packets_sent = 0
        self.remb_packets_sent = 0
        self._feedback_count = 0  # the feedback packet count of the packet being built
        self._media_ssrc = 0
        self._feedback = FeedbackRtpTransportPacket(0, 0, feedback_packet_count=0)
        self._next_feedback_ms: int | None = None
        self._unlimited_remb_counter = 0
        self._limitation_remb_sent_at_ms: int | None = None
        self._remb = RembEstimator() if self.bwe_type == BweType.REMB else None

    # --- state ---

    @property
    def available_bitrate(self) -> int:
        """The REMB estimate (mediasoup's GetAvailableBitrate()); 0 with transport-cc."""
        return self._remb.estimate if self._remb is not None else 0

    def next_deadline(self) -> int | None:
        return self._next_feedback_ms

    # --- transport state ---

    def transport_connected(self, now_ms: int) -> None:
        self.connected = True
        interval = (
            TRANSPORT_CC_FEEDBACK_INTERVAL_MS
            if self.bwe_type == BweType.TRANSPORT_CC
            else REMB_INTERVAL_MS
        )
        self._next_feedback_ms = now_ms + interval

    def transport_disconnected(self) -> None:
        self.connected = False
        self._next_feedback_ms = None
        if self.bwe_type == BweType.TRANSPORT_CC:
            # What was collected is dropped, the packet count goes on (as mediasoup).
            self._feedback = FeedbackRtpTransportPacket(
                0, 0, feedback_packet_count=self._feedback_count
            )

    # --- input ---

    def incoming_packet(
        self,
        now_ms: int,
        ssrc: int,
        size: int,
        wide_seq: int | None = None,
        abs_send_time: int | None = None,
    ) -> list[RtcpPacket] | None:
        """One received RTP packet (for any Producer of the transport). ``wide_seq`` is its
        transport-wide sequence number (transport-cc), ``abs_send_time`` its raw 24-bit
        abs-send-time (REMB); a packet without the one needed is ignored."""
        if self.bwe_type == BweType.TRANSPORT_CC:
            if wide_seq is None:
                return None
            return self._incoming_transport_cc(now_ms, ssrc, wide_seq)
        if abs_send_time is None:
            return None
        assert self._remb is not None
        self._remb.incoming_packet(now_ms, ssrc, size, abs_send_time)
        return None

    def set_max_incoming_bitrate(self, bitrate: int, now_ms: int) -> list[RtcpPacket] | None:
        previous = self.max_incoming_bitrate
        self.max_incoming_bitrate = bitrate
        if self._remb is not None:
            self._remb.max_bitrate = bitrate
        if previous and not bitrate:
            self._unlimited_remb_counter = UNLIMITED_REMB_NUM_PACKETS
            out: list[RtcpPacket] = []
            self._may_send_limitation_remb(now_ms, out)
            return out or None
        return None

    def on_timer(self, now_ms: int) -> list[RtcpPacket] | None:
        deadline = self._next_feedback_ms
        if deadline is None or now_ms < deadline:
            return None
        out: list[RtcpPacket] = []
        if self.bwe_type == BweType.TRANSPORT_CC:
            self._next_feedback_ms = now_ms + TRANSPORT_CC_FEEDBACK_INTERVAL_MS
            self._send_transport_cc_feedback(out)
        else:
            self._next_feedback_ms = now_ms + REMB_INTERVAL_MS
            assert self._remb is not None
            remb = self._remb.process(now_ms)
            if remb is not None:
                self.remb_packets_sent += 1
                out.append(remb)
        return out or None

    # --- transport-cc ---

    def _incoming_transport_cc(
        self, now_ms: int, ssrc: int, wide_seq: int
    ) -> list[RtcpPacket] | None:
        out: list[RtcpPacket] = []
        self._media_ssrc = ssrc
        feedback = self._feedback
        feedback.sender_ssrc = 0
        feedback.media_ssrc = ssrc
        result = feedback.add_packet(wide_seq, now_ms, self.max_rtcp_packet_len)
        if result == AddPacketResult.SUCCESS:
            if feedback.is_full():
                self._send_transport_cc_feedback(out)
        elif result == AddPacketResult.MAX_SIZE_EXCEEDED:
            self._send_transport_cc_feedback(out)
            self._feedback.add_packet(wide_seq, now_ms, self.max_rtcp_packet_len)
        else:  # FATAL: a jump too large to represent; start over, same packet count
            self._feedback = FeedbackRtpTransportPacket(
                0, ssrc, feedback_packet_count=self._feedback_count
            )
        if self.max_incoming_bitrate or self._unlimited_remb_counter:
            self._may_send_limitation_remb(now_ms, out)
        return out or None

    def _send_transport_cc_feedback(self, out: list[RtcpPacket]) -> None:
        feedback = self._feedback
        if not feedback.is_serializable():
            return
        feedback.finish()
        out.append(feedback)
        self.feedback_packets_sent += 1
        latest_seq = feedback.latest_sequence_number
        latest_ts = feedback.latest_timestamp
        self._feedback_count = (self._feedback_count + 1) & 0xFF
        self._feedback = FeedbackRtpTransportPacket(
            0, self._media_ssrc, feedback_packet_count=self._feedback_count
        )
        # The last reported packet is the base of the next feedback.
        if latest_ts > 0:
            self._feedback.add_packet(latest_seq, latest_ts, self.max_rtcp_packet_len)

    def _may_send_limitation_remb(self, now_ms: int, out: list[RtcpPacket]) -> None:
        if self._unlimited_remb_counter and self.max_incoming_bitrate:
            self._unlimited_remb_counter = 0
        wanted = (
            self.bwe_type != BweType.REMB and self.max_incoming_bitrate
        ) or self._unlimited_remb_counter
        if not wanted:
            return
        last = self._limitation_remb_sent_at_ms
        if not (
            last is None
            or now_ms - last > LIMITATION_REMB_INTERVAL_MS
            or self._unlimited_remb_counter == UNLIMITED_REMB_NUM_PACKETS
        ):
            return
        out.append(FeedbackPsRembPacket(0, 0, self.max_incoming_bitrate, []))
        self.remb_packets_sent += 1
        self._limitation_remb_sent_at_ms = now_ms
        if self._unlimited_remb_counter:
            self._unlimited_remb_counter -= 1


# --- REMB: our receive-side estimate ---------------------------------------------------

# abs-send-time: 6.18 fixed-point seconds in 24 bits, wrapping every 64 s.
_ABS_SEND_TIME_WRAP = 1 << 24
_ABS_SEND_TIME_UNITS_PER_MS = (1 << 18) / 1000.0

REMB_MIN_BITRATE = 30000
REMB_INCREASE_FACTOR = 1.08  # per interval while the path is not overused
REMB_DECREASE_FACTOR = 0.85  # of the measured incoming rate, on overuse
REMB_MAX_RATE_FACTOR = 1.5  # the estimate never exceeds 1.5 x what arrives ...
REMB_MAX_RATE_HEADROOM = 10000  # ... plus this (bps)
OVERUSE_THRESHOLD_MS = 25.0  # queueing delay growth that counts as overuse
BASELINE_INTERVALS = 5  # the delay baseline is the minimum over this many intervals


class RembEstimator:
    """A small delay-and-rate receive-side estimator (what our REMBs carry).

    Per interval (``process``, every second) it knows:

    * the incoming rate R: the bytes of the RTP packets that carry abs-send-time, over a
      1 s window;
    * the queueing delay: for each packet, arrival time minus send time (abs-send-time,
      unwrapped), relative to its minimum over the last few intervals (the baseline,
      which absorbs the clock offset between the sender and us and slow drift). The
      interval's queueing delay is the mean of those.

    The path is *overused* when the queueing delay is above ``OVERUSE_THRESHOLD_MS`` and
    grew since the previous interval. Then the estimate drops to 0.85 x R; otherwise it
    grows by 8% from max(estimate, R), never above 1.5 x R + 10 kbps (a sender is never
    invited far beyond what it proved the path carries), never below 30 kbps, and never
    above the maximum incoming bitrate when one is set. This is AIMD in the spirit of
    libwebrtc's, without its Kalman filter and trendline.

    An interval in which nothing arrived sends nothing.
    """

    __slots__ = (
        "estimate", "max_bitrate", "overuse_count", "_rate", "_ssrcs", "_count",
        "_delay_sum", "_interval_min", "_mins", "_last_queue_delay", "_last_send_ms",
        "_send_ms_base",
    )  # fmt: skip

    def __init__(self) -> None:
        self.estimate = 0
        self.max_bitrate = 0
        self.overuse_count = 0
        self._rate = RateCalculator()
        self._ssrcs: set[int] = set()
        self._count = 0
        self._delay_sum = 0.0
        self._interval_min: float | None = None
        self._mins: list[float] = []
        self._last_queue_delay = 0.0
        self._last_send_ms: float | None = None
        self._send_ms_base = 0.0  # added for each abs-send-time wrap

    def incoming_packet(self, now_ms: int, ssrc: int, size: int, abs_send_time: int) -> None:
        self._rate.update(size, now_ms)
        self._ssrcs.add(ssrc)
        send_ms = self._unwrap(abs_send_time)
        delay = now_ms - send_ms
        self._count += 1
        self._delay_sum += delay
        if self._interval_min is None or delay < self._interval_min:
            self._interval_min = delay

    def _unwrap(self, abs_send_time: int) -> float:
        send_ms = self._send_ms_base + abs_send_time / _ABS_SEND_TIME_UNITS_PER_MS
        last = self._last_send_ms
        wrap_ms = _ABS_SEND_TIME_WRAP / _ABS_SEND_TIME_UNITS_PER_MS
        if last is not None and last - send_ms > wrap_ms / 2:
            self._send_ms_base += wrap_ms
            send_ms += wrap_ms
        if last is None or send_ms > last:
            self._last_send_ms = send_ms
        return send_ms

    def process(self, now_ms: int) -> FeedbackPsRembPacket | None:
        if not self._count:
            return None
        assert self._interval_min is not None
        self._mins.append(self._interval_min)
        del self._mins[:-BASELINE_INTERVALS]
        baseline = min(self._mins)
        queue_delay = self._delay_sum / self._count - baseline
        overuse = queue_delay > OVERUSE_THRESHOLD_MS and queue_delay > self._last_queue_delay
        self._last_queue_delay = queue_delay
        rate = self._rate.get_rate(now_ms)
        if overuse:
            self.overuse_count += 1
            estimate = int(rate * REMB_DECREASE_FACTOR)
        else:
            estimate = int(max(self.estimate, rate) * REMB_INCREASE_FACTOR)
            estimate = min(estimate, int(rate * REMB_MAX_RATE_FACTOR) + REMB_MAX_RATE_HEADROOM)
        estimate = max(estimate, REMB_MIN_BITRATE)
        if self.max_bitrate:
            estimate = min(estimate, self.max_bitrate)
        self.estimate = estimate
        ssrcs = sorted(self._ssrcs)
        self._ssrcs.clear()
        self._count = 0
        self._delay_sum = 0.0
        self._interval_min = None
        return FeedbackPsRembPacket(0, 0, estimate, ssrcs)
