"""Helpers for browser system tests: headless Chromium (Debian's) driven by playwright-core,
run inside a fresh network namespace, with page scripts bundled by esbuild at test time.

Reusable by any browser test (the SFU test here, the demo-server test):

- :func:`skip_reason` — why browser tests cannot run here (no chromium, no node, no
  ``unshare -n``), or ``None``. Tests skip only for these reasons.
- :func:`ensure_node_modules` — installs the pinned npm packages (``setup.sh --npm``) when
  ``node_modules`` is missing or older than ``package-lock.json``.
- :func:`bundle` — esbuild a page script into ``build/`` (about 0.1 s).
- :func:`netns_argv` / :func:`run_in_netns` — a command in a fresh network namespace (only
  ``lo``, brought up; and a fresh PID namespace, so killing the runner ends every process in
  it, Chromium included), with a hard timeout.
- :func:`run_driver` (async) — inside the namespace, next to a server: start ``driver.js`` (or
  another playwright-core script with the same ``RESULT {json}`` convention) and return its
  result. ``driver.js`` also exports ``launchChromium()`` and the stats helpers for other
  node scripts.
- :func:`parse_result` — the last ``RESULT {json}`` line of some output.

Nothing here imports pymediasoup: the SFU server is ``server.py``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BUILD_DIR = HERE / "build"
NODE_MODULES = HERE / "node_modules"
DRIVER_JS = HERE / "driver.js"
CLIENT_JS = HERE / "client.js"
RUN_IN_NETNS = HERE / "run_in_netns.sh"
SETUP_SH = HERE / "setup.sh"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
RESULT_PREFIX = "RESULT "


# ---------------------------------------------------------------- what is available


def chromium_path() -> str | None:
    """Debian's chromium (``CHROMIUM_BIN`` overrides), or None."""
    candidate = os.environ.get("CHROMIUM_BIN") or DEFAULT_CHROMIUM
    if os.access(candidate, os.X_OK):
        return candidate
    return shutil.which("chromium")


def node_path() -> str | None:
    return shutil.which("node")


@functools.cache
def netns_reason() -> str | None:
    """None when ``unshare -n`` works here (and ``ip link set lo up`` inside it), else why not."""
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    if shutil.which("ip") is None:
        return "ip (iproute2) is not installed"
    try:
        proc = subprocess.run(
            [str(RUN_IN_NETNS), "true"], capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"run_in_netns.sh failed: {error}"
    if proc.returncode != 0:
        return f"unshare -n not permitted here: {proc.stderr.strip() or proc.returncode}"
    return None


def skip_reason() -> str | None:
    """Why browser tests cannot run on this machine, or None. Missing npm packages are not a
    reason (they are installed on demand); missing binaries and a forbidden ``unshare`` are."""
    if chromium_path() is None:
        return (
            "chromium is not installed (Debian: apt-get install -y chromium, "
            "or run tests/browser/setup.sh)"
        )
    if node_path() is None:
        return "node is not installed (Node.js >= 18 and npm are needed)"
    return netns_reason()


# ---------------------------------------------------------------- npm packages and bundling


def node_modules_up_to_date() -> bool:
    """setup.sh writes the lock file's sha256 to node_modules/.setup-stamp after ``npm ci``."""
    stamp = NODE_MODULES / ".setup-stamp"
    if not stamp.exists() or not (NODE_MODULES / ".bin" / "esbuild").exists():
        return False
    want = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()
    return stamp.read_text().strip() == want


def ensure_node_modules(timeout: float = 300) -> None:
    """``npm ci`` through ``setup.sh --npm`` unless node_modules is up to date."""
    if node_modules_up_to_date():
        return
    proc = subprocess.run(
        ["bash", str(SETUP_SH), "--npm"], capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        raise RuntimeError(f"tests/browser/setup.sh --npm failed:\n{proc.stdout}\n{proc.stderr}")


def bundle(entry: Path = CLIENT_JS, outfile: Path | None = None, *, minify: bool = False) -> Path:
    """Bundle a page script with esbuild (an IIFE for current Chromium); returns the output."""
    outfile = outfile or BUILD_DIR / entry.name
    esbuild = NODE_MODULES / ".bin" / "esbuild"
    if not esbuild.exists():
        ensure_node_modules()
    argv = [
        str(esbuild),
        str(entry),
        "--bundle",
        "--format=iife",
        "--target=chrome111",
        "--sourcemap=inline",
        f"--outfile={outfile}",
        "--log-level=warning",
    ]
    if minify:
        argv.append("--minify")
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=HERE)
    if proc.returncode != 0:
        raise RuntimeError(f"esbuild failed on {entry}:\n{proc.stderr}")
    return outfile


# ---------------------------------------------------------------- network namespace


def netns_argv(argv: list[str]) -> list[str]:
    """``argv`` wrapped to run in a fresh network (and PID) namespace with ``lo`` up."""
    return [str(RUN_IN_NETNS), *argv]


@dataclass
class RunResult:
    returncode: int | None
    stdout: str
    stderr: str
    duration: float
    timed_out: bool

    @property
    def result(self) -> dict[str, Any] | None:
        return parse_result(self.stdout)


def run_in_netns(
    argv: list[str],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    cwd: Path | str | None = None,
) -> RunResult:
    """Run ``argv`` inside a fresh network namespace; kill it (and everything it started, by
    its PID namespace) after ``timeout`` seconds. Never raises on failure: read the result."""
    started = time.monotonic()
    proc = subprocess.Popen(
        netns_argv(argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)
        stdout, stderr = proc.communicate()
    return RunResult(proc.returncode, stdout, stderr, time.monotonic() - started, timed_out)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            continue


# ---------------------------------------------------------------- the node driver


def parse_result(output: str) -> dict[str, Any] | None:
    """The JSON of the last ``RESULT {json}`` line in ``output``, or None."""
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_PREFIX):
            try:
                return json.loads(line[len(RESULT_PREFIX) :])
            except json.JSONDecodeError:
                return None
    return None


async def run_driver(
    url: str,
    *,
    scenario: str,
    duration: float = 10,
    timeout: float = 60,
    driver: Path = DRIVER_JS,
    extra_args: list[str] | None = None,
    stderr_prefix: str = "",
) -> dict[str, Any]:
    """Run a playwright-core driver against ``url`` (call it inside the namespace, next to the
    server) and return its ``RESULT`` JSON. The driver's stderr is copied to ours, line by
    line. On a crash or timeout the returned dict has ``ok: False`` and ``error``."""
    node = node_path() or "node"
    chromium = chromium_path() or DEFAULT_CHROMIUM
    argv = [
        node,
        str(driver),
        "--url",
        url,
        "--scenario",
        scenario,
        "--duration",
        str(duration),
        "--timeout",
        str(timeout),
        "--chromium",
        chromium,
        *(extra_args or []),
    ]
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=HERE,
    )
    assert proc.stdout is not None and proc.stderr is not None

    async def copy_stderr(stream: asyncio.StreamReader) -> None:
        async for line in stream:
            sys.stderr.write(stderr_prefix + line.decode(errors="replace"))
            sys.stderr.flush()

    async def read_stdout(stream: asyncio.StreamReader) -> str:
        return (await stream.read()).decode(errors="replace")

    try:
        async with asyncio.timeout(timeout + 15):
            stdout, _ = await asyncio.gather(read_stdout(proc.stdout), copy_stderr(proc.stderr))
            await proc.wait()
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return {"ok": False, "error": f"driver did not finish within {timeout + 15} s"}
    result = parse_result(stdout)
    if result is None:
        return {
            "ok": False,
            "error": f"driver exited {proc.returncode} without a RESULT line",
            "stdout": stdout[-2000:],
        }
    result["driverExitCode"] = proc.returncode
    return result


