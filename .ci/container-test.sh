#!/usr/bin/env bash
# Container CI: build the project's Dockerfile and run the image for real (tests/container/).
#
#   .ci/container-test.sh                 prepare podman + a local base image, run the test
#   .ci/container-test.sh --update-lock   regenerate requirements.lock from pyproject.toml
#
# Needs root and Debian packages (installed here when missing: podman, runc, debootstrap).
# No image registry is used: the base image is made with debootstrap from the Debian mirror
# apt is configured with, imported into podman, and cached (podman storage + a tarball in
# $GEOALERT_CI_CACHE) so later runs skip it. Python dependencies are downloaded on the host into
# a wheelhouse (host pip already knows the proxy and its CA) and installed in the build from it.
#
# Environment:
#   PYTHON              python with pytest (and the project) installed    [python3, or .venv]
#   GEOALERT_CI_CACHE   cache directory                                   [/var/cache/geoalert-ci]
#   DEBIAN_MIRROR       Debian mirror for debootstrap                     [from apt's sources]
#   GEOALERT_CI_REBUILD_BASE=1   ignore the cached base image
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -n "${VIRTUAL_ENV:-}" ]]; then PYTHON=python; elif [[ -x .venv/bin/python ]]; then
        PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
CACHE="${GEOALERT_CI_CACHE:-/var/cache/geoalert-ci}"
SUITE=bookworm
BASE_PACKAGES="python3,python3-venv,python3-pip,ca-certificates"
# The tag changes whenever the recipe does, so a stale cached base is never reused.
BASE_KEY="$(printf '%s %s v1' "$SUITE" "$BASE_PACKAGES" | sha256sum | cut -c1-12)"
BASE_IMAGE="localhost/geoalert-ci-base:${SUITE}-${BASE_KEY}"
BASE_TAR="$CACHE/base-${SUITE}-${BASE_KEY}.tar"

