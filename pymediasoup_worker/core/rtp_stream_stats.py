"""The statistics math of mediasoup's RtpStream / RtpStreamRecv / RtpStreamSend, on ints.

* ``RtpStreamRecvStats``: a received stream's sequence state (RFC 3550 A.1: extended
  highest seq with cycles, bad-seq re-sync, misorder and dropout limits), packets
  expected and lost, fraction lost per report interval (A.3), interarrival jitter (A.8),
  its Receiver Report block, the Sender Report it last got, and its per-interval score.
* ``RtpStreamSendScore``: a sent stream's per-interval score, from the Receiver Reports
  it gets.
* ``ScoreHistory``: mediasoup's effective score, the weighted mean of the last 24 interval
  scores (recent ones weigh more).
* NTP helpers and the RTT from a report's LSR/DLSR.

``now_ms`` is the worker's monotonic clock; like mediasoup, it is also what NTP times are
made from. Nothing here knows packets: callers pass seq, timestamp and counters.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from .seq import MAX_VALUE_32

MAX_DROPOUT = 3000
MAX_MISORDER = 1500
RTP_SEQ_MOD = 1 << 16
SCORE_HISTOGRAM_LENGTH = 24
NTP_FRACTIONAL_UNIT = 1 << 32

_MASK32 = 0xFFFFFFFF
_FLOAT32 = struct.Struct("f")


# --- NTP and RTT ---------------------------------------------------------------------


def time_ms_to_ntp(ms: int) -> tuple[int, int]:
    """(seconds, fractions) of ``ms``, as mediasoup's Utils::Time::TimeMs2Ntp."""
    return (ms // 1000) & _MASK32, int((ms % 1000) / 1000 * NTP_FRACTIONAL_UNIT) & _MASK32


def ntp_to_time_ms(seconds: int, fractions: int) -> int:
    """Milliseconds of an NTP time (fraction rounded half up), as Utils::Time::Ntp2TimeMs."""
    return seconds * 1000 + _round_half_up(fractions * 1000, NTP_FRACTIONAL_UNIT)


def compact_ntp(ms: int) -> int:
    """The middle 32 bits of the NTP time of ``ms`` (RFC 3550's LSR/DLSR format)."""
    seconds, fractions = time_ms_to_ntp(ms)
    return ((seconds & 0xFFFF) << 16) | (fractions >> 16)


def rtt_ms_from_report(now_ms: int, last_sr: int, dlsr: int) -> float:
    """RTT (ms) from an RR's LSR and DLSR (or an XR DLRR's LRR and DLRR); 0 if unknown.

    Both 0 means the peer had no report of ours yet, as mediasoup. Computed modulo 2**32
    so that the compact NTP wrap (every 18.2 hours) does not matter.
    """
    if not last_sr or not dlsr:
        return 0.0
    rtt = (compact_ntp(now_ms) - dlsr - last_sr) & _MASK32
    if rtt == 0 or rtt > _MASK32 >> 1:
        return 0.0  # the report claims a time after now
    return (rtt >> 16) * 1000 + (rtt & 0xFFFF) / 65536 * 1000


def dlsr_from_delay_ms(delay_ms: int) -> int:
    """A delay in ms as 1/65536 s units (DLSR), as mediasoup computes it."""
    return (((delay_ms // 1000) << 16) | ((delay_ms % 1000) * 65536 // 1000)) & _MASK32


# --- scores --------------------------------------------------------------------------


def _round_half_up(numerator: int, denominator: int) -> int:
    """round(numerator / denominator) for non-negative ints, halves away from zero."""
    return (2 * numerator + denominator) // (2 * denominator)


def _f32(value: float) -> float:
    """``value`` rounded to single precision, as C++'s ``float``."""
    return _FLOAT32.unpack(_FLOAT32.pack(value))[0]  # type: ignore[no-any-return]


def score_from_losses(total: int, lost: int, repaired: int, retransmitted: int) -> int:
    """mediasoup's interval score (0..10) for ``total`` packets of which ``lost`` were lost.

    Repaired packets count back in, weighted down the more of them were needed and the more
    retransmissions it took. The ratios are rounded to single precision where mediasoup
    uses ``float``, so scores match its own to the bit. ``total`` 0 scores 0 (mediasoup's
    math gives NaN there, which its cast makes 0 on x86).
    """
    if total <= 0:
        return 0
    repaired_ratio = _f32(repaired / total)
    repaired_weight = _f32(1 / _f32(repaired_ratio + 1)) ** 4
    if retransmitted > 0:
        repaired_weight *= _f32(repaired / retransmitted)
    lost = int(lost - repaired * repaired_weight)  # truncated, as the C++ cast to uint32_t
    lost = min(max(lost, 0), total)
    delivered_ratio = _f32((total - lost) / total)
    return int(delivered_ratio**4 * 10 + 0.5)


class ScoreHistory:
    """mediasoup's stream score: weighted mean of the last 24 interval scores.

    The oldest weighs 1, the next 2, and so on: [1, 2, 3, 4] gives (1 + 4 + 9 + 16) / 10,
    rounded: 3.
    """

    __slots__ = ("score", "scores")

    def __init__(self, initial_score: int) -> None:
        self.score = initial_score
        self.scores: list[int] = []

    def update(self, score: int) -> bool:
        """Add an interval score. Returns whether the effective score changed."""
        scores = self.scores
        if len(scores) == SCORE_HISTOGRAM_LENGTH:
            del scores[0]
        scores.append(score)
        total = 0
        samples = 0
        for weight, value in enumerate(scores, 1):
            samples += weight
            total += weight * value
        previous = self.score
        self.score = _round_half_up(total, samples)
        return self.score != previous

    def reset(self, score: int) -> bool:
        """Forget the history and take ``score``. Returns whether the score changed."""
        self.scores.clear()
        previous = self.score
        self.score = score
        return score != previous


class RtpStreamSendScore:
    """A sent stream's interval score from each Receiver Report (RtpStreamSend::UpdateScore)."""

    __slots__ = ("sent_prior", "lost_prior", "repaired_prior", "retransmitted_prior")

    def __init__(self) -> None:
        self.sent_prior = 0
        self.lost_prior = 0
        self.repaired_prior = 0
        self.retransmitted_prior = 0

    def update(
        self, total_sent: int, total_lost: int, total_repaired: int, total_retransmitted: int
    ) -> int:
        """Counters since the stream began (``total_lost`` from the RR) → interval score."""
        sent = total_sent - self.sent_prior
        self.sent_prior = total_sent
        total_lost = max(total_lost, 0)
        lost = max(total_lost - self.lost_prior, 0)
        self.lost_prior = total_lost
        repaired = total_repaired - self.repaired_prior
        self.repaired_prior = total_repaired
        retransmitted = total_retransmitted - self.retransmitted_prior
        self.retransmitted_prior = total_retransmitted

        if sent <= 0:
            return 10
        lost = min(lost, sent)
        repaired = min(repaired, lost)
        return score_from_losses(sent, lost, repaired, retransmitted)


# --- receive side --------------------------------------------------------------------


class ReportBlock(NamedTuple):
    """The fields of one RTCP Receiver Report block (RFC 3550 6.4.1)."""

    ssrc: int
    fraction_lost: int  # 0..255
    total_lost: int  # signed, clamped to 24 bits
    last_seq: int  # extended highest sequence number received
    jitter: int  # in RTP timestamp units
    last_sr: int  # LSR: middle 32 bits of the last SR's NTP time, 0 if none
    dlsr: int  # DLSR: since that SR, in 1/65536 s, 0 if none


class RtpStreamRecvStats:
    """Sequence, loss, jitter, report and score state of one received RTP stream."""

    __slots__ = (
        "ssrc", "clock_rate", "started", "base_seq", "max_seq", "cycles", "bad_seq",
        "max_packet_ts", "max_packet_ms", "packets_received", "packets_discarded",
        "packets_lost", "fraction_lost", "reported_packets_lost", "expected_prior",
        "received_prior", "expected_prior_score", "received_prior_score",
        "repaired_prior_score", "retransmitted_prior_score", "last_sr_received_ms",
        "last_sr_timestamp", "last_sender_report_ntp_ms", "last_sender_report_ts",
        "_transit", "_jitter_q4",
    )  # fmt: skip

    def __init__(self, ssrc: int, clock_rate: int) -> None:
        self.ssrc = ssrc
        self.clock_rate = clock_rate
        self.started = False
        self.base_seq = 0
        self.max_seq = 0
        self.cycles = 0  # shifted count of seq cycles: a multiple of 65536
        self.bad_seq = RTP_SEQ_MOD + 1  # never equal to a seq
        self.max_packet_ts = 0  # highest RTP timestamp seen
        self.max_packet_ms = 0  # when it was seen
        self.packets_received = 0  # media packets (not RTX)
        self.packets_discarded = 0
        self.packets_lost = 0
        self.fraction_lost = 0
        self.reported_packets_lost = 0
        self.expected_prior = 0
        self.received_prior = 0
        self.expected_prior_score = 0
        self.received_prior_score = 0
        self.repaired_prior_score = 0
        self.retransmitted_prior_score = 0
        self.last_sr_received_ms: int | None = None
        self.last_sr_timestamp = 0
        self.last_sender_report_ntp_ms = 0
        self.last_sender_report_ts = 0
        self._transit: int | None = None
        self._jitter_q4 = 0  # jitter * 16, as RFC 3550 A.8

    # --- derived values ---

    @property
    def extended_max_seq(self) -> int:
        """The extended highest seq received (an RR's "last seq"), 32 bits."""
        return (self.cycles + self.max_seq) & _MASK32

    @property
    def expected_packets(self) -> int:
        if not self.started:
            return 0
        return (self.cycles + self.max_seq - self.base_seq + 1) & _MASK32

    @property
    def jitter(self) -> int:
        """Interarrival jitter in RTP timestamp units."""
        return self._jitter_q4 >> 4

    # --- packets ---

    def receive_packet(self, now_ms: int, seq: int, timestamp: int) -> bool:
        """A media packet. False when it is discarded (a bad seq jump)."""
        if not self.started:
            self.started = True
            self._init_seq(seq)
            self.max_packet_ts = timestamp
            self.max_packet_ms = now_ms
        elif (seq - self.max_seq) & 0xFFFF < MAX_DROPOUT:
            # update_seq()'s first branch, inlined (per packet): in order, maybe after a gap.
            if seq < self.max_seq:
                self.cycles += RTP_SEQ_MOD
            self.max_seq = seq
        elif not self.update_seq(now_ms, seq, timestamp):
            return False
        # is_seq_higher_than(timestamp, max_packet_ts, MAX_VALUE_32), inlined: per packet.
        d = (timestamp - self.max_packet_ts) & MAX_VALUE_32
        if 0 < d < 0x80000000 or (d == 0x80000000 and timestamp < self.max_packet_ts):
            self.max_packet_ts = timestamp
            self.max_packet_ms = now_ms
        self.packets_received += 1
        # The interarrival jitter (RFC 3550 A.8), inlined: per packet. The transit time
        # is in RTP units; only its changes matter, so the 32-bit wrap is harmless.
        clock_rate = self.clock_rate
        if clock_rate > 0:
            transit = (now_ms * clock_rate // 1000 - timestamp) & _MASK32
            previous = self._transit
            self._transit = transit
            if previous is not None:
                d = (transit - previous) & _MASK32
                if d > _MASK32 >> 1:
                    d = (1 << 32) - d
                # J += (|D| - J) / 16, on J * 16 in integers.
                self._jitter_q4 += d - ((self._jitter_q4 + 8) >> 4)
        return True

    def receive_rtx_packet(self, now_ms: int, seq: int, timestamp: int) -> bool:
        """A packet recovered from RTX (its original seq and timestamp): seq state only."""
        return self.update_seq(now_ms, seq, timestamp)

    def update_seq(self, now_ms: int, seq: int, timestamp: int) -> bool:
        """RFC 3550 A.1's update_seq without probation, as mediasoup's RtpStream::UpdateSeq."""
        udelta = (seq - self.max_seq) & 0xFFFF
        if udelta < MAX_DROPOUT:
            # In order, maybe with a gap.
            if seq < self.max_seq:
                self.cycles += RTP_SEQ_MOD
            self.max_seq = seq
        elif udelta <= RTP_SEQ_MOD - MAX_MISORDER:
            # A very large jump: accept it only when the next packet follows it.
            if seq != self.bad_seq:
                self.bad_seq = (seq + 1) & 0xFFFF
                self.packets_discarded += 1
                return False
            # The sender restarted without telling: start over from this packet.
            self._init_seq(seq)
            self.max_packet_ts = timestamp
            self.max_packet_ms = now_ms
        # Otherwise an acceptable misorder (a late or repeated packet).
        return True

    def reset_jitter(self) -> None:
        """Forget the jitter (mediasoup does on pause)."""
        self._transit = None
        self._jitter_q4 = 0

    # --- RTCP ---

    def receive_sender_report(self, now_ms: int, ntp_sec: int, ntp_frac: int, rtp_ts: int) -> None:
        """An SR for this stream. mediasoup then updates the score: call ``update_score()``."""
        self.last_sr_received_ms = now_ms
        self.last_sr_timestamp = ((ntp_sec << 16) + (ntp_frac >> 16)) & _MASK32
        self.last_sender_report_ntp_ms = ntp_to_time_ms(ntp_sec, ntp_frac)
        self.last_sender_report_ts = rtp_ts

    def get_receiver_report(self, now_ms: int, worst_remote_fraction_lost: int = 0) -> ReportBlock:
        """The report block for an RR, closing the report interval.

        ``worst_remote_fraction_lost`` (in-band FEC: the worst fraction our consumers report)
        replaces the local fraction when worse, as mediasoup.
        """
        prev_packets_lost = self.packets_lost
        expected = self.expected_packets
        received = self.packets_received
        self.packets_lost = max(expected - received, 0)

        expected_interval = (expected - self.expected_prior) & _MASK32
        self.expected_prior = expected
        received_interval = received - self.received_prior
        self.received_prior = received
        lost_interval = expected_interval - received_interval
        if expected_interval == 0 or lost_interval <= 0:
            self.fraction_lost = 0
        else:
            # 256 when all were lost: kept to the field's 255.
            self.fraction_lost = min(_round_half_up(lost_interval << 8, expected_interval), 255)

        if worst_remote_fraction_lost <= self.fraction_lost:
            self.reported_packets_lost += self.packets_lost - prev_packets_lost
            fraction_lost = self.fraction_lost
        else:
            self.reported_packets_lost += (worst_remote_fraction_lost * expected_interval) >> 8
            fraction_lost = worst_remote_fraction_lost

        if self.last_sr_received_ms is not None:
            last_sr = self.last_sr_timestamp
            dlsr = dlsr_from_delay_ms(now_ms - self.last_sr_received_ms)
        else:
            last_sr = dlsr = 0

        return ReportBlock(
            ssrc=self.ssrc,
            fraction_lost=fraction_lost,
            total_lost=min(max(self.reported_packets_lost, -0x800000), 0x7FFFFF),
            last_seq=self.extended_max_seq,
            jitter=self.jitter,
            last_sr=last_sr,
            dlsr=dlsr,
        )

    def update_score(
        self, total_repaired: int, total_retransmitted: int, has_rtx: bool, inactive: bool = False
    ) -> int | None:
        """The interval score since the last call (RtpStreamRecv::UpdateScore).

        Feed it to a ``ScoreHistory``. None while ``inactive`` (the interval is skipped).
        """
        total_expected = self.expected_packets
        expected = total_expected - self.expected_prior_score
        self.expected_prior_score = total_expected
        total_received = self.packets_received
        received = total_received - self.received_prior_score
        self.received_prior_score = total_received
        lost = max(expected - received, 0)
        repaired = total_repaired - self.repaired_prior_score
        self.repaired_prior_score = total_repaired
        retransmitted = total_retransmitted - self.retransmitted_prior_score
        self.retransmitted_prior_score = total_retransmitted

        if inactive:
            return None
        if expected <= 0:
            return 10
        lost = min(lost, received)
        if repaired > lost:
            if has_rtx:
                repaired = lost
            else:
                lost = repaired
        return score_from_losses(received, lost, repaired, retransmitted)

    # --- internals ---

    def _init_seq(self, seq: int) -> None:
        # RFC 3550 A.1 init_seq: the counts start over with the stream.
        self.base_seq = seq
        self.max_seq = seq
        self.bad_seq = RTP_SEQ_MOD + 1
        self.cycles = 0
        self.packets_received = 0
        # The reported cumulative loss goes on from where it was; the new count starts at 0.
        self.packets_lost = 0
        self.expected_prior = 0
        self.received_prior = 0
        self.expected_prior_score = 0
        self.received_prior_score = 0
