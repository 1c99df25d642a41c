import type { Deployment } from '../deployments/Deployment.js'
import type { Percentiles } from '../loadgen/LatencySamples.js'
import type { StepClient } from '../loadgen/StepClient.js'
import type { OwnPostgresCluster } from './OwnPostgresCluster.js'
import { processCpuMillis } from './processCpu.js'
import { runFlows } from './runFlows.js'
import { type StatementShape, statementShapes } from './statementShapes.js'

/** Issuance (pre-authorised code), verification, and issuance through the authorization code flow. */
export type FlowKind = 'issuance' | 'verification' | 'authorization-code'

export interface PointOptions {
  deployment: Pick<Deployment, 'name' | 'servicePids'>
  kind: FlowKind
  concurrency: number
  flows: number
  warmupFlows: number
  maxSeconds: number
  client: StepClient
  /** The deployment's PostgreSQL, when it has one. */
  postgres?: OwnPostgresCluster
  /** Processes beside the service whose CPU is reported apart, not counted as the service's (an OpenID provider). */
  sidePids?: number[]
  flow: () => Promise<void>
}

export interface PointMeasurement {
  deployment: string
  kind: FlowKind
  concurrency: number
  completed: number
  /** Warm-up and measured flows: what statement and transaction counts are divided by. */
  countedFlows: number
  flowsPerSecond: number
  flow: Percentiles
  steps: [string, Percentiles][]
  serviceCpuMillisPerFlow: number
  /** The part of it spent in the kernel (system calls: on loopback, a socket write also runs the receiving side's TCP). */
  serviceKernelCpuMillisPerFlow: number
  postgresCpuMillisPerFlow?: number
  clientCpuMillisPerFlow: number
  /** CPU per flow of the side processes ({@link PointOptions.sidePids}), not counted in the sums. */
  sideCpuMillisPerFlow?: number
  statementsPerFlow?: number
  /** Statements by shape, per flow (warm-up and window), when PostgreSQL is the deployment's. */
  statementShapes?: StatementShape[]
  /** Filled in once PostgreSQL has published the window's transaction counts. */
  transactionsPerFlow?: number
}

const clientCpuMillis = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

/**
 * One point of the benchmark: warm-up flows at the point's concurrency, then the measured window,
 * with the CPU time of the service process (the issuer for issuances, the verifier for
 * verifications), of PostgreSQL and of this process read from /proc before and after it.
 * Statements are counted over warm-up and window together, from a reset before the warm-up.
 */
export async function measurePoint(options: PointOptions): Promise<PointMeasurement> {
  const { deployment, kind, concurrency, client, postgres } = options
  const servicePid = kind === 'verification' ? deployment.servicePids.verifier : deployment.servicePids.issuer
  const sideCpu = () => (options.sidePids ?? []).reduce((sum, pid) => sum + processCpuMillis(pid).total, 0)
  const run = (count: number, maxSeconds: number) =>
    runFlows({ count, maxSeconds, concurrency, samples: client.steps, name: `${kind} flow`, flow: options.flow })
  await postgres?.resetStatements()
  const warmup = await run(options.warmupFlows, options.maxSeconds)
  client.steps.clear()
  const before = {
    service: processCpuMillis(servicePid),
    postgres: postgres?.cpuMillis(),
    client: clientCpuMillis(),
    side: sideCpu(),
  }
  const { completed, seconds } = await run(options.flows, options.maxSeconds)
  const after = processCpuMillis(servicePid)
  const service = after.total - before.service.total
  const serviceKernel = after.kernel - before.service.kernel
  const postgresCpu = postgres && before.postgres !== undefined ? postgres.cpuMillis() - before.postgres : undefined
  const clientCpu = clientCpuMillis() - before.client
  const side = sideCpu() - before.side
  const countedFlows = warmup.completed + completed
  const statements = postgres ? (await postgres.counters()).statements : undefined
  const flowName = `${kind} flow`
  return {
    deployment: deployment.name,
    kind,
    concurrency,
    completed,
    countedFlows,
    flowsPerSecond: completed / seconds,
    flow: client.steps.percentiles(flowName),
    steps: client.steps
      .names()
      .filter((name) => name !== flowName)
      .map((name) => [name, client.steps.percentiles(name)]),
    serviceCpuMillisPerFlow: service / completed,
    serviceKernelCpuMillisPerFlow: serviceKernel / completed,
    postgresCpuMillisPerFlow: postgresCpu === undefined ? undefined : postgresCpu / completed,
    clientCpuMillisPerFlow: clientCpu / completed,
    ...(options.sidePids ? { sideCpuMillisPerFlow: side / completed } : {}),
    statementsPerFlow: statements === undefined ? undefined : statements / countedFlows,
    ...(postgres ? { statementShapes: await statementShapes(postgres, countedFlows) } : {}),
  }
}
