#!/bin/sh
# Builds hexa in release mode and compares `hexa kernel` with ipykernel (see run.py).
set -e
cd "$(dirname "$0")/../.."
cargo build --release -p hexa --quiet
exec .venv/bin/python bench/kernel/run.py "$@"
