import type { Percentiles } from '../loadgen/LatencySamples.js'
import type { FlowKind, PointMeasurement } from '../measure/measurePoint.js'

const TITLES: Record<FlowKind, string> = {
  issuance: 'Issuance: pre-authorised SD-JWT VC with tx_code, offer made through the API',
  verification: 'Verification: request made through the API, request object, encrypted response, result',
  'authorization-code':
    "Issuance: authorization code flow (PAR with PKCE, authorization, login at the tenant's OpenID provider, callback, token, nonce, credential)",
}

export const fixed = (value: number | undefined, digits = 1) => (value === undefined ? '–' : value.toFixed(digits))
const triple = ({ p50, p95, p99 }: Percentiles) => `${fixed(p50)} / ${fixed(p95)} / ${fixed(p99)}`
export const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`
const CREDO_ALONE = 'Credo alone'
export const totalCpu = (point: PointMeasurement) =>
  point.serviceCpuMillisPerFlow + (point.postgresCpuMillisPerFlow ?? 0)
/**
 * `deployment`'s point of the same flow kind (or `kind`) and concurrency as `like`, from the same round: the
 * nearest in measuring order (a concurrency listed twice in BENCH_CONCURRENCY runs two rounds).
 */
export function pointOf(points: PointMeasurement[], deployment: string, like: PointMeasurement, kind = like.kind) {
  const at = points.indexOf(like)
  return points
    .filter((p) => p.deployment === deployment && p.kind === kind && p.concurrency === like.concurrency)
    .sort((a, b) => Math.abs(points.indexOf(a) - at) - Math.abs(points.indexOf(b) - at))[0]
}

/** The per-point table of one flow kind, ours against Credo alone at the same concurrency. */
function pointTable(points: PointMeasurement[]): string[] {
  const lines = [
    row([
      'deployment',
      'in flight',
      'flows',
      'flows/s',
      'flow p50 / p95 / p99 ms',
      'service CPU ms/flow',
      'of which kernel',
      'PostgreSQL CPU ms/flow',
      'CPU sum ms/flow',
      'ours/Credo CPU',
      'statements/flow',
      'transactions/flow',
      'client CPU ms/flow',
    ]),
    row(Array(13).fill('---')),
  ]
  for (const point of points) {
    const credo = pointOf(points, CREDO_ALONE, point)
    const ratio = point.deployment.startsWith('ours') && credo ? fixed(totalCpu(point) / totalCpu(credo), 2) : ''
    lines.push(
      row([
        point.deployment,
        point.concurrency,
        point.completed,
        fixed(point.flowsPerSecond),
        triple(point.flow),
        fixed(point.serviceCpuMillisPerFlow, 2),
        fixed(point.serviceKernelCpuMillisPerFlow, 2),
        fixed(point.postgresCpuMillisPerFlow, 2),
        fixed(totalCpu(point), 2),
        ratio,
        fixed(point.statementsPerFlow),
        fixed(point.transactionsPerFlow),
        fixed(point.clientCpuMillisPerFlow, 2),
      ]),
    )
  }
  return lines
}

/** Client latency per HTTP step: one row per deployment and step, one column per concurrency. */
function stepTable(points: PointMeasurement[]): string[] {
  const concurrencies = [...new Set(points.map((point) => point.concurrency))]
  const lines = [
    row(['deployment', 'step (p50 / p95 / p99 ms)', ...concurrencies.map((c) => `${c} in flight`)]),
    row(Array(2 + concurrencies.length).fill('---')),
  ]
  for (const deployment of new Set(points.map((point) => point.deployment))) {
    const ofDeployment = points.filter((point) => point.deployment === deployment)
    for (const step of new Set(ofDeployment.flatMap((point) => point.steps.map(([name]) => name)))) {
      const cells = concurrencies.map((concurrency) => {
        const found = ofDeployment.find((point) => point.concurrency === concurrency)?.steps.find(([n]) => n === step)
        return found ? triple(found[1]) : '–'
      })
      lines.push(row([deployment, step, ...cells]))
    }
  }
  return lines
}

/** The benchmark's tables, as Markdown (they go into docs/PERFORMANCE.md as printed). */
export function printTables(points: PointMeasurement[], notes: string[]): string {
  const out: string[] = []
  for (const kind of Object.keys(TITLES) as FlowKind[]) {
    const ofKind = points.filter((point) => point.kind === kind)
    if (ofKind.length === 0) continue
    out.push(`### ${TITLES[kind]}`, '', ...pointTable(ofKind), '', ...stepTable(ofKind), '')
  }
  if (notes.length > 0) {
    out.push('Protocol notes (departures from the specifications that do not stop a wallet):', '')
    out.push(...notes.map((note) => `- ${note}`), '')
  }
  return out.join('\n')
}

/** Service CPU per flow with metrics and the access log against without them, per kind and concurrency. */
export function observabilityCost(points: PointMeasurement[], on: string, off: string): string {
  const lines = [
    '### Metrics and access log: service CPU per flow with and without',
    '',
    row(['flow', 'in flight', 'with (ms)', 'without (ms)', 'with / without']),
    row(Array(5).fill('---')),
  ]
  for (const point of points.filter((p) => p.deployment === on)) {
    const other = pointOf(points, off, point)
    if (!other) continue
    lines.push(
      row([
        point.kind,
        point.concurrency,
        fixed(point.serviceCpuMillisPerFlow, 2),
        fixed(other.serviceCpuMillisPerFlow, 2),
        fixed(point.serviceCpuMillisPerFlow / other.serviceCpuMillisPerFlow, 2),
      ]),
    )
  }
  return lines.join('\n')
}

