"""The worker process: settings, the `running` notification, the event loop, the exit code.

Start-up is in two steps. The first imports almost nothing: it parses the settings
(exit 42 on error), writes the start-up log lines and the ``running`` notification
straight to fd 4. The second imports asyncio, uvloop and the object graph and starts
reading requests; a controller's first requests wait in the pipe meanwhile.
"""

from __future__ import annotations

import os
import signal
import sys

from pymediasoup.channel.codec import encode

from .errors import MediaSoupTypeError
from .log import error_std, logger
from .settings import Settings, parse_argv

EXIT_OK, EXIT_FAILURE, EXIT_SETTINGS = 0, 1, 42
IGNORED_SIGNALS = (signal.SIGPIPE, signal.SIGHUP, signal.SIGALRM, signal.SIGUSR1, signal.SIGUSR2)
CLOSING_SIGNALS = (signal.SIGINT, signal.SIGTERM)

# A closing signal that arrives before the loop runs; the loop then closes at once.
early_close: list[int] = []


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


def _write_netstring_to_channel(line: bytes) -> None:
    try:
        _write_all(4, encode(line))
    except OSError:
        pass


def run(argv: list[str], stdio: bool) -> int:
    if not stdio:
        logger.sink = _write_netstring_to_channel
    else:
        logger.sink = lambda line: print(line.decode(errors="replace"), flush=True)
    try:
        settings = parse_argv(argv)
        if stdio and not any(a.lstrip("-").startswith("logL") for a in argv):
            settings.log_level = "debug"
    except MediaSoupTypeError as exc:
        logger.error("Settings::SetConfiguration", f"throwing MediaSoupTypeError: {exc}")
        error_std("mediasoup-worker::run_worker", f"settings error: {exc}")
        return EXIT_SETTINGS
    logger.configure(settings.log_level, settings.log_tags)
    for signum in IGNORED_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    for signum in CLOSING_SIGNALS:
        signal.signal(signum, lambda signum, _frame: early_close.append(signum))
    log_start(settings)
    pid = os.getpid()
    if not stdio:
        # mediasoup's `running`, keys sorted as the worker's JSON always is.
        _write_netstring_to_channel(b'{"event":"running","targetId":"%d"}' % pid)

    from .loop import run_loop

    return run_loop(settings, pid, stdio)


def log_start(settings: Settings) -> None:
    if not logger.debug_enabled("info"):
        return
    from . import __version__
    from .worker import print_configuration

    where = "mediasoup-worker::run_worker"
    version = os.environ.get("MEDIASOUP_VERSION", __version__)
    logger.debug(where, f"starting mediasoup-worker process [version:{version}]", tag="info")
    logger.debug(where, f"{sys.byteorder}-endian CPU detected", tag="info")
    logger.debug(
        where, f"{64 if sys.maxsize > 2**32 else 32} bits architecture detected", tag="info"
    )
    print_configuration(settings.describe())
    logger.debug(
        where, f"pymediasoup_worker {__version__}, Python {sys.version.split()[0]}", tag="info"
    )
