#!/usr/bin/env bash
# `npm run test:deploy`: builds the images with podman, checks them (non-root, labels, no
# secret in any layer), then runs the shared and the split compose topologies end to end
# (topologies.mjs). Installs podman, runc, debootstrap and podman-compose from Debian when they
# are missing (needs root or sudo). Everything it starts is removed again, also on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=deploy/test
log() { echo "[deploy] $*"; }
started=$(date +%s)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
missing=()
# iptables: netavark (podman's network backend) sets up container networks with it.
for tool in podman runc debootstrap podman-compose iptables haproxy; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (and podman's network helpers) from Debian's packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq podman runc debootstrap podman-compose \
    netavark aardvark-dns slirp4netns uidmap iptables haproxy >/dev/null
fi
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/$here/containers.conf}
ulimits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

log "compiling, then checking the Kubernetes manifests and compose files"
npm run build --silent
node "$here/checkManifests.mjs"

log "the balancers' name resolution without DNS answers (HAProxy on this machine)"
node "$here/balancerDns.mjs"

log "third-party images"
bash deploy/stand-in/build-stand-in-images.sh

revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
version=$(node -p 'require("./packages/agent-runtime/package.json").version')
secret_args=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  secret_args=(--secret "id=npm_ca,src=$NODE_EXTRA_CA_CERTS")
fi
for role in issuer verifier; do
  log "building attesto-$role (deploy/Dockerfile, ROLE=$role)"
  t0=$(date +%s)
  # --format docker keeps the HEALTHCHECK (the OCI image format has none). The --label flags
  # repeat the Dockerfile's labels: podman's layer cache does not see a changed ARG REVISION.
  podman build -q --pull=never --format docker "${ulimits[@]}" "${secret_args[@]}" \
    --build-arg ROLE="$role" --build-arg VERSION="$version" --build-arg REVISION="$revision" \
    --label org.opencontainers.image.revision="$revision" --label org.opencontainers.image.version="$version" \
    -f deploy/Dockerfile -t "attesto-$role:latest" -t "attesto-$role:$version" . >/dev/null
  log "built attesto-$role in $(( $(date +%s) - t0 ))s"
done

log "checking the images"
node "$here/checkImages.mjs" attesto-issuer:latest attesto-verifier:latest

log "running the topologies"
node "$here/topologies.mjs" "$@"
log "all deploy checks passed in $(( $(date +%s) - started ))s"
