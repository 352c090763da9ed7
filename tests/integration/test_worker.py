"""The controller's Worker and Router against a real worker process."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

import pymediasoup
from pymediasoup.channel.channel import request_timeout
from pymediasoup.errors import InvalidStateError, MediasoupError


@pytest.fixture
def dtls_files(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed ECDSA certificate and its key, as PEM files."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pymediasoup-test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


OPUS = {"kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2}
VP8 = {"kind": "video", "mimeType": "video/VP8", "clockRate": 90000}


async def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def test_create_worker_and_close() -> None:
    seen: list[Any] = []
    pymediasoup.observer.once("newworker", seen.append)
    worker = await pymediasoup.create_worker(app_data={"foo": 1})
    try:
        assert seen == [worker]
        assert isinstance(worker.pid, int) and worker.closed is False and worker.died is False
        assert worker.app_data == {"foo": 1}
        assert await worker.dump() == {"pid": worker.pid, "routerIds": []}
    finally:
        worker.close()
    assert worker.closed is True
    worker.close()  # idempotent
    with pytest.raises(InvalidStateError):
        await worker.dump()


async def test_create_worker_with_every_setting(dtls_files: tuple[Path, Path]) -> None:
    async with await pymediasoup.create_worker(
        log_level="debug",
        log_tags=["info", "ice"],
        rtc_min_port=0,
        rtc_max_port=9999,
        dtls_certificate_file=str(dtls_files[0]),
        dtls_private_key_file=str(dtls_files[1]),
        app_data={"bar": 456},
    ) as worker:
        assert worker.app_data == {"bar": 456}
    assert worker.closed


@pytest.mark.parametrize(
    "settings",
    [
        {"log_level": "chicken"},
        {"rtc_min_port": 1000, "rtc_max_port": 999},
        {"rtc_min_port": 1000, "rtc_max_port": 65536},
        {"dtls_certificate_file": "/notfound/cert.pem"},
        {"dtls_private_key_file": "/notfound/priv.pem"},
    ],
)
async def test_wrong_settings_reject_with_type_error(settings: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="wrong settings"):
        await pymediasoup.create_worker(**settings)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"app_data": "NOT-AN-OBJECT"}, "appData"),
        ({"log_level": 3}, "logLevel"),
        ({"log_tags": "info"}, "logTags"),
        ({"rtc_min_port": "1000"}, "rtcMinPort"),
        ({"rtc_max_port": 1.5}, "rtcMaxPort"),
        ({"dtls_certificate_file": 7}, "dtlsCertificateFile"),
    ],
)
async def test_bad_setting_types_raise_before_spawn(settings: dict[str, Any], field: str) -> None:
    with pytest.raises(TypeError, match=field):
        await pymediasoup.create_worker(**settings)


async def test_update_settings_and_resource_usage() -> None:
    async with await pymediasoup.create_worker() as worker:
        await worker.update_settings(log_level="debug", log_tags=["ice"])
        with pytest.raises(TypeError, match="chicken"):
            await worker.update_settings(log_level="chicken")
        usage = await worker.get_resource_usage()
        assert {"ru_utime", "ru_stime", "ru_maxrss", "ru_nivcsw"} <= set(usage)
        assert all(isinstance(v, int) for v in usage.values())


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
async def test_died_when_killed_from_outside(signum: int) -> None:
    worker = await pymediasoup.create_worker()
    router = await worker.create_router()
    died: list[BaseException] = []
    events: list[str] = []
    worker.on("died", died.append)
    worker.observer.on("close", lambda: events.append("worker close"))
    router.on("workerclose", lambda: events.append("workerclose"))
    os.kill(worker.pid, signum)
    await wait_until(lambda: died)
    assert worker.closed and worker.died
    assert isinstance(died[0], MediasoupError)
    expected = f"signal:{signal.Signals(signum).name}" if signum == signal.SIGKILL else "code:0"
    assert expected in str(died[0]) and f"pid:{worker.pid}" in str(died[0])
    assert events == ["workerclose", "worker close"]
    assert router.closed
    with pytest.raises(InvalidStateError):
        await router.dump()


async def test_close_does_not_emit_died() -> None:
    worker = await pymediasoup.create_worker()
    died: list[Any] = []
    worker.on("died", died.append)
    pid = worker.pid
    worker.close()

    def reaped() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    await wait_until(reaped)  # exited and reaped: no zombie left
    await asyncio.sleep(0.1)
    assert died == [] and not worker.died


async def test_ignored_signals_keep_worker_alive() -> None:
    async with await pymediasoup.create_worker() as worker:
        died: list[Any] = []
        worker.on("died", died.append)
        for signum in (
            signal.SIGPIPE,
            signal.SIGHUP,
            signal.SIGALRM,
            signal.SIGUSR1,
            signal.SIGUSR2,
        ):
            os.kill(worker.pid, signum)
        await asyncio.sleep(0.3)
        assert not died
        assert (await worker.dump())["pid"] == worker.pid


async def test_router_lifecycle_and_cascade() -> None:
    async with await pymediasoup.create_worker() as worker:
        new_routers: list[Any] = []
        worker.observer.on("newrouter", new_routers.append)
        router = await worker.create_router(media_codecs=[OPUS, VP8], app_data={"room": "a"})
        assert new_routers == [router]
        assert router.app_data == {"room": "a"}
        kinds = {c["kind"] for c in router.rtp_capabilities["codecs"]}
        assert kinds == {"audio", "video"}
        dump = await router.dump()
        assert dump["id"] == router.id and dump["transportIds"] == []
        assert (await worker.dump())["routerIds"] == [router.id]
        closed: list[str] = []
        router.observer.on("close", lambda: closed.append("close"))
        router.close()
        router.close()
        assert closed == ["close"]
        await wait_until(lambda: True)
        assert (await worker.dump())["routerIds"] == []
        with pytest.raises(InvalidStateError):
            await router.dump()


async def test_create_router_argument_errors() -> None:
    async with await pymediasoup.create_worker() as worker:
        with pytest.raises(TypeError):
            await worker.create_router(app_data="x")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await worker.create_router(media_codecs=[{"kind": "chicken", "mimeType": "audio/opus"}])
        with pytest.raises(pymediasoup.UnsupportedError):
            await worker.create_router(
                media_codecs=[{"kind": "audio", "mimeType": "audio/chicken", "clockRate": 8000}]
            )
    with pytest.raises(InvalidStateError):
        await worker.create_router()


async def test_worker_logs_reach_python_logging(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="pymediasoup.worker")
    async with await pymediasoup.create_worker(log_level="debug", log_tags=["info"]) as worker:
        await worker.dump()
    texts = [r.getMessage() for r in caplog.records if r.name == "pymediasoup.worker"]
    assert any("starting mediasoup-worker process" in t for t in texts)


async def test_notifications_dispatched_after_reply() -> None:
    async with await pymediasoup.create_worker() as worker:
        order: list[str] = []
        channel = worker._channel
        channel.on("target", lambda event, data: order.append(event))

        async def request() -> None:
            await worker.dump()
            order.append("reply")

        task = asyncio.ensure_future(request())
        await asyncio.sleep(0)  # the request is written
        # A reply followed by a notification in the same read.
        channel._on_payload(b'{"accepted":true,"data":{},"id":%d}' % channel._pending._next_id)
        channel._on_payload(b'{"event":"ping","targetId":"target"}')
        await task
        await asyncio.sleep(0)
        assert order == ["reply", "ping"]


async def test_worker_bin_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    script = tmp_path / "my-worker"
    script.write_text(
        f'#!/bin/sh\ntouch "{marker}"\nexec "{sys.executable}" -m pymediasoup_worker "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PYMEDIASOUP_WORKER_BIN", str(script))
    async with await pymediasoup.create_worker() as worker:
        assert (await worker.dump())["pid"] == worker.pid
    assert marker.exists()


async def test_worker_that_fails_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYMEDIASOUP_WORKER_BIN", "/bin/false")
    with pytest.raises(MediasoupError, match="code:1"):
        await pymediasoup.create_worker()


@pytest.mark.parametrize(("pending", "seconds"), [(0, 15.0), (1, 15.1), (10, 16.0), (100, 25.0)])
def test_request_timeout_formula(pending: int, seconds: float) -> None:
    assert request_timeout(pending) == pytest.approx(seconds)
