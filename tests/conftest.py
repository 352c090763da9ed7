"""Test configuration: async tests without plugins, and a guard on which pymediasoup is imported.

``async def test_...`` functions run in a fresh event loop (``asyncio.run``) with a
timeout. On PyPI, "pymediasoup" is an unrelated mediasoup-client port: the guard below
fails the run at once if that package, not this project's, is the one on the path.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from pathlib import Path

import pytest

import pymediasoup

ROOT = Path(__file__).resolve().parent.parent
ASYNC_TEST_TIMEOUT = float(os.environ.get("PYMEDIASOUP_TEST_TIMEOUT", "60"))


def pytest_configure(config: pytest.Config) -> None:
    origin = Path(pymediasoup.__file__ or "").resolve()
    if ROOT not in origin.parents and not (origin.parent / "worker_process.py").exists():
        raise pytest.UsageError(
            f"the 'pymediasoup' on the path ({origin}) is not this project's: "
            "uninstall the PyPI mediasoup-client port of that name"
        )


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}

    async def run() -> None:
        await asyncio.wait_for(pyfuncitem.obj(**kwargs), ASYNC_TEST_TIMEOUT)

    asyncio.run(run())
    return True
