"""The media path, Producer → Router → Consumers, on the harness (no transport, fake clock).

Packets go in as the Transport would hand them over (parsed, the endpoint's ids) and the
test reads what each Consumer gave its transport: SSRC, payload type, sequence
continuity, MID, extensions; plus RTCP out of the Producer and scores/events.
"""

from __future__ import annotations

from typing import Any

import pytest

from pymediasoup_worker.core.rtp.header_extensions import MID, SSRC_AUDIO_LEVEL
from pymediasoup_worker.core.rtp.packet import RtpPacket
from pymediasoup_worker.core.rtp.rtcp.compound import CompoundPacket
from pymediasoup_worker.core.rtp.rtcp.nack import FeedbackRtpNackPacket
from pymediasoup_worker.core.rtp.rtcp.pli import FeedbackPsPliPacket
from pymediasoup_worker.core.rtp.rtcp.rr import ReceiverReport
from pymediasoup_worker.core.rtp.rtcp.sdes import SdesPacket
from pymediasoup_worker.core.rtp.rtcp.sr import SenderReportPacket
from pymediasoup_worker.core.rtp.rtcp.xr import ExtendedReportPacket, ReceiverReferenceTime
from pymediasoup_worker.rtc.audio_level_observer import AudioLevelObserver
from pymediasoup_worker.rtc.producer import ReceiveRtpPacketResult

from .media_harness import (
    AUDIO_PRODUCER,
    Harness,
    audio_consumer,
    opus_packet,
    rtx_packet,
    video_consumer,
    video_producer,
    vp8_packet,
)

START_SEQS = [0, 1, 0x7FFF, 0xFFF0, 0xFFFE, 0xFFFF]
START_TSS = [0, 0xFFFFFFFF - 960 * 3, 0xFFFFFFFF]


class Req:
    """A channel request stand-in: records the accept."""

    def __init__(self, method: str, data: dict[str, Any] | None = None) -> None:
        self.method = method
        self.data = data or {}
        self.internal: dict[str, Any] = {}
        self.accepted: Any = "no"

    def accept(self, data: Any = None) -> None:
        self.accepted = data


def call(target: Any, method: str, data: dict[str, Any] | None = None) -> Any:
    request = Req(method, data)
    target.handle_request(request)
    return request.accepted


def seqs(packets: list[Any]) -> list[int]:
    return [p.sequence_number for p in packets]


def continuous(values: list[int]) -> bool:
    return all((b - a) & 0xFFFF == 1 for a, b in zip(values, values[1:], strict=False))


@pytest.mark.parametrize("start_ts", START_TSS)
@pytest.mark.parametrize("start_seq", START_SEQS)
def test_audio_is_forwarded_rewritten_and_restored(start_seq: int, start_ts: int) -> None:
    h = Harness()
    producer = h.produce(AUDIO_PRODUCER)
    a = h.consume(producer, audio_consumer(ssrc=7001, mid="0"))
    b = h.consume(producer, audio_consumer(ssrc=7002, mid="abcdefgh"))
    for i in range(10):
        p = opus_packet(start_seq + i & 0xFFFF, start_ts + i * 960 & 0xFFFFFFFF, level=20 + i)
        assert producer.receive_rtp_packet(p) is ReceiveRtpPacketResult.MEDIA
        # Restored after each consumer: the Router's (mapped) view of the packet.
        assert p.ssrc == 5555 and p.payload_type == 100
        assert p.sequence_number == start_seq + i & 0xFFFF
    for consumer, ssrc, mid in ((a, 7001, b"0"), (b, 7002, b"abcdefgh")):
        out = h.transport.sent_by(consumer)
        assert len(out) == 10
        assert {p.ssrc for p in out} == {ssrc}
        assert {p.payload_type for p in out} == {100}
        assert seqs(out)[0] == 1 and continuous(seqs(out))
        # Timestamps are kept as the Producer sent them.
        assert [p.timestamp for p in out] == [start_ts + i * 960 & 0xFFFFFFFF for i in range(10)]
        assert {p.get_extension(MID) for p in out} == {mid}
        # The audio level moved to the Router's id; other extensions are gone.
        assert [p.read_ssrc_audio_level(SSRC_AUDIO_LEVEL) for p in out] == [
            (20 + i, True) for i in range(10)
        ]
        assert all(sorted(dict(p.get_extensions())) == [MID, SSRC_AUDIO_LEVEL] for p in out)
    stats = producer.get_stats()
    assert stats[0]["packetCount"] == 10 and stats[0]["type"] == "inbound-rtp"
    assert a.get_stats()[0]["packetCount"] == 10


