import { randomBytes } from 'node:crypto'
import { DomainError } from '@attesto/protocol-kit'
import { LogLevel } from '@credo-ts/core'
import { createRuntimeAgent, type RuntimeAgent } from '../src/agent/createRuntimeAgent.js'
import { loadRuntimeConfig } from '../src/config/runtimeConfig.js'
import { errorHandler } from '../src/http/errorHandler.js'
import { healthRoutes } from '../src/http/healthRoutes.js'
import { type HttpServer, startHttpServer } from '../src/http/startHttpServer.js'
import { JsonLogger } from '../src/logging/JsonLogger.js'
import { routerOf } from '../src/routing/routerOf.js'

// A runtime agent on the real PostgreSQL (ATTESTO_TEST_DATABASE_URL, default 127.0.0.1:5432)
// with the local KMS, served over HTTP on a free port.

const DATABASE_URL = process.env.ATTESTO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const logs: string[] = []
const logger = new JsonLogger(LogLevel.warn, 'test', (line) => logs.push(line))

describe('runtime: agent, health, readiness, errors, graceful shutdown', () => {
  let runtime: RuntimeAgent<Record<string, never>>
  let http: HttpServer
  const schema = `runtime_${randomBytes(4).toString('hex')}`

  beforeAll(async () => {
    const config = loadRuntimeConfig({
      ROLE: 'issuer',
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      KMS_MASTER_KEY: randomBytes(32).toString('base64'),
    })
    runtime = await createRuntimeAgent(config, logger, () => ({}))
    runtime.app.get('/slow', async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 300))
      response.json({ finished: true })
    })
    runtime.app.get('/refuse', () => {
      throw new DomainError('claim_invalid', "Claim 'age' must be a number")
    })
    runtime.app.get('/crash', () => {
      throw new Error('database password is hunter2')
    })
    runtime.app.use(routerOf(healthRoutes(() => runtime.readiness())))
    runtime.app.use(errorHandler(logger))
    http = await startHttpServer(runtime.app, {
      port: 0,
      host: '127.0.0.1',
      logger,
      handleSignals: false,
      onShutdown: () => runtime.close(),
    })
  })
  afterAll(async () => {
    await http.shutdown()
    const { PostgresDatabase } = await import('@attesto/storage-service')
    const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await admin.close()
  })

  it('builds a working agent on the configured storage and KMS', async () => {
    const key = await runtime.agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
    const { didState } = await runtime.agent.dids.create({ method: 'key', options: { keyId: key.keyId } })
    expect(didState.did).toMatch(/^did:key:/)
  })

  it('caches DID resolution in process without REDIS_URL, never in storage', async () => {
    const { CacheModuleConfig, SingleContextLruCacheRecord } = await import('@credo-ts/core')
    const cache = runtime.agent.dependencyManager.resolve(CacheModuleConfig).cache
    expect(cache).toBe(runtime.didCache.cache)
    const entry = { didDocument: { id: 'did:example:cached' }, didResolutionMetadata: {}, didDocumentMetadata: {} }
    await cache.set(runtime.agent.context, 'did:resolver:did:example:cached', entry, 60)
    expect(await cache.get(runtime.agent.context, 'did:resolver:did:example:cached')).toEqual(entry)
    // Credo's default cache would have written its entries to a record in storage.
    const stored = await runtime.storage.storageService.getAll(
      runtime.agent.context,
      SingleContextLruCacheRecord as never,
    )
    expect(stored).toEqual([])
  })

  it('answers /health and /ready', async () => {
    expect(await (await fetch(`${http.url}/health`)).json()).toEqual({ status: 'ok' })
    const ready = await fetch(`${http.url}/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready', checks: { storage: { ok: true }, kms: { ok: true } } })
  })

  it('maps errors to a stable code and a readable message, and hides internals of a 500', async () => {
    const refused = await fetch(`${http.url}/refuse`)
    expect(refused.status).toBe(400)
    expect(await refused.json()).toEqual({ error: { code: 'claim_invalid', message: "Claim 'age' must be a number" } })
    const crashed = await fetch(`${http.url}/crash`)
    expect(crashed.status).toBe(500)
    const body = await crashed.text()
    expect(body).toBe('{"error":{"code":"internal_error","message":"Internal error"}}')
    expect(logs.some((line) => line.includes('"level":"error"'))).toBe(true)
  })

  it('lets an in-flight request finish on shutdown, then refuses new connections', async () => {
    const inFlight = fetch(`${http.url}/slow`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const stopping = http.shutdown()
    const response = await inFlight
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ finished: true })
    await stopping
    await expect(fetch(`${http.url}/health`)).rejects.toThrow()
  })
})

describe('runtime with REDIS_URL', () => {
  it('plugs the shared DID cache into the agent', async () => {
    const schema = `runtime_${randomBytes(4).toString('hex')}`
    const config = loadRuntimeConfig({
      ROLE: 'verifier',
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      KMS_MASTER_KEY: randomBytes(32).toString('base64'),
      REDIS_URL: process.env.ATTESTO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    })
    const runtime = await createRuntimeAgent(config, logger, () => ({}))
    try {
      await runtime.didCache.cache.waitUntilReady()
      const { CacheModuleConfig } = await import('@credo-ts/core')
      expect(runtime.agent.dependencyManager.resolve(CacheModuleConfig).cache).toBe(runtime.didCache.cache)
    } finally {
      await runtime.close()
      const { PostgresDatabase } = await import('@attesto/storage-service')
      const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await admin.close()
    }
  })
})
