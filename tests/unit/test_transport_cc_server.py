"""TransportCongestionControlServer: rows of steps on a fake clock.

A row is a list of ``(step, expected output)``; a step is one of

* ``("connect", now)``, ``("disconnect",)``;
* ``("pkt", now, wide_seq)``: a packet of SSRC 1111 with that transport-wide sequence
  number (transport-cc) / ``("ast", now, send_ms)``: one of 1250 bytes with abs-send-time
  ``send_ms`` (REMB);
* ``("timer", now)``: ``on_timer``; ``("max", now, bitrate)``: the maximum incoming bitrate.

Outputs are summarized: ``"tcc base=B n=N #C"`` with ``" lost=[...]"`` for the sequence
numbers reported lost, ``"remb BITRATE"``; ``[]`` means nothing to send.
"""

from __future__ import annotations

from typing import Any

import pytest

from pymediasoup_worker.core.rtp.rtcp.remb import FeedbackPsRembPacket
from pymediasoup_worker.core.rtp.rtcp.twcc import FeedbackRtpTransportPacket
from pymediasoup_worker.core.transport_cc_server import (
    LIMITATION_REMB_INTERVAL_MS,
    REMB_MIN_BITRATE,
    BweType,
    TransportCongestionControlServer,
    bwe_type_for_producer,
)

SSRC = 1111
ABS_SEND_TIME_UNITS_PER_MS = (1 << 18) / 1000


def abs_send_time(ms: float) -> int:
    return int(ms * ABS_SEND_TIME_UNITS_PER_MS) & 0xFFFFFF


def summarize(packets: list[Any] | None) -> list[str]:
    out = []
    for packet in packets or []:
        if isinstance(packet, FeedbackRtpTransportPacket):
            # What goes on the wire, parsed back.
            wire = FeedbackRtpTransportPacket.parse(packet.serialize())
            assert wire.media_ssrc == SSRC and wire.sender_ssrc == 0
            text = f"tcc base={wire.base_sequence_number} n={wire.packet_status_count}"
            text += f" #{wire.feedback_packet_count}"
            lost = [r.sequence_number for r in wire.get_packet_results() if not r.received]
            if lost:
                text += f" lost={lost}"
            out.append(text)
        else:
            assert isinstance(packet, FeedbackPsRembPacket)
            remb = FeedbackPsRembPacket.parse(packet.serialize())
            out.append(f"remb {remb.bitrate}")
    return out


def run(server: TransportCongestionControlServer, steps: list[tuple[Any, list[str]]]) -> None:
    for index, (step, expected) in enumerate(steps):
        command = step[0]
        if command == "connect":
            server.transport_connected(step[1])
            out = None
        elif command == "disconnect":
            server.transport_disconnected()
            out = None
        elif command == "pkt":
            out = server.incoming_packet(step[1], SSRC, 1250, wide_seq=step[2])
        elif command == "ast":
            out = server.incoming_packet(step[1], SSRC, 1250, abs_send_time=abs_send_time(step[2]))
        elif command == "timer":
            out = server.on_timer(step[1])
        elif command == "max":
            out = server.set_max_incoming_bitrate(step[2], step[1])
        else:
            raise AssertionError(command)
        assert summarize(out) == expected, f"step {index}: {step}"


def pkts(start_ms: int, seqs: list[int], every_ms: int = 10) -> list[tuple[Any, list[str]]]:
    return [(("pkt", start_ms + i * every_ms, seq & 0xFFFF), []) for i, seq in enumerate(seqs)]


TRANSPORT_CC_ROWS = [
    pytest.param(
        [(("connect", 0), []), *pkts(10, [1, 2, 3, 4, 5]), (("timer", 100), ["tcc base=2 n=4 #0"])],
        id="first-packet-is-the-base",
    ),
    pytest.param(
        [
            (("connect", 0), []),
            *pkts(10, [1, 2, 3]),
            (("timer", 100), ["tcc base=2 n=2 #0"]),
            *pkts(110, [4, 5, 6]),
            (("timer", 200), ["tcc base=4 n=3 #1"]),
        ],
        id="the-latest-packet-carries-over-as-base",
    ),
    pytest.param(
        [
            (("connect", 0), []),
            (("timer", 50), []),
            (("timer", 100), []),
            *pkts(110, [7]),
            (("timer", 200), []),
        ],
        id="nothing-to-report",
    ),
    pytest.param(
        [
            (("connect", 0), []),
            *pkts(10, [1, 2, 5, 6]),
            (("timer", 100), ["tcc base=2 n=5 #0 lost=[3, 4]"]),
        ],
        id="losses",
    ),
    pytest.param(
        [
            (("connect", 0), []),
            *pkts(10, [1, 3, 2, 3, 4, 1]),
            (("timer", 100), ["tcc base=2 n=3 #0 lost=[2]"]),
        ],
        id="late-reported-lost-and-repeated-ignored",
    ),
    pytest.param(
        [
            (("connect", 0), []),
            *pkts(10, [1, 2]),
            (("disconnect",), []),
            (("timer", 100), []),
            (("connect", 200), []),
            *pkts(210, [3, 4, 5]),
            (("timer", 300), ["tcc base=4 n=2 #0"]),
            *pkts(310, [6]),
            (("timer", 400), ["tcc base=6 n=1 #1"]),
        ],
        id="disconnect-drops-what-was-collected",
    ),
    pytest.param(
        [
            (("connect", 0), []),
            *pkts(10, [1, 2]),
            (("pkt", 40, 9000), []),  # more than 8191 missing: start over
            (("pkt", 50, 9001), []),
            (("timer", 100), []),  # 9001 only became the base
            (("pkt", 110, 9002), []),
            (("timer", 200), ["tcc base=9002 n=1 #0"]),
        ],
        id="too-large-a-jump-starts-over",
    ),
]


