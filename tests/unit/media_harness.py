"""A Transport-less harness for the media path: a real Router, Producers and Consumers.

``FakeTransport`` stands for the Transport on both sides: it is the Producers' and
Consumers' listener, records what they send (RTP, retransmissions, RTCP, key frame
requests) and passes the Transport::Listener calls on to the Router, so the Router's
fan-out is the real one. ``FakeClock`` is the worker's clock and timer service: time only
moves with ``advance()``, which fires the due one-shot timers in deadline order.
"""

from __future__ import annotations

import copy
from typing import Any

from pymediasoup_worker.core.rtp.packet import RtpPacket
from pymediasoup_worker.rtc.consumer_factory import create_consumer
from pymediasoup_worker.rtc.producer import Producer
from pymediasoup_worker.rtc.router import Router
from pymediasoup_worker.rtc.shared import Shared

# Extension ids the remote endpoints negotiated (deliberately not the Router's).
EXT_MID_IN = 9
EXT_AUDIO_LEVEL_IN = 3
EXT_ABS_SEND_TIME_IN = 13
EXT_VIDEO_ORIENTATION_IN = 6


class FakeClock:
    def __init__(self, now_ms: int = 100_000) -> None:
        self.now = now_ms
        self._timers: list[list[Any]] = []  # [deadline, order, callback, live]
        self._order = 0

    def now_ms(self) -> int:
        return self.now

    def set_timer(self, delay_ms: int, callback: Any) -> Any:
        self._order += 1
        entry = [self.now + int(delay_ms), self._order, callback, True]
        self._timers.append(entry)

        class Handle:
            def cancel(self) -> None:
                entry[3] = False

        return Handle()

    def pending(self) -> int:
        return sum(1 for entry in self._timers if entry[3])

    def advance(self, ms: int) -> None:
        """Move time forward by ``ms``, firing every timer due on the way."""
        end = self.now + ms
        while True:
            live = [e for e in self._timers if e[3] and e[0] <= end]
            if not live:
                break
            entry = min(live, key=lambda e: (e[0], e[1]))
            entry[3] = False
            self.now = max(self.now, entry[0])
            entry[2]()
        self._timers = [e for e in self._timers if e[3]]
        self.now = end


class Recorder:
    """The Channel and PayloadChannel: notifications, in order."""

    def __init__(self) -> None:
        self.notifications: list[tuple[str, str, Any]] = []

    def notify(self, target_id: str, event: str, data: Any = None, payload: Any = None) -> None:
        self.notifications.append((target_id, event, data))

    def events(self, target_id: str, event: str) -> list[Any]:
        return [d for t, e, d in self.notifications if t == target_id and e == event]


