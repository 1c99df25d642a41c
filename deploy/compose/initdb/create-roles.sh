#!/bin/bash
# PostgreSQL init script (/docker-entrypoint-initdb.d, runs once on an empty data directory):
# creates the login roles named in the mounted database URL secrets, with their passwords.
#   /run/secrets/<role>_migration_url  schema owner of that role: may create its schema, nothing else
#   /run/secrets/<role>_database_url   the service's app role: no rights until `migrate` grants them
# URLs look like postgres://user:password@host:5432/db (password URL-safe or percent-encoded).
set -euo pipefail
create_role() { # file, extra SQL run after CREATE ROLE with :"name" bound
  local url user password
  url=$(tr -d '\r\n' <"$1")
  user=$(sed -E 's#^[a-z]+://([^:@/]+).*#\1#' <<<"$url")
  password=$(sed -E 's#^[a-z]+://[^:@/]+:([^@]*)@.*#\1#' <<<"$url")
  password=$(printf '%b' "${password//%/\\x}")
  psql -q -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" -d "$POSTGRES_DB" -v name="$user" -v password="$password" <<SQL
CREATE ROLE :"name" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'password';
$2
SQL
  echo "created role $user"
}
shopt -s nullglob
for file in /run/secrets/*_migration_url; do
  create_role "$file" "GRANT CREATE ON DATABASE \"$POSTGRES_DB\" TO :\"name\";"
done
for file in /run/secrets/*_database_url; do create_role "$file" ""; done