@pytest.mark.parametrize("start_seq", START_SEQS)
def test_pause_resume_keeps_output_seqs_continuous(start_seq: int) -> None:
    h = Harness()
    producer = h.produce(AUDIO_PRODUCER)
    consumer = h.consume(producer, audio_consumer())
    seq = start_seq
    for _ in range(5):
        producer.receive_rtp_packet(opus_packet(seq & 0xFFFF, seq * 960))
        seq += 1
    call(consumer, "consumer.pause")
    for _ in range(50):
        producer.receive_rtp_packet(opus_packet(seq & 0xFFFF, seq * 960))
        seq += 1
    assert len(h.transport.sent_by(consumer)) == 5
    call(consumer, "consumer.resume")
    for _ in range(5):
        producer.receive_rtp_packet(opus_packet(seq & 0xFFFF, seq * 960))
        seq += 1
    out = h.transport.sent_by(consumer)
    assert seqs(out) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


def test_producer_pause_stops_forwarding_but_counts_packets() -> None:
    h = Harness()
    producer = h.produce(AUDIO_PRODUCER)
    consumer = h.consume(producer, audio_consumer())
    for seq in range(3):
        producer.receive_rtp_packet(opus_packet(seq, seq * 960))
    call(producer, "producer.pause")
    assert h.channel.events(consumer.id, "producerpause") == [None]
    for seq in range(3, 10):
        assert (
            producer.receive_rtp_packet(opus_packet(seq, seq * 960)) is ReceiveRtpPacketResult.MEDIA
        )
    assert len(h.transport.sent_by(consumer)) == 3
    assert producer.get_stats()[0]["packetCount"] == 10
    call(producer, "producer.resume")
    for seq in range(10, 12):
        producer.receive_rtp_packet(opus_packet(seq, seq * 960))
    assert seqs(h.transport.sent_by(consumer)) == [1, 2, 3, 4, 5]


def test_video_consumer_waits_for_a_key_frame_and_asks_for_one() -> None:
    h = Harness()
    producer = h.produce(video_producer())
    # The stream exists before the consumer: the consumer asks for a key frame at once.
    producer.receive_rtp_packet(vp8_packet(100, 0, key_frame=True))
    h.transport.rtcp.clear()
    consumer = h.consume(producer, video_consumer())
    assert h.transport.key_frame_requests == [(consumer, 6666)]
    plis = [p for p in h.transport.rtcp if isinstance(p, FeedbackPsPliPacket)]
    assert len(plis) == 1 and plis[0].media_ssrc == 2222
    for seq in range(101, 105):
        producer.receive_rtp_packet(vp8_packet(seq, seq * 3000))
    assert h.transport.sent_by(consumer) == []
    producer.receive_rtp_packet(vp8_packet(105, 105 * 3000, key_frame=True))
    producer.receive_rtp_packet(vp8_packet(106, 106 * 3000))
    out = h.transport.sent_by(consumer)
    assert seqs(out) == [1, 2] and out[0].ssrc == 8888 and out[0].payload_type == 101
    assert out[0].get_extension(MID) == b"1"
    # Video: abs-send-time and transport-cc placeholders for the sending transport.
    assert sorted(dict(out[0].get_extensions())) == [1, 4, 5]


def test_key_frame_requests_are_throttled_by_the_manager() -> None:
    h = Harness()
    producer = h.produce(video_producer())
    consumer = h.consume(producer, video_consumer())
    producer.receive_rtp_packet(vp8_packet(1, 0, key_frame=True))
    h.transport.rtcp.clear()
    consumer.receive_key_frame_request("pli", 8888)
    consumer.receive_key_frame_request("pli", 8888)  # pending: no second PLI
    assert len([p for p in h.transport.rtcp if isinstance(p, FeedbackPsPliPacket)]) == 1
    assert consumer.rtp_stream.pli_count == 2
    # No key frame within a second: one retry.
    h.clock.advance(1000)
    assert len([p for p in h.transport.rtcp if isinstance(p, FeedbackPsPliPacket)]) == 2
    # FIR counted too; a key frame clears the pending request.
    producer.receive_rtp_packet(vp8_packet(2, 3000, key_frame=True))
    consumer.receive_key_frame_request("fir", 8888)
    assert consumer.rtp_stream.fir_count == 1
    assert len([p for p in h.transport.rtcp if isinstance(p, FeedbackPsPliPacket)]) == 3


