import { setTimeout as sleep } from 'node:timers/promises'
import { measurePoint, type PointMeasurement, type PointOptions } from './measurePoint.js'
import type { OwnPostgresCluster } from './OwnPostgresCluster.js'

/** PostgreSQL publishes an idle backend's transaction counts after at most 10 s. */
export const STATISTICS_DELAY_MILLIS = 10_500

/** What one point of a round measures: a deployment's flow, its PostgreSQL and side processes if any. */
export type RoundEntry = Pick<PointOptions, 'deployment' | 'flow' | 'postgres' | 'sidePids'>

/** The round's kind, concurrency and counts; `postgres` is the cluster whose transactions are counted for the first entry. */
export type RoundOptions = Omit<PointOptions, keyof RoundEntry> & { postgres: OwnPostgresCluster }

/**
 * One round: each entry's point in turn, so that all see the same machine. The first entry's
 * transactions per flow are read once PostgreSQL has published them (the second entry's window,
 * then what is left of the delay); later entries on the same cluster get statements, not
 * transactions, and the round ends after the delay so that the next round starts clean.
 */
export async function measureRound(options: RoundOptions, entries: RoundEntry[]): Promise<PointMeasurement[]> {
  const { postgres, ...common } = options
  const transactionsBefore = (await postgres.counters()).transactions
  const points: PointMeasurement[] = []
  let firstEnded = 0
  for (const [index, entry] of entries.entries()) {
    points.push(await measurePoint({ ...common, ...entry }))
    if (index === 0) firstEnded = Date.now()
    if (index === 1 || (index === 0 && entries.length === 1)) {
      await sleep(Math.max(0, STATISTICS_DELAY_MILLIS - (Date.now() - firstEnded)))
      const first = points[0] as PointMeasurement
      first.transactionsPerFlow = ((await postgres.counters()).transactions - transactionsBefore) / first.countedFlows
    }
  }
  if (entries.slice(2).some((entry) => entry.postgres)) await sleep(STATISTICS_DELAY_MILLIS)
  for (const point of points) {
    console.log(
      `${options.kind} ${point.deployment} ${options.concurrency} in flight: ${point.flowsPerSecond.toFixed(1)} flows/s, ` +
        `service ${point.serviceCpuMillisPerFlow.toFixed(2)} CPU ms/flow`,
    )
  }
  return points
}
