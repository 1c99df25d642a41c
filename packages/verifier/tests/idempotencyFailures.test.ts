import { DATABASE_URL, startService } from '@attesto/agent-runtime/testing'
import { PostgresDatabase } from '@attesto/storage-service'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'
import { VERIFICATION_SESSION_TYPE } from '../src/verification/VerificationSession.js'

// Keyed `POST /presentation-requests` while the real PostgreSQL's backends are terminated in the
// middle of the burst: every key ends with exactly one request, because the request id is chosen
// when the key is reserved and a retry that takes the key over finds the row made with it.

describe('presentation requests through database failures', () => {
  let service: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let key = ''
  let verifierId = ''
  const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
  const query = {
    credentials: [{ id: 'card', format: 'dc+sd-jwt', meta: { vct_values: ['urn:x'] }, claims: [{ path: ['name'] }] }],
  }

  beforeAll(async () => {
    service = await startService('verifier', createVerifierApp, { IDEMPOTENCY_TAKEOVER_SECONDS: '1' })
    key = (await service.call('POST', '/tenants', service.adminApiKey, { label: 'Bank' })).body.apiKey
    verifierId = (await service.call('POST', '/verifiers', key, {})).body.verifierId
  }, 60_000)
  afterAll(async () => {
    await service?.close()
    await admin.close()
  })

  const post = (idempotencyKey: string) =>
    service
      .call(
        'POST',
        '/presentation-requests',
        key,
        { verifierId, dcql: { query }, responseMode: 'direct_post' },
        {
          'idempotency-key': idempotencyKey,
        },
      )
      .catch(() => ({ status: 0, body: {} as Record<string, string> }))

  it('makes one request per key', async () => {
    const keys = Array.from({ length: 120 }, (_, index) => `request-${index}`)
    let killing = true
    let terminated = 0
    const killer = (async () => {
      while (killing) {
        const { rows } = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE $1`,
          [`%"${service.schema}"%`],
        )
        terminated += rows.length
        await new Promise((resolve) => setTimeout(resolve, 15))
      }
    })()
    let next = 0
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < keys.length) await post(keys[next++] as string)
      }),
    )
    killing = false
    await killer
    expect(terminated).toBeGreaterThan(0)

    const requestIds: string[] = []
    for (const idempotencyKey of keys) {
      for (let attempt = 0; ; attempt++) {
        const answer = await post(idempotencyKey)
        if (answer.status === 201) {
          requestIds.push(answer.body.requestId)
          break
        }
        if (attempt > 100) throw new Error(`${idempotencyKey}: ${answer.status} ${JSON.stringify(answer.body)}`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
    expect(new Set(requestIds).size).toBe(keys.length)
    const { rows } = await admin.query<{ count: string }>(
      `SELECT count(*) FROM "${service.schema}".records WHERE record_type = $1`,
      [VERIFICATION_SESSION_TYPE],
    )
    expect(Number(rows[0]?.count)).toBe(keys.length)
  }, 120_000)
})
