#!/usr/bin/env bash
# Installs the Debian packages keel needs to build and test, if missing.
# Safe to run repeatedly; uses sudo when not root.
#   scripts/install-deps.sh          what building keel needs
#   scripts/install-deps.sh --test   also node and npm, for the MCP test servers
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  nlohmann-json3-dev libyaml-cpp-dev libvalijson-dev libsqlite3-dev sqlite3
  libcurl4-openssl-dev libssl-dev libcli11-dev libfmt-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libgoogle-perftools-dev
  # fast JSON parsing on the engine's hot paths (src/core/json_text.h)
  libsimdjson-dev
  # the model test server's event loop (evhttp): thousands of slow answers, one thread
  libevent-dev
)

# node and npm may come from elsewhere (e.g. NodeSource's nodejs, which ships
# npm itself and conflicts with Debian's npm): only ask apt when absent.
if [ "${1:-}" = "--test" ] && ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
