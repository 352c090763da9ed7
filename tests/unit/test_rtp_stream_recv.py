"""RtpStreamRecv: rows of packets on a fake clock, swept across the seq and timestamp wraps."""

from __future__ import annotations

from typing import Any

import pytest

from pymediasoup_worker.core.rtp.packet import RtpPacket
from pymediasoup_worker.core.rtp.rtcp.fir import FeedbackPsFirPacket
from pymediasoup_worker.core.rtp.rtcp.nack import FeedbackRtpNackPacket
from pymediasoup_worker.core.rtp.rtcp.pli import FeedbackPsPliPacket
from pymediasoup_worker.core.rtp.rtcp.sr import SenderReportPacket
from pymediasoup_worker.core.rtp_stream import RtpStreamParams
from pymediasoup_worker.core.rtp_stream_recv import (
    INACTIVITY_CHECK_INTERVAL,
    INACTIVITY_CHECK_INTERVAL_WITH_DTX,
    RtpStreamRecv,
)
from pymediasoup_worker.core.rtp_stream_stats import time_ms_to_ntp

from .media_harness import vp8_payload

START_SEQS = [0, 1, 0x7FFF, 0xFFF0, 0xFFFE, 0xFFFF]
START_TSS = [0, 0xFFFFFFFF - 5000, 0xFFFFFFFF]
T0 = 50_000


class Listener:
    def __init__(self) -> None:
        self.scores: list[tuple[int, int]] = []
        self.rtcp: list[Any] = []
        self.deadlines = 0
        self.worst = 0

    def on_rtp_stream_score(self, rtp_stream: Any, score: int, previous_score: int) -> None:
        self.scores.append((score, previous_score))

    def on_rtp_stream_send_rtcp_packet(self, rtp_stream: Any, packet: Any) -> None:
        self.rtcp.append(packet)

    def on_rtp_stream_need_worst_remote_fraction_lost(self, rtp_stream: Any) -> int:
        return self.worst

    def on_rtp_stream_deadline(self, rtp_stream: Any) -> None:
        self.deadlines += 1


def make_stream(
    *, nack: bool = True, pli: bool = True, fir: bool = False, dtx: bool = False,
    rtx: bool = True, mime: str = "video/VP8", layers: tuple[int, int] = (1, 1),
    fec: bool = False,
) -> tuple[RtpStreamRecv, Listener]:  # fmt: skip
    listener = Listener()
    params = RtpStreamParams(
        ssrc=1000, payload_type=96, mime_type=mime, clock_rate=90000, cname="c",
        use_nack=nack, use_pli=pli, use_fir=fir, use_dtx=dtx, use_in_band_fec=fec,
        spatial_layers=layers[0], temporal_layers=layers[1],
    )  # fmt: skip
    stream = RtpStreamRecv(listener, params, T0)
    if rtx:
        stream.set_rtx(97, 1001)
    return stream, listener


def packet(seq: int, ts: int, key: bool = False, ssrc: int = 1000, pt: int = 96) -> RtpPacket:
    return RtpPacket.create(pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc, vp8_payload(key, seq))


def rtx_of(original: RtpPacket, rtx_seq: int) -> RtpPacket:
    payload = original.sequence_number.to_bytes(2, "big") + original.payload
    return RtpPacket.create(97, rtx_seq & 0xFFFF, original.timestamp, 1001, payload)


