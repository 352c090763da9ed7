"""System tests with real media peers (ffmpeg, GStreamer, and small Python RTP peers).

Every test here is marked ``e2e`` (registered below, not in pyproject); run them with
``.venv/bin/pytest tests/e2e -q`` or select/deselect with ``-m e2e`` / ``-m 'not e2e'``.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "e2e: system test with real media peers (ffmpeg, GStreamer, Python RTP peers) "
        "against a real worker; skipped only when a needed binary is missing",
    )
