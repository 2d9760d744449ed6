#!/usr/bin/env bash
# Download the two MCP pytest plugins mcptest is tested beside into .ci/cache/peers (wheels only, no install);
# tests/plugin/test_peer_plugins.py installs them from there, offline, into a throwaway directory. Idempotent.
#
# Usage:  eval "$(bash .ci/peers.sh)"    # sets (does not export) MCPTEST_PEER_WHEELS
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dest=.ci/cache/peers
mkdir -p "$dest"
for spec in pytest-mcp-assert==0.12.3 pytest-mcp-plugin==0.3.0; do
    name=${spec%%==*}
    if ! ls "$dest"/"${name//-/_}"-*.whl >/dev/null 2>&1; then
        python3 -m pip download -q --no-deps --only-binary=:all: -d "$dest" "$spec" >&2
    fi
done
echo "MCPTEST_PEER_WHEELS=$PWD/$dest"
