"""Structure rules: sans-IO layers import no I/O, and the worker's start-up path stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SANS_IO = [ROOT / "pymediasoup_worker" / "core", ROOT / "pymediasoup_worker" / "rtc"]
FORBIDDEN = {"asyncio", "socket", "time"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "path",
    sorted(p for folder in SANS_IO for p in folder.rglob("*.py")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_sans_io_layers_import_no_io(path: Path) -> None:
    assert not imported_modules(path) & FORBIDDEN


def test_worker_start_up_imports_nothing_heavy() -> None:
    # Everything the worker imports before it serves its first request.
    code = (
        "import sys, pymediasoup_worker.process, pymediasoup_worker.loop;"
        "print(' '.join(sorted(sys.modules)))"
    )
    modules = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, check=True, text=True
        ).stdout.split()
    )
    heavy = {
        "cryptography",
        "OpenSSL",
        "aiortc",
        "av",
        "aioice",
        "pylibsrtp",
        "numpy",
        "pymediasoup.ortc",
    }
    assert not modules & heavy
