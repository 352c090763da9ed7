"""Non-blocking pipe I/O on the event loop for the channel file descriptors (both sides use it)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

_READ_SIZE = 1 << 18


class PipeWriter:
    """Writes whole chunks to a pipe without blocking the loop; buffers when it is full."""

    def __init__(self, loop: asyncio.AbstractEventLoop, fd: int) -> None:
        self._loop = loop
        self._fd = fd
        self._buffer = bytearray()
        self._broken = False
        os.set_blocking(fd, False)

    def write(self, data: bytes) -> None:
        if self._broken:
            return
        if self._buffer:
            self._buffer += data
            return
        try:
            written = os.write(self._fd, data)
        except BlockingIOError:
            written = 0
        except OSError:
            self._broken = True
            return
        if written < len(data):
            self._buffer += data[written:]
            self._loop.add_writer(self._fd, self._on_writable)

    def _on_writable(self) -> None:
        try:
            written = os.write(self._fd, self._buffer)
        except BlockingIOError:
            return
        except OSError:
            self._broken = True
            self._buffer.clear()
            self._loop.remove_writer(self._fd)
            return
        del self._buffer[:written]
        if not self._buffer:
            self._loop.remove_writer(self._fd)

    def close(self) -> None:
        """Stop writing; what is still buffered is dropped."""
        if not self._broken:
            self._broken = True
            if self._buffer:
                self._loop.remove_writer(self._fd)
                self._buffer.clear()

    def flush_blocking(self) -> None:
        """Write out what is buffered (used once, when the worker exits)."""
        if self._broken or not self._buffer:
            return
        self._loop.remove_writer(self._fd)
        try:
            os.set_blocking(self._fd, True)
            while self._buffer:
                written = os.write(self._fd, self._buffer)
                del self._buffer[:written]
        except OSError:
            self._broken = True


class PipeReader:
    """Calls ``on_data(bytes)`` for what arrives on ``fd`` and ``on_eof()`` once at its end."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        fd: int,
        on_data: Callable[[bytes], None],
        on_eof: Callable[[], None],
    ) -> None:
        self._loop = loop
        self._fd = fd
        self._on_data = on_data
        self._on_eof = on_eof
        self._open = True
        os.set_blocking(fd, False)
        loop.add_reader(fd, self._on_readable)

    def _on_readable(self) -> None:
        try:
            data = os.read(self._fd, _READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self._on_data(data)
        else:
            self.close()
            self._on_eof()

    def close(self) -> None:
        if self._open:
            self._open = False
            self._loop.remove_reader(self._fd)