@pytest.mark.parametrize("start_ts", START_TSS)
@pytest.mark.parametrize("start_seq", START_SEQS)
def test_gap_is_nacked_and_repaired_by_rtx_across_wraps(start_seq: int, start_ts: int) -> None:
    stream, listener = make_stream()
    now = T0
    sent = {}
    for i in range(20):
        p = packet(start_seq + i, start_ts + i * 3000, key=i == 0)
        sent[i] = p.clone()
        if i in (5, 6, 12):
            continue  # lost
        assert stream.receive_packet(p, now)
        now += 10
    nacks = [p for p in listener.rtcp if isinstance(p, FeedbackRtpNackPacket)]
    lost = [(start_seq + i) & 0xFFFF for i in (5, 6, 12)]
    assert [s for n in nacks for s in n.sequence_numbers()] == lost
    assert all(n.media_ssrc == 1000 for n in nacks)
    assert stream.nack_count == 2 and stream.nack_packet_count == 3
    assert listener.deadlines >= 1
    # A NACK is repeated on the timer while the packet is missing (after an RTT).
    deadline = stream.next_deadline()
    assert deadline is not None and deadline <= now + 40
    listener.rtcp.clear()
    stream.on_timer(now + 200)
    again = [s for n in listener.rtcp for s in n.sequence_numbers()]
    assert again == lost
    # RTX repairs: decoded in place into the original packet.
    repaired = rtx_of(sent[5], 500)
    assert stream.receive_rtx_packet(repaired, now + 210)
    assert repaired.ssrc == 1000 and repaired.payload_type == 96
    assert repaired.sequence_number == lost[0]
    # The same payload, its VP8 picture id widened to two bytes (as every VP8 packet).
    assert repaired.payload[4:] == sent[5].payload[3:]
    assert stream.packets_retransmitted == 1 and stream.packets_repaired == 1
    # The same again is not a repair (no longer pending).
    assert not stream.receive_rtx_packet(rtx_of(sent[5], 501), now + 220)
    assert stream.packets_retransmitted == 2 and stream.packets_repaired == 1
    # The receiver report counts media packets only: the one repaired through RTX (its
    # own SSRC) stays lost there, as mediasoup.
    report = stream.get_rtcp_receiver_report(now + 300)
    assert report.ssrc == 1000
    assert report.last_seq == start_seq + 19  # extended: cycles counted across the wrap
    assert report.total_lost == 3
    stats = stream.fill_json_stats(now + 300)
    assert stats["packetCount"] == 18  # 17 media + 1 repaired
    assert stats["packetsLost"] == 3 and stats["type"] == "inbound-rtp"
    rtx_report = stream.get_rtx_rtcp_receiver_report(now + 300)
    assert rtx_report is not None and rtx_report.ssrc == 1001


def test_rtx_with_wrong_payload_type_or_padding_only_is_ignored() -> None:
    stream, _ = make_stream()
    stream.receive_packet(packet(10, 0, key=True), T0)
    stream.receive_packet(packet(12, 3000), T0 + 1)
    bad = rtx_of(packet(11, 1500), 1)
    bad.set_payload_type(98)
    assert not stream.receive_rtx_packet(bad, T0 + 2)
    probe = RtpPacket.create(97, 2, 0, 1001, b"", padding_length=200)
    assert not stream.receive_rtx_packet(probe, T0 + 3)
    assert stream.packets_retransmitted == 0


def test_without_rtx_a_late_nacked_packet_counts_as_repaired() -> None:
    stream, _ = make_stream(rtx=False)
    for seq in (1, 2, 4):
        stream.receive_packet(packet(seq, seq * 3000), T0)
    assert stream.receive_packet(packet(3, 9000), T0 + 5)
    assert stream.packets_retransmitted == 1 and stream.packets_repaired == 1


@pytest.mark.parametrize(
    ("dtx", "interval"),
    [(False, INACTIVITY_CHECK_INTERVAL), (True, INACTIVITY_CHECK_INTERVAL_WITH_DTX)],
)
def test_inactivity_drops_the_score_to_zero_and_media_brings_it_back(
    dtx: bool, interval: int
) -> None:
    stream, listener = make_stream(dtx=dtx)
    stream.receive_packet(packet(1, 0), T0 + 100)
    assert stream.next_deadline() == T0 + 100 + interval
    stream.on_timer(T0 + 100 + interval - 1)
    assert stream.score == 10 and listener.scores == []
    stream.on_timer(T0 + 100 + interval)
    assert stream.score == 0 and listener.scores == [(0, 10)]
    assert stream.next_deadline() is None  # nothing more to check while inactive
    stream.receive_packet(packet(2, 3000), T0 + 10_000)
    assert stream.score == 10 and listener.scores == [(0, 10), (10, 0)]
    assert stream.active_since_ms == T0 + 10_000


def test_pause_stops_the_inactivity_check_and_forgets_nacks() -> None:
    stream, listener = make_stream()
    stream.receive_packet(packet(1, 0), T0)
    stream.receive_packet(packet(5, 3000), T0)
    assert len(stream.nack_generator) == 3  # type: ignore[arg-type]
    stream.pause()
    assert stream.next_deadline() is None
    assert len(stream.nack_generator) == 0  # type: ignore[arg-type]
    stream.on_timer(T0 + 100_000)
    assert stream.score == 10
    stream.resume(T0 + 100_000)
    assert stream.next_deadline() == T0 + 100_000 + INACTIVITY_CHECK_INTERVAL


