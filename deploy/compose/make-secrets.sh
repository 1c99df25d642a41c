#!/usr/bin/env bash
# Writes fresh random secrets for a compose topology into a directory (mode 600 files):
#   deploy/compose/make-secrets.sh <shared|split> <dir>
# An admin API key shared by both roles (use one per role in production), a PostgreSQL
# superuser password per database, an owner URL and an app-role URL per role, and a local KMS
# master key per role (production: KMS_BACKEND=vault or aws instead).
set -euo pipefail
topology=${1:?usage: make-secrets.sh <shared|split> <dir>}
dir=${2:?usage: make-secrets.sh <shared|split> <dir>}
mkdir -p "$dir"
umask 077
random() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
write() { printf '%s\n' "$2" >"$dir/$1"; }
write admin_api_key "$(random)"
for role in issuer verifier; do
  if [ "$topology" = shared ]; then host=postgres db=attesto; else host=$role-postgres db=attesto_$role; fi
  write "${role}_migration_url" "postgres://${role}_owner:$(random)@$host:5432/$db"
  write "${role}_database_url" "postgres://${role}_app:$(random)@$host:5432/$db"
  write "${role}_master_key" "$(head -c 32 /dev/urandom | base64)"
  if [ "$topology" = split ]; then write "${role}_postgres_password" "$(random)"; fi
done
if [ "$topology" = shared ]; then write postgres_password "$(random)"; fi
# Containers run as non-root users: the files must be readable by them (bind-mounted secrets
# keep the host's mode). Keep the directory itself private.
chmod 700 "$dir" && chmod 644 "$dir"/*
echo "secrets for the $topology topology in $dir"
