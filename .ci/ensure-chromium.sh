#!/usr/bin/env bash
# Makes sure Debian's chromium is installed at /usr/bin/chromium: the wallet SDK's browser test
# (packages/system-tests/tests/browserWallet.test.ts) drives it headless with playwright-core, which
# never downloads a browser of its own. Under CI=true that test fails when chromium is missing.
# Installs the package when needed; exits non-zero when that fails.
set -euo pipefail

log() { echo "[chromium] $*"; }
fail() { echo "[chromium] FATAL: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

if [ -x /usr/bin/chromium ]; then
  log "$(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
  exit 0
fi
log "installing chromium from Debian's packages"
as_root apt-get update -qq || fail "apt-get update failed"
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null || fail "apt-get install chromium failed"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing after installing chromium"
log "$(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
