import type { BenchVariants } from '../deployments/benchVariants.js'
import type { PointMeasurement } from '../measure/measurePoint.js'

import { fixed as fixedTo, pointOf, row, totalCpu as sum } from './printTables.js'

const fixed = (value: number | undefined, digits = 2) => fixedTo(value, digits)

/** Each variant of ours against ours in the same rounds: CPU per flow, statements, the ratio. */
function besideOurs(points: PointMeasurement[], ours: string, names: string[]): string[] {
  const lines = [
    '### Variants beside ours (same rounds)',
    '',
    row([
      'flow',
      'in flight',
      'deployment',
      'service CPU ms/flow',
      'PostgreSQL CPU ms/flow',
      'sum',
      'statements/flow',
      'variant / ours',
    ]),
    row(Array(8).fill('---')),
  ]
  for (const point of points.filter((p) => names.includes(p.deployment))) {
    const base = pointOf(points, ours, point)
    for (const shown of [base, point]) {
      if (!shown) continue
      lines.push(
        row([
          shown.kind,
          shown.concurrency,
          shown.deployment,
          fixed(shown.serviceCpuMillisPerFlow),
          fixed(shown.postgresCpuMillisPerFlow),
          fixed(sum(shown)),
          fixed(shown.statementsPerFlow, 1),
          shown === point && base ? fixed(sum(point) / sum(base)) : '',
        ]),
      )
    }
  }
  return lines
}

/** The authorization code flow against the pre-authorised issuance of the same run; the provider's CPU apart. */
function authorizationCodeTable(points: PointMeasurement[], ours: string, name: string): string[] {
  const lines = [
    '### Authorization code flow against pre-authorised issuance (same run)',
    '',
    row([
      'in flight',
      'service CPU ms/flow',
      'PostgreSQL CPU ms/flow',
      'sum',
      'statements/flow',
      'transactions/flow',
      'OpenID provider CPU ms/flow (not ours, not in the sum)',
      'pre-authorised: sum',
      'statements/flow',
      'authorization code / pre-authorised',
    ]),
    row(Array(10).fill('---')),
  ]
  for (const point of points.filter((p) => p.deployment === name)) {
    const base = pointOf(points, ours, point, 'issuance')
    lines.push(
      row([
        point.concurrency,
        fixed(point.serviceCpuMillisPerFlow),
        fixed(point.postgresCpuMillisPerFlow),
        fixed(sum(point)),
        fixed(point.statementsPerFlow, 1),
        fixed(point.transactionsPerFlow, 1),
        fixed(point.sideCpuMillisPerFlow),
        base ? fixed(sum(base)) : '–',
        fixed(base?.statementsPerFlow, 1),
        base ? fixed(sum(point) / sum(base)) : '–',
      ]),
    )
  }
  return lines
}

/** The tables of the variants that ran (x5c issuer, another build, the authorization code flow). */
export function variantTables(points: PointMeasurement[], ours: string, variants: BenchVariants): string {
  const names = [variants.x5c?.name, variants.compared?.name].filter((name): name is string => name !== undefined)
  const out: string[] = []
  if (names.length > 0) out.push(...besideOurs(points, ours, names), '')
  const code = variants.authorizationCode?.name
  if (code && points.some((p) => p.deployment === code)) out.push(...authorizationCodeTable(points, ours, code), '')
  return out.join('\n')
}
