#!/usr/bin/env bash
# Installs the MCP servers the live connector tests talk to into .tools/ at the
# repository root (ignored by git). Needs node and npm (Debian 12: apt-get
# install nodejs npm); without them it says so and exits 0, and the live tests
# skip. Safe to run repeatedly.
#
#   scripts/install-test-servers.sh
#
# server-everything declares no `engines` field and runs on Node 20.
set -euo pipefail

SERVER_EVERYTHING_VERSION="${SERVER_EVERYTHING_VERSION:-2026.8.31}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.tools/mcp"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "node and npm not found: skipping MCP test servers (live MCP tests will skip)" >&2
  exit 0
fi

entry="$prefix/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
installed=""
if [ -f "$prefix/node_modules/@modelcontextprotocol/server-everything/package.json" ]; then
  installed="$(node -p "require('$prefix/node_modules/@modelcontextprotocol/server-everything/package.json').version")"
fi
if [ "$installed" = "$SERVER_EVERYTHING_VERSION" ] && [ -f "$entry" ]; then
  echo "server-everything $installed already installed in .tools/mcp"
  exit 0
fi

mkdir -p "$prefix"
echo "installing @modelcontextprotocol/server-everything@$SERVER_EVERYTHING_VERSION into .tools/mcp"
# Offline or a registry outage must not fail the test run: the live tests
# then skip, saying the server is not installed.
if ! npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error \
    "@modelcontextprotocol/server-everything@$SERVER_EVERYTHING_VERSION"; then
  echo "npm install failed: live MCP tests will skip" >&2
  exit 0
fi
test -f "$entry" || { echo "install finished but $entry is missing" >&2; exit 1; }
echo "server-everything ready: node $entry stdio"
