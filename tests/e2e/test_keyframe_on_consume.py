"""Key frames on demand: a Python VP8 sender that makes key frames only when asked (PLI
or FIR) produces through a PlainTransport; a consumer created mid-stream must make the
worker ask the sender for a key frame, and the first packet forwarded to the consumer
must be the start of that key frame. A PLI from the consumer's own receiver must reach
the sender too."""

from __future__ import annotations

import time

import pytest

from .media_peers import (
    LOCALHOST,
    RtpReceiver,
    Vp8Sender,
    build_pli,
    consumer_rtp_capabilities,
    consumer_ssrcs,
    inbound_stats,
    media_worker,
    outbound_stats,
    parse_vp8,
    producer_transport,
    transport_port,
    vp8_rtp_parameters,
    wait_for,
)

pytestmark = pytest.mark.e2e

SSRC = 66660000
FPS = 30
DURATION = 4.0


def _bitstream(payload: bytes) -> bytes:
    """The VP8 data after the payload descriptor (the descriptor may be rewritten)."""
    info = parse_vp8(payload)
    assert info is not None, payload[:16].hex()
    return payload[info.descriptor_size :]


async def test_consumer_created_mid_stream_gets_a_key_frame_first() -> None:
    started = time.monotonic()
    async with media_worker() as (_worker, router):
        send_transport = await producer_transport(router)
        producer = await send_transport.produce(
            kind="video", rtp_parameters=vp8_rtp_parameters(SSRC)
        )
        sender = Vp8Sender(
            ssrc=SSRC, fps=FPS, packets_per_frame=3, key_frame_at_start=False, seed=3
        )
        await sender.open((LOCALHOST, transport_port(send_transport)))
        receiver = RtpReceiver()
        await receiver.open()
        try:
            sender.start(DURATION)
            # A new stream that does not start with a key frame: the worker asks for one
            # at once, consumers or not (mediasoup's Producer::ReceiveRtpPacket).
            await wait_for(
                lambda: bool(sender.plis or sender.firs),
                3,
                what="a key frame request for the new stream",
            )
            # Mid-stream: the producer has been receiving frames for a while.
            await wait_for(lambda: sender.frames_sent >= FPS, 5, what="one second of frames")
            assert (await inbound_stats(producer))["packetCount"] > 0
            requests_before = len(sender.plis) + len(sender.firs)

            recv_transport = await router.create_plain_transport(
                listen_ip=LOCALHOST, comedia=False, rtcp_mux=True
            )
            await recv_transport.connect(ip=LOCALHOST, port=receiver.port)
            consumed_at = time.monotonic()
            consumer = await recv_transport.consume(
                producer_id=producer.id, rtp_capabilities=consumer_rtp_capabilities()
            )
            receiver.media_ssrc = consumer_ssrcs(consumer)[0]

            await wait_for(lambda: len(receiver.packets) >= 10, 3, what="packets at the consumer")
            await wait_for(
                lambda: len(sender.plis) + len(sender.firs) > requests_before,
                3,
                what="a PLI or FIR at the sender after consume()",
            )
            requested_at = sorted(sender.plis + sender.firs)[requests_before]
            first = receiver.packets[0].rtp
            first_vp8 = parse_vp8(first.payload)
            detail = (
                f"plis={len(sender.plis)} firs={len(sender.firs)} key_frames_sent={sender.key_frames_sent} "
                f"first packet seq={first.seq} ts={first.timestamp} vp8={first_vp8} "
                f"received={len(receiver.packets)} producer={await inbound_stats(producer)}"
            )
            assert requested_at >= consumed_at, detail
            # The first packet out is the start of the key frame the sender made on request.
            assert first_vp8 is not None and first_vp8.key_frame, detail
            key_packets = [p for p in sender.sent if p.key_frame and p.sent_at >= requested_at]
            assert key_packets, detail
            assert _bitstream(first.payload) == _bitstream(key_packets[0].payload), detail
            # And nothing older was forwarded before it.
            assert min(receiver.seqs) == receiver._extend(first.seq), detail
            inbound = await inbound_stats(producer)
            assert inbound["pliCount"] + inbound["firCount"] == len(sender.plis) + len(
                sender.firs
            ), detail
        finally:
            sender.close()
            receiver.close()
    assert time.monotonic() - started < 30


async def test_receiver_pli_reaches_the_sender() -> None:
    async with media_worker() as (_worker, router):
        send_transport = await producer_transport(router)
        producer = await send_transport.produce(
            kind="video", rtp_parameters=vp8_rtp_parameters(SSRC)
        )
        receiver = RtpReceiver()
        await receiver.open()
        recv_transport = await router.create_plain_transport(
            listen_ip=LOCALHOST, comedia=False, rtcp_mux=True
        )
        await recv_transport.connect(ip=LOCALHOST, port=receiver.port)
        consumer = await recv_transport.consume(
            producer_id=producer.id, rtp_capabilities=consumer_rtp_capabilities()
        )
        receiver.media_ssrc = consumer_ssrcs(consumer)[0]
        sender = Vp8Sender(ssrc=SSRC, fps=FPS, packets_per_frame=2, key_frame_at_start=True, seed=5)
        await sender.open((LOCALHOST, transport_port(send_transport)))
        try:
            sender.start(DURATION)
            await wait_for(lambda: len(receiver.packets) >= 2 * FPS, 5, what="a second of media")
            before = len(sender.plis) + len(sender.firs)
            key_frames_before = len(sender.key_frames_sent)
            index = len(receiver.packets)
            receiver.send_rtcp(build_pli(0x5EC0DE, receiver.media_ssrc))
            await wait_for(
                lambda: len(sender.plis) + len(sender.firs) > before,
                3,
                what="the PLI at the sender",
            )
            await wait_for(
                lambda: any(
                    (info := parse_vp8(p.rtp.payload)) is not None and info.key_frame
                    for p in receiver.packets[index:]
                ),
                3,
                what="a key frame forwarded after the PLI",
            )
            out = await outbound_stats(consumer)
            assert out["pliCount"] == 1, out
            assert len(sender.key_frames_sent) > key_frames_before
        finally:
            sender.close()
            receiver.close()
