#!/usr/bin/env node
import { parseArgs } from 'node:util'
import type { Database } from './database/Database.js'
import { PgliteDatabase } from './database/PgliteDatabase.js'
import { PostgresDatabase } from './database/PostgresDatabase.js'
import { ExpiredRecordCleaner } from './ExpiredRecordCleaner.js'
import { grantAppRole } from './migrations/grantAppRole.js'
import { migrate } from './migrations/migrate.js'

const USAGE = `Usage: attesto-storage <command> --schema <name> [options]

Commands:
  migrate   apply pending migrations (run as the schema owner)
  grant     create the app role if needed and grant it least privilege (--role <name>)
  purge     delete expired rows now, in bounded batches

Database: DATABASE_URL (PostgreSQL), else PGLITE_DATA_DIR (embedded PGlite).`

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { schema: { type: 'string' }, role: { type: 'string' }, help: { type: 'boolean' } },
  })
  const command = positionals[0]
  if (values.help || !command || !values.schema) {
    console.log(USAGE)
    process.exitCode = values.help ? 0 : 2
    return
  }
  const schema = values.schema
  const url = process.env.DATABASE_URL
  const database: Database = url
    ? new PostgresDatabase({ connectionString: url, maxConnections: 1 })
    : await PgliteDatabase.open({ dataDir: process.env.PGLITE_DATA_DIR })
  try {
    if (command === 'migrate') {
      const { applied } = await migrate(database, {
        schema,
        onApplied: (migration, durationMillis) =>
          console.log(`migration ${migration} applied (${Math.round(durationMillis)} ms)`),
      })
      console.log(applied.length ? `applied: ${applied.join(', ')}` : `schema ${schema} is up to date`)
    } else if (command === 'grant') {
      if (!values.role) throw new Error('grant needs --role <name>')
      await grantAppRole(database, { schema, role: values.role })
      console.log(`granted ${values.role} least privilege on schema ${schema}`)
    } else if (command === 'purge') {
      const result = await new ExpiredRecordCleaner({ database, schema, maxBatchesPerRun: 1_000_000 }).runOnce()
      console.log(`deleted ${result.deleted} expired rows in ${result.batches} batches`)
    } else {
      console.log(USAGE)
      process.exitCode = 2
    }
  } finally {
    await database.close()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
