"""Start a worker, create a router, print their dumps: the smallest pymediasoup program."""

from __future__ import annotations

import asyncio
import json

import pymediasoup

MEDIA_CODECS = [
    {"kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2},
    {"kind": "video", "mimeType": "video/VP8", "clockRate": 90000},
]


async def main() -> None:
    async with await pymediasoup.create_worker(log_level="warn") as worker:
        worker.on("died", lambda error: print("worker died:", error))
        router = await worker.create_router(media_codecs=MEDIA_CODECS)
        print(f"worker pid {worker.pid}: {json.dumps(await worker.dump())}")
        print("router dump:", json.dumps(await router.dump(), indent=2))
        codecs = [
            f"{c['mimeType']}/{c['clockRate']} pt={c['preferredPayloadType']}"
            for c in router.rtp_capabilities["codecs"]
        ]
        print("router codecs:", ", ".join(codecs))
        usage = await worker.get_resource_usage()
        print(
            f"worker CPU so far: {usage['ru_utime'] + usage['ru_stime']} ms, max RSS {usage['ru_maxrss']} KiB"
        )


if __name__ == "__main__":
    asyncio.run(main())