def test_producer_resume_forces_key_frame_requests() -> None:
    h = Harness()
    producer = h.produce(video_producer())
    producer.receive_rtp_packet(vp8_packet(1, 0, key_frame=True))
    call(producer, "producer.pause")
    h.transport.rtcp.clear()
    call(producer, "producer.resume")
    assert [type(p) for p in h.transport.rtcp] == [FeedbackPsPliPacket]


def test_nack_from_the_consumer_is_answered_with_rtx() -> None:
    h = Harness()
    producer = h.produce(video_producer())
    consumer = h.consume(producer, video_consumer())
    for seq in range(0xFFFD, 0xFFFD + 8):
        producer.receive_rtp_packet(vp8_packet(seq & 0xFFFF, seq * 3000, key_frame=seq == 0xFFFD))
    out = h.transport.sent_by(consumer)
    assert seqs(out) == list(range(1, 9))
    consumer.receive_nack(FeedbackRtpNackPacket(0, 8888, [(3, 0b1)]))
    resent = [RtpPacket.parse(data) for _c, data in h.transport.retransmitted]
    assert len(resent) == 2
    for p, original in zip(resent, out[2:4], strict=True):
        assert p.ssrc == 8889 and p.payload_type == 102
        assert int.from_bytes(p.payload[:2], "big") == original.sequence_number
        assert p.payload[2:] == original.payload
        assert p.timestamp == original.timestamp
    assert (resent[1].sequence_number - resent[0].sequence_number) & 0xFFFF == 1
    stats = consumer.get_stats()[0]
    assert stats["nackCount"] == 1 and stats["nackPacketCount"] == 2
    assert stats["packetsRetransmitted"] == 2 and stats["packetsRepaired"] == 2


def test_producer_nacks_a_gap_and_forwards_the_rtx_repair() -> None:
    h = Harness()
    producer = h.produce(video_producer())
    consumer = h.consume(producer, video_consumer())
    originals = {seq: vp8_packet(seq, seq * 3000, key_frame=seq == 10) for seq in range(10, 16)}
    for seq in (10, 11, 13, 14, 15):
        producer.receive_rtp_packet(originals[seq].clone())
    nacks = [p for p in h.transport.rtcp if isinstance(p, FeedbackRtpNackPacket)]
    assert [n.sequence_numbers() for n in nacks] == [[12]] and nacks[0].media_ssrc == 2222
    # Repeated on the timer (RTT 100 ms by default, 40 ms ticks).
    h.clock.advance(120)
    nacks = [p for p in h.transport.rtcp if isinstance(p, FeedbackRtpNackPacket)]
    assert len(nacks) == 2
    result = producer.receive_rtp_packet(rtx_packet(originals[12], 500))
    assert result is ReceiveRtpPacketResult.RETRANSMISSION
    out = h.transport.sent_by(consumer)
    # The repaired packet goes out in its place in the consumer's sequence space.
    assert [p.sequence_number for p in out] == [1, 2, 4, 5, 6, 3]
    assert out[-1].timestamp == 12 * 3000 and out[-1].ssrc == 8888
    stats = producer.get_stats()[0]
    assert stats["packetsRepaired"] == 1 and stats["packetsRetransmitted"] == 1
    assert stats["rtxSsrc"] == 2223


def test_inactivity_scores_the_stream_zero_and_stops_forwarding() -> None:
    h = Harness()
    producer = h.produce(AUDIO_PRODUCER)
    consumer = h.consume(producer, audio_consumer())
    producer.receive_rtp_packet(opus_packet(1, 0))
    h.clock.advance(1499)
    assert producer.rtp_stream_scores == [10]
    h.clock.advance(1)
    assert producer.rtp_stream_scores == [0]
    assert h.channel.events(producer.id, "score")[-1] == [
        {"encodingIdx": 0, "ssrc": 1111, "score": 0}
    ]
    assert h.channel.events(consumer.id, "score")[-1]["producerScore"] == 0
    assert not consumer.is_active()
    producer.receive_rtp_packet(opus_packet(2, 960))
    assert producer.rtp_stream_scores == [10] and consumer.is_active()
    assert seqs(h.transport.sent_by(consumer)) == [1, 2]


