import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Database } from '../database/Database.js'
import { schemaIdentifier } from './schemaIdentifier.js'

/** The package's numbered SQL files (`NNN_name.sql`). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url))

export interface MigrateOptions {
  /** The role's schema, for example `issuer`, `verifier` or `holder`. */
  schema: string
  /** Told each migration as it is applied (its file name and duration), for the migrate command's log. */
  onApplied?: (migration: string, durationMillis: number) => void
}

export interface MigrateReturn {
  /** File names applied by this call, in order; empty when the schema was up to date. */
  applied: string[]
}

interface MigrationFile {
  version: number
  name: string
}

async function migrationFiles(): Promise<MigrationFile[]> {
  const names = (await readdir(MIGRATIONS_DIR)).filter((name) => /^\d+_.+\.sql$/.test(name))
  return names.map((name) => ({ version: Number.parseInt(name, 10), name })).sort((a, b) => a.version - b.version)
}

/**
 * Applies the pending migrations to `schema` in one transaction, under an advisory lock, so
 * any number of instances can start together: one applies, the others wait and find nothing
 * left to do. A failing migration rolls back entirely.
 */
export async function migrate(database: Database, options: MigrateOptions): Promise<MigrateReturn> {
  const schema = schemaIdentifier(options.schema)
  const files = await migrationFiles()

  return database.withAdminTransaction(async (session) => {
    await session.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`attesto.migrate:${options.schema}`])
    // Up to date: nothing to create, so a least-privileged app role (which may read the
    // migration table but may not create schemas) starts after a separate `migrate` run.
    const { rows: found } = await session.query<{ table: string | null }>('SELECT to_regclass($1)::text AS table', [
      `${schema}.schema_migrations`,
    ])
    if (found[0]?.table) {
      const { rows } = await session.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations`)
      const done = new Set(rows.map((row) => row.version))
      if (files.every((file) => done.has(file.version))) return { applied: [] }
    }
    await session.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    await session.exec(`SET LOCAL search_path TO ${schema}, pg_temp`)
    await session.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`)
    const { rows } = await session.query<{ version: number }>('SELECT version FROM schema_migrations')
    const done = new Set(rows.map((row) => row.version))

    const applied: string[] = []
    for (const file of files) {
      if (done.has(file.version)) continue
      const started = performance.now()
      await session.exec(await readFile(`${MIGRATIONS_DIR}${file.name}`, 'utf8'))
      await session.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [file.version, file.name])
      applied.push(file.name)
      options.onApplied?.(file.name, performance.now() - started)
    }
    return { applied }
  })
}
