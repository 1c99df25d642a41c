import { randomBytes, randomUUID } from 'node:crypto'
import { type JobDefinition, jobOptions, loadRuntimeConfig, webhookDeliveryJobs } from '@attesto/agent-runtime'
import { OwnRedisServer } from '@attesto/testing'
import { Queue } from 'bullmq'
import { loadBatchConfig } from '../src/batches/batchConfig.js'
import { offerBatchJobs } from '../src/batches/offerBatchQueue.js'
import { deferredClaimsJobs } from '../src/deferred/deferredClaimsJobs.js'
import { statusChangeJobs } from '../src/status/statusChangeJobs.js'
import { type Attempt, ContractProcess, failingAttempt, until } from './support/jobQueueContract.js'

// One contract for every job queue, proved for each of the four definitions against a real Redis
// (a redis-server of this suite's own, so that it can be stopped): at-least-once delivery through
// a crashed worker, retries with exponential backoff and jitter, dead letters after the last
// attempt, metrics, and the connection policy through an outage. The handlers are scripted; the
// jobs' real work is proved by the offerBatches, deferredIssuance, statusChanges and webhooks suites.

const ATTEMPTS = 3
const BACKOFF_MILLIS = 200
const env = {
  QUEUE_ATTEMPTS: String(ATTEMPTS),
  QUEUE_BACKOFF_MILLIS: String(BACKOFF_MILLIS),
  QUEUE_LOCK_DURATION_MILLIS: '1000',
  QUEUE_STALLED_INTERVAL_MILLIS: '500',
}
const batchConfig = loadBatchConfig(env)
const locks = { lockDurationMillis: 1000, stalledIntervalMillis: 500 }
const webhookConfig = loadRuntimeConfig({
  ROLE: 'issuer',
  WEBHOOK_ATTEMPTS: String(ATTEMPTS),
  WEBHOOK_BACKOFF_MILLIS: String(BACKOFF_MILLIS),
}).webhooks

interface Kind {
  definition: JobDefinition<unknown>
  /** A payload as the previous version queued it (same shape; the tests vary its ids). */
  payload: (n: number) => unknown
}
const kinds: [string, Kind][] = [
  [
    'offer-batches',
    {
      definition: offerBatchJobs(batchConfig) as JobDefinition<unknown>,
      payload: (n) => ({ tenantId: 't', batchId: randomUUID(), index: n }),
    },
  ],
  [
    'deferred-claims',
    {
      definition: deferredClaimsJobs(batchConfig) as JobDefinition<unknown>,
      payload: (n) => ({ tenantId: 't', offerId: randomUUID(), claims: { name: `row ${n}` } }),
    },
  ],
  [
    'status-changes',
    {
      definition: statusChangeJobs(batchConfig) as JobDefinition<unknown>,
      payload: () => ({ tenantId: 't', status: 'revoked', offerIds: [randomUUID()] }),
    },
  ],
  [
    'issuer-webhooks',
    {
      definition: {
        ...webhookDeliveryJobs('issuer', webhookConfig),
        worker: { concurrency: 2, ...locks },
      } as JobDefinition<unknown>,
      payload: () => ({
        tenantId: 't',
        webhookId: randomUUID(),
        deliveryId: randomUUID(),
        event: { id: randomUUID(), type: 'offer.redeemed', createdAt: new Date().toISOString(), data: {} },
      }),
    },
  ],
]

const redis = new OwnRedisServer()
beforeAll(() => redis.start())
afterAll(() => redis.stop())

