#!/usr/bin/env bash
# Makes sure Prometheus and promtool are installed (Debian's `prometheus` package ships both):
# the tests of deploy/observability run them, and under CI=true they fail instead of skipping
# when they are missing. Installs the package when needed; exits non-zero when that fails.
set -euo pipefail

log() { echo "[prometheus] $*"; }
fail() { echo "[prometheus] FATAL: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

if command -v promtool >/dev/null && command -v prometheus >/dev/null; then
  log "$(prometheus --version 2>&1 | head -n 1)"
  exit 0
fi
log "installing prometheus from Debian's packages"
as_root apt-get update -qq || fail "apt-get update failed"
# The package's service is not wanted on a CI machine: the tests start their own Prometheus.
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends prometheus >/dev/null ||
  fail "apt-get install prometheus failed"
command -v promtool >/dev/null || fail "promtool is missing after installing prometheus"
if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
  as_root systemctl stop prometheus || true
fi
log "$(prometheus --version 2>&1 | head -n 1)"
