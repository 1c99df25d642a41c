import { randomBytes } from 'node:crypto'
import { OwnRedisServer, silentLogger, startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadBatchConfig } from '../src/batches/batchConfig.js'
import { OfferBatchWorker } from '../src/batches/offerBatchWorker.js'
import { tenantWithIssuer } from './support/issuerFixture.js'

// A Redis outage, on a redis-server of this test's own (it keeps nothing on disk, so a restart
// also loses every queued job): the API answers 503 at once, workers come back by themselves,
// and a batch that was accepted is finished even though Redis forgot its jobs.

describe('queue through a Redis outage', () => {
  const redis = new OwnRedisServer()
  const prefix = `test${randomBytes(4).toString('hex')}`
  const batchConfig = loadBatchConfig({ BATCH_CHUNK_SIZE: '5' })
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let key = ''
  let issuerId = ''
  const worker = () =>
    new OfferBatchWorker({
      root: service.runtime.agent.context,
      offers: service.runtime.offers,
      redis: redis.url,
      prefix,
      config: batchConfig,
      logger: silentLogger,
    }).start()
  const submit = (count: number) =>
    service.call('POST', '/offer-batches', key, {
      issuerId,
      credentialConfigurationId: 'card',
      rows: Array.from({ length: count }, (_, index) => ({ number: String(index) })),
    })
  async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
    for (let attempt = 0; attempt < 300; attempt++) {
      const value = await probe()
      if (done(value)) return value
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`timed out waiting for ${what}`)
  }
  const status = async (batchId: string) => (await service.call('GET', `/offer-batches/${batchId}`, key)).body

  beforeAll(async () => {
    await redis.start()
    service = await startService('issuer', (config, logger) => createIssuerApp(config, logger, batchConfig), {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
    })
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Agency',
      configurationId: 'card',
      vct: 'urn:attesto:test:card',
      claims: [{ name: 'number', type: 'string', required: true }],
    }))
  })
  afterAll(async () => {
    await service?.close()
    await redis.stop()
  })

  it('answers 503 while Redis is down, and a running worker resumes by itself', async () => {
    const running = worker()
    try {
      const before = await submit(10)
      await until(
        () => status(before.body.batchId),
        (body) => body.status === 'finished',
        'the first batch',
      )

      await redis.stop()
      const started = Date.now()
      const refused = await submit(10)
      expect(refused.status).toBe(503)
      expect(refused.body.error.code).toBe('queue_unavailable')
      expect(Date.now() - started).toBeLessThan(3_000)
      expect((await service.call('GET', '/admin/queues', service.adminApiKey)).body.error.code).toBe(
        'queue_unavailable',
      )

      await redis.start()
      const after = await until(
        () => submit(10),
        (response) => response.status === 202,
        'the API to queue again',
      )
      const finished = await until(
        () => status(after.body.batchId),
        (body) => body.status === 'finished',
        'the worker to come back',
      )
      expect(finished).toMatchObject({ done: 10, failed: 0 })
    } finally {
      await running.close()
    }
  }, 60_000)

  it('finishes an accepted batch whose jobs Redis lost', async () => {
    const accepted = await submit(12) // no worker is running: its jobs wait in Redis
    expect(accepted.status).toBe(202)
    await redis.stop()
    await redis.start() // empty: the jobs are gone
    const resumed = worker()
    try {
      const finished = await until(
        () => status(accepted.body.batchId),
        (body) => body.status === 'finished',
        'the batch to be resumed',
      )
      expect(finished).toMatchObject({ total: 12, done: 12, failed: 0 })
    } finally {
      await resumed.close()
    }
  }, 60_000)
})
