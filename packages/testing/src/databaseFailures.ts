import type { PostgresDatabase } from '@attesto/storage-service'

// Keyed requests through database failures, as the idempotency tests of both roles drive them:
// the service's PostgreSQL backends terminated in the middle of a burst, then every key retried
// as a client would until it is answered.

/**
 * Terminates the PostgreSQL backends working on `schema` (through `admin`) every 15 ms until
 * `stop()`, which answers how many it terminated.
 */
export function terminateBackends(admin: PostgresDatabase, schema: string) {
  let killing = true
  let terminated = 0
  const running = (async () => {
    while (killing) {
      const { rows } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE $1`,
        [`%"${schema}"%`],
      )
      terminated += rows.length
      await new Promise((resolve) => setTimeout(resolve, 15))
    }
  })()
  return {
    async stop() {
      killing = false
      await running
      return terminated
    },
  }
}

/** Sends every key through `send`, `inFlight` at once, whatever the outcome. */
export async function sendAll(keys: string[], inFlight: number, send: (key: string) => Promise<unknown>) {
  let next = 0
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < keys.length) await send(keys[next++] as string)
    }),
  )
}

/**
 * Retries each key through `send` until `idOf` finds the id in its answer (at most 100 retries,
 * 200 ms apart), as a client would; answers the id of each key, in order.
 */
export async function settleAll<Answer extends { status: number; body: unknown }>(
  keys: string[],
  send: (key: string) => Promise<Answer>,
  idOf: (answer: Answer) => string | undefined,
): Promise<string[]> {
  const ids: string[] = []
  for (const key of keys) {
    for (let attempt = 0; ; attempt++) {
      const answer = await send(key)
      const id = idOf(answer)
      if (id) {
        ids.push(id)
        break
      }
      if (attempt > 100) throw new Error(`key ${key}: ${answer.status} ${JSON.stringify(answer.body)}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  return ids
}
