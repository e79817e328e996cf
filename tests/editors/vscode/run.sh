#!/bin/bash
# Builds the .vsix, installs it into code-server 4.100.3 (cached in .cache/code-server) and
# runs e2e.mjs in headless Chromium against target/debug/hexa. Screenshots go to
# target/editors/. code-server listens on 127.0.0.1 only, with the extension gallery off.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
here="$root/tests/editors/vscode"
cache="$root/.cache/code-server"
state="$root/target/editors/vscode"
artifacts="$root/target/editors"
export npm_config_cache="$root/.cache/npm"

chromium=/usr/lib/chromium/chromium
if [ ! -x "$chromium" ] || ! command -v rg >/dev/null; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo -n); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q chromium ripgrep >/dev/null
fi
# Runs `npm ci` in folder $1 unless its node_modules matches its package-lock.json already.
npm_ci() {
  if [ ! "$1/node_modules/.package-lock.json" -nt "$1/package-lock.json" ]; then
    (cd "$1" && npm ci --no-audit --no-fund --silent)
  fi
}

"$here/install-code-server.sh" "$cache"
npm_ci "$here"
npm_ci "$root/editor-extension/vscode"
(cd "$root/editor-extension/vscode" && npm test --silent && npm run --silent package >/dev/null)

rm -rf "$state" && mkdir -p "$state/user/User" "$state/extensions" "$state/workspace" "$artifacts"
cat > "$state/user/User/settings.json" <<JSON
{
  "workbench.startupEditor": "none",
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "git.enabled": false,
  "hexa.path": "$root/target/debug/hexa",
  "hexa.pythonPath": "$root/.venv"
}
JSON
printf '%s\n' 'flowchart TD' '    A([Start]) --> B[/Read n/]' '    B --> C[x = n * 2 + 1729' \
  '    C --> D[/Print x/]' '    D --> E([End])' > "$state/workspace/flow.mmd"

# An empty gallery object turns the extension gallery off (no requests to open-vsx.org).
# The XDG folders keep code-server's config out of the home folder.
export EXTENSIONS_GALLERY='{}' XDG_CONFIG_HOME="$state/xdg-config" XDG_DATA_HOME="$state/xdg-data"
code_server=(node "$cache/node_modules/code-server/out/node/entry.js" --auth none
  --user-data-dir "$state/user" --extensions-dir "$state/extensions" --disable-telemetry
  --disable-update-check --disable-workspace-trust --disable-getting-started-override)
"${code_server[@]}" --install-extension "$root/editor-extension/vscode/hexa.vsix" >/dev/null

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
setsid "${code_server[@]}" --bind-addr "127.0.0.1:$port" > "$state/code-server.log" 2>&1 < /dev/null &
pgid=$!
# "Open Notebook in marimo" makes hexa lsp start `hexa serve` in a process group of its own,
# which outlives code-server. e2e.mjs stops it, and this trap stops it when e2e.mjs could not.
stop_serve() {
  local index="$state/workspace/.hexa-index.json" serve_pid
  serve_pid=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["server"]["pid"])' \
    "$index" 2>/dev/null) || return 0
  if tr '\0' ' ' < "/proc/$serve_pid/cmdline" 2>/dev/null | grep -q ' serve '; then
    kill -TERM "$serve_pid" 2>/dev/null || true
  fi
}
trap 'stop_serve; kill -- -$pgid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; then break; fi
  sleep 0.2
done

CODE_SERVER_URL="http://127.0.0.1:$port" CODE_SERVER_PGID="$pgid" \
  HEXA_WORKSPACE="$state/workspace" HEXA_BIN="$root/target/debug/hexa" \
  HEXA_PYTHON="$root/.venv/bin/python" HEXA_ARTIFACTS="$artifacts" CHROMIUM="$chromium" \
  timeout 180 node "$here/e2e.mjs"
