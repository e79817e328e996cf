#!/bin/sh
# Regenerates flowchart/tests/fixtures/parse/oracle/*.json from the .mmd fixtures with
# mermaid.js. Needs node 20 and network access for the first `npm install`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../../flowchart/tests/fixtures/parse"
cd "$here"
[ -d node_modules ] || npm install --no-audit --no-fund
node dump.mjs "$fixtures/oracle" "$fixtures"/corpus/*.mmd "$fixtures"/cases/*.mmd