@pytest.mark.parametrize("steps", TRANSPORT_CC_ROWS)
def test_transport_cc(steps: list[tuple[Any, list[str]]]) -> None:
    run(TransportCongestionControlServer(BweType.TRANSPORT_CC), steps)


@pytest.mark.parametrize("start", [0, 65530, 65534, 65535])
def test_transport_cc_wraps(start: int) -> None:
    """Sequence numbers across the 16-bit wrap, the start swept over it."""
    seqs = [start + i for i in range(8)]
    run(
        TransportCongestionControlServer(BweType.TRANSPORT_CC),
        [
            (("connect", 0), []),
            *pkts(10, seqs[:4]),
            (("timer", 100), [f"tcc base={(start + 1) & 0xFFFF} n=3 #0"]),
            *pkts(110, seqs[4:6] + seqs[7:]),
            (
                ("timer", 200),
                [f"tcc base={(start + 4) & 0xFFFF} n=4 #1 lost=[{(start + 6) & 0xFFFF}]"],
            ),
        ],
    )


def test_transport_cc_deadline_every_100_ms_while_connected() -> None:
    server = TransportCongestionControlServer(BweType.TRANSPORT_CC)
    assert server.next_deadline() is None
    server.transport_connected(1000)
    assert server.next_deadline() == 1100
    assert server.on_timer(1099) is None and server.next_deadline() == 1100
    server.on_timer(1100)
    assert server.next_deadline() == 1200
    server.transport_disconnected()
    assert server.next_deadline() is None


def test_transport_cc_feedback_sent_at_once_when_it_would_not_fit() -> None:
    # A small maximum: every lost run costs a chunk; when the next one would not fit, the
    # feedback goes now and the packet starts the next one.
    server = TransportCongestionControlServer(BweType.TRANSPORT_CC, max_rtcp_packet_len=40)
    server.transport_connected(0)
    sent: list[str] = []
    for i in range(40):
        sent += summarize(server.incoming_packet(i, SSRC, 100, wide_seq=3 * i))
    assert sent and all(s.startswith("tcc") for s in sent)
    counts = [int(s.split("#")[1].split()[0]) for s in sent]
    assert counts == list(range(len(sent)))
    for packet_text in sent:
        assert " lost=" in packet_text


