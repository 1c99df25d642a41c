import { ProtocolNotes } from '../loadgen/ProtocolNotes.js'
import { StepClient } from '../loadgen/StepClient.js'
import { OwnPostgresCluster } from './OwnPostgresCluster.js'

/** What a flow benchmark runs on: its own PostgreSQL cluster, the load generator's client, the protocol notes. */
export interface BenchSetting {
  postgres: OwnPostgresCluster
  client: StepClient
  notes: ProtocolNotes
  /** Run in reverse order when the benchmark ends, whether it succeeded or not. */
  cleanups: (() => Promise<void>)[]
}

/**
 * Runs a flow benchmark: starts its PostgreSQL cluster and a client with connections for
 * `maxConcurrency`, runs `body`, then cleans up in reverse order and exits the process (1 when
 * `body` failed).
 */
export async function runBench(maxConcurrency: number, body: (setting: BenchSetting) => Promise<void>): Promise<never> {
  const cleanups: (() => Promise<void>)[] = []
  let exitCode = 0
  try {
    const postgres = await OwnPostgresCluster.start()
    cleanups.push(() => postgres.stop())
    const client = new StepClient({ connections: maxConcurrency * 2 })
    cleanups.push(() => client.close())
    await body({ postgres, client, notes: new ProtocolNotes(), cleanups })
  } catch (error) {
    exitCode = 1
    console.error(error)
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error(error))
  }
  process.exit(exitCode)
}
