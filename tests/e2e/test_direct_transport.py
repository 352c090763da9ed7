"""DirectTransport with real sockets on the other side: RTP given to a DirectTransport
producer with Producer.send() comes out of a PlainTransport consumer to a Python
receiver, and RTP from a Python sender on a PlainTransport producer comes out of a
DirectTransport consumer as 'rtp' events, rewritten to the consumer's SSRC/PT."""

from __future__ import annotations

import asyncio

import pytest

from .media_peers import (
    LOCALHOST,
    RtpReceiver,
    Vp8Sender,
    build_rtp,
    consumer_rtp_capabilities,
    consumer_ssrcs,
    media_worker,
    opus_rtp_parameters,
    outbound_stats,
    parse_rtp,
    producer_transport,
    transport_port,
    vp8_rtp_parameters,
    wait_for,
)

pytestmark = pytest.mark.e2e

COUNT = 100


async def test_direct_producer_to_plain_consumer() -> None:
    async with media_worker() as (_worker, router):
        direct = await router.create_direct_transport()
        producer = await direct.produce(kind="audio", rtp_parameters=opus_rtp_parameters(1234))
        receiver = RtpReceiver()
        await receiver.open()
        out_transport = await router.create_plain_transport(listen_ip=LOCALHOST, comedia=False)
        await out_transport.connect(ip=LOCALHOST, port=receiver.port)
        consumer = await out_transport.consume(
            producer_id=producer.id, rtp_capabilities=consumer_rtp_capabilities()
        )
        ssrc, _rtx, payload_type, _ = consumer_ssrcs(consumer)
        receiver.media_ssrc = ssrc
        try:
            for i in range(COUNT):
                producer.send(
                    build_rtp(
                        payload_type=111,
                        seq=65500 + i,
                        timestamp=960 * i,
                        ssrc=1234,
                        payload=bytes([i % 256]) * 40,
                    )  # fmt: skip
                )
                if i % 20 == 19:
                    await asyncio.sleep(0.02)  # paced a little, as real audio would be
            await wait_for(
                lambda: receiver.media_count >= COUNT, 5, what="the packets at the receiver"
            )
            assert receiver.contiguous(), receiver.seqs
            assert all(
                p.rtp.ssrc == ssrc and p.rtp.payload_type == payload_type for p in receiver.packets
            )
            payloads = [
                p.rtp.payload
                for p in sorted(receiver.packets, key=lambda p: receiver._extend(p.rtp.seq))
            ]
            assert payloads == [bytes([i % 256]) * 40 for i in range(COUNT)]
            assert (await outbound_stats(consumer))["packetCount"] == COUNT
        finally:
            receiver.close()


async def test_plain_producer_to_direct_consumer() -> None:
    async with media_worker() as (_worker, router):
        send_transport = await producer_transport(router)
        producer = await send_transport.produce(
            kind="video", rtp_parameters=vp8_rtp_parameters(4321)
        )
        direct = await router.create_direct_transport()
        consumer = await direct.consume(
            producer_id=producer.id, rtp_capabilities=consumer_rtp_capabilities()
        )
        ssrc, _rtx, payload_type, _ = consumer_ssrcs(consumer)
        got: list[bytes] = []
        consumer.on("rtp", got.append)
        sender = Vp8Sender(ssrc=4321, fps=30, packets_per_frame=2, seed=23)
        await sender.open((LOCALHOST, transport_port(send_transport)))
        try:
            await sender.start(1.5)
            await wait_for(lambda: len(got) >= len(sender.sent), 3, what="'rtp' events")
            parsed = [parse_rtp(data) for data in got]
            assert all(
                p is not None and p.ssrc == ssrc and p.payload_type == payload_type for p in parsed
            )
            assert [p.payload for p in parsed] == [s.payload for s in sender.sent]  # type: ignore[union-attr]
        finally:
            sender.close()
