import type { OwnPostgresCluster } from './OwnPostgresCluster.js'

/** One normalised statement of `pg_stat_statements` and how often a flow ran it. */
export interface StatementShape {
  query: string
  perFlow: number
}

/**
 * The statements of the services' database since the last reset, by shape (pg_stat_statements'
 * normalised text, whitespace folded, cut to `width` characters), most frequent first, each as
 * calls per flow: which statement a change added or saved.
 */
export async function statementShapes(
  postgres: OwnPostgresCluster,
  flows: number,
  width = 140,
): Promise<StatementShape[]> {
  const rows = await postgres.statementCalls()
  return rows
    .map(({ query, calls }) => ({ query: query.replace(/\s+/g, ' ').trim().slice(0, width), perFlow: calls / flows }))
    .filter((shape) => shape.perFlow >= 0.05)
    .sort((a, b) => b.perFlow - a.perFlow)
}

/** A Markdown table of `shapes` under `title`. */
export function statementShapeTable(title: string, shapes: StatementShape[]): string {
  const escaped = (text: string) => text.replaceAll('|', '\\|')
  return [
    `#### Statements per flow: ${title}`,
    '',
    '| per flow | statement (normalised, cut) |',
    '| --- | --- |',
    ...shapes.map((shape) => `| ${shape.perFlow.toFixed(2)} | \`${escaped(shape.query)}\` |`),
    '',
  ].join('\n')
}
