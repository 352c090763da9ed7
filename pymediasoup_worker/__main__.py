"""``python -m pymediasoup_worker``: the worker process, as mediasoup-worker 3.7.11.

Spawned by a controller, it talks on fds 3-6 (Channel in/out, PayloadChannel in/out).
Run by hand with those fds closed (or with ``--stdio``), it reads JSON requests from
stdin and prints what it would send. Imports here are kept few: start-up time matters.
"""

from __future__ import annotations

import os
import sys

USAGE = """\
usage: python -m pymediasoup_worker [--logLevel=LEVEL] [--logTag=TAG ...]
                                    [--rtcMinPort=N] [--rtcMaxPort=N]
                                    [--dtlsCertificateFile=PATH --dtlsPrivateKeyFile=PATH]
                                    [--stdio]

pymediasoup's media worker. A controller (pymediasoup, or mediasoup's Node library)
spawns it with the Channel on fds 3/4 and the PayloadChannel on fds 5/6, and sets
MEDIASOUP_VERSION in its environment.

Run from a terminal (fds 3-6 not open, or with --stdio), it is driven by hand: type one
JSON request per line, e.g.

  {"method": "worker.createRouter", "internal": {"routerId": "r1"}}
  {"method": "router.dump", "internal": {"routerId": "r1"}}

"id" is filled in when missing. A line with "event" instead of "method" is a
PayloadChannel notification; its "payload" (a string) is the message. Responses are
printed after "<-", notifications after "**", log lines as mediasoup writes them
(D/W/E). End with Ctrl-D.

options (the form is --name=value, as mediasoup-worker takes them):
  --logLevel=debug|warn|error|none    (default error; stdio mode: debug)
  --logTag=TAG  repeatable: info ice dtls rtp srtp rtcp rtx bwe score simulcast svc
                sctp message
  --rtcMinPort=N --rtcMaxPort=N       port range for RTC transports (10000-59999)
  --dtlsCertificateFile=PATH --dtlsPrivateKeyFile=PATH  PEM files; both or neither
  --stdio                             force the terminal mode
  --help                              this text
"""

CHANNEL_FDS = (3, 4, 5, 6)


def _fds_open(fds: tuple[int, ...]) -> bool:
    for fd in fds:
        try:
            os.fstat(fd)
        except OSError:
            return False
    return True


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if "--help" in args or "-h" in args:
        sys.stdout.write(USAGE)
        sys.exit(0)
    stdio = "--stdio" in args or not _fds_open(CHANNEL_FDS)
    args = [a for a in args if a != "--stdio"]
    if not stdio and "MEDIASOUP_VERSION" not in os.environ:
        sys.stderr.write("mediasoup-worker::main() | you don't seem to be my real father!\n")
        sys.exit(1)
    from .process import run

    sys.exit(run(args, stdio=stdio))


if __name__ == "__main__":
    main()