def test_transport_cc_feedback_sent_at_once_when_full() -> None:
    # Every other packet lost (so that statuses are counted as they come, in vector chunks),
    # no timer: the feedback goes when its status count reaches the limit.
    server = TransportCongestionControlServer(BweType.TRANSPORT_CC, max_rtcp_packet_len=1 << 20)
    server.transport_connected(0)
    sent: list[Any] = []
    for i in range(33000):
        sent += server.incoming_packet(i // 100, SSRC, 100, wide_seq=2 * i) or []
    (packet,) = sent
    assert packet.base_sequence_number == 1
    assert 65528 <= packet.packet_status_count <= 65535


def test_limitation_remb_with_transport_cc() -> None:
    """mediasoup: with a maximum set, a REMB carrying it at most every 1.5 s (on packets);
    removing the maximum sends four REMBs of 0 (unlimited), the first at once."""
    interval = LIMITATION_REMB_INTERVAL_MS
    run(
        TransportCongestionControlServer(BweType.TRANSPORT_CC),
        [
            (("connect", 0), []),
            (("max", 0, 500000), []),
            (("pkt", 10, 1), ["remb 500000"]),
            (("pkt", 20, 2), []),
            (("pkt", 10 + interval, 3), []),
            (("pkt", 11 + interval, 4), ["remb 500000"]),
            (("max", 2000, 0), ["remb 0"]),
            (("pkt", 2010, 5), []),
            (("pkt", 2001 + interval, 6), ["remb 0"]),
            (("pkt", 2002 + 2 * interval, 7), ["remb 0"]),
            (("pkt", 2003 + 3 * interval, 8), ["remb 0"]),
            (("pkt", 2004 + 4 * interval, 9), []),
        ],
    )


# --- REMB ----------------------------------------------------------------------------------


def steady(start_ms: int, end_ms: int, offset_ms: float = 5000.0) -> list[tuple[Any, list[str]]]:
    """1250-byte packets every 10 ms (1 Mbps), arriving ``offset_ms`` after being sent."""
    return [(("ast", t, t - offset_ms), []) for t in range(start_ms, end_ms, 10)]


REMB_ROWS = [
    pytest.param(
        [(("connect", 0), []), *steady(0, 1000), (("timer", 1000), ["remb 1080000"])],
        id="grows-8-percent-over-the-incoming-rate",
    ),
    pytest.param(
        [
            (("connect", 0), []),
            *steady(0, 1000),
            (("timer", 1000), ["remb 1080000"]),
            *steady(1000, 2000),
            (("timer", 2000), ["remb 1166400"]),
            *steady(2000, 3000),
            (("timer", 3000), ["remb 1259712"]),
            *steady(3000, 4000),
            (("timer", 4000), ["remb 1360488"]),
            *steady(4000, 5000),
            (("timer", 5000), ["remb 1469320"]),  # 1469327 in REMB's 18-bit mantissa
            *steady(5000, 6000),
            (("timer", 6000), ["remb 1510000"]),  # 1.5 x 1 Mbps + 10 kbps at most
        ],
        id="bounded-by-what-arrives",
    ),
    pytest.param(
        [
            (("connect", 0), []),
            *steady(0, 1000),
            (("timer", 1000), ["remb 1080000"]),
            # Queueing delay grows by 60 ms over the next second: overuse.
            *[(("ast", t, t - 5000 - (t - 1000) * 0.06), []) for t in range(1000, 2000, 10)],
            (("timer", 2000), ["remb 850000"]),
        ],
        id="overuse-drops-below-the-incoming-rate",
    ),
    pytest.param(
        [
            (("connect", 0), []),
            (("max", 0, 300000), []),
            *steady(0, 1000),
            (("timer", 1000), ["remb 300000"]),
            (("max", 1000, 0), ["remb 0"]),  # 0: no limit any more (as mediasoup)
            *steady(1000, 2000),
            (("timer", 2000), ["remb 1080000"]),
        ],
        id="capped-by-the-maximum-incoming-bitrate",
    ),
    pytest.param(
        [
            (("connect", 0), []),
            (("timer", 1000), []),
            (("ast", 1500, 500), []),
            (("timer", 2000), [f"remb {REMB_MIN_BITRATE}"]),
        ],
        id="nothing-received-nothing-sent-then-the-floor",
    ),
    pytest.param(
        [
            (("connect", 0), []),
            *[(("ast", t, 63500 + t), []) for t in range(0, 1000, 10)],  # wraps at 64 s
            (("timer", 1000), ["remb 1080000"]),
        ],
        id="abs-send-time-wrap",
    ),
]


@pytest.mark.parametrize("steps", REMB_ROWS)
def test_remb(steps: list[tuple[Any, list[str]]]) -> None:
    run(TransportCongestionControlServer(BweType.REMB), steps)


def test_remb_available_bitrate_and_deadline() -> None:
    server = TransportCongestionControlServer("remb")
    assert server.available_bitrate == 0
    server.transport_connected(0)
    assert server.next_deadline() == 1000
    for t in range(0, 1000, 10):
        assert server.incoming_packet(t, SSRC, 1250, abs_send_time=abs_send_time(t)) is None
    assert server.incoming_packet(500, SSRC, 1250) is None  # no abs-send-time: ignored
    (remb,) = server.on_timer(1000) or []
    assert isinstance(remb, FeedbackPsRembPacket) and remb.ssrcs == [SSRC]
    assert server.available_bitrate == remb.bitrate == 1080000
    assert server.next_deadline() == 2000


def test_transport_cc_ignores_packets_without_wide_seq() -> None:
    server = TransportCongestionControlServer("transport-cc")
    server.transport_connected(0)
    assert server.incoming_packet(10, SSRC, 100) is None
    assert server.on_timer(100) is None
    assert server.available_bitrate == 0


TCC_FB = [{"type": "transport-cc"}]
REMB_FB = [{"type": "goog-remb"}]


@pytest.mark.parametrize(
    ("ids", "feedback", "expected"),
    [
        ({"transportWideCc01": 5, "absSendTime": 4}, TCC_FB + REMB_FB, BweType.TRANSPORT_CC),
        ({"transportWideCc01": 5, "absSendTime": 4}, REMB_FB, BweType.REMB),
        ({"transportWideCc01": 0, "absSendTime": 4}, TCC_FB + REMB_FB, BweType.REMB),
        ({"transportWideCc01": 5, "absSendTime": 0}, REMB_FB, None),
        ({"transportWideCc01": 0, "absSendTime": 0}, TCC_FB + REMB_FB, None),
        ({"transportWideCc01": 5}, [{"type": "nack"}], None),
    ],
)
def test_bwe_type_for_producer(
    ids: dict[str, int], feedback: list[dict[str, str]], expected: BweType | None
) -> None:
    codecs: list[dict[str, Any]] = [
        {"mimeType": "video/VP8", "rtcpFeedback": []},
        {"rtcpFeedback": feedback},
    ]
    assert bwe_type_for_producer(ids, codecs) == expected
