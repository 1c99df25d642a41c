import { setTimeout as sleep } from 'node:timers/promises'
import type { CallResult, PooledDatabaseScene } from './pooledDatabaseScene.js'

// A primary switch under load: writers of each role loop on one write request each while the
// primary stops (fast shutdown: its sessions end, their transactions roll back), the standby is
// promoted and PgBouncer is re-pointed at it (configuration rewritten, RELOAD). Each write that was
// acknowledged (2xx, with its id) must still be there afterwards.

type Write = () => Promise<CallResult>

export interface SwitchReport {
  acknowledged: number
  acknowledgedDuringSwitch: number
  unavailable: number
  unavailableCodes: string[]
  /** Answers that were neither 2xx nor 503 (`status code`). */
  otherStatuses: string[]
  /** From the stop until every writer had a write acknowledged again. */
  unavailableMillis: number
  stopMillis: number
  promoteMillis: number
  repointMillis: number
  /** Acknowledged writes the new primary does not know. */
  lost: string[]
}

const WRITERS_PER_ROLE = 2

export async function switchUnderLoad(scene: PooledDatabaseScene, writes: Record<'issuer' | 'verifier', Write>) {
  const acknowledged: { role: 'issuer' | 'verifier'; id: string; at: number }[] = []
  const unavailableCodes: string[] = []
  const otherStatuses: string[] = []
  let stoppedAt = Number.POSITIVE_INFINITY
  let running = true
  const backAt: number[] = []

  const writer = async (role: 'issuer' | 'verifier', write: Write, slot: number) => {
    while (running) {
      const result = await write().catch((error: Error) => ({ status: 0, body: { error: { code: error.message } } }))
      const now = Date.now()
      if (result.status >= 200 && result.status < 300) {
        acknowledged.push({ role, id: result.body.requestId ?? result.body.offerId, at: now })
        if (now > stoppedAt && backAt[slot] === undefined) backAt[slot] = now
      } else if (result.status === 503) {
        unavailableCodes.push(result.body?.error?.code ?? result.body?.error)
        await sleep(50)
      } else {
        otherStatuses.push(`${result.status} ${JSON.stringify(result.body)}`)
      }
    }
  }

  const roles = Object.entries(writes) as ['issuer' | 'verifier', Write][]
  const writers = roles.flatMap(([role, write], r) =>
    Array.from({ length: WRITERS_PER_ROLE }, (_, w) => writer(role, write, r * WRITERS_PER_ROLE + w)),
  )
  await sleep(1_500)
  stoppedAt = Date.now()
  scene.primary.stop('fast')
  const stopped = Date.now()
  scene.standby.promote()
  const promoted = Date.now()
  await scene.bouncer.pointAt(scene.standby.port)
  const repointed = Date.now()
  const slots = roles.length * WRITERS_PER_ROLE
  while (backAt.filter((at) => at !== undefined).length < slots && Date.now() - stoppedAt < 30_000) await sleep(50)
  await sleep(500)
  running = false
  await Promise.all(writers)

  // One statement on the new primary: which acknowledged ids it does not have.
  const ids = acknowledged.map(
    ({ role, id }) => `('${role === 'issuer' ? 'pooled_issuer' : 'pooled_verifier'}', '${id}')`,
  )
  const missing = scene.standby.sql(`
    SELECT a.schema || ' ' || a.id FROM (VALUES ${ids.join(', ')}) AS a(schema, id)
    WHERE NOT EXISTS (SELECT 1 FROM pooled_issuer.records r WHERE a.schema = 'pooled_issuer' AND r.id = a.id)
      AND NOT EXISTS (SELECT 1 FROM pooled_verifier.records r WHERE a.schema = 'pooled_verifier' AND r.id = a.id)`)
  const lost = missing ? missing.split('\n') : []
  return {
    acknowledged: acknowledged.length,
    acknowledgedDuringSwitch: acknowledged.filter((entry) => entry.at > stoppedAt).length,
    unavailable: unavailableCodes.length,
    unavailableCodes,
    otherStatuses,
    unavailableMillis: Math.max(
      ...Array.from({ length: slots }, (_, i) => (backAt[i] ?? Number.POSITIVE_INFINITY) - stoppedAt),
    ),
    stopMillis: stopped - stoppedAt,
    promoteMillis: promoted - stopped,
    repointMillis: repointed - promoted,
    lost,
  } satisfies SwitchReport
}
