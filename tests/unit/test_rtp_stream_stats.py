"""Receive-side stream statistics and scores: rows, swept across the seq and timestamp wraps."""

from __future__ import annotations

import pytest

from pymediasoup_worker.core.rtp_stream_stats import (
    MAX_DROPOUT,
    MAX_MISORDER,
    SCORE_HISTOGRAM_LENGTH,
    ReportBlock,
    RtpStreamRecvStats,
    RtpStreamSendScore,
    ScoreHistory,
    compact_ntp,
    dlsr_from_delay_ms,
    ntp_to_time_ms,
    rtt_ms_from_report,
    score_from_losses,
    time_ms_to_ntp,
)

SWEEP_16 = [s & 0xFFFF for s in range(0xFFF0, 0x10010)]
SWEEP_32 = [s & 0xFFFFFFFF for s in range(0xFFFFFFF0, 0x100000010)]
SSRC = 0x11223344


def sweep():
    """(seq start, timestamp start) pairs: both cross their wrap within a row."""
    for i, s in enumerate(SWEEP_16):
        yield s, SWEEP_32[i]


# --- sequence numbers ----------------------------------------------------------------

# Steps: (seq, accepted?, extended max seq, packets expected, packets discarded).
# seq relative to the sweep start s; the extended max seq is s + value, or, after a
# re-sync to seq r, ("resync", r, value): the 16-bit (s + r) plus value, cycles reset.
SEQ_ROWS = {
    "in order": [(0, True, 0, 1, 0), (1, True, 1, 2, 0), (2, True, 2, 3, 0)],
    "a gap": [(0, True, 0, 1, 0), (10, True, 10, 11, 0)],
    "late packet": [(0, True, 0, 1, 0), (10, True, 10, 11, 0), (5, True, 10, 11, 0)],
    "duplicate": [(0, True, 0, 1, 0), (0, True, 0, 1, 0)],
    "largest accepted jump": [(0, True, 0, 1, 0), (MAX_DROPOUT - 1, True, MAX_DROPOUT - 1, MAX_DROPOUT, 0)],
    "too big a jump is discarded": [(0, True, 0, 1, 0), (MAX_DROPOUT, False, 0, 1, 1)],
    "a big jump not followed up": [
        (0, True, 0, 1, 0),
        (5000, False, 0, 1, 1),
        (2, True, 2, 3, 1),
    ],
    "two in a row after a big jump: re-sync": [
        (0, True, 0, 1, 0),
        (1, True, 1, 2, 0),
        (5000, False, 1, 2, 1),
        (5001, True, ("resync", 5001, 0), 1, 1),
        (5002, True, ("resync", 5001, 1), 2, 1),
    ],
    "late by less than the misorder limit": [
        (0, True, 0, 1, 0),
        (2000, True, 2000, 2001, 0),
        (2000 - MAX_MISORDER + 1, True, 2000, 2001, 0),
    ],
    "late by the misorder limit is discarded": [
        (0, True, 0, 1, 0),
        (2000, True, 2000, 2001, 0),
        (2000 - MAX_MISORDER, False, 2000, 2001, 1),
    ],
    "a long run": [(k, True, k, k + 1, 0) for k in range(0, 70000, 1000)],
}  # fmt: skip


@pytest.mark.parametrize("steps", SEQ_ROWS.values(), ids=SEQ_ROWS.keys())
def test_seq_rows_swept(steps):
    for s, t in sweep():
        stats = RtpStreamRecvStats(SSRC, 90000)
        for k, (seq, accepted, ext, expected, discarded) in enumerate(steps):
            got = stats.receive_packet(k * 20, (s + seq) & 0xFFFF, (t + k * 1800) & 0xFFFFFFFF)
            assert got is accepted, (s, seq)
            if isinstance(ext, tuple):
                _, r, value = ext
                assert stats.extended_max_seq == ((s + r) & 0xFFFF) + value
            else:
                assert stats.extended_max_seq == s + ext, (s, seq)
            assert stats.expected_packets == expected
            assert stats.packets_discarded == discarded


