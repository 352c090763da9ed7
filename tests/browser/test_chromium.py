"""Headless Chromium + mediasoup-client against pymediasoup, inside a fresh network namespace.

The SFU test (the issue's acceptance test): page A produces the fake camera + microphone,
page B consumes both through our worker; within 10 s of media start (the end of signaling)
B's video reaches framesDecoded > 30 and its audio packetsReceived > 100, and A's outbound
bitrate — the sender's bandwidth estimate, which starts at 300 kbps and rises only on our
transport-cc feedback — goes above 300 kbps (a separate test, so it reports its own failure).

Harness self-checks (no SFU, they pass whatever the worker does): the namespace has only
`lo`; Chromium starts headless in it, loads the page from 127.0.0.1 and gets live tracks from
the fake devices; two RTCPeerConnections in one page connect over loopback and reach the
same thresholds (so the thresholds are reachable with these flags on this machine).

Each scenario is one run of ``run_in_netns.sh python server.py --scenario X`` (server, worker
and node driver all inside the namespace); its full result is kept in
``tests/browser/build/last-X.json`` and summarized in assertion messages.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from . import harness

pytestmark = pytest.mark.browser

# How long the media is measured, and the hard limits of one run.
MEDIA_SECONDS = 10
DRIVER_TIMEOUT = 60  # driver.js gives up (and still reports) after this
RUN_TIMEOUT = 120  # the whole namespace is killed after this


@pytest.fixture(scope="module")
def browser_ready() -> None:
    reason = harness.skip_reason()
    if reason:
        pytest.skip(reason)
    harness.ensure_node_modules()
    harness.bundle()


def run_scenario(scenario: str) -> dict[str, Any]:
    """One server + driver run in a fresh namespace; returns the RESULT (never None)."""
    run = harness.run_in_netns(
        [
            sys.executable,
            str(harness.HERE / "server.py"),
            "--scenario",
            scenario,
            "--duration",
            str(MEDIA_SECONDS),
            "--timeout",
            str(DRIVER_TIMEOUT),
        ],
        timeout=RUN_TIMEOUT,
        cwd=harness.HERE.parent.parent,
    )
    result = run.result or {
        "ok": False,
        "error": (
            f"no RESULT (exit {run.returncode}, timed out: {run.timed_out}); "
            f"stderr tail: {run.stderr[-3000:]}"
        ),
    }
    result["run"] = {
        "seconds": round(run.duration, 2),
        "returncode": run.returncode,
        "timedOut": run.timed_out,
    }
    harness.BUILD_DIR.mkdir(exist_ok=True)
    (harness.BUILD_DIR / f"last-{scenario}.json").write_text(json.dumps(result, indent=1))
    return result


def explain(result: dict[str, Any]) -> str:
    return (
        f"\n{harness.summarize(result)}\n"
        f"(full result: {harness.BUILD_DIR / ('last-' + str(result.get('scenario')) + '.json')})"
    )


# ---------------------------------------------------------------- harness self-checks


def test_netns_has_only_loopback(browser_ready: None) -> None:
    run = harness.run_in_netns(["ip", "-o", "link", "show"], timeout=20)
    assert run.returncode == 0, run.stderr
    links = [line.split(":")[1].strip() for line in run.stdout.splitlines() if line.strip()]
    assert links == ["lo"], run.stdout
    assert "UP" in run.stdout.split(">")[0], run.stdout
    routes = harness.run_in_netns(["ip", "-4", "route", "show", "table", "main"], timeout=20)
    assert routes.stdout.strip() == "", f"unexpected routes: {routes.stdout}"


def test_chromium_loads_page_and_fake_devices(browser_ready: None) -> None:
    result = run_scenario("launch")
    assert result.get("ok"), explain(result)
    kinds = sorted(t["kind"] for t in result["tracks"])
    assert kinds == ["audio", "video"], result["tracks"]
    assert all(t["readyState"] == "live" for t in result["tracks"]), result["tracks"]
    assert "HeadlessChrome" in result["userAgent"], result["userAgent"]
    errors = [c for c in result["console"] if c["type"] in ("error", "pageerror", "crash")]
    assert not errors, errors


@pytest.fixture(scope="module")
def loopback(browser_ready: None) -> dict[str, Any]:
    return run_scenario("loopback")


def test_chromium_loopback_peer_connection(loopback: dict[str, Any]) -> None:
    """Browser to browser in one page: the flags, fake devices and namespace are right."""
    result = loopback
    assert result.get("ok"), explain(result)
    send = result["transports"]["send"]
    assert send["connectionState"] == "connected", explain(result)
    assert send["dtlsState"] == "connected", explain(result)
    assert send["selected"]["local"].startswith("127.0.0.1:"), send["selected"]
    assert send["selected"]["remote"].startswith("127.0.0.1:"), send["selected"]
    reached = result["measure"]["reached"]
    assert reached["framesDecoded"] is not None, explain(result)
    assert reached["packetsReceived"] is not None, explain(result)
    assert reached["outboundKbps"] is not None, explain(result)


# ---------------------------------------------------------------- the SFU (our worker)


@pytest.fixture(scope="module")
def sfu(browser_ready: None) -> dict[str, Any]:
    return run_scenario("sfu")


def _reached(result: dict[str, Any], key: str) -> int | None:
    return ((result.get("measure") or {}).get("reached") or {}).get(key)


def test_sfu_signaling(sfu: dict[str, Any]) -> None:
    """Everything up to media: pages, device.load, transports, produce and consume."""
    assert sfu.get("ok"), explain(sfu)
    assert sorted(p["kind"] for p in sfu["producers"]) == ["audio", "video"], explain(sfu)
    assert sorted(c["kind"] for c in sfu["consumers"]) == ["audio", "video"], explain(sfu)
    assert not sfu["server"]["errors"], explain(sfu)
    assert not sfu["server"]["workerDied"], explain(sfu)


def _worker_states(result: dict[str, Any], event: str) -> dict[str, list[str]]:
    """{"peer1.send": ["connected", "completed"], ...} from the worker's transport events."""
    states: dict[str, list[str]] = {}
    for entry in result.get("server", {}).get("events", []):
        if entry.get("event") == event:
            value = entry.get("iceState") or entry.get("dtlsState")
            states.setdefault(entry["source"], []).append(value)
    return states


