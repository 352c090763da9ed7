"""Creating and closing many transports leaves nothing behind: sockets, fds, tasks, memory."""

from __future__ import annotations

import asyncio
import os

import pymediasoup

OPUS = {"kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2}
ROUNDS = 1000


def open_fds(pid: int | str = "self") -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


async def one_round(router: pymediasoup.Router, rtp_capabilities: dict) -> None:
    send = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
    recv = await router.create_webrtc_transport(listen_ips=["127.0.0.1"])
    producer = await send.produce(
        kind="audio",
        rtp_parameters={
            "mid": "0",
            "codecs": [
                {"mimeType": "audio/opus", "payloadType": 111, "clockRate": 48000, "channels": 2}
            ],
            "encodings": [{"ssrc": 11111111}],
            "rtcp": {"cname": "leak-test"},
        },
    )
    await recv.consume(producer_id=producer.id, rtp_capabilities=rtp_capabilities)
    send.close()
    recv.close()


async def test_thousand_webrtc_transports_leave_nothing_behind() -> None:
    async with await pymediasoup.create_worker(log_level="warn") as worker:
        router = await worker.create_router(media_codecs=[OPUS])
        caps = router.rtp_capabilities
        # Warm up: lazy imports, the DTLS certificate, first allocations.
        for _ in range(20):
            await one_round(router, caps)
        await asyncio.sleep(0.2)
        fds_worker, fds_ours = open_fds(worker.pid), open_fds()
        tasks, rss = len(asyncio.all_tasks()), rss_kib(worker.pid)

        for _ in range(ROUNDS):
            await one_round(router, caps)
        await asyncio.sleep(0.2)

        dump = await router.dump()
        assert dump["transportIds"] == [] and dump["mapProducerIdConsumerIds"] == {}
        assert open_fds(worker.pid) == fds_worker  # every UDP socket closed
        assert open_fds() == fds_ours
        assert len(asyncio.all_tasks()) == tasks
        # 2,000 transports with a producer and a consumer each came and went: the worker's
        # memory may settle a little higher (allocator pools), not grow with the count.
        assert rss_kib(worker.pid) - rss < 16 * 1024


async def test_closed_workers_release_their_pipes_at_once() -> None:
    before = open_fds()
    for _ in range(5):
        worker = await pymediasoup.create_worker()
        await worker.dump()
        worker.close()
    # Only the exit watchers (one pidfd each) may remain until the processes are reaped.
    assert open_fds() - before <= 5
    await asyncio.sleep(0)
