"""A Consumer's outgoing RTP stream, as mediasoup's RTC::RtpStreamSend.

It exists from the Consumer's creation (its dump and ``outbound-rtp`` stats are there
before any packet); its score starts at 10.

Per packet (``receive_packet(packet, now_ms)``, called by the Consumer once the packet is
rewritten for it, or ``send_shared_packet(packet, seq, now_ms)`` from a SimpleConsumer):
the highest RTP timestamp and when it was sent (for the Sender Report's NTP/RTP
mapping), the packet and byte counters, and, when the stream uses NACK, the packet's
bytes in the retransmission buffer: a private copy, or the one copy all SimpleConsumers
of the packet share (as mediasoup's later SharedPacket), rewritten for this stream by
``restore_stored`` when a NACK asks for it. Bytes, not an RtpPacket clone: a NACK, rare,
parses them back.

RTCP: ``receive_nack`` returns the packets to resend (RTX-encoded when the stream has
RTX, as RFC 4588); ``receive_rtcp_receiver_report`` updates fraction lost, packets lost,
RTT and the score (returns whether the score changed, for the Consumer's ``score``
event); ``get_rtcp_sender_report`` and ``get_rtcp_sdes_chunk`` build what the Consumer's
``get_rtcp`` adds to a compound packet.

Unlike mediasoup, the outgoing sequence numbers are not run through RFC 3550's
``UpdateSeq``: they come from the Consumer's SeqManager, which makes them continuous.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from .rate_calculator import BatchedRate, RtpDataCounter
from .retransmission_buffer import RetransmissionBuffer
from .rtp.packet import RtpPacket
from .rtp.rtcp.sdes import CNAME, SdesChunk
from .rtp.rtcp.sr import SenderReportPacket
from .rtp.rtx import rtx_encode
from .rtp_stream import RtpStream, RtpStreamParams
from .rtp_stream_stats import RtpStreamSendScore, ScoreHistory, rtt_ms_from_report, time_ms_to_ntp

# Retransmission buffer size (packets) when NACK is used, as mediasoup.
NACK_BUFFER_SIZE = 600
# mediasoup does not store packets bigger than its MTU.
MTU_SIZE = 1500

_MASK32 = 0xFFFFFFFF


class RtpStreamSend(RtpStream):
    __slots__ = (
        "buffer_size", "transmission_counter", "retransmission_buffer", "started",
        "max_packet_ts", "max_packet_ms", "rtx_seq", "score_history", "send_score",
        "last_sender_report_ntp_ms", "last_sender_report_ts", "_sent_batch", "_packets",
        "restore_stored",
    )  # fmt: skip

    def __init__(self, params: RtpStreamParams, buffer_size: int, now_ms: int) -> None:
        super().__init__(params, 10, now_ms)
        self.buffer_size = buffer_size
        self.transmission_counter = RtpDataCounter()
        self.retransmission_buffer: RetransmissionBuffer | None = (
            RetransmissionBuffer(buffer_size, params.clock_rate)
            if buffer_size > 0 and params.clock_rate > 0
            else None
        )
        self.started = False
        self.max_packet_ts = 0
        self.max_packet_ms = 0
        self.rtx_seq = 0
        self.score_history = ScoreHistory(10)
        self.send_score = RtpStreamSendScore()
        self.last_sender_report_ntp_ms = 0
        self.last_sender_report_ts = 0
        # Bytes sent are added to the rate calculator once per slot (the same result, no
        # call per packet per consumer); _flush() before reading.
        self._sent_batch = BatchedRate(self.transmission_counter.rate)
        self._packets = 0
        # Set by a Consumer whose stream keeps shared packet copies (send_shared_packet):
        # writes this stream's seq (the second argument), SSRC and MID into a resent copy.
        self.restore_stored: Callable[[RtpPacket, int], None] | None = None

    def set_rtx(self, payload_type: int, ssrc: int) -> None:
        super().set_rtx(payload_type, ssrc)
        self.rtx_seq = random.randint(0, 0xFFFF)

    # --- packets ---

    def receive_packet(self, packet: RtpPacket, now_ms: int) -> None:
        """``packet`` (already rewritten for this stream, bytes and fields) is being sent:
        the retransmission buffer keeps a private copy of its bytes."""
        buffer = self.retransmission_buffer
        buf = packet.buffer
        size = len(buf)
        timestamp = packet.timestamp
        self._note_timestamp(timestamp, now_ms)
        if buffer is not None and size <= MTU_SIZE:
            buffer.store(packet.sequence_number, (bytes(buf), timestamp, now_ms))
        self._count_sent(size, now_ms)

    def send_shared_packet(self, packet: RtpPacket, seq: int, now_ms: int) -> None:
        """A SimpleConsumer's packet is being sent: its bytes carry this stream's ``seq``
        and SSRC (its fields still the Producer's). The retransmission buffer keeps the
        packet's shared record (``packet.shared``, made here by the first Consumer that
        needs it); ``restore_stored`` rewrites a resent copy for this stream."""
        timestamp = packet.timestamp
        buffer = self.retransmission_buffer
        self._note_timestamp(timestamp, now_ms)
        buf = packet.buffer
        size = len(buf)
        if buffer is not None and size <= MTU_SIZE:
            record = packet.shared
            if record is None:
                record = packet.shared = (bytes(buf), timestamp, now_ms)
            buffer.store(seq, record)
        self._count_sent(size, now_ms)

    def _count_sent(self, size: int, now_ms: int) -> None:
        """One packet of ``size`` bytes sent: its bytes batched per rate slot."""
        self._packets += 1
        batch = self._sent_batch
        if now_ms < batch.until:
            batch.pending += size
        else:
            batch.add(size, now_ms)

    def _note_timestamp(self, timestamp: int, now_ms: int) -> None:
        """The highest RTP timestamp sent and when (the Sender Report's NTP/RTP mapping),
        and the retransmission buffer's reference for packet age."""
        if self.started and not 0 < (timestamp - self.max_packet_ts) & _MASK32 < 0x80000000:
            return
        self.started = True
        self.max_packet_ts = timestamp
        self.max_packet_ms = now_ms
        if self.retransmission_buffer is not None:
            self.retransmission_buffer.max_timestamp = timestamp

    def _flush(self) -> None:
        self._sent_batch.flush()
        self.transmission_counter.packets = self._packets

    @property
    def packet_count(self) -> int:
        return self._packets

    @property
    def byte_count(self) -> int:
        self._flush()
        return self.transmission_counter.bytes

    def get_bitrate(self, now_ms: int) -> int:
        self._flush()
        return self.transmission_counter.get_bitrate(now_ms)

    # --- RTCP feedback ---

    def receive_nack(self, items: list[tuple[int, int]], now_ms: int) -> list[RtpPacket]:
        """The packets to resend for a Generic NACK's (pid, blp) items, in order.

        Counts nackCount, nackPacketCount, packetsRetransmitted and (first resend of a
        packet only) packetsRepaired, as mediasoup.
        """
        self.nack_count += 1
        resend: list[RtpPacket] = []
        buffer = self.retransmission_buffer
        for pid, blp in items:
            self.nack_packet_count += 1 + bin(blp).count("1")
            if buffer is None or not self.params.use_nack:
                continue
            for item in buffer.retransmit_for_nack(now_ms, pid, blp, self.rtt):
                packet = item.packet
                if not isinstance(packet, RtpPacket):
                    packet = item.packet = RtpPacket.parse(packet)
                    if self.restore_stored is not None:
                        self.restore_stored(packet, item.seq)
                rtx = self.rtx_stream
                if rtx is not None:
                    self.rtx_seq = (self.rtx_seq + 1) & 0xFFFF
                    if not item.rtx_encoded:
                        rtx_encode(packet, rtx.params.payload_type, rtx.params.ssrc, self.rtx_seq)
                        item.rtx_encoded = True
                    else:
                        packet.set_sequence_number(self.rtx_seq)
                resend.append(packet)
                self.packets_retransmitted += 1
                if item.sent_times == 1:
                    self.packets_repaired += 1
        return resend

    def receive_key_frame_request(self, fmt: str) -> None:
        if fmt == "pli":
            self.pli_count += 1
        elif fmt == "fir":
            self.fir_count += 1

    def receive_rtcp_receiver_report(self, report: Any, now_ms: int) -> bool:
        """An RR block about this stream. Returns whether the score changed."""
        self.rtt = rtt_ms_from_report(
            now_ms, report.last_sender_report, report.delay_since_last_sender_report
        )
        if self.rtt > 0:
            self.has_rtt = True
        self.packets_lost = report.total_lost
        self.fraction_lost = report.fraction_lost
        interval_score = self.send_score.update(
            self._packets, report.total_lost, self.packets_repaired, self.packets_retransmitted
        )
        return self.update_score(interval_score, now_ms)

    def update_score(self, interval_score: int, now_ms: int) -> bool:
        previous = self.score
        if not self.score_history.update(interval_score):
            return False
        self.score = self.score_history.score
        if previous == 0:
            self.active_since_ms = now_ms
        return True

    def reset_score(self, score: int, now_ms: int) -> bool:
        previous = self.score
        self.score_history.reset(score)
        if score == previous:
            return False
        self.score = score
        if previous == 0:
            self.active_since_ms = now_ms
        return True

    def get_rtcp_sender_report(self, now_ms: int) -> SenderReportPacket | None:
        if self._packets == 0:
            return None
        ntp_sec, ntp_frac = time_ms_to_ntp(now_ms)
        diff_ts = (now_ms - self.max_packet_ms) * self.params.clock_rate // 1000
        rtp_ts = (self.max_packet_ts + diff_ts) & _MASK32
        self.last_sender_report_ntp_ms = now_ms
        self.last_sender_report_ts = rtp_ts
        return SenderReportPacket(
            self.params.ssrc, ntp_sec, ntp_frac, rtp_ts, self._packets & _MASK32,
            self.byte_count & _MASK32,
        )  # fmt: skip

    def get_rtcp_sdes_chunk(self) -> SdesChunk:
        chunk = SdesChunk(self.params.ssrc)
        chunk.add_item(CNAME, self.params.cname.encode()[:255])
        return chunk

    # --- state ---

    def pause(self) -> None:
        super().pause()
        if self.retransmission_buffer is not None:
            self.retransmission_buffer.clear()

    def fill_json_stats(self, now_ms: int) -> dict[str, Any]:
        json = super().fill_json_stats(now_ms)
        json["type"] = "outbound-rtp"
        json["packetCount"] = self._packets
        json["byteCount"] = self.byte_count
        json["bitrate"] = self.get_bitrate(now_ms)
        return json