describe.each(kinds)('job queue contract: %s', (name, { definition, payload }) => {
  const label = definition.label ?? definition.name
  let prefix = ''
  const processes: ContractProcess[] = []
  const start = () => {
    const process = new ContractProcess(definition, redis.url, prefix)
    processes.push(process)
    return process
  }
  beforeEach(() => {
    prefix = `test${randomBytes(4).toString('hex')}`
  })
  afterEach(async () => {
    for (const process of processes.splice(0)) await process.close().catch(() => {})
  })

  it('keeps its queue name, and runs a job queued by the previous version', async () => {
    expect(definition.name).toBe(name)
    // Queued as the previous version did: a plain BullMQ add with the same name, job name and options.
    const data = payload(0)
    const earlier = new Queue(name, { connection: { url: redis.url }, prefix })
    await earlier.add(definition.jobName, data, jobOptions(definition.retry, 'queued-before-upgrade'))
    await earlier.close()
    const worker = start()
    const ran: unknown[] = []
    worker.work({ process: async (job) => void ran.push(job.data) })
    await until(
      () => ran.length,
      (count) => count === 1,
      'the earlier job to run',
    )
    expect(ran).toEqual([data])
    await until(
      () => worker.metric('attesto_queue_job_outcomes_total', { queue: label, outcome: 'completed' }),
      (n) => n === 1,
      'the outcome to be counted',
    )
  })

  it('delivers at least once: a job whose worker crashed mid-job runs again on another worker', async () => {
    const first = start()
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const seen: string[] = []
    first.work({
      process: async (job) => {
        seen.push(`first:${job.id}`)
        await held // never finishes before the crash
      },
    })
    const jobId = await first.producer.add(payload(1))
    await until(
      () => seen.length,
      (count) => count === 1,
      'the first worker to take the job',
    )
    await first.crash()

    const second = start()
    second.work({ process: async (job) => void seen.push(`second:${job.id}`) })
    await until(
      () => seen.length,
      (count) => count === 2,
      'the job to run again after the lock expired',
    )
    expect(seen).toEqual([`first:${jobId}`, `second:${jobId}`])
    const job = await second.producer.getJob(jobId)
    await until(async () => (await second.producer.getJob(jobId))?.finishedOn, Boolean, 'the job to complete')
    expect(await job?.getState()).toBe('completed')
    release()
  })

  it('retries with exponential backoff and jitter, then dead-letters after the last attempt, counted', async () => {
    const process = start()
    const attempts: Attempt[] = []
    const delays = new Map<string, number[]>()
    const deadLetters: { jobId: string; attempt: number }[] = []
    const worker = process.work({
      process: failingAttempt(attempts),
      deadLetter: async (job) => void deadLetters.push({ jobId: String(job.id), attempt: job.attemptsMade + 1 }),
    })
    // The delay BullMQ chose for each retry, as stored on the job when it moved to the delayed set.
    worker.worker.on('failed', (job) => {
      if (job && !job.finishedOn) delays.set(String(job.id), [...(delays.get(String(job.id)) ?? []), job.delay])
    })
    const ids = [
      await process.producer.add(payload(2)),
      await process.producer.add(payload(3)),
      await process.producer.add(payload(4)),
    ]
    await until(
      () => deadLetters.length,
      (count) => count === ids.length,
      'every job to be dead-lettered',
    )

    const allDelays: { delay: number; max: number }[] = []
    for (const id of ids) {
      const mine = attempts.filter((attempt) => attempt.jobId === id)
      expect(mine.map((attempt) => attempt.attemptsMade)).toEqual([0, 1, 2])
      const jobDelays = delays.get(id) ?? []
      expect(jobDelays).toHaveLength(ATTEMPTS - 1)
      for (const [retryIndex, delay] of jobDelays.entries()) {
        const max = BACKOFF_MILLIS * 2 ** retryIndex
        expect(delay).toBeGreaterThanOrEqual(Math.floor(max / 2))
        expect(delay).toBeLessThanOrEqual(max)
        // The next attempt started no earlier than the failure plus its delay (job timestamps).
        const gap = (mine[retryIndex + 1]?.processedOn ?? 0) - (mine[retryIndex]?.failedAt ?? 0)
        expect(gap).toBeGreaterThanOrEqual(delay)
        allDelays.push({ delay, max })
      }
      expect(jobDelays).toEqual([...jobDelays].sort((a, b) => a - b)) // non-decreasing
    }
    // Jittered: not every delay is its exponential value.
    expect(allDelays.some(({ delay, max }) => delay < max)).toBe(true)

    // Dead letters: once per job, after its last attempt, kept visible in the failed set.
    expect(deadLetters.sort((a, b) => a.jobId.localeCompare(b.jobId))).toEqual(
      [...ids].sort().map((jobId) => ({ jobId, attempt: ATTEMPTS })),
    )
    await until(
      () => process.producer.queue.getFailedCount(),
      (count) => count === ids.length,
      'the failed set',
    )
    expect(await process.metric('attesto_queue_jobs', { queue: label, state: 'failed' })).toBe(ids.length)
    expect(await process.metric('attesto_queue_job_outcomes_total', { queue: label, outcome: 'failed' })).toBe(
      ids.length * ATTEMPTS,
    )
    expect(await process.metric('attesto_queue_job_outcomes_total', { queue: label, outcome: 'dead_lettered' })).toBe(
      ids.length,
    )
  })

  it('answers queue_unavailable at once while Redis is down, and its worker resumes when Redis returns', async () => {
    const process = start()
    const ran: string[] = []
    process.work({ process: async (job) => void ran.push(String(job.id)) })
    await process.producer.add(payload(5))
    await until(
      () => ran.length,
      (count) => count === 1,
      'a job before the outage',
    )

    await redis.stop()
    try {
      const started = Date.now()
      await expect(process.producer.add(payload(6))).rejects.toMatchObject({
        kind: 'unavailable',
        code: 'queue_unavailable',
      })
      await expect(process.producer.assertAvailable()).rejects.toMatchObject({ code: 'queue_unavailable' })
      expect(Date.now() - started).toBeLessThan(5_000) // fails fast: no offline queue, one retry
      expect(await process.metric('attesto_queue_up', { queue: label })).toBe(0)
    } finally {
      await redis.start()
    }
    const jobId = await until(
      () => process.producer.add(payload(7)).catch(() => undefined),
      (id) => id !== undefined,
      'the producer to queue again',
    )
    await until(
      () => ran,
      (ids) => ids.includes(String(jobId)),
      'the worker to resume by itself',
    )
    expect(await process.metric('attesto_queue_up', { queue: label })).toBe(1)
  }, 60_000)
})
