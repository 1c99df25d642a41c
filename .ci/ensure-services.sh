#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379) answer.
# Starts them (installing Debian's packages if they are missing) when they do not, and exits
# non-zero with a clear message when that fails. Never skips. Also installs SoftHSM2, the PKCS#11
# token the pkcs11 KMS backend is tested on (each test run initialises tokens of its own), and
# PgBouncer: the scale-out tests run servers of their own (PostgreSQL 15 binaries as the `postgres`
# user, a streaming standby, PgBouncer in transaction mode) on free ports beside the shared one.
set -euo pipefail

log() { echo "[services] $*"; }
fail() { echo "[services] FATAL: $*" >&2; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

apt_install() {
  log "installing $* from Debian's packages"
  as_root apt-get update -qq || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null || fail "apt-get install $* failed"
}

postgres_answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

wait_for() {
  local what=$1 check=$2
  for _ in $(seq 1 30); do
    if $check; then log "$what answers"; return 0; fi
    sleep 1
  done
  return 1
}

ensure_postgres() {
  if command -v pg_isready >/dev/null && postgres_answers; then log "PostgreSQL answers on 127.0.0.1:5432"; return; fi
  if [ ! -d /etc/postgresql ] || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    apt_install postgresql
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  log "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL postgres_answers || fail "PostgreSQL does not answer on 127.0.0.1:5432"
  psql -h 127.0.0.1 -U postgres -d postgres -Atc 'SELECT 1' >/dev/null ||
    fail "PostgreSQL answers but does not accept user postgres without a password (trust auth expected)"
}

ensure_redis() {
  # The DID cache's outage test starts redis-server processes of its own: the binary must exist.
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || apt_install redis-server
  if redis_answers; then log "Redis answers on 127.0.0.1:6379"; return; fi
  log "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  wait_for Redis redis_answers || fail "Redis does not answer on 127.0.0.1:6379"
}

ensure_softhsm() {
  command -v softhsm2-util >/dev/null || apt_install softhsm2
  softhsm2-util --version >/dev/null 2>&1 || fail "softhsm2-util does not run"
  log "SoftHSM2 $(softhsm2-util --version) installed"
}

ensure_pgbouncer() {
  command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || apt_install pgbouncer
  # Debian's package starts a system instance on 6432; the tests run their own on free ports.
  [ -x /usr/lib/postgresql/15/bin/initdb ] || fail "PostgreSQL 15 server binaries missing (/usr/lib/postgresql/15/bin)"
  id postgres >/dev/null 2>&1 || fail "no postgres user: the tests run initdb and pgbouncer as it"
  log "$(/usr/sbin/pgbouncer --version | head -n 1) installed"
}

ensure_postgres
ensure_redis
ensure_softhsm
ensure_pgbouncer
