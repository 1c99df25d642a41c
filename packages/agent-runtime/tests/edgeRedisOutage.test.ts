import { OwnRedisServer } from '@attesto/test-servers'
import { Redis } from 'ioredis'
import { loadRuntimeConfig } from '../src/config/runtimeConfig.js'
import { EdgeRateLimits } from '../src/edge/rateLimits.js'
import { type HttpServer, startHttpServer } from '../src/http/startHttpServer.js'
import { nonceEndpointApp } from './support/nonceEndpointApp.js'
import { silentLogger } from './support/silentLogger.js'

// The edge's per-address limit over HTTP while its Redis (a redis-server of this test's own) is
// down: the instance counts in its own memory, neither letting everything through nor refusing
// everything, and counts in Redis again once it is back.

describe('edge rate limits through a Redis outage', () => {
  const redis = new OwnRedisServer()
  let rateLimits: EdgeRateLimits
  let http: HttpServer

  beforeAll(async () => {
    await redis.start()
    const config = loadRuntimeConfig({ ROLE: 'issuer', PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '3' })
    rateLimits = new EdgeRateLimits({ limits: config.edge.rateLimits, redis: redis.url, prefix: 'outage' })
    http = await startHttpServer(nonceEndpointApp(config.edge, rateLimits), {
      port: 0,
      logger: silentLogger,
      handleSignals: false,
    })
  })
  afterAll(async () => {
    rateLimits?.close()
    await http?.shutdown()
    await redis.stop()
  })

  const nonce = () => fetch(`${http.url}/oid4vci/i/nonce`, { method: 'POST' })

  it('counts in memory while Redis is down, and in Redis once it is back', async () => {
    await redis.stop()
    const statuses: number[] = []
    for (let index = 0; index < 4; index++) statuses.push((await nonce()).status)
    expect(statuses).toEqual([200, 200, 200, 429])

    await redis.start()
    // Once reconnected, requests are counted in the (fresh, empty) Redis again.
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      const keys = await redisKeys()
      if (keys.length > 0) break
      await nonce()
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(await redisKeys()).toEqual(['outage:rate:protocol:127.0.0.1'])
  })

  async function redisKeys(): Promise<string[]> {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 0, lazyConnect: true })
    try {
      await client.connect()
      return await client.keys('outage:*')
    } finally {
      client.disconnect()
    }
  }
})
