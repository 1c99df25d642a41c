import type { Database, SqlSession } from '@attesto/storage-service'

/**
 * Counts the SQL statements a service sends, at its Database object: every statement of a
 * tenant-bound session and every stand-alone query (transaction control of a tenant session
 * included; `BEGIN`/`COMMIT` the Database sends itself are not). Wraps `database` in place.
 */
export function countStatements(database: Database): { readonly count: number } {
  const counter = { count: 0 }
  const withTenant = database.withTenant.bind(database)
  const query = database.query.bind(database)
  database.withTenant = ((tenantId, callback, options) =>
    withTenant(
      tenantId,
      (session: SqlSession) =>
        callback({
          query: (...args: Parameters<SqlSession['query']>) => {
            counter.count++
            return session.query(...args)
          },
          exec: (script: string) => session.exec(script),
        } as SqlSession),
      options,
    )) as typeof database.withTenant
  database.query = ((...args: Parameters<Database['query']>) => {
    counter.count++
    return query(...args)
  }) as typeof database.query
  return counter
}