log() { printf '[container-test %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# ------------------------------------------------------------------ requirements.lock
# Imported by the code but not (yet) declared in pyproject.toml: kept in the lock until they are.
LOCK_EXTRA_REQUIREMENTS=()

update_lock() {
    local tmp
    tmp="$(mktemp -d)"
    # pip-compile cannot mix --all-build-deps with extra inputs, so the build requirements of
    # pyproject.toml (setuptools, wheel: the image builds the project without build isolation)
    # go in through a small .in file with the extras above.
    "$PYTHON" - "$tmp/extra.in" "${LOCK_EXTRA_REQUIREMENTS[@]}" <<'PY'
import sys, tomllib
with open("pyproject.toml", "rb") as f:
    build = tomllib.load(f)["build-system"]["requires"]
with open(sys.argv[1], "w") as out:
    out.write("\n".join([*build, *sys.argv[2:]]) + "\n")
PY
    # A clean pip configuration: only PyPI, no local find-links / extra indexes of this machine.
    env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL PIP_CONFIG_FILE=/dev/null \
        CUSTOM_COMPILE_COMMAND=".ci/container-test.sh --update-lock" \
        "$PYTHON" -m piptools compile --quiet --generate-hashes --allow-unsafe --strip-extras \
        --no-emit-index-url --index-url "${LOCK_INDEX_URL:-https://pypi.org/simple}" \
        --output-file requirements.lock pyproject.toml "$tmp/extra.in" 2> >(grep -v -E \
        'BuildBackendWarning|^\s*$|^!!|\*{10}|corresp\(|license|SPDX|2027|See https' >&2)
    # The temporary path would otherwise show in the "via" comments.
    sed -i "s#-r $tmp/extra.in#build-system.requires / LOCK_EXTRA_REQUIREMENTS#" requirements.lock
    rm -rf "$tmp"
    log "requirements.lock updated ($(grep -c '^[a-z]' requirements.lock) pins)"
}

if [[ "${1:-}" == "--update-lock" ]]; then
    update_lock
    exit 0
fi

# ------------------------------------------------------------------ tools
SECONDS=0
need=()
command -v podman >/dev/null || need+=(podman)
command -v runc >/dev/null || need+=(runc)
command -v debootstrap >/dev/null || need+=(debootstrap)
if ((${#need[@]})); then
    log "installing ${need[*]} (apt)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${need[@]}" uidmap fuse-overlayfs slirp4netns containernetworking-plugins >/dev/null
fi
log "tools ready ($(podman --version)) after ${SECONDS}s"
mkdir -p "$CACHE"

# ------------------------------------------------------------------ base image (no registry)
debian_mirror() {
    # The mirror apt already uses here (deb822 sources, then one-line sources).
    local uri
    uri="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null \
        || true)"
    [[ -n "$uri" ]] || uri="$(awk '$1 == "deb" && $3 ~ /^'"$SUITE"'$/ {print $2; exit}' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)"
    echo "${uri:-http://deb.debian.org/debian}"
}

ROOTFS=""
cleanup_rootfs() {
    # debootstrap mounts /proc, /sys and /dev/pts inside the tree: unmount before deleting.
    [[ -n "$ROOTFS" && -d "$ROOTFS" ]] || return 0
    awk -v r="$ROOTFS" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r |
        while read -r m; do umount -l "$m" || true; done
    rm -rf --one-file-system "$ROOTFS"
    ROOTFS=""
}
trap cleanup_rootfs EXIT

make_base_tar() {
    local mirror proxy
    mirror="${DEBIAN_MIRROR:-$(debian_mirror)}"
    # apt's proxy (if any) is what lets debootstrap through too.
    proxy="$(apt-config shell P Acquire::http::Proxy | sed -n "s/^P='\(.*\)'$/\1/p")"
    ROOTFS="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
    log "debootstrap $SUITE from $mirror${proxy:+ via $proxy} (the slow part)"
    local start=$SECONDS
    if ! http_proxy="${proxy:-${http_proxy:-}}" debootstrap --variant=minbase \
        --include="$BASE_PACKAGES" "$SUITE" "$ROOTFS" "$mirror" >"$CACHE/debootstrap.log" 2>&1; then
        tail -n 30 "$CACHE/debootstrap.log" "$ROOTFS/debootstrap/debootstrap.log" >&2 || true
        log "debootstrap failed; full log: $CACHE/debootstrap.log"
        return 1
    fi
    # Slimmer base: no package caches, lists, docs or man pages.
    rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
        "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/*
    tar -C "$ROOTFS" --one-file-system --numeric-owner -cf "$BASE_TAR.tmp" .
    mv "$BASE_TAR.tmp" "$BASE_TAR"
    cleanup_rootfs
    log "debootstrap + tarball took $((SECONDS - start))s ($(du -h "$BASE_TAR" | cut -f1))"
}

if [[ "${GEOALERT_CI_REBUILD_BASE:-0}" == 1 ]]; then
    podman image rm -f "$BASE_IMAGE" >/dev/null 2>&1 || true
    rm -f "$BASE_TAR"
fi
if podman image exists "$BASE_IMAGE"; then
    log "base image $BASE_IMAGE: cached in podman storage"
else
    if [[ -f "$BASE_TAR" ]]; then log "base image: from cached $BASE_TAR"; else make_base_tar; fi
    podman import --change 'CMD ["/bin/bash"]' "$BASE_TAR" "$BASE_IMAGE" >/dev/null
    log "base image $BASE_IMAGE imported"
fi

# ------------------------------------------------------------------ wheelhouse (host pip)
# Host pip knows this machine's proxy and CA; the build installs from these files only, with
# the lock's hashes checked again inside the image.
LOCK_SUM="$(sha256sum requirements.lock | cut -c1-12)"
WHEELHOUSE="$CACHE/wheels-$LOCK_SUM"
if [[ ! -f "$WHEELHOUSE/.complete" ]]; then
    log "downloading wheels for requirements.lock into $WHEELHOUSE"
    env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
        "$PYTHON" -m pip download --quiet --no-deps --require-hashes --only-binary :all: \
        --python-version 3.11 --implementation cp --platform manylinux2014_x86_64 \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
        --index-url "${PIP_INDEX_URL:-https://pypi.org/simple}" \
        -r requirements.lock -d "$WHEELHOUSE"
    touch "$WHEELHOUSE/.complete"
    find "$CACHE" -maxdepth 1 -name 'wheels-*' ! -path "$WHEELHOUSE" -exec rm -rf {} +
fi
log "prepared in ${SECONDS}s; running tests/container"

# ------------------------------------------------------------------ the test
export GEOALERT_CONTAINER_TEST=1
export GEOALERT_CT_BASE_IMAGE="$BASE_IMAGE"
export GEOALERT_CT_WHEELHOUSE="$WHEELHOUSE"
cd "$REPO"
"$PYTHON" -m pytest -q -m container -p no:cacheprovider tests/container "$@"
log "done in ${SECONDS}s"
