"""The Python limit: the least a uvloop process must do to forward RTP to N receivers.

    python -m benchmarks.raw_forwarder '<json config>'   (started by benchmarks.suite)

Same I/O as the worker's PlainTransport (one UDP socket in, read with ``add_reader`` and
up to 64 ``recvfrom`` per wake-up; one UDP socket per consumer, connected to its
destination and written with ``send``, as the worker does once a tuple is known), and the same
rewrite the sink checks (SSRC, payload type, sequence number + a per-consumer offset,
written into a bytearray with one ``pack_into``). With SRTP: one unprotect and N protects
(pylibsrtp, one session per direction and consumer). RTCP is read and dropped; nothing
else (no stats, no retransmission buffer, no RTCP of its own). Prints ``{"port": P}``
once ready and runs until its stdin closes.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import sys
from typing import Any

import uvloop

from benchmarks.loadgen import session
from pymediasoup_worker.net.udp_socket import RECV_BUFFER_SIZE


def main() -> None:
    config: dict[str, Any] = json.loads(sys.argv[1])
    loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)
    sock_in = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock_in.bind(("127.0.0.1", 0))
    # The receive buffer the worker asks for on its sockets (pymediasoup_worker.net.udp_socket).
    sock_in.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECV_BUFFER_SIZE)
    sock_in.setblocking(False)
    in_session = session(config["in_key"], False) if config.get("in_key") else None
    unprotect = in_session.unprotect if in_session is not None else None
    outs = []
    for n, consumer in enumerate(config["consumers"]):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        sock.connect(tuple(consumer["dest"]))
        protect = session(consumer["key"], True).protect if consumer.get("key") else None
        outs.append(
            (sock.send, consumer["pt"], consumer["ssrc"], (1000 + 7919 * n) & 0xFFFF, protect)
        )  # fmt: skip
    rewrite = struct.Struct("!BH4xI").pack_into
    seq_of = struct.Struct("!2xH").unpack_from
    recvfrom = sock_in.recvfrom

    def on_readable() -> None:
        for _ in range(64):
            try:
                data, _addr = recvfrom(65536)
            except (BlockingIOError, InterruptedError):
                return
            if len(data) < 12 or 191 < data[1] < 224:
                continue  # RTCP: dropped
            if unprotect is not None:
                try:
                    data = unprotect(data)
                except Exception:  # noqa: BLE001
                    continue
            marker = data[1] & 0x80
            (seq,) = seq_of(data)
            buf = bytearray(data)
            for send, pt, ssrc, offset, protect in outs:
                rewrite(buf, 1, marker | pt, (seq + offset) & 0xFFFF, ssrc)
                try:
                    if protect is not None:
                        send(protect(bytes(buf)))
                    else:
                        send(buf)
                except OSError:
                    pass

    loop.add_reader(sock_in.fileno(), on_readable)
    stop = loop.create_future()
    loop.add_reader(sys.stdin.fileno(), lambda: stop.done() or stop.set_result(None))
    print(json.dumps({"port": sock_in.getsockname()[1]}), flush=True)
    loop.run_until_complete(stop)


if __name__ == "__main__":
    main()
