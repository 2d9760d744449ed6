#!/usr/bin/env bash
# Install and start the services the test suite needs (PostgreSQL 15); idempotent, safe to run twice.
#
# Usage:  eval "$(bash .ci/services.sh)"      # exports MCPTEST_DB_URL into the calling shell
#
# Progress goes to stderr; stdout carries only the `export MCPTEST_DB_URL=...` line.
# Overridable: MCPTEST_PG_ROLE, MCPTEST_PG_PASSWORD (defaults: mcptest / mcptest), MCPTEST_SERVICES_TIMEOUT (s).
set -euo pipefail

PG_VERSION=15
PG_CLUSTER=main
ROLE="${MCPTEST_PG_ROLE:-mcptest}"
PASSWORD="${MCPTEST_PG_PASSWORD:-mcptest}"
TIMEOUT="${MCPTEST_SERVICES_TIMEOUT:-600}"

NAME=services.sh
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"


no_package_manager_running() { ! pgrep -x 'apt-get|apt|dpkg|unattended-upgr' >/dev/null 2>&1; }

postgres_installed() {
    command -v pg_ctlcluster >/dev/null 2>&1 && [[ -x "/usr/lib/postgresql/${PG_VERSION}/bin/postgres" ]]
}

install_postgres() {
    if postgres_installed; then
        log "PostgreSQL ${PG_VERSION} already installed"
        return
    fi
    log "waiting for any running apt-get/dpkg to finish (up to ${TIMEOUT}s)"
    wait_until "$TIMEOUT" no_package_manager_running || die "another apt-get/dpkg still runs after ${TIMEOUT}s"
    if postgres_installed; then
        log "PostgreSQL ${PG_VERSION} was installed by the apt run we waited for"
        return
    fi
    log "installing PostgreSQL ${PG_VERSION} with apt-get"
    local apt=(apt-get -y -q -o "DPkg::Lock::Timeout=${TIMEOUT}")
    export DEBIAN_FRONTEND=noninteractive
    "${apt[@]}" update >&2
    "${apt[@]}" install --no-install-recommends "postgresql-${PG_VERSION}" "postgresql-client-${PG_VERSION}" >&2
    postgres_installed || die "apt-get finished but /usr/lib/postgresql/${PG_VERSION}/bin/postgres is missing"
}

cluster_field() {  # cluster_field N -> column N of pg_lsclusters for our cluster (3 = port, 4 = status)
    pg_lsclusters --no-header | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" -v f="$1" '$1 == v && $2 == c { print $f }'
}

start_postgres() {
    if [[ -z "$(cluster_field 1)" ]]; then
        log "creating cluster ${PG_VERSION}/${PG_CLUSTER}"
        pg_createcluster "$PG_VERSION" "$PG_CLUSTER" >&2
    fi
    if [[ "$(cluster_field 4)" == online* ]]; then
        log "cluster ${PG_VERSION}/${PG_CLUSTER} already running"
    else
        log "starting cluster ${PG_VERSION}/${PG_CLUSTER}"
        pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start >&2 \
            || die "pg_ctlcluster failed; see /var/log/postgresql/postgresql-${PG_VERSION}-${PG_CLUSTER}.log"
    fi
    PORT="$(cluster_field 3)"
    wait_until 60 pg_isready -q -h 127.0.0.1 -p "$PORT" \
        || die "PostgreSQL does not accept TCP connections on 127.0.0.1:${PORT} after 60s"
}

ensure_role() {
    log "ensuring role ${ROLE} (LOGIN CREATEDB, password auth over TCP)"
    # The role name and password go in as psql variables, quoted by psql (:"ident", :'literal').
    runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres \
        -v role="$ROLE" -v password="$PASSWORD" >&2 <<'SQL'
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role')
\gexec
ALTER ROLE :"role" WITH LOGIN CREATEDB PASSWORD :'password';
SQL
}

url_encode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

main() {
    [[ "$(id -u)" == 0 ]] || die "run as root (it installs packages and starts PostgreSQL)"
    install_postgres
    start_postgres
    ensure_role
    local url="postgresql://$(url_encode "$ROLE"):$(url_encode "$PASSWORD")@127.0.0.1:${PORT}/postgres"
    PGPASSWORD="$PASSWORD" psql -X -q -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d postgres -tAc 'SELECT 1' >/dev/null \
        || die "role ${ROLE} cannot log in over TCP on 127.0.0.1:${PORT}; check pg_hba.conf"
    log "PostgreSQL ready: MCPTEST_DB_URL=${url}"
    printf 'export MCPTEST_DB_URL=%q\n' "$url"
}

main "$@"
