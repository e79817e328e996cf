#!/bin/bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the last release whose engines allow Node 20)
# from npm into DEST without its postinstall script, because that script downloads ripgrep
# and argon2 binaries from GitHub. The native modules are built here against the system
# Node headers and Debian's ripgrep replaces @vscode/ripgrep.
# Needs: Node 20 with /usr/include/node, g++, make, python3, and `rg` (apt-get install ripgrep).
set -euo pipefail
dest=${1:?usage: install-code-server.sh DEST}
version=4.100.3

if [ -f "$dest/.installed-$version" ]; then
  exit 0
fi
command -v rg >/dev/null || { echo "install-code-server.sh: rg not found; apt-get install ripgrep" >&2; exit 1; }
gyp=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
test -f "$gyp" || { echo "install-code-server.sh: node-gyp not found at $gyp" >&2; exit 1; }

mkdir -p "$dest" && cd "$dest"
test -f package.json || echo '{"name": "code-server-cache", "private": true}' > package.json
npm install "code-server@$version" --ignore-scripts --no-audit --no-fund

# code-server refuses to start without argon2's native binding (it hashes passwords).
(cd node_modules/argon2 && ../.bin/node-pre-gyp rebuild --build-from-source --nodedir=/usr >/dev/null)

cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
for module in node-pty @vscode/spdlog native-watchdog @vscode/deviceid; do
  (cd "node_modules/$module" && node "$gyp" rebuild --nodedir=/usr -j "$(nproc)" >/dev/null)
done
# Quick Open (Ctrl+P) finds no files without ripgrep.
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
(cd extensions && npm install --omit=dev --no-audit --no-fund)

cd "$dest"
XDG_CONFIG_HOME="$dest/xdg-config" node node_modules/code-server/out/node/entry.js --version
touch "$dest/.installed-$version"
