import { PostgresDatabase } from '@attesto/storage-service'
import {
  CARD_QUERY,
  DATABASE_URL,
  sendAll,
  settleAll,
  startService,
  tenantWithVerifier,
  terminateBackends,
} from '@attesto/testing'
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

  beforeAll(async () => {
    service = await startService('verifier', createVerifierApp, { IDEMPOTENCY_TAKEOVER_SECONDS: '1' })
    ;({ key, verifierId } = await tenantWithVerifier(service, 'Bank'))
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
        { verifierId, dcql: { query: CARD_QUERY }, responseMode: 'direct_post' },
        {
          'idempotency-key': idempotencyKey,
        },
      )
      .catch(() => ({ status: 0, body: {} as Record<string, string> }))

  it('makes one request per key', async () => {
    const keys = Array.from({ length: 120 }, (_, index) => `request-${index}`)
    const killer = terminateBackends(admin, service.schema)
    await sendAll(keys, 10, post)
    expect(await killer.stop()).toBeGreaterThan(0)

    const requestIds = await settleAll(keys, post, (answer) =>
      answer.status === 201 ? answer.body.requestId : undefined,
    )
    expect(new Set(requestIds).size).toBe(keys.length)
    const { rows } = await admin.query<{ count: string }>(
      `SELECT count(*) FROM "${service.schema}".records WHERE record_type = $1`,
      [VERIFICATION_SESSION_TYPE],
    )
    expect(Number(rows[0]?.count)).toBe(keys.length)
  }, 120_000)
})
