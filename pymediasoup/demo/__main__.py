"""``pymediasoup-demo`` / ``python -m pymediasoup.demo``: run the video-room demo server.

``pymediasoup-demo broadcast --room ROOM`` instead sends a test pattern (or a file) into a
room with ffmpeg, through the broadcaster API.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import sys
from typing import Any

from .config import DemoConfig, default_num_workers

_LOG_LEVELS = ("debug", "info", "warning", "error")
_WORKER_LOG_LEVELS = ("debug", "warn", "error", "none")


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number")
    return value


def _ip(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IP address") from None


def server_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pymediasoup-demo",
        description="A video-room demo on pymediasoup (open http://HOST:PORT/?room=NAME). "
        "`pymediasoup-demo broadcast --help` tells how to send ffmpeg media into a room.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="HTTP/WebSocket address (127.0.0.1)")
    parser.add_argument("--port", type=_port, default=3000, help="HTTP/WebSocket port (3000)")
    parser.add_argument(
        "--workers",
        type=int,
        default=default_num_workers(),
        help=f"media worker processes; rooms are spread over them (one per core: {default_num_workers()})",
    )
    parser.add_argument(
        "--announced-ip",
        type=_ip,
        help="the IP browsers and ffmpeg send media to, when it is not the listen IP "
        "(a public or LAN address; implies --rtc-listen-ip 0.0.0.0 unless given)",
    )
    parser.add_argument(
        "--rtc-listen-ip",
        type=_ip,
        help="the IP the media sockets bind to (127.0.0.1, or 0.0.0.0 with --announced-ip)",
    )
    parser.add_argument(
        "--rtc-min-port", type=_port, default=40000, help="lowest media port (40000)"
    )
    parser.add_argument(
        "--rtc-max-port", type=_port, default=49999, help="highest media port (49999)"
    )
    parser.add_argument("--cert", metavar="FILE", help="TLS certificate (PEM): serve https/wss")
    parser.add_argument("--key", metavar="FILE", help="TLS private key (PEM) for --cert")
    parser.add_argument(
        "--dtls-cert", metavar="FILE", help="the workers' DTLS certificate (default: generated)"
    )
    parser.add_argument("--dtls-key", metavar="FILE", help="private key for --dtls-cert")
    parser.add_argument(
        "--log-level", choices=_LOG_LEVELS, default="info", help="server log level (info)"
    )
    parser.add_argument(
        "--worker-log-level",
        choices=_WORKER_LOG_LEVELS,
        default="warn",
        help="the workers' own log level (warn)",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild the browser bundle even if it exists"
    )
    return parser


def config_from_args(args: argparse.Namespace) -> DemoConfig:
    if args.workers < 1:
        raise SystemExit("pymediasoup-demo: --workers must be at least 1")
    if args.rtc_min_port > args.rtc_max_port:
        raise SystemExit("pymediasoup-demo: --rtc-min-port is above --rtc-max-port")
    if bool(args.cert) != bool(args.key):
        raise SystemExit("pymediasoup-demo: --cert and --key go together")
    if bool(args.dtls_cert) != bool(args.dtls_key):
        raise SystemExit("pymediasoup-demo: --dtls-cert and --dtls-key go together")
    listen_ip = args.rtc_listen_ip or ("0.0.0.0" if args.announced_ip else "127.0.0.1")
    if listen_ip in ("0.0.0.0", "::") and not args.announced_ip:
        raise SystemExit(
            f"pymediasoup-demo: with --rtc-listen-ip {listen_ip}, give --announced-ip "
            "(the address browsers can reach)"
        )
    return DemoConfig(
        host=args.host,
        port=args.port,
        cert_file=args.cert,
        key_file=args.key,
        num_workers=args.workers,
        worker_log_level=args.worker_log_level,
        rtc_min_port=args.rtc_min_port,
        rtc_max_port=args.rtc_max_port,
        rtc_listen_ip=listen_ip,
        announced_ip=args.announced_ip,
        dtls_certificate_file=args.dtls_cert,
        dtls_private_key_file=args.dtls_key,
    )


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    numeric = getattr(logging, level.upper())
    logging.getLogger("pymediasoup.demo").setLevel(numeric)
    if numeric <= logging.DEBUG:
        logging.getLogger("pymediasoup").setLevel(logging.DEBUG)
    logging.getLogger("aiohttp").setLevel(max(numeric, logging.WARNING))


def _check_aiohttp() -> None:
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        raise SystemExit(
            "pymediasoup-demo needs aiohttp: pip install 'pymediasoup-sfu[demo]' "
            "(or pip install 'aiohttp>=3.9')"
        ) from None


def serve(argv: list[str]) -> int:
    args = server_parser().parse_args(argv)
    config = config_from_args(args)
    _setup_logging(args.log_level)
    _check_aiohttp()
    logger = logging.getLogger("pymediasoup.demo")
    from .bundle import BundleError, ensure_bundle

    try:
        ensure_bundle(force=args.rebuild)
    except BundleError as exc:
        print(f"pymediasoup-demo: {exc}", file=sys.stderr)
        return 1
    if config.host not in ("127.0.0.1", "localhost", "::1") and not config.cert_file:
        logger.warning(
            "serving on %s without --cert/--key: browsers allow camera and microphone only "
            "on https pages (or localhost)",
            config.host,
        )
    if config.rtc_listen_ip == "127.0.0.1" and config.host not in ("127.0.0.1", "localhost"):
        logger.warning(
            "media listens on 127.0.0.1 only: give --announced-ip for browsers on other machines"
        )
    from .server import run

    try:
        _run(run(config))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"pymediasoup-demo: {exc}", file=sys.stderr)
        return 1
    return 0


def _run(coro: Any) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
    else:
        uvloop.run(coro)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["broadcast"]:
        from .ffmpeg import broadcast_main

        return broadcast_main(argv[1:])
    return serve(argv)


if __name__ == "__main__":
    sys.exit(main())