def test_first_seq_zero_counts_no_cycle():
    # mediasoup 3.7.12 starts max_seq at seq - 1 as a uint16: 0xFFFF for seq 0, and counts
    # a cycle (65537 expected). Here the first packet is simply the base.
    stats = RtpStreamRecvStats(SSRC, 90000)
    stats.receive_packet(0, 0, 0)
    assert stats.expected_packets == 1 and stats.extended_max_seq == 0 and stats.cycles == 0


def test_rtx_packets_move_the_seq_state_but_count_as_no_media():
    stats = RtpStreamRecvStats(SSRC, 90000)
    stats.receive_packet(0, 100, 0)
    assert stats.receive_rtx_packet(10, 103, 100)
    assert stats.expected_packets == 4 and stats.packets_received == 1
    assert not stats.receive_rtx_packet(20, 9000, 100)
    assert stats.packets_discarded == 1


def test_highest_timestamp_and_when():
    for s, t in sweep():
        stats = RtpStreamRecvStats(SSRC, 90000)
        stats.receive_packet(1000, s, t)
        assert (stats.max_packet_ts, stats.max_packet_ms) == (t, 1000)
        stats.receive_packet(1020, (s + 1) & 0xFFFF, (t + 1800) & 0xFFFFFFFF)
        stats.receive_packet(1040, (s + 2) & 0xFFFF, (t + 900) & 0xFFFFFFFF)  # older ts
        assert (stats.max_packet_ts, stats.max_packet_ms) == ((t + 1800) & 0xFFFFFFFF, 1020)


# --- Receiver Report: loss ---------------------------------------------------------

# Intervals: (seqs received, (fraction lost, total lost, packets lost)), seqs relative.
REPORT_ROWS = {
    "no loss": [(range(10), (0, 0, 0))],
    "two lost of ten": [([0, 1, 2, 5, 6, 7, 8, 9], (51, 2, 2))],
    "three intervals": [
        ([0, 1, 2, 5, 6, 7, 8, 9], (51, 2, 2)),
        (range(10, 20), (0, 2, 2)),
        ([k for k in range(20, 30) if k != 25], (26, 3, 3)),
    ],
    "duplicates are not negative loss": [([0, 1, 1, 2, 3], (0, 0, 0))],
    "a late packet repairs the total": [
        ([0, 1, 3], (64, 1, 1)),
        ([2, 4], (0, 0, 0)),
    ],
    "half rounds up": [([k for k in range(512) if k != 100], (1, 1, 1))],
    "nothing new": [(range(10), (0, 0, 0)), ([], (0, 0, 0))],
}


@pytest.mark.parametrize("intervals", REPORT_ROWS.values(), ids=REPORT_ROWS.keys())
def test_report_rows_swept(intervals):
    for s, t in sweep():
        stats = RtpStreamRecvStats(SSRC, 90000)
        now = 0
        for seqs, (fraction, total, lost) in intervals:
            for k in seqs:
                now += 20
                stats.receive_packet(now, (s + k) & 0xFFFF, (t + k * 1800) & 0xFFFFFFFF)
            block = stats.get_receiver_report(now)
            assert (block.fraction_lost, block.total_lost) == (fraction, total), s
            assert stats.packets_lost == lost and stats.fraction_lost == fraction
            assert block.last_seq == stats.extended_max_seq
            assert block.ssrc == SSRC


def test_fraction_lost_when_all_were_lost_is_255():
    # Possible when only RTX-recovered packets moved the highest seq; mediasoup's uint8
    # wraps 256 to 0 there.
    stats = RtpStreamRecvStats(SSRC, 90000)
    stats.receive_packet(0, 0, 0)
    for seq in range(1, 5):
        stats.receive_rtx_packet(0, seq, 0)
    assert stats.get_receiver_report(0).fraction_lost == 205  # 4 of 5: 204.8
    for seq in range(5, 10):
        stats.receive_rtx_packet(0, seq, 0)
    assert stats.get_receiver_report(0).fraction_lost == 255


def test_worst_remote_fraction_lost_replaces_a_better_local_one():
    stats = RtpStreamRecvStats(SSRC, 90000)
    for k in range(10):
        stats.receive_packet(k, k, k)
    block = stats.get_receiver_report(10, worst_remote_fraction_lost=50)
    assert (block.fraction_lost, block.total_lost) == (50, (50 * 10) >> 8)
    for k in range(10, 20):
        stats.receive_packet(k, k, k)
    block = stats.get_receiver_report(20, worst_remote_fraction_lost=0)
    assert (block.fraction_lost, block.total_lost) == (0, 1)


