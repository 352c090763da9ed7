"""The browser bundle: app.js + mediasoup-client, built by esbuild with npm.

``ensure_bundle()`` builds ``static/dist/app.bundle.js`` when it is missing or older than
``app.js`` (``npm ci`` from package-lock.json, then esbuild). When the package folder is
not writable (an installed wheel), the build happens in a cache folder instead.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

logger = logging.getLogger("pymediasoup.demo")

STATIC_DIR = Path(__file__).resolve().parent / "static"
BUNDLE_NAME = "app.bundle.js"
_SOURCES = ("app.js", "package.json", "package-lock.json")


class BundleError(RuntimeError):
    """The bundle is missing and cannot be built; the message says what to do."""


def build_dir() -> Path:
    """Where node_modules and dist/ live: next to app.js, or a cache folder."""
    if os.access(STATIC_DIR, os.W_OK):
        return STATIC_DIR
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "pymediasoup-demo"


def bundle_path() -> Path:
    return build_dir() / "dist" / BUNDLE_NAME


def bundle_is_fresh(path: Path | None = None) -> bool:
    path = path or bundle_path()
    if not path.exists():
        return False
    built = path.stat().st_mtime
    return all((STATIC_DIR / name).stat().st_mtime <= built for name in _SOURCES)


def ensure_bundle(*, force: bool = False) -> Path:
    """Return the bundle's path, building it first if needed (may take a minute)."""
    path = bundle_path()
    if not force and bundle_is_fresh(path):
        return path
    where = build_dir()
    npm = shutil.which("npm")
    node = shutil.which("node")
    if npm is None or node is None:
        missing = " and ".join(n for n, p in (("node", node), ("npm", npm)) if p is None)
        raise BundleError(
            f"the demo's browser bundle ({path}) is missing or out of date, and building it "
            f"needs Node.js 18+ and npm ({missing} not found on PATH). Install them "
            "(e.g. `apt-get install nodejs npm`) and start the demo again, or build it "
            f"elsewhere with `npm ci && npm run build` in {STATIC_DIR} and copy dist/ here."
        )
    if where != STATIC_DIR:
        where.mkdir(parents=True, exist_ok=True)
        for name in _SOURCES:
            shutil.copy2(STATIC_DIR / name, where / name)
    logger.info("building the browser bundle in %s (npm ci + esbuild)...", where)
    lock = where / "package-lock.json"
    install = [npm, "ci" if lock.exists() else "install", "--no-audit", "--no-fund"]
    esbuild = where / "node_modules" / ".bin" / "esbuild"
    build = [
        str(esbuild),
        "app.js",
        "--bundle",
        "--format=iife",
        "--target=es2020",
        "--minify",
        "--sourcemap",
        f"--outfile=dist/{BUNDLE_NAME}",
    ]
    for step in (install, build):
        if step is build and not esbuild.exists():
            raise BundleError(f"npm ran but {esbuild} is missing")
        result = subprocess.run(step, cwd=where, capture_output=True, text=True)
        if result.returncode != 0:
            raise BundleError(
                f"building the browser bundle failed: `{' '.join(step)}` in {where} exited "
                f"with {result.returncode}:\n{(result.stderr or result.stdout).strip()[-2000:]}"
            )
    logger.info("browser bundle ready: %s", path)
    return path
