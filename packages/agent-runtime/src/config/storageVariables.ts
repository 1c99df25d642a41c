import { z } from 'zod'
import { variable } from './configSection.js'

const optionalUrl = z.url().optional()

/**
 * The role's storage (`@attesto/storage-service`): PostgreSQL URLs and pool, or the embedded
 * PGlite. The storage service takes these as constructor options; the runtime reads them.
 */
export const STORAGE_VARIABLES = {
  DATABASE_URL: variable(optionalUrl, {
    description: "PostgreSQL URL of the role's least-privileged app role",
    defaultText: 'none: embedded PGlite',
    secret: true,
  }),
  DATABASE_MIGRATION_URL: variable(optionalUrl, {
    description: "schema owner's URL, used only to migrate",
    defaultText: '`DATABASE_URL`',
    secret: true,
  }),
  DATABASE_REPLICA_URL: variable(optionalUrl, {
    description: 'read replica (streaming standby): the list endpoints read from it',
    secret: true,
  }),
  DATABASE_SCHEMA: variable(
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _')
      .optional(),
    { description: "schema of the role's storage", defaultText: 'the role (`issuer`, `verifier`)' },
  ),
  DATABASE_POOL_SIZE: variable(z.coerce.number().int().positive().default(10), {
    description: 'connections per instance',
  }),
  DATABASE_STATEMENT_TIMEOUT_MILLIS: variable(z.coerce.number().int().positive().default(5_000), {
    description: 'server-side statement timeout',
  }),
  DATABASE_TRANSACTION_POOLING: variable(z.enum(['true', 'false']).default('false'), {
    description:
      '`true` when `DATABASE_URL` (and the replica URL) lead to PgBouncer in transaction mode: tenant binding and timeouts per transaction (`SET LOCAL`), no prepared statements',
  }),
  DATABASE_REPLICA_RETRY_MILLIS: variable(z.coerce.number().int().positive().default(5_000), {
    description: 'after the read replica fails, how long list reads stay on the primary before it is tried again',
  }),
  PGLITE_DATA_DIR: variable(z.string().default('./data'), {
    description: 'embedded storage (`<dir>/<role>`) and default key file location',
  }),
}
