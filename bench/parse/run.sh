#!/bin/sh
# Times hexa's parser (release build, in-process loop) against mermaid.js 11.17.2 (node,
# in-process loop over getDiagramFromText) on the 40 corpus charts and on a generated
# 5,000-node chart, and prints the times and the ratio. Both sides time parsing only, after
# one warm-up parse; process start-up and file reading are not counted.
# Usage: bench/parse/run.sh   (needs cargo, node 20 and npm; npm downloads go to .cache/npm)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
work="$root/target/bench-parse"
mkdir -p "$work"
cd "$root"

# A 5,000-node chart: a chain of steps with a decision every tenth node, edge labels,
# back edges and a subgraph per 500 nodes.
large="$work/large-5000.mmd"
awk 'BEGIN {
  print "flowchart TD"
  for (i = 0; i < 5000; i++) {
    if (i % 500 == 0) { if (i > 0) print "  end"; printf "  subgraph part%d [\"Part %d\"]\n", i / 500, i / 500 }
    if (i % 10 == 9) {
      printf "    n%d{\"check %d?\"} -->|yes| n%d\n", i, i, i + 1
      printf "    n%d -- no --> n%d\n", i, i - 5
    } else {
      printf "    n%d[\"step %d: x = x + 1\"] --> n%d\n", i, i, i + 1
    }
  }
  print "  end"
  print "  n5000([\"done\"])"
}' > "$large"

if [ ! -d tests/mermaid/node_modules ]; then
  npm_config_cache="$root/.cache/npm" npm ci --prefix tests/mermaid --no-audit --no-fund
fi

corpus=$(ls "$root"/flowchart/tests/fixtures/parse/corpus/*.mmd)
echo "hexa: building and timing (release)" >&2
# shellcheck disable=SC2086
cargo bench -q -p hexa-flowchart --bench parse -- --runs 200 $corpus > "$work/hexa-corpus.jsonl"
cargo bench -q -p hexa-flowchart --bench parse -- --runs 50 "$large" > "$work/hexa-large.jsonl"
echo "mermaid.js: timing" >&2
# shellcheck disable=SC2086
node tests/mermaid/parse.mjs --time 20 $corpus > "$work/mermaid-corpus.jsonl"
node tests/mermaid/parse.mjs --time 5 "$large" > "$work/mermaid-large.jsonl"

python3 - "$work" <<'PY'
import json, sys
from pathlib import Path

work = Path(sys.argv[1])

def load(name):
    return [json.loads(line) for line in (work / name).read_text().splitlines()]

def total(rows):
    bad = [row["file"] for row in rows if not row["ok"]]
    if bad:
        sys.exit(f"not accepted: {bad}")
    return sum(row["mean_ms"] for row in rows)

print(f"{'input':<32} {'hexa ms':>10} {'mermaid.js ms':>14} {'ratio':>8}")
for label, kind in [("40 corpus charts (sum)", "corpus"), ("generated 5,000-node chart", "large")]:
    hexa = total(load(f"hexa-{kind}.jsonl"))
    mermaid = total(load(f"mermaid-{kind}.jsonl"))
    print(f"{label:<32} {hexa:>10.3f} {mermaid:>14.3f} {mermaid / hexa:>7.0f}x")
PY
