import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { DATABASE_URL, freePort, REDIS_URL, startService } from '@attesto/testing'
import { Queue } from 'bullmq'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadBatchConfig } from '../src/batches/batchConfig.js'
import { OFFER_BATCH_QUEUE } from '../src/batches/offerBatchQueue.js'
import { issuanceSessionCount, tenantWithIssuer } from './support/issuerFixture.js'

// Workers as their own processes (`attesto-issuer worker`) on the real PostgreSQL and Redis:
// one is killed (SIGKILL) mid-batch, the next is stopped (SIGTERM) mid-batch, a third finishes.
// Every row ends with exactly one offer.

const server = fileURLToPath(new URL('../src/server.js', import.meta.url))

describe('worker processes', () => {
  const masterKey = randomBytes(32).toString('base64')
  const prefix = `test${randomBytes(4).toString('hex')}`
  const workerEnv = {
    QUEUE_PREFIX: prefix,
    BATCH_CHUNK_SIZE: '10',
    BATCH_CHUNKS_IN_FLIGHT: '4',
    QUEUE_LOCK_DURATION_MILLIS: '2000',
    QUEUE_STALLED_INTERVAL_MILLIS: '1000',
  }
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let key = ''
  const workers: ChildProcess[] = []
  /** What each worker wrote on stdout (its JSON log). */
  const output = new Map<ChildProcess, string>()

  function startWorker(extra: Record<string, string> = {}) {
    const child = spawn(process.execPath, [server, 'worker'], {
      env: {
        ...process.env,
        DATABASE_URL,
        DATABASE_SCHEMA: service.schema,
        KMS_MASTER_KEY: masterKey,
        REDIS_URL,
        PUBLIC_BASE_URL: service.http.url,
        LOG_LEVEL: 'warn',
        ...workerEnv,
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    output.set(child, '')
    child.stdout?.on('data', (chunk) => output.set(child, `${output.get(child)}${chunk}`))
    workers.push(child)
    return child
  }
  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode) resolve(child.exitCode)
      else child.once('exit', (code) => resolve(code))
    })
  async function progress(batchId: string, until: (body: Record<string, number | string>) => boolean) {
    for (let attempt = 0; attempt < 600; attempt++) {
      const { body } = await service.call('GET', `/offer-batches/${batchId}`, key)
      if (until(body)) return body
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`batch ${batchId} did not get there`)
  }

  beforeAll(async () => {
    const batchConfig = loadBatchConfig(workerEnv)
    service = await startService('issuer', (config, logger) => createIssuerApp(config, logger, batchConfig), {
      REDIS_URL,
      KMS_MASTER_KEY: masterKey,
      QUEUE_PREFIX: prefix,
    })
  })
  afterAll(async () => {
    for (const child of workers) child.kill('SIGKILL')
    await service?.close()
  })

  it('gives every row exactly one offer through a killed worker and a stopped one', async () => {
    const created = await tenantWithIssuer(service, {
      label: 'Ministry',
      configurationId: 'diploma',
      vct: 'urn:attesto:test:diploma',
      claims: [{ name: 'student', type: 'number', required: true }],
    })
    key = created.key
    const { issuerId } = created
    const rows = Array.from({ length: 300 }, (_, index) => ({ student: index }))
    const { body: batch } = await service.call('POST', '/offer-batches', key, {
      issuerId,
      credentialConfigurationId: 'diploma',
      rows,
    })

    // Slowed down to 60 offers/s, so that it is killed with chunks half done.
    const killed = startWorker({ TENANT_OFFERS_PER_SECOND: '60' })
    await progress(batch.batchId, (body) => Number(body.done) >= 40)
    killed.kill('SIGKILL')
    await exited(killed)

    const stopped = startWorker({ TENANT_OFFERS_PER_SECOND: '60' })
    const before = await progress(batch.batchId, (body) => Number(body.done) >= 120)
    stopped.kill('SIGTERM')
    expect(await exited(stopped)).toBe(0)
    // It finished the chunks it held: none is left active, and progress moved on.
    const queue = new Queue(OFFER_BATCH_QUEUE, { connection: { url: REDIS_URL }, prefix })
    try {
      expect(await queue.getActiveCount()).toBe(0)
    } finally {
      await queue.close()
    }
    expect(Number((await progress(batch.batchId, () => true)).done)).toBeGreaterThanOrEqual(Number(before.done))

    const metricsPort = await freePort()
    const last = startWorker({ WORKER_METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'info' })
    const final = await progress(batch.batchId, (body) => body.status === 'finished')
    expect(final).toMatchObject({ total: 300, done: 300, failed: 0 })

    // The last worker's metrics listener counts the chunk jobs it ran and reports the queue's depth.
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    const value = (name: string, labels: string[]) =>
      metrics
        .split('\n')
        .filter((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)))
        .map((line) => Number(line.split(' ').pop()))
    const [completed] = value('attesto_queue_job_outcomes_total', ['queue="offer-batches"', 'outcome="completed"'])
    expect(completed).toBeGreaterThan(0)
    expect(value('attesto_queue_jobs', ['queue="offer-batches"', 'state="waiting"'])).toEqual([0])
    expect(value('attesto_queue_up', ['queue="offer-batches"'])).toEqual([1])
    // It logged each chunk it made, and the batch it finished.
    const lines = (output.get(last) ?? '')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
    const chunks = lines.filter((line) => line.message === 'Offer batch chunk done')
    expect(chunks.length).toBe(completed)
    expect(chunks[0]).toMatchObject({ level: 'info', data: { batchId: batch.batchId, rows: 10, failed: 0 } })
    expect(lines.filter((line) => line.message === 'Offer batch finished')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ batchId: batch.batchId, done: 300, failed: 0 }) }),
    ])

    const { body: results } = await service.call('GET', `/offer-batches/${batch.batchId}/results`, key)
    const offerIds = new Set(results.rows.map((row: { offerId: string }) => row.offerId))
    expect(offerIds.size).toBe(300)
    expect(await issuanceSessionCount(service, key)).toBe(300)
  }, 120_000)
})
