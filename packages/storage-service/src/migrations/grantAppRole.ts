import type { Database } from '../database/Database.js'
import { schemaIdentifier } from './schemaIdentifier.js'

export interface GrantAppRoleOptions {
  /** The role's schema, already migrated. */
  schema: string
  /** The login role the service connects as. */
  role: string
  /** Create the role (LOGIN, NOBYPASSRLS) when it does not exist. Default true. */
  create?: boolean
}

/**
 * Gives a service's database role the least privilege it needs: read and write rows through
 * the `tenant_records` view (only the tenant bound to its session), read the migration table,
 * and run the expired-row purge. It gets no privilege on the `records` table itself, no DDL
 * rights, and owns nothing. Run it as the schema owner (the migration role).
 */
export async function grantAppRole(database: Database, options: GrantAppRoleOptions): Promise<void> {
  const schema = schemaIdentifier(options.schema)
  const role = schemaIdentifier(options.role, 'role')
  await database.withAdminTransaction(async (session) => {
    if (options.create !== false) {
      // Tolerates another instance creating the role at the same moment.
      await session.exec(`DO $$ BEGIN
        CREATE ROLE ${role} LOGIN NOBYPASSRLS;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`)
    }
    await session.exec(`
      GRANT USAGE ON SCHEMA ${schema} TO ${role};
      REVOKE ALL ON ${schema}.records FROM ${role};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ${schema}.tenant_records TO ${role};
      GRANT SELECT ON ${schema}.schema_migrations TO ${role};
      GRANT EXECUTE ON FUNCTION ${schema}.purge_expired_records(integer) TO ${role};
    `)
  })
}
