"""RtpStreamSend: sending, NACK answers (with and without RTX), RR, SR, across the wraps."""

from __future__ import annotations

import pytest

from pymediasoup_worker.core.rtp.packet import RtpPacket
from pymediasoup_worker.core.rtp.rtcp.rr import ReceiverReport
from pymediasoup_worker.core.rtp.rtcp.sdes import CNAME
from pymediasoup_worker.core.rtp_stream import RtpStreamParams
from pymediasoup_worker.core.rtp_stream_send import NACK_BUFFER_SIZE, RtpStreamSend
from pymediasoup_worker.core.rtp_stream_stats import compact_ntp, time_ms_to_ntp

START_SEQS = [0, 0x7FFF, 0xFFF0, 0xFFFF]
START_TSS = [0, 0xFFFFFFFF - 9000, 0xFFFFFFFF]
T0 = 200_000


def make_stream(rtx: bool = True, nack: bool = True) -> RtpStreamSend:
    params = RtpStreamParams(
        ssrc=5000, payload_type=101, mime_type="video/VP8", clock_rate=90000, cname="cn",
        use_nack=nack, use_pli=True,
    )  # fmt: skip
    stream = RtpStreamSend(params, NACK_BUFFER_SIZE if nack else 0, T0)
    if rtx:
        stream.set_rtx(102, 5001)
    return stream


def packet(seq: int, ts: int) -> RtpPacket:
    return RtpPacket.create(
        101, seq & 0xFFFF, ts & 0xFFFFFFFF, 5000, seq.to_bytes(4, "big") * 50,
        extensions=[(1, b"0")],
    )  # fmt: skip


def send(stream: RtpStreamSend, start_seq: int, start_ts: int, count: int, now: int) -> None:
    for i in range(count):
        stream.receive_packet(packet(start_seq + i, start_ts + i * 3000), now + i)


@pytest.mark.parametrize("start_ts", START_TSS)
@pytest.mark.parametrize("start_seq", START_SEQS)
def test_nack_is_answered_with_rtx_across_wraps(start_seq: int, start_ts: int) -> None:
    stream = make_stream()
    send(stream, start_seq, start_ts, 30, T0)
    now = T0 + 100
    first_rtx_seq = stream.rtx_seq
    pid = (start_seq + 10) & 0xFFFF
    resent = stream.receive_nack([(pid, 0b101)], now)  # pid, pid+1, pid+3
    wanted = [(start_seq + i) & 0xFFFF for i in (10, 11, 13)]
    assert len(resent) == 3
    for n, (p, osn) in enumerate(zip(resent, wanted, strict=True)):
        assert p.ssrc == 5001 and p.payload_type == 102
        assert p.sequence_number == (first_rtx_seq + 1 + n) & 0xFFFF
        assert int.from_bytes(p.payload[:2], "big") == osn
        assert p.payload[2:6] == (start_seq + [10, 11, 13][n]).to_bytes(4, "big")
        assert p.timestamp == (start_ts + [10, 11, 13][n] * 3000) & 0xFFFFFFFF
    assert stream.nack_count == 1 and stream.nack_packet_count == 3
    assert stream.packets_retransmitted == 3 and stream.packets_repaired == 3
    # Within an RTT (100 ms by default) the same packets are not resent.
    assert stream.receive_nack([(pid, 0)], now + 50) == []
    # After it they are, with a new RTX seq, and no longer count as repaired.
    again = stream.receive_nack([(pid, 0)], now + 200)
    assert len(again) == 1 and again[0].sequence_number == (first_rtx_seq + 4) & 0xFFFF
    assert int.from_bytes(again[0].payload[:2], "big") == wanted[0]
    assert stream.packets_retransmitted == 4 and stream.packets_repaired == 3
    assert stream.nack_count == 3


def test_without_rtx_the_packet_itself_is_resent() -> None:
    stream = make_stream(rtx=False)
    send(stream, 100, 0, 5, T0)
    (p,) = stream.receive_nack([(102, 0)], T0 + 50)
    assert p.ssrc == 5000 and p.sequence_number == 102 and p.payload_type == 101
    assert p.get_extension(1) == b"0"


def test_unknown_or_unbuffered_seqs_and_streams_without_nack() -> None:
    stream = make_stream()
    send(stream, 100, 0, 5, T0)
    assert stream.receive_nack([(50, 0)], T0 + 10) == []
    no_nack = make_stream(rtx=False, nack=False)
    send(no_nack, 100, 0, 5, T0)
    assert no_nack.receive_nack([(101, 0)], T0 + 10) == []
    assert no_nack.nack_count == 1 and no_nack.nack_packet_count == 1


def test_pause_clears_the_buffer() -> None:
    stream = make_stream()
    send(stream, 100, 0, 5, T0)
    stream.pause()
    assert stream.receive_nack([(101, 0)], T0 + 10) == []


@pytest.mark.parametrize("start_ts", START_TSS)
def test_sender_report_maps_ntp_to_rtp_time(start_ts: int) -> None:
    stream = make_stream()
    assert stream.get_rtcp_sender_report(T0) is None  # nothing sent yet
    send(stream, 0, start_ts, 4, T0)  # last: ts start+9000 at T0+3
    now = T0 + 1003
    sr = stream.get_rtcp_sender_report(now)
    assert sr is not None
    assert (sr.ntp_sec, sr.ntp_frac) == time_ms_to_ntp(now)
    assert sr.rtp_ts == (start_ts + 9000 + 90000) & 0xFFFFFFFF
    assert sr.packet_count == 4
    assert sr.octet_count == 4 * len(packet(0, 0).buffer)
    assert sr.ssrc == 5000
    chunk = stream.get_rtcp_sdes_chunk()
    assert chunk.ssrc == 5000 and chunk.items == [(CNAME, b"cn")]


def test_timestamp_going_back_does_not_move_the_sr_mapping() -> None:
    stream = make_stream()
    stream.receive_packet(packet(1, 90000), T0)
    stream.receive_packet(packet(2, 80000), T0 + 500)  # reordered frame
    sr = stream.get_rtcp_sender_report(T0 + 1000)
    assert sr is not None and sr.rtp_ts == 90000 + 90000


def test_receiver_report_updates_loss_rtt_and_score() -> None:
    stream = make_stream()
    send(stream, 0, 0, 100, T0)
    now = T0 + 1000
    last_sr = compact_ntp(now - 300)
    report = ReceiverReport(5000, 64, 25, 99, 10, last_sr, 65536 // 10)
    assert stream.receive_rtcp_receiver_report(report, now)  # the score changed
    assert stream.fraction_lost == 64 and stream.packets_lost == 25
    assert stream.has_rtt and 195 < stream.rtt < 205
    assert stream.score < 10
    stats = stream.fill_json_stats(now)
    assert stats["type"] == "outbound-rtp" and stats["roundTripTime"] == stream.rtt
    assert stats["packetCount"] == 100 and stats["score"] == stream.score
    # No packet since: the interval scores 10, the (weighted) score climbs back.
    before = stream.score
    stream.receive_rtcp_receiver_report(ReceiverReport(5000, 0, 25, 99, 10, 0, 0), now + 1000)
    assert stream.score >= before


def test_bitrate_and_counters_flush_pending_bytes() -> None:
    stream = make_stream()
    size = len(packet(0, 0).buffer)
    send(stream, 0, 0, 3, T0)  # three different ms
    stream.receive_packet(packet(3, 9000), T0 + 2)  # same ms as the third
    assert stream.byte_count == 4 * size
    assert stream.get_bitrate(T0 + 10) == round(4 * size * 8000 / 2500)
