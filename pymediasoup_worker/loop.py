"""The worker's event loop: channel pipes, signals, owned tasks, and the run until close."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from pymediasoup.channel.pipe import PipeReader, PipeWriter

from .channel.channel_socket import ChannelSocket
from .channel.payload_channel_socket import PayloadChannelSocket
from .errors import MediaSoupError
from .log import error_std, logger
from .rtc.shared import Shared
from .settings import Settings
from .worker import Worker

EXIT_OK, EXIT_FAILURE = 0, 1


def now_ms() -> int:
    """Monotonic milliseconds, mediasoup's DepLibUV::GetTimeMs()."""
    return time.monotonic_ns() // 1_000_000


def new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class TaskOwner:
    """Every task the worker starts, so that none is fire-and-forget."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = self._loop.create_task(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()


def run_loop(settings: Settings, pid: int, stdio: bool) -> int:
    from .process import CLOSING_SIGNALS, early_close

    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    tasks = TaskOwner(loop)
    readers: list[PipeReader] = []
    flush: Callable[[], None]
    channel: ChannelSocket
    payload_channel: PayloadChannelSocket
    if stdio:
        from .channel.stdio import StdioChannels

        io = StdioChannels(loop, tasks.spawn)
        channel, payload_channel, flush = io.channel, io.payload_channel, io.flush
    else:
        writer4, writer6 = PipeWriter(loop, 4), PipeWriter(loop, 6)
        channel = ChannelSocket(writer4.write, tasks.spawn)
        payload_channel = PayloadChannelSocket(writer6.write, tasks.spawn)

        def flush() -> None:
            writer4.flush_blocking()
            writer6.flush_blocking()

    logger.sink = channel.send_log
    from .net.socket_factory import SocketFactory

    sockets = SocketFactory(loop, settings)
    shared = Shared(
        channel=channel,
        payload_channel=payload_channel,
        settings=settings,
        now_ms=now_ms,
        spawn=tasks.spawn,
        bind_udp=sockets.bind_udp,
        bind_tcp=sockets.bind_tcp,
        set_timer=lambda delay_ms, callback: loop.call_later(delay_ms / 1000, callback),
    )
    worker = Worker(shared, pid, on_closed=loop.stop)
    for signum in CLOSING_SIGNALS:
        loop.add_signal_handler(signum, worker.close)
    if early_close:
        loop.call_soon(worker.close)
    if stdio:
        io.start(worker)
        worker.start()  # the pipe mode sent `running` before the loop existed
    else:
        readers.append(PipeReader(loop, 3, channel.receive, channel.remote_closed))
        readers.append(PipeReader(loop, 5, payload_channel.receive, payload_channel.remote_closed))
    try:
        loop.run_forever()
    except MediaSoupError as exc:
        error_std("mediasoup-worker::run_worker", f"failure exit: {exc}")
        return EXIT_FAILURE
    finally:
        for reader in readers:
            reader.close()
        tasks.cancel_all()
        flush()
    return EXIT_OK