class FakeTransport:
    """Producer::Listener and Consumer::Listener, passing Transport::Listener calls on."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.sent: list[tuple[Any, bytes]] = []
        self.retransmitted: list[tuple[Any, bytes]] = []
        self.rtcp: list[Any] = []
        self.key_frame_requests: list[tuple[Any, int]] = []
        self.connected = True

    # Producer::Listener.
    def on_producer_paused(self, producer: Any) -> None:
        self.router.on_transport_producer_paused(self, producer)

    def on_producer_resumed(self, producer: Any) -> None:
        self.router.on_transport_producer_resumed(self, producer)

    def on_producer_new_rtp_stream(self, producer: Any, rtp_stream: Any, mapped_ssrc: int) -> None:
        self.router.on_transport_producer_new_rtp_stream(self, producer, rtp_stream, mapped_ssrc)

    def on_producer_rtp_stream_score(
        self, producer: Any, rtp_stream: Any, score: int, previous_score: int
    ) -> None:
        self.router.on_transport_producer_rtp_stream_score(
            self, producer, rtp_stream, score, previous_score
        )

    def on_producer_rtcp_sender_report(self, producer: Any, rtp_stream: Any, first: bool) -> None:
        self.router.on_transport_producer_rtcp_sender_report(self, producer, rtp_stream, first)

    def on_producer_rtp_packet_received(self, producer: Any, packet: Any, now_ms: int) -> None:
        self.router.on_transport_producer_rtp_packet_received(self, producer, packet, now_ms)

    def on_producer_send_rtcp_packet(self, producer: Any, packet: Any) -> None:
        self.rtcp.append(packet)

    def on_producer_need_worst_remote_fraction_lost(self, producer: Any, mapped_ssrc: int) -> int:
        return self.router.on_transport_need_worst_remote_fraction_lost(self, producer, mapped_ssrc)

    # Consumer::Listener.
    def on_consumer_send_rtp_packet(
        self, consumer: Any, packet: Any, now_ms: int | None = None
    ) -> None:
        self.sent.append((consumer, bytes(packet.buffer)))

    def on_consumer_retransmit_rtp_packet(self, consumer: Any, packet: Any) -> None:
        self.retransmitted.append((consumer, bytes(packet.buffer)))

    def on_consumer_key_frame_requested(self, consumer: Any, mapped_ssrc: int) -> None:
        self.key_frame_requests.append((consumer, mapped_ssrc))
        if self.connected:
            self.router.on_transport_consumer_key_frame_requested(self, consumer, mapped_ssrc)

    def on_consumer_need_bitrate_change(self, consumer: Any) -> None:
        pass

    def on_consumer_need_zero_bitrate(self, consumer: Any) -> None:
        pass

    def on_consumer_producer_closed(self, consumer: Any) -> None:
        self.router.on_transport_consumer_producer_closed(self, consumer)

    def sent_by(self, consumer: Any) -> list[RtpPacket]:
        return [RtpPacket.parse(data) for c, data in self.sent if c is consumer]


class Harness:
    def __init__(self, now_ms: int = 100_000) -> None:
        self.clock = FakeClock(now_ms)
        self.channel = Recorder()
        self.shared = Shared(
            channel=self.channel,  # type: ignore[arg-type]
            payload_channel=self.channel,  # type: ignore[arg-type]
            settings=None,  # type: ignore[arg-type]
            now_ms=self.clock.now_ms,
            spawn=lambda coro: None,
            set_timer=self.clock.set_timer,
        )
        self.router = Router("router", self.shared)
        self.transport = FakeTransport(self.router)
        self._ids = 0

    def _id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}{self._ids}"

    def produce(self, data: dict[str, Any]) -> Producer:
        producer = Producer(self._id("p"), self.shared, self.transport, copy.deepcopy(data))
        self.router.on_transport_new_producer(self.transport, producer)
        return producer

    def consume(self, producer: Producer, data: dict[str, Any], connected: bool = True) -> Any:
        consumer = create_consumer(
            self._id("c"), producer.id, self.shared, self.transport, copy.deepcopy(data)
        )
        self.router.on_transport_new_consumer(self.transport, consumer, producer.id)
        if connected:
            consumer.transport_connected()
        return consumer


# --- channel-like data ---

AUDIO_PRODUCER = {
    "kind": "audio",
    "rtpParameters": {
        "mid": "AUDIO",
        "codecs": [
            {
                "mimeType": "audio/opus",
                "payloadType": 111,
                "clockRate": 48000,
                "channels": 2,
                "parameters": {"useinbandfec": 1},
                "rtcpFeedback": [],
            }
        ],
        "headerExtensions": [
            {"uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "id": EXT_MID_IN},
            {"uri": "urn:ietf:params:rtp-hdrext:ssrc-audio-level", "id": EXT_AUDIO_LEVEL_IN},
            {
                "uri": "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
                "id": EXT_ABS_SEND_TIME_IN,
            },
        ],
        "encodings": [{"ssrc": 1111}],
        "rtcp": {"cname": "audio-cname"},
    },
    "rtpMapping": {
        "codecs": [{"payloadType": 111, "mappedPayloadType": 100}],
        "encodings": [{"ssrc": 1111, "mappedSsrc": 5555}],
    },
    "paused": False,
}


def audio_consumer(ssrc: int = 7777, mid: str | None = "0", paused: bool = False) -> dict[str, Any]:
    params: dict[str, Any] = {
        "codecs": [
            {
                "mimeType": "audio/opus",
                "payloadType": 100,
                "clockRate": 48000,
                "channels": 2,
                "parameters": {"useinbandfec": 1},
                "rtcpFeedback": [],
            }
        ],
        "headerExtensions": [
            {"uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "id": 1},
            {"uri": "urn:ietf:params:rtp-hdrext:ssrc-audio-level", "id": 10},
        ],
        "encodings": [{"ssrc": ssrc}],
        "rtcp": {"cname": "audio-cname", "reducedSize": True},
    }
    if mid is not None:
        params["mid"] = mid
    return {
        "kind": "audio",
        "type": "simple",
        "rtpParameters": params,
        "consumableRtpEncodings": [{"ssrc": 5555}],
        "paused": paused,
    }


VIDEO_FEEDBACK = [
    {"type": "nack"},
    {"type": "nack", "parameter": "pli"},
    {"type": "ccm", "parameter": "fir"},
]


def video_producer(
    feedback: list[dict[str, Any]] | None = None, key_frame_request_delay: int = 0
) -> dict[str, Any]:
    return {
        "kind": "video",
        "rtpParameters": {
            "mid": "VIDEO",
            "codecs": [
                {
                    "mimeType": "video/VP8",
                    "payloadType": 96,
                    "clockRate": 90000,
                    "parameters": {},
                    "rtcpFeedback": VIDEO_FEEDBACK if feedback is None else feedback,
                },
                {
                    "mimeType": "video/rtx",
                    "payloadType": 97,
                    "clockRate": 90000,
                    "parameters": {"apt": 96},
                    "rtcpFeedback": [],
                },
            ],
            "headerExtensions": [
                {"uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "id": EXT_MID_IN},
                {"uri": "urn:3gpp:video-orientation", "id": EXT_VIDEO_ORIENTATION_IN},
            ],
            "encodings": [{"ssrc": 2222, "rtx": {"ssrc": 2223}}],
            "rtcp": {"cname": "video-cname"},
        },
        "rtpMapping": {
            "codecs": [
                {"payloadType": 96, "mappedPayloadType": 101},
                {"payloadType": 97, "mappedPayloadType": 102},
            ],
            "encodings": [{"ssrc": 2222, "mappedSsrc": 6666}],
        },
        "keyFrameRequestDelay": key_frame_request_delay,
        "paused": False,
    }


def video_consumer(
    ssrc: int = 8888, rtx_ssrc: int | None = 8889, mid: str | None = "1", kind: str = "simple"
) -> dict[str, Any]:
    encoding: dict[str, Any] = {"ssrc": ssrc}
    codecs: list[dict[str, Any]] = [
        {
            "mimeType": "video/VP8",
            "payloadType": 101,
            "clockRate": 90000,
            "parameters": {},
            "rtcpFeedback": VIDEO_FEEDBACK,
        }
    ]
    if rtx_ssrc is not None:
        encoding["rtx"] = {"ssrc": rtx_ssrc}
        codecs.append(
            {
                "mimeType": "video/rtx",
                "payloadType": 102,
                "clockRate": 90000,
                "parameters": {"apt": 101},
                "rtcpFeedback": [],
            }
        )
    params: dict[str, Any] = {
        "codecs": codecs,
        "headerExtensions": [
            {"uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "id": 1},
            {"uri": "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", "id": 4},
            {"uri": "urn:3gpp:video-orientation", "id": 11},
        ],
        "encodings": [encoding],
        "rtcp": {"cname": "video-cname", "reducedSize": True},
    }
    if mid is not None:
        params["mid"] = mid
    return {
        "kind": "video",
        "type": kind,
        "rtpParameters": params,
        "consumableRtpEncodings": [{"ssrc": 6666}],
        "paused": False,
    }


# --- packets ---


def opus_packet(
    seq: int, ts: int, ssrc: int = 1111, level: int | None = 30, payload_type: int = 111
) -> RtpPacket:
    extensions = [(EXT_MID_IN, b"AUDIO"), (EXT_ABS_SEND_TIME_IN, b"\x01\x02\x03")]
    if level is not None:
        extensions.append((EXT_AUDIO_LEVEL_IN, bytes((0x80 | level,))))
    return RtpPacket.create(payload_type, seq, ts, ssrc, b"\xfc" + bytes(40), extensions=extensions)


def vp8_payload(
    key_frame: bool, picture_id: int = 5, tl0_picture_index: int | None = None, tid: int = 0
) -> bytes:
    """X S, then I with a one-byte picture id (and L, T with TL0PICIDX and TID|Y when
    ``tl0_picture_index`` is given); then the VP8 payload header (P bit: inter frame)."""
    header = 0x00 if key_frame else 0x01
    if tl0_picture_index is None:
        return bytes((0x90, 0x80, picture_id & 0x7F, header)) + bytes(100)
    return bytes(
        (0x90, 0xE0, picture_id & 0x7F, tl0_picture_index & 0xFF, (tid << 6) | 0x20, header)
    ) + bytes(98)


def vp8_packet(
    seq: int,
    ts: int,
    key_frame: bool = False,
    ssrc: int = 2222,
    payload_type: int = 96,
    orientation: int | None = None,
    marker: bool = False,
    picture_id: int | None = None,
    tl0_picture_index: int | None = None,
) -> RtpPacket:
    extensions = [(EXT_MID_IN, b"VIDEO")]
    if orientation is not None:
        extensions.append((EXT_VIDEO_ORIENTATION_IN, bytes((orientation,))))
    payload = vp8_payload(key_frame, seq if picture_id is None else picture_id, tl0_picture_index)
    return RtpPacket.create(
        payload_type, seq, ts, ssrc, payload, extensions=extensions, marker=marker
    )


def rtx_packet(
    original: RtpPacket, rtx_seq: int, rtx_ssrc: int = 2223, rtx_pt: int = 97
) -> RtpPacket:
    """``original`` in RFC 4588 form (OSN first in the payload)."""
    payload = original.sequence_number.to_bytes(2, "big") + original.payload
    return RtpPacket.create(
        rtx_pt, rtx_seq, original.timestamp, rtx_ssrc, payload,
        extensions=[(EXT_MID_IN, b"VIDEO")],
    )  # fmt: skip
