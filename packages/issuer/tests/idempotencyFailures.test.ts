import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { PostgresDatabase } from '@attesto/storage-service'
import {
  DATABASE_URL,
  freePort,
  REDIS_URL,
  sendAll,
  settleAll,
  startService,
  terminateBackends,
} from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { OfferBatchRecord } from '../src/batches/OfferBatchRecord.js'
import { tenantWithIssuer } from './support/issuerFixture.js'

// Keyed `POST /offers` through failures, on the real PostgreSQL: its backends terminated in the
// middle of a burst, and the instance SIGKILLed in the middle of a burst. Every key ends with
// exactly one offer, because the pre-authorised code is chosen when the key is reserved and a
// retry that takes the key over finds the offer made with it.

const server = fileURLToPath(new URL('../src/server.js', import.meta.url))

describe('idempotency through failures', () => {
  const schema = `issuer_idem_${randomBytes(4).toString('hex')}`
  const env = {
    DATABASE_SCHEMA: schema,
    KMS_MASTER_KEY: randomBytes(32).toString('base64'),
    IDEMPOTENCY_TAKEOVER_SECONDS: '1',
  }
  const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let key = ''
  let issuerId = ''
  let child: ChildProcess | undefined

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp, {
      ...env,
      REDIS_URL,
      QUEUE_PREFIX: `test${randomBytes(4).toString('hex')}`,
    })
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Idempotency',
      configurationId: 'card',
      vct: 'urn:attesto:test:card',
      claims: [{ name: 'name', type: 'string', required: true }],
    }))
  }, 60_000)
  afterAll(async () => {
    child?.kill('SIGKILL')
    await service?.close()
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await admin.close()
  })

  const offerCount = async () =>
    Number(
      (
        await admin.query<{ count: string }>(
          `SELECT count(*) FROM "${schema}".records WHERE record_type = 'IssuanceSession'`,
        )
      ).rows[0]?.count,
    )

  const post = (baseUrl: string, idempotencyKey: string) =>
    fetch(`${baseUrl}/offers`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
      },
      body: JSON.stringify({
        issuerId,
        credentialConfigurationId: 'card',
        claims: { name: 'A' },
        txCode: { length: 6 },
      }),
    }).then(
      async (response) => ({ status: response.status, body: (await response.json()) as { offerId?: string } }),
      () => ({ status: 0, body: {} as { offerId?: string } }),
    )

  /** Sends every key (`inFlight` at once) to the instance at `baseUrl`, ignoring the outcome. */
  const burst = (baseUrl: string, keys: string[], inFlight: number, onAnswer = () => {}) =>
    sendAll(keys, inFlight, async (idempotencyKey) => {
      await post(baseUrl, idempotencyKey)
      onAnswer()
    })

  /** Retries each key until it is answered 201, as a client would; answers the offer id of each. */
  const settle = (keys: string[]) =>
    settleAll(
      keys,
      (idempotencyKey) => post(service.http.url, idempotencyKey),
      (answer) => (answer.status === 201 ? answer.body.offerId : undefined),
    )

  it('makes one offer per key when the database backends are terminated mid-burst', async () => {
    const before = await offerCount()
    const keys = Array.from({ length: 150 }, (_, index) => `db-${index}-${randomBytes(4).toString('hex')}`)
    const killer = terminateBackends(admin, schema)
    await burst(service.http.url, keys, 10)
    expect(await killer.stop()).toBeGreaterThan(0)
    const offerIds = await settle(keys)
    expect(new Set(offerIds).size).toBe(keys.length)
    expect((await offerCount()) - before).toBe(keys.length)
    expect(await settle(keys.slice(0, 10))).toEqual(offerIds.slice(0, 10))
  }, 120_000)

  it('makes one offer per key when the instance is SIGKILLed mid-burst', async () => {
    const before = await offerCount()
    const port = await freePort()
    child = spawn(process.execPath, [server], {
      env: { ...process.env, ...env, DATABASE_URL, ROLE: 'issuer', PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    const url = `http://127.0.0.1:${port}`
    for (const deadline = Date.now() + 120_000; ; ) {
      if (
        await fetch(`${url}/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break
      if (Date.now() > deadline) throw new Error('the issuer process did not start')
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    const keys = Array.from({ length: 120 }, (_, index) => `kill-${index}-${randomBytes(4).toString('hex')}`)
    let answered = 0
    const running = child
    await burst(url, keys, 10, () => {
      if (++answered === 40) running.kill('SIGKILL')
    })
    const offerIds = await settle(keys)
    expect(new Set(offerIds).size).toBe(keys.length)
    expect((await offerCount()) - before).toBe(keys.length)
  }, 240_000)

  it('stores one batch per key when the database backends are terminated mid-burst', async () => {
    const count = async () =>
      Number(
        (
          await admin.query<{ count: string }>(`SELECT count(*) FROM "${schema}".records WHERE record_type = $1`, [
            OfferBatchRecord.type,
          ])
        ).rows[0]?.count,
      )
    const before = await count()
    const submit = (idempotencyKey: string) =>
      service
        .call(
          'POST',
          '/offer-batches',
          key,
          { issuerId, credentialConfigurationId: 'card', rows: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] },
          { 'idempotency-key': idempotencyKey },
        )
        .catch(() => ({ status: 0, body: {} as Record<string, string> }))
    const keys = Array.from({ length: 120 }, (_, index) => `batch-${index}-${randomBytes(4).toString('hex')}`)
    const killer = terminateBackends(admin, schema)
    await sendAll(keys, 8, submit)
    expect(await killer.stop()).toBeGreaterThan(0)
    const batchIds = await settleAll(keys, submit, (answer) =>
      answer.status === 202 ? answer.body.batchId : undefined,
    )
    expect(new Set(batchIds).size).toBe(keys.length)
    expect((await count()) - before).toBe(keys.length)
  }, 120_000)
})
