"""Browser system tests: headless Chromium + mediasoup-client against pymediasoup.

Every test here is marked ``browser`` (registered below, not in pyproject). Run them with
``.venv/bin/pytest tests/browser -v`` (after ``tests/browser/setup.sh``), or deselect them
with ``-m 'not browser'``. They skip only when chromium or node is missing or ``unshare -n``
is not permitted; the npm packages are installed on demand (``setup.sh --npm``).
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: system test with headless Chromium (Debian's) and mediasoup-client in a "
        "fresh network namespace; skipped only when chromium/node are missing or unshare -n "
        "is not permitted",
    )
