#!/usr/bin/env bash
# Warm in-process notebook runs (one embedded interpreter, marimo imported once) against a
# cold `python NOTEBOOK.py` per run, on notebooks of 10 and 100 cells.
set -euo pipefail
cd "$(dirname "$0")/../.."
make venv >/dev/null
out=target/bench-run
.venv/bin/python bench/run/make_notebooks.py "$out"
cargo run -q --release -p hexa-marimo --example warm_vs_cold -- "$out/cells_10.py" "$out/cells_100.py"
