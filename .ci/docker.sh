#!/usr/bin/env bash
# Make a Docker engine answer and build the local base image mcptest-base:bookworm; idempotent.
#
# Usage:  bash .ci/docker.sh            (as root; needs no standard input)
#
# 1. If `docker info` fails, start `dockerd` in the background (its log: .ci/cache/dockerd.log) and
#    poll `docker info` until it answers (bounded by MCPTEST_DOCKER_TIMEOUT seconds, default 120).
# 2. If the image mcptest-base:bookworm is missing, import it from .ci/cache/mcptest-base-bookworm.tar,
#    building that tarball first with debootstrap (minbase + python3, venv, pip) from the Debian
#    mirror apt already uses (about 80 s once; later runs reuse the tarball). Nothing comes from
#    Docker Hub: Dockerfiles take the base image as a build ARG, e.g.
#        docker build --build-arg BASE_IMAGE=mcptest-base:bookworm -t my-server examples/docker_target
#
# Overridable: MCPTEST_CI_CACHE (cache folder), MCPTEST_BASE_IMAGE (image name), MCPTEST_DEBIAN_MIRROR.
# Progress goes to stderr; the last line on stdout names the engine and the image.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${MCPTEST_CI_CACHE:-$ROOT/.ci/cache}"
BASE_IMAGE="${MCPTEST_BASE_IMAGE:-mcptest-base:bookworm}"
SUITE=bookworm
TARBALL="$CACHE/mcptest-base-${SUITE}.tar"
TIMEOUT="${MCPTEST_DOCKER_TIMEOUT:-120}"

NAME=docker.sh
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"


engine_answers() { docker info >/dev/null 2>&1; }

start_engine() {
    if engine_answers; then
        log "a Docker engine already answers (${DOCKER_HOST:-unix:///var/run/docker.sock})"
        return
    fi
    [[ -z "${DOCKER_HOST:-}" ]] || die "DOCKER_HOST=${DOCKER_HOST} does not answer; unset it to use a local dockerd"
    command -v dockerd >/dev/null || die "dockerd is not installed: apt-get install docker.io"
    if pgrep -x dockerd >/dev/null; then
        log "dockerd is already starting (pid $(pgrep -x dockerd | head -n1)); waiting for it"
    else
        log "starting dockerd in the background (log: $CACHE/dockerd.log)"
        # setsid + no stdin: the engine outlives this script and the CI step that ran it.
        # 9>&-: the lock below must not be inherited by the engine, or the next run would wait on it.
        setsid dockerd >>"$CACHE/dockerd.log" 2>&1 </dev/null 9>&- &
    fi
    wait_until "$TIMEOUT" engine_answers \
        || die "dockerd did not answer \`docker info\` within ${TIMEOUT}s; last log lines:
$(tail -n 20 "$CACHE/dockerd.log" 2>/dev/null)"
    log "Docker engine $(docker version --format '{{.Server.Version}}') answers"
}

# The first Debian mirror apt uses for $SUITE (deb822 .sources files, then one-line .list files).
debian_mirror() {
    if [[ -n "${MCPTEST_DEBIAN_MIRROR:-}" ]]; then
        printf '%s\n' "$MCPTEST_DEBIAN_MIRROR"
        return
    fi
    local mirror=""
    shopt -s nullglob
    local sources=(/etc/apt/sources.list.d/*.sources)
    if ((${#sources[@]})); then
        mirror="$(awk -v suite="$SUITE" '
            function flush() { if (uri != "" && ok && deb && !off) { print uri; exit } uri = ""; ok = deb = off = 0 }
            FNR == 1 && NR > 1 { flush() }
            /^[[:space:]]*$/ { flush(); next }
            /^URIs:/ { uri = $2 }
            /^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
            /^Enabled:[[:space:]]*no/ { off = 1 }
            END { flush() }' "${sources[@]}" | head -n1)"
    fi
    if [[ -z "$mirror" ]]; then
        mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
            | awk -v suite="$SUITE" '$1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }  # skip [options]
                if ($(i + 1) == suite) { print $i; exit }
            }')"
    fi
    shopt -u nullglob
    [[ -n "$mirror" ]] || die "no Debian $SUITE mirror found in /etc/apt/sources.list*; set MCPTEST_DEBIAN_MIRROR=URL"
    printf '%s\n' "$mirror"
}

build_rootfs_tarball() {
    if [[ -s "$TARBALL" ]]; then
        log "reusing cached root filesystem $TARBALL"
        return
    fi
    command -v debootstrap >/dev/null || die "debootstrap is not installed: apt-get install debootstrap"
    local mirror rootfs
    mirror="$(debian_mirror)"
    rootfs="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
    # shellcheck disable=SC2064  # expand now: the path is fixed
    trap "rm -rf '$rootfs' '$TARBALL.partial'" EXIT
    log "debootstrap $SUITE from $mirror into $rootfs (about 80 s; log: $CACHE/debootstrap.log)"
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip \
        "$SUITE" "$rootfs" "$mirror" >"$CACHE/debootstrap.log" 2>&1 \
        || die "debootstrap failed; last log lines:
$(tail -n 20 "$CACHE/debootstrap.log")"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar --numeric-owner -C "$rootfs" -cf "$TARBALL.partial" .
    mv "$TARBALL.partial" "$TARBALL"
    rm -rf "$rootfs"
    trap - EXIT
    log "cached root filesystem $TARBALL ($(du -h "$TARBALL" | cut -f1))"
}

build_base_image() {
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        log "image $BASE_IMAGE already present"
        return
    fi
    build_rootfs_tarball
    log "importing $TARBALL as $BASE_IMAGE"
    docker import --change 'CMD ["python3"]' "$TARBALL" "$BASE_IMAGE" >/dev/null
    docker run --rm --network none "$BASE_IMAGE" python3 -c 'import sys; assert sys.version_info >= (3, 11)' \
        || die "image $BASE_IMAGE does not run python3 >= 3.11"
    log "image $BASE_IMAGE built and checked (python3 runs in it)"
}

main() {
    [[ "$(id -u)" == 0 ]] || die "run as root (it starts dockerd and runs debootstrap)"
    mkdir -p "$CACHE"
    # One run at a time: a second concurrent run waits here, then finds everything done.
    exec 9>"$CACHE/docker.lock"
    flock -w 900 9 || die "another .ci/docker.sh still holds $CACHE/docker.lock after 900s"
    start_engine
    build_base_image
    printf 'docker engine: %s; base image: %s\n' "${DOCKER_HOST:-unix:///var/run/docker.sock}" "$BASE_IMAGE"
}

main "$@"
