#!/usr/bin/env bash
# Makes the Dockerfile's FROM images exist locally, because no image registry is reachable
# from CI machines (see containers.md). For each FROM image that podman does not already
# have, it builds a stand-in under the very same name, so the Dockerfile is built unchanged:
#   - a Swift image (docker.io/library/swift:X.Y.Z-bookworm): a Debian minbase rootfs plus the
#     packages the official image installs for building, plus this machine's toolchain
#     (/opt/swift by default). Its version must match the tag, or the build would be a lie.
#   - any Debian image (debian:bookworm-slim): a debootstrap --variant=minbase rootfs.
# Stand-ins are cached in podman's own store: an existing image is never rebuilt, which keeps
# repeated CI runs from spending minutes on debootstrap. Set REBUILD_BASE_IMAGES=1 to force.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib.sh

DOCKERFILE=${DOCKERFILE:-Dockerfile}
SWIFT_TOOLCHAIN=${SWIFT_TOOLCHAIN:-/opt/swift}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What the official swift:*-bookworm images install for building (trimmed to what a
# SwiftPM build of a dependency-free package links against; lldb's python is left out).
SWIFT_BUILD_PACKAGES=binutils,gcc,libc6-dev,libstdc++-12-dev,libcurl4-openssl-dev,libxml2-dev,libsqlite3-0,libncurses6,libedit2,libuuid1,zlib1g-dev,pkg-config,tzdata,git,ca-certificates

ensure_container_tools

# The FROM images, fully qualified the way the Dockerfile names them.
mapfile -t images < <(awk 'toupper($1) == "FROM" { print $2 }' "$DOCKERFILE" | sort -u)
[ "${#images[@]}" -gt 0 ] || die "no FROM lines in $DOCKERFILE"

workdir=$(mktemp -d /var/tmp/carewatch-base.XXXXXX)
trap 'rm -rf "$workdir"' EXIT

debootstrap_rootfs() {   # $1 = suite, $2 = target dir, $3 = extra packages (comma list, may be empty)
    local include=()
    [ -n "$3" ] && include=(--include="$3")
    log "debootstrap --variant=minbase $1 (${3:-no extra packages}); takes a few minutes"
    debootstrap --variant=minbase "${include[@]}" "$1" "$2" "$MIRROR" >"$workdir/debootstrap.log" 2>&1 \
        || { tail -30 "$workdir/debootstrap.log"; die "debootstrap failed"; }
    rm -rf "$2"/var/lib/apt/lists/* "$2"/var/cache/apt/archives/*.deb
}

import_rootfs() {        # $1 = rootfs, $2 = image name
    log "importing $2"
    tar -C "$1" -c . | podman import --quiet \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' - "$2" >/dev/null
}

for image in "${images[@]}"; do
    if [ "${REBUILD_BASE_IMAGES:-0}" != 1 ] && podman image exists "$image"; then
        log "base image $image: present (cached)"
        continue
    fi
    tag=${image##*:}
    suite=bookworm
    case "$tag" in *bullseye*) suite=bullseye ;; *trixie*) suite=trixie ;; esac
    rootfs="$workdir/rootfs"
    rm -rf "$rootfs"
    case "$image" in
        *swift:*)
            want=${tag%%-*}
            have=$("$SWIFT_TOOLCHAIN/usr/bin/swift" --version 2>&1 | sed -n 's/.*Swift version \([0-9.]*\).*/\1/p' | head -1)
            [ "$want" = "$have" ] || die "$DOCKERFILE pins $image but $SWIFT_TOOLCHAIN has Swift $have"
            debootstrap_rootfs "$suite" "$rootfs" "$SWIFT_BUILD_PACKAGES"
            log "adding the Swift $have toolchain from $SWIFT_TOOLCHAIN"
            tar -C "$SWIFT_TOOLCHAIN" -c usr | tar -C "$rootfs" -x
            ;;
        *debian:*)
            debootstrap_rootfs "$suite" "$rootfs" ""
            ;;
        *)
            die "do not know how to stand in for $image"
            ;;
    esac
    import_rootfs "$rootfs" "$image"
    rm -rf "$rootfs"
done
