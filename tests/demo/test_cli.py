"""The `pymediasoup-demo` command: options, the bundle's build, and its INFO logs."""

from __future__ import annotations

import asyncio
import socket
import sys

import pytest

from pymediasoup.demo import bundle
from pymediasoup.demo.__main__ import config_from_args, main, server_parser

from .client import clients


def test_options_make_the_config() -> None:
    args = server_parser().parse_args(
        ["--port", "3443", "--workers", "3", "--announced-ip", "192.0.2.10",
         "--rtc-min-port", "41000", "--rtc-max-port", "41999", "--cert", "c.pem", "--key", "k.pem"]
    )  # fmt: skip
    config = config_from_args(args)
    assert (config.port, config.num_workers) == (3443, 3)
    assert config.listen_ip == {"ip": "0.0.0.0", "announcedIp": "192.0.2.10"}
    assert config.public_ip == "192.0.2.10"
    assert (config.rtc_min_port, config.rtc_max_port) == (41000, 41999)
    assert config_from_args(server_parser().parse_args([])).listen_ip == {
        "ip": "127.0.0.1",
        "announcedIp": None,
    }


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--workers", "0"], "at least 1"),
        (["--rtc-min-port", "5000", "--rtc-max-port", "4000"], "above"),
        (["--cert", "c.pem"], "go together"),
        (["--rtc-listen-ip", "0.0.0.0"], "--announced-ip"),
    ],
)
def test_bad_options_are_refused(argv: list[str], message: str) -> None:
    with pytest.raises(SystemExit, match=message):
        config_from_args(server_parser().parse_args(argv))


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--workers", "--announced-ip", "--rtc-min-port", "--cert", "--log-level"):
        assert option in out


def test_missing_node_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no node, no npm
    with pytest.raises(bundle.BundleError, match="needs Node.js 18\\+ and npm"):
        bundle.ensure_bundle(force=True)


def test_missing_node_exits_1(monkeypatch: pytest.MonkeyPatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["--rebuild", "--port", "1"]) == 1
    assert "npm" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_the_command_serves_and_logs_who_joined_produced_consumed_and_left() -> None:
    """`python -m pymediasoup.demo` as a person runs it (it builds the bundle if missing)."""
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pymediasoup.demo", "--port", str(port), "--workers", "1",
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    lines: list[str] = []

    async def read_until(text: str, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not any(text in line for line in lines):
                line = await process.stderr.readline()  # type: ignore[union-attr]
                if not line:
                    raise AssertionError("the demo exited:\n" + "".join(lines))
                lines.append(line.decode(errors="replace"))

    try:
        await read_until("pymediasoup demo: open", 240)  # may build the bundle first
        assert bundle.bundle_path().exists()
        url = f"http://127.0.0.1:{port}/"
        async with clients(url, "logs", "Alice", "Bob") as (a, b):
            await a.join()
            await a.produce("video")
            await b.join()
            await b.wait_for("newConsumer")
            await read_until("consumes", 10)
        await read_until("left", 10)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 15)
    log = "".join(lines)
    assert 'peer "Alice" [peer-alice] joined' in log
    assert 'peer "Alice" [peer-alice] produced video (video/VP8' in log
    assert 'peer "Bob" [peer-bob] consumes "Alice" [peer-alice]\'s video' in log
    assert "left" in log
    assert "Traceback" not in log