def test_rtcp_reports_and_their_throttling() -> None:
    h = Harness()
    producer = h.produce(AUDIO_PRODUCER)
    consumer = h.consume(producer, audio_consumer())
    for seq in range(10):
        producer.receive_rtp_packet(opus_packet(seq, seq * 960))
    now = h.clock.now + 6000
    compound = CompoundPacket()
    producer.get_rtcp(compound, now)
    consumer.get_rtcp(compound, consumer.rtp_stream, now)
    kinds = [type(p) for p in compound.packets]
    assert kinds == [SenderReportPacket, SdesPacket, ExtendedReportPacket]
    sr = compound.packets[0]
    assert sr.ssrc == 7777 and sr.packet_count == 10
    assert [r.ssrc for r in sr.reports] == [1111]
    assert isinstance(compound.packets[2].reports[0], ReceiverReferenceTime)
    assert compound.packets[1].chunks[0].cname == "audio-cname"
    again = CompoundPacket()
    producer.get_rtcp(again, now + 100)
    consumer.get_rtcp(again, consumer.rtp_stream, now + 100)
    assert again.packets == []  # within the audio interval (5 s)
    # An RR block from the consumer's endpoint: loss and score.
    consumer.receive_rtcp_receiver_report(ReceiverReport(7777, 128, 5, 10, 0, 0, 0))
    assert consumer.get_stats()[0]["fractionLost"] == 128
    assert h.channel.events(consumer.id, "score")[-1]["score"] < 10
    # Parses back from its own bytes (what the transport will send).
    assert isinstance(CompoundPacket.parse(compound.serialize()).packets[0], SenderReportPacket)


def test_pipe_consumer_forwards_with_its_own_seqs() -> None:
    h = Harness()
    producer = h.produce(video_producer())
    data = video_consumer(ssrc=6666, rtx_ssrc=None, mid=None, kind="pipe")
    consumer = h.consume(producer, data)
    for seq in range(0xFFF0, 0xFFF0 + 40):
        producer.receive_rtp_packet(vp8_packet(seq & 0xFFFF, seq * 3000, key_frame=seq == 0xFFF0))
    out = h.transport.sent_by(consumer)
    assert len(out) == 40 and {p.ssrc for p in out} == {6666} and continuous(seqs(out))
    call(consumer, "consumer.pause")
    call(consumer, "consumer.resume")
    producer.receive_rtp_packet(vp8_packet(40, 90000))  # not a key frame: waits
    producer.receive_rtp_packet(vp8_packet(41, 93000, key_frame=True))
    out = h.transport.sent_by(consumer)
    assert len(out) == 41 and continuous(seqs(out))


def test_trace_events_and_video_orientation() -> None:
    h = Harness()
    producer = h.produce(video_producer())
    consumer = h.consume(producer, video_consumer())
    call(producer, "producer.enableTraceEvent", {"types": ["rtp", "keyframe", "pli", "nack"]})
    call(consumer, "consumer.enableTraceEvent", {"types": ["rtp", "keyframe"]})
    producer.receive_rtp_packet(vp8_packet(1, 0, key_frame=True, orientation=0x0B, marker=True))
    producer.receive_rtp_packet(vp8_packet(3, 3000, orientation=0x0B))
    traces = h.channel.events(producer.id, "trace")
    assert [t["type"] for t in traces[:1]] == ["keyframe"]
    info = traces[0]["info"]
    assert info["marker"] == "true" and info["isKeyFrame"] is True and info["mid"] == "VIDEO"
    assert traces[0]["direction"] == "in"
    assert "nack" in [t["type"] for t in traces]
    out_traces = h.channel.events(consumer.id, "trace")
    assert out_traces[0]["type"] == "keyframe" and out_traces[0]["direction"] == "out"
    assert out_traces[0]["info"]["ssrc"] == 8888 and out_traces[0]["info"]["marker"] == "true"
    assert out_traces[1]["info"]["marker"] == "false"
    # Reported once while it stays the same.
    assert h.channel.events(producer.id, "videoorientationchange") == [
        {"camera": True, "flip": False, "rotation": 270}
    ]


