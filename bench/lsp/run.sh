#!/bin/sh
# Builds hexa in release mode and times `hexa lsp` from a JSON-RPC client over stdio.
set -e
cd "$(dirname "$0")/../.."
cargo build --release -p hexa --quiet
exec .venv/bin/python bench/lsp/run.py "$@"
