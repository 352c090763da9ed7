"""A Worker: one worker process and its Routers (mediasoup's Worker.ts)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import uuid
from typing import Any

from .channel.channel import Channel
from .channel.payload_channel import PayloadChannel
from .channel.pipe import PipeReader
from .enhanced_event_emitter import EnhancedEventEmitter
from .errors import InvalidStateError, MediasoupError
from .router import Router
from .types import RtpCodecCapability
from .utils import check_app_data
from .worker_process import spawn, watch_exit

logger = logging.getLogger("pymediasoup.Worker")
worker_logger = logging.getLogger("pymediasoup.worker")

MEDIASOUP_VERSION = "3.7.11"  # the protocol we speak, passed to the worker as mediasoup does


def _settings_args(
    log_level: Any,
    log_tags: Any,
    rtc_min_port: Any,
    rtc_max_port: Any,
    dtls_certificate_file: Any,
    dtls_private_key_file: Any,
) -> list[str]:
    """argv for the worker, as Node builds it; values are checked by the worker (exit 42)."""
    args: list[str] = []
    if log_level is not None:
        if not isinstance(log_level, str):
            raise TypeError("logLevel must be a string")
        if log_level:
            args.append(f"--logLevel={log_level}")
    if log_tags is not None:
        if not isinstance(log_tags, (list, tuple)) or not all(isinstance(t, str) for t in log_tags):
            raise TypeError("logTags must be a list of strings")
        args += [f"--logTag={tag}" for tag in log_tags if tag]
    for name, value in (("rtcMinPort", rtc_min_port), ("rtcMaxPort", rtc_max_port)):
        if value is None:
            continue
        if type(value) is not int:
            raise TypeError(f"{name} must be an integer")
        args.append(f"--{name}={value}")
    for name, value in (
        ("dtlsCertificateFile", dtls_certificate_file),
        ("dtlsPrivateKeyFile", dtls_private_key_file),
    ):
        if value is None:
            continue
        if not isinstance(value, (str, os.PathLike)):
            raise TypeError(f"{name} must be a string")
        if str(value):
            args.append(f"--{name}={os.fspath(value)}")
    return args


class Worker(EnhancedEventEmitter):
    """Create with :func:`pymediasoup.create_worker`."""

    def __init__(self, args: list[str], app_data: dict[str, Any]) -> None:
        super().__init__()
        self._loop = asyncio.get_running_loop()
        env = dict(os.environ)
        env.setdefault("MEDIASOUP_VERSION", MEDIASOUP_VERSION)
        logger.debug("spawning worker process: %s", " ".join(args))
        process = spawn(args, env)
        self._process = process
        self._pid = process.pid
        self._child_alive = True
        self._channel = Channel(self._loop, process.channel_write, process.channel_read, self._pid)
        self._payload_channel = PayloadChannel(
            self._loop, process.payload_write, process.payload_read
        )
        self._output = (
            PipeReader(
                self._loop,
                process.stdout,
                self._line_logger(worker_logger.debug, "(stdout)"),
                lambda: None,
            ),
            PipeReader(
                self._loop,
                process.stderr,
                self._line_logger(worker_logger.error, "(stderr)"),
                lambda: None,
            ),
        )
        self._closed = False
        self._fds_released = False
        self._died = False
        self._app_data = app_data
        self._routers: set[Router] = set()
        self._observer = EnhancedEventEmitter()
        self._started: asyncio.Future[None] = self._loop.create_future()
        self._channel.once(str(self._pid), self._on_running)
        watch_exit(self._loop, self._pid, self._on_exit)

    @staticmethod
    def _line_logger(log: Any, prefix: str) -> Any:
        def on_data(data: bytes) -> None:
            for line in data.decode(errors="replace").split("\n"):
                if line:
                    log("%s %s", prefix, line)

        return on_data

    def _on_running(self, event: str, _data: Any = None) -> None:
        if event == "running" and not self._started.done():
            logger.debug("worker process running [pid:%s]", self._pid)
            self._started.set_result(None)

    def _on_exit(self, code: int | None, signal_name: str | None) -> None:
        self._child_alive = False
        self._release_fds()
        if self._closed:
            return
        self.close()
        if not self._started.done():
            if code == 42:
                logger.error("worker process failed due to wrong settings [pid:%s]", self._pid)
                self._started.set_exception(TypeError("wrong settings"))
            else:
                logger.error(
                    "worker process failed unexpectedly [pid:%s, code:%s, signal:%s]",
                    self._pid, code, signal_name,
                )  # fmt: skip
                self._started.set_exception(
                    MediasoupError(f"[pid:{self._pid}, code:{code}, signal:{signal_name}]")
                )
            return
        logger.error(
            "worker process died unexpectedly [pid:%s, code:%s, signal:%s]",
            self._pid,
            code,
            signal_name,
        )
        self._died = True
        self.safe_emit(
            "died", MediasoupError(f"[pid:{self._pid}, code:{code}, signal:{signal_name}]")
        )

    def _release_fds(self) -> None:
        """Close our ends of the worker's pipes, once (an fd number may be reused after)."""
        if self._fds_released:
            return
        self._fds_released = True
        for reader in self._output:
            reader.close()
        self._channel.close()
        self._payload_channel.close()
        for fd in self._process.parent_fds():
            try:
                os.close(fd)
            except OSError:
                pass

    async def wait_running(self) -> None:
        await self._started

    @property
    def pid(self) -> int:
        return self._pid

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def died(self) -> bool:
        return self._died

    @property
    def app_data(self) -> dict[str, Any]:
        return self._app_data

    @app_data.setter
    def app_data(self, value: Any) -> None:
        raise MediasoupError("cannot override appData object")

    @property
    def observer(self) -> EnhancedEventEmitter:
        return self._observer

    def close(self) -> None:
        if self._closed:
            return
        logger.debug("close()")
        self._closed = True
        if self._child_alive:
            try:
                os.kill(self._pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        # Nothing more is read or written: the pipes go now, the exit watcher reaps the child.
        self._release_fds()
        for router in list(self._routers):
            router.worker_closed()
        self._routers.clear()
        self._observer.safe_emit("close")

    async def __aenter__(self) -> Worker:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidStateError("Worker closed")

    async def dump(self) -> dict[str, Any]:
        self._check_open()
        return await self._channel.request("worker.dump")

    async def get_resource_usage(self) -> dict[str, int]:
        self._check_open()
        return await self._channel.request("worker.getResourceUsage")

    async def update_settings(
        self, *, log_level: str | None = None, log_tags: list[str] | None = None
    ) -> None:
        self._check_open()
        data: dict[str, Any] = {}
        if log_level is not None:
            data["logLevel"] = log_level
        if log_tags is not None:
            data["logTags"] = log_tags
        await self._channel.request("worker.updateSettings", None, data)

    async def create_router(
        self,
        *,
        media_codecs: list[RtpCodecCapability] | None = None,
        app_data: dict[str, Any] | None = None,
    ) -> Router:
        self._check_open()
        app_data = check_app_data(app_data)
        from . import ortc

        rtp_capabilities = ortc.generate_router_rtp_capabilities(media_codecs)
        internal = {"routerId": str(uuid.uuid4())}
        await self._channel.request("worker.createRouter", internal)
        router = Router(
            internal=internal,
            data={"rtpCapabilities": rtp_capabilities},
            channel=self._channel,
            payload_channel=self._payload_channel,
            app_data=app_data,
        )
        self._routers.add(router)
        router.on("@close", lambda: self._routers.discard(router))
        self._observer.safe_emit("newrouter", router)
        return router


async def create_worker(
    *,
    log_level: str | None = "error",
    log_tags: list[str] | None = None,
    rtc_min_port: int | None = 10000,
    rtc_max_port: int | None = 59999,
    dtls_certificate_file: str | None = None,
    dtls_private_key_file: str | None = None,
    app_data: dict[str, Any] | None = None,
) -> Worker:
    """Spawn a worker process and wait until it runs (mediasoup's ``createWorker``)."""
    from . import observer

    app_data = check_app_data(app_data)
    args = _settings_args(
        log_level,
        log_tags,
        rtc_min_port,
        rtc_max_port,
        dtls_certificate_file,
        dtls_private_key_file,
    )
    worker = Worker(args, app_data)
    try:
        await worker.wait_running()
    except asyncio.CancelledError:
        worker.close()
        raise
    observer.safe_emit("newworker", worker)
    return worker