def test_audio_level_observer_volumes_and_silence() -> None:
    h = Harness()
    producer = h.produce(AUDIO_PRODUCER)
    observer = AudioLevelObserver(
        "obs", h.shared, {"maxEntries": 2, "threshold": -60, "interval": 1000}
    )
    h.router.rtp_observers["obs"] = observer
    observer.add_producer(producer)
    h.router.map_producer_rtp_observers[producer][observer] = None
    for seq in range(20):
        producer.receive_rtp_packet(opus_packet(seq, seq * 960, level=30 + seq % 2))
    h.clock.advance(1000)
    assert h.channel.events("obs", "volumes") == [[{"producerId": producer.id, "volume": -31}]]
    h.clock.advance(1000)
    assert h.channel.events("obs", "silence") == [None]


def test_unknown_ssrc_and_payload_type_are_discarded() -> None:
    h = Harness()
    producer = h.produce(AUDIO_PRODUCER)
    assert (
        producer.receive_rtp_packet(opus_packet(1, 0, ssrc=4242))
        is ReceiveRtpPacketResult.DISCARDED
    )
    assert (
        producer.receive_rtp_packet(opus_packet(1, 0, payload_type=0))
        is ReceiveRtpPacketResult.DISCARDED
    )
    assert producer.get_stats() == []


def simulcast_producer() -> dict[str, Any]:
    data = video_producer()
    data["rtpParameters"]["encodings"] = [{"ssrc": 3001}, {"ssrc": 3002}, {"ssrc": 3003}]
    data["rtpMapping"]["encodings"] = [
        {"ssrc": 3001, "mappedSsrc": 9001},
        {"ssrc": 3002, "mappedSsrc": 9002},
        {"ssrc": 3003, "mappedSsrc": 9003},
    ]
    return data


def simulcast_consumer() -> dict[str, Any]:
    data = video_consumer(ssrc=4000, rtx_ssrc=4001, kind="simulcast")
    data["rtpParameters"]["encodings"][0]["scalabilityMode"] = "S3T1"
    data["consumableRtpEncodings"] = [{"ssrc": 9001}, {"ssrc": 9002}, {"ssrc": 9003}]
    return data


def test_simulcast_switches_up_on_key_frames_with_continuous_seq_and_ts() -> None:
    from pymediasoup_worker.core.rtp.rtcp.sr import SenderReportPacket
    from pymediasoup_worker.core.rtp_stream_stats import time_ms_to_ntp

    h = Harness()
    producer = h.produce(simulcast_producer())
    consumer = h.consume(producer, simulcast_consumer())
    bases = {3001: 1000, 3002: 50_000, 3003: 900_000}  # each encoding its own RTP clock

    def frame(n: int, key_layers: tuple[int, ...] = ()) -> None:
        for layer, ssrc in enumerate((3001, 3002, 3003)):
            seq = (0xFFF0 + n) & 0xFFFF
            ts = (bases[ssrc] + n * 3000) & 0xFFFFFFFF
            # Each encoding its own picture ids and TL0PICIDX.
            packet = vp8_packet(
                seq, ts, key_frame=layer in key_layers, ssrc=ssrc,
                picture_id=40 * layer + n, tl0_picture_index=100 * layer + n,
            )  # fmt: skip
            producer.receive_rtp_packet(packet)
        h.clock.advance(33)

    frame(0, key_layers=(0, 1, 2))
    assert consumer.target_spatial_layer == 0  # no SRs yet: only the reference layer
    assert consumer.current_spatial_layer == 0
    assert h.channel.events(consumer.id, "layerschange")[-1] == {
        "spatialLayer": 0,
        "temporalLayer": 0,
    }
    frame(1)
    # Sender Reports for every encoding (same NTP time, each its own RTP time).
    now = h.clock.now
    ntp_sec, ntp_frac = time_ms_to_ntp(now)
    for ssrc in (3001, 3002, 3003):
        producer.receive_rtcp_sender_report(
            SenderReportPacket(ssrc, ntp_sec, ntp_frac, (bases[ssrc] + 2 * 3000) & 0xFFFFFFFF)
        )
    consumer.producer_rtp_stream_score(None, 10, 10)  # re-evaluate layers (as a score event)
    assert consumer.target_spatial_layer == 2
    frame(2)  # not a key frame of layer 2: stays on layer 0
    assert consumer.current_spatial_layer == 0
    frame(3, key_layers=(2,))
    assert consumer.current_spatial_layer == 2
    frame(4)
    out = h.transport.sent_by(consumer)
    assert {p.ssrc for p in out} == {4000}
    # Frames 0-3 of layer 0, then layer 2 from its key frame (frame 3 again) on.
    assert continuous(seqs(out)) and len(out) == 6
    ts = [p.timestamp for p in out]
    # One RTP clock across the switch (layer 0's, the reference): frames 3000 apart; the
    # key frame that repeats frame 3's time is pushed 33 ms on so that time never stalls.
    diffs = [(b - a) & 0xFFFFFFFF for a, b in zip(ts, ts[1:], strict=False)]
    assert diffs == [3000, 3000, 3000, 2970, 3000]
    assert ts[0] == 1000
    assert h.channel.events(consumer.id, "layerschange")[-1] == {
        "spatialLayer": 2,
        "temporalLayer": 0,
    }
    # VP8 picture ids stay continuous across the switch too.
    from pymediasoup_worker.core.rtp.codecs import vp8

    descriptors = [vp8.parse(p.buffer, p.payload_offset) for p in out]
    pids = [d.picture_id for d in descriptors]
    assert [(b - a) & 0x7FFF for a, b in zip(pids, pids[1:], strict=False)] == [1] * 5
    tl0s = [d.tl0_picture_index for d in descriptors]
    assert [(b - a) & 0xFF for a, b in zip(tl0s, tl0s[1:], strict=False)] == [1] * 5