/**
 * The machine's yardstick: what a bare node:http server spends on the same requests as a flow
 * (bodies read, a small JSON answered, nothing else), and each deployment's CPU per flow in units
 * of it. Absolute milliseconds move with the machine; these multiples move much less.
 */
export function yardstickTable(points: PointMeasurement[], ours: string, bare: string): string {
  const lines = [
    '### Yardstick: the same HTTP requests on a bare node:http server',
    '',
    row([
      'flow',
      'in flight',
      'bare node:http CPU ms/flow',
      'ours: service / bare',
      'ours: service + PostgreSQL / bare',
      'Credo alone / bare',
    ]),
    row(Array(6).fill('---')),
  ]
  for (const point of points.filter((p) => p.deployment === bare)) {
    const unit = point.serviceCpuMillisPerFlow
    const oursPoint = pointOf(points, ours, point)
    const credo = pointOf(points, CREDO_ALONE, point)
    lines.push(
      row([
        point.kind,
        point.concurrency,
        fixed(unit, 2),
        oursPoint ? fixed(oursPoint.serviceCpuMillisPerFlow / unit) : '–',
        oursPoint ? fixed(totalCpu(oursPoint) / unit) : '–',
        credo ? fixed(totalCpu(credo) / unit) : '–',
      ]),
    )
  }
  return lines.join('\n')
}

/** One backend at one concurrency: the rounds of `direct_post` and of `direct_post.jwt`, alternating. */
export interface EncryptionComparison {
  backend: string
  concurrency: number
  plain: PointMeasurement[]
  encrypted: PointMeasurement[]
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/**
 * What `direct_post.jwt` with a key per request adds to a verification, per backend and
 * concurrency: the verifier's CPU per flow of each variant (median of its rounds), the median of
 * the rounds' differences with their range, PostgreSQL's CPU added, statements and flows/s.
 */
export function encryptionCostTable(comparisons: EncryptionComparison[]): string {
  const lines = [
    '### Verification: direct_post.jwt with a key per request against direct_post',
    '',
    row([
      'KMS',
      'in flight',
      'verifier CPU ms/flow, direct_post',
      'direct_post.jwt',
      'added (median, range)',
      'PostgreSQL CPU added',
      'statements/flow',
      'flows/s',
    ]),
    row(Array(8).fill('---')),
  ]
  for (const { backend, concurrency, plain, encrypted } of comparisons) {
    const cpu = (points: PointMeasurement[]) => points.map((point) => point.serviceCpuMillisPerFlow)
    const added = encrypted.map(
      (point, round) => point.serviceCpuMillisPerFlow - (plain[round]?.serviceCpuMillisPerFlow ?? 0),
    )
    const postgres = (points: PointMeasurement[]) => median(points.map((point) => point.postgresCpuMillisPerFlow ?? 0))
    const pair = (value: (points: PointMeasurement[]) => number, digits = 1) =>
      `${fixed(value(plain), digits)} / ${fixed(value(encrypted), digits)}`
    lines.push(
      row([
        backend,
        concurrency,
        fixed(median(cpu(plain)), 2),
        fixed(median(cpu(encrypted)), 2),
        `${fixed(median(added), 2)} (${fixed(Math.min(...added), 2)} to ${fixed(Math.max(...added), 2)})`,
        fixed(postgres(encrypted) - postgres(plain), 2),
        pair((points) => median(points.map((point) => point.statementsPerFlow ?? 0))),
        pair((points) => median(points.map((point) => point.flowsPerSecond))),
      ]),
    )
  }
  return lines.join('\n')
}

/** The verification of each credential format, measured in alternating windows on the same services. */
export interface FormatComparison {
  concurrency: number
  byFormat: [string, PointMeasurement[]][]
}

/**
 * A verification per credential format, per concurrency: the verifier's and PostgreSQL's CPU per
 * flow (median of the rounds, and their range), statements per flow, flows/s, the client's CPU.
 */
export function formatCostTable(comparisons: FormatComparison[]): string {
  const range = (values: number[]) =>
    `${fixed(median(values), 2)} (${fixed(Math.min(...values), 2)} to ${fixed(Math.max(...values), 2)})`
  const lines = [
    '### Verification by credential format: request, request object, direct_post.jwt response, result',
    '',
    row([
      'format',
      'in flight',
      'verifier CPU ms/flow (median, range)',
      'PostgreSQL CPU ms/flow',
      'statements/flow',
      'flows/s',
      'client CPU ms/flow',
    ]),
    row(Array(7).fill('---')),
  ]
  for (const { concurrency, byFormat } of comparisons) {
    for (const [format, points] of byFormat) {
      const of = (value: (point: PointMeasurement) => number | undefined) => points.map((point) => value(point) ?? 0)
      lines.push(
        row([
          format,
          concurrency,
          range(of((point) => point.serviceCpuMillisPerFlow)),
          range(of((point) => point.postgresCpuMillisPerFlow)),
          fixed(median(of((point) => point.statementsPerFlow))),
          fixed(median(of((point) => point.flowsPerSecond))),
          fixed(median(of((point) => point.clientCpuMillisPerFlow)), 2),
        ]),
      )
    }
  }
  return lines.join('\n')
}
