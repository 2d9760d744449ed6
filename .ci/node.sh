#!/usr/bin/env bash
# Install Node 22, the official MCP conformance suite (0.1.16 and the 0.2.0 alpha) and server-everything under
# .ci/cache; idempotent.
#
# Usage:  eval "$(bash .ci/node.sh)"    # sets (does not export) the five shell variables below
#
#   MCPTEST_NODE               Node >= 22 binary (npm package node@22; the system Node 20 cannot run the suite)
#   MCPTEST_CONFORMANCE        @modelcontextprotocol/conformance 0.1.16 dist/index.js (run it with $MCPTEST_NODE)
#   MCPTEST_CONFORMANCE_ALPHA  @modelcontextprotocol/conformance 0.2.0-alpha.12 dist/index.js, in its own prefix
#                              (npm cannot hold two versions of one package in one node_modules); it adds the
#                              2026-07-28 scenarios: `server --url URL --suite all --spec-version 2026-07-28`
#   MCPTEST_SERVER_EVERYTHING  @modelcontextprotocol/server-everything dist/index.js
#   MCPTEST_NODE_LOOPBACK      a --require preload that binds every listener without a host to 127.0.0.1
#
# server-everything's CLI (read from dist/index.js and dist/transports/*.js of the pinned version):
#   * one positional argument picks the transport: `stdio` (the default), `streamableHttp` or `sse`;
#     there are no flags. It logs to stderr on stdio ("Starting default (STDIO) server...").
#   * HTTP: the endpoint is /mcp; the port comes from env PORT (default 3001); there is NO host option:
#     it calls app.listen(PORT), i.e. all interfaces, so run it with the loopback preload. It prints
#     "MCP Streamable HTTP Server listening on port N" on stderr when ready; exit code 1 if the port is taken.
#   * Safety: tool `get-env` returns the server's whole environment, so start it with a scrubbed one
#     (env -i); tool `gzip-file-as-resource` (openWorldHint) fetches any URL unless GZIP_ALLOWED_DOMAINS
#     is set, so set GZIP_ALLOWED_DOMAINS=127.0.0.1.
#
# Exact commands (after the eval above; PORT is any free port):
#   stdio:  env -i PATH="$PATH" GZIP_ALLOWED_DOMAINS=127.0.0.1 "$MCPTEST_NODE" "$MCPTEST_SERVER_EVERYTHING" stdio
#   HTTP:   env -i PATH="$PATH" GZIP_ALLOWED_DOMAINS=127.0.0.1 PORT=$PORT \
#               "$MCPTEST_NODE" --require "$MCPTEST_NODE_LOOPBACK" "$MCPTEST_SERVER_EVERYTHING" streamableHttp
#           -> http://127.0.0.1:$PORT/mcp
#   suite:  "$MCPTEST_NODE" "$MCPTEST_CONFORMANCE" server --url http://127.0.0.1:$PORT/mcp [--suite all] [-o DIR]
#   alpha:  "$MCPTEST_NODE" "$MCPTEST_CONFORMANCE_ALPHA" server --url http://127.0.0.1:$PORT/mcp --suite all \
#               --spec-version 2025-11-25|2026-07-28 [-o DIR]
#
# Overridable: MCPTEST_CI_CACHE (cache folder). Progress goes to stderr; stdout has only the variables.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${MCPTEST_CI_CACHE:-$ROOT/.ci/cache}"
NODE_VERSION=22.23.3
CONFORMANCE_VERSION=0.1.16
CONFORMANCE_ALPHA_VERSION=0.2.0-alpha.12
EVERYTHING_VERSION=2026.8.31
NODE_PREFIX="$CACHE/node22"
PACKAGES_PREFIX="$CACHE/node-mcp"
NODE_BIN="$NODE_PREFIX/node_modules/node/bin/node"
SCOPE="$PACKAGES_PREFIX/node_modules/@modelcontextprotocol"
ALPHA_PREFIX="$CACHE/node-mcp-alpha"
ALPHA_PACKAGE="$ALPHA_PREFIX/node_modules/@modelcontextprotocol/conformance"
LOOPBACK="$PACKAGES_PREFIX/loopback.cjs"

NAME=node.sh
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

npm_install() {  # npm_install PREFIX SPEC... (quiet, exact versions, no audit/fund noise)
    local prefix="$1"; shift
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --save-exact --no-audit --no-fund --no-update-notifier --loglevel=error "$@" >&2 \
        </dev/null || die "npm install $* into $prefix failed (is the npm registry reachable?)"
}

installed_version() {  # installed_version PACKAGE_DIR -> its package.json version, or nothing
    [[ -f "$1/package.json" ]] || return 0
    "$NODE_BIN" -p "require(process.argv[1]).version" "$1/package.json" 2>/dev/null || true
}

