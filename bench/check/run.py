"""Time `hexa check --fast` against `marimo check` on generated notebooks.

Usage: .venv/bin/python bench/check/run.py [--sizes 10,100,500] [--repeat 3]

Builds notebooks of N cells (a chain of small numeric cells with imports, loops, a function
and a markdown cell, so both tools have real work), runs each tool `--repeat` times as a
subprocess, and prints the best wall-clock time of each and the ratio. Both include process
start-up: marimo's start-up is part of what `--fast` avoids.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEXA = ROOT / "target/release/hexa"


def notebook(cells):
    parts = ['import marimo\n\n__generated_with = "0.25.2"\napp = marimo.App()\n']
    parts.append("\n\n@app.cell\ndef _():\n    import math\n    return (math,)\n")
    for index in range(cells - 1):
        previous = f"v{index - 1}" if index > 0 else "math.pi"
        params = "math" if index == 0 else f"math, v{index - 1}"
        parts.append(
            f"\n\n@app.cell\ndef _({params}):\n"
            f"    _total = 0\n"
            f"    for _i in range(3):\n"
            f"        _total += _i * {previous}\n"
            f"    def helper_{index}(x):\n"
            f"        return math.sqrt(abs(x)) + {index}\n"
            f"    v{index} = helper_{index}(_total)\n"
            f"    return helper_{index}, v{index}\n"
        )
    parts.append('\n\nif __name__ == "__main__":\n    app.run()\n')
    return "".join(parts)


def best_time(command, repeat):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not HEXA.exists():
        sys.exit(f"{HEXA} not found; run `cargo build --release -p hexa` first")

    print(f"{'cells':>6} {'hexa --fast (s)':>16} {'marimo check (s)':>17} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as folder:
        for size in [int(size) for size in args.sizes.split(",")]:
            path = Path(folder) / f"bench_{size}.py"
            path.write_text(notebook(size), encoding="utf-8")
            ours = best_time([str(HEXA), "check", "--fast", str(path)], args.repeat)
            theirs = best_time(
                [sys.executable, "-m", "marimo", "check", str(path)], args.repeat
            )
            print(f"{size:>6} {ours:>16.4f} {theirs:>17.4f} {theirs / ours:>6.1f}x")


if __name__ == "__main__":
    main()
