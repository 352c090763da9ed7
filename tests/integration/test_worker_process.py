"""The worker process as mediasoup-worker 3.7.11: fds, settings, exit codes, signals, robustness."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from pymediasoup.channel.codec import NS_PAYLOAD_MAX_LEN, encode
from tests.raw_worker import RawWorker

RESOURCE_KEYS = {
    "ru_utime", "ru_stime", "ru_maxrss", "ru_ixrss", "ru_idrss", "ru_isrss", "ru_minflt",
    "ru_majflt", "ru_nswap", "ru_inblock", "ru_oublock", "ru_msgsnd", "ru_msgrcv",
    "ru_nsignals", "ru_nvcsw", "ru_nivcsw",
}  # fmt: skip


@pytest.fixture
def worker() -> RawWorker:
    with RawWorker() as raw:
        raw.wait_running()
        yield raw


def test_running_notification_targets_pid(worker: RawWorker) -> None:
    running = worker.wait_for(lambda m: isinstance(m, dict) and m.get("event") == "running")
    assert running == {"event": "running", "targetId": str(worker.pid)}


def test_missing_mediasoup_version_exits_1() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MEDIASOUP_VERSION"}
    with RawWorker(env=env) as raw:
        assert raw.wait_exit() == (1, None)
        assert b"you don't seem to be my real father!" in raw.stderr


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--logLevel=chicken"], "invalid value 'chicken' for logLevel"),
        (["--rtcMinPort=1000", "--rtcMaxPort=999"], "rtcMaxPort cannot be less than rtcMinPort"),
        (["--rtcMinPort=1000", "--rtcMaxPort=65536"], "rtcMaxPort cannot be less than rtcMinPort"),
        (["--dtlsCertificateFile=/notfound/cert.pem"], "missing dtlsPrivateKeyFile"),
        (["--bogus=1"], "unknown configuration parameter: (null)"),
        (["--logLevel"], "unknown configuration parameter: (null)"),
    ],
)
def test_settings_errors_exit_42(args: list[str], reason: str) -> None:
    with RawWorker(args) as raw:
        assert raw.wait_exit() == (42, None)
        assert f"settings error: {reason}".encode() in raw.stderr
        assert any(isinstance(i, str) and i.startswith("E") and reason in i for i in raw.items)


def test_worker_close_request_gets_no_reply_and_exits_0(worker: RawWorker) -> None:
    worker.request(id=1, method="worker.close")
    assert worker.wait_exit() == (0, None)
    assert not [m for m in worker.items if isinstance(m, dict) and m.get("id") == 1]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_closing_signals_exit_0(worker: RawWorker, signum: int) -> None:
    os.kill(worker.pid, signum)
    assert worker.wait_exit() == (0, None)


@pytest.mark.parametrize("fd_attr", ["channel_write", "payload_write"])
def test_eof_on_channel_closes(worker: RawWorker, fd_attr: str) -> None:
    os.close(getattr(worker.process, fd_attr))
    assert worker.wait_exit() == (0, None)
    assert b"remotely closed, closing myself" in worker.stderr
    setattr(worker.process, fd_attr, os.open(os.devnull, os.O_RDONLY))  # keep close() simple


def test_ignored_signals(worker: RawWorker) -> None:
    for signum in (signal.SIGPIPE, signal.SIGHUP, signal.SIGALRM, signal.SIGUSR1, signal.SIGUSR2):
        os.kill(worker.pid, signum)
    worker.request(id=1, method="worker.dump")
    assert worker.reply(1)["accepted"] is True
    assert worker.alive()


@pytest.mark.parametrize(
    ("garbage", "stderr"),
    [
        (encode(b"{invalid json"), b"JSON parsing error"),
        (encode(b'{"method":"worker.dump"}'), b"discarding wrong Channel request"),
        (encode(b"[]"), b"discarding wrong Channel request"),
        (b"12x:garbage,", b"NETSTRING_ERROR_NO_COLON"),
        (b"%d:" % (NS_PAYLOAD_MAX_LEN + 1), b"NETSTRING_ERROR_TOO_LONG"),
        (b"3:abcd", b"NETSTRING_ERROR_NO_COMMA"),
    ],
)
def test_malformed_input_leaves_worker_running(
    worker: RawWorker, garbage: bytes, stderr: bytes
) -> None:
    worker.write(garbage)
    deadline = time.monotonic() + 10
    while stderr not in worker.stderr and time.monotonic() < deadline:
        worker.pump(0.05)
    assert stderr in worker.stderr
    # A netstring error drops what was buffered (as mediasoup); later requests are served.
    worker.request(id=1, method="worker.nothing")
    worker.request(id=2, method="worker.dump")
    assert worker.reply(1) == {"error": "Error", "id": 1, "reason": "unknown method"}
    assert worker.reply(2)["data"]["pid"] == worker.pid


def test_payload_channel_garbage_is_survived(worker: RawWorker) -> None:
    # Invalid JSON, then an unknown method followed by a non-JSON payload (3.7.11 aborts on both).
    worker.write_payload(encode(b"{nope"))
    worker.write_payload(encode(b'{"id":2,"method":"bogus.send","internal":{}}') + encode(b"zzz"))
    worker.write_payload(encode(b'{"event":"bogus.event","internal":{}}') + encode(b"yyy"))
    deadline = time.monotonic() + 5
    while not worker.payload_items and time.monotonic() < deadline:
        worker.pump(0.05)
    assert worker.payload_items == [b'{"error":"Error","id":2,"reason":"unknown method"}']
    worker.request(id=3, method="worker.dump")
    assert worker.reply(3)["accepted"] is True


def test_dump_and_resource_usage_shapes(worker: RawWorker) -> None:
    worker.request(id=1, method="worker.dump")
    assert worker.reply(1) == {
        "accepted": True,
        "data": {"pid": worker.pid, "routerIds": []},
        "id": 1,
    }
    worker.request(id=2, method="worker.getResourceUsage")
    usage = worker.reply(2)["data"]
    assert set(usage) == RESOURCE_KEYS
    assert all(type(v) is int and v >= 0 for v in usage.values())
    assert usage["ru_maxrss"] > 1000  # KiB: a Python process is several MiB
    assert usage["ru_utime"] + usage["ru_stime"] > 0  # ms


def test_router_requests(worker: RawWorker) -> None:
    worker.request(id=1, method="worker.createRouter", internal={"routerId": "r1"})
    worker.request(id=2, method="worker.createRouter", internal={"routerId": "r1"})
    worker.request(id=3, method="worker.createRouter", internal={})
    worker.request(id=4, method="router.dump", internal={"routerId": "r1"})
    worker.request(id=5, method="router.dump", internal={"routerId": "nope"})
    worker.request(id=6, method="worker.dump")
    worker.request(id=7, method="router.close", internal={"routerId": "r1"})
    worker.request(id=8, method="worker.dump")
    assert worker.reply(1) == {"accepted": True, "id": 1}
    assert worker.reply(2)["reason"] == "a Router with same routerId already exists"
    assert worker.reply(3)["reason"] == "missing internal.routerId"
    assert worker.reply(4)["data"] == {
        "id": "r1", "transportIds": [], "rtpObserverIds": [], "mapProducerIdConsumerIds": {},
        "mapConsumerIdProducerId": {}, "mapProducerIdObserverIds": {},
        "mapDataProducerIdDataConsumerIds": {}, "mapDataConsumerIdDataProducerId": {},
    }  # fmt: skip
    assert worker.reply(5)["reason"] == "Router not found"
    assert worker.reply(6)["data"]["routerIds"] == ["r1"]
    assert worker.reply(7) == {"accepted": True, "id": 7}
    assert worker.reply(8)["data"]["routerIds"] == []


def test_update_settings_and_log_filtering(worker: RawWorker) -> None:
    worker.request(id=1, method="worker.updateSettings", data={"logLevel": "chicken"})
    assert worker.reply(1) == {
        "error": "TypeError",
        "id": 1,
        "reason": "invalid value 'chicken' for logLevel",
    }
    worker.request(
        id=2, method="worker.updateSettings", data={"logLevel": "debug", "logTags": ["info"]}
    )
    assert worker.reply(2) == {"accepted": True, "id": 2}
    assert any(
        isinstance(i, str)
        and i.startswith("DSettings::PrintConfiguration() |   logLevel            : debug")
        for i in worker.items
    )
    # With logLevel none, even errors are not logged (but replies still come).
    worker.request(id=3, method="worker.updateSettings", data={"logLevel": "none"})
    worker.reply(3)
    count = len(worker.items)
    worker.request(id=4, method="router.dump", internal={"routerId": "x"})
    worker.reply(4)
    assert [i for i in worker.items[count:] if isinstance(i, str)] == []


def test_debug_start_up_logs() -> None:
    with RawWorker(["--logLevel=debug", "--logTag=info"]) as raw:
        raw.wait_running()
        logs = [i for i in raw.items if isinstance(i, str)]
        assert (
            logs[0].startswith("D")
            and "starting mediasoup-worker process [version:3.7.11]" in logs[0]
        )
        assert any("<configuration>" in line for line in logs)


def test_stdio_mode_by_hand() -> None:
    lines = "\n".join(
        [
            '{"method": "worker.createRouter", "internal": {"routerId": "r1"}}',
            '{"method": "worker.dump"}',
            "not json",
            '{"id": 9, "method": "router.dump", "internal": {"routerId": "zz"}}',
        ]
    )
    result = subprocess.run(
        [sys.executable, "-m", "pymediasoup_worker", "--stdio", "--logLevel=error"],
        input=lines.encode(), capture_output=True, timeout=30, env=dict(os.environ),
    )  # fmt: skip
    out = result.stdout.decode()
    assert result.returncode == 0
    assert '<- {"accepted":true,"id":1}' in out
    assert '"routerIds":["r1"]' in out
    assert "!! not JSON" in out
    assert '<- {"error":"Error","id":9,"reason":"Router not found"}' in out
    assert '** {"event":"running"' in out


def test_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pymediasoup_worker", "--help"], capture_output=True, timeout=30
    )
    assert result.returncode == 0 and b"stdio" in result.stdout and b"--logLevel" in result.stdout
