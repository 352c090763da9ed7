"""Spawning the worker process with the Channel and PayloadChannel on its fds 3-6.

``os.posix_spawnp`` with dup2 file actions puts each pipe end on its fd in the child,
whatever event loop the caller runs; the exit is watched through a pidfd (or a thread
where pidfds are missing).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Worker-side fds: Channel in/out, PayloadChannel in/out.
CHANNEL_READ_FD, CHANNEL_WRITE_FD, PAYLOAD_READ_FD, PAYLOAD_WRITE_FD = 3, 4, 5, 6


def worker_command() -> list[str]:
    """The worker to run: $PYMEDIASOUP_WORKER_BIN, else this interpreter's pymediasoup_worker."""
    binary = os.environ.get("PYMEDIASOUP_WORKER_BIN")
    if binary:
        return [binary]
    return [sys.executable, "-m", "pymediasoup_worker"]


@dataclass
class SpawnedProcess:
    pid: int
    channel_write: int  # we write requests (worker's fd 3)
    channel_read: int  # we read responses, notifications, logs (worker's fd 4)
    payload_write: int  # worker's fd 5
    payload_read: int  # worker's fd 6
    stdout: int
    stderr: int

    def parent_fds(self) -> tuple[int, ...]:
        return (
            self.channel_write, self.channel_read, self.payload_write, self.payload_read,
            self.stdout, self.stderr,
        )  # fmt: skip


def spawn(args: list[str], env: dict[str, str]) -> SpawnedProcess:
    """Start the worker; the parent keeps the returned ends, the child gets fds 1-6."""
    pipes = [os.pipe() for _ in range(6)]
    (
        (c_in_r, c_in_w),
        (c_out_r, c_out_w),
        (p_in_r, p_in_w),
        (p_out_r, p_out_w),
        (o_r, o_w),
        (e_r, e_w),
    ) = pipes
    child_map = {
        1: o_w, 2: e_w,
        CHANNEL_READ_FD: c_in_r, CHANNEL_WRITE_FD: c_out_w,
        PAYLOAD_READ_FD: p_in_r, PAYLOAD_WRITE_FD: p_out_w,
    }  # fmt: skip
    # Move the child's ends above the target numbers first, so no dup2 clobbers another.
    high = {target: fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for target, fd in child_map.items()}
    actions: list[tuple[Any, ...]] = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)]
    actions += [(os.POSIX_SPAWN_DUP2, fd, target) for target, fd in high.items()]
    command = worker_command() + args
    try:
        pid = os.posix_spawnp(command[0], command, env, file_actions=actions)
    finally:
        for fd in (*child_map.values(), *high.values()):
            os.close(fd)
    return SpawnedProcess(pid, c_in_w, c_out_r, p_in_w, p_out_r, o_r, e_r)


def describe_exit(status: int) -> tuple[int | None, str | None]:
    """(code, signal name) from a wait status, one of them None, as Node reports exits."""
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        try:
            return None, signal.Signals(signum).name
        except ValueError:
            return None, str(signum)
    return os.WEXITSTATUS(status), None


def watch_exit(
    loop: asyncio.AbstractEventLoop, pid: int, on_exit: Callable[[int | None, str | None], None]
) -> None:
    """Call ``on_exit(code, signal)`` on the loop once the process has ended (and reap it)."""

    def reap() -> bool:
        try:
            got, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            on_exit(None, None)
            return True
        if got == 0:
            return False
        on_exit(*describe_exit(status))
        return True

    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = -1
    if pidfd >= 0:

        def on_readable() -> None:
            if reap():
                loop.remove_reader(pidfd)
                os.close(pidfd)

        loop.add_reader(pidfd, on_readable)
        return

    def wait_in_thread() -> None:
        try:
            _, status = os.waitpid(pid, 0)
            result = describe_exit(status)
        except ChildProcessError:
            result = (None, None)
        loop.call_soon_threadsafe(on_exit, *result)

    threading.Thread(target=wait_in_thread, name=f"wait-worker-{pid}", daemon=True).start()
