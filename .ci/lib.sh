# Shared helpers for the .ci scripts (sourced, not run). Set NAME before sourcing; messages go to stderr.
log() { printf '%s: %s\n' "${NAME:-ci}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Poll `$@` once a second until it succeeds or $1 seconds pass.
wait_until() {
    local limit="$1"; shift
    local deadline=$((SECONDS + limit))
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 1
    done
}
