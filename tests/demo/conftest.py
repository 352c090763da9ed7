"""Tests of the demo server (pymediasoup.demo), marked ``demo`` (registered here).

Run them with ``.venv/bin/pytest tests/demo -q`` (or ``-m demo`` / ``-m 'not demo'``). They
use aiohttp (the ``demo``/``test`` extras) and real worker processes; the broadcaster tests
use ffmpeg and the browser test Chromium (tests/browser/harness.py), skipped only when
those binaries are missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "demo: the demo server (pymediasoup.demo) against real workers; "
        "ffmpeg and Chromium tests skip only when those binaries are missing",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).resolve().parent == HERE:
            item.add_marker(pytest.mark.demo)
