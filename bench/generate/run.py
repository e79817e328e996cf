#!/usr/bin/env python3
"""Time `hexa generate` on generated charts of 500, 5,000 and 50,000 nodes.

Builds the release binary, writes two kinds of chart into a temporary folder (a straight
chain of assignments, and a chain of small blocks that each hold a loop and two if/else
decisions), then times `hexa generate` writing a notebook and `hexa generate --script`
on each. Prints the median of the runs and the time per node.

Usage: bench/generate/run.py [--sizes 500,5000,50000] [--runs 3]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEXA = ROOT / "target/release/hexa"
BLOCK_NODES = 10


def chain(nodes):
    """A chart of `nodes` nodes: Start, assignments one after another, End."""
    lines = ["flowchart TD", "    S([Start]) --> N1[x = 0]"]
    for index in range(2, nodes - 1):
        lines.append(f"    N{index - 1} --> N{index}[x = x + {index % 7}]")
    lines.append(f"    N{nodes - 2} --> E([End])")
    return "\n".join(lines) + "\n"


def block(index, successor):
    """Ten nodes: a counted loop around an if/else, then an if/else that merges."""
    b = f"B{index}_"
    return [
        f"    {b}0[i = 0] --> {b}1{{i < 3}}",
        f"    {b}1 -->|yes| {b}2{{i % 2 == 0}}",
        f"    {b}2 -->|yes| {b}3[x = x + i]",
        f"    {b}2 -->|no| {b}4[x = x - 1]",
        f"    {b}3 --> {b}5[i = i + 1]",
        f"    {b}4 --> {b}5",
        f"    {b}5 --> {b}1",
        f"    {b}1 -->|no| {b}6{{x > 10}}",
        f"    {b}6 -->|yes| {b}7[x = 0]",
        f"    {b}6 -->|no| {b}8[/Print x/]",
        f"    {b}7 --> {b}9[y = x]",
        f"    {b}8 --> {b}9",
        f"    {b}9 --> {successor}",
    ]


def blocks(nodes):
    """A chart of about `nodes` nodes: Start, x = 0, then blocks of ten nodes, End."""
    count = max(1, (nodes - 3) // BLOCK_NODES)
    lines = ["flowchart TD", "    S([Start]) --> X[x = 0]", "    X --> B0_0", "    E([End])"]
    for index in range(count):
        successor = f"B{index + 1}_0" if index + 1 < count else "E"
        lines += block(index, successor)
    return "\n".join(lines) + "\n"


def median_seconds(command, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,5000,50000", help="node counts, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    subprocess.run(["cargo", "build", "--release", "-p", "hexa"], cwd=ROOT, check=True)

    print(f"{'chart':<8} {'nodes':>7} {'output':<8} {'median s':>9} {'us/node':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for kind, make in [("chain", chain), ("blocks", blocks)]:
            for size in sizes:
                chart = Path(folder) / f"{kind}-{size}.mmd"
                chart.write_text(make(size))
                for output, flags in [("notebook", []), ("script", ["--script"])]:
                    command = [str(HEXA), "generate", str(chart), "-o", "-", *flags]
                    seconds = median_seconds(command, args.runs)
                    per_node = seconds / size * 1e6
                    print(f"{kind:<8} {size:>7} {output:<8} {seconds:>9.3f} {per_node:>8.1f}")
                    sys.stdout.flush()


if __name__ == "__main__":
    main()
