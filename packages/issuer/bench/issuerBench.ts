// Issuer benchmarks, in one run:
//   npm run bench -w @attesto/issuer -- queue     (after npm run build; PostgreSQL and Redis on 127.0.0.1)
//
// queue: a batch of BENCH_BATCH_ROWS rows (default 20,000) through the bulk-offer queue with 1,
// 2 and 4 worker processes (`attesto-issuer worker`), on the real PostgreSQL and Redis: offers
// per second and the time from submitting the batch to its last offer. The baseline is plain
// synchronous offer creation through `POST /offers` (8 requests in flight).
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { DATABASE_URL, REDIS_URL, startService } from '@attesto/testing'
import { createIssuerApp } from '../src/app.js'
import { loadBatchConfig } from '../src/batches/batchConfig.js'
import { tenantWithIssuer } from '../tests/support/issuerFixture.js'

const ROWS = Number(process.env.BENCH_BATCH_ROWS ?? 20_000)
const SYNC_OFFERS = Number(process.env.BENCH_SYNC_OFFERS ?? 2_000)
const server = fileURLToPath(new URL('../src/server.js', import.meta.url))

async function queueBench() {
  const masterKey = randomBytes(32).toString('base64')
  const queueEnv = { QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`, TENANT_OFFERS_PER_SECOND: '0' }
  const batchConfig = loadBatchConfig(queueEnv)
  const service = await startService('issuer', (config, logger) => createIssuerApp(config, logger, batchConfig), {
    REDIS_URL,
    KMS_MASTER_KEY: masterKey,
    QUEUE_PREFIX: queueEnv.QUEUE_PREFIX,
  })
  const call = service.call
  const { key, issuerId } = await tenantWithIssuer(service, {
    label: 'Ministry',
    configurationId: 'diploma',
    vct: 'urn:attesto:bench:diploma',
    claims: [
      { name: 'given_name', type: 'string', required: true },
      { name: 'student', type: 'number', required: true },
    ],
  })
  const rows = Array.from({ length: ROWS }, (_, index) => ({ given_name: `Student ${index}`, student: index }))

  const startWorkers = (count: number): ChildProcess[] =>
    Array.from({ length: count }, () =>
      spawn(process.execPath, [server, 'worker'], {
        env: {
          ...process.env,
          ...queueEnv,
          DATABASE_URL,
          DATABASE_SCHEMA: service.schema,
          KMS_MASTER_KEY: masterKey,
          REDIS_URL,
          PUBLIC_BASE_URL: service.http.url,
          LOG_LEVEL: 'error',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    )

  try {
    console.log(`Bulk offers: one batch of ${ROWS} rows per run, workers as separate processes`)
    const rates: Record<number, number> = {}
    for (const count of [1, 2, 4]) {
      const workers = startWorkers(count)
      await new Promise((resolve) => setTimeout(resolve, 3_000)) // let them connect
      const started = performance.now()
      const submitted = await call('POST', '/offer-batches', key, {
        issuerId,
        credentialConfigurationId: 'diploma',
        rows,
      })
      if (submitted.status !== 202) throw new Error(`submit: ${submitted.status} ${JSON.stringify(submitted.body)}`)
      const accepted = performance.now() - started
      for (;;) {
        const { body } = await call('GET', `/offer-batches/${submitted.body.batchId}`, key)
        if (body.status === 'finished') {
          if (body.done !== ROWS) throw new Error(`batch finished with ${JSON.stringify(body)}`)
          break
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const seconds = (performance.now() - started) / 1000
      rates[count] = ROWS / seconds
      console.log(
        `  ${count} worker${count > 1 ? 's' : ' '}  ${rates[count].toFixed(0).padStart(5)} offers/s   submit → last offer ${seconds.toFixed(1)} s   (202 after ${accepted.toFixed(0)} ms)`,
      )
      for (const worker of workers) worker.kill('SIGTERM')
      await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))))
    }

    // Baseline: plain synchronous offers through the API, 8 in flight.
    let next = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next++ < SYNC_OFFERS) {
          const response = await call('POST', '/offers', key, {
            issuerId,
            credentialConfigurationId: 'diploma',
            claims: { given_name: 'Ada', student: next },
          })
          if (response.status !== 201) throw new Error(`offer: ${response.status}`)
        }
      }),
    )
    const syncRate = SYNC_OFFERS / ((performance.now() - started) / 1000)
    console.log(`  synchronous POST /offers (8 in flight): ${syncRate.toFixed(0)} offers/s`)
    console.log(
      `  queued / synchronous: ${[1, 2, 4].map((count) => `${count} worker${count > 1 ? 's' : ''} ${((rates[count] ?? 0) / syncRate).toFixed(2)}`).join(', ')}`,
    )
  } finally {
    await service.close()
  }
}

const which = process.argv[2] ?? 'queue'
if (which !== 'queue') {
  console.error(`Unknown benchmark '${which}'; available: queue`)
  process.exit(1)
}
await queueBench()
