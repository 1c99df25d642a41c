import { randomBytes } from 'node:crypto'
import {
  describeWithRedisCluster,
  OwnRedisCluster,
  silentLogger,
  startService,
  WebhookReceiver,
} from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadBatchConfig } from '../src/batches/batchConfig.js'
import { OfferBatchWorker } from '../src/batches/offerBatchWorker.js'
import { issuanceSessionCount, tenantWithIssuer } from './support/issuerFixture.js'

// The issuer on a Redis Cluster of the test's own (three primaries, three replicas,
// cluster-node-timeout 1 s): a bulk batch is being worked when the primary that holds the
// queues' slot is SIGKILLed. Its replica takes over; the API and the worker carry on without a
// restart, and every row gets exactly one offer; the batches' `batch.finished` webhooks go
// through the cluster's delivery queue. Under CI=true a missing redis-server fails.

describeWithRedisCluster('issuer queues through a Redis Cluster failover', () => {
  const cluster = new OwnRedisCluster()
  const prefix = `test${randomBytes(4).toString('hex')}`
  // Short locks, so that a job whose completion was lost with the primary comes back in seconds.
  const batchConfig = loadBatchConfig({
    BATCH_CHUNK_SIZE: '5',
    BATCH_CHUNKS_IN_FLIGHT: '4',
    TENANT_OFFERS_PER_SECOND: '60',
    QUEUE_LOCK_DURATION_MILLIS: '5000',
    QUEUE_STALLED_INTERVAL_MILLIS: '2000',
    QUEUE_BACKOFF_MILLIS: '200',
  })
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let worker: OfferBatchWorker
  let key = ''
  let issuerId = ''
  const runs = new Map<string, number>()
  const receiver = new WebhookReceiver()

  const submit = (count: number, tag: string) =>
    service.call('POST', '/offer-batches', key, {
      issuerId,
      credentialConfigurationId: 'card',
      rows: Array.from({ length: count }, (_, index) => ({ number: `${tag}-${index}` })),
    })
  const status = async (batchId: string) => (await service.call('GET', `/offer-batches/${batchId}`, key)).body
  async function until<T>(
    probe: () => Promise<T>,
    done: (value: T) => boolean,
    what: string,
    pauseMillis = 100,
    withinMillis = 60_000,
  ) {
    const deadline = Date.now() + withinMillis
    for (;;) {
      const value = await probe().catch(() => undefined)
      if (value !== undefined && done(value)) return value
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, pauseMillis))
    }
  }
  const sessionCount = () => issuanceSessionCount(service, key)

  beforeAll(async () => {
    await Promise.all([cluster.start(), receiver.start()])
    service = await startService('issuer', (config, logger) => createIssuerApp(config, logger, batchConfig), {
      REDIS_CLUSTER_NODES: cluster.seedList,
      QUEUE_PREFIX: prefix,
      WEBHOOK_ALLOW_INSECURE: 'true',
    })
    worker = new OfferBatchWorker({
      root: service.runtime.agent.context,
      offers: service.runtime.offers,
      redis: cluster.target,
      prefix,
      config: batchConfig,
      logger: silentLogger,
      webhooks: service.runtime.webhooks,
    }).start()
    worker.worker.on('active', (job) => runs.set(String(job.id), (runs.get(String(job.id)) ?? 0) + 1))
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Agency',
      configurationId: 'card',
      vct: 'urn:attesto:test:card',
      claims: [{ name: 'number', type: 'string', required: true }],
    }))
    const hook = await service.call('POST', '/webhooks', key, { url: receiver.url, events: ['batch.finished'] })
    receiver.secret = hook.body.secret
  }, 120_000)
  afterAll(async () => {
    await worker?.close()
    await service?.close()
    await cluster.stop()
    await receiver.close()
  })

  it('keeps every row to one offer while the queues’ primary is killed mid-batch, and recovers by itself', async () => {
    const rows = 300
    const accepted = await submit(rows, 'big')
    expect(accepted.status).toBe(202)
    const batchId = accepted.body.batchId as string
    await until(
      () => status(batchId),
      (body) => body.done >= 60,
      'the batch to be under way',
    )

    // The queues' keys all hash to one slot ({prefix}); kill the primary that serves it.
    const victim = await cluster.primaryPortOf(`{${prefix}}:offer-batches:wait`)
    await cluster.kill(victim)
    const killed = Date.now()
    const doneAtKill = (await status(batchId)).done as number

    // The API queues again once the replica has taken over (503 queue_unavailable until then).
    const small = await until(
      () => submit(10, 'after'),
      (response) => response.status === 202,
      'the API to queue again',
      50,
    )
    const apiBack = Date.now() - killed
    await until(
      () => status(batchId),
      (body) => body.done > doneAtKill + 10,
      'the worker to make offers again',
      50,
    )
    const workerBack = Date.now() - killed

    const finished = await until(
      () => status(batchId),
      (body) => body.status === 'finished',
      'the batch to finish',
    )
    const finishedMillis = Date.now() - killed
    expect(finished).toMatchObject({ total: rows, done: rows, failed: 0 })
    expect(
      await until(
        () => status(small.body.batchId),
        (body) => body.status === 'finished',
        'the small batch',
      ),
    ).toMatchObject({ total: 10, done: 10, failed: 0 })
    // Exactly one offer per row, whatever ran twice.
    expect(await sessionCount()).toBe(rows + 10)
    await cluster.waitUntilHealthy()

    const chunks = rows / 5 + 2
    const rerun = [...runs.values()].filter((count) => count > 1).length
    expect(runs.size).toBe(chunks) // no chunk job lost
    const finishedEvents = await until(
      async () => receiver.received.filter((delivery) => delivery.event.type === 'batch.finished'),
      (deliveries) => deliveries.length >= 2,
      'the batch.finished webhooks',
      100,
      // One run saw a delivery held back for about a minute after the failover (docs/QUEUES.md).
      120_000,
    )
    expect(new Set(finishedEvents.map((delivery) => delivery.event.data.batchId))).toEqual(
      new Set([batchId, small.body.batchId]),
    )
    expect(finishedEvents.every((delivery) => delivery.signatureValid)).toBe(true)
    const webhooksMillis = Date.now() - killed
    console.info(
      JSON.stringify({
        failover: { killedPort: victim, apiBackMillis: apiBack, workerBackMillis: workerBack },
        sinceKill: { batchFinishedMillis: finishedMillis, webhooksDeliveredMillis: webhooksMillis },
        chunkJobs: chunks,
        chunkJobsRunTwice: rerun,
        offers: rows + 10,
      }),
    )
  }, 240_000)
})