@pytest.mark.parametrize(
    ("pli", "fir", "expected"),
    [(True, True, FeedbackPsPliPacket), (False, True, FeedbackPsFirPacket), (False, False, None)],
)
def test_key_frame_request_uses_pli_else_fir(pli: bool, fir: bool, expected: Any) -> None:
    stream, listener = make_stream(pli=pli, fir=fir)
    stream.request_key_frame()
    stream.request_key_frame()
    if expected is None:
        assert listener.rtcp == []
        return
    assert [type(p) for p in listener.rtcp] == [expected, expected]
    first = listener.rtcp[0]
    assert first.media_ssrc == 1000 and first.sender_ssrc == 1000
    if expected is FeedbackPsFirPacket:
        assert [p.items for p in listener.rtcp] == [[(1000, 1)], [(1000, 2)]]
        assert stream.fir_count == 2
    else:
        assert stream.pli_count == 2


def test_key_frames_are_detected_by_codec() -> None:
    stream, _ = make_stream()
    key = packet(1, 0, key=True)
    delta = packet(2, 3000)
    stream.receive_packet(key, T0)
    stream.receive_packet(delta, T0)
    assert key.is_key_frame and not delta.is_key_frame
    assert key.payload_descriptor is not None
    audio, _ = make_stream(mime="audio/opus", nack=False, rtx=False)
    p = packet(1, 0, key=True)
    audio.receive_packet(p, T0)
    assert not p.is_key_frame and p.payload_descriptor is None


def test_score_is_updated_with_each_receiver_report() -> None:
    stream, listener = make_stream(nack=False, rtx=False)
    seq = 0
    now = T0
    for _interval in range(3):
        for i in range(100):
            seq += 1
            if i % 2:
                continue  # half lost
            stream.receive_packet(packet(seq, seq * 3000), now)
        now += 1000
        stream.get_rtcp_receiver_report(now)
    assert stream.score < 10
    assert listener.scores and listener.scores[-1][0] == stream.score
    assert stream.fraction_lost == 128


def test_sender_report_gives_lsr_and_dlsr_and_the_ntp_ms() -> None:
    stream, _ = make_stream()
    stream.receive_packet(packet(1, 0), T0)
    ntp_sec, ntp_frac = time_ms_to_ntp(77_000)
    sr = SenderReportPacket(1000, ntp_sec, ntp_frac, 123456, 10, 1000)
    stream.receive_rtcp_sender_report(sr, T0 + 10)
    assert stream.get_sender_report_ntp_ms() == 77_000
    assert stream.get_sender_report_ts() == 123456
    report = stream.get_rtcp_receiver_report(T0 + 1010)
    assert report.last_sender_report == ((ntp_sec & 0xFFFF) << 16) | (ntp_frac >> 16)
    assert report.delay_since_last_sender_report == 65536  # one second


def test_xr_dlrr_sets_the_rtt() -> None:
    stream, _ = make_stream()
    now = 300_000
    from pymediasoup_worker.core.rtp_stream_stats import compact_ntp

    last_rr = compact_ntp(now - 250)
    stream.receive_rtcp_xr_delay_since_last_rr(last_rr, 65536 // 10, now)  # 100 ms held
    assert stream.has_rtt and 145 < stream.rtt < 155
    assert stream.nack_generator is not None and 145 <= stream.nack_generator.rtt <= 155


def test_in_band_fec_takes_the_worst_remote_fraction_lost() -> None:
    stream, listener = make_stream(mime="audio/opus", nack=False, rtx=False, fec=True)
    for seq in range(10):
        stream.receive_packet(packet(seq, seq * 960), T0)
    listener.worst = 77
    assert stream.get_rtcp_receiver_report(T0 + 1000).fraction_lost == 77


def test_layered_stream_reports_bitrate_by_layer() -> None:
    stream, _ = make_stream(layers=(1, 3))
    stream.receive_packet(packet(1, 0, key=True), T0)
    stats = stream.fill_json_stats(T0 + 10)
    assert set(stats["bitrateByLayer"]) == {"0.0", "0.1", "0.2"}
    assert stats["bitrateByLayer"]["0.0"] > 0
    for key in ("jitter", "packetCount", "byteCount", "bitrate", "score", "rtxSsrc"):
        assert key in stats
