"""The Worker, as mediasoup's Worker: routes channel requests to its Routers."""

from __future__ import annotations

import resource
from collections.abc import Awaitable, Callable

from .channel.channel_request import ChannelRequest
from .channel.payload_channel_socket import PayloadNotification
from .errors import MediaSoupError
from .log import error_std, logger
from .rtc.router import Router
from .rtc.shared import Shared
from .settings import parse_log_level, parse_log_tags


class Worker:
    def __init__(self, shared: Shared, pid: int, on_closed: Callable[[], None]) -> None:
        self.shared = shared
        self.pid = pid
        self.routers: dict[str, Router] = {}
        self.closed = False
        self._on_closed = on_closed
        shared.channel.listener = self
        shared.payload_channel.listener = self

    def start(self) -> None:
        self.shared.notify(str(self.pid), "running")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for router in self.routers.values():
            router.close()
        self.routers.clear()
        self.shared.channel.close()
        self.shared.payload_channel.close()
        self._on_closed()

    # Channel.
    def on_channel_request(self, request: ChannelRequest) -> Awaitable[None] | None:
        method = request.method
        if method == "worker.close":
            self.close()  # mediasoup sends no reply
        elif method == "worker.dump":
            request.accept({"pid": self.pid, "routerIds": list(self.routers)})
        elif method == "worker.getResourceUsage":
            request.accept(resource_usage())
        elif method == "worker.updateSettings":
            self._update_settings(request)
        elif method == "worker.createRouter":
            router_id = request.internal.get("routerId")
            if not isinstance(router_id, str):
                raise MediaSoupError("missing internal.routerId")
            if router_id in self.routers:
                raise MediaSoupError("a Router with same routerId already exists")
            self.routers[router_id] = Router(router_id, self.shared)
            request.accept()
        elif method == "router.close":
            router = self._router(request.internal)
            del self.routers[router.id]
            router.close()
            request.accept()
        else:
            self._router(request.internal).handle_request(request)
        return None

    def on_channel_closed(self) -> None:
        error_std("Worker::OnChannelClosed", "channel remotely closed, closing myself")
        self.close()

    # PayloadChannel.
    def on_payload_channel_request(self, request: ChannelRequest) -> Awaitable[None] | None:
        self._router(request.internal).handle_payload_request(request)
        return None

    def on_payload_channel_notification(self, notification: PayloadNotification) -> None:
        self._router(notification.internal).handle_payload_notification(notification)

    def on_payload_channel_closed(self) -> None:
        error_std(
            "Worker::OnPayloadChannelClosed", "payloadChannel remotely closed, closing myself"
        )
        self.close()

    def _router(self, internal: dict) -> Router:
        router_id = internal.get("routerId")
        if not isinstance(router_id, str):
            raise MediaSoupError("missing internal.routerId")
        router = self.routers.get(router_id)
        if router is None:
            raise MediaSoupError("Router not found")
        return router

    def _update_settings(self, request: ChannelRequest) -> None:
        settings = self.shared.settings
        level = request.data.get("logLevel")
        tags = request.data.get("logTags")
        if isinstance(level, str):
            settings.log_level = parse_log_level(level)
        if isinstance(tags, list):
            settings.log_tags = parse_log_tags([t for t in tags if isinstance(t, str)])
        logger.configure(settings.log_level, settings.log_tags)
        print_configuration(settings.describe())
        request.accept()


def print_configuration(lines: list[str]) -> None:
    for line in lines:
        logger.debug("Settings::PrintConfiguration", line, tag="info")


def resource_usage() -> dict[str, int]:
    """getrusage(RUSAGE_SELF) in mediasoup's units (utime and stime in ms)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "ru_utime": int(ru.ru_utime * 1000),
        "ru_stime": int(ru.ru_stime * 1000),
        "ru_maxrss": ru.ru_maxrss,
        "ru_ixrss": ru.ru_ixrss,
        "ru_idrss": ru.ru_idrss,
        "ru_isrss": ru.ru_isrss,
        "ru_minflt": ru.ru_minflt,
        "ru_majflt": ru.ru_majflt,
        "ru_nswap": ru.ru_nswap,
        "ru_inblock": ru.ru_inblock,
        "ru_oublock": ru.ru_oublock,
        "ru_msgsnd": ru.ru_msgsnd,
        "ru_msgrcv": ru.ru_msgrcv,
        "ru_nsignals": ru.ru_nsignals,
        "ru_nvcsw": ru.ru_nvcsw,
        "ru_nivcsw": ru.ru_nivcsw,
    }