# ---------------------------------------------------------------- reading a result


def summarize(result: dict[str, Any] | None) -> str:
    """A few lines saying how far a run got: for assertion messages and reports.

    Browser side (per transport): connection/ICE/DTLS state and the ICE checks sent and
    answered; server side: the worker's icestatechange/dtlsstatechange events and the
    transports' final stats; then the peaks measured, errors and browser console errors."""
    if result is None:
        return "no RESULT line (the run crashed or timed out before reporting)"
    lines: list[str] = []
    if result.get("error"):
        lines.append(f"error: {result['error'][:600]}")
    for side, info in (result.get("transports") or {}).items():
        if not info:
            continue
        pairs = info.get("pairs") or []
        checks = ", ".join(
            f"{p.get('state')} sent={p.get('requestsSent')} answered={p.get('responsesReceived')}"
            for p in pairs
        )
        lines.append(
            f"browser {side}: connection={info.get('connectionState')} ice={info.get('iceState')} "
            f"dtls={info.get('dtlsState')} pairs=[{checks}] selected={info.get('selected')}"
        )
    server = result.get("server") or {}
    states = [
        f"{e['source']}:{e['event']}={e.get('iceState') or e.get('dtlsState') or ''}"
        for e in server.get("events", [])
        if e.get("event") in ("icestatechange", "dtlsstatechange", "died")
    ]
    if server:
        lines.append("worker events: " + (", ".join(states) or "no ICE/DTLS state change"))
    for snap in server.get("snapshots", []):
        stats = (snap.get("transportStats") or [{}])[0]
        lines.append(
            f"worker {snap.get('peer')} transport: ice={stats.get('iceState')} "
            f"dtls={stats.get('dtlsState')} bytesReceived={stats.get('bytesReceived')} "
            f"bytesSent={stats.get('bytesSent')} rtpBytesReceived={stats.get('rtpBytesReceived')} "
            f"rtpBytesSent={stats.get('rtpBytesSent')}"
        )
    if server.get("errors"):
        lines.append(f"server errors: {server['errors'][:5]}")
    measure = result.get("measure")
    if measure:
        lines.append(f"reached (ms after media start): {measure.get('reached')}")
        lines.append(f"peaks: {measure.get('peak')}")
    console = [
        f"{c.get('page')}:{c.get('type')}: {c.get('text', '')[:200]}"
        for c in result.get("console", [])
        if c.get("type") in ("error", "pageerror", "crash", "warning")
    ]
    if console:
        lines.append("browser console: " + " | ".join(console[:8]))
    page_errors = [
        f"{name}:{entry.get('what')}: {entry.get('message', '')[:200]}"
        for name, page in (result.get("pages") or {}).items()
        if isinstance(page.get("log"), list)
        for entry in page["log"]
        if "error" in entry.get("what", "")
        or "failed" in entry.get("what", "")
        or entry.get("state") in ("failed", "disconnected")
    ]
    if page_errors:
        lines.append("page log: " + " | ".join(page_errors[:8]))
    timings = result.get("timings")
    if timings:
        lines.append(f"timings (ms): {timings}")
    return "\n".join(lines)