install_node() {
    if [[ -x "$NODE_BIN" ]] && [[ "$("$NODE_BIN" --version 2>/dev/null)" == "v$NODE_VERSION" ]]; then
        log "Node $NODE_VERSION already installed"
        return
    fi
    command -v npm >/dev/null || die "npm is not installed: apt-get install npm (any version; it only downloads Node 22)"
    log "installing node@$NODE_VERSION into $NODE_PREFIX"
    npm_install "$NODE_PREFIX" "node@$NODE_VERSION"
    [[ "$("$NODE_BIN" --version)" == "v$NODE_VERSION" ]] || die "$NODE_BIN is not Node $NODE_VERSION after install"
}

install_packages() {
    if [[ "$(installed_version "$SCOPE/conformance")" == "$CONFORMANCE_VERSION" ]] \
        && [[ "$(installed_version "$SCOPE/server-everything")" == "$EVERYTHING_VERSION" ]]; then
        log "conformance $CONFORMANCE_VERSION and server-everything $EVERYTHING_VERSION already installed"
        return
    fi
    log "installing conformance@$CONFORMANCE_VERSION and server-everything@$EVERYTHING_VERSION into $PACKAGES_PREFIX"
    # Node 22 first on PATH (for this command only), so install scripts and engine checks see it.
    PATH="$(dirname "$NODE_BIN"):$PATH" npm_install "$PACKAGES_PREFIX" \
        "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION" \
        "@modelcontextprotocol/server-everything@$EVERYTHING_VERSION"
}

install_alpha() {
    if [[ "$(installed_version "$ALPHA_PACKAGE")" == "$CONFORMANCE_ALPHA_VERSION" ]]; then
        log "conformance $CONFORMANCE_ALPHA_VERSION already installed"
        return
    fi
    log "installing conformance@$CONFORMANCE_ALPHA_VERSION into $ALPHA_PREFIX"
    PATH="$(dirname "$NODE_BIN"):$PATH" \
        npm_install "$ALPHA_PREFIX" "@modelcontextprotocol/conformance@$CONFORMANCE_ALPHA_VERSION"
}

write_loopback_preload() {
    cat >"$LOOPBACK.partial" <<'JS'
// Written by .ci/node.sh. Preload (`node --require THIS`): a listen() call with a port but no host
// binds 127.0.0.1 instead of every interface, for servers that have no host option.
"use strict";
const net = require("node:net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const [first] = args;
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    if (typeof args[1] !== "string") args.splice(1, 0, "127.0.0.1");
  } else if (first && typeof first === "object" && first.path === undefined && !first.host) {
    args[0] = { ...first, host: "127.0.0.1" };
  }
  return listen.apply(this, args);
};
JS
    mv "$LOOPBACK.partial" "$LOOPBACK"
}

check_version() {  # check_version ENTRY_POINT EXPECTED: the suite runs on $NODE_BIN and reports EXPECTED
    local version
    version="$("$NODE_BIN" "$1" --version)" || die "the conformance suite $1 does not run on $NODE_BIN"
    [[ "$version" == "$2" ]] || die "$1 --version says $version, expected $2"
}

check_entry_points() {
    local conformance="$SCOPE/conformance/dist/index.js" everything="$SCOPE/server-everything/dist/index.js"
    local alpha="$ALPHA_PACKAGE/dist/index.js"
    [[ -f "$conformance" ]] || die "missing $conformance after install"
    [[ -f "$alpha" ]] || die "missing $alpha after install"
    [[ -f "$everything" ]] || die "missing $everything after install"
    check_version "$conformance" "$CONFORMANCE_VERSION"
    check_version "$alpha" "$CONFORMANCE_ALPHA_VERSION"
    log "ready: Node $("$NODE_BIN" --version), conformance $CONFORMANCE_VERSION and $CONFORMANCE_ALPHA_VERSION," \
        "server-everything $EVERYTHING_VERSION"
    printf 'MCPTEST_NODE=%q\n' "$NODE_BIN"
    printf 'MCPTEST_CONFORMANCE=%q\n' "$conformance"
    printf 'MCPTEST_CONFORMANCE_ALPHA=%q\n' "$alpha"
    printf 'MCPTEST_SERVER_EVERYTHING=%q\n' "$everything"
    printf 'MCPTEST_NODE_LOOPBACK=%q\n' "$LOOPBACK"
}

main() {
    mkdir -p "$CACHE"
    exec 9>"$CACHE/node.lock"
    flock -w 600 9 || die "another .ci/node.sh still holds $CACHE/node.lock after 600s"
    install_node
    install_packages
    install_alpha
    write_loopback_preload
    check_entry_points
}

main "$@"