# The steps before media, each its own test, so a failure says which step is missing.


def test_sfu_ice_connects(sfu: dict[str, Any]) -> None:
    """Both transports: the browser's ICE checks answered, the worker's ICE connected."""
    worker = _worker_states(sfu, "icestatechange")
    for side in ("send", "recv"):
        browser = (sfu.get("transports") or {}).get(side) or {}
        assert browser.get("iceState") in ("connected", "completed"), (
            f"browser {side} transport ICE is {browser.get('iceState')}" + explain(sfu)
        )
    assert len(worker) == 2, f"worker icestatechange events: {worker}" + explain(sfu)
    for source, states in worker.items():
        assert states and states[-1] in ("connected", "completed"), (
            f"worker {source} ICE states {states}" + explain(sfu)
        )


def test_sfu_dtls_connects(sfu: dict[str, Any]) -> None:
    """Both transports: DTLS connected on both ends (the worker as DTLS server)."""
    worker = _worker_states(sfu, "dtlsstatechange")
    for side in ("send", "recv"):
        browser = (sfu.get("transports") or {}).get(side) or {}
        assert browser.get("dtlsState") == "connected", (
            f"browser {side} transport DTLS is {browser.get('dtlsState')}" + explain(sfu)
        )
    assert len(worker) == 2, f"worker dtlsstatechange events: {worker}" + explain(sfu)
    for source, states in worker.items():
        assert states[-1] == "connected", f"worker {source} DTLS states {states}" + explain(sfu)


def test_sfu_video_frames_decoded(sfu: dict[str, Any]) -> None:
    at = _reached(sfu, "framesDecoded")
    assert at is not None and at <= MEDIA_SECONDS * 1000, (
        f"B's video did not reach framesDecoded > 30 within {MEDIA_SECONDS} s" + explain(sfu)
    )


def test_sfu_audio_packets_received(sfu: dict[str, Any]) -> None:
    at = _reached(sfu, "packetsReceived")
    assert at is not None and at <= MEDIA_SECONDS * 1000, (
        f"B's audio did not reach packetsReceived > 100 within {MEDIA_SECONDS} s" + explain(sfu)
    )


def test_sfu_transport_cc_outbound_bitrate(sfu: dict[str, Any]) -> None:
    """Chromium accepts our transport-cc feedback: its send-side estimate leaves 300 kbps."""
    at = _reached(sfu, "outboundKbps")
    assert at is not None and at <= MEDIA_SECONDS * 1000, (
        f"A's outbound bitrate (availableOutgoingBitrate) did not rise above 300 kbps within "
        f"{MEDIA_SECONDS} s: is the worker sending transport-cc feedback?" + explain(sfu)
    )
