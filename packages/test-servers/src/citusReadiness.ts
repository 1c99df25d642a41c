import type { PostgresServer } from './PostgresCluster.js'

// Checks that a migrated schema and the statements the services issue can be distributed by
// tenant (Citus `create_distributed_table(..., 'tenant_id')`): every primary key, unique
// constraint and unique index of a distributed table holds the tenant key, and every statement on
// the records reaches one tenant (one shard) unless it is marked as a cluster-wide maintenance
// statement. Tables without a tenant column are reference (or local) tables.

/** A statement that reaches every tenant on purpose carries this comment (the expired-row purge). */
export const CLUSTER_WIDE_MARK = '/* cluster-wide */'

/** Unique constraints and unique indexes (primary keys included) of tables with a `tenant_id` column that lack it. */
export function uniqueKeysWithoutTenant(server: PostgresServer, schema: string): string[] {
  const rows = server.sql(`
    SELECT c.relname || ': ' || i.relname
    FROM pg_index x
    JOIN pg_class c ON c.oid = x.indrelid
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = '${schema}' AND x.indisunique
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')
      AND NOT EXISTS (
        SELECT 1 FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND a.attnum = ANY(x.indkey::int2[]))
    ORDER BY 1`)
  return rows ? rows.split('\n') : []
}

/** The tables of `schema` that have no `tenant_id` column: reference or local tables under Citus. */
export function tablesWithoutTenant(server: PostgresServer, schema: string): string[] {
  const rows = server.sql(`
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = '${schema}' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')
    ORDER BY 1`)
  return rows ? rows.split('\n') : []
}

export interface StatementCensus {
  /**
   * Statements on the records that name their tenant (`tenant_id = $n`, or INSERTs whose rows
   * carry it): one shard each (rows of a multi-row INSERT are routed to their shards).
   */
  tenantScoped: string[]
  /** Statements marked {@link CLUSTER_WIDE_MARK}. */
  clusterWide: string[]
  /** Statements on the records that neither name a tenant nor are marked: each would reach every shard. */
  unscoped: string[]
}

/** Sorts the statements pg_stat_statements saw on `schema`'s records (run with `pg_stat_statements.track = top`). */
export function statementCensus(server: PostgresServer, schema: string): StatementCensus {
  const texts = server
    .sql(`SELECT regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements
      WHERE query ~ '${schema}"?\\.(tenant_records|records|purge_expired_records)' ORDER BY calls DESC`)
    .split('\n')
    .filter(Boolean)
  const census: StatementCensus = { tenantScoped: [], clusterWide: [], unscoped: [] }
  for (const text of texts) {
    if (text.includes(CLUSTER_WIDE_MARK)) census.clusterWide.push(text)
    else if (/\btenant_id = \$\d+/.test(text) || /^INSERT INTO \S+ \(tenant_id,/.test(text))
      census.tenantScoped.push(text)
    else census.unscoped.push(text)
  }
  return census
}
