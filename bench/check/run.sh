#!/bin/sh
# Builds hexa in release mode and times `hexa check --fast` against `marimo check`.
set -e
cd "$(dirname "$0")/../.."
cargo build --release -p hexa --quiet
exec .venv/bin/python bench/check/run.py "$@"
