#!/usr/bin/env bash
# Runs a command with a Node.js new enough for Scaleplane (>= 22.12) first on PATH,
# installing Node 24 into a cache folder when the machine's own Node is older.
set -euo pipefail
eval "$("$(dirname "$0")/ensure-node.sh" --print-path)"
exec "$@"
