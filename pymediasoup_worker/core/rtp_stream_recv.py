"""A Producer's incoming RTP stream, as mediasoup's RTC::RtpStreamRecv.

One per encoding, created by the Producer on the first packet of that encoding. Per
packet (``receive_packet`` / ``receive_rtx_packet``, both taking ``now_ms``) it keeps the
RFC 3550 receive statistics (RtpStreamRecvStats), runs the codec's payload descriptor
(key frame, layers), feeds the NackGenerator, counts bytes per layer and notes the
arrival time for the inactivity check.

Sans-IO: nothing here reads a clock or arms a timer. ``next_deadline()`` tells the owner
(the Producer, which has one timer for all its streams) when ``on_timer(now_ms)`` has
something to do: re-NACKs (40 ms timer while NACKs are pending) and the inactivity check
(1500 ms without media, 5000 ms with DTX: the score drops to 0, as mediasoup). The
inactivity deadline only moves forward while packets arrive, so it is never re-armed per
packet: a timer that fires early just finds nothing to do and the owner re-arms it.

Upward calls go to ``listener`` (the Producer), synchronously:
``on_rtp_stream_score(stream, score, previous_score)``,
``on_rtp_stream_send_rtcp_packet(stream, packet)`` (NACK, PLI, FIR),
``on_rtp_stream_need_worst_remote_fraction_lost(stream) -> int`` (in-band FEC only) and
``on_rtp_stream_deadline(stream)`` when a new, possibly earlier, deadline appeared.

Divergences from mediasoup 3.7, on purpose:

* the score is updated each time a Receiver Report is built for the stream (every RTCP
  interval), not when a Sender Report arrives, so that senders that never send SRs
  (ffmpeg without RTCP, DirectTransport producers) get a score that reflects loss;
* jitter is in RTP timestamp units (RFC 3550), where mediasoup 3.7 mixes in ms;
* the first packet of a stream starting at seq 0 does not count a spurious 64K cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from .nack_generator import NackGenerator, pack_nack_items
from .rate_calculator import RtpDataCounter
from .rtp.codecs import h264, vp8, vp9
from .rtp.packet import RtpPacket
from .rtp.rtcp.fir import FeedbackPsFirPacket
from .rtp.rtcp.nack import FeedbackRtpNackPacket
from .rtp.rtcp.pli import FeedbackPsPliPacket
from .rtp.rtcp.rr import ReceiverReport
from .rtp.rtx import rtx_decode
from .rtp_stream import RtpStream, RtpStreamParams
from .rtp_stream_stats import ReportBlock, RtpStreamRecvStats, ScoreHistory, rtt_ms_from_report

INACTIVITY_CHECK_INTERVAL = 1500  # ms
INACTIVITY_CHECK_INTERVAL_WITH_DTX = 5000  # ms


class RtpStreamRecvListener(Protocol):
    def on_rtp_stream_score(self, rtp_stream: Any, score: int, previous_score: int) -> None: ...
    def on_rtp_stream_send_rtcp_packet(self, rtp_stream: Any, packet: Any) -> None: ...
    def on_rtp_stream_need_worst_remote_fraction_lost(self, rtp_stream: Any) -> int: ...
    def on_rtp_stream_deadline(self, rtp_stream: Any) -> None: ...


# --- codec processing: the payload descriptor and the key frame flag, once per packet ---


def _process_vp9(packet: RtpPacket) -> None:
    offset = packet.payload_offset
    descriptor = vp9.parse(packet.buffer, offset, offset + packet.payload_length)
    packet.payload_descriptor = descriptor
    packet.is_key_frame = descriptor is not None and descriptor.is_key_frame


def _h264_processor(frame_marking_ext_id: int) -> Callable[[RtpPacket], None]:
    def process(packet: RtpPacket) -> None:
        frame_marking = (
            packet.read_frame_marking(frame_marking_ext_id) if frame_marking_ext_id else None
        )
        offset = packet.payload_offset
        descriptor = h264.parse(
            packet.buffer, offset, offset + packet.payload_length, frame_marking
        )
        packet.payload_descriptor = descriptor
        packet.is_key_frame = descriptor is not None and descriptor.is_key_frame

    return process


def codec_processor(
    mime_type: str, frame_marking_ext_id: int = 0
) -> Callable[[RtpPacket], object] | None:
    """The per-packet payload processing for a codec (mediasoup's Codecs::Tools::ProcessRtpPacket)."""
    mime = mime_type.lower()
    if mime == "video/vp8":
        # Sets the descriptor and the key frame flag itself, and widens a one-byte
        # picture id, as mediasoup, so that a SimulcastConsumer can rewrite it in place.
        return vp8.process_rtp_packet
    if mime == "video/vp9":
        return _process_vp9
    if mime == "video/h264":
        return _h264_processor(frame_marking_ext_id)
    return None


# --- per-layer byte counters ---


class LayeredTransmissionCounter:
    """RtpStreamRecv::TransmissionCounter: one RtpDataCounter per (spatial, temporal) layer."""

    __slots__ = ("counters", "spatial_layers", "temporal_layers", "_single")

    def __init__(self, spatial_layers: int, temporal_layers: int, window_size_ms: int) -> None:
        self.spatial_layers = max(spatial_layers, 1)
        self.temporal_layers = max(temporal_layers, 1)
        self.counters = [
            [RtpDataCounter(window_size_ms) for _ in range(self.temporal_layers)]
            for _ in range(self.spatial_layers)
        ]
        self._single = (
            self.counters[0][0] if self.spatial_layers == self.temporal_layers == 1 else None
        )

    def update(self, size: int, now_ms: int, descriptor: Any) -> None:
        single = self._single
        if single is not None:
            # single.update(size, now_ms), inlined: per packet.
            single.packets += 1
            single.rate.update(size, now_ms)
            return
        spatial = temporal = 0
        if descriptor is not None:
            spatial = min(descriptor.spatial_layer, self.spatial_layers - 1)
            temporal = min(descriptor.temporal_layer, self.temporal_layers - 1)
        self.counters[spatial][temporal].update(size, now_ms)

    @property
    def packets(self) -> int:
        return sum(c.packets for row in self.counters for c in row)

    @property
    def bytes(self) -> int:
        return sum(c.bytes for row in self.counters for c in row)

    def get_bitrate(self, now_ms: int) -> int:
        return sum(c.get_bitrate(now_ms) for row in self.counters for c in row)

    def get_layers_bitrate(self, now_ms: int, spatial_layer: int, temporal_layer: int) -> int:
        """Bitrate up to the given layers (0 if that very layer is not being received)."""
        row = self.counters[spatial_layer]
        if row[temporal_layer].get_bitrate(now_ms) == 0:
            return 0
        rate = 0
        for lower in self.counters[:spatial_layer]:
            rate += sum(c.get_bitrate(now_ms) for c in lower)
        rate += sum(c.get_bitrate(now_ms) for c in row[: temporal_layer + 1])
        return rate

    def get_spatial_layer_bitrate(self, now_ms: int, spatial_layer: int) -> int:
        return sum(c.get_bitrate(now_ms) for c in self.counters[spatial_layer])

    def get_layer_bitrate(self, now_ms: int, spatial_layer: int, temporal_layer: int) -> int:
        return self.counters[spatial_layer][temporal_layer].get_bitrate(now_ms)


class RtpStreamRecv(RtpStream):
    __slots__ = (
        "listener", "stats", "rtx_stats", "nack_generator", "transmission_counter",
        "score_history", "inactive", "inactivity_interval_ms", "last_packet_ms",
        "inactivity_check_running", "fir_seq_number", "process_payload",
    )  # fmt: skip

    def __init__(
        self,
        listener: RtpStreamRecvListener,
        params: RtpStreamParams,
        now_ms: int,
        frame_marking_ext_id: int = 0,
    ) -> None:
        super().__init__(params, 10, now_ms)
        self.listener = listener
        self.stats = RtpStreamRecvStats(params.ssrc, params.clock_rate)
        self.rtx_stats: RtpStreamRecvStats | None = None
        self.nack_generator = NackGenerator() if params.use_nack else None
        self.transmission_counter = LayeredTransmissionCounter(
            params.spatial_layers, params.temporal_layers, 6000 if params.use_dtx else 2500
        )
        self.score_history = ScoreHistory(10)
        self.inactive = False
        self.inactivity_interval_ms = (
            INACTIVITY_CHECK_INTERVAL_WITH_DTX if params.use_dtx else INACTIVITY_CHECK_INTERVAL
        )
        self.last_packet_ms = now_ms
        self.inactivity_check_running = True
        self.fir_seq_number = 0
        self.process_payload = codec_processor(params.mime_type, frame_marking_ext_id)

    # --- RTX ---

    def set_rtx(self, payload_type: int, ssrc: int) -> None:
        super().set_rtx(payload_type, ssrc)
        self.rtx_stats = RtpStreamRecvStats(ssrc, 0)  # RTX reports carry no jitter

    # --- packets ---

    def receive_packet(self, packet: RtpPacket, now_ms: int) -> bool:
        """A media packet of this stream. False if discarded (a bad sequence jump)."""
        if not self.stats.receive_packet(now_ms, packet.sequence_number, packet.timestamp):
            return False
        process = self.process_payload
        if process is not None and packet.payload_type == self.params.payload_type:
            process(packet)
        generator = self.nack_generator
        if generator is not None:
            result = generator.receive(now_ms, packet.sequence_number, packet.is_key_frame, False)
            if result.nack_seqs:
                self._send_nack(result.nack_seqs)
                self.listener.on_rtp_stream_deadline(self)
            if result.key_frame_required:
                self.request_key_frame()
            # Without RTX a NACKed packet comes back on the media stream itself.
            if result.was_nacked and self.rtx_stream is None:
                self.packets_retransmitted += 1
                self.packets_repaired += 1
        self.transmission_counter.update(len(packet.buffer), now_ms, packet.payload_descriptor)
        self.last_packet_ms = now_ms
        if self.inactive:
            self.inactive = False
            self.reset_score(10, now_ms, notify=True)
        return True

    def receive_rtx_packet(self, packet: RtpPacket, now_ms: int) -> bool:
        """An RTX packet of this stream: decoded in place into the original packet.

        True only when it repairs a NACKed packet (then forward it as media).
        """
        params = self.params
        if not params.use_nack or self.nack_generator is None:
            return False
        if packet.payload_type != params.rtx_payload_type:
            return False
        rtx_stats = self.rtx_stats
        if rtx_stats is not None and not rtx_stats.receive_packet(
            now_ms, packet.sequence_number, packet.timestamp
        ):
            if self.rtx_stream is not None:
                self.rtx_stream.packets_discarded = rtx_stats.packets_discarded
            return False
        # Padding-only RTX (bandwidth probing) has no original packet: ignored.
        if rtx_decode(packet, params.payload_type, params.ssrc) is None:
            return False
        seq = packet.sequence_number
        if not self.stats.receive_rtx_packet(now_ms, seq, packet.timestamp):
            return False
        process = self.process_payload
        if process is not None:
            process(packet)
        self.packets_retransmitted += 1
        if not self.nack_generator.receive(now_ms, seq, packet.is_key_frame, True).was_nacked:
            return False
        self.packets_repaired += 1
        self.transmission_counter.update(len(packet.buffer), now_ms, packet.payload_descriptor)
        self.last_packet_ms = now_ms
        if self.inactive:
            self.inactive = False
            self.reset_score(10, now_ms, notify=True)
        return True

    # --- timers ---

    def next_deadline(self) -> int | None:
        deadline: int | None = None
        if self.inactivity_check_running and not self.inactive:
            deadline = self.last_packet_ms + self.inactivity_interval_ms
        generator = self.nack_generator
        if generator is not None:
            nack_deadline = generator.next_deadline()
            if nack_deadline is not None and (deadline is None or nack_deadline < deadline):
                deadline = nack_deadline
        return deadline

    def on_timer(self, now_ms: int) -> None:
        generator = self.nack_generator
        if generator is not None:
            seqs = generator.on_timer(now_ms)
            if seqs:
                self._send_nack(seqs)
        if (
            self.inactivity_check_running
            and not self.inactive
            and now_ms >= self.last_packet_ms + self.inactivity_interval_ms
        ):
            self.inactive = True
            self.reset_score(0, now_ms, notify=True)

    # --- score ---

    def reset_score(self, score: int, now_ms: int, notify: bool) -> None:
        previous = self.score
        self.score_history.reset(score)
        if score != previous:
            self.score = score
            if previous == 0:
                self.active_since_ms = now_ms
            if notify:
                self.listener.on_rtp_stream_score(self, score, previous)

    def update_score(self, now_ms: int) -> None:
        """One interval score (RtpStreamRecv::UpdateScore): called with each RR built."""
        interval_score = self.stats.update_score(
            self.packets_repaired, self.packets_retransmitted, self.rtx_stream is not None,
            self.inactive,
        )  # fmt: skip
        if interval_score is None:
            return
        previous = self.score
        if self.score_history.update(interval_score):
            self.score = self.score_history.score
            if previous == 0:
                self.active_since_ms = now_ms
            self.listener.on_rtp_stream_score(self, self.score, previous)

    # --- RTCP ---

    def get_rtcp_receiver_report(self, now_ms: int) -> ReceiverReport:
        worst = 0
        if self.params.use_in_band_fec:
            worst = self.listener.on_rtp_stream_need_worst_remote_fraction_lost(self)
        block = self.stats.get_receiver_report(now_ms, worst)
        self.packets_lost = self.stats.packets_lost
        self.fraction_lost = self.stats.fraction_lost
        report = _report_from_block(block)
        self.update_score(now_ms)
        return report

    def get_rtx_rtcp_receiver_report(self, now_ms: int) -> ReceiverReport | None:
        if self.rtx_stats is None:
            return None
        return _report_from_block(self.rtx_stats.get_receiver_report(now_ms))

    def receive_rtcp_sender_report(self, report: Any, now_ms: int) -> None:
        self.stats.receive_sender_report(now_ms, report.ntp_sec, report.ntp_frac, report.rtp_ts)

    def receive_rtx_rtcp_sender_report(self, report: Any, now_ms: int) -> None:
        if self.rtx_stats is not None:
            self.rtx_stats.receive_sender_report(
                now_ms, report.ntp_sec, report.ntp_frac, report.rtp_ts
            )

    def receive_rtcp_xr_delay_since_last_rr(
        self, last_rr: int, delay_since_last_rr: int, now_ms: int
    ) -> None:
        self.rtt = rtt_ms_from_report(now_ms, last_rr, delay_since_last_rr)
        if self.rtt > 0:
            self.has_rtt = True
        if self.nack_generator is not None:
            self.nack_generator.update_rtt(int(self.rtt))

    def get_sender_report_ntp_ms(self) -> int:
        return self.stats.last_sender_report_ntp_ms

    def get_sender_report_ts(self) -> int:
        return self.stats.last_sender_report_ts

    def request_key_frame(self) -> None:
        """Send a PLI, else a FIR, if the sender supports either."""
        ssrc = self.params.ssrc
        packet: Any
        if self.params.use_pli:
            # Sender SSRC = media SSRC: some receivers (GStreamer) reject a PLI from SSRC 0.
            packet = FeedbackPsPliPacket(ssrc, ssrc)
            self.pli_count += 1
        elif self.params.use_fir:
            self.fir_seq_number = (self.fir_seq_number + 1) & 0xFF
            packet = FeedbackPsFirPacket(ssrc, ssrc)
            packet.add_item(ssrc, self.fir_seq_number)
            self.fir_count += 1
        else:
            return
        self.listener.on_rtp_stream_send_rtcp_packet(self, packet)

    def _send_nack(self, seqs: tuple[int, ...]) -> None:
        packet = FeedbackRtpNackPacket(0, self.params.ssrc, pack_nack_items(seqs))
        self.nack_count += 1
        self.nack_packet_count += len(seqs)
        self.listener.on_rtp_stream_send_rtcp_packet(self, packet)

    # --- state ---

    def pause(self) -> None:
        super().pause()
        self.inactivity_check_running = False
        if self.nack_generator is not None:
            self.nack_generator.reset()
        self.stats.reset_jitter()

    def resume(self, now_ms: int | None = None) -> None:
        super().resume()
        self.inactivity_check_running = True
        if now_ms is not None and not self.inactive:
            self.last_packet_ms = now_ms

    # --- bitrates (what the consumers read) ---

    def get_bitrate(self, now_ms: int) -> int:
        return self.transmission_counter.get_bitrate(now_ms)

    def get_layers_bitrate(self, now_ms: int, spatial_layer: int, temporal_layer: int) -> int:
        return self.transmission_counter.get_layers_bitrate(now_ms, spatial_layer, temporal_layer)

    def get_spatial_layer_bitrate(self, now_ms: int, spatial_layer: int) -> int:
        return self.transmission_counter.get_spatial_layer_bitrate(now_ms, spatial_layer)

    def get_layer_bitrate(self, now_ms: int, spatial_layer: int, temporal_layer: int) -> int:
        return self.transmission_counter.get_layer_bitrate(now_ms, spatial_layer, temporal_layer)

    @property
    def max_packet_ts(self) -> int:
        return self.stats.max_packet_ts

    @property
    def max_packet_ms(self) -> int:
        return self.stats.max_packet_ms

    def fill_json_stats(self, now_ms: int) -> dict[str, Any]:
        self.packets_discarded = self.stats.packets_discarded
        if self.rtx_stream is not None and self.rtx_stats is not None:
            self.rtx_stream.packets_discarded = self.rtx_stats.packets_discarded
        json = super().fill_json_stats(now_ms)
        counter = self.transmission_counter
        json["type"] = "inbound-rtp"
        json["jitter"] = self.stats.jitter
        json["packetCount"] = counter.packets
        json["byteCount"] = counter.bytes
        json["bitrate"] = counter.get_bitrate(now_ms)
        if counter.spatial_layers > 1 or counter.temporal_layers > 1:
            json["bitrateByLayer"] = {
                f"{s}.{t}": counter.get_layers_bitrate(now_ms, s, t)
                for s in range(counter.spatial_layers)
                for t in range(counter.temporal_layers)
            }
        return json


def _report_from_block(block: ReportBlock) -> ReceiverReport:
    return ReceiverReport(
        block.ssrc, block.fraction_lost, block.total_lost, block.last_seq, block.jitter,
        block.last_sr, block.dlsr,
    )  # fmt: skip
