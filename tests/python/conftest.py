"""Shared fixtures for the Python tests: the debug `hexa` binary and the venv's Python.

`make test` builds `target/debug/hexa` before it runs pytest, so the binary is not built here.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEXA = ROOT / "target/debug/hexa"


@pytest.fixture(scope="session")
def hexa_bin():
    """Path of the debug `hexa` binary; the test session fails early when it is missing."""
    if not HEXA.is_file():
        pytest.fail(f"{HEXA} not found; run `cargo build` first")
    return HEXA


@pytest.fixture(scope="session")
def python_bin():
    """The interpreter running pytest, which is the venv's Python with marimo."""
    return sys.executable


@pytest.fixture(scope="session")
def hexa(hexa_bin):
    """Run `hexa ARGS...` with the venv's Python and return the completed process.

    `stdin` is passed to hexa as text, so `-` can stand for a chart given on stdin.
    """

    def run(*args, stdin=None, timeout=120):
        return subprocess.run(
            [str(hexa_bin), "--python", sys.prefix, *map(str, args)],
            cwd=ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