# --- one shared copy per received packet (SimpleConsumer retransmission buffers) ---


@pytest.mark.parametrize("start", START_SEQS)
def test_consumers_sharing_one_copy_each_resend_their_own_packet(start: int) -> None:
    """Three consumers keep the same stored copy of each packet; a NACK to each gets that
    consumer's own SSRC, seq and MID back (the others' writes never leak), and the
    received packet is the Producer's again after the fan-out."""
    h = Harness()
    producer = h.produce(video_producer())
    with_rtx = h.consume(producer, video_consumer(ssrc=8888, rtx_ssrc=8889, mid="1"))
    plain_a = h.consume(producer, video_consumer(ssrc=9000, rtx_ssrc=None, mid="22"))
    plain_b = h.consume(producer, video_consumer(ssrc=9100, rtx_ssrc=None, mid=None))
    for k in range(12):
        seq = (start + k) & 0xFFFF
        packet = vp8_packet(seq, k * 3000, key_frame=k == 0)
        producer.receive_rtp_packet(packet)
        assert packet.buffer[2:12] == seq.to_bytes(2, "big") + (k * 3000).to_bytes(
            4, "big"
        ) + packet.ssrc.to_bytes(4, "big")
    for consumer in (plain_a, plain_b):
        out = h.transport.sent_by(consumer)
        assert len(out) == 12
        h.transport.retransmitted.clear()
        ssrc = consumer.rtp_stream.params.ssrc
        consumer.receive_nack(FeedbackRtpNackPacket(0, ssrc, [(out[5].sequence_number, 0b101)]))
        resent = [RtpPacket.parse(data) for _c, data in h.transport.retransmitted]
        originals = [out[5], out[6], out[8]]
        if consumer.mid_element is not None:
            # No RTX: the very bytes this consumer was sent.
            assert [p.serialize() for p in resent] == [p.serialize() for p in originals]
        else:
            # Without a MID of its own a consumer carries whatever MID the Router left
            # in the packet (as mediasoup): everything else is what it was sent.
            for p, original in zip(resent, originals, strict=True):
                assert (p.ssrc, p.sequence_number, p.timestamp, p.payload_type) == (
                    original.ssrc, original.sequence_number, original.timestamp,
                    original.payload_type,
                )  # fmt: skip
                assert p.payload == original.payload and p.marker == original.marker
    out = h.transport.sent_by(with_rtx)
    h.transport.retransmitted.clear()
    with_rtx.receive_nack(FeedbackRtpNackPacket(0, 8888, [(out[10].sequence_number, 0)]))
    (rtx,) = [RtpPacket.parse(data) for _c, data in h.transport.retransmitted]
    assert rtx.ssrc == 8889 and rtx.payload_type == 102
    assert int.from_bytes(rtx.payload[:2], "big") == out[10].sequence_number
    assert rtx.payload[2:] == out[10].payload and rtx.timestamp == out[10].timestamp
    assert rtx.read_mid(MID) == "1"
    assert h.transport.sent_by(plain_a)[0].read_mid(MID) == "22"
