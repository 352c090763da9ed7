"""Two workers joined by pipe_to_router (plain, enable_srtp, enable_rtx): RTP from a
Python sender on worker A's PlainTransport reaches a PlainTransport consumer on worker
B, rewritten to the consumer's SSRC and payload type with one constant sequence-number
offset and one constant timestamp offset, every packet present, the VP8 data intact."""

from __future__ import annotations

import time

import pytest

from .media_peers import (
    LOCALHOST,
    RtpReceiver,
    Vp8Sender,
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

SSRC = 77770000
FPS = 30
DURATION = 2.0


def _bitstream(payload: bytes) -> bytes:
    info = parse_vp8(payload)
    assert info is not None, payload[:16].hex()
    return payload[info.descriptor_size :]


@pytest.mark.parametrize(
    "options",
    [{}, {"enable_srtp": True}, {"enable_rtx": True}, {"enable_srtp": True, "enable_rtx": True}],
    ids=["plain", "srtp", "rtx", "srtp+rtx"],
)
async def test_pipe_to_router_between_workers(options: dict[str, bool]) -> None:
    started = time.monotonic()
    async with media_worker() as (worker_a, router_a), media_worker() as (worker_b, router_b):
        assert worker_a.pid != worker_b.pid
        send_transport = await producer_transport(router_a)
        producer = await send_transport.produce(
            kind="video", rtp_parameters=vp8_rtp_parameters(SSRC, rtx_ssrc=SSRC + 1)
        )
        result = await router_a.pipe_to_router(
            producer_id=producer.id, router=router_b, listen_ip=LOCALHOST, **options
        )
        assert result.pipe_producer is not None and result.pipe_producer.id == producer.id
        assert result.pipe_consumer is not None
        pipe_params = result.pipe_consumer.rtp_parameters
        has_rtx = any(c["mimeType"].lower() == "video/rtx" for c in pipe_params["codecs"])
        assert has_rtx == bool(options.get("enable_rtx")), pipe_params

        receiver = RtpReceiver()
        await receiver.open()
        recv_transport = await router_b.create_plain_transport(
            listen_ip=LOCALHOST, comedia=False, rtcp_mux=True
        )
        await recv_transport.connect(ip=LOCALHOST, port=receiver.port)
        consumer = await recv_transport.consume(
            producer_id=producer.id, rtp_capabilities=consumer_rtp_capabilities()
        )
        ssrc, _rtx_ssrc, payload_type, _rtx_pt = consumer_ssrcs(consumer)
        receiver.media_ssrc = ssrc

        sender = Vp8Sender(ssrc=SSRC, fps=FPS, packets_per_frame=2, seed=13)
        await sender.open((LOCALHOST, transport_port(send_transport)))
        try:
            await sender.start(DURATION)
            try:
                await wait_for(lambda: receiver.media_count >= len(sender.sent), 3)
            except TimeoutError:
                pass
            pipe_out = await outbound_stats(result.pipe_consumer)
            pipe_in = await inbound_stats(result.pipe_producer)
            out = await outbound_stats(consumer)
            detail = (
                f"sent={len(sender.sent)} received={receiver.media_count} other_ssrcs={receiver.other_ssrcs} "
                f"undecodable={receiver.undecodable} pipe_consumer={pipe_out} pipe_producer={pipe_in} "
                f"consumer={out}"
            )
            assert receiver.media_count == len(sender.sent), detail
            assert receiver.contiguous() and receiver.duplicates == 0, detail
            assert not receiver.other_ssrcs, detail

            by_bitstream = {_bitstream(p.payload): p for p in sender.sent}
            seq_offsets, ts_offsets = set(), set()
            for packet in receiver.packets:
                rtp = packet.rtp
                assert rtp.ssrc == ssrc and rtp.payload_type == payload_type, detail
                original = by_bitstream.get(_bitstream(rtp.payload))
                assert original is not None, f"payload not sent by the sender: {detail}"
                assert rtp.marker == original.marker, detail
                seq_offsets.add((rtp.seq - original.seq) & 0xFFFF)
                ts_offsets.add((rtp.timestamp - original.timestamp) & 0xFFFFFFFF)
            assert len(seq_offsets) == 1, f"seq offsets {seq_offsets}: {detail}"
            assert len(ts_offsets) == 1, f"timestamp offsets {ts_offsets}: {detail}"
            assert pipe_out["packetCount"] == len(sender.sent), detail
            assert pipe_in["packetCount"] == len(sender.sent), detail
            assert out["packetCount"] == len(sender.sent), detail
        finally:
            sender.close()
            receiver.close()
    assert time.monotonic() - started < 30