def test_total_lost_is_clamped_to_24_bits():
    stats = RtpStreamRecvStats(SSRC, 90000)
    stats.reported_packets_lost = 0x900000
    assert stats.get_receiver_report(0).total_lost == 0x7FFFFF
    stats.reported_packets_lost = -0x900000
    assert stats.get_receiver_report(0).total_lost == -0x800000


def test_resync_starts_the_counts_over():
    stats = RtpStreamRecvStats(SSRC, 90000)
    for seq in (0, 1, 5):
        stats.receive_packet(0, seq, 0)
    assert stats.get_receiver_report(0).total_lost == 3
    stats.receive_packet(0, 30000, 0)
    stats.receive_packet(0, 30001, 0)  # re-sync: the sender restarted
    assert (stats.expected_packets, stats.packets_received) == (1, 1)
    for seq in (30002, 30004):
        stats.receive_packet(0, seq, 0)
    block = stats.get_receiver_report(0)
    assert (block.total_lost, block.last_seq) == (4, 30004)


# --- Receiver Report: LSR and DLSR -------------------------------------------------


def test_report_without_sender_report():
    stats = RtpStreamRecvStats(SSRC, 90000)
    stats.receive_packet(0, 1, 1)
    block = stats.get_receiver_report(5000)
    assert (block.last_sr, block.dlsr) == (0, 0)


@pytest.mark.parametrize("sr_at", [0, 1000, 2**40])
def test_report_after_sender_report(sr_at):
    stats = RtpStreamRecvStats(SSRC, 90000)
    stats.receive_sender_report(sr_at, 0x12345678, 0x9ABCDEF0, 0xCAFEBABE)
    assert stats.last_sender_report_ts == 0xCAFEBABE
    assert stats.last_sender_report_ntp_ms == ntp_to_time_ms(0x12345678, 0x9ABCDEF0)
    stats.receive_packet(sr_at, 1, 1)
    block = stats.get_receiver_report(sr_at + 500)
    assert block == ReportBlock(SSRC, 0, 0, 1, 0, 0x56789ABC, 0x8000)
    assert stats.get_receiver_report(sr_at + 2250).dlsr == 0x24000


# (delay ms, DLSR)
@pytest.mark.parametrize(
    "delay, dlsr",
    [(0, 0), (1, 65), (500, 0x8000), (1000, 0x10000), (2250, 0x24000), (65_535_999, 0xFFFFFFBE)],
)
def test_dlsr_from_delay_ms(delay, dlsr):
    assert dlsr_from_delay_ms(delay) == dlsr


# --- jitter ----------------------------------------------------------------------------

# (clock rate, [(arrival ms, timestamp)], jitter after each, in timestamp units)
JITTER_ROWS = {
    "steady": (90000, [(0, 0), (20, 1800), (40, 3600), (60, 5400)], [0, 0, 0, 0]),
    "one late then back": (90000, [(0, 0), (20, 1800), (40, 4500), (60, 5400)], [0, 0, 56, 109]),
    "audio 48 kHz, 2 ms late": (48000, [(0, 0), (20, 960), (42, 1920)], [0, 0, 6]),
    "no clock rate: no jitter": (0, [(0, 0), (20, 1800), (90, 3600)], [0, 0, 0]),
}


@pytest.mark.parametrize(
    "clock_rate, packets, jitters", JITTER_ROWS.values(), ids=JITTER_ROWS.keys()
)
def test_jitter_rows_swept(clock_rate, packets, jitters):
    for s, t in sweep():
        stats = RtpStreamRecvStats(SSRC, clock_rate)
        for k, ((now, ts), jitter) in enumerate(zip(packets, jitters, strict=True)):
            stats.receive_packet(now, (s + k) & 0xFFFF, (t + ts) & 0xFFFFFFFF)
            assert stats.jitter == jitter, (s, t, k)


