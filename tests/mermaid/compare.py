"""Differential test: hexa's parser against mermaid.js on every fixture chart.

For each .mmd file under the given directories this runs `hexa parse --format json` and
mermaid.js (through parse.mjs next to this file) and checks that both accept or both reject
it. For a chart both accept, the node ids (in order of first appearance), the edge endpoints
(in source order), the subgraph ids and each subgraph's direct node members must agree.

Usage: python3 compare.py --hexa target/debug/hexa DIR ...
Exits with 1 and lists every difference when a chart disagrees.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def mermaid_results(files: list[Path]) -> dict[str, dict]:
    """Parse every file in one node process and return the results by path."""
    completed = subprocess.run(
        ["node", str(HERE / "parse.mjs"), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.exit(f"parse.mjs failed with exit code {completed.returncode}:\n{completed.stderr}")
    results = {}
    for line in completed.stdout.splitlines():
        result = json.loads(line)
        results[result["file"]] = result
    return results


def hexa_result(hexa: str, file: Path) -> dict:
    """Run `hexa parse`. A non-zero exit means hexa rejected the chart."""
    completed = subprocess.run(
        [hexa, "parse", "--format", "json", str(file)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        return {"ok": False, "error": completed.stderr.strip()}
    return {"ok": True, **json.loads(completed.stdout)}


def differences(ours: dict, theirs: dict) -> list[str]:
    """List what differs between hexa's and mermaid's reading of one chart."""
    if theirs["ok"] and theirs.get("type") not in ("flowchart", "flowchart-v2", "flowchart-elk"):
        theirs = {"ok": False, "error": f"not a flowchart but {theirs.get('type')}"}
    if ours["ok"] != theirs["ok"]:
        verdict = {True: "accepts", False: "rejects"}
        reason = ours.get("error") if not ours["ok"] else theirs.get("error")
        return [
            f"hexa {verdict[ours['ok']]}, mermaid {verdict[theirs['ok']]}: {reason}",
        ]
    if not ours["ok"]:
        return []

    diffs = []
    our_nodes = [node["id"] for node in ours["nodes"]]
    if our_nodes != theirs["nodes"]:
        diffs.append(f"node ids: hexa {our_nodes}, mermaid {theirs['nodes']}")

    our_edges = [[edge["from"], edge["to"]] for edge in ours["edges"]]
    if our_edges != theirs["edges"]:
        diffs.append(f"edges: hexa {our_edges}, mermaid {theirs['edges']}")

    our_subgraphs = sorted(subgraph["id"] for subgraph in ours["subgraphs"])
    their_subgraphs = sorted(subgraph["id"] for subgraph in theirs["subgraphs"])
    if our_subgraphs != their_subgraphs:
        diffs.append(f"subgraph ids: hexa {our_subgraphs}, mermaid {their_subgraphs}")

    # mermaid lists nested subgraph ids among a subgraph's nodes, so keep vertices only.
    vertices = set(theirs["nodes"])
    for subgraph in theirs["subgraphs"]:
        expected = sorted(set(subgraph["nodes"]) & vertices)
        direct = sorted(node["id"] for node in ours["nodes"] if node["subgraph"] == subgraph["id"])
        if direct != expected:
            diffs.append(f"members of {subgraph['id']}: hexa {direct}, mermaid {expected}")
    return diffs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hexa", required=True, help="path of the hexa binary")
    parser.add_argument("dirs", nargs="+", type=Path, help="directories of .mmd charts")
    args = parser.parse_args()

    files = sorted(file for directory in args.dirs for file in directory.rglob("*.mmd"))
    if not files:
        sys.exit(f"no .mmd files found under {', '.join(map(str, args.dirs))}")
    theirs = mermaid_results(files)

    failures = []
    accepted = 0
    for file in files:
        ours = hexa_result(args.hexa, file)
        accepted += ours["ok"]
        diffs = differences(ours, theirs[str(file)])
        if diffs:
            failures.append(f"{file}:\n  " + "\n  ".join(diffs))

    rejected = len(files) - accepted
    print(f"mermaid-test: {len(files)} charts ({accepted} accepted, {rejected} rejected by hexa)")
    if failures:
        print(f"{len(failures)} disagree with mermaid.js 11.17.2:\n" + "\n".join(failures))
        return 1
    print("hexa agrees with mermaid.js 11.17.2 on every chart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
