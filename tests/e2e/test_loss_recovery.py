"""NACK/RTX through real sockets with 5% seeded loss on one leg.

(a) Consumer leg: worker -> relay (drops 5% of the consumer's RTP) -> a Python receiver
    that sends generic NACKs (RFC 4585) for gaps; the consumer retransmits (as RTX when
    it has RTX). Checked: >= 95% of the dropped packets repaired, and the consumer's
    nackCount / nackPacketCount / packetsRetransmitted agree with what the receiver asked
    and the relay dropped.
(b) Producer leg: a Python VP8 sender -> relay (drops 5% of its RTP) -> worker; the
    worker's NACK generator asks the sender, which answers from its history (RTX when the
    producer has RTX). Checked: every dropped packet NACKed, producer stats
    nackCount / nackPacketCount / packetsRepaired / packetsLost agree with the drops, and a
    loss-free consumer downstream receives every packet the sender sent.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from .lossy_relay import LossyRelay
from .media_peers import (
    LOCALHOST,
    RtpReceiver,
    Vp8Sender,
    consumer_rtp_capabilities,
    consumer_ssrcs,
    inbound_stats,
    media_worker,
    outbound_stats,
    producer_transport,
    transport_port,
    vp8_rtp_parameters,
    wait_for,
)

pytestmark = pytest.mark.e2e

SSRC, RTX_SSRC = 55550000, 55550001
DURATION = 3.0
FPS = 50
PACKETS_PER_FRAME = 4  # 200 packets/s, ~600 in all, ~29 dropped at 5%
MIN_REPAIRED = 0.95


async def _consumer_side(router: Any, relay: LossyRelay) -> Any:
    transport = await router.create_plain_transport(
        listen_ip=LOCALHOST, comedia=False, rtcp_mux=True
    )
    relay.set_worker(transport_port(transport))
    await transport.connect(ip=LOCALHOST, port=relay.worker_facing_port)
    return transport


@pytest.mark.parametrize("rtx", [False, True], ids=["nack-plain", "nack-rtx"])
async def test_loss_on_consumer_leg_repaired_by_nack(rtx: bool) -> None:
    started = time.monotonic()
    async with media_worker() as (_worker, router):
        send_transport = await producer_transport(router)
        producer = await send_transport.produce(
            kind="video", rtp_parameters=vp8_rtp_parameters(SSRC)
        )

        receiver = RtpReceiver(nack=True)
        await receiver.open()
        relay = LossyRelay(drop_towards="peer")
        await relay.open(peer_addr=(LOCALHOST, receiver.port))
        recv_transport = await _consumer_side(router, relay)
        consumer = await recv_transport.consume(
            producer_id=producer.id, rtp_capabilities=consumer_rtp_capabilities(rtx=rtx)
        )
        ssrc, rtx_ssrc, _pt, rtx_pt = consumer_ssrcs(consumer)
        assert (rtx_ssrc is not None) == rtx, consumer.rtp_parameters
        receiver.media_ssrc, receiver.rtx_ssrc, receiver.rtx_payload_type = ssrc, rtx_ssrc, rtx_pt
        relay.drop_ssrcs = {ssrc}

        sender = Vp8Sender(ssrc=SSRC, fps=FPS, packets_per_frame=PACKETS_PER_FRAME, seed=7)
        await sender.open((LOCALHOST, transport_port(send_transport)))
        try:
            await sender.start(DURATION)
            try:  # the last packets and their repairs may still be in flight
                await wait_for(
                    lambda: receiver.media_count >= len(sender.sent) and not receiver.missing,
                    3,
                    what="repairs",
                )
            except TimeoutError:
                pass
            dropped = relay.dropped_seqs

            def repaired() -> set[int]:
                return {s & 0xFFFF for s in receiver.repaired} & dropped

            async def stats_agree() -> bool:
                out = await outbound_stats(consumer)
                return out["nackCount"] == receiver.nacks_sent

            try:
                await wait_for(stats_agree, 2, what="consumer nackCount to catch up")
            except TimeoutError:
                pass
            out = await outbound_stats(consumer)
            detail = (
                f"sent={len(sender.sent)} relay to_peer={relay.to_peer} "
                f"received={receiver.media_count} dropped={len(dropped)} repaired={len(repaired())} "
                f"by_rtx={len(receiver.repaired_by_rtx)} nacks_sent={receiver.nacks_sent} "
                f"nack_items={receiver.nack_items_sent} still_missing={len(receiver.missing)} "
                f"other_ssrcs={receiver.other_ssrcs} consumer_stats={out}"
            )
            print(detail)
            assert len(sender.sent) >= 0.9 * DURATION * FPS * PACKETS_PER_FRAME, detail
            assert len(dropped) >= 10, detail
            assert receiver.media_count > 0, detail
            assert len(repaired()) >= MIN_REPAIRED * len(dropped), detail
            if rtx:
                repaired_rtx = {s & 0xFFFF for s in receiver.repaired_by_rtx} & dropped
                assert len(repaired_rtx) >= MIN_REPAIRED * len(dropped), detail
                assert not any(
                    p.rtx is False and (p.original_seq in dropped) for p in receiver.packets
                ), "with RTX, a dropped packet came back on the media SSRC: " + detail
            # The worker saw every NACK the receiver sent (RTCP is never dropped) ...
            assert out["nackCount"] == receiver.nacks_sent, detail
            assert out["nackPacketCount"] == receiver.nack_items_sent, detail
            # ... and retransmitted each dropped packet (at least once, not much more).
            assert out["packetsRetransmitted"] >= MIN_REPAIRED * len(dropped), detail
            assert out["packetsRetransmitted"] <= receiver.nack_items_sent, detail
            # Every packet reached the receiver once repaired; packetCount leaves out
            # retransmissions.
            assert receiver.contiguous(), detail
            assert receiver.media_count == len(sender.sent), detail
            assert out["packetCount"] == len(sender.sent), detail
        finally:
            sender.close()
            receiver.close()
            relay.close()
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("rtx", [False, True], ids=["nack-plain", "nack-rtx"])
async def test_loss_on_producer_leg_repaired_by_worker_nack(rtx: bool) -> None:
    started = time.monotonic()
    async with media_worker() as (_worker, router):
        send_transport = await producer_transport(router)
        producer = await send_transport.produce(
            kind="video",
            rtp_parameters=vp8_rtp_parameters(SSRC, rtx_ssrc=RTX_SSRC if rtx else None),
        )
        relay = LossyRelay(drop_towards="worker", drop_ssrcs={SSRC})
        await relay.open(worker_addr=(LOCALHOST, transport_port(send_transport)))

        receiver = RtpReceiver(nack=False)
        await receiver.open()
        recv_transport = await router.create_plain_transport(
            listen_ip=LOCALHOST, comedia=False, rtcp_mux=True
        )
        await recv_transport.connect(ip=LOCALHOST, port=receiver.port)
        consumer = await recv_transport.consume(
            producer_id=producer.id, rtp_capabilities=consumer_rtp_capabilities()
        )
        receiver.media_ssrc = consumer_ssrcs(consumer)[0]

        sender = Vp8Sender(
            ssrc=SSRC,
            rtx_ssrc=RTX_SSRC if rtx else None,
            fps=FPS,
            packets_per_frame=PACKETS_PER_FRAME,
            seed=11,
        )
        await sender.open((LOCALHOST, relay.peer_facing_port))
        try:
            await sender.start(DURATION)
            try:
                await wait_for(
                    lambda: receiver.media_count >= len(sender.sent),
                    3,
                    what="all packets downstream",
                )
            except TimeoutError:
                pass
            dropped = relay.dropped_seqs

            def nacked_dropped() -> set[int]:
                return set(sender.nacked_seqs) & dropped

            async def repaired_enough() -> bool:
                return (await inbound_stats(producer))["packetsRepaired"] >= len(dropped)

            try:
                await wait_for(repaired_enough, 2, what="producer packetsRepaired")
            except TimeoutError:
                pass
            # packetsLost is refreshed when a receiver report is made (every second or
            # so), after the stream too: wait for the one that covers the last drop.
            expected_lost = len(dropped) if rtx else 0

            async def lost_settled() -> bool:
                return (await inbound_stats(producer))["packetsLost"] == expected_lost

            try:
                await wait_for(lost_settled, 2.5, what="producer packetsLost")
            except TimeoutError:
                pass
            inbound = await inbound_stats(producer)
            detail = (
                f"sent={len(sender.sent)} relay to_worker={relay.to_worker} dropped={len(dropped)} "
                f"nack_packets_at_sender={sender.nack_packets} nacked={len(sender.nacked_seqs)} "
                f"nacked_dropped={len(nacked_dropped())} retransmitted={len(sender.retransmitted)} "
                f"downstream={receiver.media_count} contiguous={receiver.contiguous()} "
                f"producer_stats={inbound} consumer_stats={await outbound_stats(consumer)}"
            )
            print(detail)
            assert len(dropped) >= 10, detail
            # The worker NACKed every dropped packet, and the sender heard it.
            assert len(nacked_dropped()) >= MIN_REPAIRED * len(dropped), detail
            assert inbound["nackCount"] > 0, detail
            assert inbound["nackCount"] >= sender.nack_packets, detail
            assert inbound["nackPacketCount"] >= len(nacked_dropped()), detail
            # Repairs: each dropped packet came back once (the relay never drops a resend).
            assert MIN_REPAIRED * len(dropped) <= inbound["packetsRepaired"] <= len(dropped), detail
            assert inbound["packetsRetransmitted"] == len(sender.retransmitted), detail
            # packetsLost (RFC 3550, on the media SSRC, as of the last receiver report):
            # plain retransmissions fill the gaps, RTX ones arrive on another SSRC.
            assert inbound["packetsLost"] == expected_lost, detail
            # Downstream, nothing is missing.
            assert receiver.media_count >= len(sender.sent), detail
            assert receiver.contiguous(), detail
        finally:
            sender.close()
            receiver.close()
            relay.close()
    assert time.monotonic() - started < 30