@pytest.mark.parametrize("t0", [0, 0xFFFFF000, 0xFFFFFFFF])
def test_jitter_follows_rfc_3550_float_formula(t0):
    # Arrivals wobble around a 20 ms cadence; the integer jitter tracks the float one.
    stats = RtpStreamRecvStats(SSRC, 90000)
    wobble = [0, 3, -2, 7, 1, -5, 0, 12, -1, 4]
    reference = 0.0
    previous = None
    for k in range(500):
        now = 1000 + k * 20 + wobble[k % len(wobble)]
        ts = (t0 + k * 1800) & 0xFFFFFFFF
        stats.receive_packet(now, k, ts)
        transit = now * 90 - (t0 + k * 1800)
        if previous is not None:
            reference += (abs(transit - previous) - reference) / 16
        previous = transit
        assert abs(stats.jitter - reference) <= 1.5
    assert stats.jitter > 0


def test_reset_jitter():
    stats = RtpStreamRecvStats(SSRC, 90000)
    for k, (now, ts) in enumerate([(0, 0), (20, 1800), (40, 4500)]):
        stats.receive_packet(now, k, ts)
    assert stats.jitter == 56
    stats.reset_jitter()
    assert stats.jitter == 0
    stats.receive_packet(5000, 3, 9000)  # first transit after the reset: no jitter
    assert stats.jitter == 0


# --- NTP and RTT -------------------------------------------------------------------


@pytest.mark.parametrize(
    "ms, ntp",
    [(0, (0, 0)), (1500, (1, 1 << 31)), (1001, (1, 4294967)), (10_000, (10, 0))],
)
def test_time_ms_to_ntp(ms, ntp):
    assert time_ms_to_ntp(ms) == ntp


def test_ntp_round_trip():
    for ms in range(0, 5000, 7):
        assert ntp_to_time_ms(*time_ms_to_ntp(ms)) == ms


@pytest.mark.parametrize(
    "ms, compact", [(0, 0), (1500, 0x18000), (10_000, 0xA0000), (65_536_000 + 500, 0x8000)]
)
def test_compact_ntp(ms, compact):
    assert compact_ntp(ms) == compact


# (now ms, LSR, DLSR, RTT ms)
RTT_ROWS = [
    (10_000, 0x90000, 0x8000, 500.0),
    (10_000, 0x90000, 0x10000, 0.0),  # exactly now: no RTT
    (10_000, 0xA0000, 1, 0.0),  # after now
    (10_000, 0, 0x8000, 0.0),  # no SR received by the peer
    (10_000, 0x90000, 0, 0.0),
    (10_000, 0x98000, 0x4000, 250.0),
    # Across the compact NTP wrap (mediasoup 3.7.12 gives 0 here).
    (65_536_000 + 100, 0xFFFF0000, 0x8000, (6553 + 0x8000) / 65536 * 1000),
]


@pytest.mark.parametrize("now, lsr, dlsr, rtt", RTT_ROWS)
def test_rtt_from_report(now, lsr, dlsr, rtt):
    assert rtt_ms_from_report(now, lsr, dlsr) == pytest.approx(rtt)


# --- scores ------------------------------------------------------------------------

# (total, lost, repaired, retransmitted, score)
SCORE_ROWS = [
    (100, 0, 0, 0, 10),
    (100, 10, 0, 0, 7),  # 0.9**4 * 10 = 6.56
    (100, 13, 0, 0, 6),
    (100, 16, 0, 0, 5),  # 4.98
    (100, 50, 0, 0, 1),  # 0.625
    (100, 100, 0, 0, 0),
    (1000, 1, 0, 0, 10),
    (10, 1, 0, 0, 7),
    (100, 10, 10, 10, 9),  # repaired weigh (1/1.1)**4: 3 still count as lost
    (100, 10, 10, 20, 8),  # twice the retransmissions: half the weight
    (100, 10, 5, 5, 8),
    (0, 0, 0, 0, 0),
    # Single-precision ratios, as mediasoup: 85.9999988 lost truncates to 85, not 86.
    (162, 94, 81, 162, 1),
    (240, 81, 80, 81, 4),
]


@pytest.mark.parametrize("total, lost, repaired, retransmitted, score", SCORE_ROWS)
def test_score_from_losses(total, lost, repaired, retransmitted, score):
    assert score_from_losses(total, lost, repaired, retransmitted) == score


