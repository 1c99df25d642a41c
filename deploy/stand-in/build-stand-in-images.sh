#!/usr/bin/env bash
# Makes sure the third-party images the Dockerfile and compose files name exist locally:
# node:20-bookworm-slim, postgres:15, redis:7 and haproxy:2.6. An image already present is
# used as it is; a missing one is pulled; only when no registry can be reached is a stand-in
# built from Debian's packages (debootstrap bookworm minbase), under the same name, and this
# script says so loudly. Stand-ins are cached: a second run on the same machine builds nothing.
# Needs: podman, debootstrap (the deploy test installs them), root, Debian mirrors over http.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/../test/containers.conf}
ulimits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PULL_TIMEOUT_SECONDS=${PULL_TIMEOUT_SECONDS:-20}

log() { echo "[images] $*"; }
banner() {
  echo "[images] ************************************************************************"
  echo "[images] STAND-IN: $1 could not be pulled (no image registry reachable)."
  echo "[images] Building a stand-in under that name from Debian packages + $2."
  echo "[images] The Dockerfiles and compose files are unchanged: elsewhere the real image is used."
  echo "[images] ************************************************************************"
}

base=attesto-stand-in/bookworm-minbase:latest
ensure_base() {
  podman image exists "$base" && return
  local dir
  dir=$(mktemp -d /var/tmp/attesto-minbase.XXXXXX)
  log "debootstrap bookworm minbase into $dir (about 2.5 minutes)"
  debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.log" 2>&1 || { tail -20 "$dir.log"; exit 1; }
  echo "deb $mirror bookworm main" >"$dir/etc/apt/sources.list"
  rm -rf "$dir/var/cache/apt/archives/"*.deb "$dir/var/lib/apt/lists/"*
  tar -C "$dir" -c . | podman import --change 'CMD ["/bin/bash"]' - "$base" >/dev/null
  rm -rf "$dir" "$dir.log"
}

# image name, Containerfile, build context, what it is made of
ensure_image() {
  local image=$1 file=$2 context=$3 what=$4
  if podman image exists "$image"; then
    if [ "$(podman image inspect --format '{{ index .Labels "org.attesto.stand-in" }}' "$image")" = true ]; then
      log "$image: STAND-IN in use (built earlier on this machine from Debian packages, no registry was reachable)"
    else
      log "$image: present"
    fi
    return
  fi
  if timeout "$PULL_TIMEOUT_SECONDS" podman pull -q "docker.io/library/$image" >/dev/null 2>&1; then
    log "$image: pulled"
    return
  fi
  banner "$image" "$what"
  ensure_base
  podman build -q --pull=never "${ulimits[@]}" -f "$file" -t "$image" "$context" >/dev/null
  log "$image: stand-in built"
}

node_context=$(mktemp -d)
trap 'rm -rf "$node_context"' EXIT
cp "$(readlink -f "$(command -v node)")" "$node_context/node"
cp -r "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$node_context/npm"

ensure_image node:20-bookworm-slim "$here/node.Containerfile" "$node_context" "the host's node $(node --version) and npm"
ensure_image postgres:15 "$here/postgres.Containerfile" "$here" "Debian's postgresql-15"
ensure_image redis:7 "$here/redis.Containerfile" "$here" "Debian's redis-server 7"
ensure_image haproxy:2.6 "$here/haproxy.Containerfile" "$here" "Debian's haproxy 2.6"
