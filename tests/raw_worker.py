"""A worker process driven byte by byte over its real pipes, for protocol tests."""

from __future__ import annotations

import os
import select
import signal
import time
from typing import Any

import orjson

from pymediasoup.channel.codec import NetstringDecoder, encode
from pymediasoup.worker_process import describe_exit, spawn


class RawWorker:
    def __init__(self, args: list[str] | None = None, env: dict[str, str] | None = None) -> None:
        if env is None:
            env = dict(os.environ, MEDIASOUP_VERSION="3.7.11")
        self.process = spawn(args or [], env)
        self.pid = self.process.pid
        self._channel = NetstringDecoder()
        self._payload = NetstringDecoder()
        self.items: list[Any] = []  # decoded fd 4 netstrings, in order
        self.payload_items: list[bytes] = []  # raw fd 6 netstrings, in order
        self.stderr = b""
        self.exit: tuple[int | None, str | None] | None = None

    # Writing.
    def write(self, data: bytes) -> None:
        os.write(self.process.channel_write, data)

    def request(self, **message: Any) -> None:
        self.write(encode(orjson.dumps(message)))

    def write_payload(self, data: bytes) -> None:
        os.write(self.process.payload_write, data)

    # Reading.
    def pump(self, timeout: float) -> None:
        fds = {self.process.channel_read, self.process.payload_read, self.process.stderr}
        # poll(), not select(): a long test run may hold fds above select()'s 1024 limit.
        poller = select.poll()
        for fd in fds:
            poller.register(fd, select.POLLIN)
        ready = [fd for fd, _event in poller.poll(timeout * 1000)]
        for fd in ready:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                data = b""
            if fd == self.process.stderr:
                self.stderr += data
            elif fd == self.process.channel_read:
                for item in self._channel.feed(data):
                    assert isinstance(item, bytes)
                    self.items.append(orjson.loads(item) if item[:1] == b"{" else item.decode())
            else:
                self.payload_items.extend(
                    i for i in self._payload.feed(data) if isinstance(i, bytes)
                )

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for item in self.items:
                if predicate(item):
                    return item
            self.pump(0.05)
        raise AssertionError(
            f"not seen within {timeout}s; got {self.items!r} stderr={self.stderr!r}"
        )

    def reply(self, request_id: int, timeout: float = 10.0) -> dict[str, Any]:
        return self.wait_for(lambda m: isinstance(m, dict) and m.get("id") == request_id, timeout)

    def wait_running(self) -> None:
        self.wait_for(lambda m: isinstance(m, dict) and m.get("event") == "running")

    def wait_exit(self, timeout: float = 10.0) -> tuple[int | None, str | None]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pump(0)
                self.exit = describe_exit(status)
                return self.exit
            self.pump(0.02)
        raise AssertionError("worker did not exit")

    def alive(self) -> bool:
        return os.waitpid(self.pid, os.WNOHANG)[0] == 0

    def close(self) -> None:
        if self.exit is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                self.wait_exit()
            except (ProcessLookupError, ChildProcessError):
                pass
        for fd in self.process.parent_fds():
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self) -> RawWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