# (initial score, interval scores, effective score after each, changed? after each)
HISTORY_ROWS = [
    (0, [1, 2, 3, 4], [1, 2, 2, 3], [True, True, False, True]),
    (10, [10, 10], [10, 10], [False, False]),
    (10, [10, 0], [10, 3], [False, True]),
    (10, [0, 10], [0, 7], [True, True]),
    (10, [1, 1, 0], [1, 1, 1], [True, False, False]),  # 3/6 = 0.5 rounds up
    (10, [0] * 30, [0] * 30, [True] + [False] * 29),
]


@pytest.mark.parametrize("initial, scores, effective, changed", HISTORY_ROWS)
def test_score_history(initial, scores, effective, changed):
    history = ScoreHistory(initial)
    for score, expected, expected_changed in zip(scores, effective, changed, strict=True):
        assert history.update(score) is expected_changed
        assert history.score == expected
        assert len(history.scores) <= SCORE_HISTOGRAM_LENGTH


def test_score_history_keeps_the_last_24():
    history = ScoreHistory(10)
    for _ in range(SCORE_HISTOGRAM_LENGTH):
        history.update(0)
    history.update(10)
    assert len(history.scores) == SCORE_HISTOGRAM_LENGTH
    # Weights 1..23 on 0, 24 on 10: 240 / 300.
    assert history.score == 1
    for _ in range(SCORE_HISTOGRAM_LENGTH):
        history.update(10)
    assert history.score == 10 and history.scores == [10] * SCORE_HISTOGRAM_LENGTH


def test_score_history_reset():
    history = ScoreHistory(10)
    history.update(0)
    assert history.reset(10) is True and history.scores == [] and history.score == 10
    assert history.reset(10) is False


# Intervals: (seqs received as media, total repaired, total retransmitted, has RTX,
# inactive, interval score or None)
RECV_SCORE_ROWS = {
    "nothing expected": [([], 0, 0, False, False, 10)],
    "all received": [(range(10), 0, 0, False, False, 10)],
    "one of ten lost": [([k for k in range(10) if k != 4], 0, 0, False, False, 6)],
    "repaired by a plain retransmission": [(range(10), 1, 1, False, False, 10)],
    "repaired through RTX": [([k for k in range(10) if k != 4], 1, 1, True, False, 10)],
    "inactive: skipped, priors still move": [
        ([k for k in range(10) if k != 4], 0, 0, False, True, None),
        (range(10, 20), 0, 0, False, False, 10),
    ],
    "intervals are separate": [
        ([k for k in range(10) if k != 4], 0, 0, False, False, 6),
        (range(10, 20), 0, 0, False, False, 10),
    ],
}


@pytest.mark.parametrize("intervals", RECV_SCORE_ROWS.values(), ids=RECV_SCORE_ROWS.keys())
def test_recv_interval_score_swept(intervals):
    for s, t in sweep():
        stats = RtpStreamRecvStats(SSRC, 90000)
        for seqs, repaired, retransmitted, has_rtx, inactive, score in intervals:
            for k in seqs:
                stats.receive_packet(k * 20, (s + k) & 0xFFFF, (t + k * 1800) & 0xFFFFFFFF)
            assert stats.update_score(repaired, retransmitted, has_rtx, inactive) == score


# RRs: (total sent, total lost in the RR, total repaired, total retransmitted, score)
SEND_SCORE_ROWS = [
    [(0, 0, 0, 0, 10)],
    [(100, 0, 0, 0, 10), (200, 10, 0, 0, 7), (300, 5, 0, 0, 10), (400, 15, 5, 5, 8)],
    [(100, -3, 0, 0, 10)],  # a negative total lost counts as none
    [(100, 500, 0, 0, 0)],  # more lost than sent: all of them
    [(100, 10, 20, 20, 8)],  # repairs beyond the loss are capped at it
    [(100, 10, 0, 0, 7), (100, 10, 0, 0, 10)],  # nothing sent since
]


@pytest.mark.parametrize("reports", SEND_SCORE_ROWS)
def test_send_interval_score(reports):
    score = RtpStreamSendScore()
    for sent, lost, repaired, retransmitted, expected in reports:
        assert score.update(sent, lost, repaired, retransmitted) == expected
