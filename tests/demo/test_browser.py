"""The demo in headless Chromium: two pages in one room, with the real app (index.html,
app.bundle.js with mediasoup-client), in a fresh network namespace (tests/browser/harness.py).

One run (``browser_run.py`` + ``demo_driver.js``) serves every test here, the ffmpeg
broadcaster (HTTP API + ffmpeg, seen by Bob's page) included; its result is kept
in ``tests/browser/build/last-demo.json``, and Bob's page mid-call in
``tests/browser/build/demo.png``, copied to docs/img/demo.png (the README's picture) when
that is missing or with ``PYMEDIASOUP_DEMO_SCREENSHOT=1``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from pymediasoup.demo.bundle import BundleError, ensure_bundle
from tests.browser import harness

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = harness.BUILD_DIR / "demo.png"
README_PICTURE = ROOT / "docs" / "img" / "demo.png"
RUN_TIMEOUT = 180


@pytest.fixture(scope="module")
def call() -> dict[str, Any]:
    reason = harness.skip_reason()
    if reason:
        pytest.skip(reason)
    harness.ensure_node_modules()
    try:
        ensure_bundle()  # outside the namespace: npm needs the registry
    except BundleError as exc:
        pytest.skip(str(exc))
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    run = harness.run_in_netns(
        [sys.executable, "-m", "tests.demo.browser_run", "--screenshot", str(SCREENSHOT)],
        timeout=RUN_TIMEOUT,
        cwd=ROOT,
    )
    result = run.result or {
        "ok": False,
        "error": f"no RESULT (exit {run.returncode}, timed out: {run.timed_out}); "
        f"stderr tail: {run.stderr[-3000:]}",
    }
    harness.BUILD_DIR.mkdir(exist_ok=True)
    (harness.BUILD_DIR / "last-demo.json").write_text(json.dumps(result, indent=1))
    media_ok = (result.get("media") or {}).get("ok")
    if SCREENSHOT.exists() and media_ok:
        if not README_PICTURE.exists() or os.environ.get("PYMEDIASOUP_DEMO_SCREENSHOT") == "1":
            README_PICTURE.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SCREENSHOT, README_PICTURE)
    return result


def _explain(result: dict[str, Any]) -> str:
    keys = ("error", "steps", "media", "mediaAfterMove", "broadcast", "console", "summaries")
    keep = {k: result.get(k) for k in keys}
    keep["serverBroadcast"] = (result.get("server") or {}).get("broadcast")
    return "\n" + json.dumps(keep, indent=1)[:6000]


def test_two_pages_join_see_each_other_and_consume(call: dict[str, Any]) -> None:
    steps = call.get("steps", {})
    for name in ("joined", "peers", "consumers"):
        assert name in steps, f"step {name!r} not reached" + _explain(call)
    assert steps["consumers"]["bob"] == ["audio", "video"]
    dumps = call["server"]["dumps"]
    assert dumps and len(dumps[0]["transportIds"]) == 4, _explain(call)
    assert len(dumps[0]["mapProducerIdConsumerIds"]) == 4


def test_ui_mute_stats_panel_and_leave(call: dict[str, Any]) -> None:
    steps = call.get("steps", {})
    for name in ("statsPanel", "micPause", "leave"):
        assert name in steps, f"step {name!r} not reached" + _explain(call)
    assert call["ok"], _explain(call)
    assert not [c for c in call.get("console", []) if "pageerror" in c], _explain(call)


def test_screenshot_saved(call: dict[str, Any]) -> None:
    assert "screenshot" in call.get("steps", {}), _explain(call)
    assert SCREENSHOT.stat().st_size > 10_000


def test_worker_killed_mid_call_pages_reconnect(call: dict[str, Any]) -> None:
    steps = call.get("steps", {})
    assert "moved" in steps, "the pages did not reconnect after kill -9 of the worker" + _explain(
        call
    )
    killed = call["server"]["killedPid"]
    assert all(s["moves"] >= 1 for s in (call["summaries"].get("Bob"),) if s)
    after = call["server"]["afterMove"]
    assert after["moves"] == 1 and after["workerPid"] not in (None, killed), _explain(call)
    assert len(after["peers"]) == 2


def test_media_flows_again_after_the_move(call: dict[str, Any]) -> None:
    assert (call.get("mediaAfterMove") or {}).get("ok"), _explain(call)


def test_media_flows_between_the_pages(call: dict[str, Any]) -> None:
    media = call.get("media") or {}
    assert media.get("ok"), _explain(call)


def test_ffmpeg_broadcaster_is_seen_decoded_and_removed(call: dict[str, Any]) -> None:
    """An ffmpeg test source injected through the broadcaster HTTP API (two PlainTransports,
    comedia; Opus + VP8 Producers) shows up on Bob's page as a peer, whose video Bob DECODES
    and whose audio he receives; DELETE of the broadcaster removes the tile."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    server = (call.get("server") or {}).get("broadcast") or {}
    assert "error" not in server, _explain(call)
    steps = call.get("steps", {})
    for name in ("broadcastPeer", "broadcastMedia", "broadcastGone"):
        assert name in steps, f"step {name!r} not reached" + _explain(call)
    page = call["broadcast"]
    assert page["ok"], _explain(call)
    # The tile: the broadcaster as a peer, flagged as a broadcast, with its two consumers.
    assert page["tileName"] == "FFmpeg test (broadcast)"
    assert page["consumerKinds"] == ["audio", "video"]
    # Decoded video: framesDecoded rising on the broadcaster's video consumer, and the
    # <video> element has ffmpeg's 640x480 test pattern.
    video = page["last"]["video"]
    assert video["framesDecoded"] > 30 and video["framesDecoded"] > page["first"]["framesDecoded"]
    assert (page["last"]["videoWidth"], page["last"]["videoHeight"]) == (640, 480)
    assert page["last"]["audio"]["packetsReceived"] > 100
    # Server side: comedia learnt ffmpeg's ports, the Producers got its packets, ffmpeg was
    # still running when the driver asked for the DELETE, and was then stopped by its pid.
    assert server["deleteAsked"] and server["ffmpegRunningAtDelete"], _explain(call)
    assert all(port > 0 for port in server["comediaRemotePorts"]), server
    assert server["producerPackets"]["audio"] > 100 and server["producerPackets"]["video"] > 30
    assert server["ffmpegStop"].startswith(("SIGTERM to pid", "SIGKILL to pid")), server
    assert not server["inRoomAfterDelete"]
    # And the page dropped the tile.
    assert page["tileGone"] and "FFmpeg test" not in page["peersAfter"]
